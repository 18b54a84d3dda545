"""The README's "Limits" section states every bound in cnncalc/limits.py, with its value."""

import re
from pathlib import Path

import cnncalc.limits as limits

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Limits", 1)[1].split("\n## ", 1)[0]
BOUNDS = {name: value for name, value in vars(limits).items() if name.isupper()}


def written(value: int) -> set:
    """The ways the README writes a number: 2,000,000, 100, ±10^15."""
    forms = {f"{value:,}"}
    exponent = len(str(value)) - 1
    if value == 10**exponent and exponent > 6:
        forms.add(f"10^{exponent}")
    return forms


def test_every_bound_is_in_the_readme():
    # the scan of limits.py sees the bounds that are enforced (see the test below)
    assert {"MAX_FILE_BYTES", "MAX_NODES", "MAX_MAGNITUDE"} <= set(BOUNDS)
    missing = {
        name: value
        for name, value in BOUNDS.items()
        if not any(re.search(rf"(?<!\d)(?<!\d,){re.escape(form)}(?!\d|,\d)", SECTION) for form in written(value))
    }
    assert not missing, f"README's Limits section does not state: {missing}"


def test_the_limits_are_the_ones_in_force():
    # each bound is imported where it is enforced, not copied
    from cnncalc import expand, expr
    from cnncalc.sources import yaml_text as spec

    assert spec.MAX_FILE_BYTES is limits.MAX_FILE_BYTES and expand.MAX_NODES is limits.MAX_NODES
    assert expr.MAX_MAGNITUDE is limits.MAX_MAGNITUDE

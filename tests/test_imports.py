"""What a run imports: start-up is most of what a user waits for, so a JSON summary must not
pull in the table renderer or modules the job does not use. A module list, not a timing
(timings are for benchmarks/bench.py: these machines are noisy)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# heavy or unneeded for a summary: the table renderer, pathlib (and urllib.parse, ipaddress behind
# it), difflib (only for "did you mean"), csv, fractions, decimal, dataclasses, argparse
NOT_FOR_JSON = ("rich", "pathlib", "difflib", "csv", "fractions", "decimal", "dataclasses", "argparse", "ipaddress")


def modules_after(*args: str) -> set[str]:
    code = ("import contextlib, io, json, sys\n"
            "from cnncalc.cli import cli\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try:\n"
            f"        cli({list(args)!r})\n"
            "    except SystemExit:\n"
            "        pass\n"
            "print(json.dumps(sorted(sys.modules)))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out))


@pytest.mark.parametrize("args", [("summary", "vgg16", "--format", "json"),
                                  ("summary", "efficientnet_b3", "--format", "json"),
                                  ("check", "resnet50", "--format", "json")])
def test_a_machine_readable_run_imports_no_renderer_and_nothing_heavy(args):
    loaded = {name.split(".")[0] for name in modules_after(*args)}
    assert not loaded & set(NOT_FOR_JSON), sorted(loaded & set(NOT_FOR_JSON))


def test_the_table_imports_rich_and_not_pathlib_or_difflib():
    # rich itself brings dataclasses, fractions and decimal: they are in the import floor
    # `python -c "import click, yaml, rich.table"` that benchmarks/bench.py measures against
    loaded = {name.split(".")[0] for name in modules_after("summary", "vgg16")}
    assert "rich" in loaded
    assert not loaded & {"pathlib", "difflib", "csv", "argparse", "ipaddress"}

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


MACHINE_READABLE = [
    ("summary", "vgg16", "--format", "json"),
    ("summary", "efficientnet_b3", "--format", "json"),
    ("check", "resnet50", "--format", "json"),
]
TABLE = ("summary", "vgg16")


@pytest.fixture(scope="module")
def runs():
    """A fresh interpreter for each run (a module list needs one), all started at once: they are
    independent, and a second core runs one while the first starts the next."""
    started = {}
    for args in (*MACHINE_READABLE, TABLE):
        code = (
            "import contextlib, io, json, sys\n"
            "from cnncalc.cli import cli\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try:\n"
            f"        cli({list(args)!r})\n"
            "    except SystemExit:\n"
            "        pass\n"
            "print(json.dumps(sorted(sys.modules)))\n"
        )
        started[args] = subprocess.Popen(
            [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    yield started
    for process in started.values():
        if process.poll() is None:
            process.kill()
            process.wait()


def modules_after(runs, args) -> set[str]:
    out, err = runs[args].communicate(timeout=60)
    assert runs[args].returncode == 0, err
    return set(json.loads(out))


@pytest.mark.parametrize("args", MACHINE_READABLE)
def test_a_machine_readable_run_imports_no_renderer_and_nothing_heavy(runs, args):
    loaded = {name.split(".")[0] for name in modules_after(runs, args)}
    assert not loaded & set(NOT_FOR_JSON), sorted(loaded & set(NOT_FOR_JSON))


def test_the_table_imports_rich_and_not_pathlib_or_difflib(runs):
    # rich itself brings dataclasses, fractions and decimal: they are in the import floor
    # `python -c "import click, yaml, rich.table"` that benchmarks/bench.py measures against
    loaded = {name.split(".")[0] for name in modules_after(runs, TABLE)}
    assert "rich" in loaded
    assert not loaded & {"pathlib", "difflib", "csv", "argparse", "ipaddress"}

"""The README's `console` examples are real output: each command runs (in a scratch folder
where `cat FILE` examples create the files they show) and every line the README prints,
except the `…` that marks an elision, appears in the real output in the same order.
README examples are rendered at 100 columns."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from cnncalc.cli import cli

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```console\n(.*?)```", README, re.S)


def commands(block: str):
    """(command, expected lines) for each `$ ` line of a block."""
    found = []
    for line in block.splitlines():
        if line.startswith("$ "):
            found.append((line[2:], []))
        elif found:
            found[-1][1].append(line.rstrip())
    return found


def test_every_example_runs_cnncalc_and_shows_output_to_compare():
    # a block with no cnncalc command, or one whose output is all elided, would pass
    # test_console_example_is_real_output without checking anything
    assert BLOCKS, "no ```console blocks found in the README"
    for block in BLOCKS:
        runs = [(command, expected) for command, expected in commands(block) if command.startswith("cnncalc ")]
        assert runs, f"a console example runs no cnncalc command:\n{block}"
        for command, expected in runs:
            assert any(line.strip() not in ("…", "...", "") for line in expected), f"{command}: no output shown"


@pytest.mark.parametrize("block", BLOCKS, ids=[commands(b)[0][0][:40] for b in BLOCKS])
def test_console_example_is_real_output(block, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for command, expected in commands(block):
        args = shlex.split(command)
        if args[0] == "cat":
            path = tmp_path / args[1]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(expected) + "\n", encoding="utf-8")
            continue
        assert args[0] == "cnncalc"
        result = CliRunner().invoke(cli, args[1:], env={"COLUMNS": "100"}, catch_exceptions=False)
        actual = [line.rstrip() for line in result.output.splitlines()]
        position = 0
        for line in expected:
            if line.strip() in ("…", "...", ""):
                continue
            assert line in actual[position:], f"{command}: {line!r} is not in the output:\n{result.output}"
            position = actual.index(line, position) + 1

"""The API does everything the CLI does, with the same limits: a script gets the numbers and
the refusals a user of `cnncalc` gets."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import cnncalc
from cnncalc import api
from cnncalc.cli import cli


def test_a_convention_through_the_api_is_the_clis():
    # resnet50 under fvcore, as the real tool counts it (tests/test_conventions.py): 4,111,512,576
    report = cnncalc.analyze("resnet50", convention="fvcore")
    out = json.loads(
        CliRunner().invoke(cli, ["summary", "resnet50", "--convention", "fvcore", "--format", "json"]).output
    )
    assert report.totals.macs == out["totals"]["macs"] == 4_111_512_576
    assert report.convention == "fvcore" and report.conventions()["ours"][-1] == 1000 * 2048
    with pytest.raises(cnncalc.CnnCalcError, match="convention must be one of ours, torchinfo, fvcore, but saw 'thop'"):
        cnncalc.analyze("resnet50", convention="thop")


def test_explaining_named_layers_keeps_only_their_steps():
    report = cnncalc.analyze("lenet5", explain=["conv1"])
    assert [row.name for row in report.layers if row.steps] == ["conv1"]
    # the worked arithmetic the README shows: (5·5·3 + 1) · 6 = 456 params
    assert any(step.formula == "(5·5·3 + 1) · 6 = 456" for step in report.layer("conv1").steps)
    with pytest.raises(cnncalc.CnnCalcError, match="no layer is called 'conv9' in lenet5"):
        cnncalc.analyze("lenet5", explain=["conv9"])


def test_a_sweep_is_bounded_in_the_api_as_on_the_command_line():
    # 4 values × 3 values × 100 inputs = 1,200 combinations, past the 1,000 bound
    grid = {"alpha": [1, 0.75, 0.5, 0.25], "resolution": [224, 192, 160]}
    with pytest.raises(
        cnncalc.CnnCalcError, match="at most 1,000 combinations of values and inputs, but this one has 1,200"
    ):
        api.sweep("mobilenet_v1", grid, inputs=[str(n) for n in range(100, 200)])
    with pytest.raises(cnncalc.CnnCalcError, match="at most 8 parameters and 100 values each"):
        api.sweep("mobilenet_v1", {f"p{i}": [1] for i in range(9)})
    result = CliRunner().invoke(
        cli,
        [
            "sweep",
            "mobilenet_v1",
            "--set",
            "alpha=1,0.75,0.5,0.25",
            "--set",
            "resolution=224,192,160",
            "--input",
            ",".join(str(n) for n in range(100, 200)),
        ],
    )
    assert result.exit_code == 2 and "but this one has 1,200" in result.output


def test_solve_is_bounded_in_the_api_as_on_the_command_line():
    found = api.solve(224, 112, kernel=7, stride=2)
    # ⌊(224 + 3 + 3 − 1·(7 − 1) − 1)/2⌋ + 1 = 112: padding 3 comes first
    assert (found.solutions[0].kernel, found.solutions[0].stride, found.solutions[0].padding) == (7, 2, (3, 3))
    with pytest.raises(cnncalc.CnnCalcError, match="input must be a whole number from 1 to 100,000, but saw 100001"):
        api.solve(100_001, 3)
    with pytest.raises(cnncalc.CnnCalcError, match="kernel must be a whole number from 1 to 11, but saw 12"):
        api.solve(224, 112, kernel=12)

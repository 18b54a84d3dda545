"""compare and sweep: networks side by side, and grids over parameters and inputs. The MobileNet
paper's Tables 6 (width multiplier) and 7 (resolution) come out of one command each; Howard et
al. print millions of mult-adds and of parameters, rounded."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from cnncalc.cli import cli


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def rows(*args):
    result = run(*args, "--format", "csv")
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.output)))


def test_sweep_reproduces_mobilenet_table_6():
    # Table 6: 1.0 → 569M mult-adds, 4.2M params; 0.75 → 325M, 2.6M; 0.5 → 149M, 1.3M; 0.25 → 41M, 0.5M
    grid = rows("sweep", "mobilenet_v1", "--set", "alpha=1,0.75,0.5,0.25")
    assert [(round(int(r["macs"]) / 1e6), round(int(r["params"]) / 1e6, 1)) for r in grid] == [
        (569, 4.2),
        (325, 2.6),
        (149, 1.3),
        (41, 0.5),
    ]


def test_sweep_reproduces_mobilenet_table_7():
    # Table 7 prints 569, 418, 290 and 186 million; at 160 the arithmetic gives 290.68M, which
    # rounds to 291 (the paper scaled the 224 total by (160/224)², classifier included; see
    # test_library_mobile.py)
    grid = rows("sweep", "mobilenet_v1", "--input", "224,192,160,128")
    assert [round(int(r["macs"]) / 1e6) for r in grid] == [569, 418, 291, 186]
    assert {round(int(r["params"]) / 1e6, 1) for r in grid} == {4.2}
    assert [r["input_shape"] for r in grid] == ["224x224x3", "192x192x3", "160x160x3", "128x128x3"]


def test_sweep_is_every_combination():
    grid = json.loads(
        run("sweep", "mobilenet_v1", "--set", "alpha=1,0.5", "--input", "224,128", "--format", "json").output
    )["grid"]
    assert [(g["alpha"], g["input_shape"][0]) for g in grid] == [(1, 224), (1, 128), (0.5, 224), (0.5, 128)]


def test_compare_gives_ratios_to_the_first():
    table = rows("compare", "vgg16", "mobilenet_v1", "mobilenet_v1[alpha=0.5,input=160]")
    vgg, mobile, small = table
    # 138,357,544 / 4,231,976 = 32.7 times fewer params; 15,470,264,320 / 568,740,352 = 27.2 fewer MACs
    assert (mobile["params_ratio"], mobile["macs_ratio"]) == ("1/32.7", "1/27.2")
    assert (vgg["params_ratio"], vgg["macs_ratio"]) == ("1.00", "1.00")
    assert small["input_shape"] == "160x160x3" and int(small["params"]) < int(mobile["params"])
    # the peak: block 1's pointwise output and its batch norm, 112·112·64 elements each, 4 bytes
    assert int(mobile["peak_bytes"]) == 2 * 112 * 112 * 64 * 4


def test_compare_errors():
    assert run("compare", "vgg16[alpha=0.5]").exit_code == 2
    assert run("compare", "vgg16[nonsense]").exit_code == 2


def test_a_sweep_is_bounded_and_names_a_key_once():
    from click.testing import CliRunner

    from cnncalc.cli import cli

    hundred = ",".join(["1"] * 100)
    result = CliRunner().invoke(
        cli, ["sweep", "mobilenet_v1", "--set", f"alpha={hundred}", "--input", ",".join(["224"] * 100)]
    )
    assert result.exit_code == 2 and "at most 1,000 combinations" in result.output and "10,000" in result.output
    result = CliRunner().invoke(cli, ["sweep", "mobilenet_v1", "--set", "alpha=1", "--set", "alpha=0.5"])
    assert result.exit_code == 2 and "'alpha' is given twice" in result.output

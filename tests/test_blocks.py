"""Branches, blocks, repeat, parameters and expressions: the graph the YAML expands to.
Expected counts are hand arithmetic."""

import csv
import functools
import io
import json

import pytest
from click.testing import CliRunner

import cnncalc
from cnncalc.cli import cli

NET = """
name: blocks-demo
params: {alpha: 1.0, size: 32}
input: {shape: ["${size}", "${size}", 16], layout: HWC}
blocks:
  mix:
    params: {a: null, b: null, pool: 8}
    layers:
      - concat:
          branches:
            - - conv: {filters: "${a}", kernel: 1}
            - - conv: {filters: "${b // 2}", kernel: 1}
              - conv: {filters: "${b}", kernel: 3, padding: 1}
            - - max_pool: {kernel: 3, stride: 1, padding: 1}
              - conv: {filters: "${pool}", kernel: 1}
  res:
    params: [c]
    layers:
      - add:
          branches:
            main:
              - conv: {filters: "${c}", kernel: 3, padding: 1, bias: false}
              - batch_norm
            shortcut: []
      - relu
  se:
    params: [c, r]
    layers:
      - multiply:
          branches:
            - []
            - - global_avg_pool: {keepdims: true}
              - conv: {filters: "${c // r}", kernel: 1}
              - relu
              - conv: {filters: "${c}", kernel: 1}
              - sigmoid
layers:
  - conv: {name: stem, filters: "${round(32 * alpha)}", kernel: 3, padding: 1}
  - mix: {name: m1, a: 8, b: 16}
  - mix: {a: 16, b: 32, pool: 16}
  - res: {name: stage, c: 64, repeat: 2}
  - se: {c: 64, r: 4}
  - conv: {filters: 8, kernel: 1, repeat: 3}
  - global_avg_pool
  - dense: {units: 10}
"""


@pytest.fixture(scope="module")
def report():
    return cnncalc.analyze(cnncalc.loads(NET, file="demo.yaml"))


def test_names_are_dotted_and_counted_per_scope(report):
    names = [x.name for x in report.layers]
    assert names[:2] == ["input", "stem"]
    assert "m1.branch2.conv2" in names and "m1.concat1" in names
    assert "mix1.branch1.conv1" in names  # the unnamed second call is mix1
    assert ["stage.1.main.conv1", "stage.1.main.bn1", "stage.1.add1", "stage.1.relu1"] == [
        n for n in names if n.startswith("stage.1.")
    ]
    assert "stage.2.add1" in names and "se1.mul1" in names and "se1.branch2.conv2" in names
    assert [n for n in names if n in ("conv1", "conv2", "conv3")] == ["conv1", "conv2", "conv3"]


def test_block_arguments_and_defaults(report):
    # m1: 8 + 16 + the default pool 8 channels; mix1: 16 + 32 + 16
    assert report.layer("m1.concat1").output_shape == (8 + 16 + 8, 32, 32)
    assert report.layer("mix1.concat1").output_shape == (16 + 32 + 16, 32, 32)
    assert report.layer("m1.branch2.conv1").output_shape == (16 // 2, 32, 32)
    # m1.branch2.conv2: 3×3 from 8 to 16 channels with bias
    assert report.layer("m1.branch2.conv2").params == 3 * 3 * 8 * 16 + 16


def test_identity_shortcut_and_inputs(report):
    add = report.layer("stage.1.add1")
    assert add.inputs == ("stage.1.main.bn1", "mix1.concat1")
    assert add.output_shape == (64, 32, 32)
    assert report.layer("stage.1.main.conv1").params == 3 * 3 * 64 * 64  # no bias
    assert report.layer("stage.1.main.bn1").non_trainable_params == 2 * 64


def test_squeeze_excitation_gate_broadcasts(report):
    assert report.layer("se1.branch2.pool1").output_shape == (64, 1, 1)
    assert report.layer("se1.branch2.conv1").params == 64 * 16 + 16
    assert report.layer("se1.branch2.conv1").macs == 64 * 16  # one position
    assert report.layer("se1.mul1").output_shape == (64, 32, 32)
    assert report.layer("se1.mul1").macs == 0


def test_totals_are_the_sum_of_rows_and_of_blocks(report):
    t = report.totals
    assert t.params == sum(x.params for x in report.layers)
    assert t.macs == sum(x.macs for x in report.layers)
    tops = {}
    for x in report.layers:
        tops.setdefault(x.name.split(".")[0], 0)
        tops[x.name.split(".")[0]] += x.params
    assert sum(tops.values()) == t.params


def test_params_override_and_input_expression():
    r = cnncalc.analyze(cnncalc.loads(NET), params={"alpha": 0.5, "size": 16})
    assert r.layer("stem").output_shape == (16, 16, 16)  # round(32 * 0.5) = 16 filters, 16×16
    assert r.input_shape == (16, 16, 16)


def test_cli_set_and_depth(tmp_path, monkeypatch):
    # catch_exceptions=False on invoke: CliRunner's own argument of that name came in click 8.2
    invoke = functools.partial(CliRunner().invoke, cli, catch_exceptions=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "demo.yaml").write_text(NET)
    result = invoke(["summary", "demo.yaml", "--set", "alpha=0.25", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["layers"][1]["output_shape"] == [32, 32, 8]  # round(32 * 0.25) = 8
    assert data["params_set"]["alpha"] == 0.25
    mul = next(x for x in data["layers"] if x["name"] == "se1.mul1")
    assert mul["block"] == "se1" and mul["inputs"] == ["stage.2.relu1", "se1.branch2.sigmoid1"]

    result = invoke(["summary", "demo.yaml", "--format", "csv", "--depth", "1"])
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["name"] for r in rows] == [
        "input",
        "stem",
        "m1",
        "mix1",
        "stage",
        "se1",
        "conv1",
        "conv2",
        "conv3",
        "pool1",
        "fc1",
    ]
    full = json.loads(invoke(["summary", "demo.yaml", "--format", "json"]).output)
    assert sum(int(r["params"]) for r in rows) == full["totals"]["params"]
    stage = next(r for r in rows if r["name"] == "stage")
    assert stage["kind"] == "block" and int(stage["params"]) == 2 * (3 * 3 * 64 * 64 + 2 * 64)
    assert stage["output_shape"] == "32x32x64"

    table = invoke(["summary", "demo.yaml", "--depth", "2"], env={"COLUMNS": "150"}).output
    # folded at depth 2: stage.1 and stage.2 are rows of their own, under the stage header
    lines = table.splitlines()
    stage = next(i for i, line in enumerate(lines) if line.startswith("stage "))
    assert lines[stage + 1].startswith("  1 ") and lines[stage + 2].startswith("  2 ")
    assert "main.conv1" not in table and "block of" in table


@pytest.mark.parametrize(
    "layers,fragment",
    [
        (
            "  - concat: {branches: [[{conv: {filters: 4, kernel: 3}}], [{conv: {filters: 4, kernel: 1}}]]}",
            "concat needs equal spatial sizes",
        ),
        ("  - add: {branches: [[{conv: {filters: 4, kernel: 1}}], []]}", "add needs equal shapes"),
        ("  - nope: {}", "unknown layer kind 'nope'"),
        ("  - loop: {}", "block 'loop' uses itself (loop → loop)"),
        ("  - pair: {widht: 4}", "unknown argument 'widht' for block pair; did you mean 'width'?"),
        ("  - pair: {}", "block pair needs width"),
        ("  - conv: {filters: '${c * 2}', kernel: 1}", "unknown name 'c'"),
    ],
)
def test_graph_errors(layers, fragment):
    text = (
        "input: {shape: [8, 8, 3], layout: HWC}\nblocks:\n"
        "  loop: {layers: [{loop: {}}]}\n"
        "  pair: {params: [width], layers: [{conv: {filters: '${width}', kernel: 1}}]}\n"
        "layers:\n" + layers + "\n"
    )
    with pytest.raises(cnncalc.CnnCalcError) as err:
        cnncalc.analyze(cnncalc.loads(text, file="g.yaml"))
    assert fragment in str(err.value)
    assert str(err.value).startswith("g.yaml:")


def test_merge_error_names_branches_and_shapes():
    text = (
        "input: {shape: [8, 8, 3], layout: HWC}\nlayers:\n"
        "  - concat:\n      branches:\n        left: [{conv: {filters: 4, kernel: 3}}]\n"
        "        right: [{conv: {filters: 4, kernel: 1}}]\n"
    )
    with pytest.raises(cnncalc.CnnCalcError) as err:
        cnncalc.analyze(cnncalc.loads(text, file="m.yaml"))
    message = str(err.value)
    assert "left.conv1 6×6×4" in message and "right.conv1 8×8×4" in message


@functools.cache
def _bench():
    """benchmarks/bench.py, which writes a network flat to time the cost per written layer
    (loaded once)."""
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).resolve().parents[1] / "benchmarks" / "bench.py"
    spec = importlib.util.spec_from_file_location("cnncalc_bench", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", cnncalc.builtins())
def test_a_builtin_written_flat_gives_the_same_rows(name):
    """Written with no blocks, repeats or branches (a named line per layer, `from` for its
    inputs, no default option written), a built-in gives the same rows, receptive fields
    included: nothing of a layer's result hangs on how the file wrote it, such as the memos
    that read a repeated entry once or share one dict of options among layers written alike."""
    from cnncalc.sources.library import read_source

    text = read_source(name)[1]
    flat = _bench().written_flat(text)
    assert "blocks:" not in flat and "repeat" not in flat and "branches" not in flat

    from cnncalc.kinds import KINDS

    def rows(report):  # the options that name a layer (upsample's like) name it flat: left out
        return [
            (
                r.kind,
                r.output_shape,
                r.weights,
                r.biases,
                r.non_trainable_params,
                r.macs,
                r.field,
                {k: v for k, v in (r.hyperparameters or {}).items() if k not in KINDS[r.kind].references},
            )
            for r in report.layers
        ]

    ours, written = cnncalc.analyze(cnncalc.loads(text)), cnncalc.analyze(cnncalc.loads(flat))
    assert len(written.layers) == len(ours.layers) > 1
    assert rows(written) == rows(ours)

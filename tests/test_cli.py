"""The command line through click's CliRunner: every format, exit codes, error messages."""

import csv
import functools
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import cnncalc
from cnncalc.cli import cli

GOLDEN = Path(__file__).parent / "golden"
README = Path(__file__).parent.parent / "README.md"
VGG16_PARAMS = 138357544
VGG16_MACS = 15470264320


def run(*args, **env):
    # catch_exceptions=False: an exception other than click's own exit (a traceback for a
    # user) propagates and fails the test, instead of being swallowed into result.exception
    result = CliRunner().invoke(cli, list(args), env={"COLUMNS": "120", **env}, catch_exceptions=False)
    assert result.exit_code in (0, 2), result.output
    return result


def check_golden(path: Path, text: str, update: bool):
    if update:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{path.name} changed; rerun with --update-golden if intended"


def test_summary_table_golden(update_golden):
    result = run("summary", "vgg16")
    assert result.exit_code == 0
    assert "138,357,544" in result.output and "15,470,264,320" in result.output
    check_golden(GOLDEN / "vgg16.table.txt", result.output, update_golden)


def test_summary_json_golden(update_golden):
    result = run("summary", "vgg16", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["schema_version"] == 1
    assert data["totals"]["params"] == VGG16_PARAMS and data["totals"]["macs"] == VGG16_MACS
    assert data["totals"]["flops"] == 2 * VGG16_MACS
    assert data["input_shape"] == [224, 224, 3] and data["layout"] == "hwc"
    for key in (
        "name",
        "kind",
        "output_shape",
        "activation_size",
        "params",
        "non_trainable_params",
        "macs",
        "flops",
        "warnings",
    ):
        assert all(key in layer for layer in data["layers"])
    assert sum(layer["params"] for layer in data["layers"]) == VGG16_PARAMS
    check_golden(GOLDEN / "vgg16.json", result.output, update_golden)
    # the streamed text is the report's dict, whatever its layout on the page
    assert data == json.loads(json.dumps(cnncalc.analyze("vgg16").to_dict()))


TINY = str(GOLDEN / "tiny_inception.yaml")  # the README's example: blocks, branches, repeat


@pytest.mark.parametrize(
    "args, golden",
    [
        (("vgg16", "--format", "csv"), "vgg16.csv"),
        (("vgg16", "--format", "markdown"), "vgg16.md"),
        ((TINY,), "tiny_inception.table.txt"),  # header rows for blocks and branches
        ((TINY, "--format", "csv"), "tiny_inception.csv"),
        ((TINY, "--format", "markdown", "--depth", "1"), "tiny_inception.depth1.md"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_summary_golden(args, golden, update_golden):
    result = run("summary", *args)
    assert result.exit_code == 0
    check_golden(GOLDEN / golden, result.output, update_golden)


def test_summary_json_chw_layout():
    data = json.loads(run("summary", "vgg16", "--format", "json", "--layout", "chw").output)
    assert data["input_shape"] == [3, 224, 224]
    assert data["layers"][1]["output_shape"] == [64, 224, 224]


def test_summary_csv():
    result = run("summary", "vgg16", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert len(rows) == 1 + 13 + 5 + 1 + 3  # input, 13 conv, 5 pool, flatten, 3 dense
    assert sum(int(r["params"]) for r in rows) == VGG16_PARAMS
    assert rows[1]["output_shape"] == "224x224x64" and rows[1]["macs"] == str(224 * 224 * 64 * 3 * 3 * 3)


def test_summary_markdown():
    result = run("summary", "lenet5", "--format", "markdown")
    assert result.exit_code == 0
    assert "| conv1 | conv 5×5/1 ×6 +tanh | 28×28×6 | 4,704 | 456 |" in result.output
    assert "| **total** |" in result.output and "62,006" in result.output


def test_batch_and_dtype_scale_activation_memory():
    one = json.loads(run("summary", "lenet5", "--format", "json").output)["totals"]
    big = json.loads(run("summary", "lenet5", "--format", "json", "--batch", "8", "--dtype", "float16").output)
    assert one["activation_bytes"] == one["activation_size"] * 4
    assert big["totals"]["activation_bytes"] == one["activation_size"] * 8 * 2


def test_input_override_warns_and_recomputes():
    data = json.loads(run("summary", "alexnet", "--input", "224x224x3", "--format", "json").output)
    conv1 = data["layers"][1]
    assert conv1["output_shape"] == [54, 54, 96]
    assert conv1["warnings"] and "227" in conv1["warnings"][0]
    table = run("summary", "alexnet", "--input", "224").output
    assert "Warnings:" in table and "conv1: H, W: (224 + 2·0 − 11)/4 = 213/4" in table


def test_keras_style_non_trainable_lines(tmp_path):
    net = tmp_path / "bn.yaml"
    net.write_text(
        "input: {shape: [8, 8, 3], layout: HWC}\nlayers:\n"
        "  - conv: {filters: 4, kernel: 3, bias: false}\n  - batch_norm\n"
    )
    out = run("summary", str(net)).output
    assert f"Total params: {3 * 3 * 3 * 4 + 2 * 4 + 2 * 4:,}" in out
    assert f"Trainable params: {3 * 3 * 3 * 4 + 2 * 4}" in out
    assert "Non-trainable params: 8" in out


@pytest.fixture(scope="module")
def list_json():
    """`cnncalc list --format json`, run once for the tests that read it (it analyzes every
    built-in)."""
    return run("list", "--format", "json")


def test_list_builtins(list_json):
    result = list_json
    assert result.exit_code == 0
    entries = {e["name"]: e for e in json.loads(result.output)["architectures"]}
    assert entries["vgg16"]["params"] == VGG16_PARAMS and entries["vgg16"]["input_shape"] == [224, 224, 3]
    assert {"lenet5", "lenet5-classic", "alexnet", "vgg16"} <= set(entries)
    assert "vgg16" in run("list").output


def test_list_machine_formats_agree(list_json):
    entries = json.loads(list_json.output)["architectures"]
    rows = list(csv.DictReader(io.StringIO(run("list", "--format", "csv").output)))
    # the csv module quotes the sources, which contain commas
    assert [
        {**e, "input_shape": "x".join(map(str, e["input_shape"])), "params": str(e["params"]), "macs": str(e["macs"])}
        for e in entries
    ] == rows
    assert any("," in r["source"] for r in rows)
    markdown = run("list", "--format", "markdown").output.splitlines()
    assert markdown[0] == "| name | input | params | MACs | source |"
    assert len(markdown) == 2 + len(entries) + 2 and markdown[-1].startswith("A bare name is always a built-in")
    vgg16 = next(line for line in markdown if line.startswith("| vgg16 |"))
    assert f"| 224×224×3 | {VGG16_PARAMS:,} | {VGG16_MACS:,} |" in vgg16


@pytest.fixture(scope="module")
def googlenet_at_the_pipe_width():
    from cnncalc.cli import PIPE_WIDTH

    return run("summary", "googlenet", COLUMNS=str(PIPE_WIDTH)).output


@pytest.mark.parametrize("columns", ["abc", "", "0", "-5", "12.5"])
def test_bad_columns_variable_falls_back_to_the_pipe_width(columns, googlenet_at_the_pipe_width):
    from cnncalc.cli import PIPE_WIDTH

    result = run("summary", "googlenet", COLUMNS=columns)
    assert result.exit_code == 0
    assert result.output == googlenet_at_the_pipe_width
    assert max(map(len, result.output.splitlines())) <= PIPE_WIDTH


def test_kinds_lists_every_registered_kind():
    from cnncalc.kinds import KINDS

    data = json.loads(run("kinds", "--format", "json").output)["kinds"]
    listed = [name for row in data for name in row["kinds"].split(", ")]
    assert sorted(listed) == sorted(set(KINDS) - {"input"})
    conv = next(row for row in data if row["kinds"] == "conv")
    assert conv["options"].startswith("filters, kernel, stride 1, padding 0, dilation 1, groups 1")
    assert conv["description"] == KINDS["conv"].help
    assert "element-wise activation" in run("kinds").output


def test_readme_kinds_table_is_the_registry():
    # the README's table is `cnncalc kinds --format markdown`, so the two cannot drift
    assert run("kinds", "--format", "markdown").output in README.read_text(encoding="utf-8")


# --- bad input: a message that says where and what, exit code 2 ---------------------------


def test_unknown_key_did_you_mean(tmp_path):
    net = tmp_path / "net.yaml"
    net.write_text("name: t\ninput: {shape: [32, 32, 3], layout: HWC}\nlayers:\n  - conv: {filter: 8, kernel: 3}\n")
    result = run("summary", str(net))
    assert result.exit_code == 2
    assert f"{net}:4" in result.output and "unknown key 'filter'" in result.output
    assert "did you mean 'filters'?" in result.output


def test_unknown_kind_did_you_mean(tmp_path):
    net = tmp_path / "net.yaml"
    net.write_text("input: {shape: [32, 32, 3], layout: HWC}\nlayers:\n  - maxpool: {kernel: 2}\n")
    result = run("summary", str(net))
    assert result.exit_code == 2 and "did you mean 'max_pool'?" in result.output


def test_impossible_layer(tmp_path):
    net = tmp_path / "net.yaml"
    net.write_text("input: {shape: [5, 5, 3], layout: HWC}\nlayers:\n  - conv: {filters: 8, kernel: 7}\n")
    result = run("summary", str(net))
    assert result.exit_code == 2
    assert "net.yaml:3" in result.output and "output H would be -1" in result.output
    assert "at least 1" in result.output


def test_bad_arguments_exit_2():
    assert run("summary", "vgg16", "--input", "abc").exit_code == 2
    assert run("summary", "vgg16", "--format", "xml").exit_code == 2
    assert run("summary", "vgg16", "--batch", "0").exit_code == 2
    result = run("summary", "vgg16", "--input", "224x224")  # spatial only is fine
    assert result.exit_code == 0
    result = run("summary", "vgg16", "--input", "1x2x3x4")
    assert result.exit_code == 2 and "3-D input" in result.output


def test_unknown_network_and_parameter():
    result = run("summary", "alexnett")
    assert result.exit_code == 2 and "did you mean 'alexnet'?" in result.output
    result = run("summary", "vgg16", "--set", "alpha=0.5")
    assert result.exit_code == 2 and "unknown parameter 'alpha'" in result.output
    assert run("summary", "vgg16", "--set", "alpha").exit_code == 2


def test_missing_file():
    result = run("summary", "no/such/net.yaml")
    assert result.exit_code == 2 and "no such file" in result.output


# --- the CLI documents itself -------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_and_is_in_readme(name):
    command = cli.commands[name]
    assert command.help and command.help.strip()
    assert f"cnncalc {name}" in README.read_text(encoding="utf-8")
    assert run(name, "--help").exit_code == 0


def test_python_dash_m():
    result = subprocess.run(
        [sys.executable, "-m", "cnncalc", "summary", "lenet5", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout)["totals"]["params"] == 62006


def test_api_matches_cli():
    import cnncalc

    data = json.loads(run("summary", "alexnet", "--format", "json").output)
    report = cnncalc.analyze("alexnet")
    assert data["totals"] == report.to_dict()["totals"]


def test_ci_runs_the_readme_test_command():
    readme = README.read_text(encoding="utf-8")
    command = "pip install '.[test]' && python -m pytest"
    assert command in readme
    assert command in (README.parent / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_network_example_runs(tmp_path):
    import re

    import cnncalc

    text = re.search(r"```yaml\n(# A small Inception.*?)```", README.read_text(encoding="utf-8"), re.S).group(1)
    r = cnncalc.analyze(cnncalc.loads(text))
    # mixed1 concatenates 32 + 64 + 16 channels
    assert r.layer("mixed1.concat1").output_shape == (32 + 64 + 16, 16, 16)
    assert r.layer("residual2.add1").output_shape == (112, 16, 16)
    assert r.totals.params == sum(x.params for x in r.layers)


def test_network_from_stdin():
    text = "input: {shape: [10, 10, 1], layout: HWC}\nlayers:\n  - conv: {filters: 2, kernel: 3}\n"
    result = CliRunner().invoke(cli, ["summary", "-", "--format", "csv"], input=text, catch_exceptions=False)
    assert result.exit_code == 0
    assert "conv1,conv,conv 3×3/1 ×2,,8x8x2,128,20," in result.output  # 8·8·2 = 128; 3·3·1·2 + 2 = 20
    bad = CliRunner().invoke(cli, ["summary", "-"], input="input: [1\n", catch_exceptions=False)
    assert bad.exit_code == 2 and "<stdin>:2" in bad.output


def test_shapes_show_in_the_files_own_layout(tmp_path):
    chw = tmp_path / "chw.yaml"
    chw.write_text("input: {shape: [3, 32, 32], layout: CHW}\nlayers:\n  - conv: {filters: 8, kernel: 5}\n")
    tc = tmp_path / "tc.yaml"
    tc.write_text("input: {shape: [100, 16], layout: TC}\nlayers:\n  - conv: {filters: 8, kernel: 5}\n")
    # (32 − 5) + 1 = 28, shown channels first as the file is written; --input read the same way
    assert run("summary", str(chw), "--format", "csv").output.splitlines()[-1].split(",")[4] == "8x28x28"
    assert (
        run("summary", str(chw), "--input", "3x64x64", "--format", "csv").output.splitlines()[-1].split(",")[4]
        == "8x60x60"
    )
    assert (
        run("summary", str(chw), "--layout", "hwc", "--format", "csv").output.splitlines()[-1].split(",")[4]
        == "28x28x8"
    )
    assert run("summary", str(tc)).output.startswith("tc  (input 100×16, TC)")
    assert run("summary", str(tc), "--layout", "chw").output.startswith("tc  (input 16×100, CT)")


def test_a_channels_first_input_on_a_channels_last_network():
    result = run("summary", "vgg16", "--input", "3x224x224")
    assert result.exit_code == 2
    assert "3x224x224 read in hwc order has 224 channels where vgg16 has 3; did you mean --layout chw?" in result.output
    assert run("summary", "vgg16", "--input", "3x224x224", "--layout", "chw").exit_code == 0


BUILTINS = cnncalc.builtins()  # the files, and the variants of files that name them


@functools.cache
def summary_layers(name: str) -> list:
    """A built-in's layers as summary's JSON gives them, once for the four widths."""
    return json.loads(run("summary", name, "--format", "json").output)["layers"]


@pytest.mark.parametrize("width", [60, 80, 100, 120])
@pytest.mark.parametrize("name", BUILTINS)
def test_every_builtin_fits_the_terminal(name, width, update_golden):
    result = run("summary", name, COLUMNS=str(width))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    if width >= 80:  # at 60 a deep network's table may be printed wider than the terminal, whole
        assert max(map(len, lines)) <= width, [line for line in lines if len(line) > width][:3]
    assert all(line == line.rstrip() for line in lines)  # no trailing spaces
    # no shape or number is cut: every layer's params and output shape stand whole in the table
    # (a name or label may be shortened in the middle, with …, never a number)
    layers = summary_layers(name)
    table = result.output.split("\nParams:")[0]
    for layer in layers:
        shape = "×".join(map(str, layer["output_shape"]))
        assert f" {layer['params']:,} " in table + " " or f" {layer['params']:,}\n" in table, layer["name"]
        assert f"{shape} " in table, (layer["name"], shape)
    # and a row always says what the layer is: its label (or a shortened one) is there
    assert all(layer["label"][:4] in table for layer in layers)
    check_golden(GOLDEN / "tables" / f"{name}.{width}.txt", result.output, update_golden)


def test_numbers_exact_or_human():
    table = run("summary", "vgg16", COLUMNS="120").output
    # params exact, as Keras's summary(); MACs human, rounded in integer arithmetic
    assert "   1,792 " in table and " 86.7M " in table and "138,357,544" in table
    exact = run("summary", "vgg16", "--exact", COLUMNS="200").output
    assert f" {224 * 224 * 64 * 3 * 3 * 3:,} " in exact and "86.7M" not in exact.split("Params:")[0]


def test_columns_give_way_in_order_and_say_so():
    narrow = run("summary", "lenet5", COLUMNS="80").output
    assert "(hidden at 80 columns: FLOPs, MAC share; --wide shows them)" in narrow
    assert "conv 5×5/1 ×6 +tanh" in narrow  # the label still fits
    wide = run("summary", "lenet5", "--wide", COLUMNS="80").output
    assert "hidden" not in wide and "MAC share" in wide


def test_notes_for_floors_that_drop_only_padding():
    # torchvision's stride-2 3×3 convolutions with padding 1 on an even input drop one column
    # of right padding: no input is lost, so no warning by default
    plain = run("summary", "resnet18").output
    verbose = run("summary", "resnet18", "-v").output
    assert "right padding, no input" not in plain and "right padding, no input" in verbose
    # its 1×1 stride-2 downsampling skips row 55 of 56 as it skips every odd row: a note too
    assert "downsample.conv1: H, W:" not in plain
    assert (
        "layer2.basic_down1.downsample.conv1: H, W: (56 + 2·0 − 1)/2 = 55/2 is not whole: the floor skips"
        in " ".join(verbose.split())
    )
    folded = run("summary", "resnet18", "--depth", "2", "-v").output  # folded rows keep the codes
    assert "right padding, no input" in folded and "layer2.basic_down1.downsample.conv1: H, W:" in folded
    data = json.loads(run("summary", "resnet18", "--format", "json").output)
    assert {"padding-only", "stride-gap"} <= {code for x in data["layers"] for code in x["warning_codes"]}


def test_depth_applies_to_json_and_hyperparameters_are_data():
    folded = json.loads(run("summary", "resnet18", "--format", "json", "--depth", "1").output)
    assert [x["name"] for x in folded["layers"]][:6] == ["input", "conv1", "bn1", "relu", "maxpool", "layer1"]
    assert sum(x["params"] for x in folded["layers"]) == folded["totals"]["params"] == 11_689_512
    layers = json.loads(run("summary", "mobilenet_v1", "--format", "json").output)["layers"]
    conv1 = next(x for x in layers if x["name"] == "conv1")
    # 'same' at stride 2 on 224: total max((112 − 1)·2 + 3 − 224, 0) = 1, none before, one after
    assert conv1["hyperparameters"]["padding"] == [[0, 1], [0, 1]]
    assert (conv1["hyperparameters"]["kernel"], conv1["hyperparameters"]["stride"]) == ([3, 3], [2, 2])
    pool = next(
        x for x in json.loads(run("summary", "googlenet", "--format", "json").output)["layers"] if x["name"] == "pool1"
    )
    assert pool["hyperparameters"]["ceil_mode"] is True


def test_a_block_row_is_bold_on_a_terminal_and_a_layer_row_is_not():
    """The table's rows are the lines of one rich row (render_table): a block's header line
    carries the bold style, a layer's does not (the plain text is checked by the goldens)."""
    from rich.console import Console

    from cnncalc.render.table import render_table

    out = io.StringIO()
    Console(file=out, width=200, force_terminal=True, color_system="standard").print(
        render_table(cnncalc.analyze("resnet18"), depth=2)
    )
    lines = out.getvalue().splitlines()
    header = next(line for line in lines if line.startswith("\x1b[1mlayer1\x1b[0m"))
    layer = next(line for line in lines if "conv 7×7/2" in line)
    assert "\x1b[1m" not in layer
    # layer1 of ResNet-18: two basic blocks of two 3×3 convs of 64 → 64 and two batch norms:
    # params 2·2·(3·3·64·64 + 2·64) = 147,968; MACs 4·56·56·64·(3·3·64) = 462,422,016
    for cell in ("56×56×64", "147,968", "462.4M"):
        assert f"\x1b[1m{cell}\x1b[0m" in header


def test_a_line_break_in_a_name_keeps_the_table_rows_aligned(tmp_path):
    """YAML text may hold a line break; in the table it is shown as ↵ so that each layer stays
    on one line, next to its own numbers (the rows are the lines of one rich row)."""
    net = tmp_path / "nl.yaml"
    net.write_text(
        'input: {shape: [8, 8, 3], layout: HWC}\nlayers:\n  - conv: {name: "a\\nb", filters: 4, kernel: 3}\n  - relu\n',
        encoding="utf-8",
    )
    out = CliRunner().invoke(cli, ["summary", str(net)], env={"COLUMNS": "100"}).output
    row = next(line for line in out.splitlines() if "conv 3×3/1 ×4" in line)
    assert row.startswith("a↵b ") and "112" in row  # 3·3·3·4 weights + 4 biases
    assert next(line for line in out.splitlines() if line.startswith("relu1 ")).split()[1] == "relu"


def test_line_breaks_and_tabs_in_names_stay_on_one_line_in_every_human_format(tmp_path):
    """A tab is shown as ⇥ (expanded, it made the name wider than its column, which rich then
    cut with an ellipsis), a line break as ↵: in the table and its title, the Markdown rows and
    heading, the summary's peak line and --explain."""
    net = tmp_path / "tabs.yaml"
    net.write_text(
        'name: "two\\nlines"\ninput: {shape: [8, 8, 3], layout: HWC}\nlayers:\n'
        '  - conv: {name: "a\\tb", filters: 4, kernel: 3}\n  - relu: {name: "c\\nd"}\n',
        encoding="utf-8",
    )
    table = CliRunner().invoke(cli, ["summary", str(net), "--wide"]).output
    assert table.splitlines()[0].startswith("two↵lines  (input 8×8×3")
    assert next(line for line in table.splitlines() if "conv 3×3/1 ×4" in line).startswith("a⇥b ")
    assert "…" not in table and "\t" not in table
    assert "Inference peak: 1.3 KiB at a⇥b;" in table  # 6·6·4 + 8·8·3 elements alive, 4 bytes each
    markdown = CliRunner().invoke(cli, ["summary", str(net), "--format", "markdown"]).output.splitlines()
    assert markdown[0].startswith("## two↵lines (input")
    rows = [line for line in markdown if line.startswith("| ")]
    assert [row.split(" | ")[0] for row in rows[1:]] == ["| input", "| a⇥b", "| c↵d", "| **total**"]
    explained = CliRunner().invoke(cli, ["summary", str(net), "--explain"]).output
    assert "a⇥b  conv 3×3/1 ×4  → 6×6×4" in explained and "c↵d  relu  → 6×6×4" in explained


def test_the_top_level_help_cuts_no_description():
    result = CliRunner().invoke(cli, ["--help"], env={"COLUMNS": "80"})
    commands = result.output.split("Commands:", 1)[1]
    assert "..." not in commands and "…" not in commands
    assert all(len(line) <= 80 for line in result.output.splitlines())
    assert set(cli.commands) == {line.split()[0] for line in commands.strip().splitlines()}


def test_a_bare_name_with_a_network_file_beside_it_is_pointed_to_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ng_example.yaml").write_text((README.parent / "architectures" / "lenet5.yaml").read_text())
    result = run("summary", "ng_example")
    assert result.exit_code == 2
    assert (
        "'ng_example' is not a built-in architecture; to read the file 'ng_example.yaml' here, write ng_example.yaml"
        in (result.output)
    )


def test_a_setting_in_compares_brackets_is_named_by_its_bracket():
    result = run("compare", "vgg16", "mobilenet_v1[widht=0.5]")
    assert result.exit_code == 2
    assert "Error: in 'mobilenet_v1[widht=0.5]': unknown parameter 'widht'" in result.output
    assert "--set" not in result.output


def test_at_a_batch_every_figure_says_per_sample_or_per_batch():
    out = run("summary", "lenet5", "--batch", "32").output
    # lenet5: 11,566 activation values a sample; 11,566 · 4 bytes · 32 = 1,480,448 B = 1.4 MiB
    assert "MACs: 651,720 (651.7K)   FLOPs: 1,303,440 (1.3M) per sample" in out
    assert "Activations: 11,566 elements per sample; 1.4 MiB per batch of 32 (float32, 4 bytes)" in out
    assert "training ~1.9 MiB at batch 32 (sgd)" in out and "Inference peak: 972.0 KiB per batch of 32" in out
    assert "per sample" not in run("summary", "lenet5").output  # at batch 1 the two are the same


def test_the_markdown_footer_is_a_list_so_its_lines_stay_apart():
    out = run("summary", "lenet5", "--format", "markdown").output
    assert "\n- Params: 62,006 (weights 61,770 + biases 236)\n- MACs: 651,720" in out


# --- listings: nothing cut at any width -----------------------------------------------------

VARIANTS = [
    "mobilenet_v1",
    "mobilenet_v1[alpha=0.75]",
    "mobilenet_v1[alpha=0.5,input=160]",
    "mobilenet_v1[alpha=0.25,input=128]",
]


def listed_values(records, columns) -> list[str]:
    """Each value of a listing as the table writes it: exact text, shapes with ×, counts human."""
    from cnncalc.units import human

    values = []
    for record in records:
        for key, kind in columns.items():
            value = record[key]
            values.append(
                human(value) if kind == "count" else "×".join(map(str, value)) if kind == "shape" else str(value)
            )
    return values


@pytest.mark.parametrize("width", [40, 60, 80, 100, 120])
def test_compare_cuts_no_value_at_any_width(width):
    result = run("compare", *VARIANTS, COLUMNS=str(width))
    records = json.loads(run("compare", *VARIANTS, "--format", "json").output)["networks"]
    kinds = {"network": "text", "input_shape": "shape", "params": "count", "macs": "count"}
    text = result.output.replace("\n", " ")  # a value at 40 columns may wrap, never be cut
    assert "…" not in result.output
    assert all(value in text or value in result.output for value in listed_values(records, kinds))
    # the four variants can be told apart: each name whole on a line of its own or in its row
    assert all(any(name in line for line in result.output.splitlines()) for name in VARIANTS[:3])


def test_list_is_one_line_a_network_and_its_sources_come_with_v():
    names = json.loads(run("list", "--format", "json").output)["architectures"]
    out = run("list", COLUMNS="80").output
    rows = [line for line in out.splitlines() if line.split() and line.split()[0] in {n["name"] for n in names}]
    assert len(rows) == len(names) and "…" not in out and "source" not in out
    assert "lraspp_mobilenet_v3_large" in out  # the longest name, whole
    verbose = run("list", "-v", COLUMNS="120").output
    assert "source" in verbose and "Krizhevsky" in verbose


def long_names_yaml(tmp_path) -> Path:
    # four nested blocks of one conv each, every name 15 characters or fewer; and a 60-character name
    net = tmp_path / "long.yaml"
    net.write_text(
        "name: long\ninput: {shape: [224, 224, 3], layout: HWC}\n"
        "blocks:\n"
        "  inner_block: {layers: [{conv: {name: projection_conv, filters: 64, kernel: 3, padding: 1}}]}\n"
        "  middle_block: {layers: [{inner_block: {name: inner_block}}]}\n"
        "  outer_block: {layers: [{middle_block: {name: middle_block}}]}\n"
        "  stage: {layers: [{outer_block: {name: outer_block}}, {conv: {filters: 64, kernel: 1}}]}\n"
        "layers:\n"
        "  - stage: {name: stage_one}\n"
        f"  - conv: {{name: {'n' * 60}, filters: 1000, kernel: 3, padding: 1}}\n"
    )
    return net


@pytest.mark.parametrize("width", [60, 80, 100, 120])
def test_long_names_never_cut_a_number(tmp_path, width):
    net = long_names_yaml(tmp_path)
    out = run("summary", str(net), COLUMNS=str(width)).output
    table = out.split("\nParams:")[0]
    # at 224×224: the nested conv (3·3·3 + 1)·64 = 1,792 params; the stage's 1×1 (1·1·64 + 1)·64 =
    # 4,160; the long-named (3·3·64 + 1)·1000 = 577,000; the total 1,792 + 4,160 + 577,000 = 582,952
    for params in (1_792, 4_160, 577_000, 582_952):
        assert f" {params:,}" in table, (width, params)
    assert "224×224×1000" in table and "224×224×64" in table
    if width >= 80:
        assert all(len(line) <= width for line in out.splitlines())
    assert "conv" in table  # every row says what it is


def test_rf_asked_for_stays_at_80_columns():
    out = run("summary", "vgg16", "--rf", COLUMNS="80").output
    assert " RF" in out.split("\n")[1] and "212 s32 p90" in out  # pool5's field: 212 at stride 32
    assert "RF" not in out.split("(hidden at", 1)[-1].split(")")[0] if "(hidden at" in out else True


def test_piped_output_fits_the_terminal_it_runs_in(monkeypatch):
    import cnncalc.cli as cli_module

    monkeypatch.setattr(cli_module, "_terminal_width", lambda: 70)
    out = CliRunner().invoke(cli, ["summary", "lenet5"]).output
    assert max(len(line) for line in out.splitlines()) <= 70
    assert all(line == line.rstrip() for line in out.splitlines())


def test_compare_shows_memory_in_the_summarys_units():
    # vgg16's inference peak: conv1's and conv2's 224·224·64 floats, 2 · 224·224·64 · 4 B = 24.5 MiB
    assert "Inference peak: 24.5 MiB" in run("summary", "vgg16").output
    compared = run("compare", "vgg16", "mobilenet_v1", COLUMNS="120").output
    assert "24.5 MiB" in compared and "25.7M" not in compared


def test_an_encoding_without_cnncalcs_characters_gets_their_ascii_spellings():
    # Windows' cp1252 has × and · but not ⌊, ⌋ or −: floor(...) and - instead of \u230a escapes
    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    result = subprocess.run(
        [sys.executable, "-m", "cnncalc", "layer", "conv", "--input", "39x39x3", "--filters", "10", "--kernel", "3"],
        capture_output=True,
        env=env,
        cwd=README.parent,
        timeout=60,
    )
    text = result.stdout.decode("cp1252")
    assert result.returncode == 0 and "floor((39 + 2·0 - 3)/1) + 1 = 37" in text and "\\u" not in text


def test_explanations_wrap_between_words_at_the_width():
    out = run(
        "summary", "resnet18", "--explain", "--layer", "layer2.basic_down1.downsample.conv1", "-v", COLUMNS="80"
    ).output
    explained = out.split("layer2.basic_down1.downsample.conv1  conv", 1)[1]
    assert all(len(line) <= 80 for line in explained.splitlines())
    words = " ".join(explained.split())
    # the note's words whole, in order, whatever the line breaks: no "be/fore"
    assert "the floor skips the last 1 row/column, no more than the stride skips between any two windows" in words

"""For students: `cnncalc layer` (one layer with its arithmetic), `summary --explain`, answer
keys in `cnncalc check`, and `cnncalc solve`. Expected numbers are the course's (Ng's Deep
Learning Specialization: the 39×39×3 example, the LeNet-5 table), arithmetic written out, the
per-kind case table of test_kinds.py, or the brute-force window oracle."""

from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner
from helpers import network_yaml
from kind_cases import CASES
from oracles import oracle_count

import cnncalc
from cnncalc.api import one_layer
from cnncalc.cli import cli
from cnncalc.kinds import KINDS


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, input=input)


def flags(options: dict) -> list[str]:
    """{'filters': 10, 'padding': [[0, 1], [2, 1]]} -> ['--filters', '10', '--padding', '[[0,1],[2,1]]']."""
    args = []
    for key, value in options.items():
        text = (
            json.dumps(value).replace(" ", "")
            if isinstance(value, list)
            else str(value).lower()
            if isinstance(value, bool)
            else str(value)
        )
        args += ["--" + key.replace("_", "-"), text]
    return args


# --- cnncalc layer ----------------------------------------------------------------------------


def test_layer_conv_39_course_example():
    result = run("layer", "conv", "--input", "39x39x3", "--filters", "10", "--kernel", "3")
    assert result.exit_code == 0
    out = result.output
    assert "output shape     37×37×10" in out
    assert "params           280 (weights 270 + biases 10)" in out and "MACs             369,630" in out
    assert "output  ⌊(39 + 2·0 − 3)/1⌋ + 1 = 37   (H and W)" in out
    assert "params  (3·3·3 + 1) · 10 = 280" in out
    assert "MACs    37·37·10 · 3·3·3 = 369,630" in out


LAYOUTS = {"HWC": "hwc", "TC": "tc", "CT": "ct", "DHWC": "dhwc", "C": "c"}
SINGLE = [
    c
    for c in CASES
    if not isinstance(c[1], list)
    and not isinstance(c[1], str)
    and c[2][1] in LAYOUTS
    and next(iter(c[1])) not in ("concat", "add", "multiply")
]
SINGLE += [c for c in CASES if isinstance(c[1], str)]  # activations and other bare kinds
SINGLE += [("dropout_alone", {"dropout": {"rate": 0.3}}, ([4, 4, 3], "HWC"), (3, 4, 4), 0, 0, 0)]


@pytest.mark.parametrize(
    "case_id, layer, inp, out_shape, params, non_trainable, macs", SINGLE, ids=[c[0] for c in SINGLE]
)
def test_layer_json_matches_the_case_table(case_id, layer, inp, out_shape, params, non_trainable, macs):
    kind, options = (layer, {}) if isinstance(layer, str) else next(iter(layer.items()))
    shape, layout = inp
    result = run(
        "layer",
        kind,
        "--input",
        "x".join(map(str, shape)),
        "--layout",
        LAYOUTS[layout],
        "--format",
        "json",
        *flags(options),
    )
    assert result.exit_code == 0, result.output
    entry = json.loads(result.output)["layer"]
    channels_last = layout.endswith("C") and layout != "C"
    expected_shape = list(out_shape[1:] + out_shape[:1]) if channels_last and len(out_shape) > 1 else list(out_shape)
    assert (entry["output_shape"], entry["params"], entry["non_trainable_params"], entry["macs"]) == (
        expected_shape,
        params,
        non_trainable,
        macs,
    )
    assert entry["steps"], "every kind explains itself"


def test_every_kind_has_a_layer_case():
    covered = {next(iter(c[1])) if isinstance(c[1], dict) else c[1] for c in SINGLE} | {"concat", "add", "multiply"}
    assert set(KINDS) - {"input"} <= covered


@pytest.mark.parametrize(
    "kind, inputs, shape",
    [
        ("concat", ["28x28x64", "28x28x32", "28x28x16"], "28×28×112"),  # 64 + 32 + 16 channels
        ("add", ["7x7x512", "7x7x512"], "7×7×512"),
        ("multiply", ["7x7x512", "1x1x512"], "7×7×512"),  # a squeeze-and-excitation gate
    ],
)
def test_layer_merges_take_several_inputs(kind, inputs, shape):
    args = [a for x in inputs for a in ("--input", x)]
    result = run("layer", kind, *args)
    assert result.exit_code == 0 and f"output shape     {shape}" in result.output


@pytest.mark.parametrize(
    "args, fragments",
    [
        (
            ["max_pool", "--input", "15x15x8", "--kernel", "2", "--padding", "1", "--ceil-mode", "true"],
            # ⌈(15 + 2 − 2)/2⌉ + 1 = 9, but window 9 would start at 16, in the right padding: 8
            ["⌈(15 + 2·1 − 2)/2⌉ + 1 = 9", "PyTorch drops it: 8", "8×8×8"],
        ),
        (
            ["conv", "--input", "7x8x3", "--filters", "4", "--kernel", "3", "--stride", "2", "--padding", "same"],
            [
                "'same': total = max((⌈7/2⌉ − 1)·2 + 1·(3 − 1) + 1 − 7, 0) = 2, 1 before and 1 after   (H)",
                "'same': total = max((⌈8/2⌉ − 1)·2 + 1·(3 − 1) + 1 − 8, 0) = 1, 0 before and 1 after   (W)",
            ],
        ),
        (
            [
                "conv_transpose",
                "--input",
                "14x14x64",
                "--filters",
                "32",
                "--kernel",
                "4",
                "--stride",
                "2",
                "--padding",
                "1",
            ],
            ["(14 − 1)·2 − 1 − 1 + 1·(4 − 1) + 0 + 1 = 28", "64·32·4·4 + 32 = 32,800", "14·14·64 · 32·4·4 = 6,422,528"],
        ),
        (
            ["adaptive_avg_pool", "--input", "13x13x256", "--output-size", "6"],
            ["13 → 6: s = ⌊13/6⌋ = 2, f = 13 − (6 − 1)·2 = 3"],
        ),
        (
            ["adaptive_avg_pool", "--input", "10x10x8", "--output-size", "6"],
            ["10 → 6: windows [⌊i·10/6⌋, ⌈(i+1)·10/6⌉) of sizes 2 and 3"],
        ),
        (
            ["depthwise_conv", "--input", "56x56x32", "--kernel", "3", "--padding", "1", "--bias", "false"],
            ["3·3 · 32 = 288", "56·56·32 · 3·3 = 903,168", "= 1/32"],
        ),
        (
            ["separable_conv", "--input", "14x14x512", "--filters", "512", "--kernel", "3", "--padding", "same"],
            # Howard et al.: the cost against a standard convolution is 1/N + 1/D_K²
            ["depthwise 3·3·512 + pointwise 512·512 + 512 = 267,264", "1/512 + 1/9 = 0.1131", "= 0.1131"],
        ),
        (
            ["conv", "--input", "8x8x6", "--filters", "12", "--kernel", "3", "--groups", "3"],
            ["(3·3·(6/3) + 1) · 12 = 228"],
        ),
        (
            ["locally_connected", "--input", "227x227x3", "--filters", "96", "--kernel", "11", "--stride", "4"],
            # the AlexNet-without-sharing example: 290,400 neurons × 364 parameters
            ["55·55·96 · (11·11·3 + 1) = 105,705,600"],
        ),
        (
            ["conv", "--input", "100x16", "--layout", "tc", "--filters", "32", "--kernel", "5"],
            ["⌊(100 + 2·0 − 5)/1⌋ + 1 = 96   (T)", "96×32"],
        ),
        (
            [
                "conv",
                "--input",
                "8x17x17x3",
                "--layout",
                "dhwc",
                "--filters",
                "8",
                "--kernel",
                "3",
                "--stride",
                "1x2x2",
                "--padding",
                "1",
            ],
            [
                "⌊(8 + 2·1 − 3)/1⌋ + 1 = 8   (D)",
                "⌊(17 + 2·1 − 3)/2⌋ + 1 = 9   (H and W)",
            ],
        ),
    ],
)
def test_layer_shows_each_rule(args, fragments):
    result = run("layer", *args)
    assert result.exit_code == 0, result.output
    for fragment in fragments:
        assert fragment in result.output, (fragment, result.output)


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["conv2d", "--input", "8x8x3"], ["unknown layer kind 'conv2d'; did you mean 'conv'?", "the kinds: conv,"]),
        (["conv", "--input", "8x8x3", "--kernel", "3"], ["conv needs --filters (output channels)"]),
        (
            ["conv", "--input", "8x8x3", "--filter", "3", "--kernel", "3"],
            ["conv takes no option --filter; did you mean '--filters'?", "(its options: --filters, --kernel"],
        ),
        (["conv", "--input", "8x8x3", "--filters", "0", "--kernel", "3"], ["--filters: filters must be at least 1"]),
        (
            ["conv", "--input", "8x8x3", "--layout", "dhwc", "--filters", "2", "--kernel", "3"],
            ["--input must have as many sizes as the layout DHWC has letters, but saw 8x8x3"],
        ),
        (["concat", "--input", "8x8x3"], ["concat joins branches: give two --input or more"]),
    ],
)
def test_layer_errors(args, fragments):
    result = run("layer", *args)
    assert result.exit_code == 2
    for fragment in fragments:
        assert fragment in result.output, (fragment, result.output)


def random_options(rng, kind):
    """Options that are often valid and sometimes not, from the kind's declarations."""
    options = {}
    for key, opt in KINDS[kind].options.items():
        if opt.type == "int":
            options[key] = rng.choice([1, 2, 3, 4, 6, 8])
        elif opt.type == "ints":
            options[key] = rng.choice([1, 2, 3, 5, [1, 3], [3, 2]])
        elif opt.type == "padding":
            options[key] = rng.choice([0, 1, 2, "same", "valid", [1, 0], [[0, 1], [2, 1]]])
        elif opt.type == "bool":
            options[key] = rng.choice([True, False])
        elif opt.type == "float":
            options[key] = rng.choice([0.0, 0.5, 1.0])
        elif opt.type == "choice":
            options[key] = rng.choice(opt.choices)
        if opt.default is not None and rng.random() < 0.3 and key != "filters":
            options.pop(key, None)
    return options


@pytest.mark.parametrize("seed", range(400))
def test_layer_agrees_with_a_one_layer_network(seed):
    rng = random.Random(seed)
    kind = rng.choice(sorted(k for k in KINDS if k != "input" and not KINDS[k].merge))
    shape = [rng.choice([5, 8, 13, 16]), rng.choice([5, 8, 16]), rng.choice([2, 3, 4, 6])][-rng.choice([2, 3]) :]
    layout = "HWC" if len(shape) == 3 else "TC"
    options = random_options(rng, kind)
    try:
        row, _, _ = one_layer(kind, "x".join(map(str, shape)), dict(options), layout)
    except cnncalc.CnnCalcError:
        row = None
    try:
        net = cnncalc.analyze(cnncalc.loads(network_yaml({kind: options}, shape, layout))).layers[-1]
    except cnncalc.CnnCalcError:
        net = None
    assert (row is None) == (net is None), (kind, options, shape)
    if row is not None:
        assert (row.output_shape, row.params, row.non_trainable_params, row.macs) == (
            net.output_shape,
            net.params,
            net.non_trainable_params,
            net.macs,
        )


# --- summary --explain ---------------------------------------------------------------------------


def test_summary_explain_one_layer():
    result = run("summary", "lenet5", "--explain", "--layer", "conv1")
    assert result.exit_code == 0
    tail = result.output.split("Activations:")[1]
    assert "conv1  conv 5×5/1 ×6 +tanh  → 28×28×6" in tail
    assert "⌊(32 + 2·0 − 5)/1⌋ + 1 = 28   (H and W)" in tail
    assert "(5·5·3 + 1) · 6 = 456" in tail and "28·28·6 · 5·5·3 = 352,800" in tail
    assert "pool1" not in tail


def test_summary_explain_every_layer_and_json_steps():
    out = run("summary", "lenet5", "--explain").output
    assert out.count("→") == 9  # input and eight layers
    data = json.loads(run("summary", "lenet5", "--explain", "--format", "json").output)
    conv1 = next(x for x in data["layers"] if x["name"] == "conv1")
    assert {"quantity": "params", "dims": "", "formula": "(5·5·3 + 1) · 6 = 456", "value": 456} in conv1["steps"]
    assert run("summary", "lenet5", "--layer", "conv9").exit_code == 2


# --- cnncalc check -----------------------------------------------------------------------------

# Ng's LeNet-5 table as a student would copy it, with its misprint: 4707 for 28·28·6
NG_KEY = """name,shape,params,activation_size
conv1,28x28x6,456,4707
pool1,14x14x6,0,1176
conv2,10x10x16,2416,1600
pool2,5x5x16,0,400
fc1,120,48120,120
fc2,84,10164,84
fc3,10,850,10
"""


def test_check_flags_the_misprint_with_its_arithmetic(tmp_path):
    key = tmp_path / "key.csv"
    key.write_text(NG_KEY)
    result = run("check", "lenet5", "--answers", str(key))
    assert result.exit_code == 1
    assert f"{key}:2: conv1 activation_size: expected 4,707, computed 4,704\n  28·28·6 = 4,704\n" in result.output
    assert result.output.endswith("lenet5: failed: 1 wrong answer\n1 file: 0 passed, 1 failed, 0 invalid\n")


def test_check_passes_a_right_key_in_yaml(tmp_path):
    key = tmp_path / "key.yaml"
    key.write_text(
        "conv1: {shape: 28x28x6, params: 456, macs: 352800, activation_size: 4704}\n"
        "fc1: {shape: [120], params: 48120}\n"
    )
    result = run("check", "lenet5", "--answers", str(key))
    assert result.exit_code == 0, result.output
    assert result.output == "lenet5: passed, 6 answers checked\n1 file: 1 passed, 0 failed, 0 invalid\n"


def test_check_expectations_in_the_file(tmp_path):
    net = tmp_path / "hw.yaml"
    net.write_text(
        "input: {shape: [39, 39, 3], layout: HWC}\nlayers:\n"
        "  - conv: {filters: 10, kernel: 3, expect: {shape: 37x37x10, params: 280}}\n"
        "  - conv: {filters: 20, kernel: 5, stride: 2, expect: {shape: 16x16x20}}\n"
    )
    result = run("check", str(net))
    assert result.exit_code == 1
    assert f"{net}:4: conv2 shape: expected 16×16×20, computed 17×17×20" in result.output
    assert "⌊(37 + 2·0 − 5)/2⌋ + 1 = 17   (H and W)" in result.output
    data = json.loads(run("check", str(net), "--format", "json").output)["files"][0]
    assert data["status"] == "failed" and [r["ok"] for r in data["answers"]] == [True, True, False]
    # summary accepts the same file: expect changes no number
    assert run("summary", str(net), "--format", "csv").exit_code == 0


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("conv1: {paramz: 1}\n", "expect takes shape, params"),
        ("conv1: {shape: 28y28}\n", "expect.shape is sizes like 28x28x6"),
    ],
)
def test_check_invalid_key_exits_2(tmp_path, text, fragment):
    key = tmp_path / "key.yaml"
    key.write_text(text)
    result = run("check", "lenet5", "--answers", str(key))
    assert result.exit_code == 2 and fragment in result.output, result.output


def test_check_broken_file_exits_2(tmp_path):
    net = tmp_path / "broken.yaml"
    net.write_text("input: {shape: [8, 8, 3], layout: HWC}\nlayers:\n  - conv: {filters: 2}\n")
    result = run("check", str(net))
    assert result.exit_code == 2 and "conv needs 'kernel'" in result.output


# --- cnncalc solve -----------------------------------------------------------------------------


def first_solution(output: str) -> str:
    """The first setting listed, without its mark (exact, or what it leaves unread)."""
    return output.splitlines()[1].split("   (")[0].strip()


@pytest.mark.parametrize("f", [1, 3, 5, 7, 9, 11])
def test_solve_same_padding_is_half_the_kernel(f):
    # Ng: 'same' at stride 1 needs p = (f − 1)/2
    result = run("solve", "--input", "32", "--output", "32", "--kernel", str(f), "--stride", "1")
    assert first_solution(result.output) == f"kernel {f}, stride 1, padding {(f - 1) // 2}"


def test_solve_224_to_112_with_a_7x7_stride_2():
    result = run("solve", "--input", "224", "--output", "112", "--kernel", "7", "--stride", "2")
    assert first_solution(result.output) == "kernel 7, stride 2, padding 3"
    assert "kernel 7, stride 2, padding 3   (exact: reads every input position)" in result.output
    assert "⌊(224 + 2·3 − 7)/2⌋ + 1 = 112" in result.output


def test_solve_adaptive_13_to_6():
    result = run("solve", "--input", "13", "--output", "6", "--adaptive")
    assert "s = ⌊13/6⌋ = 2, f = 13 − (6 − 1)·2 = 3" in result.output


def test_solve_unreachable_gives_the_nearest():
    result = run("solve", "--input", "5", "--output", "200", "--stride", "1")
    assert result.output.startswith("no convolution")
    # the most a stride-1 layer can add: 5 + 11 + 11 − 11 + 1 = 17
    assert "nearest: 17, with kernel 11, stride 1, padding 11" in result.output


@pytest.mark.parametrize("n, wanted, mode", [(15, 8, "pool"), (28, 14, "conv"), (17, 9, "pool"), (9, 4, "conv")])
def test_every_solution_is_confirmed_by_the_window_oracle(n, wanted, mode):
    from cnncalc.solve import solutions

    found = solutions(n, wanted, mode=mode)
    assert found
    for sol in found:
        assert oracle_count(n, sol.kernel, sol.stride, sol.padding, sol.dilation, sol.ceil_mode) == wanted, sol


def test_solve_transpose_upsamples():
    from cnncalc.solve import solutions

    # 14 → 28: (14 − 1)·2 − 2·1 + (4 − 1) + 0 + 1 = 28, the DCGAN layer
    assert any(
        (s.kernel, s.stride, s.padding, s.output_padding) == (4, 2, (1, 1), 0)
        for s in solutions(14, 28, mode="transpose")
    )
    assert run("solve", "--input", "14", "--output", "28", "--transpose").exit_code == 0


@pytest.mark.parametrize("seed", range(200))
def test_layer_with_random_arguments_ends_cleanly(seed):
    rng = random.Random(seed)
    kind = rng.choice(sorted(KINDS) + ["conv2d", "", "--x"])
    words = [
        "--input",
        "--filters",
        "--kernel",
        "--stride",
        "--padding",
        "--dilation",
        "--groups",
        "--units",
        "--output-size",
        "--ceil-mode",
        "--bias",
        "--layout",
        "--format",
        "--rate",
        "--activation",
        "--keepdims",
    ]
    values = [
        "3",
        "0",
        "-1",
        "8x8x3",
        "1x2",
        "3,3",
        "same",
        "valid",
        "true",
        "maybe",
        "[[0,1],[2,1]]",
        "[[[",
        "1e400",
        "9" * 50,
        "relu",
        "json",
        "hwc",
        "tc",
        "2.5",
        "",
        "[/x]",
    ]
    args = [kind, "--input", rng.choice(["8x8x3", "16x4", "4x8x8x2", "32", "0x1", "abc"])]
    for _ in range(rng.randint(0, 6)):
        args += [rng.choice(words), rng.choice(values)]
    result = CliRunner().invoke(cli, ["layer", *args], catch_exceptions=False)
    assert result.exit_code in (0, 2), (args, result.output)


def test_an_unknown_kind_is_named_before_its_options():
    result = CliRunner().invoke(cli, ["layer", "maxpool", "--input", "8x8x3", "--kernel", "2"])
    assert result.exit_code == 2
    assert "unknown layer kind 'maxpool'; did you mean 'max_pool'?" in result.output
    assert "takes no option" not in result.output
    result = CliRunner().invoke(cli, ["layer", "linear", "--input", "20", "--layout", "c", "--out-features", "10"])
    assert result.exit_code == 2 and "did you mean the kind 'dense', with --units?" in result.output


def test_explain_takes_the_names_the_table_shows():
    # resnet18's table shows conv2 under each of its 8 basic blocks (2 a stage, 4 stages)
    report = cnncalc.analyze("resnet18", explain=["conv2"])
    explained = [row.name for row in report.layers if row.steps]
    assert len(explained) == 2 * 4 and all(name.endswith(".residual.conv2") for name in explained)
    # a block's name explains the whole block: layer1's first block, conv, bn, relu, conv, bn, add, relu
    block = [row.name for row in cnncalc.analyze("resnet18", explain=["layer1.basic1"]).layers if row.steps]
    assert len(block) == 7 and all(name.startswith("layer1.basic1.") for name in block)
    text = CliRunner().invoke(cli, ["summary", "resnet18", "--explain", "--layer", "conv2"], env={"COLUMNS": "120"})
    assert text.exit_code == 0 and text.output.count("  → ") == 8  # a heading per layer explained
    with pytest.raises(cnncalc.CnnCalcError, match="no layer is called 'cnv2' in resnet18; did you mean"):
        cnncalc.analyze("resnet18", explain=["cnv2"])


def test_a_dense_layer_alone_on_a_map_is_pointed_to_the_flattened_input():
    result = CliRunner().invoke(cli, ["layer", "dense", "--input", "7x7x512", "--units", "4096"])
    # VGG-16's fc6 reads the 7·7·512 = 25,088 values of pool5
    assert result.exit_code == 2
    assert "give the flattened input, --input 25088 (7·7·512), or apply it at every position" in result.output
    flat = CliRunner().invoke(cli, ["layer", "dense", "--input", "25088", "--layout", "c", "--units", "4096"])
    assert flat.exit_code == 0 and f"{7 * 7 * 512 * 4096 + 4096:,}" in flat.output  # fc6's params


# --- answer keys accept what students write -------------------------------------------------
# lenet5 (Ng's table): conv1 28·28·6 with (5·5·3 + 1)·6 = 456 params and 28·28·6·5·5·3 = 352,800
# MACs; conv2 10·10·16 with 10·10·16·5·5·6 = 240,000 MACs; pool1 14·14·6 = 1,176 values


@pytest.mark.parametrize(
    "answer, ok",
    [
        ("352.8K", True),  # 352,800 to the nearest 100
        ("353K", True),  # to the nearest 1,000: 352.8 rounds to 353
        ("350K", False),
        ("0.4M", True),  # to the nearest 100,000
        ("352,800", True),
        ("352801", False),
        ("352.80K", True),  # to the nearest 10
        ("352.81K", False),
    ],
)
def test_a_rounded_answer_matches_at_its_own_precision(tmp_path, answer, ok):
    key = tmp_path / "key.yaml"
    key.write_text(f'conv1: {{macs: "{answer}"}}\n')
    result = CliRunner().invoke(cli, ["check", "lenet5", "--answers", str(key)])
    assert result.exit_code == (0 if ok else 1), result.output
    if not ok:
        shown = f"{int(answer):,}" if answer.isdigit() else answer
        assert f"conv1 macs: expected {shown}, computed 352,800" in result.output


def test_answer_keys_take_keras_and_pytorch_shapes_and_any_case(tmp_path):
    key = tmp_path / "key.yaml"
    key.write_text(
        'conv1: {output_shape: "(None, 28, 28, 6)", MACs: 352800, Params: 456}\n'
        "pool1: {Activation_Size: 1.2K, shape: [null, 14, 14, 6]}\n"  # 1,176 to the nearest 100
        "conv2: {shape: [1, 10, 10, 16]}\n"  # a batch of 1 written first, in the file's order
    )
    result = CliRunner().invoke(cli, ["check", "lenet5", "--answers", str(key)])
    assert result.exit_code == 0, result.output
    assert "6 answers checked" in result.output


def test_a_shape_in_the_other_order_gets_the_layout_hint(tmp_path):
    key = tmp_path / "key.yaml"
    key.write_text("conv2: {shape: [1, 16, 10, 10]}\n")  # PyTorch's N×C×H×W on an H×W×C file
    result = CliRunner().invoke(cli, ["check", "lenet5", "--answers", str(key)])
    assert result.exit_code == 1
    assert "16×10×10 is this shape in CHW order: the file's shapes are HWC; did you mean 10x10x16?" in result.output


def test_a_mistyped_layer_is_one_wrong_answer_and_the_rest_is_checked(tmp_path):
    key = tmp_path / "key.yaml"
    key.write_text("conv1: {params: 456}\ncon4: {params: 2416, macs: 240000}\nconv2: {params: 2416}\n")
    result = CliRunner().invoke(cli, ["check", "lenet5", "--answers", str(key), "--format", "json"])
    answers = json.loads(result.output)["files"][0]["answers"]
    assert result.exit_code == 1
    # conv1 and conv2 checked and right; con4 reported once, at its own line and path
    assert [(a["layer"], a["quantity"], a["ok"]) for a in answers] == [
        ("conv1", "params", True),
        ("con4", "layer", False),
        ("conv2", "params", True),
    ]
    assert answers[1]["where"] == {"file": str(key), "line": 2, "path": "con4"}
    assert answers[1]["arithmetic"][0].startswith("no layer is called 'con4'; did you mean 'conv")


def test_a_bad_csv_column_is_named_at_line_1(tmp_path):
    key = tmp_path / "key.csv"
    key.write_text("name,shape,parms\nconv1,28x28x6,456\n")
    result = CliRunner().invoke(cli, ["check", "lenet5", "--answers", str(key)])
    assert result.exit_code == 2
    assert f"{key}:1: the column 'parms' is not a quantity an answer key states" in result.output
    assert "did you mean 'params'?" in result.output


# --- a wrong answer that one common slip gives gets a hint ------------------------------------
# conv 3×3, 8 filters with bias, padding 1 on 32×32×3: 32×32×8, (3·3·3 + 1)·8 = 224 params


@pytest.mark.parametrize(
    "layer, expect, hint",
    [
        # ⌊(32 + 0 − 3)/1⌋ + 1 = 30: the padding left out
        (
            {"conv": {"filters": 8, "kernel": 3, "padding": 1}},
            {"shape": "30x30x8"},
            "30×30×8 is what padding 0 gives; this layer has padding 1",
        ),
        # 3·3·3·8 = 216: the biases left out
        ({"conv": {"filters": 8, "kernel": 3, "padding": 1}}, {"params": 216}, "216 is what no bias gives"),
        # 3·3·8 + 8 = 80: the 3 input channels left out of each filter
        (
            {"conv": {"filters": 8, "kernel": 3, "padding": 1}},
            {"params": 80},
            "80 is what leaving out the 3 input channels gives",
        ),
        # 1·1·3·4 = 12 weights and no bias; 16 is what a bias of 4 would add
        ({"conv": {"filters": 4, "kernel": 1, "bias": False}}, {"params": 16}, "16 is what a bias gives"),
        # max pool 2×2/2 on 31 in ceil mode: ⌈29/2⌉ + 1 = 16; the floor gives ⌊29/2⌋ + 1 = 15
        (
            {"max_pool": {"kernel": 2, "ceil_mode": True}},
            {"shape": "15x15x3"},
            "15×15×3 is what the floor rule gives; this layer has ceil_mode true",
        ),
        # 'same' at stride 2 on 32: ⌈32/2⌉ = 16; 32 is what stride 1 gives
        (
            {"conv": {"filters": 4, "kernel": 3, "stride": 2, "padding": "same"}},
            {"shape": "32x32x4"},
            "32×32×4 is what 'same' padding gives at stride 1",
        ),
    ],
    ids=["padding 0", "no bias", "input channels", "a bias", "floor for ceil", "same without stride"],
)
def test_a_common_slip_is_named(tmp_path, layer, expect, hint):
    kind = next(iter(layer))
    shape = [31, 31, 3] if kind == "max_pool" else [32, 32, 3]
    net = tmp_path / "hw.yaml"
    net.write_text(network_yaml({kind: {**layer[kind], "expect": expect}}, shape, "HWC"))
    result = CliRunner().invoke(cli, ["check", str(net)])
    assert result.exit_code == 1
    assert f"hint: {hint}" in result.output


def test_a_wrong_answer_no_slip_explains_gets_no_hint(tmp_path):
    net = tmp_path / "hw.yaml"
    net.write_text(
        network_yaml({"conv": {"filters": 8, "kernel": 3, "padding": 1, "expect": {"params": 225}}}, [32, 32, 3], "HWC")
    )
    result = CliRunner().invoke(cli, ["check", str(net)])
    assert result.exit_code == 1 and "expected 225, computed 224" in result.output and "hint:" not in result.output


@pytest.mark.parametrize(
    "options, formula",
    [
        # the courses' form, symmetric padding and no dilation: ⌊(n + 2p − f)/s⌋ + 1
        ({"kernel": 3}, "⌊(39 + 2·0 − 3)/1⌋ + 1 = 37"),
        ({"kernel": 5, "stride": 2, "padding": 2}, "⌊(39 + 2·2 − 5)/2⌋ + 1 = 20"),
        # asymmetric padding: each side; dilation: the window's span d·(k − 1) + 1, in parentheses
        ({"kernel": 3, "padding": [[0, 1], [0, 1]]}, "⌊(39 + 0 + 1 − 3)/1⌋ + 1 = 38"),
        ({"kernel": 3, "dilation": 2}, "⌊(39 + 0 + 0 − (2·(3 − 1) + 1))/1⌋ + 1 = 35"),
    ],
)
def test_the_output_rule_is_written_as_the_courses_write_it(options, formula):
    report, _, _ = one_layer("conv", "39x39x3", {"filters": 10, **options})
    assert formula in [step.formula for step in report.steps]

"""Memory through the graph: the inference peak under the stated model (file order; an output
lives from its layer to its last consumer; network outputs to the end; in-place activations
overwrite their input), and the training estimate as the sum of its parts. Expected values are
hand arithmetic on the shapes."""

from __future__ import annotations

import json

from click.testing import CliRunner

import cnncalc
from cnncalc.cli import cli


def report(text, **kwargs):
    return cnncalc.analyze(cnncalc.loads(text), **kwargs)


def test_in_a_chain_the_peak_is_the_largest_input_and_output_pair():
    r = report(
        "input: {shape: [32, 32, 3], layout: HWC}\nlayers:\n"
        "  - conv: {filters: 16, kernel: 3, padding: 1}\n"  # 32·32·16 = 16,384
        "  - conv: {filters: 32, kernel: 3, padding: 1}\n"  # 32·32·32 = 32,768
        "  - max_pool: {kernel: 2}\n"  # 16·16·32 = 8,192
        "  - conv: {filters: 8, kernel: 3, padding: 1}\n"
    )  # 16·16·8 = 2,048
    m = r.memory()
    assert m["peak_activation_bytes"] == (32 * 32 * 16 + 32 * 32 * 32) * 4 and m["peak_layer"] == "conv2"
    assert m["peak_alive"] == ["conv1", "conv2"]


def test_an_inception_block_keeps_its_branches_until_the_concat():
    r = report(
        "input: {shape: [8, 8, 2], layout: HWC}\nlayers:\n  - concat:\n      branches:\n"
        "        - [{conv: {filters: 16, kernel: 1}}]\n"
        "        - [{conv: {filters: 16, kernel: 1}}, {conv: {filters: 16, kernel: 3, padding: 1}}]\n"
        "        - [{conv: {filters: 16, kernel: 1}}]\n"
    )
    # at the concat the three branch ends are alive with its own output, 8·8·48 each; before it,
    # at most the input and three 16-channel maps: 8·8·(2 + 16 + 16 + 16)
    m = r.memory()
    assert m["peak_activation_bytes"] == (8 * 8 * (16 + 16 + 16) + 8 * 8 * 48) * 4
    assert m["peak_layer"] == "concat1"
    assert sorted(m["peak_alive"]) == ["branch1.conv1", "branch2.conv2", "branch3.conv1", "concat1"]


def test_a_residual_shortcut_keeps_its_input_alive():
    r = report(
        "input: {shape: [8, 8, 16], layout: HWC}\nlayers:\n  - add:\n      branches:\n"
        "        main: [{conv: {filters: 16, kernel: 3, padding: 1}}, batch_norm]\n"
        "        shortcut: []\n"
    )
    # at the batch norm: the input (for the shortcut), the conv's output and the norm's
    m = r.memory()
    assert m["peak_activation_bytes"] == 3 * 8 * 8 * 16 * 4
    assert "input" in m["peak_alive"]


def test_in_place_activations_overwrite_their_input():
    text = "input: {shape: [8, 8, 4], layout: HWC}\nlayers:\n  - conv: {filters: 4, kernel: 1}\n  - relu\n  - relu\n"
    m = report(text).memory()
    assert m["peak_activation_bytes"] == 2 * 8 * 8 * 4 * 4  # two tensors at a time
    assert m["peak_activation_bytes_in_place"] == 2 * 8 * 8 * 4 * 4  # the conv still reads its input
    m = report(text.replace("  - conv: {filters: 4, kernel: 1}\n", "")).memory()
    assert m["peak_activation_bytes_in_place"] == 8 * 8 * 4 * 4  # relu on relu: one buffer


def test_the_training_estimate_is_the_sum_of_its_parts():
    r = cnncalc.analyze("lenet5", batch=8, dtype="float16", param_dtype="float32", optimizer="adam")
    t = r.memory()["training"]
    params = 62_006
    assert t["activations"] == r.totals.activation_size * 8 * 2
    assert (t["params"], t["gradients"], t["optimizer_state"]) == (params * 4, params * 4, 2 * params * 4)
    assert t["total"] == t["activations"] + t["params"] + t["gradients"] + t["optimizer_state"]


def test_memory_in_the_json_totals_the_table_and_the_budget():
    data = json.loads(CliRunner().invoke(cli, ["summary", "vgg16", "--format", "json"]).output)["totals"]
    # VGG-16's peak: conv1 and conv2, 224·224·64 elements each, float32
    assert data["peak_activation_bytes"] == 2 * 224 * 224 * 64 * 4 and data["peak_layer"] == "conv2"
    assert data["param_bytes"] == 138_357_544 * 4
    table = CliRunner().invoke(cli, ["summary", "vgg16"], env={"COLUMNS": "120"}).output
    assert "Inference peak: 24.5 MiB at conv2" in table
    over = CliRunner().invoke(cli, ["check", "vgg16", "--max-peak-memory", "20MiB"])
    assert over.exit_code == 1 and f"peak memory {2 * 224 * 224 * 64 * 4:,} > max {20 * 2**20:,}" in over.output


def test_arithmetic_intensity_and_the_roofline_bound():
    data = json.loads(
        CliRunner().invoke(cli, ["summary", "vgg16", "--roofline", "312T,2TB/s", "--format", "json"]).output
    )
    conv1 = data["layers"][1]
    # reads 224·224·3 and writes 224·224·64 floats, and reads 1,792 params, 4 bytes each
    moved = (224 * 224 * 3 + 224 * 224 * 64) * 4 + 1_792 * 4
    flops = 2 * 224 * 224 * 64 * 3 * 3 * 3
    assert conv1["bytes_moved"] == moved and conv1["arithmetic_intensity"] == round(flops / moved, 6)
    # max(FLOPs / 312·10^12, bytes / 2·10^12): the bytes take longer, so memory-bound
    assert conv1["roofline"] == {"time_s": moved / 2e12, "bound": "memory"}
    fc1 = next(x for x in data["layers"] if x["name"] == "fc1")
    assert fc1["roofline"]["bound"] == "memory"  # 102,760,448 weights read once for 2 FLOPs each
    conv9 = next(x for x in data["layers"] if x["name"] == "conv9")
    # 2·28·28·512·3·3·512 FLOPs over (2·28·28·512 + 2,359,808) · 4 bytes: 292 FLOPs a byte, above 312/2 = 156
    assert conv9["roofline"]["bound"] == "compute"
    total = data["totals"]["roofline"]["time_s"]
    assert abs(total - sum(x["roofline"]["time_s"] for x in data["layers"])) < 1e-12
    table = CliRunner().invoke(cli, ["summary", "vgg16", "--roofline", "312T,2TB/s"]).output
    assert "Roofline: at least" in table and "a lower bound, not a prediction" in table
    assert CliRunner().invoke(cli, ["summary", "vgg16", "--roofline", "312T"]).exit_code == 2

"""The graph: named references (`from`), merges by name, channel slices, shared weights
(`share`), conditional entries (`when`), several outputs and built-in variants. Expected
numbers are the hand arithmetic written beside them."""

from __future__ import annotations

import json

from click.testing import CliRunner

import cnncalc
from cnncalc.cli import cli as main

HEAD = "name: g\ninput: {shape: [8, 8, 4], layout: HWC}\n"


def analyzed(text: str, **params):
    return cnncalc.analyze(cnncalc.loads(text, params=params or None))


def test_from_reads_a_named_layer_instead_of_the_one_above():
    report = analyzed(
        HEAD
        + """layers:
  - conv: {name: a, filters: 6, kernel: 3}            # 6×6×6
  - conv: {name: b, filters: 5, kernel: 1, from: input}  # reads the 8×8×4 input
"""
    )
    b = report.layer("b")
    assert b.inputs == ("input",)
    assert b.output_shape == (5, 8, 8)
    assert b.params == 4 * 5 + 5 and b.macs == 8 * 8 * 5 * 4


def test_a_merge_lists_its_inputs_by_name_as_unet_draws_them():
    # U-Net's shape of things: down, bottom, up, concat with the skip
    report = analyzed(
        HEAD
        + """layers:
  - conv: {name: down1, filters: 8, kernel: 3, padding: 1}     # 8×8×8
  - max_pool: {name: pool1, kernel: 2}                          # 4×4×8
  - conv: {name: bottom, filters: 16, kernel: 3, padding: 1}   # 4×4×16
  - conv_transpose: {name: up1, filters: 8, kernel: 2, stride: 2}  # 8×8×8
  - concat: {name: cat1, from: [down1, up1]}                    # 8×8×16
"""
    )
    cat = report.layer("cat1")
    assert cat.inputs == ("down1", "up1")
    assert cat.output_shape == (16, 8, 8)
    assert report.layers[-1].name == "cat1" and not report.warnings


def test_merge_by_names_counts_as_merge_by_branches():
    by_branches = analyzed(
        HEAD
        + """layers:
  - add:
      branches:
        main: [{conv: {filters: 4, kernel: 3, padding: 1}}, relu, {conv: {filters: 4, kernel: 3, padding: 1}}]
        shortcut: []
"""
    )
    by_names = analyzed(
        HEAD
        + """layers:
  - conv: {name: c1, filters: 4, kernel: 3, padding: 1}
  - relu
  - conv: {name: c2, filters: 4, kernel: 3, padding: 1}
  - add: {from: [c2, input]}
"""
    )
    # 2 convs of (3·3·4 + 1)·4 = 148 params and 8·8·4·3·3·4 = 9,216 MACs each
    for report in (by_branches, by_names):
        assert (report.totals.params, report.totals.macs) == (2 * 148, 2 * 9216)
        assert report.layers[-1].output_shape == (4, 8, 8)


def test_references_resolve_innermost_first_then_outwards():
    text = (
        HEAD
        + """blocks:
  unit:
    params: [c]
    layers:
      - conv: {name: conv1, filters: "${c}", kernel: 1}
      - relu
      - concat: {from: [conv1, relu1]}       # this instance's conv1, not the top-level one
layers:
  - conv: {name: conv1, filters: 3, kernel: 1}
  - unit: {name: u1, c: 2}
  - unit: {name: u2, c: 5}
  - relu: {from: u1}                         # a block instance by name: its output
  - concat: {from: [conv1, u1.conv1]}        # the top-level conv1, and a dotted full name
"""
    )
    report = analyzed(text)
    assert report.layer("u1.concat1").inputs == ("u1.conv1", "u1.relu1")
    assert report.layer("u2.concat1").inputs == ("u2.conv1", "u2.relu1")
    assert report.layer("u2.concat1").output_shape == (10, 8, 8)
    assert report.layer("relu1").inputs == ("u1.concat1",)
    assert report.layers[-1].inputs == ("conv1", "u1.conv1") and report.layers[-1].output_shape == (5, 8, 8)


def test_a_branch_can_be_read_by_its_name():
    report = analyzed(
        HEAD
        + """layers:
  - concat:
      name: cat
      branches:
        left: [{conv: {filters: 2, kernel: 1}}]
        right: [{conv: {filters: 3, kernel: 1}}]
  - relu: {from: left}
"""
    )
    assert report.layers[-1].inputs == ("left.conv1",) and report.layers[-1].output_shape == (2, 8, 8)


def test_shufflenet_unit_with_a_channel_split():
    # ShuffleNetV2 basic unit on 116 channels: half passes, half goes through 1×1, dw 3×3, 1×1
    report = analyzed("""name: unit
input: {shape: [28, 28, 116], layout: HWC}
layers:
  - slice: {name: passed, stop: 58}
  - slice: {name: split, start: 58, from: input}
  - conv: {filters: 58, kernel: 1, bias: false}
  - depthwise_conv: {kernel: 3, padding: 1, bias: false}
  - conv: {name: last, filters: 58, kernel: 1, bias: false}
  - concat: {from: [passed, last]}
  - channel_shuffle: {groups: 2}
""")
    assert report.layers[-1].output_shape == (116, 28, 28)
    assert report.totals.params == 58 * 58 + 9 * 58 + 58 * 58
    assert report.totals.macs == 28 * 28 * (58 * 58 + 9 * 58 + 58 * 58)


def test_shared_weights_count_params_once_and_macs_at_every_call():
    report = analyzed(
        HEAD
        + """layers:
  - conv: {name: a, filters: 4, kernel: 3, padding: 1}
  - relu
  - conv: {name: b, filters: 4, kernel: 3, padding: 1, share: a}
  - relu
  - conv: {name: c, filters: 4, kernel: 3, dilation: 2, padding: 2, share: a}
"""
    )
    one = 3 * 3 * 4 * 4 + 4  # 148
    assert report.layer("a").params == one and report.layer("b").params == 0 and report.layer("c").params == 0
    assert report.totals.params == one
    assert report.totals.macs == 3 * (8 * 8 * 4 * 3 * 3 * 4)
    assert any(getattr(w, "code", "") == "shared-weights" for w in report.layer("b").warnings)


def test_when_false_leaves_an_entry_out_and_outputs_are_reported_each():
    text = (
        HEAD
        + """params: {aux_logits: false}
layers:
  - conv: {name: trunk, filters: 8, kernel: 3, padding: 1}
  - global_avg_pool: {name: aux_pool, when: "${aux_logits}"}
  - dense: {name: aux, units: 3, when: "${aux_logits}"}
  - conv: {name: more, filters: 8, kernel: 3, padding: 1, from: trunk}
  - global_avg_pool
  - dense: {name: fc, units: 10}
outputs: [fc, aux]
"""
    )
    trunk, more, fc, aux = 3 * 3 * 4 * 8 + 8, 3 * 3 * 8 * 8 + 8, 8 * 10 + 10, 8 * 3 + 3
    trunk_macs, more_macs = 8 * 8 * 8 * 3 * 3 * 4, 8 * 8 * 8 * 3 * 3 * 8
    off = analyzed(text)
    assert "aux" not in [row.name for row in off.layers]
    assert off.totals.params == trunk + more + fc
    assert [o.name for o in off.outputs] == ["fc"]
    on = analyzed(text, aux_logits=True)
    assert on.totals.params == trunk + more + fc + aux
    fc_out, aux_out = on.outputs
    assert (fc_out.name, fc_out.totals.params, fc_out.totals.macs) == (
        "fc",
        trunk + more + fc,
        trunk_macs + more_macs + 80,
    )
    assert (aux_out.name, aux_out.totals.params, aux_out.totals.macs) == ("aux", trunk + aux, trunk_macs + 24)
    assert not on.warnings  # the aux head is a declared output, not a dead end


def test_a_dangling_layer_is_warned_about():
    report = analyzed(
        HEAD
        + """layers:
  - conv: {name: lost, filters: 2, kernel: 1}
  - conv: {name: kept, filters: 2, kernel: 1, from: input}
"""
    )
    assert [(name, w.code) for name, w in report.warnings] == [("lost", "dead-end")]
    assert report.totals.params == 2 * (4 * 2 + 2)  # still counted


def test_set_true_false_and_the_outputs_in_json_and_text(tmp_path):
    path = tmp_path / "net.yaml"
    path.write_text(
        HEAD
        + """params: {aux_logits: false}
layers:
  - conv: {name: trunk, filters: 8, kernel: 3, padding: 1}
  - global_avg_pool: {from: trunk, when: "${aux_logits}"}
  - dense: {name: aux, units: 3, when: "${aux_logits}"}
  - global_avg_pool: {from: trunk}
  - dense: {name: fc, units: 10}
outputs: [fc, aux]
"""
    )
    runner = CliRunner()
    result = runner.invoke(main, ["summary", str(path), "--set", "aux_logits=true", "--format", "json"])
    assert result.exit_code == 0, result.output
    outputs = json.loads(result.output)["outputs"]
    assert [(o["name"], o["output_shape"], o["params"]) for o in outputs] == [
        ("fc", [10], 296 + 90),
        ("aux", [3], 296 + 27),
    ]
    text = runner.invoke(main, ["summary", str(path), "--set", "aux_logits=true"], env={"COLUMNS": "100"}).output
    assert "Output fc (10): params 386" in text and "Output aux (3): params 323" in text
    assert runner.invoke(main, ["summary", str(path), "--set", "aux_logits=maybe"]).exit_code == 2


def test_a_file_of_variants_is_listed_and_run_by_variant_name(tmp_path):
    from cnncalc.expand import build
    from cnncalc.sources.yaml_text import load_yaml

    doc = load_yaml(
        HEAD
        + """params: {width: 4}
variants: {narrow: {width: 2}, wide: {width: 16}}
layers:
  - conv: {filters: "${width}", kernel: 1}
"""
    )
    assert build(doc).layout == "HWC"
    net = build(doc, variant="wide")
    report = cnncalc.analyze(net)
    assert report.name == "wide" and report.totals.params == 4 * 16 + 16
    assert cnncalc.analyze(net, params={"width": 3}).totals.params == 4 * 3 + 3  # --set on top of a variant


def test_alternatives_under_complementary_whens_share_a_name_and_numbers_are_names():
    text = (
        HEAD
        + """params: {expand: true}
blocks:
  wide:
    layers: [{conv: {name: "0", filters: 8, kernel: 1}}]
  narrow:
    params: [i]
    layers: [{conv: {name: "${i}", filters: 2, kernel: 1}}]
layers:
  - wide: {name: features, when: "${expand}"}
  - narrow: {name: features, i: 3, when: "${not expand}"}
  - relu: {name: 7}
"""
    )
    assert [row.name for row in analyzed(text).layers] == ["input", "features.0", "7"]
    assert [row.name for row in analyzed(text, expand=False).layers] == ["input", "features.3", "7"]


def test_input_inside_a_block_or_branch_is_its_input_and_text_parameters_name_layers():
    text = (
        HEAD
        + """blocks:
  residual:
    params: {skip: null}
    layers:
      - conv: {filters: 4, kernel: 3, padding: 1}
      - add: {from: [conv1, input]}          # the block's own input: a shortcut without branches
      - concat: {from: [add1, "${skip}"]}    # a layer named by a text parameter
layers:
  - conv: {name: stem, filters: 4, kernel: 1}
  - residual: {name: r1, skip: stem}
  - concat:
      branches:
        a: [{relu: {from: input}}]          # the branch's input: r1's output
        b: []
  - relu: {from: input}                     # at the top level, the network's input
"""
    )
    report = analyzed(text)
    assert report.layer("r1.add1").inputs == ("r1.conv1", "stem")
    assert report.layer("r1.concat1").inputs == ("r1.add1", "stem")
    assert report.layer("a.relu1").inputs == ("r1.concat1",)
    assert report.layers[-1].inputs == ("input",)


def test_a_block_that_adds_no_layer_stands_for_its_input_at_every_call():
    report = analyzed(
        HEAD
        + """blocks:
  nothing: {layers: []}
layers:
  - nothing: {name: a}
  - relu: {name: r}
  - nothing: {name: b}
  - concat: {from: [a, b]}
"""
    )
    assert report.layers[-1].inputs == ("input", "r")


# --- found by a hostile review of the graph syntax ----------------------------------------------


def test_text_parameters_inside_longer_text_name_layers():
    report = analyzed(
        HEAD
        + """params: {skip: down, n: 1, nm: foo}
layers:
  - conv: {name: down1, filters: 2, kernel: 1}
  - conv: {name: "x_${nm}", filters: 4, kernel: 1, from: "${skip}${n}"}
"""
    )
    assert report.layer("x_foo").inputs == ("down1",)


def test_an_output_is_found_among_alternatives_under_complementary_whens():
    text = (
        HEAD
        + """params: {a: false}
layers:
  - conv: {name: out, filters: 2, kernel: 1, when: "${a}"}
  - conv: {name: out, filters: 4, kernel: 1, when: "${not a}"}
  - conv: {name: other, filters: 3, kernel: 1, from: input}
outputs: [out, other]
"""
    )
    for a in (False, True):
        report = analyzed(text, a=a)
        assert [o.name for o in report.outputs] == ["out", "other"]
        assert report.layer("out").output_shape[0] == (2 if a else 4)
        assert not report.warnings


def test_declared_outputs_stay_alive_to_the_end_of_the_inference():
    report = analyzed("""name: m
input: {shape: [8, 8, 1], layout: HWC}
layers:
  - conv: {name: a, filters: 100, kernel: 1}
  - conv: {name: b, filters: 1, kernel: 1}
  - conv: {name: c, filters: 100, kernel: 1}
outputs: [a, c]
""")
    memory = report.memory()
    # at c: a (kept, an output) 8·8·100 + b 8·8·1 + c 8·8·100; the input was freed after a
    assert memory["peak_layer"] == "c"
    assert memory["peak_activation_bytes"] == 4 * (6400 + 64 + 6400)


def test_an_output_that_reuses_weights_counts_them():
    report = analyzed(
        HEAD
        + """layers:
  - conv: {name: a, filters: 4, kernel: 3}
  - conv: {name: b, filters: 4, kernel: 3, from: input, share: a}
outputs: [a, b]
"""
    )
    a, b = report.outputs
    assert a.totals.params == b.totals.params == 3 * 3 * 4 * 4 + 4  # 148
    assert report.totals.params == 148
    assert report.layer("b").shares == "a"


def test_sharing_a_layer_that_shares_reuses_the_first_weights():
    report = analyzed(
        HEAD
        + """layers:
  - conv: {name: c1, filters: 4, kernel: 3, padding: 1}
  - conv: {name: c2, filters: 4, kernel: 3, padding: 1, share: c1}
  - conv: {name: c3, filters: 4, kernel: 3, padding: 1, share: c2}
"""
    )
    assert [report.layer(n).shares for n in ("c1", "c2", "c3")] == [None, "c1", "c1"]
    assert report.totals.params == 3 * 3 * 4 * 4 + 4


def test_two_merges_in_one_scope_with_the_same_branch_names_keep_apart():
    report = analyzed(
        HEAD
        + """layers:
  - concat:
      branches:
        left: [{conv: {filters: 2, kernel: 1}}]
        right: [{conv: {filters: 3, kernel: 1}}]
  - concat:
      branches:
        left: [{conv: {filters: 4, kernel: 1}}, {relu: {from: conv1}}]
        right: []
"""
    )
    # the second merge's branches are named under it, and its conv1 is its own
    assert report.layer("concat2.left.relu1").inputs == ("concat2.left.conv1",)
    assert report.layer("concat2").output_shape == (4 + 5, 8, 8)


def test_per_output_counts_follow_the_convention():
    from cnncalc.api import counted_as
    from cnncalc.conventions import counted

    report = analyzed(
        HEAD
        + """params: {aux: true}
layers:
  - conv: {name: trunk, filters: 8, kernel: 3, padding: 1}
  - batch_norm: {name: bn}
  - global_avg_pool: {name: aux_pool, from: trunk}
  - dense: {name: aux, units: 3}
  - global_avg_pool: {from: bn}
  - dense: {name: fc, units: 10}
outputs: [fc, aux]
"""
    )
    peer = counted_as(report, "fvcore")
    fvcore = dict(zip([row.name for row in report.layers], counted(report, "fvcore")))
    fc, aux = peer.outputs
    # fvcore: the batch norm 2 per element and each average pool 1 per input element count too
    assert fc.totals.macs == fvcore["trunk"] + fvcore["bn"] + fvcore["pool1"] + fvcore["fc"]
    assert aux.totals.macs == fvcore["trunk"] + fvcore["aux_pool"] + fvcore["aux"]
    assert fvcore["bn"] == 2 * 8 * 8 * 8


def test_torchinfo_counts_a_shared_layer_at_every_call():
    from cnncalc.conventions import counted

    report = analyzed(
        HEAD
        + """layers:
  - conv: {name: a, filters: 4, kernel: 3, padding: 1}
  - conv: {name: b, filters: 4, kernel: 3, padding: 1, from: input, share: a}
  - add: {from: [a, b]}
"""
    )
    # torchinfo: a convolution's weights and biases × its output positions, at each call
    assert counted(report, "torchinfo")[1:3] == [148 * 64, 148 * 64]


def test_an_entry_left_out_is_not_read():
    report = analyzed(
        HEAD
        + """params: {k: 0}
blocks:
  big:
    params: {enabled: false}
    layers:
      - relu: {when: "${enabled}", repeat: 50000}
      - relu
layers:
  - conv: {filters: "${16 // k}", kernel: 1, when: "${k > 0}"}
  - big: {repeat: 3}
"""
    )
    assert [row.kind for row in report.layers] == ["input", "relu", "relu", "relu"]


def test_numbers_name_layers_in_references_too():
    report = analyzed(
        HEAD
        + """layers:
  - conv: {name: 0, filters: 2, kernel: 1}
  - relu: {from: input}
  - concat: {from: [0, relu1]}
"""
    )
    assert report.layers[-1].inputs == ("0", "relu1")


# --- found by a differential check of the speed work against the code before it ------------------


def test_true_one_and_one_point_zero_are_different_arguments():
    text = (
        HEAD
        + """blocks:
  b:
    params: {p: null}
    layers: [{relu: {name: "act${p}"}}]
layers:
  - b: {p: true}
  - b: {p: 1}
"""
    )
    assert [row.name for row in analyzed(text).layers][1:] == ["b1.acttrue", "b2.act1"]


def test_equal_numbers_of_different_types_keep_their_own_hyperparameters():
    report = analyzed(HEAD + "layers:\n  - dropout: {rate: 0}\n  - dropout: {rate: 0.0}\n")
    assert [type(row.hyperparameters["rate"]) for row in report.layers[1:]] == [int, float]


def test_a_loaded_network_can_be_copied_and_pickled():
    import copy
    import pickle

    net = cnncalc.load("lenet5")
    for twin in (copy.deepcopy(net), pickle.loads(pickle.dumps(net))):
        assert [str(node.loc) for node in twin.nodes] == [str(node.loc) for node in net.nodes]
        assert cnncalc.analyze(twin).totals.params == 62_006


def test_answers_on_a_repeated_entry_keep_their_own_location():
    from cnncalc.check import from_network

    text = HEAD + "layers:\n  - &c {conv: {filters: 4, kernel: 1, expect: {params: 1}}}\n  - *c\n"
    wheres = [str(e.where) for e in from_network(cnncalc.loads(text, file="net.yaml"))]
    assert [w.split(": ", 1)[1] for w in wheres] == ["layers[0].conv.expect.params", "layers[1].conv.expect.params"]


def test_a_file_without_a_name_takes_its_stem_as_pathlib_does(tmp_path):
    for file, name in (("net.yaml", "net"), ("net.", "net."), ("..yaml", ".")):
        (tmp_path / file).write_text("input: {shape: [4, 4, 1], layout: HWC}\nlayers: [relu]\n")
        assert cnncalc.load(str(tmp_path / file)).name == name


def test_a_layer_read_only_for_its_size_counts_in_the_output_that_reads_it():
    # an output upsampled to the size of a side layer: a real run computes that layer, so the
    # output's figures count it, as the totals do: (3·3·4 + 1)·4 = 148 params each for a and side
    report = analyzed(
        HEAD
        + """layers:
  - conv: {name: side, filters: 4, kernel: 3, padding: 1}
  - conv: {name: a, filters: 4, kernel: 3, stride: 2, padding: 1, from: input}
  - upsample: {name: up, like: side}
outputs: [up]
"""
    )
    (up,) = report.outputs
    assert up.totals.params == report.totals.params == 2 * (3 * 3 * 4 + 1) * 4

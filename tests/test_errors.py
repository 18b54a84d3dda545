"""User errors raise CnnCalcError, never another exception, and the message names the place
(file:line and YAML path), what must hold and what was seen."""

from __future__ import annotations

import pytest

import cnncalc
from cnncalc.errors import CnnCalcError

# line 1: input, line 2: layers:, so the first layer is on line 3
HEAD = "input: {shape: [8, 8, 6], layout: HWC}\nlayers:\n"


def error_of(text: str, params=None) -> str:
    with pytest.raises(CnnCalcError) as info:
        cnncalc.analyze(cnncalc.loads(text, params=params, file="net.yaml"))
    assert type(info.value).__module__.startswith("cnncalc")
    return str(info.value)


# (id, yaml text, fragments the message must contain)
CASES = [
    # --- what people write from PyTorch and Keras ---------------------------------------------
    *[
        (
            f"framework_kind_{word}",
            HEAD + f"  - {word}: {{}}\n",
            ["net.yaml:3", f"unknown layer kind '{word}'", f"did you mean '{ours}'?"],
        )
        for word, ours in (
            ("Conv2d", "conv"),
            ("Conv2D", "conv"),
            ("nn.Conv2d", "conv"),
            ("ConvTranspose2d", "conv_transpose"),
            ("deconv", "conv_transpose"),
            ("Linear", "dense"),
            ("MaxPool2d", "max_pool"),
            ("BatchNorm2d", "batch_norm"),
        )
    ],
    (
        "framework_kernel_size",
        HEAD + "  - conv: {filters: 4, kernel_size: 3}\n",
        ["net.yaml:3", "unknown key 'kernel_size' for conv; did you mean 'kernel'?"],
    ),
    (
        "framework_strides",
        HEAD + "  - conv: {filters: 4, kernel: 3, strides: 2}\n",
        ["net.yaml:3", "did you mean 'stride'?"],
    ),
    (
        "framework_out_channels",
        HEAD + "  - conv: {out_channels: 4, kernel: 3}\n",
        ["net.yaml:3", "did you mean 'filters'?"],
    ),
    (
        "framework_padding_SAME",
        HEAD + "  - conv: {filters: 4, kernel: 3, padding: SAME}\n",
        ["net.yaml:3", "padding must be", "but saw 'SAME'; did you mean 'same'?"],
    ),
    # torch 2.13: max_pool2d(k=2, dilation=4, padding=2) raises "pad should be smaller than or
    # equal to half of kernel size" although the dilated kernel spans 5: the bound is ⌊k/2⌋
    (
        "pool_padding_ignores_dilation",
        HEAD + "  - max_pool: {kernel: 2, dilation: 4, padding: 2}\n",
        ["net.yaml:3", "padding must be at most half the kernel, but saw padding 2 with kernel 2"],
    ),
    # --- the zoo's kinds: what must hold -----------------------------------------------------
    (
        "upsample_both",
        HEAD + "  - upsample: {scale: 2, size: 4}\n",
        ["net.yaml:3", "needs exactly one of scale, size and like"],
    ),
    ("upsample_neither", HEAD + "  - upsample\n", ["net.yaml:3", "needs exactly one of scale, size and like"]),
    (
        "upsample_like_and_scale",
        HEAD + "  - upsample: {scale: 2, like: input}\n",
        ["net.yaml:3", "needs exactly one of scale, size and like"],
    ),
    (
        "upsample_like_unknown",
        HEAD + "  - relu: {name: r}\n  - upsample: {like: rr}\n",
        ["net.yaml:4", "layers[1].upsample.like", "no layer called 'rr'", "did you mean 'r'"],
    ),
    (
        "upsample_like_flat",
        HEAD + "  - flatten: {name: f}\n  - upsample: {like: f, from: input}\n",
        ["net.yaml:4", "like 'f' has 0 spatial dimensions"],
    ),
    (
        "crop_like_larger",
        HEAD + "  - zero_pad: {padding: 1, name: big}\n  - crop: {like: big, from: input}\n",
        ["net.yaml:4", "needs an input at least as large", "10×10×6", "8×8×6"],
    ),
    ("crop_neither", HEAD + "  - crop\n", ["net.yaml:3", "needs exactly one of cropping and like"]),
    (
        "slice_past_the_channels",
        HEAD + "  - slice: {start: 2, stop: 7}\n",
        ["net.yaml:3", "start < stop ≤ the input's 6 channels", "start 2 and stop 7"],
    ),
    ("slice_empty", HEAD + "  - slice: {start: 6}\n", ["net.yaml:3", "start 6 and stop 6"]),
    ("reshape_count", HEAD + "  - reshape: {shape: [4, 4, 6]}\n", ["net.yaml:3", "holds 96 elements", "has 384"]),
    ("reshape_two_unknowns", HEAD + "  - reshape: {shape: [-1, -1]}\n", ["net.yaml:3", "one -1"]),
    (
        "reshape_infer_uneven",
        HEAD + "  - reshape: {shape: [5, -1]}\n",
        ["net.yaml:3", "384 elements do not divide by 5"],
    ),
    ("reshape_zero", HEAD + "  - reshape: {shape: [0, 384]}\n", ["net.yaml:3", "each at least 1"]),
    # --- the graph: named references, shared weights, outputs ---------------------------------
    (
        "from_later_layer",
        HEAD + "  - relu: {from: later}\n  - relu: {name: later}\n",
        [
            "net.yaml:3",
            "layers[0].relu.from",
            "'later' is not above this layer",
            "net.yaml:4",
            "a layer reads only from layers written before it",
        ],
    ),
    (
        "from_unknown",
        HEAD + "  - conv: {name: down1, filters: 2, kernel: 1}\n  - relu: {from: donw1}\n",
        ["net.yaml:4", "no layer called 'donw1'", "did you mean 'down1'"],
    ),
    ("from_itself", HEAD + "  - relu: {name: me, from: me}\n", ["net.yaml:3", "'me' is not above this layer"]),
    (
        "from_list_on_a_layer",
        HEAD + "  - relu: {name: a}\n  - relu: {from: [a, input]}\n",
        ["net.yaml:4", "from takes one layer name here; only a merge"],
    ),
    ("from_list_of_one", HEAD + "  - concat: {from: [input]}\n", ["net.yaml:3", "a list of two layer names or more"]),
    (
        "merge_branches_and_from",
        HEAD + "  - relu: {name: a}\n  - add: {from: [a, input], branches: [[], []]}\n",
        ["net.yaml:4", "from branches or from a list of names in from, not both"],
    ),
    ("merge_neither", HEAD + "  - add\n", ["net.yaml:3", "needs branches", "or from: a list of layer names"]),
    (
        "concat_from_spatial_mismatch",
        HEAD + "  - max_pool: {kernel: 2, name: p}\n  - concat: {from: [p, input]}\n",
        ["net.yaml:4", "equal spatial sizes", "p 4×4×6", "input 8×8×6"],
    ),
    (
        "share_mismatch",
        HEAD + "  - conv: {name: a, filters: 6, kernel: 3, padding: 1}\n"
        "  - conv: {filters: 6, kernel: 5, padding: 2, share: a}\n",
        [
            "net.yaml:4",
            "shares the weights of 'a'",
            "conv 3×3/1 p1 ×6 on 6 input channels: 330 params",
            "conv 5×5/1 p2 ×6 on 6 input channels: 906 params",
        ],
    ),
    ("share_nothing", HEAD + "  - relu: {name: r}\n  - relu: {share: r}\n", ["net.yaml:4", "which has none"]),
    ("share_on_a_merge", HEAD + "  - add: {branches: [[], []], share: input}\n", ["net.yaml:3", "no weights to share"]),
    ("share_unknown", HEAD + "  - conv: {filters: 6, kernel: 1, share: c9}\n", ["net.yaml:3", "no layer called 'c9'"]),
    ("name_input_is_taken", HEAD + "  - relu: {name: input}\n", ["net.yaml:3", "the name input is taken"]),
    (
        "boolean_in_arithmetic",
        "params: {flag: true}\n" + HEAD + '  - conv: {filters: "${flag + 1}", kernel: 1}\n',
        ["net.yaml:4", "'flag' is true/false, not a number"],
    ),
    (
        "share_mismatch_long_names",
        HEAD + "  - conv: {name: " + "a" * 3000 + ", filters: 6, kernel: 3, padding: 1}\n"
        "  - conv: {filters: 6, kernel: 5, padding: 2, share: " + "a" * 3000 + "}\n",
        ["net.yaml:4", "shares the weights of 'aaa"],
    ),
    (
        "block_layers_not_a_list",
        "blocks:\n  b: {layers: 16}\n" + HEAD + "  - b\n",
        ["net.yaml:2", "blocks.b.layers", "expected a list of layers, but saw 16"],
    ),
    ("when_not_boolean", HEAD + "  - relu: {when: 1}\n", ["net.yaml:3", "when must be true or false", "but saw 1"]),
    (
        "outputs_unknown",
        HEAD + "  - relu: {name: r}\noutputs: [r, aux]\n",
        ["net.yaml:4", "outputs[1]", "no layer called 'aux'"],
    ),
    ("outputs_twice", HEAD + "  - relu: {name: r}\noutputs: [r, r]\n", ["net.yaml:4", "listed twice"]),
    ("outputs_not_a_list", HEAD + "  - relu\noutputs: relu1\n", ["net.yaml:4", "outputs must be a list"]),
    (
        "variant_unknown_param",
        "params: {wide: 1}\nvariants: {big: {width: 2}}\n" + HEAD + "  - relu\n",
        ["net.yaml:2", "variants.big.width", "not a parameter", "did you mean 'wide'"],
    ),
    (
        "pixel_shuffle_channels",
        HEAD + "  - pixel_shuffle: {factor: 2}\n",
        ["net.yaml:3", "needs channels divisible by r² = 4, but the input has 6"],
    ),
    (
        "pixel_unshuffle_size",
        "input: {shape: [7, 8, 6], layout: HWC}\nlayers:\n  - pixel_unshuffle: {factor: 2}\n",
        ["net.yaml:3", "needs H and W divisible by 2, but the input is 7×8"],
    ),
    (
        "channel_shuffle_groups",
        HEAD + "  - channel_shuffle: {groups: 4}\n",
        ["net.yaml:3", "groups dividing the channels, but 4 does not divide 6"],
    ),
    ("group_norm_groups", HEAD + "  - group_norm: {groups: 4}\n", ["net.yaml:3", "4 does not divide 6"]),
    ("layer_norm_over", HEAD + "  - layer_norm: {over: rows}\n", ["net.yaml:3", "over must be one of channels, all"]),
    ("instance_norm_flat", HEAD + "  - flatten\n  - instance_norm\n", ["net.yaml:4", "cannot follow flatten"]),
    ("prelu_per_channel_word", HEAD + "  - prelu: {per_channel: yes please}\n", ["net.yaml:3", "true or false"]),
    ("scale_option", HEAD + "  - scale: {factor: 2}\n", ["net.yaml:3", "unknown key 'factor' for scale"]),
    ("crop_too_much", HEAD + "  - crop: {cropping: 4}\n", ["net.yaml:3", "it must leave at least 1 position"]),
    (
        "yaml_tab_indent",
        HEAD + "\t- relu\n",
        ["net.yaml:3:1: YAML syntax error", "YAML does not allow tabs: indent with spaces"],
    ),
    (
        "yaml_unquoted_expression",
        HEAD + "  - conv: {filters: ${c}, kernel: 3}\n",
        ["net.yaml:3:", "an expression must be quoted"],
    ),
    # --- unknown kinds and keys -----------------------------------------------------------
    (
        "unknown_kind_conv2d",
        HEAD + "  - conv2d: {filters: 4, kernel: 3}\n",
        ["net.yaml:3", "unknown layer kind 'conv2d'", "did you mean 'conv'"],
    ),
    (
        "unknown_kind_maxpool",
        HEAD + "  - relu\n  - maxpool: {kernel: 2}\n",
        ["net.yaml:4", "layers[1]", "'maxpool'", "did you mean 'max_pool'"],
    ),
    (
        "unknown_bare_kind",
        HEAD + "  - relu\n  - batchnorm\n",
        ["net.yaml:4", "'batchnorm'", "did you mean 'batch_norm'"],
    ),
    ("input_is_not_a_layer", HEAD + "  - input\n", ["net.yaml:3", "unknown layer kind 'input'"]),
    (
        "unknown_key_filter",
        HEAD + "  - conv:\n      filter: 4\n      kernel: 3\n",
        ["net.yaml:4", "layers[0].conv.filter", "unknown key 'filter'", "did you mean 'filters'"],
    ),
    (
        "unknown_key_flow_style",
        HEAD + "  - relu\n  - max_pool: {kernel: 2, strides: 2}\n",
        ["net.yaml:4", "unknown key 'strides'", "did you mean 'stride'"],
    ),
    (
        "unknown_top_level_key",
        "input: {shape: [8, 8, 6], layout: HWC}\nlayer: [relu]\n",
        ["net.yaml:2", "unknown top-level key 'layer'", "did you mean 'layers'"],
    ),
    (
        "unknown_input_key",
        "input: {shape: [8, 8, 6], layuot: HWC}\nlayers: [relu]\n",
        ["net.yaml:1", "'layuot'", "did you mean 'layout'"],
    ),
    ("missing_layers", "input: {shape: [8, 8, 6], layout: HWC}\n", ["net.yaml", "needs 'layers'"]),
    ("missing_layout", "input: {shape: [8, 8, 6]}\nlayers: [relu]\n", ["net.yaml:1", "layout"]),
    (
        "unknown_layout",
        "input: {shape: [8, 8, 6], layout: WHC}\nlayers: [relu]\n",
        ["net.yaml:1", "layout must be one of", "'WHC'"],
    ),
    (
        "shape_rank_mismatch",
        "input: {shape: [8, 8], layout: HWC}\nlayers: [relu]\n",
        ["net.yaml:1", "3 positive whole numbers", "[8, 8]"],
    ),
    ("missing_required_option", HEAD + "  - conv: {filters: 4}\n", ["net.yaml:3", "conv needs 'kernel'"]),
    # --- wrong types ---------------------------------------------------------------------
    (
        "filters_a_word",
        HEAD + "  - conv: {filters: four, kernel: 3}\n",
        ["net.yaml:3", "layers[0].conv.filters", "whole number", "'four'"],
    ),
    ("filters_fractional", HEAD + "  - conv: {filters: 4.5, kernel: 3}\n", ["net.yaml:3", "whole number", "4.5"]),
    (
        "bias_not_bool",
        HEAD + "  - conv: {filters: 4, kernel: 3, bias: 1}\n",
        ["net.yaml:3", "bias must be true or false", "saw 1"],
    ),
    ("kernel_bool", HEAD + "  - conv: {filters: 4, kernel: true}\n", ["net.yaml:3", "kernel must be", "True"]),
    (
        "padding_mapping",
        HEAD + "  - conv: {filters: 4, kernel: 3, padding: {a: 1}}\n",
        ["net.yaml:3", "padding must be"],
    ),
    (
        "padding_wrong_rank",
        HEAD + "  - conv: {filters: 4, kernel: 3, padding: [1, 2, 3]}\n",
        ["net.yaml:3", "padding", "[1, 2, 3]"],
    ),
    (
        "kernel_wrong_rank",
        HEAD + "  - conv: {filters: 4, kernel: [3, 3, 3]}\n",
        ["net.yaml:3", "kernel", "2-D", "[3, 3, 3]"],
    ),
    (
        "activation_typo",
        HEAD + "  - conv: {filters: 4, kernel: 3, activation: rleu}\n",
        ["net.yaml:3", "'rleu'", "did you mean 'relu'"],
    ),
    ("rate_a_word", HEAD + "  - dropout: {rate: fast}\n", ["net.yaml:3", "rate must be a number", "'fast'"]),
    ("options_not_a_mapping", HEAD + "  - conv: 5\n", ["net.yaml:3", "options of conv must be a mapping"]),
    (
        "two_keys_in_one_item",
        HEAD + "  - {conv: {filters: 3, kernel: 1}, relu: null}\n",
        ["net.yaml:3", "one-key mapping"],
    ),
    (
        "layers_not_a_list",
        "input: {shape: [8, 8, 6], layout: HWC}\nlayers: relu\n",
        ["net.yaml:2", "expected a list of layers"],
    ),
    ("not_a_mapping", "- a\n- b\n", ["net.yaml", "a network file is a mapping"]),
    (
        "name_with_dot",
        HEAD + "  - conv: {filters: 3, kernel: 3, name: a.b}\n",
        ["net.yaml:3", "name must be a word without dots", "'a.b'"],
    ),
    (
        "name_used_twice",
        HEAD + "  - conv: {filters: 3, kernel: 3, name: x}\n  - relu: {name: x}\n",
        ["net.yaml:4", "'x' is used twice", "net.yaml:3"],
    ),
    # --- impossible layers (the engine locates them at the layer's line) ----------------
    (
        "output_below_1",
        HEAD + "  - relu\n  - conv: {filters: 4, kernel: 9}\n",
        # 8 + 0 + 0 − 9 < 0: the window does not fit
        ["net.yaml:4", "layer 'conv1'", "output H would be 0", "at least 1"],
    ),
    (
        "pool_output_below_1_3d",
        "input: {shape: [2, 8, 8, 1], layout: DHWC}\nlayers:\n  - max_pool: {kernel: 3}\n",
        ["net.yaml:3", "output D would be 0"],
    ),
    (
        "groups_do_not_divide",
        HEAD + "  - conv: {filters: 8, kernel: 3, groups: 4}\n",
        ["net.yaml:3", "4 does not divide 6"],
    ),
    (
        "groups_do_not_divide_filters",
        HEAD + "  - conv: {filters: 8, kernel: 3, groups: 3}\n",
        # 3 divides the 6 input channels but not the 8 filters
        ["net.yaml:3", "3 does not divide 8"],
    ),
    (
        "dense_unflattened",
        HEAD + "  - conv: {filters: 4, kernel: 3}\n  - dense: {units: 10}\n",
        ["net.yaml:4", "dense needs a flat input", "6×6×4", "flatten"],
    ),
    (
        "conv_after_flatten",
        HEAD + "  - flatten\n  - conv: {filters: 3, kernel: 1}\n",
        ["net.yaml:4", "flat", "cannot follow flatten"],
    ),
    (
        "pool_padding_over_half",
        HEAD + "  - max_pool: {kernel: 2, padding: 2}\n",
        ["net.yaml:3", "at most half the kernel"],
    ),
    (
        "stride_zero",
        HEAD + "  - conv: {filters: 4, kernel: 3, stride: 0}\n",
        ["net.yaml:3", "stride must be at least 1"],
    ),
    (
        "stride_zero_same",
        HEAD + "  - conv: {filters: 4, kernel: 3, stride: 0, padding: same}\n",
        ["net.yaml:3", "stride must be at least 1"],
    ),
    (
        "pool_stride_zero_same",
        HEAD + "  - avg_pool: {kernel: 2, stride: 0, padding: same}\n",
        ["net.yaml:3", "stride must be at least 1"],
    ),
    (
        "negative_padding",
        HEAD + "  - conv: {filters: 4, kernel: 3, padding: -1}\n",
        ["net.yaml:3", "must not be negative"],
    ),
    (
        "filters_zero",
        HEAD + "  - conv: {filters: 0, kernel: 3}\n",
        ["net.yaml:3", "filters must be at least 1", "saw 0"],
    ),
    (
        "filters_negative_separable",
        HEAD + "  - separable_conv: {filters: -2, kernel: 3}\n",
        ["net.yaml:3", "filters must be at least 1", "saw -2"],
    ),
    (
        "filters_zero_local",
        HEAD + "  - locally_connected: {filters: 0, kernel: 3}\n",
        ["net.yaml:3", "filters must be at least 1"],
    ),
    (
        "filters_negative_deconv",
        HEAD + "  - conv_transpose: {filters: -2, kernel: 3}\n",
        ["net.yaml:3", "filters must be at least 1"],
    ),
    (
        "separable_multiplier_zero",
        HEAD + "  - separable_conv: {filters: 2, kernel: 3, depth_multiplier: 0}\n",
        ["net.yaml:3", "depth_multiplier must be at least 1"],
    ),
    (
        "depthwise_multiplier_zero",
        HEAD + "  - depthwise_conv: {kernel: 3, depth_multiplier: 0}\n",
        ["net.yaml:3", "depth_multiplier must be at least 1"],
    ),
    (
        "deconv_kernel_zero",
        HEAD + "  - conv_transpose: {filters: 2, kernel: 0}\n",
        ["net.yaml:3", "kernel must be at least 1"],
    ),
    (
        "deconv_stride_zero",
        HEAD + "  - conv_transpose: {filters: 2, kernel: 3, stride: 0}\n",
        ["net.yaml:3", "stride must be at least 1"],
    ),
    (
        "deconv_output_padding_negative",
        HEAD + "  - conv_transpose: {filters: 2, kernel: 3, output_padding: -1}\n",
        ["net.yaml:3", "conv_transpose.output_padding", "output_padding must be at least 0, but saw -1"],
    ),
    (
        "dropout_rate_above_1",
        HEAD + "  - dropout: {rate: 5}\n",
        ["net.yaml:3", "dropout.rate", "rate must be at most 1, but saw 5"],
    ),
    (
        "block_params_not_names",
        "input: {shape: [8, 8, 3], layout: HWC}\nblocks:\n  b: {params: [[1]], layers: [relu]}\nlayers:\n  - b\n",
        # reported where the params are written, even if the block were never called
        ["net.yaml:3: blocks.b.params:", "the params of block 'b' must be a mapping of name to default"],
    ),
    (
        "padding_typo",
        HEAD + "  - conv: {filters: 2, kernel: 3, padding: sme}\n",
        ["net.yaml:3", "but saw 'sme'; did you mean 'same'?"],
    ),
    ("lrn_size_zero", HEAD + "  - lrn: {size: 0}\n", ["net.yaml:3", "size must be at least 1, but saw 0"]),
    (
        "bn_momentum_above_1",
        HEAD + "  - batch_norm: {momentum: 2}\n",
        ["net.yaml:3", "momentum must be at most 1, but saw 2"],
    ),
    (
        "kernel_list_with_zero",
        HEAD + "  - conv: {filters: 2, kernel: [3, 0]}\n",
        ["net.yaml:3", "kernel must be at least 1, but saw [3, 0]"],
    ),
    (
        "deconv_output_padding_too_big",
        HEAD + "  - conv_transpose: {filters: 2, kernel: 3, stride: 2, output_padding: 2}\n",
        ["net.yaml:3", "output_padding must be smaller than stride or dilation"],
    ),
    # one bound, one message and place, whichever kind declares the option
    (
        "dilation_zero_conv",
        HEAD + "  - conv: {filters: 2, kernel: 3, dilation: 0}\n",
        ["net.yaml:3: layers[0].conv.dilation: dilation must be at least 1, but saw 0"],
    ),
    (
        "dilation_zero_max_pool",
        HEAD + "  - max_pool: {kernel: 3, dilation: 0}\n",
        ["net.yaml:3: layers[0].max_pool.dilation: dilation must be at least 1, but saw 0"],
    ),
    ("dense_units_zero", HEAD + "  - flatten\n  - dense: {units: 0}\n", ["net.yaml:4", "units must be at least 1"]),
    (
        "adaptive_output_zero",
        HEAD + "  - adaptive_avg_pool: {output_size: 0}\n",
        ["net.yaml:3", "output_size must be at least 1"],
    ),
    # --- merges --------------------------------------------------------------------------
    (
        "concat_spatial_mismatch",
        HEAD + "  - concat:\n      branches:\n"
        "        - - conv: {filters: 2, kernel: 3}\n        - - conv: {filters: 2, kernel: 1}\n",
        # 8 − 3 + 1 = 6 against 8: the message names both branches and their shapes
        # shapes in one layout, H×W×C as the rest of the message
        [
            "net.yaml:3",
            "on input 6×6×2, 8×8×2: concat needs equal spatial sizes",
            "branch1.conv1 6×6×2",
            "branch2.conv1 8×8×2",
        ],
    ),
    (
        "add_shape_mismatch",
        HEAD + "  - add:\n      branches:\n        main: [{conv: {filters: 2, kernel: 1}}]\n        shortcut: []\n",
        ["net.yaml:3", "add needs equal shapes", "main.conv1 8×8×2", "input 8×8×6"],
    ),
    (
        "multiply_no_broadcast",
        HEAD + "  - multiply:\n      branches: [[], [{conv: {filters: 2, kernel: 1}}]]\n",
        ["net.yaml:3", "multiply needs equal shapes, or a gate of shape 1×1×C to broadcast", "8×8×2"],
    ),
    ("merge_one_branch", HEAD + "  - concat:\n      branches: [[]]\n", ["net.yaml:4", "at least 2 branches"]),
    ("merge_no_branches", HEAD + "  - add: {}\n", ["net.yaml:3", "add needs branches"]),
    (
        "branch_not_a_list",
        HEAD + "  - concat: {branches: [relu, relu]}\n",
        ["net.yaml:3", "branches[0]", "expected a list of layers"],
    ),
    # --- blocks --------------------------------------------------------------------------
    (
        "block_cycle",
        "blocks:\n  a:\n    layers: [b]\n  b:\n    layers: [a]\n" + HEAD + "  - a\n",
        ["net.yaml:5", "block 'a' uses itself", "a → b → a", "cycle"],
    ),
    (
        "block_self_cycle",
        "blocks:\n  a:\n    layers: [relu, a]\n" + HEAD + "  - a\n",
        ["net.yaml:3", "block 'a' uses itself", "a → a"],
    ),
    ("undefined_block", HEAD + "  - resblok: {c: 4}\n", ["net.yaml:3", "unknown layer kind 'resblok'"]),
    (
        "undefined_block_suggests_defined_one",
        "blocks:\n  resblock:\n    layers: [relu]\n" + HEAD + "  - resblok\n",
        ["net.yaml:6", "unknown layer kind 'resblok'", "did you mean 'resblock'"],
    ),
    (
        "unknown_block_argument",
        "blocks:\n  res:\n    params: {c: null}\n    layers: [relu]\n" + HEAD + "  - res: {c: 1, cc: 2}\n",
        ["net.yaml:7", "unknown argument 'cc' for block res", "did you mean 'c'", "its params: c"],
    ),
    (
        "missing_block_param",
        "blocks:\n  res:\n    params: [c, k]\n    layers: [relu]\n" + HEAD + "  - relu\n  - res: {c: 1}\n",
        ["net.yaml:8", "block res needs k"],
    ),
    (
        "block_named_like_a_kind",
        "blocks:\n  conv:\n    layers: [relu]\n" + HEAD + "  - relu\n",
        # located at the block's body (line 3)
        ["net.yaml:3", "blocks.conv", "block name 'conv' is a layer kind"],
    ),
    (
        "block_without_layers",
        "blocks:\n  b:\n    layerz: [relu]\n" + HEAD + "  - relu\n",
        ["net.yaml:3", "blocks.b", "a block is a mapping with layers"],
    ),
    (
        "block_call_name_used_twice",
        "blocks:\n  b:\n    layers: [relu]\n" + HEAD + "  - b: {name: x}\n  - b: {name: x}\n",
        ["net.yaml:7", "'x' is used twice", "net.yaml:6"],
    ),
    (
        "error_inside_block_points_into_the_block",
        'blocks:\n  b:\n    params: [c]\n    layers:\n      - conv: {filters: "${c}", kernel: 9}\n'
        + HEAD
        + "  - b: {c: 4, name: stem}\n",
        ["net.yaml:5", "blocks.b.layers[0].conv", "layer 'stem.conv1'", "output H would be 0"],
    ),
    # --- expressions ---------------------------------------------------------------------
    (
        "expr_import",
        HEAD + "  - conv: {filters: \"${__import__('os')}\", kernel: 3}\n",
        ["net.yaml:3", "__import__('os')", "unknown function '__import__'"],
    ),
    (
        "expr_attribute",
        HEAD + '  - conv: {filters: "${a.b}", kernel: 3}\n',
        ["net.yaml:3", "in expression 'a.b'", "not allowed"],
    ),
    (
        "expr_power",
        HEAD + '  - conv: {filters: "${2**10}", kernel: 3}\n',
        ["net.yaml:3", "in expression '2**10'", "not allowed"],
    ),
    (
        "expr_undefined_name",
        "params: {width: 1}\n" + HEAD + '  - conv: {filters: "${widht * 8}", kernel: 3}\n',
        ["net.yaml:4", "'widht * 8'", "unknown name 'widht'", "did you mean 'width'"],
    ),
    (
        "expr_division_by_zero",
        HEAD + '  - conv: {filters: "${8 // (2 - 2)}", kernel: 3}\n',
        ["net.yaml:3", "'8 // (2 - 2)'", "division by zero"],
    ),
    (
        "expr_unknown_function",
        HEAD + '  - conv: {filters: "${sqrt(16)}", kernel: 3}\n',
        ["net.yaml:3", "'sqrt(16)'", "unknown function 'sqrt'"],
    ),
    (
        "expr_syntax",
        HEAD + '  - conv: {filters: "${4 +}", kernel: 3}\n',
        ["net.yaml:3", "'4 +'", "not valid arithmetic"],
    ),
    ("expr_unclosed", HEAD + '  - conv: {filters: "${(1", kernel: 3}\n', ["net.yaml:3", "unclosed"]),
    (
        "expr_huge_product",
        HEAD + '  - conv: {filters: "${9999999999 * 9999999999}", kernel: 3}\n',
        ["net.yaml:3", "beyond"],
    ),
    ("expr_huge_constant", HEAD + '  - conv: {filters: "${1e300}", kernel: 3}\n', ["net.yaml:3", "'1e300'", "beyond"]),
    (
        "expr_round_infinity",
        HEAD + '  - conv: {filters: "${round(1e400)}", kernel: 3}\n',
        ["net.yaml:3", "round(1e400)"],
    ),
    (
        "expr_make_divisible_by_zero",
        HEAD + '  - conv: {filters: "${make_divisible(8, 0)}", kernel: 3}\n',
        ["net.yaml:3", "make_divisible(8, 0)"],
    ),
    (
        "expr_non_numeric_param",
        "params: {a: x}\n" + HEAD + '  - conv: {filters: "${2 * a}", kernel: 1}\n',
        ["net.yaml:4", "'a' is 'x', not a number"],
    ),
    (
        "expr_text_param_where_a_number_is_needed",
        "params: {a: x}\n" + HEAD + '  - conv: {filters: "${a}", kernel: 1}\n',
        ["net.yaml:4", "filters must be a whole number, but saw 'x'"],
    ),
    (
        "expr_fractional_result",
        "params: {alpha: 0.3}\n" + HEAD + '  - conv: {filters: "${64 * alpha}", kernel: 1}\n',
        ["net.yaml:4", "filters must be a whole number"],
    ),
    ("expr_in_params", 'params: {a: "${1/0}"}\n' + HEAD + "  - relu\n", ["net.yaml:1", "params.a", "division by zero"]),
    (
        "expr_in_input_shape",
        'input: {shape: ["${side}", 8, 3], layout: HWC}\nlayers: [relu]\n',
        ["net.yaml:1", "input.shape", "unknown name 'side'"],
    ),
    # --- YAML itself ---------------------------------------------------------------------
    ("yaml_syntax", HEAD + "  - conv: {filters: 4, kernel: [3, 3\n", ["net.yaml:4", "YAML syntax error"]),
    (
        "yaml_bad_indent",
        "input: {shape: [8, 8, 6], layout: HWC}\nlayers:\n  - relu\n - relu\n",
        ["net.yaml:4", "YAML syntax error"],
    ),
    (
        "yaml_duplicate_key",
        HEAD + "  - conv: {filters: 4, filters: 5, kernel: 3}\n",
        ["net.yaml:3", "key 'filters' appears twice"],
    ),
    (
        "yaml_duplicate_top_key",
        "input: {shape: [8, 8, 6], layout: HWC}\nlayers: [relu]\nlayers: [tanh]\n",
        ["net.yaml:3", "key 'layers' appears twice", "line 2"],
    ),
    ("yaml_python_tag", HEAD + "  - !!python/object/apply:os.system [echo]\n", ["net.yaml:3"]),
    ("yaml_recursive_alias", "a: &a [*a]\n", ["net.yaml:1"]),
    ("yaml_empty", "", ["net.yaml", "a network file is a mapping"]),
    # --- repeat ----------------------------------------------------------------------------
    (
        "repeat_zero",
        HEAD + "  - relu: {repeat: 0}\n",
        ["net.yaml:3", "layers[0].relu.repeat", "repeat must be a whole number of at least 1", "saw 0"],
    ),
    ("repeat_negative", HEAD + "  - relu\n  - relu: {repeat: -1}\n", ["net.yaml:4", "at least 1"]),
    ("repeat_fractional", HEAD + '  - relu: {repeat: "${3 / 2}"}\n', ["net.yaml:3", "1.5"]),
]


@pytest.mark.parametrize("text, fragments", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_user_error(text, fragments):
    message = error_of(text)
    assert message.startswith(fragments[0]), message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def test_errors_about_shared_weights_and_like_keep_long_names_short():
    long = "a" * 3000
    for text in (
        HEAD + f"  - conv: {{name: {long}, filters: 6, kernel: 3, padding: 1}}\n"
        f"  - conv: {{filters: 6, kernel: 5, padding: 2, share: {long}}}\n",
        HEAD + f"  - flatten: {{name: {long}}}\n  - upsample: {{like: {long}, from: input}}\n",
    ):
        assert len(error_of(text)) < 800


# How fast these limits stop their attacks is measured in benchmarks/bench.py, not here;
# what is asserted is the work done before the refusal: how many layers were built.


@pytest.fixture
def built(monkeypatch):
    """Counts the graph nodes the expander builds."""
    import cnncalc.expand

    count = [0]
    real = cnncalc.expand.Node

    def counting(*args, **kwargs):
        count[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(cnncalc.expand, "Node", counting)
    return count


def test_too_many_nodes_is_refused_up_front(built):
    message = error_of(HEAD + "  - relu: {repeat: 1000000}\n")
    assert message.startswith("net.yaml:3") and "repeat must be at most 100,000" in message
    assert built[0] == 1  # the input only


def test_a_repeat_that_must_pass_the_limit_is_refused_before_it_starts(built):
    # 2 layers × 60,000 = 120,000 layers, each repeat under the limit on its own
    text = "blocks:\n  b:\n    layers: [relu, relu]\n" + HEAD + "  - relu\n  - b: {repeat: 60000}\n"
    message = error_of(text)
    assert "the network expands to more than 100,000 layers (60,000 × at least 2)" in message
    assert message.startswith("net.yaml:7: layers[1].b.repeat")
    assert built[0] == 2  # the input and the first relu


def test_nested_repeats_are_refused_before_they_start(built):
    text = "blocks:\n  inner:\n    layers: [{relu: {repeat: 1000}}]\n" + HEAD + "  - inner: {repeat: 1000}\n"
    assert "(1,000 × at least 1,000)" in error_of(text)
    assert built[0] == 1


def test_expansion_beyond_the_node_limit_when_repeat_is_an_expression(built):
    # the repeat count is only known when the block runs: the 50th relu group of 2,000 is
    # refused before it starts, with the input and 49 groups built
    text = (
        'blocks:\n  b:\n    params: {n: 1}\n    layers: [{relu: {repeat: "${n}"}}]\n'
        + HEAD
        + "  - b: {n: 2000, repeat: 60}\n"
    )
    assert "the network expands to more than 100,000 layers (2,000 × at least 1)" in error_of(text)
    assert built[0] == 1 + 49 * 2000


def test_empty_block_repeated_a_trillion_times_is_refused_up_front(built):
    text = "blocks:\n  e:\n    layers: []\n" + HEAD + "  - e: {repeat: 1000000000000}\n"
    message = error_of(text)
    assert message.startswith("net.yaml:6") and "repeat" in message
    assert built[0] == 1


def test_a_block_that_adds_nothing_is_expanded_once(built, monkeypatch):
    import cnncalc.expand

    # 39 blocks, each calling the next twice: 2**39 calls if each were expanded
    text = (
        "blocks:\n"
        + "".join(f"  b{i}:\n    layers: [b{i + 1}, b{i + 1}]\n" for i in range(39))
        + "  b39:\n    layers: []\n"
        + HEAD
        + "  - b0: {repeat: 100000}\n  - relu\n"
    )
    calls = [0]
    real = cnncalc.expand._Expander.sequence

    def counting(self, *args):
        calls[0] += 1
        return real(self, *args)

    monkeypatch.setattr(cnncalc.expand._Expander, "sequence", counting)
    report = cnncalc.analyze(cnncalc.loads(text))
    assert [x.name for x in report.layers] == ["input", "relu1"]
    assert calls[0] == 1 + 40  # the top level, then each block once


def test_unknown_set_parameter():
    text = "params: {alpha: 1.0, resolution: 224}\n" + HEAD + "  - relu\n"
    with pytest.raises(CnnCalcError) as info:
        cnncalc.loads(text, params={"alpah": 0.5}, file="net.yaml")
    message = str(info.value)
    assert message.startswith("--set")
    assert "unknown parameter 'alpah'" in message and "did you mean 'alpha'" in message
    assert "alpha, resolution" in message


def test_unknown_set_parameter_through_analyze():
    with pytest.raises(CnnCalcError) as info:
        cnncalc.analyze("vgg16", params={"no_such_param": 1})
    assert "unknown parameter 'no_such_param'" in str(info.value)


def test_set_parameter_that_breaks_an_expression_names_the_line():
    text = "params: {alpha: 1.0}\n" + HEAD + '  - conv: {filters: "${round(8 * alpha)}", kernel: 3}\n'
    assert cnncalc.analyze(cnncalc.loads(text, file="net.yaml")).layers[-1].output_shape[0] == 8
    with pytest.raises(CnnCalcError) as info:
        cnncalc.analyze(cnncalc.loads(text, params={"alpha": "wide"}, file="net.yaml"))
    assert str(info.value).startswith("net.yaml:4")
    assert "'alpha' is 'wide', not a number" in str(info.value)


def test_layer_errors_are_cnncalc_errors():
    from cnncalc.errors import LayerError

    assert issubclass(LayerError, CnnCalcError)


def test_bad_input_override():
    net = cnncalc.loads(HEAD + "  - relu\n", file="net.yaml")
    for bad in ("0x8x6", "axb", "8x8x8x8x8", "", "x"):
        with pytest.raises(CnnCalcError) as info:
            cnncalc.analyze(net, input=bad)
        assert str(info.value).startswith("--input"), str(info.value)


def test_bad_batch_and_dtype():
    net = cnncalc.loads(HEAD + "  - relu\n", file="net.yaml")
    with pytest.raises(CnnCalcError, match="dtype"):
        cnncalc.analyze(net, dtype="float128")
    with pytest.raises(CnnCalcError, match="batch"):
        cnncalc.analyze(net, batch=0)


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"], ids=["no text", "blank lines", "a comment"])
def test_an_empty_file_says_so(text):
    with pytest.raises(
        CnnCalcError, match="the file is empty: a network file is a mapping with name, input and layers"
    ):
        cnncalc.loads(text, file="empty.yaml")


# --- names people type: case and underscores, another framework's names -------------------


@pytest.mark.parametrize(
    "layers, fragment",
    [
        (["ReLU"], "unknown layer kind 'ReLU'; did you mean 'relu'?"),
        (["GELU"], "unknown layer kind 'GELU'; did you mean 'gelu'?"),
        ([{"maxpool": {"kernel": 2}}], "unknown layer kind 'maxpool'; did you mean 'max_pool'?"),
        ([{"conv": {"filters": 2, "kernel": 3, "activation": "ReLU"}}], "but saw 'ReLU'; did you mean 'relu'?"),
        ([{"relu": {"expect": {"parms": 0}}}], "did you mean 'params'?"),
        # PyTorch's Linear is cnncalc's dense; linear here is the identity activation
        (
            [{"linear": {"out_features": 10}}],
            "unknown key 'out_features' for linear; did you mean the kind 'dense', with 'units'?",
        ),
    ],
    ids=["ReLU", "GELU", "maxpool", "activation ReLU", "expect parms", "linear out_features"],
)
def test_names_people_type_get_the_right_hint(layers, fragment):
    from helpers import network_yaml

    with pytest.raises(CnnCalcError) as info:
        cnncalc.loads(network_yaml(layers, [8, 8, 3], "HWC"))
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    "mode, shape, layout, fits",
    [
        ("linear", [8, 8, 3], "HWC", "bilinear or bicubic or nearest"),
        ("bilinear", [8, 3], "TC", "linear or nearest"),
        ("bicubic", [4, 8, 8, 3], "DHWC", "trilinear or nearest"),
        ("trilinear", [8, 8, 3], "HWC", "bilinear or bicubic or nearest"),
    ],
)
def test_an_interpolation_mode_at_another_rank_is_refused(mode, shape, layout, fits):
    # PyTorch 2.13's interpolate: linear needs a 3-D tensor (N, C, L), bilinear and bicubic 4-D,
    # trilinear 5-D; nearest works at every rank
    from helpers import network_yaml

    with pytest.raises(CnnCalcError, match=f"upsample mode {mode} works on .-D inputs only.*use {fits}"):
        cnncalc.analyze(cnncalc.loads(network_yaml({"upsample": {"scale": 2, "mode": mode}}, shape, layout)))
    nearest = cnncalc.analyze(cnncalc.loads(network_yaml({"upsample": {"scale": 2}}, shape, layout)))
    assert nearest.layers[-1].output_shape[1:] == tuple(2 * n for n in shape[:-1])

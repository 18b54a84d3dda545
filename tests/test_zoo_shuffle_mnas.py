"""Built-ins ShuffleNetV2 (x0_5, x1_0, one file with variants) and MNASNet 1.0, against torchvision.

Expected numbers are independent of cnncalc:
- params: torchvision's documented num_params (weights enum meta, torchvision 0.28), which equal
  sum(p.numel() for p in model.parameters());
- MACs: torchvision's published GFLOPS (meta["_ops"], multiply-accumulates) to its rounding,
  and the exact count measured with torch 2.13 / torchvision 0.28 (weights=None, eval mode,
  one forward of a 1×3×224×224 input) by a forward-hook counter on every Conv2d
  (output elements × in_channels / groups × kh × kw) and Linear (in × out), biases excluded;
- non-trainable params: BN running mean and var, 2·C per BatchNorm2d, counted by hand below
  (and equal to the torch buffers without num_batches_tracked);
- shapes: the stage sizes of the ShuffleNet V2 paper's Table 5 and of torchvision's MNASNet.
"""

import pytest

import cnncalc

# --- ShuffleNet V2 -------------------------------------------------------------------------

# torchvision stages_out_channels; stage repeats [4, 8, 4] for every width
SHUFFLE_WIDTHS = {
    "shufflenet_v2_x0_5": [24, 48, 96, 192, 1024],
    "shufflenet_v2_x1_0": [24, 116, 232, 464, 1024],
}
SHUFFLE_TORCHVISION = {  # name: (num_params, _ops GFLOPS, decimals printed)
    "shufflenet_v2_x0_5": (1_366_792, 0.04, 2),
    "shufflenet_v2_x1_0": (2_278_604, 0.145, 3),
}
# measured: torch 2.13 hook counter on Conv2d/Linear, 224×224, see the module docstring
SHUFFLE_MACS = {
    "shufflenet_v2_x0_5": 40_476_448,
    "shufflenet_v2_x1_0": 144_907_992,
}


def shufflenet_bn_channels(widths, repeats=(4, 8, 4)):
    """Channels of every BatchNorm2d of torchvision's ShuffleNetV2: conv1; per stage the
    stride-2 unit (branch1: BN(cin), BN(c/2); branch2: 3 × BN(c/2)) and 3 × BN(c/2) per
    stride-1 unit; conv5."""
    total, cin = widths[0], widths[0]
    for c, n in zip(widths[1:4], repeats):
        total += cin + 4 * (c // 2)
        total += (n - 1) * 3 * (c // 2)
        cin = c
    return total + widths[4]


@pytest.fixture(scope="module", params=sorted(SHUFFLE_WIDTHS))
def shufflenet(request):
    return request.param, cnncalc.analyze(request.param)


def test_shufflenet_variants_are_built_ins_and_the_file_stem_is_not():
    names = cnncalc.builtins()
    assert "shufflenet_v2_x0_5" in names and "shufflenet_v2_x1_0" in names
    assert "shufflenet_v2" not in names


def test_shufflenet_params_are_torchvisions(shufflenet):
    name, report = shufflenet
    assert report.name == name
    assert report.totals.params == SHUFFLE_TORCHVISION[name][0]


def test_shufflenet_non_trainable_are_the_bn_running_stats(shufflenet):
    name, report = shufflenet
    assert report.totals.non_trainable_params == 2 * shufflenet_bn_channels(SHUFFLE_WIDTHS[name])
    # x1_0 by hand: 2 · (24 + (24 + 232) + 3·174 + (116 + 464) + 7·348 + (232 + 928) + 3·696 + 1024)
    if name == "shufflenet_v2_x1_0":
        assert report.totals.non_trainable_params == 16_180


def test_shufflenet_macs_match_torchvisions_gflops_and_the_hook_count(shufflenet):
    name, report = shufflenet
    _, gflops, digits = SHUFFLE_TORCHVISION[name]
    assert round(report.totals.macs / 1e9, digits) == gflops
    assert report.totals.macs == SHUFFLE_MACS[name]
    assert report.totals.flops == 2 * SHUFFLE_MACS[name]


def test_shufflenet_stage_shapes_follow_table_5(shufflenet):
    name, report = shufflenet
    c1, c2, c3, c4, c5 = SHUFFLE_WIDTHS[name]
    assert report.layer("conv1").output_shape == (c1, 112, 112)
    assert report.layer("maxpool").output_shape == (c1, 56, 56)
    # the stride-2 unit: branch1 works on all c1 input channels, each branch ends in c2/2
    assert report.layer("stage2.0.branch1.dwconv1").output_shape == (c1, 28, 28)
    assert report.layer("stage2.0.branch2.conv1").output_shape == (c2 // 2, 56, 56)
    assert report.layer("stage2.0.shuffle1").output_shape == (c2, 28, 28)
    # stages of 4, 8, 4 units: the last unit of each
    assert report.layer("stage2.units.3.shuffle1").output_shape == (c2, 28, 28)
    assert report.layer("stage3.units.7.shuffle1").output_shape == (c3, 14, 14)
    assert report.layer("stage4.units.3.shuffle1").output_shape == (c4, 7, 7)
    assert report.layer("conv5").output_shape == (c5, 7, 7)
    assert report.layer("fc").output_shape == (1000,)
    assert report.layers[-1].name == "fc"
    assert not [w for _, w in report.warnings if w.code == "dead-end"]  # every layer is read


def test_shufflenet_stride_1_unit_splits_passes_half_and_shuffles(shufflenet):
    name, report = shufflenet
    c3 = SHUFFLE_WIDTHS[name][2]
    unit = "stage3.units.4"
    before = "stage3.units.3.shuffle1"
    # both halves are taken from the unit's input
    assert report.layer(f"{unit}.x1").inputs == (before,)
    assert report.layer(f"{unit}.x2").inputs == (before,)
    assert report.layer(f"{unit}.x1").output_shape == (c3 // 2, 14, 14)
    assert report.layer(f"{unit}.x2").output_shape == (c3 // 2, 14, 14)
    # the passed half and the transformed half are concatenated, then shuffled in 2 groups
    assert report.layer(f"{unit}.concat1").inputs == (f"{unit}.x1", f"{unit}.branch2")
    assert report.layer(f"{unit}.shuffle1").inputs == (f"{unit}.concat1",)
    assert report.layer(f"{unit}.shuffle1").output_shape == (c3, 14, 14)
    # 1×1 (c/2 → c/2), 3×3 depthwise, 1×1: weights only, no bias; 3 BNs of c/2
    h = c3 // 2
    assert report.layer(f"{unit}.conv1").params == h * h
    assert report.layer(f"{unit}.dwconv1").params == 9 * h
    assert report.layer(f"{unit}.conv2").macs == 14 * 14 * h * h
    assert report.layer(f"{unit}.dwconv1").macs == 14 * 14 * 9 * h


@pytest.mark.parametrize(
    "widths, params, gflops, macs",
    [
        # torchvision shufflenet_v2_x1_5 / x2_0: num_params and _ops; MACs measured with the hook
        # counter (torch 2.13, 224×224) on the torchvision models
        ({"c2": 176, "c3": 352, "c4": 704}, 3_503_624, 0.296, 295_759_392),
        ({"c2": 244, "c3": 488, "c4": 976, "c5": 2048}, 7_393_996, 0.583, 583_253_464),
    ],
)
def test_shufflenet_wider_widths_by_parameters(widths, params, gflops, macs):
    totals = cnncalc.analyze("shufflenet_v2_x1_0", params=widths).totals
    assert totals.params == params
    assert round(totals.macs / 1e9, 3) == gflops
    assert totals.macs == macs


# --- MNASNet -------------------------------------------------------------------------------


def round_to_multiple_of(val, divisor=8, round_up_bias=0.9):
    """torchvision's mnasnet._round_to_multiple_of, written out again for the test."""
    new_val = max(divisor, int(val + divisor / 2) // divisor * divisor)
    return new_val if new_val >= round_up_bias * val else new_val + divisor


# torchvision's _stack calls: (out depth index, kernel, stride, expansion, repeats)
MNAS_STACKS = [(2, 3, 2, 3, 3), (3, 5, 2, 3, 3), (4, 5, 2, 6, 3), (5, 3, 1, 6, 2), (6, 5, 2, 6, 4), (7, 3, 1, 6, 1)]


def mnasnet_bn_channels(alpha):
    """Channels of every BatchNorm2d of torchvision's MNASNet: stem, separable (dw, pw),
    per inverted residual expand + depthwise (cin · t each) and project (cout), head 1280."""
    d = [round_to_multiple_of(x * alpha) for x in (32, 16, 24, 40, 80, 96, 192, 320)]
    total = d[0] + d[0] + d[1]
    cin = d[1]
    for i, _, _, t, n in MNAS_STACKS:
        for _ in range(n):
            total += 2 * cin * t + d[i]
            cin = d[i]
    return total + 1280


@pytest.fixture(scope="module")
def mnasnet():
    return cnncalc.analyze("mnasnet1_0")


def test_mnasnet_params_non_trainable_macs(mnasnet):
    report = mnasnet
    assert report.name == "mnasnet1_0"
    assert report.totals.params == 4_383_312  # torchvision num_params
    assert report.totals.non_trainable_params == 2 * mnasnet_bn_channels(1.0) == 37_920
    assert round(report.totals.macs / 1e9, 3) == 0.314  # torchvision _ops
    # measured: torch 2.13 hook counter on Conv2d/Linear, 224×224 (see the module docstring)
    assert report.totals.macs == 314_415_872
    assert report.layers[-1].output_shape == (1000,)
    assert not [w for _, w in report.warnings if w.code == "dead-end"]  # every layer is read


def test_mnasnet_shapes(mnasnet):
    report = mnasnet
    assert report.layer("stem").output_shape == (32, 112, 112)
    assert report.layer("separable_dw").output_shape == (32, 112, 112)
    assert report.layer("separable_pw_bn").output_shape == (16, 112, 112)
    # stack outputs: 24 at 56², 40 at 28², 80 and 96 at 14², 192 and 320 at 7²
    assert report.layer("stack1.inverted_residual1.dw").output_shape == (48, 56, 56)  # 16 · 3
    assert report.layer("stack1.inverted_residual_skip2.add1").output_shape == (24, 56, 56)
    assert report.layer("stack2.inverted_residual_skip2.add1").output_shape == (40, 28, 28)
    assert report.layer("stack3.inverted_residual_skip2.add1").output_shape == (80, 14, 14)
    assert report.layer("stack4.inverted_residual1.project_bn").output_shape == (96, 14, 14)
    assert report.layer("stack4.inverted_residual_skip1.add1").output_shape == (96, 14, 14)
    assert report.layer("stack5.inverted_residual_skip3.add1").output_shape == (192, 7, 7)
    assert report.layer("stack6.project_bn").output_shape == (320, 7, 7)
    assert report.layer("head").output_shape == (1280, 7, 7)
    # a 5×5 depthwise keeps the size with padding 2: 120 channels = 40 · 3
    dw = report.layer("stack2.inverted_residual_skip1.layers.dw")
    assert dw.output_shape == (120, 28, 28) and dw.params == 25 * 120 and dw.macs == 28 * 28 * 25 * 120
    # the skips: identity added to the block output
    add = report.layer("stack5.inverted_residual_skip1.add1")
    assert add.inputs == ("stack5.inverted_residual_skip1.layers.project_bn", "stack5.inverted_residual1.project_bn")


@pytest.mark.parametrize(
    "alpha, params, gflops, macs",
    [
        # torchvision mnasnet0_5 / 0_75 / 1_3: num_params and _ops; MACs measured with the hook
        # counter (torch 2.13, 224×224) on the torchvision models
        (0.5, 2_218_512, 0.104, 104_455_968),
        (0.75, 3_170_208, 0.215, 215_493_104),
        (1.3, 6_282_256, 0.526, 526_362_432),
    ],
)
def test_mnasnet_depth_multiplier_gives_torchvisions_other_widths(alpha, params, gflops, macs):
    totals = cnncalc.analyze("mnasnet1_0", params={"alpha": alpha}).totals
    assert totals.params == params
    assert totals.non_trainable_params == 2 * mnasnet_bn_channels(alpha)
    assert round(totals.macs / 1e9, 3) == gflops
    assert totals.macs == macs

"""EfficientNet B0–B7 in the built-in library: one file (architectures/efficientnet.yaml) whose
variants efficientnet_b0 … efficientnet_b7 scale B0 by width, depth and resolution, as
torchvision.models.efficientnet_b0 … b7 build them.

Expected numbers are independent of cnncalc: torchvision's documented parameter counts
(weights.meta["num_params"]) and "GFLOPS" (meta["_ops"], multiply-accumulates), exact MAC and
buffer counts measured with a forward-hook counter on torch, hand arithmetic from torchvision's
configuration (_efficientnet_conf, MBConvConfig.adjust_channels / adjust_depth) written out below,
and Table 2 of Tan & Le (2019). None is copied from cnncalc's output."""

import math
from functools import cache

import pytest

import cnncalc

VARIANTS = [f"efficientnet_b{i}" for i in range(8)]

# --- torchvision's published figures ---------------------------------------------------------
# torchvision 0.28: EfficientNet_B{i}_Weights.IMAGENET1K_V1 .meta["num_params"], ["_ops"] (GMACs),
# and the scaling arguments of torchvision.models.efficientnet_b{i}: width_mult, depth_mult,
# dropout; the resolution is the paper's (and the reference code's efficientnet_params).
PUBLISHED = {
    # name: (num_params, _ops, width, depth, resolution, dropout)
    "efficientnet_b0": (5_288_548, 0.386, 1.0, 1.0, 224, 0.2),
    "efficientnet_b1": (7_794_184, 0.687, 1.0, 1.1, 240, 0.2),
    "efficientnet_b2": (9_109_994, 1.088, 1.1, 1.2, 260, 0.3),
    "efficientnet_b3": (12_233_232, 1.827, 1.2, 1.4, 300, 0.3),
    "efficientnet_b4": (19_341_616, 4.394, 1.4, 1.8, 380, 0.4),
    "efficientnet_b5": (30_389_784, 10.266, 1.6, 2.2, 456, 0.4),
    "efficientnet_b6": (43_040_704, 19.068, 1.8, 2.6, 528, 0.5),
    "efficientnet_b7": (66_347_960, 37.746, 2.0, 3.1, 600, 0.5),
}

# --- measured with torch -----------------------------------------------------------------------
# torch 2.13 CPU, torchvision 0.28, weights=None, eval mode, one forward of zeros at
# 1×3×R×R (R = the resolution above) with forward hooks on every leaf module, counting Conv2d
# output elements × (C_in / groups) × kH × kW and Linear in × out (no bias, nothing else):
# cnncalc's MAC convention. Non-trainable: the BatchNorm2d running_mean and running_var buffers
# (num_batches_tracked excluded). Blocks: the MBConv modules; shortcuts: those with
# use_res_connect.
MEASURED = {
    # name: (MACs, non-trainable, MBConv blocks, blocks with the identity shortcut)
    "efficientnet_b0": (385_814_752, 42_016, 16, 9),
    "efficientnet_b1": (686_802_832, 62_048, 23, 16),
    "efficientnet_b2": (993_561_872, 67_568, 23, 16),
    "efficientnet_b3": (1_827_141_392, 87_296, 26, 19),
    "efficientnet_b4": (4_393_771_024, 125_200, 32, 25),
    "efficientnet_b5": (10_266_384_752, 172_736, 39, 32),
    "efficientnet_b6": (19_067_593_536, 224_432, 45, 38),
    "efficientnet_b7": (37_745_884_192, 310_720, 55, 48),
}
# the same counter on efficientnet_b2 at 1×3×288×288, torchvision's evaluation crop for B2
# (EfficientNet_B2_Weights.IMAGENET1K_V1.transforms().crop_size == [288]), where its _ops is taken
B2_MACS_AT_288 = 1_087_529_456

# --- torchvision's configuration, by hand --------------------------------------------------------
# _efficientnet_conf: MBConvConfig(expand_ratio, kernel, stride, input_channels, out_channels,
# num_layers) for B0, each scaled by width_mult and depth_mult
B0_STAGES = [
    (1, 3, 1, 32, 16, 1),
    (6, 3, 2, 16, 24, 2),
    (6, 5, 2, 24, 40, 2),
    (6, 3, 2, 40, 80, 3),
    (6, 5, 1, 80, 112, 3),
    (6, 5, 2, 112, 192, 4),
    (6, 3, 1, 192, 320, 1),
]


def make_divisible(v, divisor=8):
    """torchvision's _make_divisible, written out again for the test."""
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


def stages(width, depth):
    """MBConvConfig's adjust_channels (make_divisible(c · width, 8)) and adjust_depth
    (int(ceil(n · depth)))."""
    return [
        (t, k, s, make_divisible(cin * width), make_divisible(cout * width), int(math.ceil(n * depth)))
        for t, k, s, cin, cout, n in B0_STAGES
    ]


def by_hand(width, depth, resolution):
    """(params, non-trainable, MACs, blocks, shortcuts) of torchvision's EfficientNet, layer by
    layer: BN has gamma and beta (trainable) and running mean and var (non-trainable)."""
    size = (resolution + 1) // 2  # 3×3/2, padding 1
    cfg = stages(width, depth)
    c = cfg[0][3]
    params, bn, macs = 27 * c, c, size * size * 27 * c
    blocks = shortcuts = 0
    for t, k, s, cin, cout, n in cfg:
        for i in range(n):
            stride, cin = (s, cin) if i == 0 else (1, cout)
            e = make_divisible(cin * t)
            if e != cin:  # expansion 1×1
                params, bn, macs = params + cin * e, bn + e, macs + size * size * cin * e
            size = (size + 2 * ((k - 1) // 2) - k) // stride + 1
            sq = max(1, cin // 4)
            params += k * k * e + (e * sq + sq) + (sq * e + e) + e * cout
            bn += e + cout
            macs += size * size * (k * k * e + e * cout) + 2 * e * sq
            blocks += 1
            shortcuts += stride == 1 and cin == cout
    last = 4 * cfg[-1][4]
    params += cfg[-1][4] * last + last * 1000 + 1000
    bn += last
    macs += size * size * cfg[-1][4] * last + last * 1000
    return params + 2 * bn, 2 * bn, macs, blocks, shortcuts


@cache
def report(name, resolution=None):
    return cnncalc.analyze(name, params={"resolution": resolution} if resolution else None)


def block_output(r, n):
    """The last layer of blockN: its output."""
    return [x for x in r.layers if x.name.startswith(f"block{n}.")][-1]


# --- torchvision ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", VARIANTS)
def test_exact_params_and_non_trainable(name):
    t = report(name).totals
    assert t.params == PUBLISHED[name][0]
    assert t.non_trainable_params == MEASURED[name][1]


@pytest.mark.parametrize("name", VARIANTS)
def test_exact_macs_measured_with_torch(name):
    t = report(name).totals
    assert t.macs == MEASURED[name][0]
    assert t.flops == 2 * MEASURED[name][0]


@pytest.mark.parametrize("name", [v for v in VARIANTS if v != "efficientnet_b2"])
def test_macs_match_torchvision_gflops(name):
    assert round(report(name).totals.macs / 1e9, 3) == PUBLISHED[name][1]


def test_b2_gflops_are_torchvisions_at_its_288_crop():
    # torchvision measures B2's _ops at its evaluation crop 288×288; the variant keeps the
    # paper's 260 (the authors' efficientnet_params: (1.1, 1.2, 260, 0.3)), 0.994 GMACs there
    assert round(report("efficientnet_b2").totals.macs / 1e9, 3) == 0.994
    at_288 = report("efficientnet_b2", 288)
    assert at_288.totals.macs == B2_MACS_AT_288
    assert round(at_288.totals.macs / 1e9, 3) == PUBLISHED["efficientnet_b2"][1]
    assert at_288.totals.params == PUBLISHED["efficientnet_b2"][0]
    assert at_288.input_shape == (3, 288, 288)


@pytest.mark.parametrize("name", VARIANTS)
def test_matches_torchvisions_configuration_by_hand(name):
    _, _, width, depth, resolution, _ = PUBLISHED[name]
    params, non_trainable, macs, blocks, shortcuts = by_hand(width, depth, resolution)
    assert (params, non_trainable, macs) == (PUBLISHED[name][0], MEASURED[name][1], MEASURED[name][0])
    assert (blocks, shortcuts) == MEASURED[name][2:]
    r = report(name)
    kinds = [x.kind for x in r.layers]
    assert kinds.count("depthwise_conv") == blocks
    assert kinds.count("multiply") == blocks  # one SE gate per MBConv
    assert kinds.count("add") == shortcuts
    assert {x.name.split(".")[0] for x in r.layers if x.name.startswith("block")} == {
        f"block{n}" for n in range(1, blocks + 1)
    }


@pytest.mark.parametrize("name", VARIANTS)
def test_input_output_and_head(name):
    _, _, width, _, resolution, dropout = PUBLISHED[name]
    r = report(name)
    assert r.input_shape == (3, resolution, resolution)
    assert r.layer("fc").output_shape == (1000,)
    final = -(-resolution // 32)  # five stride-2 stages: ceil(R / 32)
    last = 4 * make_divisible(320 * width)  # 4 × the adjusted last stage
    assert r.layer("head").output_shape == (last, final, final)
    assert r.layer("fc").params == last * 1000 + 1000
    assert r.layer("stem").output_shape == (make_divisible(32 * width), -(-resolution // 2), -(-resolution // 2))
    assert r.layer("dropout1").hyperparameters["rate"] == dropout


@pytest.mark.parametrize("name", VARIANTS)
def test_stage_outputs(name):
    _, _, width, depth, resolution, _ = PUBLISHED[name]
    r = report(name)
    size, n = -(-resolution // 2), 0
    for t, k, s, cin, cout, layers in stages(width, depth):
        size = -(-size // s)
        first, n = n + 1, n + layers
        # the first block of a stage changes the shape and has no shortcut; the others do
        assert block_output(r, first).kind == "batch_norm"
        assert block_output(r, first).output_shape == (cout, size, size), (name, first)
        assert r.layer(f"block{first}.dw").hyperparameters["stride"] in (s, [s, s], (s, s))
        assert r.layer(f"block{first}.se.gate.fc1").output_shape == (max(1, cin // 4), 1, 1)
        if layers > 1:
            assert block_output(r, n).kind == "add"
            assert block_output(r, n).output_shape == (cout, size, size), (name, n)
            assert r.layer(f"block{n}.main.mb.se.gate.fc1").output_shape == (max(1, cout // 4), 1, 1)
            assert r.layer(f"block{n}.main.mb.dw").params == k * k * make_divisible(cout * t)


def test_b7_characteristic_layers():
    # width 2.0, depth 3.1: stages 64→32 (×4), 32→48 (×7), 48→80 (×7), 80→160 (×10),
    # 160→224 (×10), 224→384 (×13), 384→640 (×4); 600 → 300, 300, 150, 75, 38, 38, 19, 19
    r = report("efficientnet_b7")
    assert [x[3:] for x in stages(2.0, 3.1)] == [
        (64, 32, 4),
        (32, 48, 7),
        (48, 80, 7),
        (80, 160, 10),
        (160, 224, 10),
        (224, 384, 13),
        (384, 640, 4),
    ]
    assert r.layer("block1.se.gate.fc1").output_shape == (16, 1, 1)  # 64 // 4
    assert r.layer("block2.main.mb.dw").output_shape == (32, 300, 300)  # t = 1: no expansion
    with pytest.raises(KeyError):
        r.layer("block2.main.mb.expand")
    assert r.layer("block5.expand").output_shape == (192, 300, 300)  # 32 · 6
    assert r.layer("block5.dw").output_shape == (192, 150, 150)
    assert r.layer("block52.dw").output_shape == (2304, 19, 19)  # 384 · 6, stage 7
    assert r.layer("block52.se.gate.fc1").params == 2304 * 96 + 96  # 384 // 4 = 96
    assert r.layer("head").output_shape == (2560, 19, 19)


@pytest.mark.parametrize("name", VARIANTS)
def test_batch_norm_settings_follow_torchvision(name):
    # torchvision's b0–b4 use nn.BatchNorm2d's defaults (eps 1e-5, momentum 0.1); b5–b7 pass
    # partial(nn.BatchNorm2d, eps=0.001, momentum=0.01). Counts do not depend on them.
    expected = (0.001, 0.01) if name[-1] in "567" else (1e-5, 0.1)
    bns = [x for x in report(name).layers if x.kind == "batch_norm"]
    assert {(x.hyperparameters["epsilon"], x.hyperparameters["momentum"]) for x in bns} == {expected}


def test_b0_is_the_former_single_file():
    # the numbers and layer names of the B0 file this family replaced
    r = report("efficientnet_b0")
    assert (r.totals.params, r.totals.macs) == (5_288_548, 385_814_752)
    assert r.layer("block10.main.mb.dw").output_shape == (672, 14, 14)
    assert r.layer("block12.dw").output_shape == (672, 7, 7)
    assert r.layer("block16.se.gate.fc2").output_shape == (1152, 1, 1)


def test_variants_are_builtins_and_the_file_is_scaled_b0():
    names = cnncalc.builtins()
    assert all(v in names for v in VARIANTS)
    # a variant is the file with its params applied: B3 by hand from B0's file via params
    b3 = cnncalc.analyze("efficientnet_b0", params={"width": 1.2, "depth": 1.4, "resolution": 300, "dropout": 0.3})
    assert (b3.totals.params, b3.totals.macs) == (PUBLISHED["efficientnet_b3"][0], MEASURED["efficientnet_b3"][0])


# --- the paper -----------------------------------------------------------------------------------
# Tan & Le, "EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks" (ICML 2019),
# Table 2: #Params and #FLOPS (multiply-adds: B0's 0.39B is its 386M MACs) of B0–B7.
PAPER = {
    "efficientnet_b0": (5.3, 0.39),
    "efficientnet_b1": (7.8, 0.70),
    "efficientnet_b2": (9.2, 1.0),
    "efficientnet_b3": (12, 1.8),
    "efficientnet_b4": (19, 4.2),
    "efficientnet_b5": (30, 9.9),
    "efficientnet_b6": (43, 19),
    "efficientnet_b7": (66, 37),
}
# Rule: every entry of Table 2 is printed with two significant digits (5.3M, 0.39B, 0.70B,
# 1.0B, 12M, 37B), so the exact count, in millions of params and billions of MACs, rounded to
# two significant digits must equal the printed value.
#
# Where it does not, the values below are what the network gives, pinned exactly. These are
# not torchvision departures: the authors' own code (tensorflow/tpu,
# models/official/efficientnet/efficientnet_builder.py and efficientnet_model.py) has the same
# block table, the same (width, depth, resolution) per model, the same round_filters
# (= make_divisible) and round_repeats (= ceil), the same SE width and head, so it builds the
# network torchvision builds, with these same counts. Table 2's figures are not reproduced by it:
#   - B1 FLOPS 0.70B: B1 has width 1.0, so no channel rounding is involved, and no input size
#     gives 0.70 at two digits: the count is 686,802,832 at 239–240 and 724,019,200 at 241–242
#     (test_no_resolution_gives_the_papers_b1_and_b5 below).
#   - B2 FLOPS 1.0B: 993,561,872 is 0.99 at two digits; it agrees only read to one decimal.
#     (torchvision's 288 crop gives 1.1.)
#   - B2 params 9.2M: 9,109,994 is 9.1M; params do not depend on the input size. Counting the
#     BN running statistics too (TF's model variables) would give 9.2M for B2 but 7.9M for B1
#     and 31M for B5, against the paper's 7.8M and 30M: no one convention fits the column.
#   - B4 4.2B, B5 9.9B, B7 37B: the network gives 4.4B, 10B (10.27B) and 38B (37.75B); B5's
#     count jumps from 9.40B at 447–448 to 10.23B at 449–450, so no input size gives 9.9B.
PAPER_DIFFERS = {
    # (name, column): our count rounded the same way
    ("efficientnet_b1", "flops"): 0.69,
    ("efficientnet_b2", "flops"): 0.99,
    ("efficientnet_b2", "params"): 9.1,
    ("efficientnet_b4", "flops"): 4.4,
    ("efficientnet_b5", "flops"): 10,
    ("efficientnet_b7", "flops"): 38,
}


def two_digits(x):
    return float(f"{x:.2g}")


@pytest.mark.parametrize("name", VARIANTS)
def test_paper_table_2(name):
    t = report(name).totals
    ours = {"params": two_digits(t.params / 1e6), "flops": two_digits(t.macs / 1e9)}
    for column, printed in zip(("params", "flops"), PAPER[name]):
        if (name, column) in PAPER_DIFFERS:
            assert ours[column] == PAPER_DIFFERS[name, column] != printed, (name, column)
        else:
            assert ours[column] == printed, (name, column)


def test_the_paper_agreements_and_differences_are_as_listed():
    agree = sum(1 for name in VARIANTS for column in ("params", "flops") if (name, column) not in PAPER_DIFFERS)
    assert agree == 10
    # B2's FLOPS agree to one decimal place, and B2 at torchvision's crop is further off
    assert round(MEASURED["efficientnet_b2"][0] / 1e9, 1) == 1.0
    assert two_digits(B2_MACS_AT_288 / 1e9) == 1.1


def test_params_with_bn_statistics_do_not_fit_the_paper_either():
    with_stats = {name: two_digits((PUBLISHED[name][0] + MEASURED[name][1]) / 1e6) for name in VARIANTS}
    assert with_stats["efficientnet_b2"] == 9.2 == PAPER["efficientnet_b2"][0]
    assert (with_stats["efficientnet_b1"], PAPER["efficientnet_b1"][0]) == (7.9, 7.8)
    assert (with_stats["efficientnet_b5"], PAPER["efficientnet_b5"][0]) == (31, 30)
    assert (with_stats["efficientnet_b7"], PAPER["efficientnet_b7"][0]) == (67, 66)


@pytest.mark.parametrize(
    "name, resolutions, counts",
    [
        (
            "efficientnet_b1",
            (238, 239, 240, 241, 242),
            (685_942_432, 686_802_832, 686_802_832, 724_019_200, 724_019_200),
        ),
        ("efficientnet_b5", (447, 448, 449, 450), (9_404_374_080, 9_404_374_080, 10_232_445_680, 10_232_445_680)),
    ],
)
def test_no_resolution_gives_the_papers_b1_and_b5(name, resolutions, counts):
    # by_hand (torchvision's configuration) around the paper's resolution: the count steps over
    # the paper's figure (B1 0.70B, B5 9.9B); cnncalc agrees at each size. Every feature map
    # grows with the input, so the count never decreases with it: no other size gives the figure.
    _, _, width, depth, _, _ = PUBLISHED[name]
    for resolution, count in zip(resolutions, counts):
        assert by_hand(width, depth, resolution)[2] == count
        assert report(name, resolution).totals.macs == count
    assert two_digits(counts[len(counts) // 2 - 1] / 1e9) < PAPER[name][1] < two_digits(counts[-1] / 1e9)

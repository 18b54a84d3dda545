"""The mobile library: MobileNet v1, MobileNet v2, EfficientNet-B0.

Expected numbers are published figures (papers, torchvision, Keras, the TF-slim model table)
or hand arithmetic written out below from the papers' own cost formulas; none is copied
from cnncalc's output."""

import json

import pytest
from click.testing import CliRunner

import cnncalc
from cnncalc.cli import cli


def totals(name, **kwargs):
    return cnncalc.analyze(name, **kwargs).totals


def spatial(report, name):
    return tuple(report.layer(name).output_shape[1:])


# --- hand arithmetic ---------------------------------------------------------------------

# MobileNet v1, Table 1: (pointwise filters, depthwise stride) of the 13 separable blocks
# (the 13th is stride 1; Table 1's "s2" there is a typo, its input and output are 7×7).
V1_BLOCKS = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]


def mobilenet_v1_by_hand(alpha, resolution):
    """The paper's cost formula (Eq. 5 with alpha and rho): depthwise D_K²·M·D_F², pointwise
    M·N·D_F², the stem D_K²·3·N·D_F², the classifier 1024α·1000. Params: conv weights
    (no bias) + BN gamma and beta per channel + the classifier's weights and biases."""
    width = lambda c: int(c * alpha)  # noqa: E731 - Keras's truncation
    size = -(-resolution // 2)  # 'same' at stride 2: ceil(n / 2)
    m = width(32)
    macs = size * size * 9 * 3 * m
    params = 9 * 3 * m + 2 * m
    for filters, stride in V1_BLOCKS:
        size = -(-size // stride)
        n = width(filters)
        macs += 9 * m * size * size + m * n * size * size
        params += 9 * m + 2 * m + m * n + 2 * n
        m = n
    macs += m * 1000
    params += m * 1000 + 1000
    return params, macs


def make_divisible(v, divisor=8):
    """torchvision's _make_divisible, written out again for the test."""
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


V2_SETTINGS = [
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
]


def mobilenet_v2_by_hand(alpha, resolution=224):
    """torchvision's MobileNetV2 counted layer by layer (BN: gamma + beta per channel)."""
    size = -(-resolution // 2)
    cin = make_divisible(32 * alpha)
    macs, params = size * size * 27 * cin, 27 * cin + 2 * cin
    for t, c, n, s in V2_SETTINGS:
        cout = make_divisible(c * alpha)
        for i in range(n):
            hidden = int(round(cin * t))
            if t != 1:
                macs += size * size * cin * hidden
                params += cin * hidden + 2 * hidden
            size = -(-size // (s if i == 0 else 1))
            macs += size * size * 9 * hidden + size * size * hidden * cout
            params += 9 * hidden + 2 * hidden + hidden * cout + 2 * cout
            cin = cout
    last = make_divisible(1280 * max(1.0, alpha))
    macs += size * size * cin * last + last * 1000
    params += cin * last + 2 * last + last * 1000 + 1000
    return params, macs


# --- MobileNet v1 --------------------------------------------------------------------------


def test_mobilenet_v1_exact_totals():
    t = totals("mobilenet_v1")
    assert t.params == 4_231_976  # Keras MobileNet: trainable params
    assert t.macs == 568_740_352  # the paper's "569 million mult-adds"
    assert t.flops == 2 * 568_740_352
    # Keras prints Total params 4,253,864 = trainable 4,231,976 + non-trainable 21,888
    # (BN moving mean and variance)
    assert t.non_trainable_params == 4_253_864 - 4_231_976


def test_mobilenet_v1_spatial_sizes_follow_table_1():
    r = cnncalc.analyze("mobilenet_v1")
    assert spatial(r, "conv1") == (112, 112)
    expected = {
        "block1": 112,
        "block2": 56,
        "block3": 56,
        "block4": 28,
        "block5": 28,
        "block6": 14,
        "block11": 14,
        "block12": 7,
        "block13": 7,
    }
    for block, size in expected.items():
        assert spatial(r, f"{block}.pw") == (size, size), block
    assert r.layer("block13.pw").output_shape[0] == 1024
    assert r.layer("fc").output_shape == (1000,)
    # depthwise 3×3 on 512 channels: 9·512 weights, no bias; the pointwise 512·512
    assert (r.layer("block7.dw").weights, r.layer("block7.dw").biases) == (9 * 512, 0)
    assert r.layer("block7.pw").params == 512 * 512


def test_mobilenet_v1_matches_hand_formula_at_alpha_1():
    assert mobilenet_v1_by_hand(1.0, 224) == (4_231_976, 568_740_352)


# Table 6 of Howard et al. (2017): width multiplier at 224×224.
@pytest.mark.parametrize(
    "alpha, million_macs, million_params", [(1.0, 569, 4.2), (0.75, 325, 2.6), (0.5, 149, 1.3), (0.25, 41, 0.5)]
)
def test_mobilenet_v1_width_multiplier_table_6(alpha, million_macs, million_params):
    t = totals("mobilenet_v1", params={"alpha": alpha})
    assert round(t.macs / 1e6) == million_macs
    assert round(t.params / 1e6, 1) == million_params
    assert (t.params, t.macs) == mobilenet_v1_by_hand(alpha, 224)


# Table 7: resolution at alpha 1. The paper's figures are 569/418/290/186; the exact counts
# are 568.74M, 418.12M, 290.68M, 186.40M. 160 rounds to 291, not 290: the paper scaled the
# whole 224 total by rho² (Section 3.4), 568.74M · (160/224)² = 290.17M, but the classifier's
# 1,024,000 MACs do not shrink with the input (exact: (568.74M − 1.024M)·(5/7)² + 1.024M).
# TF-slim's table of released checkpoints lists MobileNet_v1_1.0_160 at 291 million MACs,
# the exact count; it agrees with the paper at 224, 192 and 128.
@pytest.mark.parametrize(
    "resolution, paper, exact_rounded", [(224, 569, 569), (192, 418, 418), (160, 290, 291), (128, 186, 186)]
)
def test_mobilenet_v1_resolution_table_7(resolution, paper, exact_rounded):
    t = totals("mobilenet_v1", params={"resolution": resolution})
    assert round(t.macs / 1e6) == exact_rounded
    # the paper's method: the 224 total times rho²
    assert round(568_740_352 * (resolution / 224) ** 2 / 1e6) == paper
    assert round(t.params / 1e6, 1) == 4.2
    assert t.params == 4_231_976
    assert (t.params, t.macs) == mobilenet_v1_by_hand(1.0, resolution)


def test_mobilenet_v1_classifier_macs_do_not_scale_with_resolution():
    # the explanation of the 160 row above, in exact integers
    macs_224 = totals("mobilenet_v1").macs
    macs_160 = totals("mobilenet_v1", params={"resolution": 160}).macs
    fc = 1024 * 1000
    assert (macs_224 - fc) * 25 == (macs_160 - fc) * 49


@pytest.mark.parametrize("alpha", [1.0, 0.75, 0.5, 0.25])
@pytest.mark.parametrize("resolution", [224, 192, 160, 128])
def test_mobilenet_v1_all_sixteen_models(alpha, resolution):
    t = totals("mobilenet_v1", params={"alpha": alpha, "resolution": resolution})
    assert (t.params, t.macs) == mobilenet_v1_by_hand(alpha, resolution)


def test_mobilenet_v1_width_rounds_down():
    # int(c·alpha): 32·0.35 = 11.2 → 11, 1024·0.35 = 358.4 → 358
    r = cnncalc.analyze("mobilenet_v1", params={"alpha": 0.35})
    assert r.layer("conv1").output_shape[0] == 11
    assert r.layer("block13.pw").output_shape[0] == 358
    assert r.layer("fc").params == 358 * 1000 + 1000


def test_mobilenet_v1_input_option_equals_resolution_param():
    by_param = totals("mobilenet_v1", params={"resolution": 160})
    by_input = totals("mobilenet_v1", input="160x160x3")
    assert (by_param.params, by_param.macs) == (by_input.params, by_input.macs)


def test_mobilenet_v1_cli_alpha_and_input():
    result = CliRunner().invoke(
        cli,
        ["summary", "mobilenet_v1", "--set", "alpha=0.5", "--input", "160x160x3", "--format", "json"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    api = totals("mobilenet_v1", params={"alpha": 0.5}, input="160x160x3")
    assert data["totals"]["params"] == api.params
    assert data["totals"]["macs"] == api.macs
    assert data["totals"]["non_trainable_params"] == api.non_trainable_params
    assert data["params_set"]["alpha"] == 0.5
    assert data["input_shape"] == [160, 160, 3]
    # hand arithmetic; TF-slim lists MobileNet_v1_0.50_160 at 77 million MACs
    assert (api.params, api.macs) == mobilenet_v1_by_hand(0.5, 160)
    assert round(api.macs / 1e6) == 77


def test_mobilenet_v1_cli_table_runs():
    result = CliRunner().invoke(
        cli,
        ["summary", "mobilenet_v1", "--set", "alpha=0.5", "--input", "160x160x3", "--depth", "1"],
        env={"COLUMNS": "120"},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "block13" in result.output


# --- MobileNet v2 --------------------------------------------------------------------------


def test_mobilenet_v2_exact_totals():
    t = totals("mobilenet_v2")
    assert t.params == 3_504_872  # torchvision mobilenet_v2: num_params
    assert t.macs == 300_774_272
    assert round(t.macs / 1e9, 3) == 0.301  # torchvision's metadata: "_ops": 0.301 (GMACs)
    # The paper (Table 4) and TF-slim's table say 300M mult-adds: 300.77M written down
    # rather than rounded (round() gives 301). The paper's 3.4M params and TF-slim's 3.47M
    # are consistent with counting conv and fc weights and the fc bias (BN folded away) with
    # 1001 classes: 3,504,872 − 2·17,056 (BN gamma, beta) + 1,281 = 3,472,041.
    bn = 32 + 1280  # stem and last conv
    cin = 32
    for ratio, c, n, _ in V2_SETTINGS:
        for _ in range(n):
            bn += (2 * cin * ratio if ratio != 1 else cin) + c  # expand + depthwise, project
            cin = c
    assert bn == 17_056
    assert (t.biases, t.non_trainable_params) == (bn + 1000, 2 * bn)
    assert mobilenet_v2_by_hand(1.0) == (3_504_872, 300_774_272)


def test_mobilenet_v2_structure():
    r = cnncalc.analyze("mobilenet_v2")
    kinds = [x.kind for x in r.layers]
    # shortcuts: n − 1 per stage with n > 1: 1 + 2 + 3 + 2 + 2 = 10
    assert kinds.count("add") == 10
    assert kinds.count("depthwise_conv") == 17
    # the t = 1 block has no expansion: 16 expansion convolutions
    assert sum(1 for x in r.layers if x.name.endswith(".expand")) == 16
    assert spatial(r, "conv1") == (112, 112)
    for block, (c, size) in {
        "block1": (16, 112),
        "block3": (24, 56),
        "block6": (32, 28),
        "block10": (64, 14),
        "block13": (96, 14),
        "block16": (160, 7),
        "block17": (320, 7),
    }.items():
        last = [x for x in r.layers if x.name.startswith(block + ".")][-1]
        assert last.output_shape == (c, size, size), block
    # block8: 64 → 384 → 64, 3×3 depthwise, no biases anywhere; BN gamma/beta only
    assert r.layer("block8.main.ir.expand").params == 64 * 384
    assert r.layer("block8.main.ir.dw").params == 9 * 384
    assert r.layer("block8.main.ir.project").params == 384 * 64
    assert r.layer("conv_last").output_shape == (1280, 7, 7)
    assert r.layer("fc").params == 1280 * 1000 + 1000


@pytest.mark.parametrize("alpha", [0.5, 0.75, 1.0, 1.4])
def test_mobilenet_v2_width_multiplier(alpha):
    t = totals("mobilenet_v2", params={"alpha": alpha})
    assert (t.params, t.macs) == mobilenet_v2_by_hand(alpha)


def test_mobilenet_v2_width_rounding():
    # make_divisible(32·0.35) = 16 (8 would be more than 10% below 11.2); the last layer
    # keeps 1280 for alpha < 1 and becomes make_divisible(1280·1.4) = 1792 above
    r = cnncalc.analyze("mobilenet_v2", params={"alpha": 0.35})
    assert r.layer("conv1").output_shape[0] == 16
    assert r.layer("block1.project").output_shape[0] == 8
    assert r.layer("conv_last").output_shape[0] == 1280
    assert cnncalc.analyze("mobilenet_v2", params={"alpha": 1.4}).layer("conv_last").output_shape[0] == 1792
    t = totals("mobilenet_v2", params={"alpha": 0.35})
    assert (t.params, t.macs) == mobilenet_v2_by_hand(0.35)


# --- EfficientNet-B0 -----------------------------------------------------------------------


def test_efficientnet_b0_exact_totals():
    t = totals("efficientnet_b0")
    assert t.params == 5_288_548  # torchvision efficientnet_b0 (Keras: trainable)
    assert t.macs == 385_814_752
    assert round(t.macs / 1e9, 3) == 0.386  # torchvision's metadata: "_ops": 0.386 (GMACs)
    assert round(t.macs / 1e9, 2) == 0.39  # the paper's Table 2: 0.39B FLOPS for B0
    assert round(t.params / 1e6, 1) == 5.3  # the paper's Table 2: 5.3M
    # Keras EfficientNetB0 prints 42,023 non-trainable params: the BN moving statistics
    # plus 7 of its input Normalization layer (mean 3, variance 3, count 1)
    assert t.non_trainable_params == 42_023 - 7


def test_efficientnet_b0_structure():
    r = cnncalc.analyze("efficientnet_b0")
    kinds = [x.kind for x in r.layers]
    assert kinds.count("multiply") == 16  # one SE gate per MBConv
    assert kinds.count("add") == 9  # layers − 1 per stage: 1 + 1 + 2 + 2 + 3
    assert kinds.count("depthwise_conv") == 16
    # squeeze width = max(1, block input channels // 4), not of the expanded channels
    assert r.layer("block1.se.gate.fc1").output_shape == (8, 1, 1)  # 32 // 4
    assert r.layer("block2.se.gate.fc1").output_shape == (4, 1, 1)  # 16 // 4
    assert r.layer("block16.se.gate.fc1").output_shape == (48, 1, 1)  # 192 // 4
    assert r.layer("block16.se.gate.fc2").output_shape == (1152, 1, 1)
    # SE convolutions carry biases: 1152·48 + 48 and 48·1152 + 1152
    assert r.layer("block16.se.gate.fc1").params == 1152 * 48 + 48
    assert r.layer("block16.se.gate.fc2").params == 48 * 1152 + 1152
    # SE MACs: on a 1×1 map, one multiplication per weight
    assert r.layer("block16.se.gate.fc1").macs == 1152 * 48
    # 5×5 depthwise with padding 2 keeps 14×14; stride 2 halves
    assert r.layer("block10.main.mb.dw").output_shape == (672, 14, 14)
    assert r.layer("block10.main.mb.dw").params == 25 * 672
    assert r.layer("block12.dw").output_shape == (672, 7, 7)
    assert r.layer("head").output_shape == (1280, 7, 7)
    assert r.layer("fc").params == 1280 * 1000 + 1000
    for kind in ("multiply", "add", "batch_norm", "silu", "sigmoid", "global_avg_pool"):
        assert sum(x.macs for x in r.layers if x.kind == kind) == 0, kind


def test_efficientnet_b0_se_share_of_macs():
    # the SE convolutions contribute Σ 2·expanded·squeeze MACs, by hand over the 16 blocks
    stages = [
        (1, 32, 16, 1),
        (6, 16, 24, 2),
        (6, 24, 40, 2),
        (6, 40, 80, 3),
        (6, 80, 112, 3),
        (6, 112, 192, 4),
        (6, 192, 320, 1),
    ]
    se = 0
    for t, cin, cout, n in stages:
        for i in range(n):
            c = cin if i == 0 else cout
            se += 2 * (c * t) * max(1, c // 4)
    r = cnncalc.analyze("efficientnet_b0")
    assert sum(x.macs for x in r.layers if ".se.gate." in x.name) == se

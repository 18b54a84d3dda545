"""MobileNetV3 in the built-in library: mobilenet_v3_large, mobilenet_v3_small and the LR-ASPP
segmentation model lraspp_mobilenet_v3_large, as torchvision builds them.

Expected numbers are independent of cnncalc: torchvision's documented parameter counts
(weights.meta["num_params"]) and "GFLOPS" (meta["_ops"], multiply-accumulates), exact MAC
counts measured with a forward-hook counter on torch, and hand arithmetic from torchvision's
block configuration (_mobilenet_v3_conf) written out below. None is copied from cnncalc's
output."""

import math

import pytest

import cnncalc

# --- torchvision's published figures ---------------------------------------------------------
# torchvision 0.28: MobileNet_V3_Large_Weights.IMAGENET1K_V1 / _V2, MobileNet_V3_Small_Weights.
# IMAGENET1K_V1 and LRASPP_MobileNet_V3_Large_Weights.COCO_WITH_VOC_LABELS_V1 .meta
PUBLISHED = {
    "mobilenet_v3_large": (5_483_032, 0.217),
    "mobilenet_v3_small": (2_542_856, 0.057),
    "lraspp_mobilenet_v3_large": (3_221_538, 2.086),  # its _ops are at 520×520
}

# --- measured with torch -----------------------------------------------------------------------
# torch 2.13 CPU, torchvision 0.28, weights=None (lraspp also weights_backbone=None), eval mode,
# one forward of zeros at 1×3×224×224 (lraspp: 1×3×520×520) with forward hooks on every leaf
# module, counting Conv2d output elements × (C_in / groups) × kH × kW and Linear in × out (no
# bias, nothing else): cnncalc's MAC convention. Non-trainable: the BatchNorm running_mean and
# running_var buffers (num_batches_tracked excluded); params: sum(p.numel()).
MEASURED = {
    # name: (MACs, non-trainable)
    "mobilenet_v3_large": (216_589_760, 24_400),
    "mobilenet_v3_small": (56_510_400, 12_112),
    "lraspp_mobilenet_v3_large": (2_086_219_688, 24_656),
}

# --- torchvision's configuration, by hand --------------------------------------------------------
# _mobilenet_v3_conf: (input, kernel, expanded, out, SE, stride) per InvertedResidual
LARGE = [
    (16, 3, 16, 16, False, 1),
    (16, 3, 64, 24, False, 2),
    (24, 3, 72, 24, False, 1),
    (24, 5, 72, 40, True, 2),
    (40, 5, 120, 40, True, 1),
    (40, 5, 120, 40, True, 1),
    (40, 3, 240, 80, False, 2),
    (80, 3, 200, 80, False, 1),
    (80, 3, 184, 80, False, 1),
    (80, 3, 184, 80, False, 1),
    (80, 3, 480, 112, True, 1),
    (112, 3, 672, 112, True, 1),
    (112, 5, 672, 160, True, 2),
    (160, 5, 960, 160, True, 1),
    (160, 5, 960, 160, True, 1),
]
SMALL = [
    (16, 3, 16, 16, True, 2),
    (16, 3, 72, 24, False, 2),
    (24, 3, 88, 24, False, 1),
    (24, 5, 96, 40, True, 2),
    (40, 5, 240, 40, True, 1),
    (40, 5, 240, 40, True, 1),
    (40, 5, 120, 48, True, 1),
    (48, 5, 144, 48, True, 1),
    (48, 5, 288, 96, True, 2),
    (96, 5, 576, 96, True, 1),
    (96, 5, 576, 96, True, 1),
]


def make_divisible(v, divisor=8):
    """torchvision's _make_divisible, written out again for the test."""
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


def backbone_by_hand(config, resolution, dilated_from=None):
    """torchvision's MobileNetV3.features counted layer by layer: (params, BN channels, MACs,
    size and channels after each block). Every k×k conv at stride s with padding (k−1)//2·d keeps
    ceil(n / s); dilated_from: the block index from which torchvision's dilated=True sets the
    stride to 1. BN: gamma + beta per channel (trainable), running mean + var (not)."""
    size = math.ceil(resolution / 2)
    params, bn, macs = 27 * 16 + 2 * 16, 16, size * size * 27 * 16
    after = [(size, 16)]
    for i, (cin, k, e, cout, se, s) in enumerate(config, start=1):
        if e != cin:  # 1×1 expansion
            macs += size * size * cin * e
            params, bn = params + cin * e + 2 * e, bn + e
        if dilated_from is None or i < dilated_from:
            size = math.ceil(size / s)
        macs += size * size * k * k * e  # depthwise
        params, bn = params + k * k * e + 2 * e, bn + e
        if se:  # 1×1 convs with bias on the pooled 1×1 map
            q = make_divisible(e // 4)
            macs += 2 * e * q
            params += e * q + q + q * e + e
        macs += size * size * e * cout  # 1×1 projection
        params, bn = params + e * cout + 2 * cout, bn + cout
        after.append((size, cout))
    last = 6 * config[-1][3]
    macs += size * size * config[-1][3] * last
    params, bn = params + config[-1][3] * last + 2 * last, bn + last
    after.append((size, last))
    return params, bn, macs, after


def classifier_by_hand(config, last_channel):
    params, bn, macs, _ = backbone_by_hand(config, 224)
    last = 6 * config[-1][3]
    return (
        params + last * last_channel + last_channel + last_channel * 1000 + 1000,
        bn,
        macs + last * last_channel + last_channel * 1000,
    )


def lraspp_by_hand(resolution=520, classes=21, inter=128):
    """Dilated backbone (blocks 13–15), low = features[4], high = features[16] (960)."""
    params, bn, macs, after = backbone_by_hand(LARGE, resolution, dilated_from=13)
    (low_size, low_c), (high_size, high_c) = after[4], after[16]
    macs += high_size * high_size * high_c * inter  # cbr conv
    params, bn = params + high_c * inter + 2 * inter, bn + inter
    macs += high_c * inter  # scale conv on the pooled 1×1 map
    params += high_c * inter
    macs += low_size * low_size * (low_c + inter) * classes  # low_classifier + high_classifier
    params += (low_c + 1) * classes + (inter + 1) * classes
    return params, bn, macs


BY_HAND = {
    "mobilenet_v3_large": classifier_by_hand(LARGE, 1280),
    "mobilenet_v3_small": classifier_by_hand(SMALL, 1024),
    "lraspp_mobilenet_v3_large": lraspp_by_hand(),
}
MODELS = list(PUBLISHED)


@pytest.fixture(scope="module")
def reports():
    return {name: cnncalc.analyze(name) for name in MODELS}


@pytest.mark.parametrize("name", MODELS)
def test_params_are_torchvisions_documented_count(reports, name):
    assert reports[name].totals.params == PUBLISHED[name][0]


@pytest.mark.parametrize("name", MODELS)
def test_non_trainable_are_the_batch_norm_running_stats(reports, name):
    _, bn_channels, _ = BY_HAND[name]
    assert reports[name].totals.non_trainable_params == 2 * bn_channels == MEASURED[name][1]


@pytest.mark.parametrize("name", MODELS)
def test_macs_round_to_torchvisions_published_gflops(reports, name):
    assert round(reports[name].totals.macs / 1e9, 3) == PUBLISHED[name][1]


@pytest.mark.parametrize("name", MODELS)
def test_macs_are_the_hook_count_and_the_hand_count(reports, name):
    totals = reports[name].totals
    assert totals.macs == MEASURED[name][0] == BY_HAND[name][2]
    assert totals.flops == 2 * totals.macs
    assert totals.params == BY_HAND[name][0]


# stage outputs (channels, H, W): the last layer of features.N; torchvision's strided blocks
# (C1–C4) halve the size, 224 → 112 (stem) → 56 → 28 → 14 → 7
LARGE_SHAPES = {
    "features.0.2": (16, 112, 112),
    "features.1.add": (16, 112, 112),
    "features.3.add": (24, 56, 56),
    "features.6.add": (40, 28, 28),
    "features.10.add": (80, 14, 14),
    "features.12.add": (112, 14, 14),
    "features.15.add": (160, 7, 7),
    "features.16.2": (960, 7, 7),
    "avgpool": (960, 1, 1),
    "classifier.0": (1280,),
    "classifier.3": (1000,),
}
SMALL_SHAPES = {
    "features.0.2": (16, 112, 112),
    "features.1.block.2.1": (16, 56, 56),  # block 1 has stride 2 and no shortcut
    "features.3.add": (24, 28, 28),
    "features.6.add": (40, 14, 14),
    "features.8.add": (48, 14, 14),
    "features.11.add": (96, 7, 7),
    "features.12.2": (576, 7, 7),
    "classifier.0": (1024,),
    "classifier.3": (1000,),
}
# 520 → 260 → 130 → 65 (low, output stride 8) → 33; the dilated last stage stays at 33
LRASPP_SHAPES = {
    "backbone.0.2": (16, 260, 260),
    "backbone.3.add": (24, 130, 130),
    "backbone.4.block.3.1": (40, 65, 65),
    "backbone.12.add": (112, 33, 33),
    "backbone.13.block.1.0": (672, 33, 33),  # stride 1, dilation 2
    "backbone.15.add": (160, 33, 33),
    "backbone.16.2": (960, 33, 33),
    "classifier.cbr.2": (128, 33, 33),
    "classifier.scale.2": (128, 1, 1),
    "classifier.multiply": (128, 33, 33),
    "classifier.upsample": (128, 65, 65),
    "classifier.low_classifier": (21, 65, 65),
    "classifier.add": (21, 65, 65),
    "upsample": (21, 520, 520),
}


@pytest.mark.parametrize(
    "name, shapes",
    [
        ("mobilenet_v3_large", LARGE_SHAPES),
        ("mobilenet_v3_small", SMALL_SHAPES),
        ("lraspp_mobilenet_v3_large", LRASPP_SHAPES),
    ],
)
def test_stage_shapes(reports, name, shapes):
    report = reports[name]
    for layer, shape in shapes.items():
        assert report.layer(layer).output_shape == shape, layer
    assert report.layers[-1].output_shape == list(shapes.values())[-1]


def test_squeeze_excitation_as_torchvision(reports):
    # large block 4: expanded 72, squeeze make_divisible(72 // 4, 8) = 24, 1×1 convs with bias
    large = reports["mobilenet_v3_large"]
    assert large.layer("features.4.block.2.fc1").output_shape == (24, 1, 1)
    assert large.layer("features.4.block.2.fc1").params == 72 * 24 + 24
    assert large.layer("features.4.block.2.fc2").params == 24 * 72 + 72
    assert large.layer("features.4.block.2.multiply").inputs == (
        "features.4.block.1.2",
        "features.4.block.2.scale_activation",
    )
    # small block 1 has no expansion: the SE reads the depthwise block.0; squeeze 8 (16 // 4 = 4)
    small = reports["mobilenet_v3_small"]
    assert small.layer("features.1.block.1.fc1").output_shape == (8, 1, 1)
    assert small.layer("features.1.block.1.multiply").inputs == (
        "features.1.block.0.2",
        "features.1.block.1.scale_activation",
    )


def test_shortcuts_where_torchvision_uses_them(reports):
    # InvertedResidual.use_res_connect (stride 1 and input = output channels), from torchvision
    expected = {
        "mobilenet_v3_large": {1, 3, 5, 6, 8, 9, 10, 12, 14, 15},
        "mobilenet_v3_small": {3, 5, 6, 8, 10, 11},
        "lraspp_mobilenet_v3_large": {1, 3, 5, 6, 8, 9, 10, 12, 14, 15},
    }
    for name, blocks in expected.items():
        adds = {
            int(layer.name.split(".")[1])
            for layer in reports[name].layers
            if layer.kind == "add" and layer.name.endswith(".add") and layer.name.count(".") == 2
        }
        assert adds == blocks, name


def test_lraspp_head_reads_the_low_and_high_features(reports):
    report = reports["lraspp_mobilenet_v3_large"]
    assert report.layer("classifier.cbr.0").inputs == ("backbone.16.2",)
    assert report.layer("classifier.scale.0").inputs == ("backbone.16.2",)
    assert report.layer("classifier.low_classifier").inputs == ("backbone.4.block.3.1",)
    assert report.layer("classifier.high_classifier").inputs == ("classifier.upsample",)
    # dilation 2 on the 5×5 depthwise convolutions of the last stage: padding 4 keeps 33×33
    assert report.layer("backbone.14.block.1.0").macs == 33 * 33 * 25 * 960
    # the classification head of mobilenet_v3_large is not part of the segmentation model
    assert not any(layer.kind == "dense" for layer in report.layers)
    assert "dead-end" not in [w.code for _, w in report.warnings]  # every layer reaches the output

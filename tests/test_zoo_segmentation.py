"""Segmentation built-ins: torchvision's fcn_resnet50 and deeplabv3_resnet50 (21 classes, 520×520,
aux_loss off by default), and the original U-Net (Ronneberger et al. 2015, 572×572×1 → 388×388×2).

Expected numbers are published figures (torchvision's weights meta: num_params and "_ops", which are
multiply-accumulates in units of 1e9), exact counts measured once with torch (torch 2.13 /
torchvision 0.28, weights=None, eval mode, forward hooks on every Conv2d / ConvTranspose2d / Linear
counting output elements × C_in/groups × kernel area, and input elements × C_out/groups × kernel
area for transposed convs, bias excluded; the count is cnncalc's convention), or hand arithmetic
written out here. None is copied from cnncalc's own output.

What torchvision's published figures count: both num_params and _ops are for the model WITH its
auxiliary classifier (loading the published weights forces aux_loss=True), at 520×520 input, and
only convolutions (torch.utils.flop_counter.FlopCounterMode and the hook counter agree exactly; the
bilinear interpolations count nothing). The built-ins default to aux_loss=false, so the published
figures are checked with aux_loss=true, and the default is checked as published − aux head (hand
arithmetic) and against the hook count without aux.
"""

from __future__ import annotations

import pytest
from helpers import analyzed as report
from helpers import hwc

import cnncalc

SEGMENTATION = ["fcn_resnet50", "deeplabv3_resnet50", "unet"]


def with_aux(name):
    return cnncalc.analyze(name, params={"aux_loss": True})


# --- the dilated ResNet-50 backbone and torchvision's heads, by hand ------------------------------


def resnet50_bn_channels():
    """Channels of every BatchNorm2d of torchvision's ResNet-50 trunk (bn1 + 3 per bottleneck +
    one per downsample); the dilation changes none of them."""
    total = 64
    for w, n in [(64, 3), (128, 4), (256, 6), (512, 3)]:
        total += n * (w + w + 4 * w) + 4 * w
    return total


def fcn_head_params(cin, classes=21):
    """FCNHead(cin, classes): conv 3×3 cin → cin/4 (no bias), BN (γ, β), conv 1×1 → classes + bias."""
    inter = cin // 4
    return 9 * cin * inter + 2 * inter + inter * classes + classes


def fcn_head_macs(cin, size=65, classes=21):
    inter = cin // 4
    return size * size * (9 * cin * inter + inter * classes)


AUX_PARAMS = fcn_head_params(1024)  # torchvision's aux_classifier = FCNHead(1024, 21)
AUX_MACS = fcn_head_macs(1024)  # on layer3's 65×65 output
AUX_BN = 2 * 256

TORCHVISION = {
    # FCN_ResNet50_Weights.COCO_WITH_VOC_LABELS_V1.meta / DeepLabV3_ResNet50_Weights...: with aux
    "fcn_resnet50": {"num_params": 35_322_218, "_ops": 152.717},
    "deeplabv3_resnet50": {"num_params": 42_004_074, "_ops": 178.722},
}
# exact MACs, torch 2.13 hook counter (see the module docstring), input 1×3×520×520,
# torchvision.models.segmentation.<name>(weights=None, weights_backbone=None, num_classes=21,
# aux_loss=...): (without aux, with aux); FlopCounterMode / 2 gives the same numbers
HOOK_MACS = {
    "fcn_resnet50": (142_725_772_800, 152_716_512_000),
    "deeplabv3_resnet50": (168_731_205_888, 178_721_945_088),
}
# sum(p.numel() for p in model.parameters()), the same models; without aux
TORCH_PARAMS = {"fcn_resnet50": 32_957_013, "deeplabv3_resnet50": 39_638_869}
HEAD_BN_CHANNELS = {"fcn_resnet50": 512, "deeplabv3_resnet50": 5 * 256 + 256 + 256}

TV = sorted(TORCHVISION)


@pytest.mark.parametrize("name", TV)
def test_published_params_with_the_aux_classifier(name):
    assert with_aux(name).totals.params == TORCHVISION[name]["num_params"]


@pytest.mark.parametrize("name", TV)
def test_published_gflops_with_the_aux_classifier(name):
    macs = with_aux(name).totals.macs
    assert round(macs / 1e9, 3) == TORCHVISION[name]["_ops"]
    assert round(macs / 1e9, 2) == round(TORCHVISION[name]["_ops"], 2)  # the docs table: 152.72 / 178.72
    assert macs == HOOK_MACS[name][1]


@pytest.mark.parametrize("name", TV)
def test_default_has_no_aux_classifier(name):
    r = report(name)
    # published (with aux) − FCNHead(1024, 21) = 2,365,205 params
    assert AUX_PARAMS == 2_365_205
    assert r.totals.params == TORCHVISION[name]["num_params"] - AUX_PARAMS == TORCH_PARAMS[name]
    # published MACs − the aux head's 65·65·(9·1024·256 + 256·21) = 9,990,739,200
    assert AUX_MACS == 9_990_739_200
    assert r.totals.macs == HOOK_MACS[name][1] - AUX_MACS == HOOK_MACS[name][0]
    # so without aux the published 152.717 / 178.722 are ~10 G too high
    assert round(r.totals.macs / 1e9, 3) == round(TORCHVISION[name]["_ops"] - AUX_MACS / 1e9, 3)
    assert [o.name for o in r.outputs] == ["out"]


@pytest.mark.parametrize("name", TV)
def test_non_trainable_are_the_batch_norm_running_stats(name):
    assert resnet50_bn_channels() == 26_560  # torchvision resnet50: 53,120 running-stat buffers
    expected = 2 * (resnet50_bn_channels() + HEAD_BN_CHANNELS[name])
    assert report(name).totals.non_trainable_params == expected
    assert with_aux(name).totals.non_trainable_params == expected + AUX_BN


@pytest.mark.parametrize("name", TV)
def test_outputs_with_aux(name):
    r = with_aux(name)
    out, aux = r.outputs
    assert (out.name, aux.name) == ("out", "aux")
    assert hwc(r.layer("out")) == hwc(r.layer("aux")) == (520, 520, 21)
    assert out.totals.params == TORCH_PARAMS[name]
    assert r.layer("aux").inputs == ("aux_classifier.4",)
    assert r.layer("aux_classifier.0").inputs[0].startswith("backbone.layer3.")


# output stride 8: conv1 /2, maxpool /2, layer2 /2, then layer3 and layer4 dilate instead of striding
BACKBONE_SHAPES = [
    ("backbone.conv1", (260, 260, 64)),
    ("backbone.maxpool", (130, 130, 64)),
    ("backbone.layer1.bottleneck2.relu1", (130, 130, 256)),
    ("backbone.layer2.bottleneck3.relu1", (65, 65, 512)),
    ("backbone.layer3.bottleneck5.relu1", (65, 65, 1024)),
    ("backbone.layer4.bottleneck2.relu1", (65, 65, 2048)),
]


@pytest.mark.parametrize("name", TV)
def test_backbone_and_output_shapes(name):
    r = report(name)
    for layer, shape in BACKBONE_SHAPES:
        assert hwc(r.layer(layer)) == shape, layer
    assert hwc(r.layer("classifier.4")) == (65, 65, 21)
    assert hwc(r.layers[-1]) == (520, 520, 21) and r.layers[-1].name == "out"
    assert r.layers[-1].macs == 0 and r.layers[-1].params == 0  # the interpolation counts nothing


@pytest.mark.parametrize("name", TV)
def test_dilation_rule_of_make_layer(name):
    """replace_stride_with_dilation=[False, True, True]: the first block of a dilated stage keeps
    the previous dilation (layer3: 1, layer4: 2), the others use the new one (2, 4); padding =
    dilation; the 1×1 downsample has stride 1."""
    r = report(name)

    def conv2(stage, block):
        h = r.layer(f"backbone.{stage}.{block}.residual.conv2").hyperparameters
        return tuple(h["dilation"]), tuple(h["stride"]), h["padding"][0][0]

    assert conv2("layer2", "bottleneck_down1") == ((1, 1), (2, 2), 1)
    assert conv2("layer3", "bottleneck_down1") == ((1, 1), (1, 1), 1)
    for i in range(1, 6):
        assert conv2("layer3", f"bottleneck{i}") == ((2, 2), (1, 1), 2)
    assert conv2("layer4", "bottleneck_down1") == ((2, 2), (1, 1), 2)
    for i in (1, 2):
        assert conv2("layer4", f"bottleneck{i}") == ((4, 4), (1, 1), 4)
    for stage in ("layer3", "layer4"):
        assert r.layer(f"backbone.{stage}.bottleneck_down1.downsample.0").hyperparameters["stride"] == [1, 1]


def test_fcn_head():
    r = report("fcn_resnet50")
    head = [x for x in r.layers if x.name.startswith("classifier.")]
    assert sum(x.params for x in head) == fcn_head_params(2048) == 9 * 2048 * 512 + 2 * 512 + 512 * 21 + 21
    assert sum(x.macs for x in head) == fcn_head_macs(2048)
    assert hwc(r.layer("classifier.0")) == (65, 65, 512)


def test_deeplab_aspp():
    r = report("deeplabv3_resnet50")
    for i, rate in [(1, 12), (2, 24), (3, 36)]:
        h = r.layer(f"classifier.0.convs.{i}.0").hyperparameters
        assert h["dilation"] == [rate, rate] and h["padding"][0] == [rate, rate] and h["bias"] is False
    for i in range(4):
        assert hwc(r.layer(f"classifier.0.convs.{i}.2")) == (65, 65, 256)
    # image pooling: 1×1 map, then back to the feature size
    assert hwc(r.layer("classifier.0.convs.4.0")) == (1, 1, 2048)
    assert hwc(r.layer("classifier.0.convs.4.2")) == (1, 1, 256)
    assert hwc(r.layer("classifier.0.convs.4.interpolate")) == (65, 65, 256)
    assert hwc(r.layer("classifier.0.convs.cat")) == (65, 65, 1280)
    assert hwc(r.layer("classifier.0.project.3")) == (65, 65, 256)
    head = [x for x in r.layers if x.name.startswith("classifier.")]
    aspp = 2048 * 256 + 3 * 9 * 2048 * 256 + 2048 * 256 + 1280 * 256  # no biases
    rest = 9 * 256 * 256 + 256 * 21 + 21
    bn = 2 * 256 * 7  # γ, β: 5 branches, project, classifier.2
    assert sum(x.params for x in head) == aspp + rest + bn
    # the pooling branch's conv runs on 1×1; everything else at 65×65
    macs = 65 * 65 * (2048 * 256 + 3 * 9 * 2048 * 256 + 1280 * 256 + 9 * 256 * 256 + 256 * 21) + 2048 * 256
    assert sum(x.macs for x in head) == macs


# --- U-Net, the original (Ronneberger et al. 2015, Figure 1) ---------------------------------------


def double_conv(cin, c):
    """Two unpadded 3×3 convs with bias: params."""
    return 9 * cin * c + c + 9 * c * c + c


def unet_params_by_hand(classes=2):
    down = double_conv(1, 64) + double_conv(64, 128) + double_conv(128, 256) + double_conv(256, 512)
    bottom = double_conv(512, 1024)
    up = 0
    for c in (512, 256, 128, 64):
        up += 4 * (2 * c) * c + c  # 2×2 up-conv 2c → c, with bias
        up += double_conv(2 * c, c)  # after concatenating the cropped skip (c + c channels)
    return down + bottom + up + 64 * classes + classes


# (layer, H = W, C): Figure 1; a level's output is its second ReLU (downK.relu2, upK.relu2)
UNET_FIGURE_1 = [
    ("down1.conv1", 570, 64),
    ("down1.relu2", 568, 64),
    ("pool1", 284, 64),
    ("down2.conv1", 282, 128),
    ("down2.relu2", 280, 128),
    ("pool2", 140, 128),
    ("down3.conv1", 138, 256),
    ("down3.relu2", 136, 256),
    ("pool3", 68, 256),
    ("down4.conv1", 66, 512),
    ("down4.relu2", 64, 512),
    ("pool4", 32, 512),
    ("bottleneck.conv1", 30, 1024),
    ("bottleneck.relu2", 28, 1024),
    ("upconv4", 56, 512),
    ("crop4", 56, 512),
    ("cat4", 56, 1024),
    ("up4.conv1", 54, 512),
    ("up4.relu2", 52, 512),
    ("upconv3", 104, 256),
    ("crop3", 104, 256),
    ("cat3", 104, 512),
    ("up3.conv1", 102, 256),
    ("up3.relu2", 100, 256),
    ("upconv2", 200, 128),
    ("crop2", 200, 128),
    ("cat2", 200, 256),
    ("up2.conv1", 198, 128),
    ("up2.relu2", 196, 128),
    ("upconv1", 392, 64),
    ("crop1", 392, 64),
    ("cat1", 392, 128),
    ("up1.conv1", 390, 64),
    ("up1.relu2", 388, 64),
    ("final", 388, 2),
]


def test_unet_figure_1_shapes():
    r = report("unet")
    assert r.input_shape == (1, 572, 572)
    for name, size, c in UNET_FIGURE_1:
        assert hwc(r.layer(name)) == (size, size, c), name
    assert hwc(r.layers[-1]) == (388, 388, 2) and r.layers[-1].name == "final"
    # 572 was chosen so that every 2×2 max pool sees an even size: nothing is floored
    assert not r.warnings


def test_unet_skips_are_read_by_name_and_cropped_centred():
    r = report("unet")
    for k in (1, 2, 3, 4):
        assert r.layer(f"crop{k}").inputs == (f"down{k}.relu2",)
        assert r.layer(f"cat{k}").inputs == (f"crop{k}", f"upconv{k}")
    assert r.layer("upconv4").inputs == ("bottleneck.relu2",)


def test_unet_params():
    r = report("unet")
    assert unet_params_by_hand() == 31_030_658
    # also: sum(p.numel()) of a torch re-implementation (nn.Conv2d / nn.ConvTranspose2d, torch 2.13)
    assert r.totals.params == 31_030_658
    assert r.totals.non_trainable_params == 0  # no batch norm
    assert r.totals.biases == 2 * (64 + 128 + 256 + 512) + 2 * 1024 + 3 * (512 + 256 + 128 + 64) + 2
    # The often-quoted 31,031,685 is zhixuhao/unet (Keras, padded 256×256×1): its head is a 3×3 conv
    # 64 → 2 and a 1×1 conv 2 → 1 (sigmoid) instead of the paper's 1×1 conv 64 → 2.
    assert unet_params_by_hand() - (64 * 2 + 2) + (9 * 64 * 2 + 2) + (2 * 1 + 1) == 31_031_685


def test_unet_macs():
    # by hand: conv = out H·W · 9 · C_in · C_out; up-conv = in H·W · C_out · 4; final 1×1
    convs = [
        (570, 1, 64),
        (568, 64, 64),
        (282, 64, 128),
        (280, 128, 128),
        (138, 128, 256),
        (136, 256, 256),
        (66, 256, 512),
        (64, 512, 512),
        (30, 512, 1024),
        (28, 1024, 1024),
        (54, 1024, 512),
        (52, 512, 512),
        (102, 512, 256),
        (100, 256, 256),
        (198, 256, 128),
        (196, 128, 128),
        (390, 128, 64),
        (388, 64, 64),
    ]
    ups = [(28, 1024, 512), (52, 512, 256), (100, 256, 128), (196, 128, 64)]
    macs = (
        sum(s * s * 9 * ci * co for s, ci, co in convs)
        + sum(s * s * ci * co * 4 for s, ci, co in ups)
        + 388 * 388 * 64 * 2
    )
    # torch 2.13 hook counter on the re-implementation (module docstring), input 1×1×572×572
    assert report("unet").totals.macs == macs == 150_428_424_448

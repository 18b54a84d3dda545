"""Built-ins SqueezeNet 1.0 / 1.1 and DenseNet-121 / 169, exact to torchvision.

Expected numbers are independent of cnncalc:
  - params: torchvision's documented num_params (`weights.meta["num_params"]` of
    SqueezeNet1_0_Weights, SqueezeNet1_1_Weights, DenseNet121_Weights, DenseNet169_Weights,
    IMAGENET1K_V1), equal to sum(p.numel() for p in model.parameters());
  - MACs: torchvision's published "GFLOPS" (meta["_ops"], multiply-accumulates in units of 1e9,
    compared to the digits printed), and the exact count measured with a forward-hook counter
    (torch 2.13, torchvision 0.28, weights=None, eval, input 1×3×224×224; per Conv2d output
    elements × in_channels/groups × kh × kw, per Linear in × out, bias excluded);
  - non-trainable: batch norm running mean + running var = 2·C per BatchNorm2d (the torch buffers
    without num_batches_tracked), and the same by the arithmetic below;
  - shapes: the output shapes torchvision's modules produce at 224×224 (recorded with the same
    hooks), and the paper's channel bookkeeping (Fire: e1x1 + e3x3; DenseNet: c + n·k, halved
    by each transition).
The arithmetic functions re-derive params, batch-norm channels and MACs from torchvision's
definitions written out here, not from cnncalc."""

from __future__ import annotations

import pytest
from helpers import analyzed as report
from helpers import hwc

NAMES = ["squeezenet1_0", "squeezenet1_1", "densenet121", "densenet169"]

# torchvision's weights.meta["num_params"] (IMAGENET1K_V1)
TORCHVISION_PARAMS = {
    "squeezenet1_0": 1_248_424,
    "squeezenet1_1": 1_235_496,
    "densenet121": 7_978_856,
    "densenet169": 14_149_480,
}
# torchvision's weights.meta["_ops"] ("GFLOPS" = GMACs), with the number of decimals printed
TORCHVISION_GFLOPS = {
    "squeezenet1_0": (0.819, 3),
    "squeezenet1_1": (0.349, 3),
    "densenet121": (2.834, 3),
    "densenet169": (3.36, 2),
}
# exact MACs measured with a forward-hook counter on torchvision's model (torch 2.13,
# torchvision 0.28, weights=None, eval(), one 1×3×224×224 input): Conv2d output elements ×
# in_channels/groups × kh × kw, Linear in_features × out_features, biases excluded
HOOK_MACS = {
    "squeezenet1_0": 818_924_576,
    "squeezenet1_1": 349_151_936,
    "densenet121": 2_834_161_664,
    "densenet169": 3_359_843_328,
}
# sum over torchvision's BatchNorm2d of running_mean.numel() + running_var.numel() (measured)
TORCH_BUFFERS = {"squeezenet1_0": 0, "squeezenet1_1": 0, "densenet121": 83_648, "densenet169": 158_400}


def in_scope(r, prefix):
    return [x for x in r.layers if x.name.startswith(prefix + ".")]


def block_output(r, prefix):
    """A block instance's output is that of its last layer."""
    return in_scope(r, prefix)[-1]


# --- torchvision's definitions, by arithmetic -------------------------------------------------

# SqueezeNet Fire modules (squeeze, expand1x1, expand3x3) with their features index, and pools
FIRES = [
    (16, 64, 64),
    (16, 64, 64),
    (32, 128, 128),
    (32, 128, 128),
    (48, 192, 192),
    (48, 192, 192),
    (64, 256, 256),
    (64, 256, 256),
]
# torchvision's features list: "pool" or a Fire (by position in FIRES)
SQUEEZE_FEATURES = {
    "squeezenet1_0": ["pool", 0, 1, 2, "pool", 3, 4, 5, 6, "pool", 7],
    "squeezenet1_1": ["pool", 0, 1, "pool", 2, 3, "pool", 4, 5, 6, 7],
}
SQUEEZE_CONV1 = {"squeezenet1_0": (96, 7), "squeezenet1_1": (64, 3)}


def squeezenet_by_hand(name, size=224):
    """(params, MACs, features-index → (H, C)) of torchvision's SqueezeNet: conv1 k×k/2 no
    padding; max pools 3×3/2 with ceil_mode; Fire = 1×1 squeeze, 1×1 and 3×3 (pad 1) expand;
    classifier conv 1×1 to 1000; every conv with bias."""
    filters, k = SQUEEZE_CONV1[name]
    size = (size - k) // 2 + 1
    c = filters
    params, macs = k * k * 3 * filters + filters, size * size * k * k * 3 * filters
    shapes = {0: (size, c)}
    for index, item in enumerate(SQUEEZE_FEATURES[name], start=2):
        if item == "pool":
            size = -(-(size - 3) // 2) + 1  # ceil_mode
        else:
            s, e1, e3 = FIRES[item]
            params += c * s + s + s * e1 + e1 + 9 * s * e3 + e3
            macs += size * size * (c * s + s * e1 + 9 * s * e3)
            c = e1 + e3
        shapes[index] = (size, c)
    params += c * 1000 + 1000
    macs += size * size * c * 1000
    return params, macs, shapes


DENSE_CONFIG = {"densenet121": (6, 12, 24, 16), "densenet169": (6, 12, 32, 32)}
K, BN_SIZE, INIT = 32, 4, 64


def densenet_by_hand(name, size=224):
    """(params, batch-norm channels, MACs, per-stage (H, C)) of torchvision's DenseNet-BC:
    conv0 7×7/2 pad 3 + norm0 + max pool 3×3/2 pad 1; dense layers BN(c) + 1×1 conv to
    bn_size·k + BN + 3×3 conv to k (no biases); transitions BN + 1×1 conv to c // 2 + avg pool
    2×2/2; norm5; Linear(c, 1000) with bias. BN: 2 trainable (γ, β) per channel."""
    size //= 2
    c = INIT
    bn, weights = c, 7 * 7 * 3 * c
    macs = size * size * weights
    size //= 2  # pool0
    stages = {"pool0": (size, c)}
    config = DENSE_CONFIG[name]
    for b, n in enumerate(config, start=1):
        for _ in range(n):
            bn += c + BN_SIZE * K
            weights += c * BN_SIZE * K + 9 * BN_SIZE * K * K
            macs += size * size * (c * BN_SIZE * K + 9 * BN_SIZE * K * K)
            c += K
        stages[f"denseblock{b}"] = (size, c)
        if b < len(config):
            bn += c
            weights += c * (c // 2)
            macs += size * size * c * (c // 2)
            c //= 2
            size //= 2
            stages[f"transition{b}"] = (size, c)
    bn += c  # norm5
    params = weights + 2 * bn + c * 1000 + 1000
    macs += c * 1000
    return params, bn, macs, stages


# --- every model: file, totals, output ---------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_params_are_torchvisions(name):
    r = report(name)
    assert r.totals.params == TORCHVISION_PARAMS[name]


@pytest.mark.parametrize("name", NAMES)
def test_non_trainable_are_the_batch_norm_running_stats(name):
    r = report(name)
    assert r.totals.non_trainable_params == TORCH_BUFFERS[name]
    if name.startswith("densenet"):
        assert TORCH_BUFFERS[name] == 2 * densenet_by_hand(name)[1]


@pytest.mark.parametrize("name", NAMES)
def test_macs_match_torchvisions_gflops_and_the_hook_count(name):
    macs = report(name).totals.macs
    gflops, digits = TORCHVISION_GFLOPS[name]
    assert round(macs / 1e9, digits) == gflops
    assert macs == HOOK_MACS[name]
    assert report(name).totals.flops == 2 * macs


@pytest.mark.parametrize("name", NAMES)
def test_output_is_1000_logits(name):
    r = report(name)
    assert r.layers[-1].output_shape == (1000,)
    assert hwc(r.layer("input")) == (224, 224, 3)


# --- SqueezeNet ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["squeezenet1_0", "squeezenet1_1"])
def test_squeezenet_by_arithmetic(name):
    params, macs, _ = squeezenet_by_hand(name)
    assert (params, macs) == (TORCHVISION_PARAMS[name], HOOK_MACS[name])


# features index → (H = W, C) as torchvision's modules output them at 224×224 (hooks), the
# classifier's conv10 and pool
SQUEEZENET_SHAPES = {
    "squeezenet1_0": {
        "features.0": (109, 109, 96),
        "features.2": (54, 54, 96),
        "features.3": (54, 54, 128),
        "features.5": (54, 54, 256),
        "features.6": (27, 27, 256),
        "features.10": (27, 27, 512),
        "features.11": (13, 13, 512),
        "features.12": (13, 13, 512),
        "classifier.1": (13, 13, 1000),
        "classifier.3": (1, 1, 1000),
    },
    "squeezenet1_1": {
        "features.0": (111, 111, 64),
        "features.2": (55, 55, 64),
        "features.4": (55, 55, 128),
        "features.5": (27, 27, 128),
        "features.7": (27, 27, 256),
        "features.8": (13, 13, 256),
        "features.12": (13, 13, 512),
        "classifier.1": (13, 13, 1000),
        "classifier.3": (1, 1, 1000),
    },
}


@pytest.mark.parametrize("name", ["squeezenet1_0", "squeezenet1_1"])
def test_squeezenet_shapes(name):
    r = report(name)
    names = {x.name for x in r.layers}
    for layer, shape in SQUEEZENET_SHAPES[name].items():
        row = r.layer(layer) if layer in names else block_output(r, layer)
        assert hwc(row) == shape, layer
    _, _, by_hand = squeezenet_by_hand(name)
    for index, (size, c) in by_hand.items():
        layer = f"features.{index}"
        row = r.layer(layer) if layer in names else block_output(r, layer)
        assert hwc(row) == (size, size, c), layer


def test_squeezenet1_0_pools_round_up():
    # features.6 sees 54×54: (54 − 3)/2 = 25.5, ceil_mode gives 27 (floor would give 26)
    r = report("squeezenet1_0")
    assert r.layer("features.6").output_shape == (256, 27, 27)
    assert "ceil" in r.layer("features.6").label


@pytest.mark.parametrize("name", ["squeezenet1_0", "squeezenet1_1"])
def test_fire_module_reads_the_squeeze_twice_and_concatenates(name):
    r = report(name)
    fire = "features.3"
    assert r.layer(f"{fire}.expand1x1").inputs == (f"{fire}.squeeze_activation",)
    assert r.layer(f"{fire}.expand3x3").inputs == (f"{fire}.squeeze_activation",)
    assert r.layer(f"{fire}.cat").inputs == (f"{fire}.expand1x1_activation", f"{fire}.expand3x3_activation")
    c_in = 96 if name == "squeezenet1_0" else 64
    # squeeze 16, expand 64 + 64, with biases
    assert r.layer(f"{fire}.squeeze").params == c_in * 16 + 16
    assert r.layer(f"{fire}.expand1x1").params == 16 * 64 + 64
    assert r.layer(f"{fire}.expand3x3").params == 9 * 16 * 64 + 64
    assert r.layer(f"{fire}.cat").output_shape[0] == 128


@pytest.mark.parametrize("name", ["squeezenet1_0", "squeezenet1_1"])
def test_squeezenet_classifier_is_a_conv(name):
    r = report(name)
    kinds = [x.kind for x in in_scope(r, "classifier")]
    assert kinds == ["dropout", "conv", "relu", "adaptive_avg_pool"]
    assert r.layer("classifier.1").params == 512 * 1000 + 1000
    assert r.layer("classifier.1").macs == 13 * 13 * 512 * 1000
    assert not any(x.kind in ("dense", "batch_norm") for x in r.layers)


# --- DenseNet --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["densenet121", "densenet169"])
def test_densenet_by_arithmetic(name):
    params, _, macs, _ = densenet_by_hand(name)
    assert (params, macs) == (TORCHVISION_PARAMS[name], HOOK_MACS[name])


@pytest.mark.parametrize("name", ["densenet121", "densenet169"])
def test_densenet_stage_shapes(name):
    # the paper's Table 1 output sizes 112 (conv), 56 (pool, block 1), 28, 14, 7; channels
    # c + n·k per block, halved by each transition
    r = report(name)
    assert hwc(r.layer("features.conv0")) == (112, 112, 64)
    _, _, _, stages = densenet_by_hand(name)
    assert hwc(r.layer("features.pool0")) == (56, 56, 64)
    assert stages["pool0"] == (56, 64)
    for stage, (size, c) in stages.items():
        if stage != "pool0":
            assert hwc(block_output(r, f"features.{stage}")) == (size, size, c), stage
    last = {"densenet121": 1024, "densenet169": 1664}[name]
    assert hwc(r.layer("features.norm5")) == (7, 7, last)
    assert r.layer("avgpool").output_shape == (last, 1, 1)
    assert r.layer("classifier").params == last * 1000 + 1000


EXPECTED_STAGES = {
    "densenet121": {
        "denseblock1": (56, 256),
        "transition1": (28, 128),
        "denseblock2": (28, 512),
        "transition2": (14, 256),
        "denseblock3": (14, 1024),
        "transition3": (7, 512),
        "denseblock4": (7, 1024),
    },
    "densenet169": {
        "denseblock1": (56, 256),
        "transition1": (28, 128),
        "denseblock2": (28, 512),
        "transition2": (14, 256),
        "denseblock3": (14, 1280),
        "transition3": (7, 640),
        "denseblock4": (7, 1664),
    },
}


@pytest.mark.parametrize("name", ["densenet121", "densenet169"])
def test_densenet_stage_outputs_as_torchvision(name):
    # the outputs of torchvision's _DenseBlock and _Transition modules at 224×224 (hooks)
    r = report(name)
    for stage, (size, c) in EXPECTED_STAGES[name].items():
        assert hwc(block_output(r, f"features.{stage}")) == (size, size, c), stage


@pytest.mark.parametrize("name", ["densenet121", "densenet169"])
def test_dense_connectivity(name):
    r = report(name)
    block = "features.denseblock2"
    first = f"{block}.denselayer1"
    # the first layer of block 2 concatenates the transition's output with its 32 new maps
    assert r.layer(f"{first}.cat").inputs == ("features.transition1.pool", f"{first}.conv2")
    assert r.layer(f"{first}.norm1").inputs == ("features.transition1.pool",)
    # layer l of a block sees c + (l − 1)·k channels and adds k
    for layer in range(1, 13):
        here = f"{block}.denselayer{layer}"
        c_in = 128 + (layer - 1) * K
        assert r.layer(f"{here}.norm1").params == 2 * c_in
        assert r.layer(f"{here}.norm1").non_trainable_params == 2 * c_in
        assert r.layer(f"{here}.conv1").params == c_in * BN_SIZE * K  # no bias
        assert r.layer(f"{here}.conv1").output_shape == (BN_SIZE * K, 28, 28)
        assert r.layer(f"{here}.conv2").params == 9 * BN_SIZE * K * K
        assert r.layer(f"{here}.conv2").output_shape == (K, 28, 28)
        assert r.layer(f"{here}.cat").output_shape == (c_in + K, 28, 28)
        if layer > 1:
            assert r.layer(f"{here}.cat").inputs[0] == f"{block}.denselayer{layer - 1}.cat"
    assert len([x for x in r.layers if x.name.startswith(block + ".") and x.name.endswith(".cat")]) == 12


@pytest.mark.parametrize("name", ["densenet121", "densenet169"])
def test_densenet_layer_counts(name):
    # torchvision's module counts: conv0 + 2 convs per dense layer + 3 transition convs;
    # one BN per conv (norm0, norm1/norm2, transition norms) + norm5
    r = report(name)
    n = sum(DENSE_CONFIG[name])
    convs = [x for x in r.layers if x.kind == "conv"]
    bns = [x for x in r.layers if x.kind == "batch_norm"]
    assert len(convs) == 1 + 2 * n + 3 and len(bns) == len(convs) + 1
    assert all(x.biases == 0 for x in convs)
    # 121 and 169 count the weighted layers: convs + the classifier
    assert len(convs) + 1 == int(name[len("densenet") :])


def test_densenet_transition():
    r = report("densenet121")
    t = "features.transition3"
    assert [x.kind for x in in_scope(r, t)] == ["batch_norm", "relu", "conv", "avg_pool"]
    assert r.layer(f"{t}.norm").params == 2 * 1024
    assert r.layer(f"{t}.conv").params == 1024 * 512
    assert r.layer(f"{t}.conv").macs == 14 * 14 * 1024 * 512
    assert hwc(r.layer(f"{t}.pool")) == (7, 7, 512)

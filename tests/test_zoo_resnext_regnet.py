"""Built-ins from torchvision: ResNeXt-50 32×4d, Wide ResNet-50-2, RegNetX-400MF, RegNetY-400MF.

Every expected number is independent of cnncalc's output:
  * params: torchvision's documented num_params (`<Model>_Weights.IMAGENET1K_V1.meta["num_params"]`,
    equal to sum(p.numel() for p in model.parameters()));
  * MACs: torchvision's documented "GFLOPS" (`meta["_ops"]`, which are multiply-accumulates) to
    its printed rounding, and the exact count measured with a forward-hook counter in torch;
  * non-trainable: BN running mean + var, 2·C per BN (torch's buffers without num_batches_tracked);
  * hand arithmetic written out below: the RegNet stage tables re-derived the way torchvision's
    BlockParams.from_init_params does, and params / MACs / BN channels counted from them.

The exact MACs were measured once with torch 2.13 / torchvision 0.28 (CPU, weights=None, eval
mode, one forward of a 1×3×224×224 tensor) by a forward hook on every nn.Conv2d
(output elements × in_channels / groups × kH × kW) and nn.Linear (in × out), biases excluded,
which is cnncalc's convention. The same script compared every conv / linear / BN layer with
cnncalc's JSON, name by name (output shape, params, buffers, MACs): all equal.
"""

import math

import pytest
from helpers import analyzed as report
from helpers import hwc

import cnncalc

FILES = ["resnext50_32x4d", "wide_resnet50_2", "regnet_x_400mf", "regnet_y_400mf"]

# torchvision's weights meta (IMAGENET1K_V1 and _V2 agree): num_params and _ops ("GFLOPS", MACs / 1e9)
NUM_PARAMS = {
    "resnext50_32x4d": 25_028_904,
    "wide_resnet50_2": 68_883_240,
    "regnet_x_400mf": 5_495_976,
    "regnet_y_400mf": 4_344_144,
}
GFLOPS = {  # (value, decimals printed)
    "resnext50_32x4d": (4.23, 2),
    "wide_resnet50_2": (11.398, 3),
    "regnet_x_400mf": (0.414, 3),
    "regnet_y_400mf": (0.402, 3),
}
# measured: torch 2.13 forward-hook counter on Conv2d / Linear weights, input 1×3×224×224 (see above)
HOOK_MACS = {
    "resnext50_32x4d": 4_230_479_872,
    "wide_resnet50_2": 11_398_021_120,
    "regnet_x_400mf": 413_812_608,
    "regnet_y_400mf": 401_842_848,
}
# measured the same way: sum of BN running_mean + running_var buffers
TORCH_BUFFERS = {
    "resnext50_32x4d": 68_224,
    "wide_resnet50_2": 68_224,
    "regnet_x_400mf": 37_856,
    "regnet_y_400mf": 27_152,
}


def in_scope(r, prefix):
    return [x for x in r.layers if x.name.startswith(prefix + ".")]


# --- every file -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_torchvision_num_params(name):
    assert report(name).totals.params == NUM_PARAMS[name]


@pytest.mark.parametrize("name", FILES)
def test_torchvision_gflops_to_its_rounding(name):
    value, decimals = GFLOPS[name]
    assert round(report(name).totals.macs / 1e9, decimals) == value
    assert abs(report(name).totals.macs / 1e9 - value) <= 0.5 * 10**-decimals


@pytest.mark.parametrize("name", FILES)
def test_exact_macs_from_the_torch_hook_counter(name):
    assert report(name).totals.macs == HOOK_MACS[name]
    assert report(name).totals.flops == 2 * HOOK_MACS[name]


@pytest.mark.parametrize("name", FILES)
def test_non_trainable_is_bn_running_stats(name):
    r = report(name)
    bn_channels = sum(x.output_shape[0] for x in r.layers if x.kind == "batch_norm")
    assert r.totals.non_trainable_params == 2 * bn_channels == TORCH_BUFFERS[name]


@pytest.mark.parametrize("name", FILES)
def test_output_is_1000_logits(name):
    r = report(name)
    assert r.layers[-1].name == "fc" and hwc(r.layers[-1]) == (1000,)


# --- ResNeXt-50 32×4d and Wide ResNet-50-2 (torchvision Bottleneck) ---------------------------

STAGES = [(64, 3, 56, 1), (128, 4, 28, 2), (256, 6, 14, 2), (512, 3, 7, 2)]  # planes, blocks, size, stride


def bottleneck_resnet_by_hand(groups, width_per_group):
    """torchvision's ResNet(Bottleneck, [3, 4, 6, 3], groups, width_per_group) counted by hand:
    (params, MACs, BN channels) at 224×224."""
    params, macs, bn = 7 * 7 * 3 * 64 + 2 * 64, 112 * 112 * 7 * 7 * 3 * 64, 64
    cin, size_in = 64, 56
    for planes, n, size, _stride in STAGES:
        width, out = int(planes * width_per_group / 64) * groups, 4 * planes
        for i in range(n):
            s_in = size_in if i == 0 else size
            c_in = cin if i == 0 else out
            params += c_in * width + 9 * width // groups * width + width * out + 2 * (2 * width + out)
            macs += s_in * s_in * c_in * width + size * size * (9 * width // groups * width + width * out)
            bn += 2 * width + out
            if i == 0:  # downsample: 1×1 with the stride + BN
                params += c_in * out + 2 * out
                macs += size * size * c_in * out
                bn += out
        cin, size_in = out, size
    params += 2048 * 1000 + 1000
    macs += 2048 * 1000
    return params, macs, bn


@pytest.mark.parametrize("name,groups,wpg", [("resnext50_32x4d", 32, 4), ("wide_resnet50_2", 1, 128)])
def test_bottleneck_resnets_by_hand(name, groups, wpg):
    params, macs, bn = bottleneck_resnet_by_hand(groups, wpg)
    r = report(name)
    assert (r.totals.params, r.totals.macs, r.totals.non_trainable_params) == (params, macs, 2 * bn)


@pytest.mark.parametrize("name", ["resnext50_32x4d", "wide_resnet50_2"])
def test_bottleneck_resnet_stages(name):
    """Xie et al. Table 1 / torchvision: 3, 4, 6, 3 blocks; stage outputs 256…2048 at 56…7;
    inner width 2·planes (128 … 1024) for both models."""
    r = report(name)
    assert hwc(r.layer("conv1")) == (112, 112, 64) and hwc(r.layer("maxpool")) == (56, 56, 64)
    for k, (planes, n, size, _) in enumerate(STAGES, start=1):
        assert len([x for x in in_scope(r, f"layer{k}") if x.kind == "add"]) == n
        assert hwc(r.layer(f"layer{k}.{n - 1}.relu")) == (size, size, 4 * planes)
        assert hwc(r.layer(f"layer{k}.0.residual.conv2")) == (size, size, 2 * planes)
        assert hwc(r.layer(f"layer{k}.0.downsample.0")) == (size, size, 4 * planes)
    # v1.5: the stride sits on the 3×3; the first 1×1 of layer2.0 still runs at 56×56
    assert hwc(r.layer("layer2.0.residual.conv1")) == (56, 56, 256)
    assert hwc(r.layer("layer2.0.residual.conv2")) == (28, 28, 256)
    assert sum(x.biases for x in r.layers if x.kind == "conv") == 0


def test_resnext_grouped_3x3():
    r = report("resnext50_32x4d")
    conv2 = r.layer("layer1.0.residual.conv2")
    assert conv2.hyperparameters["groups"] == 32
    assert conv2.weights == 128 * (128 // 32) * 9  # 32 groups of 4 channels
    assert r.layer("layer4.2.residual.conv2").weights == 1024 * (1024 // 32) * 9


def test_wide_resnet_last_block_is_2048_1024_2048():
    r = report("wide_resnet50_2")
    assert hwc(r.layer("layer4.2.residual.conv1")) == (7, 7, 1024)
    assert r.layer("layer4.2.residual.conv2").weights == 1024 * 1024 * 9
    assert hwc(r.layer("layer4.2.residual.conv3")) == (7, 7, 2048)


def test_resnext_file_with_wide_widths_is_wide_resnet():
    r = cnncalc.analyze("resnext50_32x4d", params={"groups": 1, "width_per_group": 128})
    assert (r.totals.params, r.totals.macs) == (NUM_PARAMS["wide_resnet50_2"], HOOK_MACS["wide_resnet50_2"])


# --- RegNet: the stage tables, derived as torchvision does --------------------------------


def make_divisible(v, divisor, min_value=None):
    """torchvision's _make_divisible, written out again."""
    min_value = divisor if min_value is None else min_value
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


def regnet_stages(depth, w_0, w_a, w_m, group_width):
    """BlockParams.from_init_params (bottleneck multiplier 1, QUANT 8): (widths, depths, group widths)."""
    caps = [round(math.log((w_0 + w_a * j) / w_0) / math.log(w_m)) for j in range(depth)]
    block_widths = [int(round(w_0 * w_m**c / 8) * 8) for c in caps]
    widths, depths = [], []
    for w in block_widths:
        if widths and widths[-1] == w:
            depths[-1] += 1
        else:
            widths.append(w)
            depths.append(1)
    gws = [min(group_width, w) for w in widths]
    return [make_divisible(w, g) for w, g in zip(widths, gws)], depths, gws


REGNETS = {
    "regnet_x_400mf": (regnet_stages(22, 24, 24.48, 2.54, 16), None),
    "regnet_y_400mf": (regnet_stages(16, 48, 27.89, 2.09, 8), 0.25),
}


def test_regnet_stage_tables():
    """The values torchvision's BlockParams gives (printed by torchvision 0.28)."""
    assert REGNETS["regnet_x_400mf"][0] == ([32, 64, 160, 400], [1, 2, 7, 12], [16] * 4)
    assert REGNETS["regnet_y_400mf"][0] == ([48, 104, 208, 440], [1, 3, 6, 6], [8] * 4)


def regnet_by_hand(widths, depths, gws, se_ratio):
    """RegNet(SimpleStemIN 32, ResBottleneckBlock, fc) counted by hand: (params, MACs, BN channels)."""
    params, macs, bn = 27 * 32 + 2 * 32, 112 * 112 * 27 * 32, 32
    cin, size_in = 32, 112
    for w, d, gw in zip(widths, depths, gws):
        size = size_in // 2
        for i in range(d):
            c_in, s_in = (cin, size_in) if i == 0 else (w, size)
            b = 9 * w * gw  # grouped 3×3: w / gw groups of gw → w outputs
            params += c_in * w + b + w * w + 2 * 3 * w
            macs += s_in * s_in * c_in * w + size * size * (b + w * w)
            bn += 3 * w
            if i == 0:  # proj: 1×1/2 + BN
                params += c_in * w + 2 * w
                macs += size * size * c_in * w
                bn += w
            if se_ratio:
                sq = int(round(se_ratio * c_in))
                params += w * sq + sq + sq * w + w
                macs += 2 * w * sq
        cin, size_in = w, size
    return params + cin * 1000 + 1000, macs + cin * 1000, bn


@pytest.mark.parametrize("name", sorted(REGNETS))
def test_regnet_by_hand_from_the_stage_table(name):
    (widths, depths, gws), se_ratio = REGNETS[name]
    params, macs, bn = regnet_by_hand(widths, depths, gws, se_ratio)
    r = report(name)
    assert (r.totals.params, r.totals.macs, r.totals.non_trainable_params) == (params, macs, 2 * bn)


@pytest.mark.parametrize("name", sorted(REGNETS))
def test_regnet_stages_in_the_file(name):
    (widths, depths, gws), se_ratio = REGNETS[name]
    r = report(name)
    assert hwc(r.layer("stem.0")) == (112, 112, 32)
    for k, (w, d, gw, size) in enumerate(zip(widths, depths, gws, [56, 28, 14, 7]), start=1):
        stage = f"trunk_output.block{k}"
        assert len([x for x in in_scope(r, stage) if x.kind == "add"]) == d
        assert hwc(r.layer(f"{stage}.block{k}-{d - 1}.activation")) == (size, size, w)
        for i in range(d):
            b = r.layer(f"{stage}.block{k}-{i}.f.b.0")
            assert b.hyperparameters["groups"] == w // gw
            assert b.hyperparameters["stride"] == [2 if i == 0 else 1] * 2
        assert hwc(r.layer(f"{stage}.block{k}-0.proj.0")) == (size, size, w)  # only block 0 projects
        assert not in_scope(r, f"{stage}.block{k}-1.proj")
    # the only biases: BN betas, the SE convolutions (RegNetY) and the fc
    conv_biases = sum(x.biases for x in r.layers if x.kind == "conv")
    assert conv_biases == sum(x.biases for x in r.layers if x.kind == "conv" and ".se." in x.name)
    assert (conv_biases > 0) == bool(se_ratio)


def test_regnet_y_se_squeezes_from_the_block_input_width():
    """SE squeeze = int(round(0.25 · width_in)), width_in the block's input width."""
    r = report("regnet_y_400mf")
    expected = {
        "block1.block1-0": (32, 8),
        "block2.block2-0": (48, 12),
        "block2.block2-1": (104, 26),
        "block3.block3-0": (104, 26),
        "block3.block3-5": (208, 52),
        "block4.block4-0": (208, 52),
        "block4.block4-5": (440, 110),
    }
    for block, (width_in, squeeze) in expected.items():
        se = f"trunk_output.{block}.f.se"
        assert squeeze == int(round(0.25 * width_in))
        assert hwc(r.layer(f"{se}.fc1")) == (1, 1, squeeze)
        fc2 = r.layer(f"{se}.fc2")
        assert fc2.weights == squeeze * fc2.output_shape[0] and fc2.biases == fc2.output_shape[0]
        # the gate multiplies f.b's output (full resolution), not the pooled map
        scale = r.layer(f"{se}.scale")
        assert scale.inputs == (f"{se}.scale_activation", f"trunk_output.{block}.f.b.2")
        assert scale.output_shape == r.layer(f"trunk_output.{block}.f.b.2").output_shape

"""Built-ins from torchvision: Inception v3 (with and without its auxiliary head), GoogLeNet's two
auxiliary heads (googlenet-torchvision with aux_logits=true), ConvNeXt-T.

Every expected number is independent of cnncalc's output:
  * params: torchvision's documented num_params (`<Model>_Weights.IMAGENET1K_V1.meta["num_params"]`,
    equal to sum(p.numel() for p in model.parameters())); where torchvision documents none (Inception
    v3 without its auxiliary head, GoogLeNet with its heads) the sum over model.parameters() of the
    torchvision model built with weights=None and that aux_logits, and hand arithmetic;
  * MACs: torchvision's documented "GFLOPS" (`meta["_ops"]`, multiply-accumulates) to its printed
    rounding, and the exact count measured with a forward-hook counter in torch;
  * non-trainable: BN running mean + var, 2·C per BN (torch's buffers without num_batches_tracked);
  * hand arithmetic written out below (module weights, the auxiliary heads, ConvNeXt-T in closed form).

The exact MACs were measured once with torch 2.13 / torchvision 0.28 (CPU, weights=None, eval mode,
one forward of a 1×3×299×299 tensor for Inception v3, 1×3×224×224 for the others) by a forward hook
on every nn.Conv2d (output elements × in_channels / groups × kH × kW) and nn.Linear (output elements ×
in_features: ConvNeXt's Linear layers run on every position), biases excluded, which is cnncalc's
convention. The auxiliary heads only run when training, so the hooks called them on the output of
the module they read (Mixed_6e; inception4a and inception4d) during the eval forward. The same script
compared every conv / linear / BN / layer-norm / layer-scale layer with cnncalc's JSON in order (name,
output shape, params, buffers, MACs): all equal, and the names are torchvision's module names
(except googlenet-torchvision's existing branch1.basic_conv1, torchvision's branch1).
"""

import functools

import pytest
from helpers import hwc

import cnncalc

FILES = ["inception_v3", "convnext_tiny", "googlenet-torchvision"]


@functools.cache
def report(name, aux=None):
    return cnncalc.analyze(name, params=None if aux is None else {"aux_logits": aux})


def in_scope(r, prefix):
    return [x for x in r.layers if x.name.startswith(prefix + ".")]


def block_output(r, prefix):
    """The output of a block instance is that of its last layer."""
    return in_scope(r, prefix)[-1]


def counted(r, kind):
    return [x for x in r.layers if x.kind == kind]


# --- every file -----------------------------------------------------------------------------


# --- Inception v3 ---------------------------------------------------------------------------

# torchvision Inception_V3_Weights.IMAGENET1K_V1.meta: num_params 27,161,264 (aux_logits=True, as the
# released weights), _ops 5.713
INCEPTION_WITH_AUX = 27_161_264
INCEPTION_GFLOPS = 5.713
# sum(p.numel() for p in inception_v3(weights=None, aux_logits=False).parameters())
INCEPTION_NO_AUX = 23_834_568
# measured: torch 2.13 forward-hook counter on Conv2d / Linear weights, input 1×3×299×299 (see above)
INCEPTION_MACS_NO_AUX = 5_713_216_096
INCEPTION_MACS_WITH_AUX = 5_718_899_296
# measured: sum of BN running_mean + running_var buffers
INCEPTION_BUFFERS_NO_AUX = 34_432
INCEPTION_BUFFERS_WITH_AUX = 36_224


def test_inception_v3_params_without_aux_by_default():
    r = report("inception_v3")
    assert r.totals.params == INCEPTION_NO_AUX
    assert r.totals.non_trainable_params == INCEPTION_BUFFERS_NO_AUX
    assert r.totals.macs == INCEPTION_MACS_NO_AUX
    assert not any(x.name.startswith("AuxLogits") for x in r.layers)
    assert [o.name for o in r.outputs] == ["fc"]


def test_inception_v3_with_aux_is_torchvisions_documented_count():
    r = report("inception_v3", True)
    assert r.totals.params == INCEPTION_WITH_AUX
    assert r.totals.non_trainable_params == INCEPTION_BUFFERS_WITH_AUX
    assert r.totals.macs == INCEPTION_MACS_WITH_AUX


def test_inception_v3_published_gflops_are_the_model_without_its_aux_head():
    """torchvision's 5.713 is counted in eval mode, where AuxLogits does not run: it matches the
    MACs without the head (5.713) and not with it (5.719), while num_params includes the head."""
    assert round(report("inception_v3").totals.macs / 1e9, 3) == INCEPTION_GFLOPS
    assert round(report("inception_v3", True).totals.macs / 1e9, 3) == 5.719 != INCEPTION_GFLOPS
    # and each declared output: fc's path is exactly the model without the head
    fc, _ = report("inception_v3", True).outputs
    assert (fc.name, fc.totals.params, fc.totals.macs) == ("fc", INCEPTION_NO_AUX, INCEPTION_MACS_NO_AUX)
    assert round(fc.totals.macs / 1e9, 3) == INCEPTION_GFLOPS


def test_inception_v3_aux_head_by_arithmetic():
    """InceptionAux on 17×17×768: avg pool 5×5/3 → 5×5×768, conv0 1×1 128 (+BN), conv1 5×5 768
    (+BN) → 1×1×768, fc 768 → 1000."""
    r = report("inception_v3", True)
    head = in_scope(r, "AuxLogits")
    params = (768 * 128 + 2 * 128) + (25 * 128 * 768 + 2 * 768) + (768 * 1000 + 1000)
    assert params == 3_326_696 == INCEPTION_WITH_AUX - INCEPTION_NO_AUX
    assert sum(x.params for x in head) == params
    assert sum(x.non_trainable_params for x in head) == 2 * (128 + 768)
    macs = 5 * 5 * 128 * 768 + 1 * 1 * 768 * 25 * 128 + 768 * 1000
    assert macs == 5_683_200 == INCEPTION_MACS_WITH_AUX - INCEPTION_MACS_NO_AUX
    assert sum(x.macs for x in head) == macs
    assert hwc(r.layer("AuxLogits.pool")) == (5, 5, 768)
    assert hwc(r.layer("AuxLogits.conv0.conv")) == (5, 5, 128)
    assert hwc(r.layer("AuxLogits.conv1.conv")) == (1, 1, 768)
    assert r.layer("AuxLogits.fc").output_shape == (1000,)


def test_inception_v3_aux_output_and_the_main_path_continuing_from_mixed_6e():
    r = report("inception_v3", True)
    _, aux = r.outputs
    assert (aux.name, aux.node, aux.output_shape) == ("AuxLogits", "AuxLogits.fc", (1000,))
    # torchvision, weights=None, aux_logits=True: parameters outside Mixed_7a/7b/7c and fc; hook MACs
    assert aux.totals.params == 12_292_552
    assert aux.totals.macs == 4_714_912_352
    assert r.layer("AuxLogits.pool").inputs == ("Mixed_6e.cat",)
    assert r.layer("Mixed_7a.branch3x3_1.conv").inputs == ("Mixed_6e.cat",)
    assert r.layer("Mixed_7a.pool").inputs == ("Mixed_6e.cat",)


def test_inception_v3_shapes():
    r = report("inception_v3")
    expected = {
        "Conv2d_1a_3x3.conv": (149, 149, 32),
        "Conv2d_2a_3x3.conv": (147, 147, 32),
        "Conv2d_2b_3x3.conv": (147, 147, 64),
        "maxpool1": (73, 73, 64),
        "Conv2d_3b_1x1.conv": (73, 73, 80),
        "Conv2d_4a_3x3.conv": (71, 71, 192),
        "maxpool2": (35, 35, 192),
        "Mixed_5b.cat": (35, 35, 256),
        "Mixed_5c.cat": (35, 35, 288),
        "Mixed_5d.cat": (35, 35, 288),
        "Mixed_6a.cat": (17, 17, 768),  # 384 + 96 + 288
        "Mixed_6b.branch7x7_2.conv": (17, 17, 128),
        "Mixed_6e.cat": (17, 17, 768),
        "Mixed_7a.cat": (8, 8, 1280),  # 320 + 192 + 768
        "Mixed_7b.cat": (8, 8, 2048),  # 320 + 2·384 + 2·384 + 192
        "Mixed_7c.cat": (8, 8, 2048),
        "avgpool": (1, 1, 2048),
    }
    for name, shape in expected.items():
        assert hwc(r.layer(name)) == shape, name
    assert r.layer("fc").output_shape == (1000,)


def test_inception_v3_modules_read_their_own_input():
    """Every branch of a module reads the module's input (torchvision's flat InceptionA–E)."""
    r = report("inception_v3")
    for name in ("branch1x1", "branch5x5_1", "branch3x3dbl_1"):
        assert r.layer(f"Mixed_5b.{name}.conv").inputs == ("maxpool2",)
    assert r.layer("Mixed_5b.pool").inputs == ("maxpool2",)
    assert r.layer("Mixed_5c.branch5x5_1.conv").inputs == ("Mixed_5b.cat",)
    assert r.layer("Mixed_7b.branch3x3_2b.conv").inputs == ("Mixed_7b.branch3x3_1.relu1",)
    assert r.layer("Mixed_7b.cat").inputs == tuple(
        f"Mixed_7b.{b}.relu1"
        for b in ("branch1x1", "branch3x3_2a", "branch3x3_2b", "branch3x3dbl_3a", "branch3x3dbl_3b", "branch_pool")
    )


@pytest.mark.parametrize(
    "name,cin,pool_features", [("Mixed_5b", 192, 32), ("Mixed_5c", 256, 64), ("Mixed_5d", 288, 64)]
)
def test_inception_v3_inception_a_by_arithmetic(name, cin, pool_features):
    layers = in_scope(report("inception_v3"), name)
    weights = (
        cin * 64  # branch1x1
        + cin * 48
        + 25 * 48 * 64  # branch5x5_1, _2
        + cin * 64
        + 9 * 64 * 96
        + 9 * 96 * 96  # branch3x3dbl_1, _2, _3
        + cin * pool_features
    )  # branch_pool
    channels = 64 + 48 + 64 + 64 + 96 + 96 + pool_features
    assert sum(x.weights for x in layers if x.kind == "conv") == weights
    assert sum(x.params for x in layers) == weights + 2 * channels  # BN gamma, beta
    assert sum(x.non_trainable_params for x in layers) == 2 * channels  # BN running mean, var
    assert sum(x.macs for x in layers) == 35 * 35 * weights


@pytest.mark.parametrize("name,c7", [("Mixed_6b", 128), ("Mixed_6c", 160), ("Mixed_6d", 160), ("Mixed_6e", 192)])
def test_inception_v3_inception_c_by_arithmetic(name, c7):
    layers = in_scope(report("inception_v3"), name)
    weights = (
        768 * 192  # branch1x1
        + 768 * c7
        + 7 * c7 * c7
        + 7 * c7 * 192  # branch7x7_1 (1×1), _2 (1×7), _3 (7×1)
        + 768 * c7
        + 3 * 7 * c7 * c7
        + 7 * c7 * 192  # branch7x7dbl_1 … _5
        + 768 * 192
    )  # branch_pool
    assert sum(x.weights for x in layers if x.kind == "conv") == weights
    assert sum(x.params for x in layers) == weights + 2 * (4 * 192 + 6 * c7)
    assert sum(x.macs for x in layers) == 17 * 17 * weights


def test_inception_v3_layer_counts():
    # torchvision: 94 BasicConv2d without aux (+2 in AuxLogits), each one conv and one BN; one Linear
    r, ra = report("inception_v3"), report("inception_v3", True)
    assert (len(counted(r, "conv")), len(counted(r, "batch_norm")), len(counted(r, "dense"))) == (94, 94, 1)
    assert (len(counted(ra, "conv")), len(counted(ra, "batch_norm")), len(counted(ra, "dense"))) == (96, 96, 2)


# --- GoogLeNet (torchvision) with its auxiliary heads ---------------------------------------

# GoogLeNet_Weights.IMAGENET1K_V1.meta: num_params 6,624,904 (without the heads), _ops 1.498
GOOGLENET_PARAMS = 6_624_904
GOOGLENET_GFLOPS = 1.498
GOOGLENET_MACS = 1_498_376_192  # hook counter, 1×3×224×224, aux_logits=False
# sum(p.numel() for p in googlenet(weights=None, aux_logits=True).parameters())
GOOGLENET_AUX_PARAMS = 13_004_888
GOOGLENET_AUX_MACS = 1_506_748_416  # hook counter, the heads called on inception4a / 4d outputs
GOOGLENET_AUX_BUFFERS = 15_072  # BN running mean + var buffers, aux_logits=True


def aux_head_params(cin):
    """InceptionAux: BasicConv2d 1×1 cin → 128 (no bias, BN), fc1 2048 → 1024, fc2 1024 → 1000."""
    return cin * 128 + 2 * 128 + 2048 * 1024 + 1024 + 1024 * 1000 + 1000


def aux_head_macs(cin):
    return 4 * 4 * 128 * cin + 2048 * 1024 + 1024 * 1000


def test_googlenet_default_is_unchanged_without_heads():
    r = report("googlenet-torchvision")
    assert r.totals.params == GOOGLENET_PARAMS
    assert r.totals.macs == GOOGLENET_MACS
    assert round(r.totals.macs / 1e9, 3) == GOOGLENET_GFLOPS
    assert not any(x.name.startswith(("aux1", "aux2")) for x in r.layers)
    assert [o.name for o in r.outputs] == ["fc"]
    assert dict(r.params_set)["aux_logits"] is False


def test_googlenet_heads_only_add_layers():
    plain, aux = report("googlenet-torchvision"), report("googlenet-torchvision", True)
    names = [x.name for x in aux.layers if not x.name.startswith(("aux1.", "aux2."))]
    assert names == [x.name for x in plain.layers]
    assert [x.output_shape for x in aux.layers if x.name in set(names)] == [x.output_shape for x in plain.layers]


def test_googlenet_with_aux_heads_totals():
    r = report("googlenet-torchvision", True)
    assert aux_head_params(512) == 3_188_968 and aux_head_params(528) == 3_191_016
    assert GOOGLENET_PARAMS + aux_head_params(512) + aux_head_params(528) == GOOGLENET_AUX_PARAMS
    assert r.totals.params == GOOGLENET_AUX_PARAMS
    assert GOOGLENET_MACS + aux_head_macs(512) + aux_head_macs(528) == GOOGLENET_AUX_MACS
    assert r.totals.macs == GOOGLENET_AUX_MACS
    assert r.totals.non_trainable_params == GOOGLENET_AUX_BUFFERS == 14_560 + 2 * (2 * 128)
    assert sum(x.params for x in in_scope(r, "aux1")) == aux_head_params(512)
    assert sum(x.params for x in in_scope(r, "aux2")) == aux_head_params(528)
    assert sum(x.macs for x in in_scope(r, "aux1")) == aux_head_macs(512) == 4_169_728
    assert sum(x.macs for x in in_scope(r, "aux2")) == aux_head_macs(528) == 4_202_496


def test_googlenet_aux_heads_shapes_and_wiring():
    r = report("googlenet-torchvision", True)
    assert hwc(r.layer("aux1.pool")) == (4, 4, 512)  # adaptive avg pool of inception4a's 14×14×512
    assert hwc(r.layer("aux2.pool")) == (4, 4, 528)  # of inception4d's 14×14×528
    assert hwc(r.layer("aux1.conv.conv")) == (4, 4, 128)
    assert r.layer("aux1.fc1").output_shape == (1024,) and r.layer("aux1.fc2").output_shape == (1000,)
    assert r.layer("aux2.fc2").output_shape == (1000,)
    assert r.layer("aux1.pool").inputs == (block_output(r, "inception4a").name,)
    assert r.layer("aux2.pool").inputs == (block_output(r, "inception4d").name,)
    # the main path continues from the inception module, not from the head
    first_4b = [x for x in in_scope(r, "inception4b") if x.kind in ("conv", "max_pool")]
    assert {i for x in first_4b for i in x.inputs if not i.startswith("inception4b.")} == {
        block_output(r, "inception4a").name
    }
    first_4e = [x for x in in_scope(r, "inception4e") if x.kind in ("conv", "max_pool")]
    assert {i for x in first_4e for i in x.inputs if not i.startswith("inception4e.")} == {
        block_output(r, "inception4d").name
    }


def test_googlenet_aux_outputs():
    fc, aux1, aux2 = report("googlenet-torchvision", True).outputs
    assert [o.name for o in (fc, aux1, aux2)] == ["fc", "aux1", "aux2"]
    assert all(o.output_shape == (1000,) for o in (fc, aux1, aux2))
    assert (fc.totals.params, fc.totals.macs) == (GOOGLENET_PARAMS, GOOGLENET_MACS)
    # torchvision, weights=None, aux_logits=True: the parameters on each head's path; hook MACs
    assert (aux1.totals.params, aux1.totals.macs) == (4_174_312, 940_403_712)
    assert (aux2.totals.params, aux2.totals.macs) == (5_661_096, 1_230_654_464)


# --- ConvNeXt-T -----------------------------------------------------------------------------

# ConvNeXt_Tiny_Weights.IMAGENET1K_V1.meta: num_params 28,589,128, _ops 4.456
CONVNEXT_PARAMS = 28_589_128
CONVNEXT_GFLOPS = 4.456
CONVNEXT_MACS = 4_455_531_264  # hook counter, 1×3×224×224 (Linear: output elements × in_features)
DEPTHS, DIMS = (3, 3, 9, 3), (96, 192, 384, 768)


def cnblock_params(d):
    # dw 7×7 + bias, LayerNorm γ β, Linear d → 4d + bias, Linear 4d → d + bias, layer scale
    return (49 * d + d) + 2 * d + (d * 4 * d + 4 * d) + (4 * d * d + d) + d


def cnblock_macs(d, hw):
    return hw * hw * (49 * d + 8 * d * d)


def test_convnext_tiny_totals():
    r = report("convnext_tiny")
    assert r.totals.params == CONVNEXT_PARAMS
    assert r.totals.non_trainable_params == 0  # LayerNorm has no running statistics
    assert r.totals.macs == CONVNEXT_MACS
    assert round(r.totals.macs / 1e9, 3) == CONVNEXT_GFLOPS


def test_convnext_tiny_in_closed_form():
    sizes = (56, 28, 14, 7)
    params = 16 * 3 * 96 + 96 + 2 * 96  # stem conv 4×4 + bias, LayerNorm2d
    macs = 56 * 56 * 96 * 16 * 3
    for i, (n, d, hw) in enumerate(zip(DEPTHS, DIMS, sizes)):
        params += n * cnblock_params(d)
        macs += n * cnblock_macs(d, hw)
        if i < 3:  # LayerNorm2d + conv 2×2/2 + bias
            params += 2 * d + 4 * d * DIMS[i + 1] + DIMS[i + 1]
            macs += sizes[i + 1] ** 2 * DIMS[i + 1] * 4 * d
    params += 2 * 768 + 768 * 1000 + 1000  # head LayerNorm2d, Linear
    macs += 768 * 1000
    assert (params, macs) == (CONVNEXT_PARAMS, CONVNEXT_MACS)


def test_convnext_tiny_block_layers():
    r = report("convnext_tiny")
    block = in_scope(r, "features.5.4")
    assert [x.name for x in block if x.params] == [
        "features.5.4.block.0",
        "features.5.4.block.2",
        "features.5.4.block.3",
        "features.5.4.block.5",
        "features.5.4.layer_scale",
    ]
    assert sum(x.params for x in block) == cnblock_params(384)
    assert sum(x.macs for x in block) == cnblock_macs(384, 14)
    assert r.layer("features.5.4.layer_scale").params == 384
    assert r.layer("features.5.4.block.2").params == 2 * 384
    assert hwc(r.layer("features.5.4.block.3")) == (14, 14, 4 * 384)
    assert r.layer("features.5.4.block.3").macs == 14 * 14 * 384 * 4 * 384
    # the shortcut: the add reads the layer scale and the block's input (the previous block's output)
    assert block[-1].kind == "add"
    assert set(block[-1].inputs) == {"features.5.4.layer_scale", block_output(r, "features.5.3").name}


def test_convnext_tiny_shapes():
    r = report("convnext_tiny")
    expected = {
        "features.0.0": (56, 56, 96),
        "features.0.1": (56, 56, 96),
        "features.2.1": (28, 28, 192),
        "features.4.1": (14, 14, 384),
        "features.6.1": (7, 7, 768),
        "avgpool": (1, 1, 768),
        "classifier.0": (1, 1, 768),
    }
    for name, shape in expected.items():
        assert hwc(r.layer(name)) == shape, name
    for stage, dim, hw, n in zip((1, 3, 5, 7), DIMS, (56, 28, 14, 7), DEPTHS):
        assert hwc(block_output(r, f"features.{stage}")) == (hw, hw, dim)
        assert len([x for x in in_scope(r, f"features.{stage}") if x.kind == "add"]) == n
    assert r.layer("classifier.2").output_shape == (1000,)
    assert [o.name for o in r.outputs] == ["classifier.2"]


def test_convnext_tiny_layer_counts():
    # torchvision: 1 + 3 stem/downsample convs and 18 depthwise convs (Conv2d), 36 + 1 Linear
    # (36 on the channels of every position, the classifier's on a flat vector),
    # 18 + 1 + 3 + 1 LayerNorm / LayerNorm2d, 18 layer scales
    r = report("convnext_tiny")
    assert len(counted(r, "depthwise_conv")) == 18
    assert len(counted(r, "conv")) == 1 + 3
    assert len(counted(r, "dense")) == 36 + 1
    assert sum(row.hyperparameters["over"] == "channels" for row in r.layers if row.kind == "dense") == 36
    assert len(counted(r, "layer_norm")) == 23
    assert len(counted(r, "scale")) == 18

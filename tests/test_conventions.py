"""Why the peers disagree: --convention torchinfo and fvcore reproduce those tools' totals.

The expected totals were printed by the real tools in a one-off run on this machine (a venv
with torch 2.13 CPU, torchvision 0.28's model definitions, torchinfo 1.8 and fvcore 0.1.5;
never a dependency of cnncalc), in eval mode at batch 1 and 224×224:
    summary(model, input_size=(1, 3, 224, 224)).total_mult_adds
    FlopCountAnalysis(model, torch.zeros(1, 3, 224, 224)).total()
googlenet with aux_logits=False. The differences from our count are written out as arithmetic."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import cnncalc
from cnncalc.cli import cli
from cnncalc.conventions import counted
from cnncalc.kinds import ACTIVATIONS, KINDS

# built-in -> (torchinfo's "Total mult-adds", fvcore's total), measured on torchvision's definition of
# each (weights=None, eval mode, batch 1, at the built-in's input; segmentation models with 21
# classes and no auxiliary head, at 520×520) with torch 2.13, torchvision 0.28, torchinfo 1.8.0 and
# fvcore 0.1.5.post20221221. vgg16 is the paper's configuration D, apart (below).
MEASURED = {
    "alexnet-torchvision": (714_682_664, 714_197_696),
    "vgg11": (7_616_525_288, 7_609_115_136),
    "vgg13": (11_320_718_312, 11_308_491_264),
    "vgg19": (19_646_923_752, 19_632_087_552),
    "vgg16_bn": (15_483_829_480, 15_497_384_448),
    "googlenet-torchvision": (1_498_391_752, 1_504_878_688),
    "inception_v3": (5_713_251_528, 5_731_282_144),
    "resnet18": (1_814_083_944, 1_819_065_856),
    "resnet34": (3_663_779_432, 3_671_262_720),
    "resnet50": (4_089_238_376, 4_111_512_576),
    "resnet101": (7_801_511_784, 7_833_969_664),
    "resnet152": (11_513_779_048, 11_558_835_200),
    "resnext50_32x4d": (4_230_549_096, 4_259_381_248),
    "wide_resnet50_2": (11_398_090_344, 11_426_922_496),
    "mobilenet_v2": (300_809_384, 314_193_216),
    "mobilenet_v3_large": (216_621_520, 226_033_824),
    "mobilenet_v3_small": (56_527_424, 59_649_536),
    "squeezenet1_0": (823_270_824, 819_093_576),
    "squeezenet1_1": (351_741_288, 349_320_936),
    "densenet121": (2_834_246_312, 2_865_546_752),
    "densenet169": (3_360_002_728, 3_397_970_816),
    "shufflenet_v2_x0_5": (40_485_400, 42_524_256),
    "shufflenet_v2_x1_0": (144_925_172, 148_808_392),
    "mnasnet1_0": (314_454_792, 325_329_152),
    "regnet_x_400mf": (413_851_464, 420_179_472),
    "regnet_y_400mf": (401_876_208, 410_406_088),
    "efficientnet_b0": (385_867_108, 401_659_392),
    "efficientnet_b1": (686_880_040, 712_732_416),
    "efficientnet_b2": (993_645_850, 1_026_579_120),
    "efficientnet_b3": (1_827_249_768, 1_883_903_568),
    "efficientnet_b4": (4_393_926_264, 4_512_495_200),
    "efficientnet_b5": (10_266_598_808, 10_505_072_320),
    "efficientnet_b6": (19_067_871_568, 19_472_062_160),
    "efficientnet_b7": (37_746_269_112, 38_449_437_600),
    "convnext_tiny": (322_371_592, 4_470_437_376),
    "fcn_resnet50": (142_725_915_669, 143_024_294_400),
    "deeplabv3_resnet50": (168_731_351_317, 169_051_360_000),
    "lraspp_mobilenet_v3_large": (2_086_426_874, 2_175_378_272),
}


def test_the_forms_written_explain_the_differences(analyzed):
    # convnext_tiny: were its 36 Linears counted at every position, torchinfo would add
    # (weights + biases) × (positions − 1) for each: stage by stage, 3, 3, 9 and 3 blocks of
    # 2 Linears dim → 4·dim → dim at 56², 28², 14² and 7² positions
    linears = sum(
        blocks * ((dim * 4 * dim + 4 * dim) + (4 * dim * dim + dim)) * (side * side - 1)
        for blocks, dim, side in ((3, 96, 56), (3, 192, 28), (9, 384, 14), (3, 768, 7))
    )
    report = analyzed("convnext_tiny")
    rows = [row for row in report.layers if row.kind == "dense" and row.hyperparameters["over"] == "channels"]
    as_convolutions = sum((row.weights + row.biases) * (row.activation_size // row.output_shape[0]) for row in rows)
    assert as_convolutions - sum(row.weights + row.biases for row in rows) == linears == 4_146_611_616
    # shufflenet_v2_x1_0: a global average pool would add 1 per input element, 1024·7·7
    shufflenet = analyzed("shufflenet_v2_x1_0")
    mean = next(row for row in shufflenet.layers if row.kind == "mean")
    assert shufflenet.layer(mean.inputs[0]).output_shape == (1024, 7, 7)


@pytest.mark.parametrize("name", MEASURED)
def test_each_convention_reproduces_its_tool(analyzed, name):
    report = analyzed(name)
    assert (sum(counted(report, "torchinfo")), sum(counted(report, "fvcore"))) == MEASURED[name]


# One layer of every kind on an 8×8×16 input (1,024 elements): (torchinfo, fvcore) as the real tools
# printed them (torch 2.13 CPU, torchinfo 1.8.0, fvcore 0.1.5.post20221221; batch 1, eval mode), each
# with the PyTorch module it was measured on. Counts are summed over the network's layers (a flatten
# before a dense, a gate before a multiply). Written as the arithmetic that gives each figure.
# torchinfo: (weights + biases) × output positions for a convolution, once for any other module
PEER_CASES = [
    # id, layers, torchinfo, fvcore                                           # the PyTorch module measured
    (
        "conv",
        {"conv": {"filters": 8, "kernel": 3}},
        (16 * 3 * 3 * 8 + 8) * 6 * 6,
        6 * 6 * 8 * 16 * 3 * 3,
    ),  # Conv2d(16, 8, 3)
    ("conv_no_bias", {"conv": {"filters": 8, "kernel": 3, "bias": False}}, 16 * 3 * 3 * 8 * 6 * 6, 6 * 6 * 8 * 16 * 9),
    ("conv_1x1", {"conv": {"filters": 8, "kernel": 1}}, (16 * 8 + 8) * 8 * 8, 8 * 8 * 8 * 16),  # Conv2d(16, 8, 1)
    ("depthwise_conv", {"depthwise_conv": {"kernel": 3}}, (16 * 9 + 16) * 6 * 6, 6 * 6 * 16 * 9),  # groups=16
    # Sequential(Conv2d(16, 16, 3, groups=16, bias=False), Conv2d(16, 8, 1))
    (
        "separable_conv",
        {"separable_conv": {"filters": 8, "kernel": 3}},
        (16 * 9 + 16 * 8 + 8) * 6 * 6,
        6 * 6 * 16 * 9 + 6 * 6 * 16 * 8,
    ),
    # ConvTranspose2d(16, 8, 3, stride=2): 17×17 out; torchinfo on the output side, fvcore on the input side
    (
        "conv_transpose",
        {"conv_transpose": {"filters": 8, "kernel": 3, "stride": 2}},
        (16 * 8 * 9 + 8) * 17 * 17,
        8 * 8 * 16 * 8 * 9,
    ),
    ("dense", ["flatten", {"dense": {"units": 10}}], 1024 * 10 + 10, 1024 * 10),  # Flatten(), Linear(1024, 10)
    # ConvNeXt's form: permute, Linear(16, 8), permute: torchinfo counts the Linear's weights once
    ("dense_over_channels", {"dense": {"units": 8, "over": "channels"}}, 16 * 8 + 8, 8 * 8 * 8 * 16),
    ("max_pool", {"max_pool": {"kernel": 2}}, 0, 0),
    ("avg_pool", {"avg_pool": {"kernel": 2}}, 0, 0),
    ("global_avg_pool", "global_avg_pool", 0, 8 * 8 * 16),  # AdaptiveAvgPool2d(1), Flatten(): 1 per input element
    ("global_avg_pool_keepdims", {"global_avg_pool": {"keepdims": True}}, 0, 8 * 8 * 16),
    ("global_max_pool", "global_max_pool", 0, 0),  # AdaptiveMaxPool2d(1), Flatten()
    ("mean", "mean", 0, 0),  # x.mean((2, 3)): fvcore has no handler for aten::mean
    ("adaptive_avg_pool", {"adaptive_avg_pool": {"output_size": 3}}, 0, 8 * 8 * 16),
    ("adaptive_max_pool", {"adaptive_max_pool": {"output_size": 3}}, 0, 0),
    *[(act, act, 0, 0) for act in ACTIVATIONS],  # ReLU(), ReLU6(), … (swish as SiLU, linear as Identity)
    ("dropout", "dropout", 0, 0),
    ("prelu", "prelu", 1, 0),  # PReLU(): one slope
    ("prelu_per_channel", {"prelu": {"per_channel": True}}, 16, 0),  # PReLU(16)
    # torchvision's CNBlock.layer_scale (a Parameter on the block, no leaf module) and timm's
    # LayerScale2d.gamma: torchinfo counts only a leaf's weight and bias (a leaf's `weight` gives 16)
    ("scale", "scale", 0, 0),
    ("batch_norm", "batch_norm", 2 * 16, 2 * 1024),  # BatchNorm2d(16): γ and β; a scale and a shift
    # with batch statistics even in eval mode (fvcore: 4 per element, 5 with affine)
    ("batch_norm_batch_statistics", {"batch_norm": {"track_running_stats": False}}, 2 * 16, 5 * 1024),
    (
        "batch_norm_batch_statistics_no_affine",
        {"batch_norm": {"track_running_stats": False, "affine": False}},
        0,
        4 * 1024,
    ),
    ("batch_norm_no_affine", {"batch_norm": {"affine": False}}, 0, 1024),
    ("lrn", "lrn", 0, 0),  # LocalResponseNorm(5)
    ("group_norm", {"group_norm": {"groups": 4}}, 2 * 16, 5 * 1024),  # GroupNorm(4, 16)
    ("group_norm_no_affine", {"group_norm": {"groups": 4, "affine": False}}, 0, 4 * 1024),
    ("layer_norm", "layer_norm", 2 * 16, 5 * 1024),  # ConvNeXt's: permute, LayerNorm(16), permute
    ("layer_norm_no_affine", {"layer_norm": {"affine": False}}, 0, 4 * 1024),
    ("layer_norm_all", {"layer_norm": {"over": "all"}}, 2 * 16 * 8 * 8, 5 * 1024),  # LayerNorm([16, 8, 8])
    ("layer_norm_all_no_affine", {"layer_norm": {"over": "all", "affine": False}}, 0, 4 * 1024),
    ("instance_norm", "instance_norm", 0, 4 * 1024),  # InstanceNorm2d(16)
    ("instance_norm_affine", {"instance_norm": {"affine": True}}, 2 * 16, 5 * 1024),
    ("zero_pad", {"zero_pad": {"padding": 1}}, 0, 0),  # ZeroPad2d(1)
    ("upsample_nearest", {"upsample": {"scale": 2}}, 0, 16 * 16 * 16),  # 1 per output element
    ("upsample_bilinear", {"upsample": {"scale": 2, "mode": "bilinear"}}, 0, 4 * 16 * 16 * 16),  # 4 per output
    ("upsample_bicubic", {"upsample": {"scale": 2, "mode": "bicubic"}}, 0, 0),
    ("pixel_shuffle", {"pixel_shuffle": {"factor": 2}}, 0, 0),
    ("pixel_unshuffle", {"pixel_unshuffle": {"factor": 2}}, 0, 0),
    ("crop", {"crop": {"cropping": 1}}, 0, 0),  # x[:, :, 1:-1, 1:-1]
    ("flatten", "flatten", 0, 0),
    ("reshape", {"reshape": {"shape": [64, 16]}}, 0, 0),  # x.reshape(1, 16, 64)
    ("slice", {"slice": {"start": 4, "stop": 12}}, 0, 0),  # x[:, 4:12]
    ("channel_shuffle", {"channel_shuffle": {"groups": 2}}, 0, 0),  # ChannelShuffle(2)
    ("concat", {"concat": {"branches": [[], []]}}, 0, 0),  # torch.cat([x, x], 1)
    ("add", {"add": {"branches": [[], []]}}, 0, 0),  # x + x
    ("multiply", {"multiply": {"branches": [[], []]}}, 0, 0),  # x * x
    # squeeze-and-excitation's gate: x * AdaptiveAvgPool2d(1)(x); the pool counts, the product does not
    ("multiply_gate", {"multiply": {"branches": [[], [{"global_avg_pool": {"keepdims": True}}]]}}, 0, 8 * 8 * 16),
]
# kinds no tool can measure: the reason, instead of a row
UNMEASURABLE = {
    "locally_connected": "PyTorch has no locally connected module, so neither tool counts one",
    "input": "the network's input is no layer",
}


def _kind_of(layers) -> set:
    layers = layers if isinstance(layers, list) else [layers]
    return {layer if isinstance(layer, str) else next(iter(layer)) for layer in layers}


def test_every_kind_has_a_measured_peer_count():
    # registry coverage: a new kind fails here until its torchinfo and fvcore counts are measured
    covered = set().union(*(_kind_of(layers) for _, layers, _, _ in PEER_CASES))
    assert set(KINDS) - covered == set(UNMEASURABLE)


@pytest.mark.parametrize("layers, torchinfo, fvcore", [c[1:] for c in PEER_CASES], ids=[c[0] for c in PEER_CASES])
def test_each_kind_counts_as_the_tools_do(layers, torchinfo, fvcore):
    from helpers import network_yaml

    report = cnncalc.analyze(cnncalc.loads(network_yaml(layers, [8, 8, 16], "HWC")))
    layers_only = slice(1, None)  # the input row counts nothing
    assert (sum(counted(report, "torchinfo")[layers_only]), sum(counted(report, "fvcore")[layers_only])) == (
        torchinfo,
        fvcore,
    )


def test_vgg16_follows_the_paper_without_torchvisions_identity_pool(analyzed):
    # torchvision's vgg16 has an AdaptiveAvgPool2d(7), an identity at 224 that fvcore counts
    # 1 per element (7·7·512 = 25,088); our vgg16 is the paper's configuration D, without it
    report = analyzed("vgg16")
    assert sum(counted(report, "torchinfo")) == 15_483_821_032
    assert sum(counted(report, "fvcore")) == 15_470_289_408 - 7 * 7 * 512


def test_the_differences_as_arithmetic(analyzed):
    r = analyzed("alexnet-torchvision")
    # torchinfo adds each conv bias at every output position and each dense bias once
    conv_biases = 64 * 55 * 55 + 192 * 27 * 27 + 384 * 13 * 13 + 256 * 13 * 13 + 256 * 13 * 13
    assert sum(counted(r, "torchinfo")) - r.totals.macs == conv_biases + 4096 + 4096 + 1000
    # fvcore adds the adaptive average pool, 1 per input element: 6·6·256
    assert sum(counted(r, "fvcore")) - r.totals.macs == 6 * 6 * 256
    r = analyzed("resnet18")
    bn = [x for x in r.layers if x.kind == "batch_norm"]
    # fvcore counts a batch norm 2 per input element; torchinfo its γ and β once
    assert sum(counted(r, "fvcore")) - r.totals.macs == 2 * sum(x.activation_size for x in bn) + 7 * 7 * 512
    assert sum(counted(r, "torchinfo")) - r.totals.macs == sum(x.params for x in bn) + 1000


def test_the_cli_shows_a_convention_and_the_json_says_what_each_counts():
    out = json.loads(
        CliRunner().invoke(cli, ["summary", "resnet50", "--convention", "fvcore", "--format", "json"]).output
    )
    assert out["totals"]["macs"] == MEASURED["resnet50"][1] and out["totals"]["flops"] == 2 * MEASURED["resnet50"][1]
    # whose count `macs` holds is said, and ours is kept beside the peers' (torchvision's 4.09 GMACs)
    assert out["convention"] == "fvcore"
    assert out["totals"]["conventions"] == {
        "ours": 4_089_184_256,
        **dict(zip(("torchinfo", "fvcore"), MEASURED["resnet50"])),
    }
    text = CliRunner().invoke(cli, ["summary", "resnet50", "--convention", "fvcore"]).output
    assert f"MACs: {MEASURED['resnet50'][1]:,}" in text and "(counted as fvcore counts them)" in text
    ours = json.loads(CliRunner().invoke(cli, ["summary", "resnet50", "--format", "json"]).output)
    assert ours["convention"] == "ours" and "counted as" not in CliRunner().invoke(cli, ["summary", "resnet50"]).output
    bn1 = next(x for x in ours["layers"] if x["name"] == "bn1")
    assert bn1["macs"] == 0 and bn1["conventions"] == {"torchinfo": 2 * 64, "fvcore": 2 * 112 * 112 * 64}
    assert cnncalc.analyze("resnet50").totals.macs == 4_089_184_256  # the default stays ours


def test_a_shared_norm_keeps_its_affine_count_under_fvcore():
    # the second call of bn reuses its γ and β (no params of its own), and is still an affine
    # batch norm: fvcore counts 2 per input element at each call, 2·(8·8·4) twice
    from helpers import network_yaml

    layers = [
        {"conv": {"name": "c1", "filters": 4, "kernel": 3, "padding": 1}},
        {"batch_norm": {"name": "bn"}},
        {"conv": {"name": "c2", "filters": 4, "kernel": 3, "padding": 1}},
        {"batch_norm": {"name": "bn_again", "share": "bn"}},
    ]
    report = cnncalc.analyze(cnncalc.loads(network_yaml(layers, [8, 8, 4], "HWC")))
    fvcore = dict(zip([row.name for row in report.layers], counted(report, "fvcore")))
    assert report.layer("bn_again").params == 0
    assert fvcore["bn"] == fvcore["bn_again"] == 2 * 8 * 8 * 4


def test_fvcore_drops_a_layer_no_output_uses_and_torchinfo_counts_it():
    # measured: forward(x) computes conv_a(x) and conv_b(x), both Conv2d(16, 8, 3), and returns
    # conv_a's: torchinfo (hooks) 2 × (16·3·3·8 + 8)·6·6 = 83,520; fvcore (a trace) 6·6·8·16·9 = 41,472
    from helpers import network_yaml

    layers = [
        {"conv": {"name": "a", "filters": 8, "kernel": 3}},
        {"conv": {"name": "b", "filters": 8, "kernel": 3, "from": "input"}},
    ]
    text = network_yaml(layers, [8, 8, 16], "HWC") + "outputs: [a]\n"
    report = cnncalc.analyze(cnncalc.loads(text))
    assert sum(counted(report, "torchinfo")) == 2 * (16 * 3 * 3 * 8 + 8) * 6 * 6 == 83_520
    assert sum(counted(report, "fvcore")) == 6 * 6 * 8 * 16 * 9 == 41_472
    assert [w.code for w in report.layer("b").warnings] == ["dead-end"]  # what cnncalc warns of it


@pytest.mark.parametrize(
    "layer, shape, layout, fvcore",
    [
        # measured: fvcore's handler is for adaptive_avg_pool2d; the 1-D and 3-D ops count 0
        ("global_avg_pool", [10, 16], "TC", 0),  # AdaptiveAvgPool1d(1) on (1, 16, 10)
        ("global_avg_pool", [4, 8, 8, 16], "DHWC", 0),  # AdaptiveAvgPool3d(1) on (1, 16, 4, 8, 8)
        ({"adaptive_avg_pool": {"output_size": 3}}, [10, 16], "TC", 0),  # AdaptiveAvgPool1d(3)
        ({"adaptive_avg_pool": {"output_size": 2}}, [4, 8, 8, 16], "DHWC", 0),  # AdaptiveAvgPool3d(2)
        ("global_avg_pool", [8, 8, 16], "HWC", 8 * 8 * 16),  # AdaptiveAvgPool2d(1): 1 per element
        ("batch_norm", [10, 16], "TC", 2 * 10 * 16),  # BatchNorm1d on (1, 16, 10)
        ("batch_norm", [4, 8, 8, 16], "DHWC", 2 * 4 * 8 * 8 * 16),  # BatchNorm3d
    ],
)
def test_fvcore_by_rank(layer, shape, layout, fvcore):
    from helpers import network_yaml

    report = cnncalc.analyze(cnncalc.loads(network_yaml(layer, shape, layout)))
    assert counted(report, "fvcore")[-1] == fvcore

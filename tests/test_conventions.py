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

# built-in -> (torchinfo's "Total mult-adds", fvcore's total)
MEASURED = {
    "alexnet-torchvision": (714_682_664, 714_197_696),
    "vgg16_bn": (15_483_829_480, 15_497_384_448),
    "resnet18": (1_814_083_944, 1_819_065_856),
    "resnet50": (4_089_238_376, 4_111_512_576),
    "mobilenet_v2": (300_809_384, 314_193_216),
    "googlenet-torchvision": (1_498_391_752, 1_504_878_688),
    "efficientnet_b0": (385_867_108, 401_659_392),
}


@pytest.mark.parametrize("name", MEASURED)
def test_each_convention_reproduces_its_tool(analyzed, name):
    report = analyzed(name)
    assert (sum(counted(report, "torchinfo")), sum(counted(report, "fvcore"))) == MEASURED[name]


# one layer on a 8×8×16 input (1,024 elements): (torchinfo, fvcore) as the tools printed them
# (torch 2.13, torchinfo 1.8, fvcore 0.1.5; ConvNeXt's channels-last LayerNorm via permute)
KINDS_MEASURED = [
    ({"group_norm": {"groups": 4}}, 32, 5 * 1024),
    ({"group_norm": {"groups": 4, "affine": False}}, 0, 4 * 1024),
    ({"layer_norm": {"over": "all"}}, 2048, 5 * 1024),
    ({"layer_norm": {"over": "channels"}}, 32, 5 * 1024),
    ("instance_norm", 0, 4 * 1024),
    ({"instance_norm": {"affine": True}}, 32, 5 * 1024),
    ({"upsample": {"scale": 2}}, 0, 16 * 16 * 16),
    ({"upsample": {"scale": 2, "mode": "bilinear"}}, 0, 4 * 16 * 16 * 16),
    ({"upsample": {"scale": 2, "mode": "bicubic"}}, 0, 0),
    ("prelu", 1, 0),
    ({"pixel_shuffle": {"factor": 2}}, 0, 0),
    ({"channel_shuffle": {"groups": 2}}, 0, 0),
]


@pytest.mark.parametrize("layer, torchinfo, fvcore", KINDS_MEASURED, ids=[str(c[0]) for c in KINDS_MEASURED])
def test_each_convention_on_the_new_kinds(layer, torchinfo, fvcore):
    from helpers import network_yaml

    report = cnncalc.analyze(cnncalc.loads(network_yaml(layer, [8, 8, 16], "HWC")))
    assert (counted(report, "torchinfo")[-1], counted(report, "fvcore")[-1]) == (torchinfo, fvcore)


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
    out = json.loads(CliRunner().invoke(cli, ["summary", "resnet50", "--convention", "fvcore", "--format", "json"]).output)
    assert out["totals"]["macs"] == MEASURED["resnet50"][1] and out["totals"]["flops"] == 2 * MEASURED["resnet50"][1]
    # whose count `macs` holds is said, and ours is kept beside the peers' (torchvision's 4.09 GMACs)
    assert out["convention"] == "fvcore"
    assert out["totals"]["conventions"] == {"ours": 4_089_184_256, **dict(zip(("torchinfo", "fvcore"),
                                                                             MEASURED["resnet50"]))}
    text = CliRunner().invoke(cli, ["summary", "resnet50", "--convention", "fvcore"]).output
    assert f"MACs: {MEASURED['resnet50'][1]:,}" in text and "(counted as fvcore counts them)" in text
    ours = json.loads(CliRunner().invoke(cli, ["summary", "resnet50", "--format", "json"]).output)
    assert ours["convention"] == "ours" and "counted as" not in CliRunner().invoke(cli, ["summary", "resnet50"]).output
    bn1 = next(x for x in ours["layers"] if x["name"] == "bn1")
    assert bn1["macs"] == 0 and bn1["conventions"] == {"torchinfo": 2 * 64, "fvcore": 2 * 112 * 112 * 64}
    assert cnncalc.analyze("resnet50").totals.macs == 4_089_184_256  # the default stays ours

"""Invariants over generated networks (hypothesis).

The generators write YAML text and, alongside, the numbers a reader would compute by hand
from the textbook formulas (conv params = F·(C/groups)·k^rank + F, BN = 2C + 2C running
stats, dense = C·U + U, concat channels = the sum of its branches). The properties compare
cnncalc's report with those numbers and with its own totals.
"""

from __future__ import annotations

import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cnncalc
from cnncalc.kinds import ACTIVATIONS
from cnncalc.report import collapse

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LAYOUT = {1: "TC", 2: "HWC", 3: "DHWC"}


def yaml_of(layers, shape, layout, blocks=None) -> str:
    doc = {"name": "generated", "input": {"shape": list(shape), "layout": layout}}
    if blocks:
        doc["blocks"] = blocks
    doc["layers"] = layers
    return json.dumps(doc, indent=1)  # JSON is YAML


def _sum(layers, field):
    return sum(getattr(x, field) for x in layers)


# --- sequential networks --------------------------------------------------------------


@st.composite
def sequential_nets(draw):
    """A random stack; returns (yaml_text, expected params, expected non-trainable params)."""
    rank = draw(st.sampled_from([1, 2, 2, 3]))
    n = draw(st.integers(8, 24) if rank < 3 else st.integers(4, 9))
    c = draw(st.integers(1, 8))
    shape = [n] * rank + [c]
    layers, params, frozen = [], 0, 0
    for _ in range(draw(st.integers(1, 7))):
        choice = draw(st.sampled_from(["conv", "conv", "dwconv", "pool", "bn", "act", "dropout", "pad"]))
        if choice == "conv":
            f = draw(st.integers(1, 16))
            k = draw(st.integers(1, 4))
            s = draw(st.integers(1, 2)) if n >= 4 else 1
            groups = draw(st.sampled_from([g for g in range(1, c + 1) if c % g == 0 and f % g == 0]))
            bias = draw(st.booleans())
            same = draw(st.booleans())
            spec = {
                "filters": f,
                "kernel": k,
                "stride": s,
                "groups": groups,
                "bias": bias,
                "padding": "same" if same else k // 2,
            }
            if same:
                spec["dilation"] = draw(st.integers(1, 2))
            layers.append({"conv": spec})
            params += f * (c // groups) * k**rank + (f if bias else 0)
            c, n = f, n // s  # n // s is a lower bound of the new size, enough to stay valid
        elif choice == "dwconv":
            m = draw(st.integers(1, 2))
            layers.append({"depthwise_conv": {"kernel": 3, "padding": "same", "depth_multiplier": m}})
            params += c * m * 3**rank + c * m
            c *= m
        elif choice == "pool" and n >= 2:
            layers.append({draw(st.sampled_from(["max_pool", "avg_pool"])): {"kernel": 2}})
            n //= 2
        elif choice == "bn":
            layers.append("batch_norm")
            params += 2 * c
            frozen += 2 * c
        elif choice == "act":
            layers.append(draw(st.sampled_from(ACTIVATIONS)))
        elif choice == "dropout":
            layers.append({"dropout": {"rate": 0.25}})
        elif choice == "pad":
            layers.append({"zero_pad": {"padding": 1}})
            n += 2
    if draw(st.booleans()):
        u = draw(st.integers(1, 20))
        layers += ["global_avg_pool", {"dense": {"units": u, "activation": "softmax"}}]
        params += c * u + u
    return yaml_of(layers, shape, LAYOUT[rank]), params, frozen


@SETTINGS
@given(sequential_nets())
def test_sequential_params_match_hand_formulas_and_sum_to_totals(case):
    text, params, frozen = case
    report = cnncalc.analyze(cnncalc.loads(text))
    layers = report.layers
    assert report.totals.params == params
    assert report.totals.non_trainable_params == frozen
    assert _sum(layers, "params") == report.totals.params
    assert _sum(layers, "weights") + _sum(layers, "biases") == report.totals.params
    assert _sum(layers, "non_trainable_params") == report.totals.non_trainable_params
    assert _sum(layers, "macs") == report.totals.macs
    assert _sum(layers, "activation_size") == report.totals.activation_size
    for x in layers:
        assert x.flops == 2 * x.macs
        assert x.activation_size == math.prod(x.output_shape)
    assert report.totals.flops == 2 * report.totals.macs


# --- inception-like concat blocks -----------------------------------------------------

BRANCH_KINDS = ["1x1", "reduce_kxk", "pool_proj", "pool", "identity"]


@st.composite
def inception_nets(draw):
    """A stem conv, 1–3 calls of a generated concat block, then a classifier.

    Returns (yaml_text, calls, rest_params): calls lists, per block call, its name, the
    expected concat channels, the expected params of the whole call and the expected branch
    output channels; rest_params is the stem and classifier's params."""
    n = draw(st.integers(5, 16))
    c_in = c = draw(st.integers(1, 8))
    branches = draw(st.lists(st.sampled_from(BRANCH_KINDS), min_size=2, max_size=4))
    block_params = []
    block_branches = []
    for i, b in enumerate(branches):
        if b == "1x1":
            block_params.append(f"f{i}")
            block_branches.append([{"conv": {"filters": f"${{f{i}}}", "kernel": 1}}])
        elif b == "reduce_kxk":
            block_params += [f"r{i}", f"f{i}", f"k{i}"]
            block_branches.append(
                [
                    {"conv": {"filters": f"${{r{i}}}", "kernel": 1}},
                    "relu",
                    {"conv": {"filters": f"${{f{i}}}", "kernel": f"${{k{i}}}", "padding": f"${{k{i} // 2}}"}},
                ]
            )
        elif b == "pool_proj":
            block_params.append(f"f{i}")
            block_branches.append(
                [
                    {"max_pool": {"kernel": 3, "stride": 1, "padding": 1}},
                    {"conv": {"filters": f"${{f{i}}}", "kernel": 1}},
                ]
            )
        elif b == "pool":
            block_branches.append([{"avg_pool": {"kernel": 3, "stride": 1, "padding": "same"}}])
        else:
            block_branches.append([])
    blocks = {"mix": {"params": block_params, "layers": [{"concat": {"branches": block_branches}}, "relu"]}}

    stem_f = draw(st.integers(1, 12))
    layers = [{"conv": {"filters": stem_f, "kernel": 3, "padding": 1, "name": "stem"}}]
    rest_params = stem_f * c * 9 + stem_f
    c = stem_f
    calls = []
    for call in range(draw(st.integers(1, 3))):
        args, expected, outs = {"name": f"mix{call + 1}"}, 0, []
        for i, b in enumerate(branches):
            if b in ("1x1", "pool_proj"):
                f = draw(st.integers(1, 16))
                args[f"f{i}"] = f
                expected += f * c + f
                outs.append(f)
            elif b == "reduce_kxk":
                r, f, k = draw(st.integers(1, 8)), draw(st.integers(1, 16)), draw(st.sampled_from([3, 5]))
                args.update({f"r{i}": r, f"f{i}": f, f"k{i}": k})
                expected += (r * c + r) + (f * r * k * k + f)
                outs.append(f)
            else:
                outs.append(c)
        layers.append({"mix": args})
        calls.append((f"mix{call + 1}", sum(outs), expected, outs))
        c = sum(outs)
    u = draw(st.integers(1, 10))
    layers += [{"global_avg_pool": {"name": "gap"}}, {"dense": {"units": u, "name": "fc"}}]
    rest_params += c * u + u
    return yaml_of(layers, [n, n, c_in], "HWC", blocks), calls, rest_params


@SETTINGS
@given(inception_nets())
def test_concat_channels_and_block_totals(case):
    text, calls, rest_params = case
    report = cnncalc.analyze(cnncalc.loads(text))
    by_name = {x.name: x for x in report.layers}
    block_total = 0
    for name, channels, params, outs in calls:
        concat = by_name[f"{name}.concat1"]
        # concat channels = the sum of the branch channels: as generated, and as reported
        assert concat.output_shape[0] == channels == sum(outs)
        assert [by_name[i].output_shape[0] for i in concat.inputs] == outs
        assert concat.output_shape[0] == sum(by_name[i].output_shape[0] for i in concat.inputs)
        assert all(by_name[i].output_shape[1:] == concat.output_shape[1:] for i in concat.inputs)
        # the block's layers are exactly those named "name.…"
        members = [x for x in report.layers if x.name.startswith(name + ".")]
        assert sum(x.params for x in members) == params
        assert all(x.scope[:1] == (name,) for x in members)
        block_total += params
    rest = [x for x in report.layers if not any(x.name.startswith(c[0] + ".") for c in calls)]
    assert sum(x.params for x in rest) == rest_params
    assert block_total + rest_params == report.totals.params
    # the collapsed view (one row per block) carries the same totals
    rows = collapse(report, 1)
    assert [r.name for r in rows] == ["input", "stem", *(c[0] for c in calls), "gap", "fc"]
    for field in ("params", "macs", "non_trainable_params", "activation_size"):
        assert sum(getattr(r, field) for r in rows) == getattr(report.totals, field)
    for r, (_name, _, params, _) in zip(rows[2:], calls):
        assert r.params == params
    assert report.totals.flops == 2 * report.totals.macs


# --- residual stages: repeat of a block ----------------------------------------------


@SETTINGS
@given(st.integers(2, 12), st.integers(1, 8), st.integers(1, 4), st.booleans())
def test_repeated_residual_block_totals(n, c, repeat, bias):
    blocks = {
        "res": {
            "params": {"c": None, "k": 3},
            "layers": [
                {
                    "add": {
                        "branches": {
                            "main": [
                                {"conv": {"filters": "${c}", "kernel": "${k}", "padding": "same", "bias": bias}},
                                "batch_norm",
                            ],
                            "shortcut": [],
                        }
                    }
                },
                "relu",
            ],
        }
    }
    layers = [{"res": {"name": "stage", "repeat": repeat, "c": c}}, "flatten"]
    report = cnncalc.analyze(cnncalc.loads(yaml_of(layers, [n, n, c], "HWC", blocks)))
    one = c * c * 3 * 3 + (c if bias else 0) + 2 * c  # conv + BN gamma, beta
    # a named call with repeat N > 1 gives stage.1 … stage.N; with repeat 1 just stage
    prefixes = [f"stage.{r}." for r in range(1, repeat + 1)] if repeat > 1 else ["stage."]
    for prefix in prefixes:
        members = [x for x in report.layers if x.name.startswith(prefix)]
        assert sum(x.params for x in members) == one
        assert sum(x.non_trainable_params for x in members) == 2 * c
        assert report.layer(prefix + "add1").output_shape == (c, n, n)
        # MACs of a 'same' 3×3 conv at stride 1: n·n·c outputs × c·3·3
        assert sum(x.macs for x in members) == n * n * c * c * 3 * 3
    stage = [x for x in report.layers if x.name.startswith("stage.")]
    rest = [x for x in report.layers if not x.name.startswith("stage.")]
    assert sum(x.params for x in stage) + sum(x.params for x in rest) == report.totals.params
    assert report.totals.params == repeat * one
    assert report.layers[-1].output_shape == (n * n * c,)


# --- 'same' at stride 1 keeps the size ------------------------------------------------

SAME_KINDS = {
    "conv": True,
    "depthwise_conv": True,
    "separable_conv": True,
    "max_pool": True,
    "avg_pool": False,
}  # kind -> has dilation


@SETTINGS
@given(st.sampled_from(sorted(SAME_KINDS)), st.integers(1, 3), st.data())
def test_same_padding_at_stride_1_keeps_the_spatial_size(kind, rank, data):
    sizes = data.draw(st.lists(st.integers(1, 20 if rank < 3 else 7), min_size=rank, max_size=rank))
    c = data.draw(st.integers(1, 4))
    kernel = data.draw(st.lists(st.integers(1, 7), min_size=rank, max_size=rank))
    spec = {"kernel": kernel, "stride": 1, "padding": "same"}
    if SAME_KINDS[kind]:
        spec["dilation"] = data.draw(st.integers(1, 3))
    if kind in ("conv", "separable_conv"):
        spec["filters"] = data.draw(st.integers(1, 5))
    report = cnncalc.analyze(cnncalc.loads(yaml_of([{kind: spec}], [*sizes, c], LAYOUT[rank])))
    out = report.layers[-1]
    assert tuple(out.output_shape[1:]) == tuple(sizes)
    assert out.warnings == ()

"""Receptive fields: size, jump (effective stride) and start (−effective padding) per spatial
dimension, against a brute-force oracle and published values.

The oracle does not use the composition formula. It enumerates, for an output position, every
window tap of every layer down to the input, on an unbounded lattice (a padded position of a
feature map is simply a position outside it, whose own field is defined the same way), and
collects the input coordinates reached. Araujo et al., "Computing Receptive Fields of
Convolutional Neural Networks" (Distill, 2019), define size, stride and padding this way."""

from __future__ import annotations

import functools
import json
import random

import pytest
from helpers import network_yaml

import cnncalc


def tf_same_before(n, k, s, d):
    """TensorFlow's 'same': total = max((⌈n/s⌉ − 1)·s + d·(k − 1) + 1 − n, 0), the smaller
    half before."""
    total = max((-(-n // s) - 1) * s + d * (k - 1) + 1 - n, 0)
    return total // 2


def oracle(taps_per_layer):
    """taps_per_layer[l](j) -> the positions of layer l's input read by its output j.
    Returns field(l, j): the set of input coordinates that output j of layer l reaches."""

    @functools.cache
    def field(layer, j):
        if layer < 0:
            return frozenset([j])
        return frozenset().union(*(field(layer - 1, i) for i in taps_per_layer[layer](j)))

    return field


def sliding_taps(k, s, d, before):
    return lambda j: [s * j - before + d * t for t in range(k)]


def random_chain(rng, n):
    """A 1-D chain of conv / max_pool / avg_pool / zero_pad layers, and each one's taps."""
    layers, taps = [], []
    for _ in range(rng.randint(1, 6)):
        kind = rng.choice(["conv", "conv", "max_pool", "avg_pool", "zero_pad"])
        if kind == "zero_pad":
            before, after = rng.randint(0, 3), rng.randint(0, 3)
            layers.append({"zero_pad": {"padding": [[before, after]]}})
            taps.append(lambda j, b=before: [j - b])
            n += before + after
            continue
        k, s = rng.randint(1, 5), rng.randint(1, 3)
        d = rng.randint(1, 3) if kind != "avg_pool" else 1
        if kind == "conv" and rng.random() < 0.3:
            padding, before, after = "same", tf_same_before(n, k, s, d), None
            total = max((-(-n // s) - 1) * s + d * (k - 1) + 1 - n, 0)
            after = total - before
        else:
            limit = k // 2 if kind != "conv" else 3  # PyTorch's pools pad at most ⌊k/2⌋
            before, after = rng.randint(0, limit), rng.randint(0, limit)
            padding = [[before, after]]
        options = {"kernel": k, "stride": s, "padding": padding}
        if kind == "conv":
            options.update(filters=2, dilation=d)
        elif kind == "max_pool":
            options["dilation"] = d
        span = n + before + after - (d * (k - 1) + 1)
        if span < s:  # keep at least 2 outputs, so that the jump is visible
            break
        layers.append({kind: options})
        taps.append(sliding_taps(k, s, d, before))
        n = span // s + 1
    return layers, taps


@pytest.mark.parametrize("seed", range(300))
def test_chain_matches_brute_force(seed):
    rng = random.Random(seed)
    n = rng.randint(40, 120)
    layers, taps = random_chain(rng, n)
    if not layers:
        pytest.skip("no layer fitted")
    report = cnncalc.analyze(cnncalc.loads(network_yaml(layers, [n, 2], "TC")))
    field = oracle(taps)
    for index, row in enumerate(report.layers[1:]):
        first, second = field(index, 0), field(index, 1)
        expected = ((max(first) - min(first) + 1,), (min(second) - min(first),), (min(first),))
        got = row.field
        assert (got.size, got.jump, got.start) == expected, (layers[: index + 1], row.name)


def test_input_size_does_not_matter_for_the_oracle_chain():
    # the field of a chain without 'same' padding is the same at any input size it fits
    layers = [
        {"conv": {"filters": 2, "kernel": 3, "stride": 2, "padding": 1}},
        {"max_pool": {"kernel": 3, "stride": 2, "padding": 1}},
    ]
    fields = {
        n: cnncalc.analyze(cnncalc.loads(network_yaml(layers, [n, 1], "TC"))).layers[-1].field for n in (31, 64, 97)
    }
    # conv: size 3, jump 2, start −1; pool: 3 + (3 − 1)·2 = 7, jump 4, start −1 − 1·2 = −3
    assert set(fields.values()) == {((7,), (4,), (-3,))}


def test_two_dimensions_are_independent():
    layers = [
        {"conv": {"filters": 2, "kernel": [3, 5], "stride": [1, 2], "padding": [[1, 1], [0, 2]]}},
        {"max_pool": {"kernel": [2, 3], "stride": [2, 1]}},
    ]
    f = cnncalc.analyze(cnncalc.loads(network_yaml(layers, [20, 20, 1], "HWC"))).layers[-1].field
    # H: conv 3/1 p1 -> size 3, jump 1, start −1; pool 2/2 -> 3 + 1·1 = 4, jump 2, start −1
    # W: conv 5/2 p(0,2) -> size 5, jump 2, start 0; pool 3/1 -> 5 + 2·2 = 9, jump 2, start 0
    assert (f.size, f.jump, f.start) == ((4, 9), (2, 2), (-1, 0))


def test_merge_is_the_union_of_aligned_branches():
    # branch A reads inputs −2..0 (2 steps of padding before), branch B reads 0..2: the sum
    # at output 0 depends on −2..2, 5 positions, although each branch alone sees only 3
    net = cnncalc.loads("""
input: {shape: [10, 1], layout: TC}
layers:
  - add:
      branches:
        a: [{zero_pad: {padding: [[2, 0]]}}, {conv: {filters: 1, kernel: 3}}]
        b: [{zero_pad: {padding: [[0, 2]]}}, {conv: {filters: 1, kernel: 3}}]
""")
    r = cnncalc.analyze(net)
    assert r.layer("a.conv1").field.start == (-2,) and r.layer("b.conv1").field.start == (0,)
    f = r.layers[-1].field
    assert (f.size, f.jump, f.start) == ((5,), (1,), (-2,))


def test_undefined_after_flatten_dense_and_transposed_convolution():
    net = cnncalc.loads(
        network_yaml(
            [
                {"conv_transpose": {"filters": 2, "kernel": 2, "stride": 2}},
                {"conv": {"filters": 2, "kernel": 3}},
                "flatten",
                {"dense": {"units": 3}},
            ],
            [8, 8, 1],
            "HWC",
        )
    )
    assert [row.field for row in cnncalc.analyze(net).layers[1:]] == [None] * 4


# --- published values: Araujo et al., Distill 2019, Table 1 ------------------------------------


def test_vgg16_published(analyzed):
    r = analyzed("vgg16")
    conv5_3, pool5 = r.layer("conv13").field, r.layer("pool5").field
    assert (conv5_3.size, conv5_3.jump) == ((196, 196), (16, 16))
    # pool5: size 212, effective stride 32, effective padding 90
    assert (pool5.size, pool5.jump, pool5.start) == ((212, 212), (32, 32), (-90, -90))


def test_mobilenet_v1_published(analyzed):
    # the last pointwise convolution: size 315, effective stride 32, effective padding 126
    f = analyzed("mobilenet_v1").layer("block13.pw").field
    assert (f.size, f.jump, f.start) == ((315, 315), (32, 32), (-126, -126))


def test_merge_is_a_union_per_dimension():
    # branch a: 5×1 kernel, branch b: 1×9 kernel (both 'same'-padded): the concat sees 5 rows
    # and 9 columns, not the lexicographically larger of (5, 1) and (1, 9)
    net = cnncalc.loads("""
input: {shape: [16, 16, 1], layout: HWC}
layers:
  - concat:
      branches:
        a: [{conv: {filters: 1, kernel: [5, 1], padding: [2, 0]}}]
        b: [{conv: {filters: 1, kernel: [1, 9], padding: [0, 4]}}]
""")
    f = cnncalc.analyze(net).layers[-1].field
    assert (f.size, f.start) == ((5, 9), (-2, -4))


def test_fields_of_different_jumps_do_not_merge():
    # a squeeze-and-excitation gate (global pool: jump 64) broadcast over the 64×64 map
    # (jump 1): no single size, jump and start describes the product
    net = cnncalc.loads("""
input: {shape: [64, 64, 4], layout: HWC}
layers:
  - multiply:
      branches:
        - [{global_avg_pool: {keepdims: true}}, {conv: {filters: 4, kernel: 1}}, sigmoid]
        - []
  - conv: {filters: 4, kernel: 3}
""")
    r = cnncalc.analyze(net)
    assert r.layer("branch1.pool1").field.jump == (64, 64)
    assert r.layers[-2].field is None and r.layers[-1].field is None


def test_json_and_the_rf_column():
    from click.testing import CliRunner

    from cnncalc.cli import cli

    data = json.loads(CliRunner().invoke(cli, ["summary", "vgg16", "--format", "json"]).output)
    pool5 = next(x for x in data["layers"] if x["name"] == "pool5")
    # Araujo et al., Table 1: VGG-16 pool5, size 212, effective stride 32, effective padding 90
    assert (pool5["receptive_field"], pool5["effective_stride"], pool5["effective_padding"]) == (
        [212, 212],
        [32, 32],
        [90, 90],
    )
    fc1 = next(x for x in data["layers"] if x["name"] == "fc1")
    assert (fc1["receptive_field"], fc1["effective_stride"], fc1["effective_padding"]) == (None, None, None)
    table = CliRunner().invoke(cli, ["summary", "vgg16", "--rf", "--wide"]).output
    assert "212 s32 p90" in table and "196 s16 p90" in table


def test_an_unaligned_merge_says_so():
    net = cnncalc.loads("""
input: {shape: [64, 64, 4], layout: HWC}
layers:
  - multiply:
      branches:
        - [{global_avg_pool: {keepdims: true}}, sigmoid]
        - []
""")
    row = cnncalc.analyze(net).layers[-1]
    assert row.field is None
    assert [w.code for w in row.warnings] == ["unaligned-field"]
    assert "effective strides 1×1 and 64×64" in row.warnings[0]


def test_uneven_adaptive_windows_leave_the_field_undefined_never_a_guess():
    # PyTorch's windows for 10 → 4 are [0,3), [2,5), [5,8), [7,10): 3 wide, at strides 2 and 3.
    # The course's formula would say s = ⌊10/4⌋ = 2, f = 10 − 3·2 = 4: a field of 4 no window has.
    from cnncalc.api import one_layer

    row, _, _ = one_layer("adaptive_avg_pool", "10x10x8", {"output_size": 4})
    assert row.receptive_field is None
    assert [w.code for w in row.warnings] == ["uneven-windows"]
    assert "are 3 wide at strides 2 and 3" in str(row.warnings[0]) and "largest window is 3" in str(row.warnings[0])
    # 13 → 6: windows [⌊i·13/6⌋, ⌈(i+1)·13/6⌉) all start at i·2 and are 3 wide: exactly kernel 3, stride 2
    row, _, _ = one_layer("adaptive_avg_pool", "13x13x8", {"output_size": 6})
    assert row.receptive_field == (3, 3) and row.field.jump == (2, 2) and row.warnings == ()

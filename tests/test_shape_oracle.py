"""The output-size rule checked against brute force: enumerate every window start position.

The oracle never uses the closed formula; it slides a window along a padded line and counts
the starts that are allowed, so an off-by-one in `out_size` (floor/ceil, dilation, the
ceil-mode drop) shows up as a disagreement on some small configuration.
"""

from __future__ import annotations

import math
import random
import re

import pytest
from oracles import oracle_count, oracle_windows

import cnncalc
from cnncalc.errors import CnnCalcError
from cnncalc.kinds.sliding import (
    effective_kernel,
    inexact_warning,
    out_size,
    same_padding,
    window_out,
)


def pool_valid(k, d, pad):
    """PyTorch: 'pad should be at most half of effective kernel size'."""
    return 2 * max(pad) <= d * (k - 1) + 1


def random_configs(count, seed):
    rng = random.Random(seed)
    for _ in range(count):
        yield (
            rng.randint(1, 20),
            rng.randint(1, 6),
            rng.randint(1, 4),
            (rng.randint(0, 3), rng.randint(0, 3)),
            rng.randint(1, 3),
            rng.random() < 0.5,
        )


def test_out_size_matches_brute_force_on_random_configs():
    compared = {False: 0, True: 0}
    for n, k, s, pad, d, ceil_mode in random_configs(6000, seed=20240601):
        if ceil_mode and not pool_valid(k, d, pad):
            continue
        expected = oracle_count(n, k, s, pad, d, ceil_mode)
        if expected < 1:
            continue
        assert out_size(n, k, s, pad, d, ceil_mode) == expected, (n, k, s, pad, d, ceil_mode)
        compared[ceil_mode] += 1
    # the comparison must actually have happened, in both modes
    assert compared[False] > 1500 and compared[True] > 500, compared


def test_out_size_matches_brute_force_exhaustively_for_tiny_inputs():
    """Every configuration with n ≤ 8, both modes."""
    checked = 0
    for n in range(1, 9):
        for k in range(1, 5):
            for s in range(1, 4):
                for d in range(1, 3):
                    for pb in range(0, 3):
                        for pa in range(0, 3):
                            for ceil_mode in (False, True):
                                pad = (pb, pa)
                                if ceil_mode and not pool_valid(k, d, pad):
                                    continue
                                expected = oracle_count(n, k, s, pad, d, ceil_mode)
                                if expected >= 1:
                                    assert out_size(n, k, s, pad, d, ceil_mode) == expected, (
                                        n,
                                        k,
                                        s,
                                        pad,
                                        d,
                                        ceil_mode,
                                    )
                                    checked += 1
                                else:
                                    assert out_size(n, k, s, pad, d, ceil_mode) < 1
    assert checked > 2000


def test_window_too_large_is_an_error_not_a_zero():
    # 5 wide window on 3 positions, no padding: nothing fits
    assert oracle_count(3, 5, 1, (0, 0), 1, False) == 0
    with pytest.raises(CnnCalcError):
        window_out((3,), (5,), (1,), 0, (1,))


# --- the named examples --------------------------------------------------------


def test_maxpool_k2_s2_p1_ceil_on_15_gives_8_not_9():
    # ceil((15 + 2 − 2)/2) + 1 = 9, but the 9th window would start at −1 + 8·2 = 15,
    # i.e. in the right padding, so PyTorch drops it.
    assert oracle_count(15, 2, 2, (1, 1), 1, True) == 8
    assert out_size(15, 2, 2, (1, 1), 1, ceil_mode=True) == 8
    assert oracle_windows(15, 2, 2, (1, 1), 1, True)[-1] == -1 + 7 * 2


@pytest.mark.parametrize(
    "n, k, s, expected",
    [
        (39, 3, 1, 37),  # (39 − 3)/1 + 1
        (37, 5, 2, 17),  # (37 − 5)/2 + 1
        (17, 5, 2, 7),  # (17 − 5)/2 + 1
    ],
    ids=["ng_layer1", "ng_layer2", "ng_layer3"],
)
def test_ng_39_chain(n, k, s, expected):
    assert out_size(n, k, s, (0, 0)) == expected
    assert oracle_count(n, k, s, (0, 0), 1, False) == expected
    assert inexact_warning("H", n, k, s, (0, 0), 1) is None


def test_ng_39_chain_through_the_api():
    # Ng's Deep Learning Specialization: 39×39×3 → 37×37×10 → 17×17×20 → 7×7×40, then a 1960 element vector
    net = cnncalc.loads("""
input: {shape: [39, 39, 3], layout: HWC}
layers:
  - conv: {filters: 10, kernel: 3}
  - conv: {filters: 20, kernel: 5, stride: 2}
  - conv: {filters: 40, kernel: 5, stride: 2}
  - flatten
""")
    r = cnncalc.analyze(net)
    assert [x.output_shape for x in r.layers[1:]] == [(10, 37, 37), (20, 17, 17), (40, 7, 7), (1960,)]
    assert r.layers[-1].activation_size == 7 * 7 * 40


def test_alexnet_227_is_exact():
    assert out_size(227, 11, 4) == 55  # (227 − 11)/4 + 1 = 216/4 + 1
    assert inexact_warning("H", 227, 11, 4, (0, 0), 1) is None
    out, pads, warnings = window_out((227, 227), (11, 11), (4, 4), 0, (1, 1))
    assert out == (55, 55) and warnings == []


def test_alexnet_224_floors_to_54_with_a_warning():
    # (224 − 11)/4 = 213/4 = 53.25 → floor 53, + 1 = 54; the last 213 mod 4 = 1 row is ignored
    assert out_size(224, 11, 4) == 54
    w = inexact_warning("H", 224, 11, 4, (0, 0), 1)
    assert w is not None and "213/4" in w and re.search(r"\blast 1 \w+", w)
    out, _, warnings = window_out((224, 224), (11, 11), (4, 4), 0, (1, 1))
    assert out == (54, 54)
    # a square layer says it once, for both dimensions
    assert len(warnings) == 1 and warnings[0].startswith("H, W: (224 + 2·0 − 11)/4 = 213/4")
    assert "last 1 input row/column" in warnings[0]
    _, _, warnings = window_out((224, 227), (11, 11), (4, 4), 0, (1, 1))
    assert len(warnings) == 1 and warnings[0].startswith("H: ")


def test_inexact_warning_iff_the_floor_drops_positions():
    """The warning fires exactly when the last floor-mode window leaves padded positions uncovered."""
    for n, k, s, pad, d, _ in random_configs(2000, seed=7):
        starts = oracle_windows(n, k, s, pad, d, False)
        if not starts:
            continue
        uncovered = (n - 1 + pad[1]) - (starts[-1] + d * (k - 1))
        w = inexact_warning("W", n, k, s, pad, d)
        assert (w is not None) == (uncovered > 0), (n, k, s, pad, d)
        if w:
            assert re.search(rf"\blast {uncovered} \w+", w), w


# --- 'same' padding --------------------------------------------------------------------


def test_same_padding_gives_ceil_n_over_s_and_puts_the_odd_pixel_after():
    checked = 0
    for n in range(1, 21):
        for k in range(1, 7):
            for s in range(1, 5):
                for d in range(1, 4):
                    before, after = same_padding(n, k, s, d)
                    # TF/Keras: output = ceil(n / s)
                    assert oracle_count(n, k, s, (before, after), d, False) == math.ceil(n / s)
                    # the odd pixel goes to the bottom/right
                    assert after - before in (0, 1)
                    # and no more padding than needed: one less on either side loses an output
                    total = before + after
                    if total:
                        assert oracle_count(n, k, s, (0, total - 1), d, False) < math.ceil(n / s)
                    checked += 1
    assert checked == 20 * 6 * 4 * 3


@pytest.mark.parametrize(
    "n, k, s, expected",
    [
        (5, 3, 1, (1, 1)),  # total (5−1)·1 + 3 − 5 = 2
        (6, 3, 2, (0, 1)),  # total (3−1)·2 + 3 − 6 = 1, odd pixel after
        (7, 3, 2, (1, 1)),  # total (4−1)·2 + 3 − 7 = 2
        (224, 7, 2, (2, 3)),  # total (112−1)·2 + 7 − 224 = 5
        (4, 1, 2, (0, 0)),  # total max((2−1)·2 + 1 − 4, 0) = 0
    ],
)
def test_same_padding_examples(n, k, s, expected):
    assert same_padding(n, k, s) == expected


def test_same_at_stride_1_keeps_the_size():
    for n in range(1, 21):
        for k in range(1, 7):
            for d in range(1, 4):
                out, _, _ = window_out((n,), (k,), (1,), "same", (d,))
                assert out == (n,)


def test_dilation_behaves_like_a_kernel_of_d_times_k_minus_1_plus_1():
    for n, k, s, pad, d, ceil_mode in random_configs(3000, seed=99):
        big = d * (k - 1) + 1
        assert effective_kernel(k, d) == big
        if ceil_mode and not pool_valid(k, d, pad):
            continue
        assert out_size(n, k, s, pad, d, ceil_mode) == out_size(n, big, s, pad, 1, ceil_mode)
        assert oracle_count(n, k, s, pad, d, ceil_mode) == oracle_count(n, big, s, pad, 1, ceil_mode)
        assert same_padding(n, k, s, d) == same_padding(n, big, s, 1)


def test_adaptive_window_sizes_and_fixed_windows_by_arithmetic_match_enumeration():
    from cnncalc.kinds import AdaptivePool

    for n in range(1, 61):
        for t in range(1, 61):
            windows = [(i * n // t, -(-(i + 1) * n // t)) for i in range(t)]  # PyTorch's rule
            assert AdaptivePool.sizes(n, t) == sorted({end - start for start, end in windows}), (n, t)
            s, f = n // t, n - (t - 1) * (n // t)
            fixed = s > 0 and all(w == (i * s, i * s + f) for i, w in enumerate(windows))
            assert AdaptivePool.fixed(n, t) == fixed, (n, t)


def test_a_stride_gap_note_only_where_no_larger_input_reads_the_dropped_rows():
    """Brute force: enumerate the positions every window reads. Where the floor's remainder r
    (past the right padding) is at most the gap a stride longer than the window leaves between
    windows, no input of any larger size reads the dropped positions: a note (`stride-gap`), not
    a warning. Otherwise some larger input does read them (undilated): the warning stays."""
    from cnncalc.kinds.sliding import inexact_warnings

    notes = warnings = 0
    for n in range(1, 20):
        for k, s, d in [(1, 2, 1), (1, 3, 1), (2, 3, 1), (2, 5, 2), (3, 2, 1), (3, 4, 1), (1, 4, 1), (2, 2, 2)]:
            for p0, p1 in [(0, 0), (1, 0), (0, 1), (1, 1)]:
                span = n + p0 + p1 - (d * (k - 1) + 1)
                if span < 0 or span % s == 0:
                    continue
                found = inexact_warnings(("H",), (n,), (k,), (s,), [(p0, p1)], (d,))
                assert len(found) == 1
                tail = {i for i in range(n) if i + p0 >= n + p0 + p1 - span % s}  # input the floor drops
                read_later = any(
                    tail & {j * s + t * d - p0 for j in range((span + delta) // s + 1) for t in range(k)}
                    for delta in range(1, 3 * s)
                )
                if not tail:
                    assert found[0].code == "padding-only"
                elif found[0].code == "stride-gap":  # never where a larger input reads them
                    notes += 1
                    assert not read_later, (n, k, s, d, p0, p1)
                    assert "a larger input would not read" in found[0]
                else:  # a warning where a larger input reads them; with dilation also where the
                    # dilated window's own holes skip them (the rule looks at the window's span)
                    warnings += 1
                    assert found[0].code == "inexact-division"
                    assert read_later or d > 1, (n, k, s, d, p0, p1)
    assert notes > 20 and warnings > 20


def test_torchvisions_resnets_pass_check_strict():
    """Their 1×1 stride-2 downsampling convolutions (56 → 28) skip row 55 as they skip every odd
    row: a note, so `check --strict` passes a stock ResNet."""
    from click.testing import CliRunner

    from cnncalc.cli import cli

    for name in ("resnet18", "resnet50", "regnet_x_400mf"):
        result = CliRunner().invoke(cli, ["check", name, "--strict"])
        assert result.exit_code == 0, result.output
    report = cnncalc.analyze("resnet18")
    codes = [w.code for row in report.layers for w in row.warnings]
    assert "stride-gap" in codes and "inexact-division" not in codes


def test_a_transposed_same_refuses_output_padding():
    """Keras's 'same' gives n·stride only without output_padding; with one its rule is another
    ((n − 1)·s + k − 2·⌊k/2⌋ + op): refused, never silently n·stride."""
    net = (
        "input: {shape: [8, 8, 4], layout: HWC}\nlayers:\n"
        "  - conv_transpose: {filters: 2, kernel: 4, stride: 2, padding: same, output_padding: %s}\n"
    )
    assert cnncalc.analyze(cnncalc.loads(net % 0)).layers[-1].output_shape == (2, 16, 16)
    with pytest.raises(CnnCalcError, match="output_padding must be 0, but saw 1"):
        cnncalc.analyze(cnncalc.loads(net % 1))


def test_solve_marks_as_exact_exactly_the_settings_that_read_every_input_position():
    # brute force: the positions that some window reads, by enumerating every window start
    from cnncalc.solve import Solution, loss

    rng = random.Random(20261208)
    checked = {True: 0, False: 0}
    for _ in range(4000):
        n, k, s, d = rng.randint(1, 40), rng.randint(1, 6), rng.randint(1, 4), rng.randint(1, 3)
        pad = (rng.randint(0, 3), rng.randint(0, 3))
        ceil_mode = rng.random() < 0.3
        if n + pad[0] + pad[1] < d * (k - 1) + 1 or (ceil_mode and 2 * max(pad) > d * (k - 1) + 1):
            continue
        starts = oracle_windows(n, k, s, pad, d, ceil_mode)
        read = {p + j * d for p in starts for j in range(k)} & set(range(n))
        every = len(read) == n
        assert (loss(n, Solution(k, s, d, pad, ceil_mode)) == "") == every, (n, k, s, d, pad, ceil_mode)
        checked[every] += 1
    assert min(checked.values()) > 300  # both kinds of setting met often


def test_solve_leads_with_a_setting_that_reads_every_input_position():
    # 32 → 16 by pooling: a 1×1 window at stride 2 reads every other row; 2×2/2 reads them all
    from cnncalc import api

    found = api.solve(32, 16, "pool")
    assert (found.solutions[0].kernel, found.solutions[0].stride, found.solutions[0].loss) == (2, 2, "")
    one = next(sol for sol in found.solutions if sol.kernel == 1)
    assert one.loss == "skips input between windows"
    # 33 → 16 with a 3×3 window at stride 2 and no padding: ⌊(33 − 3)/2⌋ + 1 = 16 reads rows 0 to 32 whole;
    # a 2×2/2 window gives ⌊(33 − 2)/2⌋ + 1 = 16 too, and never reads row 32
    found = api.solve(33, 16, "conv", kernel=2, stride=2, padding=0)
    assert found.solutions[0].loss == "the floor drops the last 1 input position"

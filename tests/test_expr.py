"""Safe arithmetic in YAML fields (cnncalc.expr). Expected values are computed by hand."""

from __future__ import annotations

import pytest

import cnncalc
from cnncalc.errors import CnnCalcError
from cnncalc.expr import evaluate, make_divisible, substitute


# torchvision's _make_divisible(v, divisor=8, min_value=None):
#   new_v = max(min_value or divisor, int(v + divisor / 2) // divisor * divisor)
#   if new_v < 0.9 * v: new_v += divisor
@pytest.mark.parametrize(
    "v, divisor, expected",
    [
        (32 * 0.75, 8, 24),  # int(24 + 4) // 8 · 8 = 24: MobileNetV2 ×0.75 stem
        (32 * 0.5, 8, 16),  # int(20) // 8 · 8 = 16
        (16 * 0.35, 8, 8),  # int(9.6) // 8 · 8 = 8; 8 ≥ 0.9·5.6
        (32 * 0.35, 8, 16),  # int(15.2) // 8 · 8 = 8 < 0.9·11.2 = 10.08, so + 8 = 16
        (96 * 0.35, 8, 32),  # int(37.6) // 8 · 8 = 32 ≥ 30.24
        (3, 8, 8),  # int(7) // 8 · 8 = 0, raised to min_value = divisor = 8
        (10, 8, 16),  # int(14) // 8 · 8 = 8 < 9, so 16
        (91, 8, 88),  # int(95) // 8 · 8 = 88 ≥ 81.9
        (100, 8, 104),  # int(104) // 8 · 8 = 104
        (72 // 4, 8, 24),  # MobileNetV3 SE squeeze for 72 channels: 18 → 16 < 16.2 → 24
        (120 // 4, 8, 32),  # MobileNetV3 SE squeeze for 120 channels: 30 → int(34)//8·8 = 32
        (480 // 4, 8, 120),  # 120 is already a multiple of 8
        (32 * 1.1, 8, 32),  # EfficientNet-B2 width 1.1: int(39.2) // 8 · 8 = 32 ≥ 31.68
        (17, 4, 16),  # int(19) // 4 · 4 = 16 ≥ 15.3
    ],
)
def test_make_divisible_like_torchvision(v, divisor, expected):
    assert make_divisible(v, divisor) == expected
    assert evaluate(f"make_divisible({v!r}, {divisor})", {}) == expected


def test_make_divisible_defaults_and_min_value():
    assert make_divisible(24) == 24  # divisor defaults to 8
    assert make_divisible(5, 8, 16) == 16  # max(16, 8)
    assert evaluate("make_divisible(32 * alpha)", {"alpha": 0.75}) == 24


@pytest.mark.parametrize(
    "text, scope, expected",
    [
        ("round(64 * alpha)", {"alpha": 0.75}, 48),
        ("round(7.6)", {}, 8),
        ("round(7.4)", {}, 7),
        ("round(3.14159, 2)", {}, 3.14),
        ("floor(7.9)", {}, 7),
        ("floor(-0.5)", {}, -1),
        ("ceil(7.1)", {}, 8),
        ("ceil(224 / 32)", {}, 7),
        ("int(7.9)", {}, 7),
        ("int(-7.9)", {}, -7),
        ("min(3, 1, 2)", {}, 1),
        ("max(3, 1, 2)", {}, 3),
        ("max(8, round(c * 0.25))", {"c": 16}, 8),
        ("7 // 2", {}, 3),
        ("-7 // 2", {}, -4),  # floor division rounds toward −∞
        ("7 / 2", {}, 3.5),
        ("7 % 3", {}, 1),
        ("c // 4", {"c": 64}, 16),
        ("2 + 3 * 4", {}, 14),  # precedence
        ("(2 + 3) * 4", {}, 20),
        ("((2 + 3) * (4 - (1 + 1)))", {}, 10),
        ("((((1))))", {}, 1),
        ("-(3 - 5)", {}, 2),
        ("+4", {}, 4),
        ("min(max(1, 2), max(3, min(4, 5)))", {}, 2),  # min(2, 4)
        ("1.5 * 2", {}, 3.0),
    ],
)
def test_evaluate(text, scope, expected):
    value = evaluate(text, scope)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(
    "text",
    [
        "2 ** 10",
        "a.b",
        "__import__('os')",
        "[1, 2]",
        "'text'",
        "True",
        "lambda: 1",
        "x if 1 else 2",
        "1 < 2 in 3",
        "f(1)",
        "min(*[1])",
        "round(1, ndigits=2)",
        "1 +",
        "",
        "9" * 600,
    ],
)
def test_evaluate_rejects(text):
    with pytest.raises(CnnCalcError) as info:
        evaluate(text, {"a": 1, "x": 2})
    assert "in expression" in str(info.value)


def test_substitute_whole_and_inside_text():
    assert substitute("${c // 4}", {"c": 64}) == 16
    assert substitute("  ${c}  ", {"c": 64}) == 64  # whole value, spaces around
    assert substitute("stage${i}", {"i": 2}) == "stage2"
    assert substitute("stage${i + 1}_b${j}", {"i": 2, "j": 4}) == "stage3_b4"
    assert substitute("x${4 / 2}", {}) == "x2"  # integral floats print as ints
    assert substitute("x${3 / 2}", {}) == "x1.5"
    assert substitute("plain", {}) == "plain"
    assert substitute(5, {}) == 5
    with pytest.raises(CnnCalcError):
        substitute("stage${i", {"i": 1})


def test_expressions_in_a_network():
    text = """
params: {alpha: 0.35, resolution: 96}
input: {shape: ["${resolution}", "${resolution}", 3], layout: HWC}
blocks:
  stage:
    params: {i: null, c: null}
    layers:
      - conv: {name: "conv${i}", filters: "${make_divisible(c * alpha, 8)}", kernel: 3, padding: 1}
      - relu: {name: "act${i}"}
layers:
  - stage: {name: s, i: 1, c: 32}
  - stage: {name: t, i: 2, c: 96}
  - conv: {filters: "${max(8, 1280 // 10)}", kernel: 1}
"""
    report = cnncalc.analyze(cnncalc.loads(text))
    assert report.input_shape == (3, 96, 96)
    # make_divisible(32·0.35) = 16 and make_divisible(96·0.35) = 32 (see the table above)
    assert report.layer("s.conv1").output_shape == (16, 96, 96)
    assert report.layer("s.act1").output_shape == (16, 96, 96)
    assert report.layer("t.conv2").output_shape == (32, 96, 96)
    assert report.layer("t.conv2").params == 32 * 16 * 3 * 3 + 32
    assert report.layers[-1].output_shape == (128, 96, 96)  # max(8, 128)
    wide = cnncalc.analyze(cnncalc.loads(text, params={"alpha": 1.0, "resolution": 64}))
    assert wide.layer("s.conv1").output_shape == (32, 64, 64)


@pytest.mark.parametrize(
    "text, value",
    [
        ("n > 1", True),
        ("n > 4", False),
        ("1 <= n <= 3", True),
        ("n == 3", True),
        ("n != 3", False),
        ("not n > 1", False),
        ("n > 1 and n < 3", False),
        ("n > 1 or n < 3", True),
    ],
)
def test_comparisons_give_true_or_false_for_when(text, value):
    assert evaluate(text, {"n": 3}) is value

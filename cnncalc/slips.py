"""The slips students make, found by recomputing a layer as the slip would: when a wrong answer
is exactly what one common slip gives, the check says which, beside the right arithmetic
("15 is what padding 0 gives; this layer has padding 1"). The slips, from the exercises of
Ng's Deep Learning Specialization and the CS231n notes: padding left out, a bias added or
left out, the input channels left out of a convolution's params, the floor and ceil rules
swapped, 'same' padding's output without the stride. (The C×H×W order of a shape is told by
check.check itself.) Standard library only."""

from __future__ import annotations

from math import prod

from .layout import in_layout


def _variants(kind: str, attrs: dict):
    """(what the slip gives, what the layer has, the attributes as the slip would have them)."""
    padding = attrs.get("padding")
    if padding not in (None, 0, "valid"):
        yield "padding 0", f"padding {_written(padding)}", {**attrs, "padding": 0}
    if attrs.get("bias") is True:
        yield "no bias", "a bias", {**attrs, "bias": False}
    elif attrs.get("bias") is False:
        yield "a bias", "no bias", {**attrs, "bias": True}
    if "ceil_mode" in attrs or kind in ("conv", "depthwise_conv", "separable_conv"):
        ceil = bool(attrs.get("ceil_mode", False))
        yield (
            "the ceiling rule" if not ceil else "the floor rule",
            "the floor rule ⌊…⌋" if not ceil else "ceil_mode true",
            {**attrs, "ceil_mode": not ceil},
        )


def _written(value) -> str:
    return str(value) if isinstance(value, (int, str)) else "×".join(map(str, value))


def hint(kind_name: str, attrs: dict, xs, quantity: str, expected, layout: str, matches) -> str | None:
    """What one slip gives that equals the wrong answer `expected`, or None. matches(computed,
    expected) compares as the check does (rounded answers, a batch of 1)."""
    from .engine import layer_row
    from .errors import CnnCalcError
    from .kinds import KINDS

    kind = KINDS.get(kind_name)
    if kind is None or kind.references or kind.merge or not xs:
        return None

    def value(row):
        return tuple(in_layout(row.output_shape, layout)) if quantity == "shape" else getattr(row, quantity)

    for slip, actual, changed in _variants(kind_name, attrs):
        try:
            row = layer_row(kind_name, changed, xs)
        except (CnnCalcError, ValueError, KeyError, TypeError, ArithmeticError):
            continue  # the slip gives no layer at all
        if matches(value(row), expected):
            return f"{_shown(expected)} is what {slip} gives; this layer has {actual}"
    # the input channels left out of a convolution's weights: filters · kernel area (+ biases)
    if kind_name == "conv" and quantity in ("params", "weights") and len(xs[0]) > 1:
        spatial = len(xs[0]) - 1
        kernel = attrs["kernel"]
        area = prod(kernel) if isinstance(kernel, (list, tuple)) else kernel**spatial
        weights = attrs["filters"] * area
        forgot = weights + (attrs["filters"] if attrs.get("bias") and quantity == "params" else 0)
        if matches(forgot, expected):
            return (
                f"{_shown(expected)} is what leaving out the {xs[0][0]} input channels gives; each of the "
                f"{attrs['filters']} filters spans all of them"
            )
    # 'same' padding's output without the stride: n instead of ⌈n/s⌉
    if quantity == "shape" and attrs.get("padding") == "same" and attrs.get("stride", 1) != 1:
        unstrided = tuple(in_layout((value_channels(kind_name, attrs, xs), *xs[0][1:]), layout))
        if matches(unstrided, expected):
            return (
                f"{_shown(expected)} is what 'same' padding gives at stride 1; at stride "
                f"{_written(attrs['stride'])} 'same' gives ⌈n/s⌉"
            )
    return None


def value_channels(kind_name: str, attrs: dict, xs) -> int:
    """The output channels of a convolution or pooling layer."""
    if "filters" in attrs:
        return attrs["filters"]
    return xs[0][0] * attrs.get("depth_multiplier", 1)


def _shown(value) -> str:
    if hasattr(value, "matches"):
        return value.text
    return "×".join(map(str, value)) if isinstance(value, tuple) else f"{value:,}"

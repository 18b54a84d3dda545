"""The graph's joints: the network's input, and the merges of parallel branches (concat, add,
multiply). No weights; positions are kept."""

from __future__ import annotations

from math import prod

from ..errors import LayerError
from ..layout import Shape, shape_text
from .base import IDENTITY, NoWeights, Step, counts_nothing, no_weights, register


@register
class Input(NoWeights):
    """The network's input; not written in `layers`. The engine gives it the input shape."""

    name, prefix = "input", "input"
    aliases = ()
    in_place = False
    fvcore = counts_nothing
    help = "the network input"

    def shape(self, a, xs):  # pragma: no cover - the engine never asks
        raise LayerError("the input has no shape rule; the engine sets it")

    def window(self, a, xs):
        return None  # the receptive field starts here; the engine sets it

    def explain(self, a, xs, y):
        return [Step("output", "", f"the input, {shape_text(y)}")]


class Merge(NoWeights):
    """Joins branches position by position: no weights, and positions are kept. Each merge kind
    is one instance: what its branches must satisfy (`need`, checked by `fit`), how they join
    (`joined`), and how the join reads in worked arithmetic (`text`)."""

    merge = True
    options = {}
    in_place = False
    fvcore = counts_nothing

    def __init__(self, name="", prefix="", help="", need="", fit=None, joined=None, text=None, aliases=()):
        self.name, self.prefix, self.help, self.need, self.aliases = name, prefix, help, need, aliases
        self.fit, self.joined = fit, joined
        self.text = text or (lambda xs, y: f"the branches agree: {shape_text(y)}")

    def shape(self, a, xs):
        if not self.fit(xs):
            given = ", ".join(f"{n} {shape_text(x)}" for n, x in list(zip(a["_branches"], xs))[:8])
            given += f", and {len(xs) - 8:,} more" if len(xs) > 8 else ""
            raise LayerError(f"{self.name} needs {self.need}, but the branches give {given}")
        return self.joined(xs), []

    def window(self, a, xs):
        return IDENTITY

    def explain(self, a, xs, y):
        return [Step("output", "", self.text(xs, y))] + no_weights(f"{self.name} has no weights")


def _broadcast(xs) -> Shape:
    """The full shape of a product whose gates (C, 1, …) broadcast over it."""
    return max(xs, key=lambda x: (len(x), prod(x)))


for _merge in (
    # concatenate along channels; spatial sizes must agree (netscope's rule); a different rank
    # is also a different spatial size
    Merge(
        "concat",
        "concat",
        "concatenate branches along channels",
        "equal spatial sizes",
        fit=lambda xs: len({x[1:] for x in xs}) == 1,
        joined=lambda xs: (sum(x[0] for x in xs), *xs[0][1:]),
        text=lambda xs, y: f"channels {' + '.join(str(x[0]) for x in xs)} = {y[0]}: {shape_text(y)}",
        aliases=("Concatenate", "cat"),
    ),
    Merge(
        "add",
        "add",
        "element-wise sum of branches (an empty branch is the identity shortcut)",
        "equal shapes",
        fit=lambda xs: len(set(xs)) == 1,
        joined=lambda xs: xs[0],
        aliases=("Add",),
    ),
    # element-wise product; a (C, 1, …) gate broadcasts over (C, *spatial) (squeeze-excitation)
    Merge(
        "multiply",
        "mul",
        "element-wise product of branches, broadcasting (C,1,1) gates",
        "equal shapes, or a gate of shape 1×1×C to broadcast",
        fit=lambda xs: all(
            len(x) == len(_broadcast(xs)) and all(v in (f, 1) for v, f in zip(x, _broadcast(xs))) for x in xs
        ),
        joined=_broadcast,
        aliases=("Multiply", "mul"),
    ),
):
    register(_merge)

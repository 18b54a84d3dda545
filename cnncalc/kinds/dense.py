"""The dense (fully connected) layer: every output unit multiplies every input."""

from __future__ import annotations

from ..errors import LayerError
from ..layout import shape_text
from .base import Kind, Opt, Params, Step, activation_suffix, number, our_macs, register, weights_once
from .convolution import CONV_OPTIONS


@register
class Dense(Kind):
    name, prefix = "dense", "fc"
    aliases = ("Linear", "FullyConnected", "fc")
    in_place = False
    torchinfo = weights_once
    fvcore = our_macs
    help = "fully connected layer on a flat vector"
    options = {"units": Opt("int", low=1), "bias": Opt("bool", True), "activation": CONV_OPTIONS["activation"]}

    def shape(self, a, xs):
        if len(xs[0]) != 1:
            raise LayerError(
                f"dense needs a flat input, but the input is {shape_text(xs[0])} (H×W×C order); "
                f"insert a flatten (or global_avg_pool) layer before it"
            )
        return (a["units"],), []

    def params(self, a, xs, y):
        return Params(xs[0][0] * a["units"], a["units"] if a["bias"] else 0)

    def macs(self, a, xs, y):
        return xs[0][0] * a["units"]

    def window(self, a, xs):
        return None  # every output sees every input

    def explain(self, a, xs, y):
        n, u = xs[0][0], a["units"]
        p = self.params(a, xs, y)
        params = f"({n} + 1) · {u}" if a["bias"] else f"{n} · {u}"
        return [
            Step("params", "", f"{params} = {number(p.weights + p.biases)}", p.weights + p.biases),
            Step("MACs", "", f"{n} · {u} = {number(n * u)}", n * u),
        ]

    def label(self, a, rank=2):
        return f"dense ×{a['units']}" + activation_suffix(a)

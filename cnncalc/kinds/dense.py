"""The dense (fully connected) layer: every output unit multiplies every input, on a flat
vector (over: all), or on the channels of every position (over: channels: PyTorch's nn.Linear
on a channels-last map, as ConvNeXt's and transformers' MLPs apply it)."""

from __future__ import annotations

from math import prod

from ..errors import LayerError
from ..layout import shape_text
from .base import (
    IDENTITY,
    Kind,
    Opt,
    Params,
    Step,
    activation_suffix,
    dot,
    number,
    our_macs,
    register,
    weights_once,
)
from .convolution import CONV_OPTIONS


@register
class Dense(Kind):
    name, prefix = "dense", "fc"
    aliases = ("Linear", "FullyConnected", "fc")
    in_place = False
    # torchinfo counts an nn.Linear's weights and biases once, applied at every position or not
    # (it is no convolution); fvcore counts every multiplication, as ours
    torchinfo = weights_once
    fvcore = our_macs
    help = "fully connected layer on a flat vector, or over the channels of every position"
    options = {
        "units": Opt("int", low=1),
        "bias": Opt("bool", True),
        "activation": CONV_OPTIONS["activation"],
        "over": Opt(
            "choice", "all", "all: a flat vector; channels: every position's channels", choices=("all", "channels")
        ),
    }

    def shape(self, a, xs):
        if a["over"] == "channels":
            return (a["units"], *xs[0][1:]), []
        if len(xs[0]) != 1:
            raise LayerError(
                f"dense needs a flat input, but the input is {shape_text(xs[0])} (H×W×C order); "
                f"insert a flatten (or global_avg_pool) layer before it, or apply it at every position "
                f"with over: channels"
            )
        return (a["units"],), []

    def params(self, a, xs, y):
        return Params(xs[0][0] * a["units"], a["units"] if a["bias"] else 0)

    def macs(self, a, xs, y):
        return prod(y[1:]) * xs[0][0] * a["units"]  # the same weights at every position

    def window(self, a, xs):
        # over channels, each output position sees its own position; over all, every input
        return IDENTITY if a["over"] == "channels" else None

    def explain(self, a, xs, y):
        n, u = xs[0][0], a["units"]
        p = self.params(a, xs, y)
        params = f"({n} + 1) · {u}" if a["bias"] else f"{n} · {u}"
        macs = self.macs(a, xs, y)
        positions = f"{dot(y[1:])} positions · " if a["over"] == "channels" else ""
        return [
            Step("params", "", f"{params} = {number(p.weights + p.biases)}", p.weights + p.biases),
            Step("MACs", "", f"{positions}{n} · {u} = {number(macs)}", macs),
        ]

    def label(self, a, rank=2):
        # over channels: a 1×1 window at the input's rank, as a conv label spells its kernel
        window = " " + "×".join("1" * max(rank, 1)) if a["over"] == "channels" else ""
        return f"dense{window} ×{a['units']}" + activation_suffix(a)

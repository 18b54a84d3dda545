"""Activations and the other element-wise kinds: dropout, PReLU's slopes, a learned scale.
They keep every position; only PReLU and scale have weights."""

from __future__ import annotations

from .base import Elementwise, Opt, Params, Step, counts_nothing, register, weights_once

# PyTorch's names for each activation (Keras's are ours, or its own functions)
ACTIVATION_ALIASES = {
    "relu": ("ReLU",),
    "relu6": ("ReLU6",),
    "leaky_relu": ("LeakyReLU",),
    "elu": ("ELU",),
    "selu": ("SELU",),
    "gelu": ("GELU",),
    "silu": ("SiLU",),
    "swish": (),
    "mish": ("Mish",),
    "hardswish": ("Hardswish",),
    "hardsigmoid": ("Hardsigmoid",),
    "sigmoid": ("Sigmoid",),
    "tanh": ("Tanh",),
    "softmax": ("Softmax",),
    "softplus": ("Softplus",),
    "linear": ("Identity",),
}
ACTIVATIONS = tuple(ACTIVATION_ALIASES)


class Activation(Elementwise):
    """One instance per activation: frameworks run them in place (ReLU(inplace=True)), and
    neither torchinfo nor fvcore counts them."""

    help = "element-wise activation"
    in_place = True
    fvcore = counts_nothing

    def __init__(self, name: str = "", aliases: tuple = ()):
        self.name = self.prefix = name
        self.aliases = aliases


for _name, _aliases in ACTIVATION_ALIASES.items():
    register(Activation(_name, _aliases))


@register
class Dropout(Elementwise):
    name, prefix = "dropout", "dropout"
    aliases = ("Dropout2d",)
    in_place = False
    fvcore = counts_nothing
    help = "dropout; no parameters"
    options = {"rate": Opt("float", 0.5, low=0, high=1)}


@register
class PReLU(Elementwise):
    name, prefix = "prelu", "prelu"
    aliases = ("PReLU",)
    in_place = False
    torchinfo = weights_once
    fvcore = counts_nothing
    help = "parametric ReLU: one learned slope, or one per channel"
    options = {"per_channel": Opt("bool", False)}

    def params(self, a, xs, y):
        return Params(xs[0][0] if a["per_channel"] else 1)

    def weight_steps(self, a, xs, y):
        n = self.params(a, xs, y).weights
        return [Step("params", "", f"{n} slope{'s' if n > 1 else ''}", n), Step("MACs", "", "0 (an activation)", 0)]


@register
class Scale(Elementwise):
    """A learned per-channel multiplier (ConvNeXt's layer scale)."""

    name, prefix = "scale", "scale"
    aliases = ("LayerScale",)
    in_place = False
    # torchinfo counts a parameter only in a leaf module and only under the name weight or bias:
    # torchvision's ConvNeXt holds layer_scale on the (non-leaf) block, timm calls it gamma (both
    # measured: 0, torchinfo 1.8)
    torchinfo = counts_nothing
    fvcore = counts_nothing
    help = "a learned per-channel multiplier (ConvNeXt's layer scale): C params"
    options = {}

    def params(self, a, xs, y):
        return Params(xs[0][0])

    def weight_steps(self, a, xs, y):
        return [
            Step("params", "", f"one factor per channel: {xs[0][0]}", xs[0][0]),
            Step("MACs", "", "0 (an element-wise product, not a weight multiplication in our convention)", 0),
        ]

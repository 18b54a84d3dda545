"""Normalizations: batch, local response, group, layer and instance. They keep every position;
their γ and β are parameters, not weight multiplications, in our count."""

from __future__ import annotations

from math import prod

from ..errors import LayerError
from .base import (
    IDENTITY,
    Elementwise,
    Kind,
    Opt,
    Params,
    Step,
    counts_nothing,
    input_elements,
    kept_steps,
    number,
    register,
    spatial_of,
    weights_once,
)


@register
class BatchNorm(Elementwise):
    name, prefix = "batch_norm", "bn"
    aliases = ("BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "BatchNormalization")
    in_place = False
    torchinfo = weights_once

    def fvcore(self, row, inputs):
        # fvcore's batch_norm handler: at inference 1 per element, 2 with affine; with batch
        # statistics (training, or track_running_stats false, which normalizes with the batch's
        # statistics even in eval mode) 4 per element, 5 with affine. Affine as written: a
        # shared norm's row holds no weights of its own
        affine = row.hyperparameters.get("affine", True)
        per_element = 1 if row.hyperparameters.get("track_running_stats", True) else 4
        return (per_element + affine) * input_elements(inputs)

    help = "batch normalization: gamma and beta learnable, running mean and variance not"
    options = {
        "affine": Opt("bool", True),
        "track_running_stats": Opt("bool", True),
        "epsilon": Opt("float", 1e-5, low=0),
        "momentum": Opt("float", 0.1, low=0, high=1),
    }

    def params(self, a, xs, y):
        c = xs[0][0]
        return Params(c if a["affine"] else 0, c if a["affine"] else 0, 2 * c if a["track_running_stats"] else 0)

    def weight_steps(self, a, xs, y):
        c, p = xs[0][0], self.params(a, xs, y)
        learnable = f"γ and β: 2·{c} = {number(2 * c)}" if a["affine"] else "none (affine false)"
        running = (
            f"; running mean and variance 2·{c} = {number(2 * c)}, not trainable" if a["track_running_stats"] else ""
        )
        return [
            Step("params", "", learnable + running, p.weights + p.biases),
            Step("MACs", "", "0 (not a weight multiplication)", 0),
        ]


@register
class LocalResponseNorm(Elementwise):
    name, prefix = "lrn", "norm"
    aliases = ("LocalResponseNorm",)
    in_place = False
    fvcore = counts_nothing
    help = "local response normalization (AlexNet); no parameters"
    options = {
        "size": Opt("int", 5, low=1),
        "alpha": Opt("float", 1e-4),
        "beta": Opt("float", 0.75),
        "k": Opt("float", 1.0),
    }


class Norm(Kind):
    """A normalization that keeps positions, with learnable per-channel γ and β."""

    in_place = False
    torchinfo = weights_once

    def fvcore(self, row, inputs):
        # fvcore's norm handler: 4 per element, 5 with affine (as written: a shared norm's row
        # holds no weights of its own)
        return (4 + bool(row.hyperparameters.get("affine", True))) * input_elements(inputs)

    def window(self, a, xs):
        return IDENTITY

    def macs(self, a, xs, y):
        return 0  # γ and β scale and shift: not weight multiplications in our convention

    def explain(self, a, xs, y):
        p = self.params(a, xs, y)
        return kept_steps(a, xs, y, self.explained(a, xs)) + [
            Step(
                "params",
                "",
                f"γ and β: {p.weights:,} + {p.biases:,}"
                + (f"; {p.non_trainable:,} running statistics, not trainable" if p.non_trainable else ""),
                p.weights + p.biases,
            ),
            Step("MACs", "", "0 (not a weight multiplication)", 0),
        ]

    def explained(self, a, xs) -> str:
        return "normalized"


@register
class GroupNorm(Norm):
    name, prefix = "group_norm", "gn"
    aliases = ("GroupNorm",)
    help = "group normalization (PyTorch GroupNorm): γ and β per channel when affine"
    options = {"groups": Opt("int", low=1), "affine": Opt("bool", True), "epsilon": Opt("float", 1e-5, low=0)}

    def shape(self, a, xs):
        if xs[0][0] % a["groups"]:
            raise LayerError(
                f"group_norm needs groups dividing the channels, but {a['groups']} does not divide {xs[0][0]}"
            )
        return xs[0], []

    def params(self, a, xs, y):
        c = xs[0][0]
        return Params(c if a["affine"] else 0, c if a["affine"] else 0)

    def explained(self, a, xs):
        return f"normalized over {a['groups']} groups of {xs[0][0] // a['groups']} channels"


@register
class LayerNorm(Norm):
    """over: channels (each position's C, ConvNeXt's LayerNorm2d) or all (C×H×W, PyTorch
    nn.LayerNorm over the whole feature map: γ and β for every element)."""

    name, prefix = "layer_norm", "ln"
    aliases = ("LayerNorm", "LayerNorm2d", "LayerNormalization")
    help = "layer normalization over the channels of each position (ConvNeXt) or over all of C×H×W"
    options = {
        "over": Opt("choice", "channels", choices=("channels", "all")),
        "affine": Opt("bool", True),
        "epsilon": Opt("float", 1e-6, low=0),
    }

    def shape(self, a, xs):
        return xs[0], []

    def params(self, a, xs, y):
        n = xs[0][0] if a["over"] == "channels" else prod(xs[0])
        return Params(n if a["affine"] else 0, n if a["affine"] else 0)

    def explained(self, a, xs):
        return (
            "normalized over each position's channels"
            if a["over"] == "channels"
            else f"normalized over all {prod(xs[0]):,} elements"
        )


@register
class InstanceNorm(Norm):
    name, prefix = "instance_norm", "in"
    aliases = ("InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d")
    help = "instance normalization (PyTorch InstanceNorm): affine and running statistics off by default"
    options = {
        "affine": Opt("bool", False),
        "track_running_stats": Opt("bool", False),
        "epsilon": Opt("float", 1e-5, low=0),
    }

    def shape(self, a, xs):
        spatial_of(xs[0], self.name)
        return xs[0], []

    def params(self, a, xs, y):
        c = xs[0][0]
        return Params(c if a["affine"] else 0, c if a["affine"] else 0, 2 * c if a["track_running_stats"] else 0)

    def explained(self, a, xs):
        return "each channel normalized over its positions"

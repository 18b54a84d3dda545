"""Convolutions: the standard, depthwise, separable, locally connected and transposed kinds.
Each multiplies its weights once at every position it is applied to."""

from __future__ import annotations

from math import prod

from ..errors import LayerError, shown
from ..layout import DIM_NAMES, Shape, fmt_dims
from .activations import ACTIVATIONS
from .base import (
    Kind,
    Opt,
    Params,
    Step,
    activation_suffix,
    dot,
    elements_product,
    number,
    our_macs,
    register,
    weights_per_position,
    window_label,
)
from .sliding import Sliding, explicit_padding, geometry, grouped, per_dim, sliding, sliding_steps


def conv_label(short: str, a, extra: str = "", rank: int = 2) -> str:
    """conv 3×3/2 p1 g2 ×64 +relu: the kind (as the YAML writes it), window, extras, filters and
    fused activation."""
    return f"{short} {window_label(a, rank)}{extra} ×{a['filters']}" + activation_suffix(a)


def kernel_area(a, x) -> int:
    return prod(per_dim(a["kernel"], len(x) - 1, "kernel"))


def check_groups(groups, cin, cout):
    if cin % groups:
        raise LayerError(f"groups must divide the input channels, but {groups} does not divide {cin}")
    if cout % groups:
        raise LayerError(f"groups must divide filters, but {groups} does not divide {cout}")


class ConvLike(Sliding):
    """A sliding kind with weights: out_channels() channels out, and every weight multiplies
    once at each position it is applied to, so MACs = weights × positions_per_weight().
    torchinfo counts its weights and biases at every output position, fvcore its MACs."""

    in_place = False
    torchinfo = weights_per_position
    fvcore = our_macs

    def out_channels(self, a, x: Shape) -> int:
        return a["filters"]

    def positions_per_weight(self, a, xs, y) -> int:
        return prod(y[1:])  # shared weights: each is applied at every output position

    def shape(self, a, xs):
        channels = self.out_channels(a, xs[0])  # first: it checks groups against the input
        *_, out, warnings = sliding(a, xs[0], self.name)
        return (channels, *out), warnings

    def macs(self, a, xs, y):
        return self.params(a, xs, y).weights * self.positions_per_weight(a, xs, y)

    def label(self, a, rank=2):
        return conv_label(self.name, a, rank=rank)  # the kind as the YAML writes it


CONV_OPTIONS = {
    "filters": Opt("int", help="output channels", low=1),
    "kernel": Opt("ints", help="kernel size: an int or one per spatial dimension", low=1),
    "stride": Opt("ints", 1, low=1),
    "padding": Opt("padding", 0, "int, per-dimension list, [before, after] pairs, 'same' or 'valid'"),
    "dilation": Opt("ints", 1, low=1),
    "groups": Opt("int", 1, low=1),
    "bias": Opt("bool", True),
    "activation": Opt("choice", None, "fused activation, no row of its own", choices=ACTIVATIONS),
}


def without(options, *keys):
    return {k: v for k, v in options.items() if k not in keys}


@register
class Conv(ConvLike):
    name, prefix = "conv", "conv"
    aliases = ("Conv1d", "Conv2d", "Conv3d", "Conv1D", "Conv2D", "Conv3D", "Convolution2D")
    help = "convolution over 1-D, 2-D or 3-D inputs"
    options = CONV_OPTIONS

    def out_channels(self, a, x):
        check_groups(a["groups"], x[0], a["filters"])
        return a["filters"]

    def params(self, a, xs, y):
        return Params(
            a["filters"] * (xs[0][0] // a["groups"]) * kernel_area(a, xs[0]), a["filters"] if a["bias"] else 0
        )

    def explain(self, a, xs, y):
        k, cin, g, f = per_dim(a["kernel"], len(xs[0]) - 1, "kernel"), xs[0][0], a["groups"], a["filters"]
        per_filter = f"{dot(k)}·{cin}" if g == 1 else f"{dot(k)}·({cin}/{g})"
        p = self.params(a, xs, y)
        params = f"({per_filter} + 1) · {f}" if a["bias"] else f"{per_filter} · {f}"
        return sliding_steps(a, xs[0], self.name) + [
            Step("params", "", f"{params} = {number(p.weights + p.biases)}", p.weights + p.biases),
            Step("MACs", "", f"{dot(y[1:])}·{f} · {per_filter} = {number(self.macs(a, xs, y))}", self.macs(a, xs, y)),
        ]

    def label(self, a, rank=2):
        return conv_label("conv", a, f" g{a['groups']}" if a["groups"] != 1 else "", rank)


@register
class DepthwiseConv(ConvLike):
    name, prefix = "depthwise_conv", "dwconv"
    aliases = ("DepthwiseConv2D",)
    help = "depthwise convolution: one filter per input channel (× depth_multiplier)"
    options = {**without(CONV_OPTIONS, "filters", "groups"), "depth_multiplier": Opt("int", 1, low=1)}

    def out_channels(self, a, x):
        return x[0] * a["depth_multiplier"]

    def params(self, a, xs, y):
        return Params(y[0] * kernel_area(a, xs[0]), y[0] if a["bias"] else 0)

    def explain(self, a, xs, y):
        k, cin, m = per_dim(a["kernel"], len(xs[0]) - 1, "kernel"), xs[0][0], a["depth_multiplier"]
        filters = f"{cin}·{m}" if m != 1 else f"{cin}"
        p, macs = self.params(a, xs, y), self.macs(a, xs, y)
        params = f"({dot(k)} + 1) · {filters}" if a["bias"] else f"{dot(k)} · {filters}"
        standard = prod(y) * cin * prod(k)
        return sliding_steps(a, xs[0], self.name) + [
            Step(
                "params",
                "",
                f"{params} = {number(p.weights + p.biases)} (one {dot(k)} filter per input channel)",
                p.weights + p.biases,
            ),
            Step("MACs", "", f"{dot(y[1:])}·{y[0]} · {dot(k)} = {number(macs)}", macs),
            Step(
                "cost",
                "",
                f"against a standard convolution to {y[0]} channels ({number(standard)} MACs): "
                f"{number(macs)}/{number(standard)} = 1/{cin}",
            ),
        ]

    def label(self, a, rank=2):
        m = f" ×{a['depth_multiplier']}" if a["depth_multiplier"] != 1 else ""
        return f"depthwise_conv {window_label(a, rank)}{m}" + activation_suffix(a)


@register
class SeparableConv(ConvLike):
    """Keras SeparableConv2D: a depthwise conv without bias, then a 1×1 conv with bias."""

    name, prefix = "separable_conv", "sepconv"
    aliases = ("SeparableConv2D",)
    help = "depthwise then pointwise (1×1) convolution, as Keras SeparableConv2D"
    options = {**without(CONV_OPTIONS, "groups"), "depth_multiplier": Opt("int", 1, low=1)}

    def params(self, a, xs, y):
        mid = xs[0][0] * a["depth_multiplier"]
        return Params(mid * kernel_area(a, xs[0]) + mid * a["filters"], a["filters"] if a["bias"] else 0)

    def explain(self, a, xs, y):
        k, cin, m, f = per_dim(a["kernel"], len(xs[0]) - 1, "kernel"), xs[0][0], a["depth_multiplier"], a["filters"]
        mid = f"{cin}·{m}" if m != 1 else f"{cin}"
        p, macs, positions = self.params(a, xs, y), self.macs(a, xs, y), dot(y[1:])
        bias = f" + {f}" if a["bias"] else ""
        standard = prod(y) * cin * prod(k)
        steps = sliding_steps(a, xs[0], self.name) + [
            Step(
                "params",
                "",
                f"depthwise {dot(k)}·{mid} + pointwise {mid}·{f}{bias} = {number(p.weights + p.biases)}",
                p.weights + p.biases,
            ),
            Step(
                "MACs",
                "",
                f"depthwise {positions}·{mid} · {dot(k)} + pointwise {positions}·{mid} · {f} = {number(macs)}",
                macs,
            ),
        ]
        ratio = f"{number(macs)}/{number(standard)} = {macs / standard:.4f}"
        if m == 1:  # Howard et al. (MobileNets, 2017): 1/N + 1/D_K², here 1/n_c′ + 1/f²
            ratio += f"; 1/{f} + 1/{prod(k)} = {1 / f + 1 / prod(k):.4f}"
        return steps + [
            Step(
                "cost",
                "",
                f"against a standard {dot(k)} convolution to {f} channels ({number(standard)} MACs): {ratio}",
            )
        ]


@register
class LocallyConnected(ConvLike):
    """Unshared weights: every output position has its own filters and biases (Keras)."""

    name, prefix = "locally_connected", "local"
    aliases = ("LocallyConnected2D",)
    help = "convolution-shaped layer with unshared weights"
    options = without(CONV_OPTIONS, "groups", "dilation")

    def params(self, a, xs, y):
        return Params(prod(y) * xs[0][0] * kernel_area(a, xs[0]), prod(y) if a["bias"] else 0)

    def positions_per_weight(self, a, xs, y):
        return 1  # unshared: each weight belongs to one output position

    def explain(self, a, xs, y):
        k, cin = per_dim(a["kernel"], len(xs[0]) - 1, "kernel"), xs[0][0]
        p, macs = self.params(a, xs, y), self.macs(a, xs, y)
        per = f"({dot(k)}·{cin} + 1)" if a["bias"] else f"{dot(k)}·{cin}"
        return sliding_steps(a, xs[0], self.name) + [
            Step(
                "params",
                "",
                f"{elements_product(y)} · {per} = {number(p.weights + p.biases)} (a filter of its own at every "
                f"output position)",
                p.weights + p.biases,
            ),
            Step("MACs", "", f"{elements_product(y)} · {dot(k)}·{cin} = {number(macs)}", macs),
        ]


@register
class ConvTranspose(Kind):
    name, prefix = "conv_transpose", "deconv"
    aliases = ("ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d", "Conv2DTranspose", "Deconv", "Deconvolution")
    in_place = False
    torchinfo = weights_per_position  # on the output side, as for a convolution
    fvcore = our_macs  # by its input positions, as ours
    help = "transposed convolution (PyTorch ConvTranspose)"
    options = {**CONV_OPTIONS, "output_padding": Opt("ints", 0, low=0)}

    def shape(self, a, xs):
        check_groups(a["groups"], xs[0][0], a["filters"])
        sp, k, s, d = geometry(a, xs[0], self.name)
        op = per_dim(a["output_padding"], len(sp), "output_padding")
        if a["padding"] == "same":  # Keras Conv2DTranspose without output_padding: out = n · stride
            if any(op):  # Keras's rule with one, (n − 1)·s + k − 2·⌊k/2⌋ + op, is not this one: refused
                raise LayerError(
                    f"output_padding is for a numeric padding (PyTorch's rule); with padding 'same' "
                    f"the output is n·stride and output_padding must be 0, but saw "
                    f"{shown(a['output_padding'])}"
                )
            return (a["filters"], *(n * si for n, si in zip(sp, s))), []
        out = []
        for n, ki, si, di, opi, p in zip(sp, k, s, d, op, explicit_padding(a["padding"], len(sp))):
            if opi >= max(si, di):
                raise LayerError(
                    f"output_padding must be smaller than stride or dilation, but saw "
                    f"output_padding {opi} with stride {si} and dilation {di}"
                )
            # PyTorch: (n − 1)·s − pad_before − pad_after + d·(k − 1) + output_padding + 1
            o = (n - 1) * si - p[0] - p[1] + di * (ki - 1) + opi + 1
            if o < 1:
                raise LayerError(
                    f"output size would be {o}; the padding ({p[0]} + {p[1]}) must be "
                    f"smaller than (n − 1)·s + d·(k − 1) + output_padding + 1 = {o + p[0] + p[1]}"
                )
            out.append(o)
        return (a["filters"], *out), []

    def params(self, a, xs, y):
        return Params(
            xs[0][0] * (a["filters"] // a["groups"]) * kernel_area(a, xs[0]), a["filters"] if a["bias"] else 0
        )

    def macs(self, a, xs, y):
        # real multiplications: each input element meets (C_out/groups)·prod(kernel) weights;
        # the output-side formula would also count the zeros inserted between inputs (×stride²)
        return prod(xs[0]) * (a["filters"] // a["groups"]) * kernel_area(a, xs[0])

    def window(self, a, xs):
        return None  # an output position depends on a stride-dependent set of inputs

    def hyperparameters(self, a, xs):
        sp, k, s, d = geometry(a, xs[0], self.name)
        return {
            **super().hyperparameters(a, xs),
            "kernel": list(k),
            "stride": list(s),
            "dilation": list(d),
            "padding": [list(p) for p in explicit_padding(a["padding"], len(sp)) or []] or "same",
            "output_padding": list(per_dim(a["output_padding"], len(sp), "output_padding")),
        }

    def explain(self, a, xs, y):
        sp, k, s, d = geometry(a, xs[0], self.name)
        op = per_dim(a["output_padding"], len(sp), "output_padding")
        pads = explicit_padding(a["padding"], len(sp))
        texts = (
            [f"'same' (Keras): {n}·{si} = {o}" for n, si, o in zip(sp, s, y[1:])]
            if pads is None
            else [
                f"({n} − 1)·{si} − {p[0]} − {p[1]} + {di}·({ki} − 1) + {opi} + 1 = {o}"
                for n, ki, si, di, opi, p, o in zip(sp, k, s, d, op, pads, y[1:])
            ]
        )
        cin, f, g = xs[0][0], a["filters"], a["groups"]
        per = f"{cin}·{f}" if g == 1 else f"{cin}·({f}/{g})"
        p, macs = self.params(a, xs, y), self.macs(a, xs, y)
        bias = f" + {f}" if a["bias"] else ""
        return [Step("output", dims, text) for dims, text in grouped(DIM_NAMES[len(sp)], texts)] + [
            Step("params", "", f"{per}·{dot(k)}{bias} = {number(p.weights + p.biases)}", p.weights + p.biases),
            Step(
                "MACs",
                "",
                f"{dot(xs[0][1:])}·{cin} · {f if g == 1 else f'({f}/{g})'}·{dot(k)} = {number(macs)} "
                f"(each input element meets every weight of its group once)",
                macs,
            ),
        ]

    def label(self, a, rank=2):
        op = f" op{fmt_dims(a['output_padding'])}" if a["output_padding"] != 0 else ""
        return conv_label("conv_transpose", a, op + (f" g{a['groups']}" if a["groups"] != 1 else ""), rank)

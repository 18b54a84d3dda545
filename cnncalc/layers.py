"""The per-kind rule registry.

Each layer kind is one class holding all of its rules side by side:
  shape(a, xs)        -> output shape and warnings
  params(a, xs, y)    -> Params(weights, biases, non_trainable)
  macs(a, xs, y)      -> multiply-accumulates of conv / dense / locally-connected weights
  window(a, xs)       -> per spatial dimension a Window(kernel, stride, pad_before) for the
                         receptive field; IDENTITY when the layer keeps positions; None when
                         the receptive field is not defined through it.
Shapes are channels-first tuples without batch: (C, *spatial); a flat vector is (N,).
`a` is the layer's validated attributes, `xs` its input shapes, `y` its output shape.

Nothing is defaulted into a number: the base class has no shape, params or MACs rule (a kind
that forgets one fails loudly), and its receptive field is undefined. Being free is declared:
`NoWeights` for kinds without weights, `Elementwise` for kinds that keep every position.
Standard library only.
"""

from __future__ import annotations

from collections import namedtuple
from math import prod
from typing import List, Optional, Sequence, Tuple

from .errors import CodedWarning, LayerError, shown
from .layout import DIM_NAMES, Shape, fmt_dims, shape_text
from .limits import MAX_SIZE
from .shape import (
    dims_text,
    effective_kernel,
    explicit_padding,
    grouped,
    per_dim,
    window_out,
    window_steps,
)
from .spec import Opt

IDENTITY = "identity"

# namedtuples rather than dataclasses: cheap to import, and start-up time matters
Params = namedtuple("Params", "weights biases non_trainable", defaults=(0, 0, 0))
Window = namedtuple("Window", "kernel stride pad_before")
Step = namedtuple("Step", "quantity dims formula value", defaults=("", None))
Step.__doc__ = ("One line of worked arithmetic: the quantity (output, padding, params, MACs, cost), the "
                "dimensions it applies to, the formula with the layer's numbers, and its value.")
Window.__doc__ = "One spatial dimension of a layer's window: effective kernel, stride, padding before."

NO_PARAMS = Params()
KINDS: dict[str, "Kind"] = {}
ACTIVATIONS = ("relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "silu", "swish", "mish",
               "hardswish", "hardsigmoid", "sigmoid", "tanh", "softmax", "softplus", "linear")
RULES = ("shape", "params", "macs", "window", "explain")


def register(cls):
    kind = cls()
    # the options that name another layer (upsample's like): looked up by name, per layer
    kind.references = tuple(key for key, opt in kind.options.items() if opt.type == "name")
    KINDS[kind.name] = kind
    return cls


def declares(kind: "Kind", rule: str) -> bool:
    """Whether a kind's class (or a base below Kind) defines the rule, rather than inheriting
    the base class's undefined one."""
    return getattr(type(kind), rule) is not getattr(Kind, rule)


def spatial_of(x: Shape, kind: str, rank_min: int = 1) -> Shape:
    if len(x) - 1 < rank_min:
        raise LayerError(f"{kind} needs a tensor with channels and {rank_min}+ spatial dimensions, "
                         f"but the input is flat {list(x)}; it cannot follow flatten or dense")
    if len(x) - 1 > 3:
        raise LayerError(f"{kind} supports 1-D, 2-D and 3-D inputs, but the input has {len(x) - 1} "
                         f"spatial dimensions")
    return x[1:]


class Kind:
    """A layer kind. The base declares no rule: shape, params and MACs raise, and the
    receptive field is undefined (None)."""

    name = ""
    prefix = ""
    options: dict[str, Opt] = {}
    merge = False  # takes several inputs (branches)
    layout_aware = False  # an option is written in the file's layout (attrs get _channels_last)
    references: tuple = ()  # the options that name another layer (set by register)
    help = ""      # one line for `cnncalc kinds` and the README

    def shape(self, a, xs: Sequence[Shape]) -> Tuple[Shape, List[str]]:
        raise NotImplementedError(f"kind {self.name} has no shape rule")

    def params(self, a, xs: Sequence[Shape], y: Shape) -> Params:
        raise NotImplementedError(f"kind {self.name} has no params rule")

    def macs(self, a, xs: Sequence[Shape], y: Shape) -> int:
        raise NotImplementedError(f"kind {self.name} has no MACs rule")

    def window(self, a, xs: Sequence[Shape]) -> Optional[list]:
        return None

    def explain(self, a, xs: Sequence[Shape], y: Shape) -> List[Step]:
        raise NotImplementedError(f"kind {self.name} has no worked arithmetic")

    def hyperparameters(self, a, xs: Sequence[Shape]) -> dict:
        """The layer's options as data, resolved for its input where a rule resolves them
        (per-dimension kernel, stride, dilation and [before, after] padding)."""
        return {k: v for k, v in a.items() if not k.startswith("_")}

    def label(self, a, rank: int = 2) -> str:
        return self.name


class NoWeights(Kind):
    """Declared free: no parameters and no weight multiplications."""

    def params(self, a, xs, y):
        return NO_PARAMS

    def macs(self, a, xs, y):
        return 0


class Elementwise(NoWeights):
    """Declared position-keeping: the output has the input's shape, and each output position
    sees exactly its input position. Subclasses may add params, never change shape or window."""

    def shape(self, a, xs):
        return xs[0], []

    def window(self, a, xs):
        return IDENTITY

    def explain(self, a, xs, y):
        return [Step("output", "", f"element-wise: the input's shape, {shape_text(y)}")] + self.weight_steps(a, xs, y)

    def weight_steps(self, a, xs, y) -> list:
        return _no_weights("element-wise")


# --- helpers shared by the sliding-window kinds ---------------------------------------

def _activation_suffix(a) -> str:
    act = a.get("activation")
    return f" +{act}" if act and act != "linear" else ""


def _pad_label(padding) -> str:
    if isinstance(padding, str):
        return f" {padding}"
    if padding == 0:
        return ""
    if isinstance(padding, int):
        return f" p{padding}"
    return " p" + ",".join(str(p) if isinstance(p, int) else "(" + ",".join(map(str, p)) + ")"
                           for p in padding)


def _window_label(a, rank: int = 2) -> str:
    """3×3/2 p1 for a 2-D kernel of 3: the kernel spelled at the input's rank (80/4 in 1-D,
    3×3×3/1 in 3-D), then the stride, padding and dilation."""
    k = a["kernel"]
    k = (k,) * max(rank, 1) if isinstance(k, int) else k
    text = f"{fmt_dims(k)}/{fmt_dims(a.get('stride', 1))}" + _pad_label(a.get("padding", 0))
    d = a.get("dilation", 1)
    if d != 1:
        text += f" d{fmt_dims(d)}"
    return text


def _geometry(a, x, kind, stride_default=None):
    """Spatial sizes, then kernel, stride and dilation per dimension; the stride defaults
    to stride_default or, failing that, to the kernel (pooling)."""
    sp = spatial_of(x, kind)
    rank = len(sp)
    k = per_dim(a["kernel"], rank, "kernel")
    stride = a.get("stride")
    s = per_dim(stride if stride is not None else (stride_default or k), rank, "stride")
    d = per_dim(a.get("dilation", 1), rank, "dilation")
    return sp, k, s, d


_LAST_SLIDING: list = [None, None, None]  # the attributes and input of the last call, and its result


def _sliding(a, x, kind):
    """Kernel, stride, dilation, padding per dimension and the output spatial size, with warnings.
    A layer asks three times (shape, hyperparameters, window): the last answer is kept, for the
    same attribute dict (held here, so its id cannot be reused) and the same input."""
    if _LAST_SLIDING[0] is a and _LAST_SLIDING[1] == x:
        return _LAST_SLIDING[2]
    sp, k, s, d = _geometry(a, x, kind)
    out, pads, warnings = window_out(sp, k, s, a.get("padding", 0), d, a.get("ceil_mode", False))
    _LAST_SLIDING[:] = a, x, (k, s, d, pads, out, warnings)
    return _LAST_SLIDING[2]


def _conv_label(short: str, a, extra: str = "", rank: int = 2) -> str:
    """conv 3×3/2 p1 g2 ×64 +relu: the kind, window, extras, filters and fused activation."""
    return f"{short} {_window_label(a, rank)}{extra} ×{a['filters']}" + _activation_suffix(a)


def _kernel_area(a, x) -> int:
    return prod(per_dim(a["kernel"], len(x) - 1, "kernel"))


def _dot(values) -> str:
    """(3, 3, 64) -> '3·3·64'."""
    return "·".join(str(v) for v in values)


def _elements(shape) -> str:
    """A shape's elements as a product in H·W·C order: (96, 55, 55) -> '55·55·96'."""
    return shape_text(shape, "hwc", "·")


def _n(value: int) -> str:
    return f"{value:,}"


def _no_weights(reason: str) -> list:
    return [Step("params", "", f"0 ({reason})", 0), Step("MACs", "", "0 (no weight multiplications)", 0)]


def _sliding_steps(a, x, kind) -> list:
    sp, k, s, d = _geometry(a, x, kind)
    return [Step(q, dims, text) for q, dims, text in
            window_steps(sp, k, s, a.get("padding", 0), d, a.get("ceil_mode", False))]


def _check_groups(groups, cin, cout):
    if cin % groups:
        raise LayerError(f"groups must divide the input channels, but {groups} does not divide {cin}")
    if cout % groups:
        raise LayerError(f"groups must divide filters, but {groups} does not divide {cout}")


class Sliding(Kind):
    """A kind whose window slides over the spatial dimensions (convolutions, pooling)."""

    def hyperparameters(self, a, xs):
        k, s, d, pads, _, _ = _sliding(a, xs[0], self.name)
        return {**super().hyperparameters(a, xs), "kernel": list(k), "stride": list(s), "dilation": list(d),
                "padding": [list(p) for p in pads]}

    def window(self, a, xs):
        k, s, d, pads, _, _ = _sliding(a, xs[0], self.name)
        return [Window(effective_kernel(ki, di), si, p[0]) for ki, si, di, p in zip(k, s, d, pads)]


class ConvLike(Sliding):
    """A sliding kind with weights: out_channels() channels out, and every weight multiplies
    once at each position it is applied to, so MACs = weights × positions_per_weight()."""

    def out_channels(self, a, x: Shape) -> int:
        return a["filters"]

    def positions_per_weight(self, a, xs, y) -> int:
        return prod(y[1:])  # shared weights: each is applied at every output position

    def shape(self, a, xs):
        channels = self.out_channels(a, xs[0])  # first: it checks groups against the input
        *_, out, warnings = _sliding(a, xs[0], self.name)
        return (channels, *out), warnings

    def macs(self, a, xs, y):
        return self.params(a, xs, y).weights * self.positions_per_weight(a, xs, y)

    def label(self, a, rank=2):
        return _conv_label(self.prefix, a, rank=rank)


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


def _without(options, *keys):
    return {k: v for k, v in options.items() if k not in keys}


@register
class Conv(ConvLike):
    name, prefix = "conv", "conv"
    help = "convolution over 1-D, 2-D or 3-D inputs"
    options = CONV_OPTIONS

    def out_channels(self, a, x):
        _check_groups(a["groups"], x[0], a["filters"])
        return a["filters"]

    def params(self, a, xs, y):
        return Params(a["filters"] * (xs[0][0] // a["groups"]) * _kernel_area(a, xs[0]),
                      a["filters"] if a["bias"] else 0)

    def explain(self, a, xs, y):
        k, cin, g, f = per_dim(a["kernel"], len(xs[0]) - 1, "kernel"), xs[0][0], a["groups"], a["filters"]
        per_filter = f"{_dot(k)}·{cin}" if g == 1 else f"{_dot(k)}·({cin}/{g})"
        p = self.params(a, xs, y)
        params = f"({per_filter} + 1) · {f}" if a["bias"] else f"{per_filter} · {f}"
        return _sliding_steps(a, xs[0], self.name) + [
            Step("params", "", f"{params} = {_n(p.weights + p.biases)}", p.weights + p.biases),
            Step("MACs", "", f"{_dot(y[1:])}·{f} · {per_filter} = {_n(self.macs(a, xs, y))}", self.macs(a, xs, y))]

    def label(self, a, rank=2):
        return _conv_label("conv", a, f" g{a['groups']}" if a["groups"] != 1 else "", rank)


@register
class DepthwiseConv(ConvLike):
    name, prefix = "depthwise_conv", "dwconv"
    help = "depthwise convolution: one filter per input channel (× depth_multiplier)"
    options = {**_without(CONV_OPTIONS, "filters", "groups"), "depth_multiplier": Opt("int", 1, low=1)}

    def out_channels(self, a, x):
        return x[0] * a["depth_multiplier"]

    def params(self, a, xs, y):
        return Params(y[0] * _kernel_area(a, xs[0]), y[0] if a["bias"] else 0)

    def explain(self, a, xs, y):
        k, cin, m = per_dim(a["kernel"], len(xs[0]) - 1, "kernel"), xs[0][0], a["depth_multiplier"]
        filters = f"{cin}·{m}" if m != 1 else f"{cin}"
        p, macs = self.params(a, xs, y), self.macs(a, xs, y)
        params = f"({_dot(k)} + 1) · {filters}" if a["bias"] else f"{_dot(k)} · {filters}"
        standard = prod(y) * cin * prod(k)
        return _sliding_steps(a, xs[0], self.name) + [
            Step("params", "", f"{params} = {_n(p.weights + p.biases)} (one {_dot(k)} filter per input channel)",
                 p.weights + p.biases),
            Step("MACs", "", f"{_dot(y[1:])}·{y[0]} · {_dot(k)} = {_n(macs)}", macs),
            Step("cost", "", f"against a standard convolution to {y[0]} channels ({_n(standard)} MACs): "
                             f"{_n(macs)}/{_n(standard)} = 1/{cin}")]

    def label(self, a, rank=2):
        m = f" ×{a['depth_multiplier']}" if a["depth_multiplier"] != 1 else ""
        return f"dwconv {_window_label(a, rank)}{m}" + _activation_suffix(a)


@register
class SeparableConv(ConvLike):
    """Keras SeparableConv2D: a depthwise conv without bias, then a 1×1 conv with bias."""

    name, prefix = "separable_conv", "sepconv"
    help = "depthwise then pointwise (1×1) convolution, as Keras SeparableConv2D"
    options = {**_without(CONV_OPTIONS, "groups"), "depth_multiplier": Opt("int", 1, low=1)}

    def params(self, a, xs, y):
        mid = xs[0][0] * a["depth_multiplier"]
        return Params(mid * _kernel_area(a, xs[0]) + mid * a["filters"], a["filters"] if a["bias"] else 0)

    def explain(self, a, xs, y):
        k, cin, m, f = per_dim(a["kernel"], len(xs[0]) - 1, "kernel"), xs[0][0], a["depth_multiplier"], a["filters"]
        mid = f"{cin}·{m}" if m != 1 else f"{cin}"
        p, macs, positions = self.params(a, xs, y), self.macs(a, xs, y), _dot(y[1:])
        bias = f" + {f}" if a["bias"] else ""
        standard = prod(y) * cin * prod(k)
        steps = _sliding_steps(a, xs[0], self.name) + [
            Step("params", "", f"depthwise {_dot(k)}·{mid} + pointwise {mid}·{f}{bias} = {_n(p.weights + p.biases)}",
                 p.weights + p.biases),
            Step("MACs", "", f"depthwise {positions}·{mid} · {_dot(k)} + pointwise {positions}·{mid} · {f} = {_n(macs)}",
                 macs)]
        ratio = f"{_n(macs)}/{_n(standard)} = {macs / standard:.4f}"
        if m == 1:  # Howard et al. (MobileNets, 2017): 1/N + 1/D_K², here 1/n_c′ + 1/f²
            ratio += f"; 1/{f} + 1/{prod(k)} = {1 / f + 1 / prod(k):.4f}"
        return steps + [Step("cost", "", f"against a standard {_dot(k)} convolution to {f} channels "
                                         f"({_n(standard)} MACs): {ratio}")]


@register
class LocallyConnected(ConvLike):
    """Unshared weights: every output position has its own filters and biases (Keras)."""

    name, prefix = "locally_connected", "local"
    help = "convolution-shaped layer with unshared weights"
    options = _without(CONV_OPTIONS, "groups", "dilation")

    def params(self, a, xs, y):
        return Params(prod(y) * xs[0][0] * _kernel_area(a, xs[0]), prod(y) if a["bias"] else 0)

    def positions_per_weight(self, a, xs, y):
        return 1  # unshared: each weight belongs to one output position

    def explain(self, a, xs, y):
        k, cin = per_dim(a["kernel"], len(xs[0]) - 1, "kernel"), xs[0][0]
        p, macs = self.params(a, xs, y), self.macs(a, xs, y)
        per = f"({_dot(k)}·{cin} + 1)" if a["bias"] else f"{_dot(k)}·{cin}"
        return _sliding_steps(a, xs[0], self.name) + [
            Step("params", "", f"{_elements(y)} · {per} = {_n(p.weights + p.biases)} (a filter of its own at every "
                               f"output position)", p.weights + p.biases),
            Step("MACs", "", f"{_elements(y)} · {_dot(k)}·{cin} = {_n(macs)}", macs)]


@register
class ConvTranspose(Kind):
    name, prefix = "conv_transpose", "deconv"
    help = "transposed convolution (PyTorch ConvTranspose)"
    options = {**CONV_OPTIONS, "output_padding": Opt("ints", 0, low=0)}

    def shape(self, a, xs):
        _check_groups(a["groups"], xs[0][0], a["filters"])
        sp, k, s, d = _geometry(a, xs[0], self.name)
        op = per_dim(a["output_padding"], len(sp), "output_padding")
        if a["padding"] == "same":  # Keras Conv2DTranspose without output_padding: out = n · stride
            if any(op):  # Keras's rule with one, (n − 1)·s + k − 2·⌊k/2⌋ + op, is not this one: refused
                raise LayerError(f"output_padding is for a numeric padding (PyTorch's rule); with padding 'same' "
                                 f"the output is n·stride and output_padding must be 0, but saw "
                                 f"{shown(a['output_padding'])}")
            return (a["filters"], *(n * si for n, si in zip(sp, s))), []
        out = []
        for n, ki, si, di, opi, p in zip(sp, k, s, d, op, explicit_padding(a["padding"], len(sp))):
            if opi >= max(si, di):
                raise LayerError(f"output_padding must be smaller than stride or dilation, but saw "
                                 f"output_padding {opi} with stride {si} and dilation {di}")
            # PyTorch: (n − 1)·s − pad_before − pad_after + d·(k − 1) + output_padding + 1
            o = (n - 1) * si - p[0] - p[1] + di * (ki - 1) + opi + 1
            if o < 1:
                raise LayerError(f"output size would be {o}; the padding ({p[0]} + {p[1]}) must be "
                                 f"smaller than (n − 1)·s + d·(k − 1) + output_padding + 1 = {o + p[0] + p[1]}")
            out.append(o)
        return (a["filters"], *out), []

    def params(self, a, xs, y):
        return Params(xs[0][0] * (a["filters"] // a["groups"]) * _kernel_area(a, xs[0]),
                      a["filters"] if a["bias"] else 0)

    def macs(self, a, xs, y):
        # real multiplications: each input element meets (C_out/groups)·prod(kernel) weights;
        # the output-side formula would also count the zeros inserted between inputs (×stride²)
        return prod(xs[0]) * (a["filters"] // a["groups"]) * _kernel_area(a, xs[0])

    def window(self, a, xs):
        return None  # an output position depends on a stride-dependent set of inputs

    def hyperparameters(self, a, xs):
        sp, k, s, d = _geometry(a, xs[0], self.name)
        return {**super().hyperparameters(a, xs), "kernel": list(k), "stride": list(s), "dilation": list(d),
                "padding": [list(p) for p in explicit_padding(a["padding"], len(sp)) or []] or "same",
                "output_padding": list(per_dim(a["output_padding"], len(sp), "output_padding"))}

    def explain(self, a, xs, y):
        sp, k, s, d = _geometry(a, xs[0], self.name)
        op = per_dim(a["output_padding"], len(sp), "output_padding")
        pads = explicit_padding(a["padding"], len(sp))
        texts = ([f"'same' (Keras): {n}·{si} = {o}" for n, si, o in zip(sp, s, y[1:])] if pads is None else
                 [f"({n} − 1)·{si} − {p[0]} − {p[1]} + {di}·({ki} − 1) + {opi} + 1 = {o}"
                  for n, ki, si, di, opi, p, o in zip(sp, k, s, d, op, pads, y[1:])])
        cin, f, g = xs[0][0], a["filters"], a["groups"]
        per = f"{cin}·{f}" if g == 1 else f"{cin}·({f}/{g})"
        p, macs = self.params(a, xs, y), self.macs(a, xs, y)
        bias = f" + {f}" if a["bias"] else ""
        return [Step("output", dims, text) for dims, text in grouped(DIM_NAMES[len(sp)], texts)] + [
            Step("params", "", f"{per}·{_dot(k)}{bias} = {_n(p.weights + p.biases)}", p.weights + p.biases),
            Step("MACs", "", f"{_dot(xs[0][1:])}·{cin} · {f if g == 1 else f'({f}/{g})'}·{_dot(k)} = {_n(macs)} "
                             f"(each input element meets every weight of its group once)", macs)]

    def label(self, a, rank=2):
        op = f" op{fmt_dims(a['output_padding'])}" if a["output_padding"] != 0 else ""
        return _conv_label("deconv", a, op + (f" g{a['groups']}" if a["groups"] != 1 else ""), rank)


def pool_padding_limit(kernel: int) -> int:
    """PyTorch pools pad at most half the kernel, ⌊k/2⌋, whatever the dilation: its ATen check
    is kW/2 >= padW ("pad should be smaller than or equal to half of kernel size"); the Python
    check on half the dilated kernel is looser and so never decides (torch 2.13, checked)."""
    return kernel // 2


class Pool(NoWeights, Sliding):
    prefix = "pool"
    options = {
        "kernel": Opt("ints", low=1),
        "stride": Opt("ints", None, "defaults to the kernel", low=1),
        "padding": Opt("padding", 0),
        "ceil_mode": Opt("bool", False),
    }

    def shape(self, a, xs):
        k, s, d, pads, out, warnings = _sliding(a, xs[0], self.name)
        if a["padding"] != "same":
            for ki, p in zip(k, pads):
                if max(p) > pool_padding_limit(ki):
                    raise LayerError(f"padding must be at most half the kernel, but saw padding "
                                     f"{max(p)} with kernel {ki}")
        return (xs[0][0], *out), warnings

    def explain(self, a, xs, y):
        return _sliding_steps(a, xs[0], self.name) + _no_weights("pooling has no weights")

    def label(self, a, rank=2):
        ceil = " ceil" if a["ceil_mode"] else ""
        stride = a["stride"] if a["stride"] is not None else a["kernel"]
        return f"{self.name} {_window_label({**a, 'stride': stride}, rank)}{ceil}"


@register
class MaxPool(Pool):
    name = "max_pool"
    help = "max pooling; stride defaults to the kernel"
    options = {**Pool.options, "dilation": Opt("ints", 1, low=1)}


@register
class AvgPool(Pool):
    name = "avg_pool"
    help = "average pooling; stride defaults to the kernel"


class GlobalPool(NoWeights):
    prefix = "pool"
    options = {"keepdims": Opt("bool", False, "keep 1×1 spatial dimensions instead of a flat vector")}

    def shape(self, a, xs):
        sp = spatial_of(xs[0], self.name)
        return ((xs[0][0], *(1,) * len(sp)) if a["keepdims"] else (xs[0][0],)), []

    def window(self, a, xs):
        return [Window(n, n, 0) for n in spatial_of(xs[0], self.name)]

    def explain(self, a, xs, y):
        sp = spatial_of(xs[0], self.name)
        kept = f"{_dot(sp)} positions → 1 per channel" + (", kept as 1×…×1" if a["keepdims"] else ", a vector")
        return [Step("output", dims_text(DIM_NAMES[len(sp)]), f"{kept}: {shape_text(y)}")] + _no_weights("pooling")


@register
class GlobalAvgPool(GlobalPool):
    name = "global_avg_pool"
    help = "average over all positions"


@register
class GlobalMaxPool(GlobalPool):
    name = "global_max_pool"
    help = "maximum over all positions"


class AdaptivePool(NoWeights):
    prefix = "pool"
    options = {"output_size": Opt("ints", help="target spatial size", low=1)}

    def _target(self, a, x):
        sp = spatial_of(x, self.name)
        return sp, per_dim(a["output_size"], len(sp), "output_size")

    @staticmethod
    def sizes(n: int, t: int) -> list:
        """The sizes of PyTorch's adaptive windows [⌊i·n/t⌋, ⌈(i+1)·n/t⌉), by arithmetic rather
        than a list of t windows (t may be ten million). Window i has size q + ⌈f_i + r⌉ with
        q = ⌊n/t⌋, r = (n mod t)/t and f_i = (i·n mod t)/t, a multiple of g/t (g = gcd(n, t)) up
        to (t − g)/t: so q + 2 occurs exactly when n mod t > g."""
        from math import gcd

        if n % t == 0:
            return [n // t]
        return [n // t + 1] if n % t == gcd(n, t) else [n // t + 1, n // t + 2]

    @staticmethod
    def fixed(n: int, t: int) -> bool:
        """Whether PyTorch's windows are the course's fixed ones, stride ⌊n/t⌋ and size
        n − (t − 1)·⌊n/t⌋: window i starts at ⌊i·n/t⌋ = i·⌊n/t⌋ for every i < t exactly when
        (t − 1)·(n mod t) < t, that is n mod t ≤ 1 (and n ≥ t, for a stride of at least 1)."""
        return n >= t and n % t <= 1

    def shape(self, a, xs):
        sp, target = self._target(a, xs[0])
        texts = []
        for n, t in zip(sp, target):
            sizes = self.sizes(n, t)
            texts.append(f"{n} → {t}: the pooling windows differ in size ({' and '.join(map(str, sizes))}; "
                         f"PyTorch's start = ⌊i·n/t⌋, end = ⌈(i+1)·n/t⌉)" if len(sizes) > 1 else None)
        warnings = [CodedWarning("uneven-windows", f"{dims}: {text}")
                    for dims, text in grouped(DIM_NAMES[len(sp)], texts) if text]
        return (xs[0][0], *target), warnings

    def window(self, a, xs):
        # Ng's course: s = floor(n_in / n_out), f = n_in − (n_out − 1)·s (exact when t divides n)
        sp, target = self._target(a, xs[0])
        if any(n < t for n, t in zip(sp, target)):
            return None
        return [Window(n - (t - 1) * (n // t), n // t, 0) for n, t in zip(sp, target)]

    def explain(self, a, xs, y):
        sp, target = self._target(a, xs[0])
        texts = []
        for n, t in zip(sp, target):
            s = n // t
            f = n - (t - 1) * s
            if self.fixed(n, t):
                texts.append(f"{n} → {t}: s = ⌊{n}/{t}⌋ = {s}, f = {n} − ({t} − 1)·{s} = {f}")
            else:
                sizes = self.sizes(n, t)
                texts.append(f"{n} → {t}: windows [⌊i·{n}/{t}⌋, ⌈(i+1)·{n}/{t}⌉) of sizes "
                             f"{' and '.join(map(str, sizes))} (PyTorch's rule; no single stride)")
        return ([Step("output", dims, text) for dims, text in grouped(DIM_NAMES[len(sp)], texts)]
                + _no_weights("pooling has no weights"))

    def label(self, a, rank=2):
        return f"{self.name} →{fmt_dims(a['output_size'])}"


@register
class AdaptiveAvgPool(AdaptivePool):
    name = "adaptive_avg_pool"
    help = "average pooling to a fixed output size"


@register
class AdaptiveMaxPool(AdaptivePool):
    name = "adaptive_max_pool"
    help = "max pooling to a fixed output size"


@register
class Flatten(NoWeights):
    name, prefix = "flatten", "flatten"
    help = "reshape to a flat vector"

    def shape(self, a, xs):
        return (prod(xs[0]),), []

    def window(self, a, xs):
        return None  # positions are gone

    def explain(self, a, xs, y):
        return [Step("output", "", f"{_elements(xs[0])} = {_n(y[0])}", y[0])] + _no_weights("a reshape")


@register
class Dense(Kind):
    name, prefix = "dense", "fc"
    help = "fully connected layer on a flat vector"
    options = {"units": Opt("int", low=1), "bias": Opt("bool", True), "activation": CONV_OPTIONS["activation"]}

    def shape(self, a, xs):
        if len(xs[0]) != 1:
            raise LayerError(f"dense needs a flat input, but the input is {shape_text(xs[0])} (H×W×C order); "
                             f"insert a flatten (or global_avg_pool) layer before it")
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
        return [Step("params", "", f"{params} = {_n(p.weights + p.biases)}", p.weights + p.biases),
                Step("MACs", "", f"{n} · {u} = {_n(n * u)}", n * u)]

    def label(self, a, rank=2):
        return f"dense ×{a['units']}" + _activation_suffix(a)


class Activation(Elementwise):
    help = "element-wise activation"

    def __init__(self, name: str = ""):
        self.name = self.prefix = name


for _act in ACTIVATIONS:
    KINDS[_act] = Activation(_act)


@register
class BatchNorm(Elementwise):
    name, prefix = "batch_norm", "bn"
    help = "batch normalization: gamma and beta learnable, running mean and variance not"
    options = {"affine": Opt("bool", True), "track_running_stats": Opt("bool", True),
               "epsilon": Opt("float", 1e-5, low=0), "momentum": Opt("float", 0.1, low=0, high=1)}

    def params(self, a, xs, y):
        c = xs[0][0]
        return Params(c if a["affine"] else 0, c if a["affine"] else 0,
                      2 * c if a["track_running_stats"] else 0)

    def weight_steps(self, a, xs, y):
        c, p = xs[0][0], self.params(a, xs, y)
        learnable = f"γ and β: 2·{c} = {_n(2 * c)}" if a["affine"] else "none (affine false)"
        running = f"; running mean and variance 2·{c} = {_n(2 * c)}, not trainable" if a["track_running_stats"] else ""
        return [Step("params", "", learnable + running, p.weights + p.biases),
                Step("MACs", "", "0 (not a weight multiplication)", 0)]


@register
class LocalResponseNorm(Elementwise):
    name, prefix = "lrn", "norm"
    help = "local response normalization (AlexNet); no parameters"
    options = {"size": Opt("int", 5, low=1), "alpha": Opt("float", 1e-4), "beta": Opt("float", 0.75),
               "k": Opt("float", 1.0)}


@register
class Dropout(Elementwise):
    name, prefix = "dropout", "dropout"
    help = "dropout; no parameters"
    options = {"rate": Opt("float", 0.5, low=0, high=1)}


@register
class ZeroPad(NoWeights):
    name, prefix = "zero_pad", "pad"
    help = "pad the spatial dimensions with zeros"
    options = {"padding": Opt("padding")}

    def _pads(self, a, x):
        sp = spatial_of(x, self.name)
        if a["padding"] == "same":
            raise LayerError("zero_pad needs explicit padding, not 'same'")
        return sp, explicit_padding(a["padding"], len(sp))

    def shape(self, a, xs):
        sp, pads = self._pads(a, xs[0])
        return (xs[0][0], *(n + p[0] + p[1] for n, p in zip(sp, pads))), []

    def window(self, a, xs):
        # a 1-wide window that starts pad_before positions early: the field shifts, not grows
        return [Window(1, 1, p[0]) for p in self._pads(a, xs[0])[1]]

    def explain(self, a, xs, y):
        sp, pads = self._pads(a, xs[0])
        texts = [f"{n} + {p[0]} + {p[1]} = {o}" for n, p, o in zip(sp, pads, y[1:])]
        return [Step("output", dims, text) for dims, text in grouped(DIM_NAMES[len(sp)], texts)] + _no_weights("padding")

    def label(self, a, rank=2):
        return "zero_pad" + _pad_label(a["padding"])


# --- kinds of the modern zoo: resizing, rearranging, more norms, learned scales ---------------

def _elements_kept(a, xs, y, what: str) -> list:
    return [Step("output", "", f"{what}: {shape_text(y)}")]


@register
class Upsample(NoWeights):
    """Resize by a scale factor or to a size (PyTorch nn.Upsample): out = ⌊n · scale⌋."""

    name, prefix = "upsample", "up"
    help = "resize by scale (out = floor(n·scale)) or to size; nearest, linear, bilinear, bicubic, trilinear"
    options = {"scale": Opt("float", None, "scale factor for every spatial dimension", low=0),
               "size": Opt("ints", None, "output size: an int or one per spatial dimension", low=1),
               "like": Opt("name", None, "resize to the spatial size of this earlier layer"),
               "mode": Opt("choice", "nearest", choices=("nearest", "linear", "bilinear", "bicubic", "trilinear"))}

    def _out(self, a, x):
        sp = spatial_of(x, self.name)
        if sum(a[key] is not None for key in ("scale", "size", "like")) != 1:
            raise LayerError("upsample needs exactly one of scale, size and like")
        if a["like"] is not None:
            return list(_like_size(a, sp, self.name))
        if a["size"] is not None:
            return list(per_dim(a["size"], len(sp), "size"))
        out = [n * a["scale"] for n in sp]  # PyTorch: floor(input_size · scale_factor)
        if not all(1 <= o < MAX_SIZE + 1 for o in out):  # before int(): a scale of 1e308 gives inf
            sizes = ", ".join(f"{o:.4g}" if o >= MAX_SIZE + 1 else f"{int(o)}" for o in out)
            raise LayerError(f"upsample by {a['scale']:g} gives [{sizes}]; every size must be from 1 to {MAX_SIZE:,}")
        return [int(o) for o in out]

    def shape(self, a, xs):
        return (xs[0][0], *self._out(a, xs[0])), []

    def window(self, a, xs):
        return None  # interpolation: no fixed window in input positions

    def explain(self, a, xs, y):
        sp = spatial_of(xs[0], self.name)
        texts = ([f"⌊{n} · {a['scale']}⌋ = {o}" for n, o in zip(sp, y[1:])] if a["scale"] is not None
                 else [f"{n} → {o}" + (f" (the size of {a['like']})" if a["like"] else "") for n, o in zip(sp, y[1:])])
        return ([Step("output", dims, text) for dims, text in grouped(DIM_NAMES[len(sp)], texts)]
                + _no_weights(f"{a['mode']} interpolation has no weights"))

    def label(self, a, rank=2):
        by = f"×{a['scale']:g}" if a["scale"] is not None else \
            f"→{fmt_dims(a['size'])}" if a["size"] is not None else f"like {a['like']}"
        return f"upsample {by} {a['mode']}"


def _like_size(a, sp, kind: str) -> tuple:
    """The spatial size of the layer that `like` names (the engine gives its shape as _like)."""
    if "_like" not in a:
        raise LayerError(f"like names another layer of a network; for {kind} alone give the size instead")
    target = a["_like"][1:]
    if len(target) != len(sp):
        raise LayerError(f"like {shown(a['like'])} has {len(target)} spatial dimensions ({shape_text(a['_like'])}), "
                         f"but the input has {len(sp)}")
    return target


def _factor(a, x, kind: str) -> int:
    if len(x) != 3:
        raise LayerError(f"{kind} works on 2-D inputs (C, H, W), as PyTorch's, but the input has "
                         f"{len(x) - 1} spatial dimensions")
    return a["factor"]


class PixelShuffle(NoWeights):
    """Depth to space (PyTorch PixelShuffle): (C·r², H, W) -> (C, H·r, W·r); and back, space to
    depth (PixelUnshuffle, YOLOv2's reorg): (C, H, W) -> (C·r², H/r, W/r). One class, two kinds."""

    def __init__(self, name: str = "", up: bool = True, help: str = ""):
        self.name, self.prefix, self.up, self.help = name, "shuffle" if up else "unshuffle", up, help
        self.options = {"factor": Opt("int", help=f"the {'up' if up else 'down'}scale factor r", low=1)}

    def shape(self, a, xs):
        r = _factor(a, xs[0], self.name)
        c, h, w = xs[0]
        if self.up and c % (r * r):
            raise LayerError(f"pixel_shuffle by {r} needs channels divisible by r² = {r * r}, but the input has {c}")
        if not self.up and (h % r or w % r):
            raise LayerError(f"pixel_unshuffle by {r} needs H and W divisible by {r}, but the input is {h}×{w}")
        return ((c // (r * r), h * r, w * r) if self.up else (c * r * r, h // r, w // r)), []

    def window(self, a, xs):
        # space to depth gathers an r×r block; depth to space reads 1/r of a position: no window
        return None if self.up else [Window(a["factor"], a["factor"], 0)] * 2

    def explain(self, a, xs, y):
        r, (c, h, w) = a["factor"], xs[0]
        text = (f"{c}/{r}² = {y[0]} channels, {h}·{r} = {y[1]}, {w}·{r} = {y[2]}" if self.up else
                f"{c}·{r}² = {y[0]} channels, {h}/{r} = {y[1]}, {w}/{r} = {y[2]}")
        return [Step("output", "", text)] + _no_weights("a rearrangement")

    def label(self, a, rank=2):
        return f"{self.name} {'×' if self.up else '÷'}{a['factor']}"


for _pixels in (PixelShuffle("pixel_shuffle", True, "depth to space: C·r² × H × W → C × H·r × W·r (PyTorch PixelShuffle)"),
                PixelShuffle("pixel_unshuffle", False, "space to depth: C × H × W → C·r² × H/r × W/r (PyTorch "
                                                       "PixelUnshuffle, YOLOv2's reorg)")):
    KINDS[_pixels.name] = _pixels


@register
class ChannelShuffle(NoWeights):
    """ShuffleNet's channel shuffle: C split into groups, interleaved; positions kept."""

    name, prefix = "channel_shuffle", "shuffle"
    help = "interleave the channels of g groups (ShuffleNet); the groups must divide C"
    options = {"groups": Opt("int", low=1)}

    def shape(self, a, xs):
        if xs[0][0] % a["groups"]:
            raise LayerError(f"channel_shuffle needs groups dividing the channels, but {a['groups']} does not "
                             f"divide {xs[0][0]}")
        return xs[0], []

    def window(self, a, xs):
        return IDENTITY

    def explain(self, a, xs, y):
        return _elements_kept(a, xs, y, f"{a['groups']} groups of {xs[0][0] // a['groups']} channels interleaved") \
            + _no_weights("a permutation")


class Norm(Kind):
    """A normalization that keeps positions, with learnable per-channel γ and β."""

    def window(self, a, xs):
        return IDENTITY

    def macs(self, a, xs, y):
        return 0  # γ and β scale and shift: not weight multiplications in our convention

    def explain(self, a, xs, y):
        p = self.params(a, xs, y)
        return _elements_kept(a, xs, y, self.explained(a, xs)) + [
            Step("params", "", f"γ and β: {p.weights:,} + {p.biases:,}" + (
                f"; {p.non_trainable:,} running statistics, not trainable" if p.non_trainable else ""),
                 p.weights + p.biases), Step("MACs", "", "0 (not a weight multiplication)", 0)]

    def explained(self, a, xs) -> str:
        return "normalized"


@register
class GroupNorm(Norm):
    name, prefix = "group_norm", "gn"
    help = "group normalization (PyTorch GroupNorm): γ and β per channel when affine"
    options = {"groups": Opt("int", low=1), "affine": Opt("bool", True), "epsilon": Opt("float", 1e-5, low=0)}

    def shape(self, a, xs):
        if xs[0][0] % a["groups"]:
            raise LayerError(f"group_norm needs groups dividing the channels, but {a['groups']} does not divide "
                             f"{xs[0][0]}")
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
    help = "layer normalization over the channels of each position (ConvNeXt) or over all of C×H×W"
    options = {"over": Opt("choice", "channels", choices=("channels", "all")), "affine": Opt("bool", True),
               "epsilon": Opt("float", 1e-6, low=0)}

    def shape(self, a, xs):
        return xs[0], []

    def params(self, a, xs, y):
        n = xs[0][0] if a["over"] == "channels" else prod(xs[0])
        return Params(n if a["affine"] else 0, n if a["affine"] else 0)

    def explained(self, a, xs):
        return "normalized over each position's channels" if a["over"] == "channels" else \
            f"normalized over all {prod(xs[0]):,} elements"


@register
class InstanceNorm(Norm):
    name, prefix = "instance_norm", "in"
    help = "instance normalization (PyTorch InstanceNorm): affine and running statistics off by default"
    options = {"affine": Opt("bool", False), "track_running_stats": Opt("bool", False),
               "epsilon": Opt("float", 1e-5, low=0)}

    def shape(self, a, xs):
        spatial_of(xs[0], self.name)
        return xs[0], []

    def params(self, a, xs, y):
        c = xs[0][0]
        return Params(c if a["affine"] else 0, c if a["affine"] else 0, 2 * c if a["track_running_stats"] else 0)

    def explained(self, a, xs):
        return "each channel normalized over its positions"


@register
class PReLU(Elementwise):
    name, prefix = "prelu", "prelu"
    help = "parametric ReLU: one learned slope, or one per channel"
    options = {"per_channel": Opt("bool", False)}

    def params(self, a, xs, y):
        return Params(xs[0][0] if a["per_channel"] else 1)

    def weight_steps(self, a, xs, y):
        n = self.params(a, xs, y).weights
        return [Step("params", "", f"{n} slope{'s' if n > 1 else ''}", n),
                Step("MACs", "", "0 (an activation)", 0)]


@register
class Scale(Elementwise):
    """A learned per-channel multiplier (ConvNeXt's layer scale)."""

    name, prefix = "scale", "scale"
    help = "a learned per-channel multiplier (ConvNeXt's layer scale): C params"
    options = {}

    def params(self, a, xs, y):
        return Params(xs[0][0])

    def weight_steps(self, a, xs, y):
        return [Step("params", "", f"one factor per channel: {xs[0][0]}", xs[0][0]),
                Step("MACs", "", "0 (an element-wise product, not a weight multiplication in our convention)", 0)]


@register
class Crop(NoWeights):
    """Keras Cropping: drop rows and columns on each side."""

    name, prefix = "crop", "crop"
    help = ("drop positions at each side (Keras Cropping2D): an int, one per dimension or [before, after] "
            "pairs; or centred to the size of an earlier layer (like, as U-Net)")
    options = {"cropping": Opt("padding", None, "int, per-dimension list or [before, after] pairs"),
               "like": Opt("name", None, "crop centred to the spatial size of this earlier layer")}

    def _cuts(self, a, x):
        sp = spatial_of(x, self.name)
        if (a["cropping"] is None) == (a["like"] is None):
            raise LayerError("crop needs exactly one of cropping and like")
        if a["like"] is not None:  # centred; an odd difference leaves the extra position at the end
            cut = [n - m for n, m in zip(sp, _like_size(a, sp, self.name))]
            if any(c < 0 for c in cut):
                raise LayerError(f"crop to the size of {shown(a['like'])} ({shape_text(a['_like'])}) needs an input at "
                                 f"least as large, but the input is {shape_text(x)}")
            return sp, [[c // 2, c - c // 2] for c in cut]
        if a["cropping"] in ("same", "valid"):
            raise LayerError("crop needs numbers, not 'same' or 'valid'")
        return sp, explicit_padding(a["cropping"], len(sp))

    def shape(self, a, xs):
        sp, cuts = self._cuts(a, xs[0])
        out = [n - c[0] - c[1] for n, c in zip(sp, cuts)]
        if any(o < 1 for o in out):
            raise LayerError(f"crop leaves {out}: it must leave at least 1 position per dimension")
        return (xs[0][0], *out), []

    def window(self, a, xs):
        # a 1-wide window that starts `before` positions late: the field shifts
        return [Window(1, 1, -c[0]) for c in self._cuts(a, xs[0])[1]]

    def explain(self, a, xs, y):
        sp, cuts = self._cuts(a, xs[0])
        texts = [f"{n} − {c[0]} − {c[1]} = {o}" for n, c, o in zip(sp, cuts, y[1:])]
        return [Step("output", dims, text) for dims, text in grouped(DIM_NAMES[len(sp)], texts)] + _no_weights("cropping")

    def label(self, a, rank=2):
        return f"crop like {a['like']}" if a["like"] is not None else "crop " + _pad_label(a["cropping"])[2:]


@register
class Slice(NoWeights):
    """A range of channels (ShuffleNetV2's channel split: [0:C/2] and [C/2:C])."""

    name, prefix = "slice", "slice"
    help = "channels start to stop (stop excluded; default: to the end), for a channel split"
    options = {"start": Opt("int", 0, low=0), "stop": Opt("int", None, "default: the input's channels", low=1)}

    def _range(self, a, x):
        stop = x[0] if a["stop"] is None else a["stop"]
        if not a["start"] < stop <= x[0]:
            raise LayerError(f"slice needs start < stop ≤ the input's {x[0]} channels, but saw "
                             f"start {a['start']} and stop {stop}")
        return a["start"], stop

    def shape(self, a, xs):
        start, stop = self._range(a, xs[0])
        return (stop - start, *xs[0][1:]), []

    def window(self, a, xs):
        return IDENTITY

    def explain(self, a, xs, y):
        start, stop = self._range(a, xs[0])
        return [Step("output", "", f"channels {start} to {stop}: {stop} − {start} = {y[0]}: {shape_text(y)}")] \
            + _no_weights("a slice")

    def label(self, a, rank=2):
        return f"slice {a['start']}:{'' if a['stop'] is None else a['stop']}"


@register
class Reshape(NoWeights):
    """A new shape with the same elements; one size may be -1 (inferred)."""

    name, prefix = "reshape", "reshape"
    help = "the same elements in a new shape, written in the file's layout (one size may be -1)"
    options = {"shape": Opt("ints", help="target sizes in the file's layout, one may be -1", low=-1)}
    layout_aware = True  # the target is written in the file's layout: the expander says which

    def shape(self, a, xs):
        target = [a["shape"]] if isinstance(a["shape"], int) else list(a["shape"])
        if len(target) > 4 or 0 in target or target.count(-1) > 1:
            raise LayerError(f"reshape needs 1 to 4 sizes, each at least 1 or one -1, but saw {target}")
        total, known = prod(xs[0]), prod(v for v in target if v != -1)
        if -1 in target:
            if total % known:
                raise LayerError(f"reshape cannot infer -1: {total:,} elements do not divide by {known:,}")
            target[target.index(-1)] = total // known
        elif known != total:
            raise LayerError(f"reshape to {target} holds {known:,} elements, but the input "
                             f"{shape_text(xs[0])} has {total:,}")
        if len(target) > 1 and a.get("_channels_last", True):
            target = [target[-1], *target[:-1]]
        return tuple(target), []

    def window(self, a, xs):
        return None  # positions are renumbered: no field in input positions

    def explain(self, a, xs, y):
        return [Step("output", "", f"{_elements(xs[0])} = {_elements(y)} elements: {shape_text(y)}")] \
            + _no_weights("a reshape")

    def label(self, a, rank=2):
        return f"reshape {fmt_dims(a['shape'])}"


@register
class Input(NoWeights):
    """The network's input; not written in `layers`. The engine gives it the input shape."""

    name, prefix = "input", "input"
    help = "the network input"

    def shape(self, a, xs):  # pragma: no cover - the engine never asks
        raise LayerError("the input has no shape rule; the engine sets it")

    def window(self, a, xs):
        return None  # the receptive field starts here; the engine sets it

    def explain(self, a, xs, y):
        return [Step("output", "", f"the input, {shape_text(y)}")]


# --- merges of parallel branches ------------------------------------------------------

class Merge(NoWeights):
    """Joins branches position by position: no weights, and positions are kept. Each merge kind
    is one instance: what its branches must satisfy (`need`, checked by `fit`), how they join
    (`joined`), and how the join reads in worked arithmetic (`text`)."""

    merge = True
    options = {}

    def __init__(self, name="", prefix="", help="", need="", fit=None, joined=None, text=None):
        self.name, self.prefix, self.help, self.need = name, prefix, help, need
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
        return [Step("output", "", self.text(xs, y))] + _no_weights(f"{self.name} has no weights")


def _broadcast(xs) -> Shape:
    """The full shape of a product whose gates (C, 1, …) broadcast over it."""
    return max(xs, key=lambda x: (len(x), prod(x)))


for _merge in (
    # concatenate along channels; spatial sizes must agree (netscope's rule); a different rank
    # is also a different spatial size
    Merge("concat", "concat", "concatenate branches along channels", "equal spatial sizes",
          fit=lambda xs: len({x[1:] for x in xs}) == 1, joined=lambda xs: (sum(x[0] for x in xs), *xs[0][1:]),
          text=lambda xs, y: f"channels {' + '.join(str(x[0]) for x in xs)} = {y[0]}: {shape_text(y)}"),
    Merge("add", "add", "element-wise sum of branches (an empty branch is the identity shortcut)",
          "equal shapes", fit=lambda xs: len(set(xs)) == 1, joined=lambda xs: xs[0]),
    # element-wise product; a (C, 1, …) gate broadcasts over (C, *spatial) (squeeze-excitation)
    Merge("multiply", "mul", "element-wise product of branches, broadcasting (C,1,1) gates",
          "equal shapes, or a gate of shape 1×1×C to broadcast",
          fit=lambda xs: all(len(x) == len(_broadcast(xs)) and all(v in (f, 1) for v, f in zip(x, _broadcast(xs)))
                             for x in xs),
          joined=_broadcast),
):
    KINDS[_merge.name] = _merge

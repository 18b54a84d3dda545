"""Pooling: windowed (max, average), global and adaptive. No weights; fvcore counts an
average pool that is adaptive or global 1 per input element, and nothing else."""

from __future__ import annotations

from math import gcd

from ..errors import CodedWarning, LayerError
from ..layout import DIM_NAMES, fmt_dims, shape_text
from .base import (
    NoWeights,
    Opt,
    Step,
    Window,
    counts_nothing,
    dot,
    no_weights,
    per_input_element,
    register,
    spatial_of,
    window_label,
)
from .sliding import Sliding, dims_text, grouped, per_dim, sliding, sliding_steps


def pool_padding_limit(kernel: int) -> int:
    """PyTorch pools pad at most half the kernel, ⌊k/2⌋, whatever the dilation: its ATen check
    is kW/2 >= padW ("pad should be smaller than or equal to half of kernel size"); the Python
    check on half the dilated kernel is looser and so never decides (torch 2.13, checked)."""
    return kernel // 2


class Pool(NoWeights, Sliding):
    prefix = "pool"
    in_place = False
    fvcore = counts_nothing
    options = {
        "kernel": Opt("ints", low=1),
        "stride": Opt("ints", None, "defaults to the kernel", low=1),
        "padding": Opt("padding", 0),
        "ceil_mode": Opt("bool", False),
    }

    def shape(self, a, xs):
        k, s, d, pads, out, warnings = sliding(a, xs[0], self.name)
        if a["padding"] != "same":
            for ki, p in zip(k, pads):
                if max(p) > pool_padding_limit(ki):
                    raise LayerError(
                        f"padding must be at most half the kernel, but saw padding {max(p)} with kernel {ki}"
                    )
        return (xs[0][0], *out), warnings

    def explain(self, a, xs, y):
        return sliding_steps(a, xs[0], self.name) + no_weights("pooling has no weights")

    def label(self, a, rank=2):
        ceil = " ceil" if a["ceil_mode"] else ""
        stride = a["stride"] if a["stride"] is not None else a["kernel"]
        return f"{self.name} {window_label({**a, 'stride': stride}, rank)}{ceil}"


@register
class MaxPool(Pool):
    name = "max_pool"
    aliases = ("MaxPool1d", "MaxPool2d", "MaxPool3d", "MaxPooling2D")
    help = "max pooling; stride defaults to the kernel"
    options = {**Pool.options, "dilation": Opt("ints", 1, low=1)}


@register
class AvgPool(Pool):
    name = "avg_pool"
    aliases = ("AvgPool1d", "AvgPool2d", "AvgPool3d", "AveragePooling2D")
    help = "average pooling; stride defaults to the kernel"


class GlobalPool(NoWeights):
    prefix = "pool"
    in_place = False
    options = {"keepdims": Opt("bool", False, "keep 1×1 spatial dimensions instead of a flat vector")}

    def shape(self, a, xs):
        sp = spatial_of(xs[0], self.name)
        return ((xs[0][0], *(1,) * len(sp)) if a["keepdims"] else (xs[0][0],)), []

    def window(self, a, xs):
        return [Window(n, n, 0) for n in spatial_of(xs[0], self.name)]

    def explain(self, a, xs, y):
        sp = spatial_of(xs[0], self.name)
        kept = f"{dot(sp)} positions → 1 per channel" + (", kept as 1×…×1" if a["keepdims"] else ", a vector")
        return [Step("output", dims_text(DIM_NAMES[len(sp)]), f"{kept}: {shape_text(y)}")] + no_weights("pooling")


@register
class GlobalAvgPool(GlobalPool):
    name = "global_avg_pool"
    aliases = ("GlobalAveragePooling2D",)
    fvcore = per_input_element
    help = "average over all positions"


@register
class GlobalMaxPool(GlobalPool):
    name = "global_max_pool"
    aliases = ("GlobalMaxPooling2D",)
    fvcore = counts_nothing
    help = "maximum over all positions"


@register
class Mean(GlobalPool):
    """The same numbers as global_avg_pool, written as PyTorch's x.mean(dims) (torchvision's
    ShuffleNetV2 and MNASNet heads): fvcore has no handler for aten::mean and counts it 0."""

    name = "mean"
    aliases = ("ReduceMean",)
    help = "average over all positions, written x.mean(dims): global_avg_pool's numbers, not counted by fvcore"
    fvcore = counts_nothing


class AdaptivePool(NoWeights):
    prefix = "pool"
    in_place = False
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
            if self.fixed(n, t):
                texts.append(None)
                continue
            # PyTorch's windows start at ⌊i·n/t⌋: ⌊n/t⌋ and ⌈n/t⌉ apart when n mod t ≥ 2
            sizes, strides = self.sizes(n, t), sorted({n // t, -(-n // t)})
            texts.append(
                f"{n} → {t}: PyTorch's windows [⌊i·n/t⌋, ⌈(i+1)·n/t⌉) are {' and '.join(map(str, sizes))} wide "
                f"at strides {' and '.join(map(str, strides))}: no single kernel and stride, so the receptive "
                f"field is undefined from here (the largest window is {max(sizes)})"
            )
        warnings = [
            CodedWarning("uneven-windows", f"{dims}: {text}")
            for dims, text in grouped(DIM_NAMES[len(sp)], texts)
            if text
        ]
        return (xs[0][0], *target), warnings

    def window(self, a, xs):
        # Ng's course: s = floor(n_in / n_out), f = n_in − (n_out − 1)·s, exactly PyTorch's windows
        # when they are fixed; otherwise they are no single window: undefined, never a guess
        sp, target = self._target(a, xs[0])
        if not all(self.fixed(n, t) for n, t in zip(sp, target)):
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
                texts.append(
                    f"{n} → {t}: windows [⌊i·{n}/{t}⌋, ⌈(i+1)·{n}/{t}⌉) of sizes "
                    f"{' and '.join(map(str, sizes))} (PyTorch's rule; no single stride)"
                )
        return [Step("output", dims, text) for dims, text in grouped(DIM_NAMES[len(sp)], texts)] + no_weights(
            "pooling has no weights"
        )

    def label(self, a, rank=2):
        return f"{self.name} →{fmt_dims(a['output_size'])}"


@register
class AdaptiveAvgPool(AdaptivePool):
    name = "adaptive_avg_pool"
    aliases = ("AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d")
    fvcore = per_input_element
    help = "average pooling to a fixed output size"


@register
class AdaptiveMaxPool(AdaptivePool):
    name = "adaptive_max_pool"
    aliases = ("AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d")
    fvcore = counts_nothing
    help = "max pooling to a fixed output size"

"""The sliding window shared by every convolution and pooling kind, as ONNX shares
convPoolShapeInference: the output-size rule, the padding forms, the worked arithmetic of
both, and the Sliding base class whose hyperparameters and receptive-field window follow
from them. Pure arithmetic, standard library only."""

from __future__ import annotations

from ..errors import CodedWarning, LayerError, shown
from ..layout import DIM_NAMES
from .base import Kind, Step, Window, spatial_of

# What one step along each spatial dimension is called.
_STEP_WORD = {"T": ("step", "steps"), "D": ("frame", "frames"), "H": ("row", "rows"), "W": ("column", "columns")}


def effective_kernel(k: int, d: int = 1) -> int:
    """A kernel k with dilation d spans d·(k−1)+1 input positions."""
    return d * (k - 1) + 1


def out_size(n: int, k: int, s: int = 1, pad: tuple[int, int] = (0, 0), d: int = 1, ceil_mode: bool = False) -> int:
    """out = floor((n + pad_before + pad_after − d·(k−1) − 1) / s) + 1.

    In ceil mode the division rounds up, but, as in PyTorch's pooling_output_shape, a last
    window that would start inside the right padding is dropped. A result below 1 means the
    window does not fit; callers turn that into an error.
    """
    span = n + pad[0] + pad[1] - effective_kernel(k, d)
    if not ceil_mode:
        return span // s + 1
    out = -(-span // s) + 1
    if (out - 1) * s >= n + pad[0]:
        out -= 1
    return out


def same_padding(n: int, k: int, s: int = 1, d: int = 1) -> tuple[int, int]:
    """TensorFlow/Keras 'same': total = max((ceil(n/s)−1)·s + d(k−1) + 1 − n, 0),
    the odd pixel going to the bottom/right."""
    total = max((-(-n // s) - 1) * s + effective_kernel(k, d) - n, 0)
    return total // 2, total - total // 2


def per_dim(value, rank: int, what: str) -> tuple[int, ...]:
    """An int applies to every spatial dimension; a list gives one value per dimension."""
    if isinstance(value, int):
        return (value,) * rank
    if isinstance(value, (list, tuple)) and len(value) == rank and all(isinstance(v, int) for v in value):
        return tuple(value)
    raise LayerError(f"{what} must be an int or a list of {rank} ints for a {rank}-D input, but saw {shown(value)}")


def explicit_padding(padding, rank: int) -> list[tuple[int, int]] | None:
    """Padding as (before, after) per dimension; None for 'same', resolved per input size.

    Forms: an int; one int per dimension; one [before, after] pair per dimension; 'valid'.
    """
    if padding == "valid":
        return [(0, 0)] * rank
    if padding == "same":
        return None
    pads = []
    if isinstance(padding, int):
        pads = [(padding, padding)] * rank
    elif isinstance(padding, (list, tuple)) and len(padding) == rank:
        for p in padding:
            if isinstance(p, int):
                pads.append((p, p))
            elif isinstance(p, (list, tuple)) and len(p) == 2 and all(isinstance(v, int) for v in p):
                pads.append((p[0], p[1]))
    if len(pads) != rank:
        raise LayerError(
            f"padding must be an int, 'same', 'valid', a list of {rank} ints or a list "
            f"of {rank} [before, after] pairs, but saw {shown(padding)}"
        )
    if any(v < 0 for pair in pads for v in pair):
        raise LayerError(f"padding must not be negative, but saw {shown(padding)}")
    return pads


def window_out(spatial, kernel, stride, padding, dilation, ceil_mode=False):
    """Apply the output-size rule to every spatial dimension.

    kernel, stride and dilation are at least 1: the sources check them where they are written.
    Returns (out_spatial, pads, warnings). Raises LayerError when a window does not fit.
    """
    rank = len(spatial)
    pads = explicit_padding(padding, rank)
    if pads is None:
        pads = [same_padding(n, k, s, d) for n, k, s, d in zip(spatial, kernel, stride, dilation)]
    out, warnings = [], []
    for dim, n, k, s, p, d in zip(DIM_NAMES[rank], spatial, kernel, stride, pads, dilation):
        o = out_size(n, k, s, p, d, ceil_mode)
        if o < 1:
            raise LayerError(
                f"output {dim} would be {o}: the window spans {effective_kernel(k, d)} positions "
                f"(kernel {k}, dilation {d}) but the padded input has only {n + p[0] + p[1]} "
                f"({n} + {p[0]} + {p[1]}); the output must be at least 1"
            )
        out.append(o)
    if not ceil_mode:
        warnings = inexact_warnings(DIM_NAMES[rank], spatial, kernel, stride, pads, dilation)
    return tuple(out), pads, warnings


def inexact_warning(dim: str, n: int, k: int, s: int, pad: tuple[int, int], d: int) -> str | None:
    """When (n + pads − d(k−1) − 1) is not a multiple of s, the floor ignores the last r
    positions of the padded input: say how many (and whether any is real input, not
    padding), and what would make the division exact."""
    body = _inexact_body(n, k, s, pad, d, _STEP_WORD[dim])
    return f"{dim}: {body}" if body else None


def _inexact_body(n, k, s, pad, d, words) -> str | None:
    span = n + pad[0] + pad[1] - effective_kernel(k, d)
    r = span % s
    if r == 0:
        return None
    unit = words[0] if r == 1 else words[1]
    gap = s - effective_kernel(k, d)  # positions a stride longer than the window skips between windows
    if pad[1] < r <= pad[1] + gap:  # the next window would start past the input dropped
        return (
            f"({numerator_text(n, k, pad, d)})/{s} = {span}/{s} is not whole: the floor "
            f"skips the last {r} {unit}{f' ({r - pad[1]} of them input)' if pad[1] else ''}, no more than the "
            f"stride skips between any two windows "
            f"({gap} of every {s}); a larger input would not read {'it' if r == 1 else 'them'} either"
        )
    if r <= pad[1]:
        dropped = f"the floor drops only the last {r} {unit} of right padding, no input"
    elif pad[1]:
        dropped = f"the floor drops the last {r} {unit} of the padded input, {r - pad[1]} of them input"
    else:
        dropped = f"the floor drops the last {r} input {unit}"
    fixes = [f"{n + s - r}"]
    if n - r >= 1 and n - r + pad[0] + pad[1] >= effective_kernel(k, d):
        fixes.append(f"{n - r}")
    return (
        f"({numerator_text(n, k, pad, d)})/{s} = {span}/{s} is not whole: {dropped}. "
        f"Exact with input {' or '.join(fixes)}, or {s - r} more padding"
    )


def ek_text(k: int, d: int) -> str:
    """The window's span as the division subtracts it: 3, or (2·(3 − 1) + 1) when dilated."""
    return f"{k}" if d == 1 else f"({d}·({k} − 1) + 1)"


def numerator_text(n: int, k: int, pad, d: int = 1) -> str:
    """What the output-size rule divides by the stride, as the courses write it where they can:
    n + 2·p − f (Ng, CS231n) with symmetric padding and no dilation; else n + p_before +
    p_after − the dilated window's span."""
    if d == 1 and pad[0] == pad[1]:
        return f"{n} + 2·{pad[0]} − {k}"
    return f"{n} + {pad[0]} + {pad[1]} − {ek_text(k, d)}"


def inexact_warnings(dims, spatial, kernel, stride, pads, dilation) -> list[CodedWarning]:
    """One warning per distinct case: dimensions with the same numbers share one line
    ("H, W: …"), so a square layer does not say everything twice."""
    groups: dict[tuple, list[str]] = {}
    for dim, n, k, s, p, d in zip(dims, spatial, kernel, stride, pads, dilation):
        if (n + p[0] + p[1] - effective_kernel(k, d)) % s:
            groups.setdefault((n, k, s, tuple(p), d), []).append(dim)
    warnings = []
    for (n, k, s, p, d), names in groups.items():
        words = tuple("/".join(_STEP_WORD[dim][i] for dim in names) for i in (0, 1))
        # a floor that drops only right padding loses no input (torchvision's stride-2 layers
        # with padding 1): a note for --explain and -v, not a warning on every run
        r = (n + p[0] + p[1] - effective_kernel(k, d)) % s
        # and one that drops no more than the stride skips between any two windows (torchvision's
        # 1×1 stride-2 downsampling) loses nothing a larger input would have read: a note too
        code = (
            "padding-only"
            if r <= p[1]
            else "stride-gap"
            if r - p[1] <= s - effective_kernel(k, d)
            else "inexact-division"
        )
        warnings.append(CodedWarning(code, f"{', '.join(names)}: {_inexact_body(n, k, s, p, d, words)}"))
    return warnings


# --- worked arithmetic: the same rules, written out with the numbers substituted ------------


def dims_text(names) -> str:
    """('H', 'W') -> 'H and W'; ('D', 'H', 'W') -> 'D, H and W'."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def grouped(dims, texts) -> list[tuple[str, str]]:
    """(dims, text) with dimensions that read the same merged: [('H and W', '… = 37')]."""
    groups: dict[str, list[str]] = {}
    for dim, text in zip(dims, texts):
        groups.setdefault(text, []).append(dim)
    return [(dims_text(names), text) for text, names in groups.items()]


def out_size_formula(n: int, k: int, s: int, pad, d: int = 1, ceil_mode: bool = False) -> str:
    """⌊(39 + 2·0 − 3)/1⌋ + 1 = 37, and in ceil mode PyTorch's rule for a last window that
    would start in the right padding."""
    inner = f"({numerator_text(n, k, pad, d)})/{s}"
    out = out_size(n, k, s, pad, d, ceil_mode)
    if not ceil_mode:
        return f"⌊{inner}⌋ + 1 = {out}"
    rounded_up = -(-(n + pad[0] + pad[1] - effective_kernel(k, d)) // s) + 1
    text = f"⌈{inner}⌉ + 1 = {rounded_up}"
    if rounded_up != out:
        text += (
            f"; the last window would start at ({rounded_up} − 1)·{s} = {(rounded_up - 1) * s} ≥ "
            f"{n} + {pad[0]}, inside the right padding, so PyTorch drops it: {out}"
        )
    return text


def same_padding_formula(n: int, k: int, s: int, d: int = 1) -> str:
    before, after = same_padding(n, k, s, d)
    return (
        f"'same': total = max((⌈{n}/{s}⌉ − 1)·{s} + {d}·({k} − 1) + 1 − {n}, 0) = {before + after}"
        f", {before} before and {after} after"
    )


def window_steps(spatial, kernel, stride, padding, dilation, ceil_mode=False) -> list[tuple[str, str, str]]:
    """(quantity, dims, formula) lines of the output-size rule for every spatial dimension."""
    dims = DIM_NAMES[len(spatial)]
    pads = explicit_padding(padding, len(spatial))
    steps = []
    if pads is None:
        pads = [same_padding(n, k, s, d) for n, k, s, d in zip(spatial, kernel, stride, dilation)]
        steps += [
            ("padding", where, text)
            for where, text in grouped(
                dims, [same_padding_formula(n, k, s, d) for n, k, s, d in zip(spatial, kernel, stride, dilation)]
            )
        ]
    texts = [
        out_size_formula(n, k, s, p, d, ceil_mode) for n, k, s, p, d in zip(spatial, kernel, stride, pads, dilation)
    ]
    return steps + [("output", where, text) for where, text in grouped(dims, texts)]


# --- the window of a layer, resolved per dimension -------------------------------------


def geometry(a, x, kind, stride_default=None):
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


def sliding(a, x, kind):
    """Kernel, stride, dilation, padding per dimension and the output spatial size, with warnings.
    A layer asks three times (shape, hyperparameters, window): the last answer is kept, for the
    same attribute dict (held here, so its id cannot be reused) and the same input."""
    if _LAST_SLIDING[0] is a and _LAST_SLIDING[1] == x:
        return _LAST_SLIDING[2]
    sp, k, s, d = geometry(a, x, kind)
    out, pads, warnings = window_out(sp, k, s, a.get("padding", 0), d, a.get("ceil_mode", False))
    _LAST_SLIDING[:] = a, x, (k, s, d, pads, out, warnings)
    return _LAST_SLIDING[2]


def sliding_steps(a, x, kind) -> list:
    sp, k, s, d = geometry(a, x, kind)
    return [
        Step(q, dims, text)
        for q, dims, text in window_steps(sp, k, s, a.get("padding", 0), d, a.get("ceil_mode", False))
    ]


class Sliding(Kind):
    """A kind whose window slides over the spatial dimensions (convolutions, pooling)."""

    def hyperparameters(self, a, xs):
        k, s, d, pads, _, _ = sliding(a, xs[0], self.name)
        return {
            **super().hyperparameters(a, xs),
            "kernel": list(k),
            "stride": list(s),
            "dilation": list(d),
            "padding": [list(p) for p in pads],
        }

    def window(self, a, xs):
        k, s, d, pads, _, _ = sliding(a, xs[0], self.name)
        return [Window(effective_kernel(ki, di), si, p[0]) for ki, si, di, p in zip(k, s, d, pads)]

"""The inverse problem: which kernel, stride, dilation and padding take an input size to a
wanted output size. Every combination within small bounds is tried with the very rules the
engine uses (shape.out_size, the transposed-convolution rule, PyTorch's adaptive windows), so
a solution is exact by construction. Standard library only."""

from __future__ import annotations

from collections import namedtuple

from .kinds import pool_padding_limit
from .kinds.sliding import effective_kernel, out_size, out_size_formula
from .limits import MAX_SOLVE_DILATION, MAX_SOLVE_KERNEL, MAX_SOLVE_STRIDE

Solved = namedtuple("Solved", "n wanted mode solutions nearest adaptive", defaults=((), (), None))
Solved.__doc__ = (
    "What `solve` found for n -> wanted in a mode: the solutions, best first; the nearest sizes "
    "reached, (size, Solution), when there is none; for adaptive pooling (stride, window, exact, "
    "PyTorch's windows)."
)

Solution = namedtuple(
    "Solution", "kernel stride dilation padding ceil_mode output_padding formula loss", defaults=(False, 0, "", "")
)
Solution.__doc__ = (
    "One way to reach the size: padding is (before, after); formula the worked arithmetic; loss "
    "what it leaves of the input unread, in words ('' when it reads every position)."
)


def loss(n: int, sol: Solution) -> str:
    """What a window setting leaves of an input of n positions unread, in words; "" when it reads
    every position. Away from the edges a position p is read when (p + pad_before) mod s is one
    of the window's offsets j·d mod s (j < k); near the edges, where windows are missing, each
    position is looked up among the windows that exist."""
    k, s, d = sol.kernel, sol.stride, sol.dilation
    before, after = sol.padding
    span = effective_kernel(k, d)
    count = out_size(n, k, s, sol.padding, d, sol.ceil_mode)
    if count < 1:
        return ""

    def read(p: int) -> bool:
        for j in range(k):
            start = p - j * d + before  # the window's start, counted from the padded input's first position
            if start >= 0 and start % s == 0 and start // s < count:
                return True
        return False

    edge = span + s  # the positions near either end, looked up one by one
    interior = range(edge, n - edge)
    if len(interior) and len({j * d % s for j in range(k)}) < s:
        return "skips input between windows"
    unread = [p for p in (*range(min(n, edge)), *range(max(edge, n - edge), n)) if not read(p)]
    if not unread:
        return ""
    last_read = next((p for p in range(n - 1, -1, -1) if read(p)), -1)
    if unread == list(range(last_read + 1, n)):  # only the end: what the floor's division drops
        dropped = n - 1 - last_read
        return f"the floor drops the last {dropped} input position{'s' if dropped != 1 else ''}"
    return "skips input between windows"


def _order(sol: Solution):
    # every input position read first; then symmetric padding, the least padding, the smallest kernel
    before, after = sol.padding
    return (
        bool(sol.loss),
        before != after,
        before + after,
        sol.kernel,
        sol.stride,
        sol.dilation,
        sol.ceil_mode,
        sol.output_padding,
    )


def _range(fixed, high, low=1):
    return [fixed] if fixed is not None else range(low, high + 1)


def solutions(
    n: int, wanted: int, kernel=None, stride=None, dilation=None, padding=None, mode: str = "conv"
) -> list[Solution]:
    """Every (kernel ≤ 11, stride ≤ 4, dilation ≤ 4, padding ≤ kernel per side) that gives
    exactly `wanted` from `n`, best first. mode: conv, pool (floor and ceil mode, PyTorch's
    padding ≤ ⌊k/2⌋) or transpose. A fixed value narrows the search to it."""
    found = [sol for size, sol in _settings(n, kernel, stride, dilation, padding, mode) if size == wanted]
    if mode != "transpose":
        found = [sol._replace(loss=loss(n, sol)) for sol in found]
    return sorted(found, key=_order)


def nearest(
    n: int, wanted: int, kernel=None, stride=None, dilation=None, padding=None, mode: str = "conv"
) -> list[tuple[int, Solution]]:
    """When nothing reaches `wanted`: the closest sizes that something reaches, below and above,
    each with its best combination."""
    best: dict[int, Solution] = {}
    for size, sol in _settings(n, kernel, stride, dilation, padding, mode):
        if size not in best or _order(sol) < _order(best[size]):
            best[size] = sol
    below = [t for t in best if t < wanted]
    above = [t for t in best if t > wanted]
    return [(t, best[t]) for t in ([max(below)] if below else []) + ([min(above)] if above else [])]


def _settings(n, kernel, stride, dilation, padding, mode):
    """(output size, Solution) for every setting within the bounds (and the fixed values)."""
    for k in _range(kernel, MAX_SOLVE_KERNEL):
        for d in _range(dilation, MAX_SOLVE_DILATION if k > 1 else 1):
            for s in _range(stride, MAX_SOLVE_STRIDE):
                limit = pool_padding_limit(k) if mode == "pool" else k
                if padding is not None and padding > limit:
                    continue  # the bound holds for a fixed padding too
                pads = (
                    [(padding, padding)]
                    if padding is not None
                    else [(a, b) for a in range(limit + 1) for b in range(limit + 1)]
                )
                for pad in pads:
                    yield from _outputs(n, k, s, d, pad, mode)


def _outputs(n, k, s, d, pad, mode):
    if mode == "transpose":
        for op in range(max(s, d)):  # PyTorch: output_padding < max(stride, dilation)
            o = (n - 1) * s - pad[0] - pad[1] + d * (k - 1) + op + 1
            if o >= 1:
                yield (
                    o,
                    Solution(
                        k, s, d, pad, False, op, f"({n} − 1)·{s} − {pad[0]} − {pad[1]} + {d}·({k} − 1) + {op} + 1 = {o}"
                    ),
                )
        return
    if n + pad[0] + pad[1] < effective_kernel(k, d):
        return
    floor = out_size(n, k, s, pad, d, False)
    yield floor, Solution(k, s, d, pad, False, 0, out_size_formula(n, k, s, pad, d, False))
    if mode == "pool":
        ceil = out_size(n, k, s, pad, d, True)
        if ceil != floor:  # the same as floor mode is listed once
            yield ceil, Solution(k, s, d, pad, True, 0, out_size_formula(n, k, s, pad, d, True))


def adaptive(n: int, wanted: int) -> tuple[int, int, bool, list]:
    """Adaptive pooling n -> wanted: the stride ⌊n/t⌋ and window n − (t − 1)·s of the course
    formula, whether PyTorch's windows [⌊i·n/t⌋, ⌈(i+1)·n/t⌉) are exactly those, and its first
    windows (at most 13: the rest follow)."""
    from .kinds import AdaptivePool

    s = n // wanted
    f = n - (wanted - 1) * s
    windows = [(i * n // wanted, -(-(i + 1) * n // wanted)) for i in range(min(wanted, 13))]
    return s, f, AdaptivePool.fixed(n, wanted), windows

"""Brute-force oracles, shared by the tests: they never use the closed formulas they check."""

from __future__ import annotations


def oracle_windows(n, k, s, pad, d, ceil_mode):
    """Start positions of the sliding windows on an input of n positions (0 … n−1).

    Padding adds positions −pad_before … −1 and n … n−1+pad_after. The window starting
    at p covers p, p+d, …, p+d·(k−1), so its last position is p + d·(k−1); starts are
    p = −pad_before + i·s for i = 0, 1, 2, …

    Floor mode (convolution, and pooling by default): a window counts when it lies wholly
    inside the padded input [−pad_before, n−1+pad_after].

    Ceil mode (PyTorch pooling, `ceil_mode=True`): the output size rounds the division up,
    so one more, partial window is allowed that runs past the right padding, as long as it
    overhangs by less than one stride (that is what rounding the span up to the next
    multiple of s means) — and, by PyTorch's documented rule, "sliding windows are allowed
    to go off-bounds if they start within the left padding or the input. Sliding windows
    that would start in the right padded region are ignored": a window must start at p < n.
    PyTorch only allows pooling padding up to half the effective kernel, which is what
    the tests use in ceil mode (so no full window can start in the right padding either).
    """
    right = n - 1 + pad[1]  # last padded position
    slack = s - 1 if ceil_mode else 0  # how far a partial window may run past it
    starts = []
    i = 0
    while True:
        p = -pad[0] + i * s
        last = p + d * (k - 1)
        if last > right + slack:
            break
        if not ceil_mode or p < n:
            starts.append(p)
        i += 1
    return starts


def oracle_count(n, k, s, pad, d, ceil_mode):
    return len(oracle_windows(n, k, s, pad, d, ceil_mode))

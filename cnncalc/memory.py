"""Memory through the graph: the peak of an inference and an estimate for training.
Pure arithmetic on a report's rows (their output sizes and the names of their inputs);
standard library only.

The inference model, one rule each:
- the layers run in the file's order; the input is there from the start;
- a layer's output is allocated when it runs and freed after its last consumer runs
  (so a merge keeps its branches' outputs alive until it runs, and a shortcut its input);
- the network's outputs (the declared ones, and the layers nobody consumes) stay to the end;
- with in-place activations, a kind that declares in_place (the activations: relu and the
  others) whose input has no later consumer overwrites that input instead of allocating, as
  frameworks do.
"""

from __future__ import annotations

from collections import namedtuple

from .kinds import KINDS
from .units import DTYPE_BYTES

Peak = namedtuple("Peak", "elements layer alive")
Peak.__doc__ = "The peak: elements alive at once (batch excluded), the layer running then, and what is alive."
OPTIMIZER_COPIES = {"sgd": 0, "momentum": 1, "adam": 2}  # extra copies of the params an optimizer keeps


def _run(layers, in_place: bool, stop: int | None = None, kept=()):
    """Run the layers in order, yielding (step, elements alive, the alive buffers) after each
    layer has allocated its output; `stop`: the last step to run; kept: outputs kept to the end."""
    end = len(layers)
    last_use = {}
    for i, row in enumerate(layers):
        for name in row.inputs:
            last_use[name] = i
    for name in kept:
        last_use[name] = end
    alive: dict[str, int] = {}  # buffer -> elements
    owner: dict[str, str] = {}  # a layer's output -> the buffer it lives in
    until: dict[str, int] = {}  # buffer -> the last step that reads it (end: kept to the end)
    current = 0
    for i, row in enumerate(layers[: None if stop is None else stop + 1]):
        needed = last_use.get(row.name, end)
        source = owner.get(row.inputs[0], "") if row.inputs else ""  # "": no input buffer
        if (
            in_place
            and row.kind in KINDS
            and KINDS[row.kind].in_place
            and len(row.inputs) == 1
            and until.get(source) == i
        ):
            owner[row.name] = source  # overwrite the input: its buffer lives on as this output
            until[source] = needed
        else:
            owner[row.name] = row.name
            alive[row.name] = row.activation_size
            until[row.name] = needed
            current += row.activation_size
        yield i, current, alive
        for name in set(row.inputs):
            buffer = owner[name]
            if until.get(buffer) == i and buffer in alive:
                current -= alive.pop(buffer)


def peak(layers, in_place: bool = False, kept=()) -> Peak:
    """The most elements alive at once while the layers run in order. Linear in the layers:
    the first run finds the step, a second run up to it lists what is alive then (copying the
    alive set at every new peak would be quadratic when outputs pile up)."""
    best, step = 0, None
    for i, current, _ in _run(layers, in_place, kept=kept):
        if current > best:
            best, step = current, i
    if step is None:
        return Peak(0, "", ())
    alive = next(tuple(alive) for i, _, alive in _run(layers, in_place, step, kept) if i == step)
    return Peak(best, layers[step].name, alive)


def training_bytes(
    activation_elements: int, params: int, batch: int, activation_bytes: int, param_bytes: int, optimizer: str = "sgd"
) -> dict:
    """A training step's memory, its parts and their sum: every activation kept for backward,
    the params, their gradients and the optimizer's state (0, 1 or 2 copies of the params)."""
    parts = {
        "activations": activation_elements * batch * activation_bytes,
        "params": params * param_bytes,
        "gradients": params * param_bytes,
        "optimizer_state": OPTIMIZER_COPIES[optimizer] * params * param_bytes,
    }
    return {**parts, "total": sum(parts.values())}


# --- arithmetic intensity and a roofline bound -------------------------------------------------

Roofline = namedtuple("Roofline", "peak_flops bandwidth")
Roofline.__doc__ = "A machine for the roofline bound: peak FLOP/s and memory bandwidth in bytes/s."


def bytes_moved(row, input_sizes, batch: int, element: int, param_bytes: int) -> int:
    """What a layer reads and writes at least once: its inputs and output (× batch) at the
    activation dtype, and its weights (trainable or not) at the parameter dtype."""
    return (sum(input_sizes) + row.activation_size) * batch * element + (
        row.params + row.non_trainable_params
    ) * param_bytes


def parse_roofline(text: str) -> Roofline:
    """'312T,2TB/s' -> 312·10^12 FLOP/s and 2·10^12 bytes/s: FLOP/s in K, M, G, T, P (powers of
    1000); bandwidth in B/s, KB/s … PB/s (1000) or KiB/s … PiB/s (1024)."""
    from .errors import CnnCalcError, shown
    from .units import parse_rates

    rates = parse_rates(text)
    if rates is None:
        raise CnnCalcError(
            f"--roofline is PEAK_FLOPS,BANDWIDTH like 312T,2TB/s (FLOP/s in K, M, G, T, P; "
            f"bandwidth in B/s, KB/s … PB/s or KiB/s … PiB/s), but saw {shown(text)}",
            "--roofline",
        )
    if min(rates) <= 0:
        raise CnnCalcError("--roofline needs a peak and a bandwidth above 0", "--roofline")
    return Roofline(*rates)


def roofline_time(flops: int, moved: int, machine: Roofline) -> tuple[float, str]:
    """The roofline's lower bound on a layer's time, max(FLOPs/peak, bytes/bandwidth), and which
    side bounds it. A bound, not a prediction: real kernels are slower."""
    compute, memory = flops / machine.peak_flops, moved / machine.bandwidth
    return max(compute, memory), "compute" if compute >= memory else "memory"


def traffic(report) -> list:
    """Per layer of a report: (bytes moved, arithmetic intensity in FLOPs per byte, and with a
    roofline machine its time bound and bound side), at the report's batch and dtypes."""
    sizes = {row.name: row.activation_size for row in report.layers}
    element, param = DTYPE_BYTES[report.dtype], DTYPE_BYTES[report.param_dtype or report.dtype]
    rows = []
    for row in report.layers:
        moved = bytes_moved(row, [sizes[i] for i in row.inputs], report.batch, element, param)
        flops = row.flops * report.batch
        bound = roofline_time(flops, moved, report.roofline) if report.roofline else (None, None)
        rows.append((moved, flops / moved if moved else 0.0, *bound))
    return rows


def memory_figures(report) -> dict:
    """A report's parameter memory, the peak of an inference (without and with in-place
    activations) and a training estimate, in bytes."""
    element, param = DTYPE_BYTES[report.dtype] * report.batch, DTYPE_BYTES[report.param_dtype or report.dtype]
    kept = {o.node for o in report.outputs}  # declared outputs stay to the end
    top, top_in_place = peak(report.layers, kept=kept), peak(report.layers, in_place=True, kept=kept)
    return {
        "param_bytes": report.totals.params * param,
        "peak_activation_bytes": top.elements * element,
        "peak_layer": top.layer,
        "peak_alive": list(top.alive),
        "peak_activation_bytes_in_place": top_in_place.elements * element,
        "training": {
            "optimizer": report.optimizer,
            **training_bytes(
                report.totals.activation_size,
                report.totals.params,
                report.batch,
                DTYPE_BYTES[report.dtype],
                param,
                report.optimizer,
            ),
        },
    }


def roofline_summary(report) -> tuple[float, int, int]:
    """The roofline's lower bound on a batch (the sum of the layers' bounds, in seconds), how
    many layers are memory-bound, and of how many."""
    rows = traffic(report)
    return sum(t[2] for t in rows), sum(1 for t in rows if t[3] == "memory" and t[2]), len(rows)

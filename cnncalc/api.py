"""The Python API. The CLI is a thin layer over these functions, so a user of the API
gets exactly the numbers the CLI prints."""

from __future__ import annotations

import functools
import gc
import math
import os

from .errors import CnnCalcError, shown
from .expand import Network, build
from .layout import DISPLAY_LAYOUTS, display_layout, to_channels_first
from .limits import MAX_NUMBER_DIGITS, MAX_SIZE
from .report import Report
from .sources.library import builtins, read_source


def _gc_paused(fn):
    """Run fn with the cyclic garbage collector paused (reference counting frees as usual).
    Reading and analyzing a network allocates many objects that all stay alive to the end, so
    the collector's passes over them find nothing to free; at 10,000 layers they cost a fifth
    of the time, and more as the network grows."""

    @functools.wraps(fn)
    def paused(*args, **kwargs):
        if not gc.isenabled():
            return fn(*args, **kwargs)
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            gc.enable()

    return paused


@_gc_paused
def load(source, params: dict | None = None) -> Network:
    """Read and expand a network (a built-in name or a YAML path) into a graph."""
    from .sources.yaml_text import load_yaml

    label, text, variant = read_source(source)
    base = os.path.basename(label)
    dot = base.rfind(".")
    stem = base[:dot] if 0 < dot < len(base) - 1 else base  # as pathlib's stem: net. stays net.
    return build(load_yaml(text, label), label, params, default_name=stem, variant=variant)


@_gc_paused
def loads(text: str, params: dict | None = None, file: str = "<string>") -> Network:
    """Expand a network given as YAML text (str, or UTF-8 bytes)."""
    from .sources.yaml_text import decode, load_yaml

    file = file if isinstance(file, str) else shown(file)
    if isinstance(text, (bytes, bytearray)):
        text = decode(bytes(text), file)
    return build(load_yaml(text, file), file, params)


def parse_shape(text) -> tuple[int, ...]:
    """'224x224x3' (also 224,224,3 or 224×224×3, or a tuple of ints) -> (224, 224, 3)."""
    from .layout import sizes_of

    shape = sizes_of(text, 1, MAX_SIZE, MAX_NUMBER_DIGITS)
    if shape is None:
        raise CnnCalcError(
            f"a shape is sizes from 1 to {MAX_SIZE:,} joined by x, like 224x224x3, but saw {shown(text)}", "--input"
        )
    return shape


def input_override(net: Network, shape, layout: str = "hwc") -> tuple[int, ...]:
    """An --input value in the display layout -> a channels-first input shape.

    Full shape (224x224x3 in hwc, 3x224x224 in chw); spatial sizes only (160x160), keeping
    the channels; or one size for every spatial dimension (160)."""
    shape = parse_shape(shape)
    rank = len(net.input_shape) - 1
    if len(shape) == rank + 1:
        if not rank:
            return shape
        first = to_channels_first(shape, layout)
        channels = net.input_shape[0]
        mirror = "chw" if layout == "hwc" else "hwc"
        if first[0] != channels and to_channels_first(shape, mirror)[0] == channels:
            raise CnnCalcError(
                f"{'x'.join(map(str, shape))} read in {layout} order has {first[0]} channels where "
                f"{net.name} has {channels}; did you mean --layout {mirror}?",
                "--input",
            )
        return first
    if rank and len(shape) in (1, rank):
        spatial = shape * rank if len(shape) == 1 else shape
        return (net.input_shape[0], *spatial)
    raise CnnCalcError(
        f"{net.name} takes a {rank + 1}-D input ({net.layout}); give all {rank + 1} "
        f"sizes in {layout} order, or the {rank} spatial sizes, but saw "
        f"{'x'.join(map(str, shape))}",
        "--input",
    )


@_gc_paused
def analyze(
    source,
    *,
    input=None,
    layout: str | None = None,
    batch: int = 1,
    dtype: str = "float32",
    params: dict | None = None,
    explain=False,
    param_dtype: str | None = None,
    optimizer: str = "sgd",
    roofline=None,
    convention: str = "ours",
) -> Report:
    """Analyze a network: a built-in name, a YAML path, or a Network from load()/loads().

    explain: True for every layer's worked arithmetic (LayerReport.steps), or the names of the
    layers to explain (an unknown name is an error naming the closest); convention: count MACs
    as cnncalc does ('ours', the papers' count), or as 'torchinfo' or 'fvcore' does.

    >>> analyze("vgg16").totals.params
    138357544
    """
    from .conventions import CONVENTIONS
    from .engine import run

    if convention not in CONVENTIONS:
        raise CnnCalcError(
            f"convention must be one of {', '.join(CONVENTIONS)}, but saw {shown(convention)}", "--convention"
        )
    names = () if isinstance(explain, bool) else tuple(explain)
    if not all(isinstance(name, str) for name in names):
        raise CnnCalcError(f"explain is true, false or layer names, but saw {shown(explain)}", "--layer")

    if layout is not None and layout not in DISPLAY_LAYOUTS:
        raise CnnCalcError(f"layout must be one of {', '.join(DISPLAY_LAYOUTS)}, but saw {shown(layout)}", "--layout")
    if isinstance(source, Network):
        net = build(source.doc, source.file, params, source.name, source.variant) if params else source
    else:
        net = load(source, params)
    layout = layout or display_layout(net.layout)  # --input is read in the file's own order
    shape = input_override(net, input, layout) if input is not None else None
    if isinstance(roofline, str):
        from .memory import parse_roofline

        roofline = parse_roofline(roofline)
    report = run(
        net, shape, batch, dtype, explain=bool(explain), param_dtype=param_dtype, optimizer=optimizer, roofline=roofline
    )
    if names:
        chosen = set(report.select(names))
        report = report._replace(
            layers=tuple(row if row.name in chosen else row._replace(steps=()) for row in report.layers)
        )
    return counted_as(report, convention)


def counted_as(report: Report, convention: str) -> Report:
    """The report with each layer's MACs counted under `convention` (FLOPs stay 2 × MACs), its
    totals and outputs summed again, and ours kept beside the peers' (Report.conventions)."""
    from .engine import output_totals
    from .report import Totals

    if convention == "ours":
        return report
    peers = {"ours": [row.macs for row in report.layers], **report.conventions()}
    layers = tuple(row._replace(macs=macs) for row, macs in zip(report.layers, peers[convention]))
    totals = Totals.of(layers)
    outputs = output_totals(layers, [(o.name, o.node) for o in report.outputs], totals)
    return report._replace(layers=layers, totals=totals, peer_counts=peers, outputs=outputs, convention=convention)


def builtin_listing(layout: str | None = None):
    """The built-in architectures with their input shape, params, MACs and source."""
    from .layout import in_layout
    from .report import Listing

    records = []
    for name in builtins():
        report = analyze(name)
        shown_in = layout or display_layout(report.layout)
        records.append(
            {
                "name": name,
                "input_shape": in_layout(report.input_shape, shown_in),
                "params": report.totals.params,
                "macs": report.totals.macs,
                "source": report.source,
            }
        )
    return Listing(
        "built-in architectures",
        "architectures",
        (
            ("name", "name", "text"),
            ("input_shape", "input", "shape"),
            ("params", "params", "count"),
            ("macs", "MACs", "count"),
            ("source", "source", "text"),
        ),
        records,
        detail=("source",),
        note="A bare name is always a built-in, even where a file or folder of that name exists; "
        "a file is named with a / or a .yaml ending (./vgg16, net.yaml).",
    )


def kind_listing():
    """The layer kinds with their options (defaults shown) and what they do, from the
    registry; kinds that share options and description (the activations) share a row."""
    from .kinds import KINDS, REQUIRED
    from .report import Listing

    def option_text(name, opt):
        if opt.default is REQUIRED or opt.default is None:
            return name
        default = str(opt.default).lower() if isinstance(opt.default, bool) else opt.default
        return f"{name} {default}"

    rows: dict[tuple, list[str]] = {}
    for name, kind in KINDS.items():
        if name == "input":
            continue
        options = [option_text(k, opt) for k, opt in kind.options.items()] + (["branches"] if kind.merge else [])
        rows.setdefault((", ".join(options) or "—", kind.help), []).append(name)
    records = [
        {"kinds": ", ".join(names), "options": options, "description": help_text}
        for (options, help_text), names in rows.items()
    ]
    return Listing(
        "layer kinds",
        "kinds",
        (("kinds", "kind", "text"), ("options", "options (defaults)", "text"), ("description", "description", "text")),
        records,
        wrap=("kinds", "options", "description"),
    )


def one_layer(kind: str, inputs, options: dict, layout: str | None = None, explain: bool = True):
    """One layer alone: its kind, its input shape(s) in `layout` order (several for a merge),
    and its options as a file would give them -> (LayerReport, channels-first inputs, layout).

    The options go through the same checks as a network file's, and the numbers through the
    same rules (engine.layer_row), so `cnncalc layer` agrees with `cnncalc summary`."""
    from .engine import layer_row
    from .errors import Loc
    from .kinds import KINDS
    from .layout import LAYOUTS, channels_last, layout_of_rank
    from .sources.document import check_kind
    from .sources.options import check_options

    spec_kind = check_kind(kind, KINDS, (), "layer", list_all=True)
    inputs = [
        parse_shape(shape)
        for shape in (
            inputs if isinstance(inputs, (list, tuple)) and inputs and not isinstance(inputs[0], int) else [inputs]
        )
    ]
    rank = len(inputs[0])
    default = layout_of_rank(rank - 1)
    layout = (layout or default).upper()
    if layout in ("HWC", "CHW") and rank != 3:  # the display names: channels last or first
        layout = layout_of_rank(rank - 1, last=layout == "HWC")
    if LAYOUTS.get(layout, -1) != rank - 1 or any(len(x) != rank for x in inputs):
        raise CnnCalcError(
            f"--input must have as many sizes as the layout {layout} has letters, "
            f"but saw {' and '.join('x'.join(map(str, x)) for x in inputs)}",
            "--input",
        )
    if len(inputs) > 1 and not spec_kind.merge:
        raise CnnCalcError(f"{kind} takes one input, but saw {len(inputs)}", "--input")
    if spec_kind.merge and len(inputs) < 2:
        raise CnnCalcError(f"{kind} joins branches: give two --input or more", "--input")
    xs = [to_channels_first(x, layout) if channels_last(layout) else x for x in inputs]

    def flag(key):
        return "--" + key.replace("_", "-")

    attrs = check_options(kind, spec_kind.options, options, lambda k: Loc(flag(k)), Loc("layer"), spell=flag)
    if spec_kind.merge:
        attrs["_branches"] = tuple(f"input{i + 1}" for i in range(len(xs)))
    if spec_kind.layout_aware:
        attrs["_channels_last"] = channels_last(layout)
    if kind == "dense" and attrs["over"] == "all" and len(xs[0]) > 1:
        # a file would flatten first; a layer alone takes the flattened size as its input
        sizes = "·".join(map(str, inputs[0]))
        raise CnnCalcError(
            f"dense needs a flat input, but saw {'x'.join(map(str, inputs[0]))}; give the flattened input, "
            f"--input {math.prod(inputs[0])} ({sizes}), or apply it at every position with --over channels",
            "--input",
        )
    return layer_row(kind, attrs, xs, explain=explain), xs, layout


def comparison(operands, layout: str | None = None, dtype: str = "float32"):
    """Networks side by side (compare): each operand a NAME[settings]; ratios to the first."""
    from .layout import display_layout, in_layout
    from .report import Listing
    from .settings import parse_operand

    records, first = [], None
    for operand in operands:
        name, params, shape = parse_operand(operand)
        try:
            report = analyze(name, params=params or None, input=shape, layout=layout, dtype=dtype)
        except CnnCalcError as e:
            if e.where in ("--set", "--input"):  # a setting in the brackets: name them, not an option
                raise CnnCalcError(e.message, f"in {shown(str(operand).strip())}") from None
            raise
        memory = report.memory()
        record = {
            "network": str(operand).strip(),
            "input_shape": in_layout(report.input_shape, layout or display_layout(report.layout)),
            "params": report.totals.params,
            "macs": report.totals.macs,
            "flops": report.totals.flops,
            "activation_bytes": report.activation_bytes,
            "peak_bytes": memory["peak_activation_bytes"],
        }
        first = first or record
        for key in ("params", "macs"):
            record[f"{key}_ratio"] = _ratio(record[key], first[key])
        records.append(record)
    return Listing(
        "comparison",
        "networks",
        (
            ("network", "network", "text"),
            ("input_shape", "input", "shape"),
            ("params", "params", "count"),
            ("params_ratio", "params ×", "value"),
            ("macs", "MACs", "count"),
            ("macs_ratio", "MACs ×", "value"),
            ("flops", "FLOPs", "count"),
            ("activation_bytes", "activations (B)", "bytes"),
            ("peak_bytes", "peak (B)", "bytes"),
        ),
        records,
        note=_ratio_note(records),
        optional=("flops", "activation_bytes", "peak_bytes", "macs_ratio", "params_ratio"),
    )


def _ratio_note(records) -> str:
    """What the ratios are to, read with the table's first fraction: '1/32.7 is 32.7 times fewer'."""
    if not records:
        return ""
    fraction = next(
        (r[key] for r in records for key in ("params_ratio", "macs_ratio") if r[key].startswith("1/")), None
    )
    how = f": {fraction} is {fraction[2:]} times fewer" if fraction else ""
    return f"Ratios are to the first network, {records[0]['network']}{how}."


def _ratio(value: int, reference: int) -> str:
    if not reference or not value:
        return "—"
    return f"{value / reference:.2f}" if value >= reference else f"1/{reference / value:.1f}"


def sweep(source, grid: dict, inputs=(), layout: str | None = None, dtype: str = "float32"):
    """Every combination of the values of network parameters (and inputs): params, MACs, memory.
    grid: {parameter: [values]}; inputs: shapes. At most MAX_SWEEP_PARAMS parameters of
    MAX_SWEEP_VALUES values each, as many inputs, and MAX_SWEEP combinations in all."""
    import itertools

    from .layout import display_layout, in_layout
    from .limits import MAX_SWEEP, MAX_SWEEP_PARAMS, MAX_SWEEP_VALUES
    from .report import Listing

    if not isinstance(grid, dict) or not all(isinstance(v, (list, tuple)) for v in grid.values()):
        raise CnnCalcError(f"a sweep's grid is {{parameter: [values]}}, but saw {shown(grid)}", "--set")
    inputs = list(inputs)
    if (
        len(grid) > MAX_SWEEP_PARAMS
        or any(len(v) > MAX_SWEEP_VALUES for v in grid.values())
        or len(inputs) > MAX_SWEEP_VALUES
    ):
        raise CnnCalcError(
            f"a sweep takes at most {MAX_SWEEP_PARAMS} parameters and {MAX_SWEEP_VALUES} values each", "--set"
        )
    combinations = math.prod(len(v) for v in grid.values()) * max(len(inputs), 1)
    if combinations > MAX_SWEEP:
        raise CnnCalcError(
            f"a sweep computes at most {MAX_SWEEP:,} combinations of values and inputs, "
            f"but this one has {combinations:,}",
            "--set",
        )
    keys = list(grid)
    records = []
    for values in itertools.product(*(grid[k] for k in keys)):
        for shape in list(inputs) or [None]:
            params = dict(zip(keys, values))
            report = analyze(source, params=params or None, input=shape, layout=layout, dtype=dtype)
            records.append(
                {
                    **dict(params.items()),
                    "input_shape": in_layout(report.input_shape, layout or display_layout(report.layout)),
                    "params": report.totals.params,
                    "macs": report.totals.macs,
                    "activation_bytes": report.activation_bytes,
                    "peak_bytes": report.memory()["peak_activation_bytes"],
                }
            )
    columns = [(k, k, "text") for k in keys] + [
        ("input_shape", "input", "shape"),
        ("params", "params", "count"),
        ("macs", "MACs", "count"),
        ("activation_bytes", "activations (B)", "bytes"),
        ("peak_bytes", "peak (B)", "bytes"),
    ]
    return Listing(f"sweep of {source}", "grid", columns, records, optional=("activation_bytes", "peak_bytes"))


def solve(n: int, wanted: int, mode: str = "conv", kernel=None, stride=None, dilation=None, padding=None):
    """The settings that take size n to size `wanted` (see cnncalc.solve): mode conv, pool,
    transpose or adaptive; kernel, stride, dilation, padding fix one each. A Solved record:
    its solutions best first, or the nearest sizes reached when none is; for adaptive pooling,
    (stride, window, exact, PyTorch's windows). Sizes from 1 to MAX_SOLVE_SIZE, as the CLI takes."""
    from . import solve as solver
    from .limits import MAX_SOLVE_DILATION, MAX_SOLVE_KERNEL, MAX_SOLVE_SIZE, MAX_SOLVE_STRIDE

    for what, value, high in (
        ("--input", n, MAX_SOLVE_SIZE),
        ("--output", wanted, MAX_SOLVE_SIZE),
        ("--kernel", kernel, MAX_SOLVE_KERNEL),
        ("--stride", stride, MAX_SOLVE_STRIDE),
        ("--dilation", dilation, MAX_SOLVE_DILATION),
        ("--padding", padding, MAX_SOLVE_KERNEL),
    ):
        low = 0 if what == "--padding" else 1
        if (value is not None or what in ("--input", "--output")) and (
            not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high
        ):
            raise CnnCalcError(
                f"{what[2:]} must be a whole number from {low} to {high:,}, but saw {shown(value)}", what
            )
    if mode not in ("conv", "pool", "transpose", "adaptive"):
        raise CnnCalcError(f"mode must be one of conv, pool, transpose, adaptive, but saw {shown(mode)}")
    if mode == "adaptive":
        return solver.Solved(n, wanted, mode, adaptive=solver.adaptive(n, wanted))
    fixed = {"kernel": kernel, "stride": stride, "dilation": dilation, "padding": padding}
    found = solver.solutions(n, wanted, mode=mode, **fixed)
    return solver.Solved(
        n, wanted, mode, solutions=found, nearest=() if found else solver.nearest(n, wanted, mode=mode, **fixed)
    )

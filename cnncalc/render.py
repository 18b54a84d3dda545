"""Renderers: a Report in, text out. They format; they never compute a count.
rich is imported only by the table renderer."""

from __future__ import annotations

from .errors import NOTE_CODES, is_note, printable
from .layout import display_layout, layout_name, shape_text
from .limits import MAX_TABLE_ROWS
from .report import SCHEMA_VERSION, Listing, Report, collapse, group_totals
from .units import DTYPE_BYTES, human, human_bytes

FORMATS = ("table", "json", "csv", "markdown")
_EIGHTHS = " ▏▎▍▌▋▊▉█"


def bar(fraction: float, width: int = 10) -> str:
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    return ("█" * (eighths // 8) + (_EIGHTHS[eighths % 8] if eighths % 8 else "")).ljust(width)


def one_line(text) -> str:
    """A user's name as one line of a table or heading: the line breaks and tabs that YAML text
    may hold (the only controls it may) shown as ↵ and ⇥ (errors.printable), so that a row stays
    one line, its width is what it shows, and `a⇥b` is not mistaken for `a b`."""
    return printable(str(text))


def summary_lines(report: Report, layout: str = "hwc") -> list[str]:
    t = report.totals
    lines = [f"Params: {t.params:,} (weights {t.weights:,} + biases {t.biases:,})"]
    if t.non_trainable_params:
        lines += [f"Total params: {t.params + t.non_trainable_params:,}",
                  f"Trainable params: {t.params:,}",
                  f"Non-trainable params: {t.non_trainable_params:,}"]
    whose = "" if report.convention == "ours" else f" (counted as {report.convention} counts them)"
    lines.append(f"MACs: {t.macs:,} ({human(t.macs)})   FLOPs: {t.flops:,} ({human(t.flops)}){whose}")
    if len(report.outputs) > 1:  # each output with what it depends on, a shared trunk in each
        lines += [f"Output {one_line(o.name)} ({shape_text(o.output_shape, layout)}): params {o.totals.params:,}, "
                  f"MACs {o.totals.macs:,} ({human(o.totals.macs)})" for o in report.outputs]
    lines.append(f"Activations: {t.activation_size:,} elements = {human_bytes(report.activation_bytes)} "
                 f"({report.dtype}, {DTYPE_BYTES[report.dtype]} bytes, batch {report.batch})")
    m = report.memory()
    lines.append(f"Memory: params {human_bytes(m['param_bytes'])} ({report.param_dtype or report.dtype}); "
                 f"training ~{human_bytes(m['training']['total'])} ({report.optimizer})")
    lines.append(f"Inference peak: {human_bytes(m['peak_activation_bytes'])} at {one_line(m['peak_layer'])}; "
                 f"{human_bytes(m['peak_activation_bytes_in_place'])} with in-place activations")
    if report.roofline:
        traffic = report.traffic()
        seconds = sum(t[2] for t in traffic)
        memory_bound = sum(1 for t in traffic if t[3] == "memory" and t[2])
        lines.append(f"Roofline: at least {seconds * 1000:.3f} ms a batch ({memory_bound} of {len(traffic)} layers "
                     f"memory-bound); a lower bound, not a prediction")
    return lines


def warning_lines(rows, notes: bool = False) -> list[str]:
    """The warnings of the rows, for people; notes (a floor that drops only padding) with notes=True."""
    return [w if w.startswith(row.name + ".") else f"{one_line(row.name)}: {w}"  # a folded block's name their layers
            for row in rows for w in row.warnings if notes or not is_note(w)]


# The table's columns, and the order in which they give way when the terminal is too narrow:
# the share bar first, then FLOPs (2 × MACs, also in the totals), then the activation size,
# then the layer label. Names, output shapes and params are never dropped, cut or wrapped.
COLUMNS = (("name", "left"), ("layer", "left"), ("output", "right"), ("activation", "right"),
           ("params", "right"), ("MACs", "right"), ("FLOPs", "right"), ("MAC share", "left"), ("RF", "right"))
DROP_ORDER = ("MAC share", "FLOPs", "activation", "RF", "layer")


def _fit(widths: dict, width: int | None, shown: list) -> list[str]:
    """The columns that fit in `width` characters (all of them when width is None), dropping
    them in DROP_ORDER. A column takes its widest cell, 1 of padding each side and 1 divider."""
    shown = list(shown)
    if width is None:
        return shown
    for name in DROP_ORDER:
        if name not in shown:
            continue
        if sum(widths[c] + 3 for c in shown) - 1 <= width:
            break
        shown.remove(name)
    return shown


def rf_text(field) -> str:
    """A receptive field in a cell: 212 s32 p90 (size, effective stride and padding), per
    dimension where the dimensions differ; — where it is undefined."""
    if field is None:
        return "—"
    parts = (field.size, field.jump, tuple(-s for s in field.start))
    return " ".join(prefix + ("×".join(map(str, v)) if len(set(v)) > 1 else str(v[0]))
                    for prefix, v in zip(("", "s", "p"), parts))


def render_table(report: Report, layout: str = "hwc", depth: int | None = None, width: int | None = None,
                 exact: bool = False, notes: bool = False, rf: bool = False):
    """A rich Table plus the totals and warnings below it, as one renderable group. width: the
    terminal's, to drop columns that do not fit (None keeps all: --wide); exact: every number
    in full (by default params are exact and the other counts human: 1.2M)."""
    from rich import box
    from rich.cells import cell_len
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    rows = collapse(report, depth)
    title = (f"{one_line(report.name)}  (input {shape_text(report.input_shape, layout)}, "
             f"{layout_name(report.layout, layout)})")
    if len(rows) > MAX_TABLE_ROWS:
        # rich lays out every row before printing: 100,000 rows take minutes and help no one
        return Group(Text(title), Text(
            f"{len(rows):,} rows are more than a table of {MAX_TABLE_ROWS:,} can usefully show: fold blocks "
            f"with --depth N, or use --format csv or json for every layer."),
            Text("\n".join(summary_lines(report, layout))))
    count = (lambda n: f"{n:,}") if exact else human
    total_macs = report.totals.macs or 1

    def cells(name, label, shape, totals, macs_share, field=None):
        return {"name": one_line(name), "layer": label, "output": shape_text(shape, layout),
                "activation": count(totals.activation_size), "params": f"{totals.params:,}",
                "MACs": count(totals.macs), "FLOPs": count(totals.flops), "MAC share": bar(macs_share),
                "RF": rf_text(field) if label else ""}

    # a header row for each block or branch of two or more rows, with its totals; a row under
    # headers shows its name after theirs (conv1 under layer1.bottleneck1), so names stay whole
    # without growing with the depth: the full names are in every machine format
    lines, groups, headers = [], group_totals(rows), []

    def relative(name):
        return name[len(headers[-1]) + 1:] if headers else name

    for row in rows:
        headers = [h for h in headers if row.name.startswith(h + ".")]
        for i in range(len(row.scope)):
            key = ".".join(row.scope[:i + 1])
            totals, last, members = groups[key]
            if members >= 2 and key not in headers and (not headers or key.startswith(headers[-1] + ".")):
                lines.append((cells("  " * len(headers) + relative(key), "", last.output_shape, totals,
                                    totals.macs / total_macs), "bold"))
                headers.append(key)
        lines.append((cells("  " * len(headers) + relative(row.name), row.label, row.output_shape, row,
                            row.macs / total_macs, row.field), None))
    t = report.totals
    footer = {"name": "total", "layer": "", "output": "", "activation": count(t.activation_size),
              "params": f"{t.params:,}", "MACs": count(t.macs), "FLOPs": count(t.flops),
              "MAC share": bar(1.0 if t.macs else 0.0), "RF": ""}
    widths = {name: max([cell_len(name), cell_len(footer[name])] + [cell_len(c[name]) for c, _ in lines])
              for name, _ in COLUMNS}
    requested = [name for name, _ in COLUMNS if rf or name != "RF"]
    shown = _fit(widths, width, requested)
    # names, labels and the title are the user's text: Text() shows them as they are, where a
    # plain string would be read as rich markup ([/x] would raise, [bold] would vanish)
    table = Table(title=Text(title), show_footer=True, title_justify="left", box=box.SIMPLE_HEAD,
                  show_edge=False, pad_edge=False)
    for name, justify in COLUMNS:
        if name in shown:
            table.add_column(name, justify=justify, footer=footer[name], no_wrap=True)
    # one row whose cells hold every line: rich lays out and justifies each line of a cell as it
    # would a row of its own, at a small part of the cost of 200 cells (a bold row is bold text;
    # names are one_line, as a line break in one would split its row)
    start_of = dict.fromkeys(shown, 0)
    columns = {name: Text("\n".join(c[name] for c, _ in lines)) for name in shown}
    for c, style in lines:
        for name in shown:
            if style:
                columns[name].stylize(style, start_of[name], start_of[name] + len(c[name]))
            start_of[name] += len(c[name]) + 1
    if lines:
        table.add_row(*columns.values())
    parts = [table]
    hidden = [name for name in requested if name not in shown]
    if hidden:
        parts.append(Text(f"(hidden at {width} columns: {', '.join(hidden)}; --wide shows them)"))
    parts.append(Text("\n".join(summary_lines(report, layout))))
    warnings = warning_lines(rows, notes)
    if warnings:
        parts.append(Text("Warnings:\n" + "\n".join(f"  {w}" for w in warnings)))
    return Group(*parts)


def step_lines(row, indent: str = "  ") -> list[str]:
    """A layer's worked arithmetic, one line a step: `  output  ⌊…⌋ + 1 = 37   (H and W)`."""
    width = max((len(step.quantity) for step in row.steps), default=0)
    return [f"{indent}{step.quantity:<{width}}  {step.formula}" + (f"   ({step.dims})" if step.dims else "")
            for step in row.steps]


def explain_text(report: Report, layout: str = "hwc", names=None) -> str:
    """The worked arithmetic of every layer (or of the layers named), one block a layer."""
    blocks = []
    for row in report.layers:
        if names is None or row.name in names:
            head = f"{one_line(row.name)}  {row.label}  → {shape_text(row.output_shape, layout)}"
            notes = [f"  note: {w}" for w in row.warnings if is_note(w)]
            blocks.append("\n".join([head] + step_lines(row) + notes))
    return "\n\n".join(blocks) + "\n"


def layer_text(row, inputs, layout: str) -> str:
    """`cnncalc layer`: the layer's numbers, then its worked arithmetic."""
    display = display_layout(layout)
    shown = " and ".join(shape_text(x, display) for x in inputs)
    rf = "×".join(map(str, row.receptive_field)) if row.receptive_field is not None else "undefined"
    facts = [("output shape", shape_text(row.output_shape, display)),
             ("params", f"{row.params:,} (weights {row.weights:,} + biases {row.biases:,})"
              + (f", and {row.non_trainable_params:,} not trainable" if row.non_trainable_params else "")),
             ("MACs", f"{row.macs:,}"), ("FLOPs", f"{row.flops:,}"),
             ("activation size", f"{row.activation_size:,}"), ("receptive field", rf)]
    lines = [f"{row.label} on {shown} ({layout.upper()})"] + [f"  {k:<16} {v}" for k, v in facts]
    lines += [""] + step_lines(row) if row.steps else []
    lines += [f"warning: {w}" for w in row.warnings]
    return "\n".join(lines) + "\n"


def _answer(value) -> str:
    return "×".join(map(str, value)) if isinstance(value, tuple) else f"{value:,}"


def answer_lines(results) -> list[str]:
    """Every wrong answer with the arithmetic that gives the right one."""
    lines = []
    for r in results:
        if not r.ok:
            e = r.expectation
            where = f"{e.where.file}:{e.where.line}" if getattr(e.where, "line", None) else str(e.where)
            lines.append(f"{where}: {e.layer} {e.quantity}: expected {_answer(e.expected)}, "
                         f"computed {_answer(r.computed)}")
            lines += [f"  {step}" for step in r.arithmetic]
    return lines


def check_output(files, fmt: str = "text") -> str:
    """`cnncalc check` over many files: text (a line a file, then a count), json or github."""
    if fmt == "json":
        import json

        from .report import check_json

        return json.dumps(check_json(files), indent=2, ensure_ascii=False) + "\n"
    if fmt == "github":
        return "".join(_annotations(f) for f in files)
    lines = []
    for f in files:
        lines += answer_lines(f.answers)
        if f.status == "invalid":
            e = f.error
            where = ":".join(str(x) for x in (e["file"], e["line"]) if x) or f.source
            lines.append(f"{f.source}: invalid: {where}: " + (f"{e['path']}: " if e["path"] else "") + e["message"])
            continue
        wrong = sum(not r.ok for r in f.answers)
        what = [x.message for x in f.failures] + ([f"{wrong} wrong answer{'s' if wrong > 1 else ''}"] if wrong else [])
        checked = f", {len(f.answers)} answer{'s' if len(f.answers) != 1 else ''} checked" if f.answers else ""
        lines.append(f"{f.source}: {f.status}" + (f": {'; '.join(what)}" if what else checked))
    counts = {s: sum(f.status == s for f in files) for s in ("passed", "failed", "invalid", "skipped")}
    lines.append(f"{len(files)} file{'s' if len(files) != 1 else ''}: {counts['passed']} passed, "
                 f"{counts['failed']} failed, {counts['invalid']} invalid"
                 + (f", {counts['skipped']} skipped" if counts["skipped"] else ""))
    # a line each: a line break in a layer's or a file's name must not start a line of its own,
    # which a CI log would read as a workflow command (`::error …`), nor an escape reach the terminal
    return "\n".join(printable(line) for line in lines) + "\n"


def _annotations(f) -> str:
    """GitHub Actions workflow commands: an ::error or ::warning on the file (and line) at fault."""
    def escape(text):  # GitHub's escaping of a command's data and properties
        return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def prop(text):
        return escape(text).replace(":", "%3A").replace(",", "%2C")

    lines = []
    if f.status == "invalid":
        line = f",line={f.error['line']}" if f.error["line"] else ""
        lines.append(f"::error file={prop(f.error['file'] or f.source)}{line}::{escape(f.error['message'])}")
    for failure in f.failures:
        lines.append(f"::error file={prop(f.source)}::{escape(failure.message)}")
    for r in f.answers:
        if not r.ok:
            e, line = r.expectation, getattr(r.expectation.where, "line", None)
            lines.append(f"::error file={prop(getattr(e.where, 'file', f.source))}{f',line={line}' if line else ''}::"
                         f"{escape(f'{e.layer} {e.quantity}: expected {_answer(e.expected)}, computed {_answer(r.computed)}')}")
    strict = any(failure.code for failure in f.failures)  # --strict made the warnings errors, said above
    for layer, code, text in f.warnings:
        if code in NOTE_CODES or strict:
            continue
        lines.append(f"::warning file={prop(f.source)},title={prop(code)}::{escape(f'{layer}: {text}')}")
    return "".join(line + "\n" for line in lines)


def solve_text(n: int, wanted: int, mode: str, fixed: dict, show_all: bool = False, shown_steps: int = 3) -> str:
    """`cnncalc solve`: the combinations that reach the size, best first, the first few with
    their arithmetic; or, when none does, the nearest sizes that are reached."""
    from . import solve

    if mode == "adaptive":
        s, f, exact, windows = solve.adaptive(n, wanted)
        if exact:
            return (f"adaptive pooling {n} → {wanted}: s = ⌊{n}/{wanted}⌋ = {s}, f = {n} − ({wanted} − 1)·{s} = {f}"
                    f"\n(PyTorch's windows [⌊i·{n}/{wanted}⌋, ⌈(i+1)·{n}/{wanted}⌉) are exactly these: "
                    f"kernel {f}, stride {s})\n")
        sizes = sorted({b - a for a, b in windows})
        return (f"adaptive pooling {n} → {wanted}: no single kernel and stride; PyTorch's windows "
                f"[⌊i·{n}/{wanted}⌋, ⌈(i+1)·{n}/{wanted}⌉) have sizes {' and '.join(map(str, sizes))}: "
                f"{', '.join(f'[{a}, {b})' for a, b in windows[:12])}{', …' if len(windows) > 12 else ''}\n")
    found = solve.solutions(n, wanted, mode=mode, **fixed)
    what = {"conv": "convolution", "pool": "pooling", "transpose": "transposed convolution"}[mode]
    if not found:
        lines = [f"no {what} with kernel ≤ 11, stride ≤ 4, dilation ≤ 4 and padding ≤ kernel takes {n} to {wanted}"]
        for size, sol in solve.nearest(n, wanted, mode=mode, **fixed):
            lines.append(f"  nearest: {size}, with {_solution(sol, mode)}: {sol.formula}")
        return "\n".join(lines) + "\n"
    listed = found if show_all else found[:10]
    lines = [f"{len(found):,} {what} setting{'s' if len(found) != 1 else ''} take {n} to {wanted}"
             + ("" if show_all or len(found) <= 10 else "; the first 10 (--all for every one)") + ":"]
    for i, sol in enumerate(listed):
        lines.append(f"  {_solution(sol, mode)}" + (f"\n      {sol.formula}" if i < shown_steps else ""))
    return "\n".join(lines) + "\n"


def _solution(sol, mode: str) -> str:
    pad = f"{sol.padding[0]}" if sol.padding[0] == sol.padding[1] else f"[{sol.padding[0]}, {sol.padding[1]}]"
    text = f"kernel {sol.kernel}, stride {sol.stride}, padding {pad}"
    if sol.dilation != 1:
        text += f", dilation {sol.dilation}"
    if sol.ceil_mode:
        text += ", ceil_mode true"
    if mode == "transpose":
        text += f", output_padding {sol.output_padding}"
    return text


def render_json(report: Report, layout: str = "hwc", depth: int | None = None) -> str:
    return "".join(json_chunks(report, layout, depth))


def json_chunks(report: Report, layout: str = "hwc", depth: int | None = None):
    """The JSON text in pieces, one layer at a time, so that 100,000 layers never sit in memory
    as dicts at once. The head, totals and outputs are indented; each layer is one line, in
    json's compact C encoder (indenting them in pure Python took most of a large report's time).
    json.loads of the text equals report.to_dict(layout)."""
    import json

    def dumps(value):
        return json.dumps(value, indent=2, ensure_ascii=False)

    head = dumps(report.head_dict(layout))
    yield head[:-2] + ",\n  \"layers\": ["
    rows = report.layers if depth is None else collapse(report, depth)
    traffic = report.traffic() if depth is None else [None] * len(rows)
    peers = report.conventions() if depth is None else {}
    line = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    for i, layer in enumerate(rows):
        conventions = {name: values[i] for name, values in peers.items()}
        yield ("," if i else "") + "\n    " + line(report.layer_dict(layer, layout, traffic[i], conventions))
    yield ("\n  ]" if report.layers else "]") + ',\n  "totals": '
    yield dumps(report.totals_dict()).replace("\n", "\n  ") + ',\n  "outputs": '
    yield dumps(report.outputs_list(layout)).replace("\n", "\n  ") + "\n}\n"


CSV_COLUMNS = ("name", "kind", "label", "block", "output_shape", "activation_size", "params",
               "weights", "biases", "non_trainable_params", "macs", "flops", "warnings")


def render_csv(report: Report, layout: str = "hwc", depth: int | None = None) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in collapse(report, depth):
        writer.writerow([row.name, row.kind, row.label, ".".join(row.scope),
                         shape_text(row.output_shape, layout, "x"), row.activation_size, row.params,
                         row.weights, row.biases, row.non_trainable_params, row.macs, row.flops,
                         " | ".join(w for w in row.warnings if not is_note(w))])
    return out.getvalue()


def _cell(text: str) -> str:
    """Text for a Markdown table cell: a | would end the cell, a line break the row."""
    return one_line(text).replace("|", "\\|")


def render_markdown(report: Report, layout: str = "hwc", depth: int | None = None) -> str:
    rows = collapse(report, depth)
    t = report.totals
    lines = [f"## {one_line(report.name)} (input {shape_text(report.input_shape, layout)}, {layout_name(report.layout, layout)})", "",
             "| name | layer | output | activation size | params | MACs | FLOPs |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for row in rows:
        lines.append(f"| {_cell(row.name)} | {_cell(row.label)} | {shape_text(row.output_shape, layout)} | "
                     f"{row.activation_size:,} | {row.params:,} | {row.macs:,} | {row.flops:,} |")
    lines.append(f"| **total** | | | {t.activation_size:,} | {t.params:,} | {t.macs:,} | {t.flops:,} |")
    lines += [""] + summary_lines(report, layout)
    warnings = warning_lines(rows)
    if warnings:
        lines += ["", "Warnings:", ""] + [f"- {w}" for w in warnings]
    return "\n".join(lines) + "\n"


RENDERERS = {"json": render_json, "csv": render_csv, "markdown": render_markdown}


# --- listings: the built-ins, the layer kinds ------------------------------------------------

def _listed(value, kind: str) -> str:
    """A listed value as text: a shape (a list of sizes in JSON) reads 227x227x3."""
    return "x".join(map(str, value)) if kind == "shape" else str(value)


def render_listing(listing: Listing, fmt: str):
    """A Listing as a rich Table (fmt 'table') or as JSON, CSV or Markdown text."""
    if fmt == "json":
        import json

        return json.dumps({"schema_version": SCHEMA_VERSION, listing.key: listing.records},
                          indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        import csv
        import io

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([key for key, _, _ in listing.columns])
        writer.writerows([_listed(record[key], kind) for key, _, kind in listing.columns] for record in listing.records)
        return out.getvalue()
    if fmt == "markdown":
        lines = ["| " + " | ".join(head for _, head, _ in listing.columns) + " |",
                 "|" + "|".join("---" if kind == "text" else "---:" for _, _, kind in listing.columns) + "|"]
        lines += ["| " + " | ".join(f"{r[key]:,}" if kind == "count" else _cell(_listed(r[key], kind))
                                    for key, _, kind in listing.columns) + " |" for r in listing.records]
        lines += ["", listing.note] if listing.note else []
        return "\n".join(lines) + "\n"
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(title=listing.title, title_justify="left")
    for _, head, kind in listing.columns:
        table.add_column(head, justify="left" if kind == "text" else "right")
    for r in listing.records:
        table.add_row(*(human(r[key]) if kind == "count" else Text(_listed(r[key], kind)) for key, _, kind in listing.columns))
    return Group(table, Text(listing.note)) if listing.note else table

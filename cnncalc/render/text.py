"""Text for people, apart from the table: the totals under a table, the warnings, a layer's
worked arithmetic, `cnncalc layer`, `cnncalc check` (text and GitHub annotations) and
`cnncalc solve`. Renderers format what they are given; they never compute a count."""

from __future__ import annotations

from ..errors import NOTE_CODES, is_note, printable
from ..layout import display_layout, shape_text
from ..report import Report
from ..units import DTYPE_BYTES, human, human_bytes

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
        lines += [
            f"Total params: {t.params + t.non_trainable_params:,}",
            f"Trainable params: {t.params:,}",
            f"Non-trainable params: {t.non_trainable_params:,}",
        ]
    whose = "" if report.convention == "ours" else f" (counted as {report.convention} counts them)"
    # at a batch above 1, every figure says whether it is a sample's or the batch's
    sample, batch = ("", "") if report.batch == 1 else (" per sample", f" per batch of {report.batch}")
    lines.append(f"MACs: {t.macs:,} ({human(t.macs)})   FLOPs: {t.flops:,} ({human(t.flops)}){sample}{whose}")
    if len(report.outputs) > 1:  # each output with what it depends on, a shared trunk in each
        lines += [
            f"Output {one_line(o.name)} ({shape_text(o.output_shape, layout)}): params {o.totals.params:,}, "
            f"MACs {o.totals.macs:,} ({human(o.totals.macs)})"
            for o in report.outputs
        ]
    if report.batch == 1:
        lines.append(
            f"Activations: {t.activation_size:,} elements = {human_bytes(report.activation_bytes)} "
            f"({report.dtype}, {DTYPE_BYTES[report.dtype]} bytes, batch 1)"
        )
    else:
        lines.append(
            f"Activations: {t.activation_size:,} elements per sample; {human_bytes(report.activation_bytes)}{batch} "
            f"({report.dtype}, {DTYPE_BYTES[report.dtype]} bytes)"
        )
    m = report.memory()
    lines.append(
        f"Memory: params {human_bytes(m['param_bytes'])} ({report.param_dtype or report.dtype}); "
        f"training ~{human_bytes(m['training']['total'])}{batch.replace(' per batch of', ' at batch')} "
        f"({report.optimizer})"
    )
    lines.append(
        f"Inference peak: {human_bytes(m['peak_activation_bytes'])}{batch} at {one_line(m['peak_layer'])}; "
        f"{human_bytes(m['peak_activation_bytes_in_place'])} with in-place activations"
    )
    if report.roofline:
        seconds, memory_bound, layers = report.roofline_summary()
        lines.append(
            f"Roofline: at least {seconds * 1000:.3f} ms a batch ({memory_bound} of {layers} layers "
            f"memory-bound); a lower bound, not a prediction"
        )
    return lines


def warning_lines(rows, notes: bool = False) -> list[str]:
    """The warnings of the rows, for people; notes (a floor that drops only padding) with notes=True."""
    return [
        w if w.startswith(row.name + ".") else f"{one_line(row.name)}: {w}"  # a folded block's name their layers
        for row in rows
        for w in row.warnings
        if notes or not is_note(w)
    ]


def step_lines(row, indent: str = "  ") -> list[str]:
    """A layer's worked arithmetic, one line a step: `  output  ⌊…⌋ + 1 = 37   (H and W)`."""
    width = max((len(step.quantity) for step in row.steps), default=0)
    return [
        f"{indent}{step.quantity:<{width}}  {step.formula}" + (f"   ({step.dims})" if step.dims else "")
        for step in row.steps
    ]


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
    facts = [
        ("output shape", shape_text(row.output_shape, display)),
        (
            "params",
            f"{row.params:,} (weights {row.weights:,} + biases {row.biases:,})"
            + (f", and {row.non_trainable_params:,} not trainable" if row.non_trainable_params else ""),
        ),
        ("MACs", f"{row.macs:,}"),
        ("FLOPs", f"{row.flops:,}"),
        ("activation size", f"{row.activation_size:,}"),
        ("receptive field", rf),
    ]
    lines = [f"{row.label} on {shown} ({layout.upper()})"] + [f"  {k:<16} {v}" for k, v in facts]
    lines += [""] + step_lines(row) if row.steps else []
    lines += [f"warning: {w}" for w in row.warnings]
    return "\n".join(lines) + "\n"


def _answer(value) -> str:
    if hasattr(value, "matches"):  # a rounded answer (units.Rounded): as the student wrote it
        return value.text
    return "×".join(map(str, value)) if isinstance(value, tuple) else f"{value:,}"


def _wrong(e, r) -> str:
    """What is wrong with one answer, after its location: a layer the network does not have, or
    the answer against the computed value."""
    if r.computed is None:
        return r.arithmetic[0]
    return f"{e.layer} {e.quantity}: expected {_answer(e.expected)}, computed {_answer(r.computed)}"


def answer_lines(results) -> list[str]:
    """Every wrong answer with the arithmetic that gives the right one."""
    lines = []
    for r in results:
        if not r.ok:
            e = r.expectation
            where = f"{e.where.file}:{e.where.line}" if getattr(e.where, "line", None) else str(e.where)
            lines.append(f"{where}: {_wrong(e, r)}")
            lines += [f"  {step}" for step in (r.arithmetic if r.computed is not None else ())]
    return lines


def check_output(files, fmt: str = "text") -> str:
    """`cnncalc check` over many files: text (a line a file, then a count), json or github."""
    if fmt == "json":
        import json

        from .json import check_json

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
    lines.append(
        f"{len(files)} file{'s' if len(files) != 1 else ''}: {counts['passed']} passed, "
        f"{counts['failed']} failed, {counts['invalid']} invalid"
        + (f", {counts['skipped']} skipped" if counts["skipped"] else "")
    )
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
            e, at = r.expectation, getattr(r.expectation.where, "line", None)
            lines.append(
                f"::error file={prop(getattr(e.where, 'file', f.source))}{f',line={at}' if at else ''}::"
                f"{escape(_wrong(e, r))}"
            )
    strict = any(failure.code for failure in f.failures)  # --strict made the warnings errors, said above
    for layer, code, text in f.warnings:
        if code in NOTE_CODES or strict:
            continue
        lines.append(f"::warning file={prop(f.source)},title={prop(code)}::{escape(f'{layer}: {text}')}")
    return "".join(line + "\n" for line in lines)


def solve_text(found, show_all: bool = False, shown_steps: int = 3) -> str:
    """`cnncalc solve` (found: api.solve's Solved): the combinations that reach the size, best
    first, the first few with their arithmetic; or, when none does, the nearest sizes reached."""
    n, wanted, mode = found.n, found.wanted, found.mode
    if mode == "adaptive":
        s, f, exact, windows = found.adaptive
        if exact:
            return (
                f"adaptive pooling {n} → {wanted}: s = ⌊{n}/{wanted}⌋ = {s}, f = {n} − ({wanted} − 1)·{s} = {f}"
                f"\n(PyTorch's windows [⌊i·{n}/{wanted}⌋, ⌈(i+1)·{n}/{wanted}⌉) are exactly these: "
                f"kernel {f}, stride {s})\n"
            )
        sizes = sorted({b - a for a, b in windows})
        return (
            f"adaptive pooling {n} → {wanted}: no single kernel and stride; PyTorch's windows "
            f"[⌊i·{n}/{wanted}⌋, ⌈(i+1)·{n}/{wanted}⌉) have sizes {' and '.join(map(str, sizes))}: "
            f"{', '.join(f'[{a}, {b})' for a, b in windows[:12])}{', …' if len(windows) > 12 else ''}\n"
        )
    what = {"conv": "convolution", "pool": "pooling", "transpose": "transposed convolution"}[mode]
    if not found.solutions:
        lines = [f"no {what} with kernel ≤ 11, stride ≤ 4, dilation ≤ 4 and padding ≤ kernel takes {n} to {wanted}"]
        for size, sol in found.nearest:
            lines.append(f"  nearest: {size}, with {_solution(sol, mode)}: {sol.formula}")
        return "\n".join(lines) + "\n"
    listed = found.solutions if show_all else found.solutions[:10]
    count = len(found.solutions)
    lines = [
        f"{count:,} {what} setting{'s' if count != 1 else ''} take {n} to {wanted}"
        + ("" if show_all or count <= 10 else "; the first 10 (--all for every one)")
        + ":"
    ]
    for i, sol in enumerate(listed):
        mark = (
            "" if mode == "transpose" else f"   ({sol.loss})" if sol.loss else "   (exact: reads every input position)"
        )
        lines.append(f"  {_solution(sol, mode)}{mark}" + (f"\n      {sol.formula}" if i < shown_steps else ""))
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

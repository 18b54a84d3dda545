"""Answer keys: what a student (or a course) states about layers, compared with the computed
numbers. Expectations come from `expect:` on a layer in the network file, or from a separate
answer key (YAML or CSV, keyed by layer name). Each wrong one carries the worked arithmetic
that gives the right value. Pure data: renderers print it; standard library only."""

from __future__ import annotations

from collections import namedtuple

from .errors import NOTE_CODES, CnnCalcError, Loc, did_you_mean, shown
from .layout import in_layout

Expectation = namedtuple("Expectation", "layer quantity expected where")
Result = namedtuple("Result", "expectation computed ok arithmetic")
Result.__doc__ = "One expectation checked: the computed value, whether it matches, and the steps that give it."


def from_network(net) -> list[Expectation]:
    """The `expect:` entries written on the network's layers, in graph order."""
    return [
        Expectation(node.name, quantity, value, where)
        for node in net.nodes
        for quantity, (value, where) in node.attrs.get("_expect", {}).items()
    ]


def read_answers(path: str) -> list[Expectation]:
    """An answer key: YAML (layer name -> {quantity: value}) or CSV (a `name` column and one
    column per quantity; empty cells say nothing). A key that states no answer is an error."""
    found = _read_answers(path)
    if not found:
        raise CnnCalcError(
            "the answer key states no answer: give a layer name and at least one of "
            "shape, params, weights, biases, non_trainable_params, macs, flops, activation_size",
            str(path),
        )
    return found


def _read_answers(path: str) -> list[Expectation]:
    from .sources.document import check_expect
    from .sources.yaml_text import line_of, load_yaml, read_file

    text = read_file(path)
    if str(path).lower().endswith(".csv"):
        return _csv_answers(text, str(path))
    doc = load_yaml(text, str(path))
    if not isinstance(doc, dict):
        raise CnnCalcError(
            f"an answer key maps layer names to expectations, like conv1: {{shape: 28x28x6}}, but saw {shown(doc)}",
            str(path),
        )
    expectations = []
    for layer, expect in doc.items():
        where = Loc(str(path), line_of(doc, layer), str(layer))
        for quantity, (value, at) in check_expect(expect, where).items():
            expectations.append(Expectation(str(layer), quantity, value, at))
    return expectations


def _csv_answers(text: str, path: str) -> list[Expectation]:
    import csv
    import io

    from .sources.document import check_expect

    try:  # strict: an unterminated quote is an error, not the rest of the file in one cell
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), strict=True))
    except csv.Error as e:
        raise CnnCalcError(f"not valid CSV: {e}", path) from None
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    if "name" not in header or len(header) < 2:
        raise CnnCalcError(
            "an answer key in CSV has a header row with a name column and columns such as "
            "shape, params, macs, activation_size",
            f"{path}:1",
        )
    from .sources.document import EXPECTED, expected_key

    for column in header:
        if column != "name" and expected_key(column) is None:
            raise CnnCalcError(
                f"the column {shown(column)} is not a quantity an answer key states (name, "
                f"{', '.join(EXPECTED)}){did_you_mean(column, EXPECTED)}",
                f"{path}:1",
            )
    expectations = []
    for number, row in enumerate(rows[1:], start=2):
        cells = {key: cell.strip() for key, cell in zip(header, row) if cell.strip()}
        layer = cells.pop("name", "")
        if cells and not layer:
            raise CnnCalcError("a row of answers without a layer name", f"{path}:{number}")
        if not cells:
            continue
        where = Loc(path, number)
        for quantity, (value, at) in check_expect(cells, where).items():
            expectations.append(Expectation(layer, quantity, value, at))
    return expectations


def check(report, expectations, layout: str, nodes=()) -> list[Result]:
    """Compare each expectation with the report (analyzed with explain=True, as it is when
    there are any). A shape is compared in `layout`, the file's own, with a batch of 1 written
    first (PyTorch's (1, 6, 28, 28)) left out; a count may be rounded (units.Rounded). A layer
    the report does not have is one wrong answer, with the closest names, and the rest of the
    key is still checked. nodes: the network's, to tell a wrong answer that one common slip
    gives (see slips)."""
    names = {row.name: row for row in report.layers}
    results, unknown = [], set()
    written = {node.name: node for node in nodes}
    for e in expectations:
        row = names.get(e.layer)
        if row is None:
            if e.layer not in unknown:  # once a layer, however many of its quantities are stated
                unknown.add(e.layer)
                where = e.where._replace(path=e.where.path.rpartition(".")[0]) if isinstance(e.where, Loc) else e.where
                note = f"no layer is called {shown(e.layer)}{did_you_mean(e.layer, names)}"
                results.append(Result(e._replace(quantity="layer", where=where), None, False, [note]))
            continue
        if e.quantity == "shape":
            computed = tuple(in_layout(row.output_shape, layout))
            expected = e.expected
            if len(expected) == len(computed) + 1 and expected[0] == 1:
                expected = expected[1:]  # a batch of 1, as PyTorch writes a shape
            ok = expected == computed
            steps = arithmetic(row, "shape", layout)
            mirror = "chw" if layout.lower() == "hwc" else "hwc"
            if not ok and len(computed) > 1 and expected == tuple(in_layout(row.output_shape, mirror)):
                steps = [
                    f"{'×'.join(map(str, expected))} is this shape in {mirror.upper()} order: the file's "
                    f"shapes are {layout.upper()}; did you mean {'x'.join(map(str, computed))}?"
                ] + steps
            results.append(Result(e, computed, ok, _with_slip(steps, ok, row, written, e, layout, names)))
            continue
        computed = getattr(row, e.quantity)
        ok = _matches(computed, e.expected)
        results.append(
            Result(e, computed, ok, _with_slip(arithmetic(row, e.quantity, layout), ok, row, written, e, layout, names))
        )
    return results


def _matches(computed, expected) -> bool:
    """An answer against a computed value: a rounded answer at its precision; a shape with a
    batch of 1 written first; anything else exactly."""
    if hasattr(expected, "matches"):
        return isinstance(computed, int) and expected.matches(computed)
    if isinstance(expected, tuple) and isinstance(computed, tuple) and len(expected) == len(computed) + 1:
        expected = expected[1:] if expected[0] == 1 else expected
    return computed == expected


def _with_slip(steps, ok, row, written, e, layout, names) -> list:
    """The steps, with first the slip that gives the wrong answer, when one does."""
    node = written.get(row.name)
    if ok or node is None:
        return steps
    from .slips import hint

    xs = [names[i].output_shape for i in row.inputs]
    found = hint(node.kind, node.attrs, xs, e.quantity, e.expected, layout, _matches)
    return [f"hint: {found}"] + steps if found else steps


def arithmetic(row, quantity: str, layout: str) -> list[str]:
    """The steps of the worked arithmetic that give one quantity of a layer."""
    if quantity == "shape":
        lines = [
            f"{s.formula}" + (f"   ({s.dims})" if s.dims else "")
            for s in row.steps
            if s.quantity in ("padding", "output")
        ]
        return lines + [f"shape {'×'.join(map(str, in_layout(row.output_shape, layout)))}"]
    if quantity == "activation_size":
        return [f"{'·'.join(map(str, in_layout(row.output_shape, 'hwc')))} = {row.activation_size:,}"]
    if quantity == "flops":
        return [f"2 × {row.macs:,} MACs = {row.flops:,}"]
    wanted = {
        "params": "params",
        "weights": "params",
        "biases": "params",
        "non_trainable_params": "params",
        "macs": "MACs",
    }[quantity]
    return [s.formula for s in row.steps if s.quantity == wanted]


# --- budgets ------------------------------------------------------------------------------------

Limit = namedtuple("Limit", "key bound where")
Failure = namedtuple("Failure", "check limit value message code", defaults=(None,))


def file_budget(net) -> list[Limit]:
    """The `budget:` section of a network file (spec has checked it)."""
    from .sources.document import check_budget_section
    from .sources.yaml_text import line_of

    budget = (net.doc or {}).get("budget")
    if budget is None:
        return []
    return [
        Limit(*limit) for limit in check_budget_section(budget, Loc(net.file, line_of(net.doc, "budget"), "budget"))
    ]


def measured(report, key: str, param_bytes: int) -> int:
    what = key.split("_", 1)[1]
    if what == "activation_memory":
        return report.activation_bytes
    if what == "param_memory":
        return report.totals.params * param_bytes
    if what == "peak_memory":
        return report.memory()["peak_activation_bytes"]
    return getattr(report.totals, what)


def check_budget(report, limits, param_bytes: int) -> list[Failure]:
    """Each limit that the report passes over (max) or falls short of (min)."""
    failures = []
    for limit in limits:
        value = measured(report, limit.key, param_bytes)
        side, what = limit.key.split("_", 1)
        if (side == "max" and value > limit.bound) or (side == "min" and value < limit.bound):
            sign = ">" if side == "max" else "<"
            failures.append(
                Failure(
                    limit.key, limit.bound, value, f"{what.replace('_', ' ')} {value:,} {sign} {side} {limit.bound:,}"
                )
            )
    return failures


def merged_limits(command_line: list[Limit], in_file: list[Limit]) -> list[Limit]:
    """The command line wins: a limit given there replaces the file's limit of the same key."""
    given = {limit.key for limit in command_line}
    merged = command_line + [limit for limit in in_file if limit.key not in given]
    refuse_contradictions(merged)
    return merged


def refuse_contradictions(limits) -> None:
    """A minimum above the maximum of the same quantity can never pass: an error naming both."""
    bound = {limit.key: limit for limit in limits}
    for key, low in bound.items():
        side, what = key.split("_", 1)
        high = bound.get(f"max_{what}")
        if side == "min" and high is not None and low.bound > high.bound:

            def origin(limit):
                return "the command line" if str(limit.where).startswith("--") else "the file's budget"

            raise CnnCalcError(
                f"min_{what} must be at most max_{what}, but {low.bound:,} (from {origin(low)}) > {high.bound:,} "
                f"(from {origin(high)}): no network passes both",
                low.where,
            )


# --- many files -----------------------------------------------------------------------------------

FileResult = namedtuple("FileResult", "source status name failures answers warnings error")
FileResult.__doc__ = (
    "The check of one file. status: passed, failed, invalid or skipped; failures: Failure "
    "records (budgets, --strict warnings); answers: Result records; warnings: (layer, code, "
    "text); error: the invalid file's error as a dict (message, file, line, path)."
)


def sources(patterns) -> list[str]:
    """Files, globs and directories (their *.yaml and *.yml, recursively) -> the files, in
    order; a built-in name or a file that does not exist is kept, to fail on its own line."""
    import os

    found = []
    for pattern in patterns:
        try:
            if os.path.isdir(pattern):
                inside = sorted(str(p) for p in _walk(pattern))
                found += inside or [pattern]  # an empty folder fails on its own line, as a glob that matches nothing
            elif any(c in pattern for c in "*?[") and not os.path.lexists(pattern):  # a name with [ is a name
                found += _glob(pattern) or [pattern]
            else:
                found.append(pattern)
        except OSError as e:  # a folder that cannot be read while walking it: the input's fault
            raise CnnCalcError(
                f"cannot read the files of {shown(pattern)}: {shown(e.filename)}: {e.strerror or e}"
            ) from None
    return found


def _walk(folder):
    from pathlib import Path

    return (p for p in Path(folder).rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def _glob(pattern: str) -> list[str]:
    """The files a glob matches, sorted, `**` spanning folders. As pathlib's glob: `**` does not
    follow links to folders (glob.glob's does, and two links to `.` made it run for ever)."""
    from pathlib import Path

    parts = Path(pattern).parts
    fixed = next(i for i, part in enumerate(parts) if any(c in part for c in "*?["))  # the caller saw one
    root = Path(*parts[:fixed]) if fixed else Path(".")
    rest = "/".join(parts[fixed:])
    return sorted(str(p) for p in root.glob(rest) if p.is_file())


def error_dict(e: CnnCalcError) -> dict:
    """An error as data: its message and where it is (file, line and YAML path when known)."""
    where = e.where
    if isinstance(where, Loc):
        return {"message": e.message, "file": where.file, "line": where.line, "path": where.path or None}
    file, line = str(where or ""), None
    parts = file.split(":")
    if len(parts) >= 2 and parts[1].isdigit():
        file, line = parts[0], int(parts[1])
    return {"message": e.message, "file": file or None, "line": line, "path": None}


def check_file(
    source: str,
    limits=(),
    answers=None,
    params=None,
    input=None,
    strict=False,
    only_networks=False,
    dtype="float32",
    batch=1,
) -> FileResult:
    """Check one network: its budget (the command line's limits win over its `budget:`), its
    answers (`expect:` and an answer key), and with strict, its warnings. Never raises for the
    file's faults: an invalid file is a result with its error."""
    import os

    from . import api
    from .units import DTYPE_BYTES

    try:
        if os.path.isdir(source):  # a folder with no network files in it, kept to fail on its own line
            raise CnnCalcError("no *.yaml or *.yml files were found under this folder", source)
        if only_networks and not _is_network(source):
            return FileResult(source, "skipped", "", [], [], [], None)
        net = api.load(source, params)
        expected = from_network(net) + (read_answers(answers) if answers else [])
        # the worked arithmetic only when there are answers to show it with
        report = api.analyze(net, input=input, explain=bool(expected), dtype=dtype, batch=batch)
        failures = check_budget(report, merged_limits(list(limits), file_budget(net)), DTYPE_BYTES[dtype])
        results = check(report, expected, net.layout, net.nodes)
        warnings = [(row.name, getattr(w, "code", ""), str(w)) for row in report.layers for w in row.warnings]
        if strict:  # a note (a floor that drops only padding) is not a warning
            failures += [
                Failure("warning", None, None, f"{layer}: {text}", code)
                for layer, code, text in warnings
                if code not in NOTE_CODES
            ]
        failed = failures or not all(r.ok for r in results)
        return FileResult(source, "failed" if failed else "passed", report.name, failures, results, warnings, None)
    except CnnCalcError as e:
        return FileResult(source, "invalid", "", [], [], [], error_dict(e))


def _is_network(source: str) -> bool:
    """Whether a YAML file is a network file: a mapping with `layers` whose other keys are the
    format's (or that has an `input`). A CI workflow, a docker-compose or a serverless.yml is
    skipped; a file that does not even parse is checked, so that its error is reported."""
    import os

    from .sources.document import TOP_KEYS
    from .sources.yaml_text import plain_yaml

    if not source.endswith((".yaml", ".yml")) or not os.path.isfile(source):
        return True  # a built-in, or a file that will fail on its own
    try:
        doc = plain_yaml(source)
    except CnnCalcError:
        return True
    return isinstance(doc, dict) and "layers" in doc and ("input" in doc or set(map(str, doc)) <= set(TOP_KEYS))

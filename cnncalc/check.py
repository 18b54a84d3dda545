"""Answer keys: what a student (or a course) states about layers, compared with the computed
numbers. Expectations come from `expect:` on a layer in the network file, or from a separate
answer key (YAML or CSV, keyed by layer name). Each wrong one carries the worked arithmetic
that gives the right value. Pure data: renderers print it; standard library only."""

from __future__ import annotations

from collections import namedtuple

from .errors import CnnCalcError, Loc, did_you_mean, shown
from .layout import in_layout

Expectation = namedtuple("Expectation", "layer quantity expected where")
Result = namedtuple("Result", "expectation computed ok arithmetic")
Result.__doc__ = "One expectation checked: the computed value, whether it matches, and the steps that give it."


def from_network(net) -> list[Expectation]:
    """The `expect:` entries written on the network's layers, in graph order."""
    return [Expectation(node.name, quantity, value, where)
            for node in net.nodes for quantity, (value, where) in node.attrs.get("_expect", {}).items()]


def read_answers(path: str) -> list[Expectation]:
    """An answer key: YAML (layer name -> {quantity: value}) or CSV (a `name` column and one
    column per quantity; empty cells say nothing)."""
    from .spec import check_expect, line_of, load_yaml, read_file

    text = read_file(path)
    if str(path).lower().endswith(".csv"):
        return _csv_answers(text, str(path))
    doc = load_yaml(text, str(path))
    if not isinstance(doc, dict):
        raise CnnCalcError("an answer key maps layer names to expectations, like conv1: {shape: 28x28x6}, "
                           f"but saw {shown(doc)}", str(path))
    expectations = []
    for layer, expect in doc.items():
        where = Loc(str(path), line_of(doc, layer))
        for quantity, (value, at) in check_expect(expect, where).items():
            expectations.append(Expectation(str(layer), quantity, value, at))
    return expectations


def _csv_answers(text: str, path: str) -> list[Expectation]:
    import csv
    import io

    from .spec import check_expect

    rows = list(csv.reader(io.StringIO(text)))
    if not rows or "name" not in rows[0]:
        raise CnnCalcError("an answer key in CSV has a header row with a name column and columns such as "
                           "shape, params, macs, activation_size", f"{path}:1")
    header = rows[0]
    expectations = []
    for number, row in enumerate(rows[1:], start=2):
        cells = {key: cell.strip() for key, cell in zip(header, row) if cell.strip()}
        layer = cells.pop("name", "")
        if not cells or not layer:
            continue
        where = Loc(path, number)
        for quantity, (value, at) in check_expect(cells, where).items():
            expectations.append(Expectation(layer, quantity, value, at))
    return expectations


def check(report, expectations, layout: str) -> list[Result]:
    """Compare each expectation with the report (analyzed with explain=True). A shape is
    compared in `layout`, the file's own. A layer the report does not have is an error."""
    names = {row.name: row for row in report.layers}
    results = []
    for e in expectations:
        row = names.get(e.layer)
        if row is None:
            raise CnnCalcError(f"no layer is called {shown(e.layer)}{did_you_mean(e.layer, names)}", e.where)
        computed = tuple(in_layout(row.output_shape, layout)) if e.quantity == "shape" else getattr(row, e.quantity)
        results.append(Result(e, computed, computed == e.expected, arithmetic(row, e.quantity, layout)))
    return results


def arithmetic(row, quantity: str, layout: str) -> list[str]:
    """The steps of the worked arithmetic that give one quantity of a layer."""
    if quantity == "shape":
        lines = [f"{s.formula}" + (f"   ({s.dims})" if s.dims else "") for s in row.steps
                 if s.quantity in ("padding", "output")]
        return lines + [f"shape {'×'.join(map(str, in_layout(row.output_shape, layout)))}"]
    if quantity == "activation_size":
        return [f"{'·'.join(map(str, in_layout(row.output_shape, 'hwc')))} = {row.activation_size:,}"]
    if quantity == "flops":
        return [f"2 × {row.macs:,} MACs = {row.flops:,}"]
    wanted = {"params": "params", "weights": "params", "biases": "params", "non_trainable_params": "params",
              "macs": "MACs"}[quantity]
    return [s.formula for s in row.steps if s.quantity == wanted]

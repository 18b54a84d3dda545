"""JSON text: a report streamed a layer a line (a 100,000-layer report never sits in memory as
dicts at once), `cnncalc layer`'s entry, `cnncalc check`'s results and a listing; each with
`schema_version`, a stable interface. A report's JSON form as data is Report.to_dict."""

from __future__ import annotations

from ..layout import display_layout, in_layout
from ..report import SCHEMA_VERSION, LayerReport, Report, Totals, collapse


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
    yield head[:-2] + ',\n  "layers": ['
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


def layer_json(row: LayerReport, inputs, layout: str) -> dict:
    """`cnncalc layer --format json`: the layer's entry as in summary's JSON (with its steps),
    and its input shape(s) in the layout used."""
    display = display_layout(layout)
    entry = Report(name=row.name, layout=layout, input_shape=inputs[0], layers=(row,), totals=Totals.of([row]))
    return {
        "schema_version": SCHEMA_VERSION,
        "layout": layout.lower(),
        "input_shape": in_layout(inputs[0], display) if len(inputs) == 1 else None,
        "input_shapes": [in_layout(x, display) for x in inputs],
        "layer": entry.layer_dict(row, display),
    }


def _where(where) -> dict:
    """A location as data, as errors give it: file, line and YAML path."""
    return {
        "file": getattr(where, "file", str(where)),
        "line": getattr(where, "line", None),
        "path": getattr(where, "path", None) or None,
    }


def check_json(files) -> dict:
    """`cnncalc check --format json`: one object per file."""

    def value(v):
        if hasattr(v, "matches"):  # a rounded answer: the text written, 352.8K
            return v.text
        return list(v) if isinstance(v, tuple) else v

    return {
        "schema_version": SCHEMA_VERSION,
        "files": [
            {
                "file": f.source,
                "name": f.name or None,
                "status": f.status,
                "failed_checks": [
                    {
                        "check": x.check,
                        "limit": x.limit,
                        "value": x.value,
                        "message": x.message,
                        **({"code": x.code} if x.code else {}),
                    }
                    for x in f.failures
                ],
                "answers": [
                    {
                        "layer": r.expectation.layer,
                        "quantity": r.expectation.quantity,
                        "expected": value(r.expectation.expected),
                        "computed": value(r.computed),
                        "ok": r.ok,
                        "where": _where(r.expectation.where),
                        "arithmetic": list(r.arithmetic),
                    }
                    for r in f.answers
                ],
                "errors": [f.error] if f.error else [],
                "warnings": [{"layer": layer, "code": code, "message": text} for layer, code, text in f.warnings],
            }
            for f in files
        ],
    }


def listing_json(listing) -> str:
    import json

    return (
        json.dumps({"schema_version": SCHEMA_VERSION, listing.key: listing.records}, indent=2, ensure_ascii=False)
        + "\n"
    )

"""CSV and Markdown: a report's rows for spreadsheets and documents (every number exact), and
the listings (built-ins, kinds, compare, sweep) in both."""

from __future__ import annotations

from ..errors import is_note
from ..layout import layout_name, shape_text
from ..report import Report, collapse
from .text import one_line, summary_lines, warning_lines

CSV_COLUMNS = (
    "name",
    "kind",
    "label",
    "block",
    "output_shape",
    "activation_size",
    "params",
    "weights",
    "biases",
    "non_trainable_params",
    "macs",
    "flops",
    "warnings",
)


def render_csv(report: Report, layout: str = "hwc", depth: int | None = None) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in collapse(report, depth):
        writer.writerow(
            [
                row.name,
                row.kind,
                row.label,
                ".".join(row.scope),
                shape_text(row.output_shape, layout, "x"),
                row.activation_size,
                row.params,
                row.weights,
                row.biases,
                row.non_trainable_params,
                row.macs,
                row.flops,
                " | ".join(w for w in row.warnings if not is_note(w)),
            ]
        )
    return out.getvalue()


def _cell(text: str) -> str:
    """Text for a Markdown table cell: a | would end the cell, a line break the row."""
    return one_line(text).replace("|", "\\|")


def render_markdown(report: Report, layout: str = "hwc", depth: int | None = None) -> str:
    rows = collapse(report, depth)
    t = report.totals
    lines = [
        f"## {one_line(report.name)} (input {shape_text(report.input_shape, layout)}, "
        f"{layout_name(report.layout, layout)})",
        "",
        "| name | layer | output | activation size | params | MACs | FLOPs |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {_cell(row.name)} | {_cell(row.label)} | {shape_text(row.output_shape, layout)} | "
            f"{row.activation_size:,} | {row.params:,} | {row.macs:,} | {row.flops:,} |"
        )
    lines.append(f"| **total** | | | {t.activation_size:,} | {t.params:,} | {t.macs:,} | {t.flops:,} |")
    lines += [""] + [f"- {line}" for line in summary_lines(report, layout)]  # a list: lines a paragraph would join
    warnings = warning_lines(rows)
    if warnings:
        lines += ["", "Warnings:", ""] + [f"- {w}" for w in warnings]
    return "\n".join(lines) + "\n"


def _listed(value, kind: str) -> str:
    """A listed value as text: a shape (a list of sizes in JSON) reads 227x227x3."""
    return "x".join(map(str, value)) if kind == "shape" else str(value)


def listing_csv(listing) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([key for key, _, _ in listing.columns])
    writer.writerows([_listed(record[key], kind) for key, _, kind in listing.columns] for record in listing.records)
    return out.getvalue()


def listing_markdown(listing) -> str:
    lines = [
        "| " + " | ".join(head for _, head, _ in listing.columns) + " |",
        "|" + "|".join("---" if kind == "text" else "---:" for _, _, kind in listing.columns) + "|",
    ]
    lines += [
        "| "
        + " | ".join(
            f"{r[key]:,}"
            if kind in ("count", "bytes")
            else "×".join(map(str, r[key]))  # a shape as the summary spells it (CSV keeps 224x224x3)
            if kind == "shape"
            else _cell(_listed(r[key], kind))
            for key, _, kind in listing.columns
        )
        + " |"
        for r in listing.records
    ]
    lines += ["", listing.note] if listing.note else []
    return "\n".join(lines) + "\n"

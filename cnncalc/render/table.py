"""The table for people (rich): a row per layer, a header row per block with its totals, the
totals and warnings below; columns that do not fit the terminal give way in DROP_ORDER, and a
line says which. Also the rich form of a listing. rich is imported only here, inside the
functions, so a machine-readable run never loads it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..layout import layout_name, shape_text
from ..limits import MAX_TABLE_ROWS
from ..report import Listing, Report, collapse, group_totals
from ..units import human, human_bytes
from .text import bar, one_line, summary_lines, warning_lines

if TYPE_CHECKING:  # rich is imported only when a table is drawn
    from rich.console import JustifyMethod

# The table's columns, and the order in which they give way when the terminal is too narrow:
# the share bar first, then FLOPs (2 × MACs, also in the totals), then the activation size,
# then the receptive field unless --rf asked for it. The layer label, output shapes and the
# numbers are never dropped or cut; names, and then labels, are shortened in the middle (…)
# down to NAME_MIN characters; past that the table is wider than the terminal, and whole.
COLUMNS: tuple[tuple[str, JustifyMethod], ...] = (
    ("name", "left"),
    ("layer", "left"),
    ("output", "right"),
    ("activation", "right"),
    ("params", "right"),
    ("MACs", "right"),
    ("FLOPs", "right"),
    ("MAC share", "left"),
    ("RF", "right"),
)


DROP_ORDER = ("MAC share", "FLOPs", "activation", "RF")
# characters a shortened label keeps (its kind and window: conv 3×3/1 …), and a shortened name
# after its indentation, markers included
LABEL_MIN, NAME_MIN = 16, 8


def table_width(widths: dict, shown) -> int:
    """A column takes its widest cell, 1 of padding each side and 1 divider."""
    return sum(widths[c] + 3 for c in shown) - 1


def _fit(widths: dict, width: int | None, shown: list, asked=()) -> list[str]:
    """The columns that fit in `width` characters (all of them when width is None), dropping
    them in DROP_ORDER; a column the user asked for (asked: --rf's RF) is never dropped."""
    shown = list(shown)
    if width is None:
        return shown
    for name in DROP_ORDER:
        if name not in shown or name in asked:
            continue
        if table_width(widths, shown) <= width:
            break
        shown.remove(name)
    return shown


def shortened(text: str, size: int) -> str:
    """text cut in the middle to `size` characters with a visible marker, its indentation
    kept: `stage_one.outer…projection_conv`; whole when it fits."""
    from rich.cells import cell_len

    if cell_len(text) <= size:
        return text
    body = text.lstrip(" ")
    indent = text[: len(text) - len(body)]
    room = max(size - len(indent) - 1, 2)
    head, tail = body[: (room + 1) // 2], body[len(body) - room // 2 :]
    return f"{indent}{head}…{tail}"


def rf_text(field) -> str:
    """A receptive field in a cell: 212 s32 p90 (size, effective stride and padding), per
    dimension where the dimensions differ; — where it is undefined."""
    if field is None:
        return "—"
    parts = (field.size, field.jump, tuple(-s for s in field.start))
    return " ".join(
        prefix + ("×".join(map(str, v)) if len(set(v)) > 1 else str(v[0])) for prefix, v in zip(("", "s", "p"), parts)
    )


def render_table(
    report: Report,
    layout: str = "hwc",
    depth: int | None = None,
    width: int | None = None,
    exact: bool = False,
    notes: bool = False,
    rf: bool = False,
):
    """A rich Table plus the totals and warnings below it, as one renderable group. width: the
    terminal's, to drop columns that do not fit (None keeps all: --wide); exact: every number
    in full (by default params are exact and the other counts human: 1.2M)."""
    from rich import box
    from rich.cells import cell_len
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    rows = collapse(report, depth)
    title = (
        f"{one_line(report.name)}  (input {shape_text(report.input_shape, layout)}, "
        f"{layout_name(report.layout, layout)})"
    )
    if len(rows) > MAX_TABLE_ROWS:
        # rich lays out every row before printing: 100,000 rows take minutes and help no one
        return Group(
            Text(title),
            Text(
                f"{len(rows):,} rows are more than a table of {MAX_TABLE_ROWS:,} can usefully show: fold blocks "
                f"with --depth N, or use --format csv or json for every layer."
            ),
            Text("\n".join(summary_lines(report, layout))),
        )
    count = (lambda n: f"{n:,}") if exact else human
    total_macs = report.totals.macs or 1

    def cells(name, label, shape, totals, macs_share, field=None):
        return {
            "name": one_line(name),
            "layer": label,
            "output": shape_text(shape, layout),
            "activation": count(totals.activation_size),
            "params": f"{totals.params:,}",
            "MACs": count(totals.macs),
            "FLOPs": count(totals.flops),
            "MAC share": bar(macs_share),
            "RF": rf_text(field) if label else "",
        }

    # a header row for each block or branch of two or more rows, with its totals; a row under
    # headers shows its name after theirs (conv1 under layer1.bottleneck1), so names stay whole
    # without growing with the depth: the full names are in every machine format
    lines: list[tuple] = []
    headers: list[str] = []
    groups = group_totals(rows)

    def relative(name):
        return name[len(headers[-1]) + 1 :] if headers else name

    for row in rows:
        headers = [h for h in headers if row.name.startswith(h + ".")]
        for i in range(len(row.scope)):
            key = ".".join(row.scope[: i + 1])
            totals, last, members = groups[key]
            if members >= 2 and key not in headers and (not headers or key.startswith(headers[-1] + ".")):
                lines.append(
                    (
                        cells(
                            "  " * len(headers) + relative(key), "", last.output_shape, totals, totals.macs / total_macs
                        ),
                        "bold",
                    )
                )
                headers.append(key)
        lines.append(
            (
                cells(
                    "  " * len(headers) + relative(row.name),
                    row.label,
                    row.output_shape,
                    row,
                    row.macs / total_macs,
                    row.field,
                ),
                None,
            )
        )
    t = report.totals
    footer = {
        "name": "total",
        "layer": "",
        "output": "",
        "activation": count(t.activation_size),
        "params": f"{t.params:,}",
        "MACs": count(t.macs),
        "FLOPs": count(t.flops),
        "MAC share": bar(1.0 if t.macs else 0.0),
        "RF": "",
    }
    widths = {
        name: max([cell_len(name), cell_len(footer[name])] + [cell_len(c[name]) for c, _ in lines])
        for name, _ in COLUMNS
    }
    requested = [name for name, _ in COLUMNS if rf or name != "RF"]
    shown = _fit(widths, width, requested, asked=("RF",) if rf else ())
    # still too wide: long names, then labels, then names again, shortened in the middle; never
    # a number or a shape
    for name, least in (("name", 24), ("layer", LABEL_MIN), ("indent", 0), ("name", 0)):
        if name == "indent" and width is not None and table_width(widths, shown) > width:
            for c, _ in lines:  # a block's rows indented by one space a level instead of two
                body = c["name"].lstrip(" ")
                c["name"] = " " * ((len(c["name"]) - len(body)) // 2) + body
            widths["name"] = max(cell_len("name"), cell_len(footer["name"]), *(cell_len(c["name"]) for c, _ in lines))
            continue
        if width is not None and table_width(widths, shown) > width:
            size = max(widths[name] - (table_width(widths, shown) - width), least)
            if size < widths[name]:
                for c, _ in lines:
                    indent = len(c[name]) - len(c[name].lstrip(" "))
                    c[name] = shortened(c[name], max(size, indent + NAME_MIN))
                widths[name] = max(cell_len(name), cell_len(footer[name]), *(cell_len(c[name]) for c, _ in lines))
    needed = table_width(widths, shown)
    # names, labels and the title are the user's text: Text() shows them as they are, where a
    # plain string would be read as rich markup ([/x] would raise, [bold] would vanish)
    table = Table(
        title=Text(title),
        show_footer=True,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        # wider than the terminal only when even shortened names do not fit: then whole, and the
        # terminal wraps the line, rather than a number cut
        width=needed if width is not None and needed > width else None,
    )
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
    parts: list = [table]
    hidden = [name for name in requested if name not in shown]
    if hidden:
        parts.append(Text(f"(hidden at {width} columns: {', '.join(hidden)}; --wide shows them)"))
    parts.append(Text("\n".join(summary_lines(report, layout))))
    warnings = warning_lines(rows, notes)
    if warnings:
        parts.append(Text("Warnings:\n" + "\n".join(f"  {w}" for w in warnings)))
    return Group(*parts)


def listing_table(listing: Listing, width: int | None = None, verbose: bool = False):
    """A Listing as a rich Table in the summary's style, its note under it. No value is ever
    cut: each column is as wide as its widest cell, and when the terminal is narrower the
    listing's optional columns give way (a line says which); if it still does not fit, each
    record is written as lines of its own. Detail columns (a long source) only with verbose,
    where they may wrap."""
    from rich import box
    from rich.cells import cell_len
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from .tabular import _listed

    def cell(record, key, kind):
        return (
            human(record[key])
            if kind == "count"
            else human_bytes(record[key])  # in the summary's units: 24.5 MiB
            if kind == "bytes"
            else _listed(record[key], kind).replace("x", "×")
            if kind == "shape"
            else one_line(_listed(record[key], kind))
        )

    columns = every = [c for c in listing.columns if verbose or c[0] not in listing.detail]
    texts = {key: [cell(r, key, kind) for r in listing.records] for key, _, kind in columns}
    widths = {key: max([cell_len(head)] + [cell_len(t) for t in texts[key]]) for key, head, _ in columns}
    fixed = [c for c in columns if c[0] not in listing.wrap]  # a long text wraps into what is left
    hidden = []
    for key in listing.optional:
        if width is None or sum(widths[c[0]] + 2 for c in fixed) <= width:
            break
        if key in widths:
            hidden.append(next(head for k, head, _ in columns if k == key))
            columns = [c for c in columns if c[0] != key]
            fixed = [c for c in fixed if c[0] != key]
    parts: list = []
    if width is not None and sum(widths[c[0]] + 2 for c in fixed) > width:
        # still too wide: a record a block of lines, every value whole, and every column again
        lines = [listing.title]
        for i in range(len(listing.records)):
            lines += [""] + [f"{head}: {texts[key][i]}" for key, head, _ in every]
        parts.append(Text("\n".join(lines)))
        hidden = []
    else:
        table = Table(
            title=Text(listing.title), title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False
        )
        for key, head, kind in columns:
            justify: JustifyMethod = "left" if kind == "text" else "right"
            if key in listing.wrap:
                table.add_column(head, justify=justify, overflow="fold", ratio=1)
            else:
                table.add_column(head, justify=justify, no_wrap=True, min_width=widths[key])
        for i in range(len(listing.records)):
            table.add_row(*(Text(texts[key][i]) for key, _, _ in columns))
        parts.append(table)
    if hidden:
        parts.append(Text(f"(hidden at {width} columns: {', '.join(hidden)}; --format markdown or json shows them)"))
    if listing.note:
        parts.append(Text(listing.note))
    return Group(*parts) if len(parts) > 1 else parts[0]

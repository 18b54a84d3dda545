"""Renderers: records in, text out, one module per form: table (rich, for people), text (the
lines around it, worked arithmetic, check and solve), json, and tabular (CSV and Markdown).
They format what they are given; they never compute a count."""

from __future__ import annotations

from ..report import Listing
from .json import render_json
from .tabular import render_csv, render_markdown

FORMATS = ("table", "json", "csv", "markdown")
RENDERERS = {"json": render_json, "csv": render_csv, "markdown": render_markdown}


def render_listing(listing: Listing, fmt: str, width: int | None = None, verbose: bool = False):
    """A Listing as a rich Table (fmt 'table', fitted to `width`; its detail columns with
    verbose) or as JSON, CSV or Markdown text."""
    if fmt == "json":
        from .json import listing_json

        return listing_json(listing)
    if fmt in ("csv", "markdown"):
        from .tabular import listing_csv, listing_markdown

        return listing_csv(listing) if fmt == "csv" else listing_markdown(listing)
    from .table import listing_table

    return listing_table(listing, width, verbose)

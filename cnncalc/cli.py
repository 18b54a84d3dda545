"""The command line: parse arguments, call the API, hand the report to a renderer."""

from __future__ import annotations

import functools
import os
import sys

import click

from .errors import CnnCalcError
from .render import FORMATS
from .report import DTYPE_BYTES


class UserError(click.ClickException):
    exit_code = 2


class ShapeType(click.ParamType):
    """224x224x3 (or 224,224,3 / 224×224×3)."""

    name = "shape"

    def convert(self, value, param, ctx):
        from .api import parse_shape

        try:
            return parse_shape(value)
        except CnnCalcError:
            self.fail(f"a shape is positive sizes joined by x, like 224x224x3 or 160, but saw {value!r}",
                      param, ctx)


class AssignType(click.ParamType):
    """KEY=VALUE for network parameters."""

    name = "key=value"

    def convert(self, value, param, ctx):
        key, sep, text = value.partition("=")
        if not sep or not key.strip() or not text.strip():
            self.fail(f"expected KEY=VALUE such as alpha=0.5, but saw {value!r}", param, ctx)
        return key.strip(), parse_value(text.strip())


def parse_value(text: str):
    """A --set value: a number when it reads as one, else the text."""
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def output_options(func):
    """--format and --layout, shared by every command that prints a report."""
    @click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
                  help="table for people; json, csv or markdown for machines and documents")
    @click.option("--layout", type=click.Choice(("hwc", "chw")), default="hwc", show_default=True,
                  help="shape order for display: channels last (H×W×C, as the seeds) or first")
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)
    return wrapper


def user_errors(func):
    """Turn CnnCalcError into a message on stderr and exit code 2, never a traceback."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except CnnCalcError as e:
            raise UserError(str(e)) from None
    return wrapper


PIPE_WIDTH = 160  # the table's width when stdout is not a terminal and COLUMNS is not set


def _console():
    from rich.console import Console

    width = None
    if not sys.stdout.isatty():
        columns = os.environ.get("COLUMNS", "")
        width = int(columns) if columns.isdigit() and int(columns) > 0 else PIPE_WIDTH
    return Console(width=width, highlight=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cnncalc")
def cli():
    """Exact output shapes, parameters, MACs and FLOPs of convolutional networks,
    layer by layer, from a YAML description. No deep-learning framework needed."""


@cli.command()
@click.argument("network")
@click.option("--input", "input_shape", type=ShapeType(), default=None,
              help="evaluate at another input: 224x224x3 (in --layout order), 160x160 or 160")
@click.option("--batch", type=click.IntRange(min=1), default=1, show_default=True,
              help="batch size for activation memory")
@click.option("--dtype", type=click.Choice(tuple(DTYPE_BYTES)), default="float32", show_default=True,
              help="element type for activation memory")
@click.option("--set", "assignments", type=AssignType(), multiple=True,
              help="override a network parameter, e.g. --set alpha=0.5 (repeatable)")
@click.option("--depth", type=click.IntRange(min=1), default=None,
              help="fold layers deeper than N dotted name parts into one row per block")
@output_options
@user_errors
def summary(network, input_shape, batch, dtype, assignments, depth, fmt, layout):
    """Per-layer table of NETWORK: a built-in name (see `cnncalc list`), a YAML file, or -
    for standard input."""
    from . import api
    from .render import RENDERERS, render_table

    report = api.analyze(network, input=input_shape, layout=layout, batch=batch, dtype=dtype,
                         params=dict(assignments))
    _emit((render_table if fmt == "table" else RENDERERS[fmt])(report, layout, depth))


@cli.command(name="list")
@output_options
@user_errors
def list_(fmt, layout):
    """List the built-in architectures with input shape, params and MACs."""
    from . import api
    from .render import render_listing

    _emit(render_listing(api.builtin_listing(layout), fmt))


@cli.command()
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="table for people; json, csv or markdown for machines and documents")
@user_errors
def kinds(fmt):
    """List the layer kinds, their options with defaults, and what each does."""
    from . import api
    from .render import render_listing

    _emit(render_listing(api.kind_listing(), fmt))


def _emit(rendered):
    """Text goes to stdout as it is; a rich renderable through the console."""
    if isinstance(rendered, str):
        click.echo(rendered, nl=False)
    else:
        _console().print(rendered)


def main():
    cli(prog_name="cnncalc")

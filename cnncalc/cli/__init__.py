"""The command line: parse arguments, call the API, hand the result to a renderer. The
commands are here; their shared argument types and options are in cli.options."""

from __future__ import annotations

import os
import sys

import click

from ..conventions import CONVENTIONS
from ..errors import CnnCalcError
from ..limits import (
    MAX_BATCH,
    MAX_SOLVE_DILATION,
    MAX_SOLVE_KERNEL,
    MAX_SOLVE_SIZE,
    MAX_SOLVE_STRIDE,
)
from ..memory import OPTIMIZER_COPIES
from ..render import FORMATS
from ..units import DTYPE_BYTES
from .options import (
    AssignType,
    CountType,
    ShapeType,
    budget_options,
    format_option,
    output_options,
    user_errors,
)

PIPE_WIDTH = 160  # the table's width when stdout is no terminal, COLUMNS is not set and there is no terminal


def _terminal_width() -> int | None:
    """The width of the terminal the user is looking at, when stdout is a pipe (`| less`): the
    controlling terminal's, or None where there is none (CI, cron)."""
    try:
        fd = os.open("/dev/tty", os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        return os.get_terminal_size(fd).columns or None
    except OSError:
        return None
    finally:
        os.close(fd)


def _console():
    from rich.console import Console

    width = None
    if not sys.stdout.isatty():
        try:
            width = int(os.environ.get("COLUMNS", ""))
        except ValueError:
            width = 0
        width = width if width > 0 else _terminal_width() or PIPE_WIDTH
    return Console(width=width, highlight=False)


def _print(renderable) -> None:
    """A rich renderable on stdout, whole (a table wider than the terminal is not cropped: the
    terminal wraps it) and without the spaces rich pads lines with."""
    console = _console()
    with console.capture() as capture:
        console.print(renderable, crop=False)
    click.echo("\n".join(line.rstrip() for line in capture.get().split("\n")), nl=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cnncalc")
def cli():
    """Exact output shapes, parameters, MACs and FLOPs of convolutional networks,
    layer by layer, from a YAML description. No deep-learning framework needed."""


@cli.command(short_help="The per-layer table of a network.")
@click.argument("network")
@click.option(
    "--input",
    "input_shape",
    type=ShapeType(),
    default=None,
    help="evaluate at another input: 224x224x3 (in --layout order), 160x160 or 160",
)
@click.option(
    "--batch", type=CountType(1, MAX_BATCH), default=1, show_default=True, help="batch size for activation memory"
)
@click.option(
    "--dtype",
    type=click.Choice(tuple(DTYPE_BYTES)),
    default="float32",
    show_default=True,
    help="element type for activation memory",
)
@click.option(
    "--set",
    "assignments",
    type=AssignType(),
    multiple=True,
    help="override a network parameter, e.g. --set alpha=0.5 (repeatable)",
)
@click.option(
    "--param-dtype",
    type=click.Choice(tuple(DTYPE_BYTES)),
    default=None,
    help="element type of the params, for their memory (default: --dtype)",
)
@click.option(
    "--optimizer",
    type=click.Choice(tuple(OPTIMIZER_COPIES)),
    default="sgd",
    show_default=True,
    help="for the training estimate: 0, 1 or 2 extra copies of the params",
)
@click.option(
    "--convention",
    type=click.Choice(CONVENTIONS),
    default="ours",
    show_default=True,
    help="count MACs as cnncalc (the papers), torchinfo's 'Total mult-adds' or fvcore's total",
)
@click.option(
    "--roofline",
    default=None,
    metavar="PEAK,BANDWIDTH",
    help="a machine for a roofline bound on time, like 312T,2TB/s (FLOP/s, bytes/s)",
)
@click.option(
    "--depth",
    type=CountType(1),
    default=None,
    help="fold layers deeper than N dotted name parts into one row per block (in every format)",
)
@click.option("--wide", is_flag=True, help="every column of the table, however wide the terminal")
@click.option(
    "--rf",
    is_flag=True,
    help="a receptive-field column: size, effective stride (s) and padding (p), Araujo et al.'s convention",
)
@click.option(
    "-v", "--verbose", is_flag=True, help="also the notes: a stride whose floor drops only padding, never input"
)
@click.option("--exact", is_flag=True, help="every number in full (by default params are exact, the other counts 1.2M)")
@click.option(
    "--explain", is_flag=True, help="after the table, every layer's arithmetic with its own numbers (in JSON: 'steps')"
)
@click.option(
    "--layer",
    "layer_names",
    multiple=True,
    metavar="NAME",
    help="with --explain, only this layer (repeatable); implies --explain",
)
@output_options
@user_errors
def summary(
    network,
    input_shape,
    batch,
    dtype,
    assignments,
    param_dtype,
    optimizer,
    convention,
    roofline,
    depth,
    wide,
    rf,
    verbose,
    exact,
    explain,
    layer_names,
    fmt,
    layout,
):
    """Per-layer table of NETWORK: a built-in name (see `cnncalc list`), a YAML file, or -
    for standard input."""
    from .. import api
    from ..render import RENDERERS
    from ..render.table import render_table
    from ..render.text import explain_text

    explain = explain or bool(layer_names)
    try:
        report = api.analyze(
            network,
            input=input_shape,
            layout=layout,
            batch=batch,
            dtype=dtype,
            params=dict(assignments),
            explain=layer_names or explain,
            param_dtype=param_dtype,
            optimizer=optimizer,
            roofline=roofline,
            convention=convention,
        )
    except CnnCalcError as e:
        if fmt != "json":
            raise
        _json_error(e)
    if explain and fmt == "csv":
        raise CnnCalcError(
            "--explain and --layer need --format table, markdown or json: CSV has no place for the arithmetic"
        )
    from ..layout import display_layout

    layout = layout or display_layout(report.layout)
    if fmt == "table":
        _print(render_table(report, layout, depth, None if wide else _console().width, exact, verbose, rf))
        if explain:
            text = explain_text(report, layout, _explained(report, layer_names))
            click.echo("\n" + _wrapped(text, _console().width), nl=False)
        return
    if fmt == "json":
        from ..render.json import json_chunks

        _emit(json_chunks(report, layout, depth))  # streamed: its size grows with the layers
    else:
        _emit(RENDERERS[fmt](report, layout, depth))
        if explain:  # markdown: the arithmetic after the table, as text
            click.echo(
                "\n## Worked arithmetic\n\n```\n"
                + explain_text(report, layout, _explained(report, layer_names))
                + "```\n",
                nl=False,
            )


@cli.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    short_help="One layer alone, with its arithmetic.",
)
@click.argument("kind")
@click.option(
    "--input",
    "inputs",
    multiple=True,
    required=True,
    metavar="SHAPE",
    help="the input, like 39x39x3 (in --layout order); a merge takes two or more",
)
@click.option(
    "--layout",
    default=None,
    metavar="LAYOUT",
    help="the order of --input: hwc (the default, channels last) or chw, or for 1-D and 3-D inputs tc, ct, dhwc, cdhw",
)
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@click.pass_context
@user_errors
def layer(ctx, kind, inputs, layout, fmt):
    """One layer alone, with its arithmetic: KIND (see `cnncalc kinds`) and its options as
    --name value, the names of the YAML keys with - for _ (--filters 10 --kernel 3
    --padding same --ceil-mode true). Per-dimension values read 3x5 or 3,5."""
    from .. import api
    from ..render.text import layer_text
    from ..settings import layer_options

    report, xs, layout = api.one_layer(kind, list(inputs), layer_options(kind, ctx.args), layout)
    if fmt == "json":
        import json

        from ..render.json import layer_json

        click.echo(json.dumps(layer_json(report, xs, layout), indent=2, ensure_ascii=False))
    else:
        click.echo(layer_text(report, xs, layout), nl=False)


def _json_error(e: CnnCalcError):
    """With --format json a script reading stdout always gets JSON: the error as data on stdout,
    the message on stderr, and exit code 2."""
    import json

    from ..check import error_dict
    from ..report import SCHEMA_VERSION

    click.echo(json.dumps({"schema_version": SCHEMA_VERSION, "error": error_dict(e)}, indent=2, ensure_ascii=False))
    click.echo(f"Error: {e}", err=True)
    sys.exit(2)


@cli.command(short_help="Check files: answers, budgets, warnings.")
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--answers",
    default=None,
    metavar="KEY",
    help="an answer key for one network: YAML (conv1: {shape: 28x28x6, params: 456}) or CSV "
    "(a name column and one column per quantity)",
)
@budget_options
@click.option("--strict", is_flag=True, help="a warning (a stride that does not divide, …) fails the check")
@click.option(
    "--only-networks",
    is_flag=True,
    help="skip YAML files that are not network files (no layers:), as the pre-commit hook does",
)
@click.option("--input", "input_shape", type=ShapeType(), default=None, help="evaluate at another input")
@click.option("--set", "assignments", type=AssignType(), multiple=True, help="override a network parameter")
@click.option(
    "--dtype",
    type=click.Choice(tuple(DTYPE_BYTES)),
    default="float32",
    show_default=True,
    help="element type for activation and parameter memory",
)
@click.option(
    "--batch", type=CountType(1, MAX_BATCH), default=1, show_default=True, help="batch size for activation memory"
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("text", "json", "github")),
    default="text",
    show_default=True,
    help="github: GitHub Actions annotations (::error file=…,line=…::…)",
)
@user_errors
def check(files, answers, strict, only_networks, input_shape, assignments, dtype, batch, fmt, **bounds):
    """Check network FILES (files, globs, directories of *.yaml, or built-in names): the answers
    written on their layers (expect: {shape: 28x28x6, params: 456}) or in an answer key, their
    budgets (--max-params 5M, or a budget: section; the command line wins), and with --strict
    their warnings. Every file is checked. Exit 0 when all pass, 1 when any check fails (each
    wrong answer with the arithmetic that gives the right one), 2 when any file is invalid."""
    from .. import check as checks
    from ..render.text import check_output
    from ..sources.document import parse_amount

    try:
        limits = [
            checks.Limit(key, parse_amount(value, key, "--" + key.replace("_", "-")), "--" + key.replace("_", "-"))
            for key, value in bounds.items()
            if value is not None
        ]
        checks.refuse_contradictions(limits)
        paths = checks.sources(files)
        if answers and len(paths) != 1:
            raise CnnCalcError(f"--answers is the key of one network, but {len(paths)} files were given")
    except CnnCalcError as e:
        if fmt != "json":
            raise
        _json_error(e)
    results = [
        checks.check_file(path, limits, answers, dict(assignments), input_shape, strict, only_networks, dtype, batch)
        for path in paths
    ]
    click.echo(check_output(results, fmt), nl=False)
    statuses = {r.status for r in results}
    sys.exit(2 if "invalid" in statuses else 1 if "failed" in statuses else 0)


@cli.command(short_help="The settings that take one size to another.")
@click.option("--input", "n", type=CountType(1, MAX_SOLVE_SIZE), required=True, help="the input size n (one dimension)")
@click.option("--output", "wanted", type=CountType(1, MAX_SOLVE_SIZE), required=True, help="the wanted output size")
@click.option("--kernel", type=CountType(1, MAX_SOLVE_KERNEL), default=None, help="fix the kernel")
@click.option("--stride", type=CountType(1, MAX_SOLVE_STRIDE), default=None, help="fix the stride")
@click.option("--dilation", type=CountType(1, MAX_SOLVE_DILATION), default=None, help="fix the dilation")
@click.option("--padding", type=CountType(0, MAX_SOLVE_KERNEL), default=None, help="fix the padding (on each side)")
@click.option("--pool", "mode", flag_value="pool", help="pooling: floor and ceil mode, padding ≤ half the kernel")
@click.option("--transpose", "mode", flag_value="transpose", help="a transposed convolution (upsampling)")
@click.option("--adaptive", "mode", flag_value="adaptive", help="adaptive pooling: its stride and window")
@click.option("--all", "show_all", is_flag=True, help="list every combination, not the first 10")
@user_errors
def solve(n, wanted, kernel, stride, dilation, padding, mode, show_all):
    """Which kernel, stride, dilation and padding take an input size to a wanted output size:
    every combination with kernel ≤ 11, stride ≤ 4, dilation ≤ 4 and padding ≤ kernel, symmetric
    padding first, then the least padding, then the smallest kernel; the first few with their
    arithmetic."""
    from .. import api
    from ..render.text import solve_text

    found = api.solve(n, wanted, mode or "conv", kernel=kernel, stride=stride, dilation=dilation, padding=padding)
    click.echo(solve_text(found, show_all), nl=False)


@cli.command(short_help="A JSON Schema of the network format.")
def schema():
    """Print a JSON Schema (draft 2020-12) of the network format, generated from the layer
    kinds and their options, for editors: cnncalc schema > cnncalc.schema.json."""
    import json

    from ..schema import network_schema

    click.echo(json.dumps(network_schema(), indent=2, ensure_ascii=False))


@cli.command(short_help="Networks side by side, with ratios.")
@click.argument("networks", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option(
    "--layout", type=click.Choice(("hwc", "chw")), default=None, help="shape order (default: each file's own)"
)
@click.option("--dtype", type=click.Choice(tuple(DTYPE_BYTES)), default="float32", show_default=True)
@user_errors
def compare(networks, fmt, layout, dtype):
    """Networks side by side: params, MACs, FLOPs, activation and peak memory, and the ratios
    to the first. Each is NAME or NAME[key=value,…] for its parameters and input, like
    'mobilenet_v1[alpha=0.5,input=160]' (quote it: [ ] mean something to the shell)."""
    from .. import api
    from ..render import render_listing

    _emit(render_listing(api.comparison(networks, layout, dtype), fmt, _width()))


@cli.command(short_help="A grid over parameters and inputs.")
@click.argument("network")
@click.option("--set", "grid", multiple=True, metavar="KEY=V1,V2,…", help="a parameter and its values (repeatable)")
@click.option(
    "--input",
    "inputs",
    default=None,
    metavar="SHAPE,SHAPE,…",
    help="inputs to evaluate at, in --layout order: 224,192,160 or 224x224x3,160x160x3",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--layout", type=click.Choice(("hwc", "chw")), default=None, help="shape order (default: the file's own)")
@click.option("--dtype", type=click.Choice(tuple(DTYPE_BYTES)), default="float32", show_default=True)
@user_errors
def sweep(network, grid, inputs, fmt, layout, dtype):
    """A grid of params, MACs and memory over every combination of parameter values and inputs,
    like --set alpha=1,0.75,0.5,0.25 --input 224,192,160,128 for MobileNet's tables."""
    from .. import api
    from ..render import render_listing
    from ..settings import parse_grid

    values = parse_grid(grid)
    shapes = [s.strip() for s in inputs.split(",")] if inputs else []
    _emit(render_listing(api.sweep(network, values, shapes, layout, dtype), fmt, _width()))


@cli.command(name="list", short_help="The built-in architectures.")
@output_options(takes_input=False)
@click.option("-v", "--verbose", is_flag=True, help="also where each definition comes from (its source)")
@user_errors
def list_(fmt, layout, verbose):
    """List the built-in architectures with input shape, params and MACs."""
    from .. import api
    from ..render import render_listing

    _emit(render_listing(api.builtin_listing(layout), fmt, _width(), verbose))


@cli.command(short_help="The layer kinds and their options.")
@format_option
@user_errors
def kinds(fmt):
    """List the layer kinds, their options with defaults, and what each does."""
    from .. import api
    from ..render import render_listing

    _emit(render_listing(api.kind_listing(), fmt, _width()))


def _wrapped(text: str, width: int) -> str:
    """Long lines wrapped between words at `width`, each continuation indented under its line's
    text (a note's words after `note: `), never a word broken in two."""
    import textwrap

    lines = []
    for line in text.split("\n"):
        body = line.lstrip(" ")
        indent = " " * (len(line) - len(body))
        hang = indent + " " * (len(body.split(": ", 1)[0]) + 2 if body.startswith("note: ") else 4)
        lines.append(
            textwrap.fill(
                body,
                width,
                initial_indent=indent,
                subsequent_indent=hang,
                break_long_words=False,
                break_on_hyphens=False,
            )
            if len(line) > width
            else line
        )
    return "\n".join(lines)


def _explained(report, layer_names) -> set | None:
    """The rows whose arithmetic --layer asked for (the API kept their steps), or None: all."""
    return {row.name for row in report.layers if row.steps} if layer_names else None


def _width() -> int:
    """The width a table must fit: the terminal's, or the pipe's (COLUMNS, else PIPE_WIDTH)."""
    return _console().width


def _emit(rendered):
    """Text (whole or in chunks) goes to stdout as it is; a rich renderable through the console."""
    if isinstance(rendered, str):
        click.echo(rendered, nl=False)
    elif hasattr(rendered, "__next__"):  # text in chunks, written some 64 KB at a time
        buffer, size = [], 0
        for chunk in rendered:
            buffer.append(chunk)
            size += len(chunk)
            if size > 65536:
                click.echo("".join(buffer), nl=False)
                buffer, size = [], 0
        click.echo("".join(buffer), nl=False)
    else:
        _print(rendered)


def main():
    """The console script. Exit codes: 0 done; 2 bad input (CnnCalcError, click's usage
    errors); 1 the output could not be written (a closed pipe, a full disk, closed stdout);
    3 an internal error; 130 interrupted."""
    from ..units import register_ascii_fallback

    register_ascii_fallback()
    for stream in (sys.stdout, sys.stderr):
        # an encoding that cannot show cnncalc's own characters (ASCII, cp1252) gets their ASCII
        # spellings, floor(...), x, -; any other character (in a name) an escape
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure:
            reconfigure(errors="cnncalc-ascii")
    try:
        if sys.stdout is None:
            raise OSError("standard output is closed")
        try:
            cli(prog_name="cnncalc", standalone_mode=False)
        finally:
            sys.stdout.flush()  # here, where a failure can still be reported
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except click.exceptions.Abort:
        sys.exit(1)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except BrokenPipeError:  # `cnncalc … | head`: the reader has gone; nothing left to say
        _silence_stdout()
        sys.exit(1)
    except OSError as e:
        _silence_stdout()
        print(f"Error: cannot write the output: {e.strerror or e}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)


def _silence_stdout():
    """Point stdout at /dev/null, so that the interpreter's last flush has nowhere to fail."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        pass

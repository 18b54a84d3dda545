"""The command line's shared pieces: the argument types (a shape, a bounded count, KEY=VALUE),
the options several commands share (--format and --layout, the budgets), and the wrapper that
turns a user error into a message and exit code 2, never a traceback."""

from __future__ import annotations

import functools
import os

import click

from ..errors import CnnCalcError, shown
from ..limits import MAX_NUMBER_DIGITS
from ..render import FORMATS


class UserError(click.ClickException):
    exit_code = 2


class InternalError(click.ClickException):
    """An exception that is not a user error: a bug in cnncalc. Still no traceback for the
    user (set CNNCALC_DEBUG=1 to see one), but a distinct exit code."""

    exit_code = 3


class ShapeType(click.ParamType):
    """224x224x3 (or 224,224,3 / 224×224×3)."""

    name = "shape"

    def convert(self, value, param, ctx):
        from ..api import parse_shape

        try:
            return parse_shape(value)
        except CnnCalcError as e:
            self.fail(e.message, param, ctx)


class CountType(click.IntRange):
    """A whole number in a range; a value too long to be one is refused without being echoed."""

    def __init__(self, low: int, high: int | None = None):
        super().__init__(min=low, max=high)

    def convert(self, value, param, ctx):
        if isinstance(value, str) and len(value) > MAX_NUMBER_DIGITS:
            self.fail(
                f"a number of {len(value):,} characters; numbers are limited to {MAX_NUMBER_DIGITS} digits", param, ctx
            )
        return super().convert(value, param, ctx)


class AssignType(click.ParamType):
    """KEY=VALUE for network parameters."""

    name = "key=value"

    def convert(self, value, param, ctx):
        from ..settings import parse_assignment

        try:
            return parse_assignment(value)
        except ValueError as e:
            self.fail(str(e), param, ctx)


# --format, for every command that prints a report or a listing
format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="table for people; json, csv or markdown for machines and documents",
)


def output_options(func=None, *, takes_input: bool = True):
    """--format and --layout, shared by every command that prints a report; takes_input: the
    command has an --input, which --layout orders too (list has none)."""
    orders = "shape order for display and for --input" if takes_input else "shape order for display"

    def decorate(func):
        @format_option
        @click.option(
            "--layout",
            type=click.Choice(("hwc", "chw")),
            default=None,
            help=f"{orders}: channels last (H×W×C, as in Ng's course and Keras) or first (C×H×W, as in "
            "PyTorch); default: the file's own order",
        )
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            return func(*args, **kwargs)

        return wrapper

    return decorate(func) if func is not None else decorate


def user_errors(func):
    """Turn CnnCalcError into a message on stderr and exit code 2, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except CnnCalcError as e:
            raise UserError(str(e)) from None
        except (RecursionError, MemoryError) as e:
            # a bound was missed somewhere: say what happened, not where in the code
            raise UserError(f"the input is too large or nested too deeply to analyze ({type(e).__name__})") from None
        except (click.exceptions.Exit, click.ClickException, OSError, KeyboardInterrupt):
            raise  # OSError: writing the output failed (reading errors are CnnCalcErrors)
        except Exception as e:
            if os.environ.get("CNNCALC_DEBUG"):
                raise
            raise InternalError(
                f"internal error, a bug in cnncalc ({type(e).__name__}: {shown(str(e), 200)}); "
                f"please report it with the input (CNNCALC_DEBUG=1 shows the traceback)"
            ) from None

    return wrapper


def budget_options(func):
    """--max-params 5M, --min-macs 600M, --max-activation-memory 100MB, …: one option per limit."""
    from ..sources.document import BUDGET_KEYS, MEMORY

    for key in reversed(BUDGET_KEYS):
        side, what = key.split("_", 1)
        unit = "bytes: 100MB, 1GB, 100MiB" if what in MEMORY else "5M, 600M, 1.5G"
        func = click.option(
            f"--{key.replace('_', '-')}",
            key,
            default=None,
            metavar="AMOUNT",
            help=f"{'fail above' if side == 'max' else 'fail below'} this {what.replace('_', ' ')} ({unit})",
        )(func)
    return func

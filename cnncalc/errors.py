"""User-facing errors. Every one says where (file:line and YAML path), what must hold,
and what was seen. The CLI prints them without a traceback and exits with code 2."""

from __future__ import annotations

from collections import namedtuple


class Loc(namedtuple("Loc", "file line path", defaults=("<input>", None, ""))):
    """Where a value came from: a file, a 1-based line and a YAML path like layers[3].conv."""

    __slots__ = ()

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}" if self.path else where

    def child(self, part: str | int, line: int | None = None) -> "Loc":
        if isinstance(part, int):
            path = f"{self.path}[{part}]"
        else:
            path = f"{self.path}.{part}" if self.path else part
        return Loc(self.file, line if line is not None else self.line, path)


class CnnCalcError(Exception):
    """A user error (bad YAML, bad argument, impossible layer)."""

    exit_code = 2

    def __init__(self, message: str, where: Loc | str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class LayerError(CnnCalcError):
    """A layer that cannot be evaluated on its input (raised by rules, located by the engine)."""


def did_you_mean(word: str, choices) -> str:
    import difflib

    close = difflib.get_close_matches(str(word), sorted(map(str, choices)), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""

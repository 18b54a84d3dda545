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

    def child(self, part: str | int, line: int | None = None) -> Loc:
        if isinstance(part, str) and len(part) > 40:  # a key is the user's text: keep paths short
            part = part[:39] + "…"
        if isinstance(part, int):
            path = f"{self.path}[{part}]"
        else:
            path = f"{self.path}.{part}" if self.path else part
        return Loc(self.file, line if line is not None else self.line, path)


class CnnCalcError(Exception):
    """A user error (bad YAML, bad argument, impossible layer)."""

    exit_code = 2

    def __init__(self, message: str, where=None):
        """where: a Loc, a text such as '--set', or a function that gives one (so that the hot
        path of a valid file never builds the location it would only need for an error)."""
        super().__init__(message)
        self.message = message
        self.where = where() if callable(where) else where

    def __str__(self) -> str:
        return printable(f"{self.where}: {self.message}" if self.where else self.message)


class LayerError(CnnCalcError):
    """A layer that cannot be evaluated on its input (raised by rules, located by the engine)."""


def did_you_mean(word: str, choices) -> str:
    import difflib

    if len(str(word)) > 64:  # no name is that long, and difflib's cost grows with the length
        return ""

    # ReLU is relu, MACs is macs, maxpool is max_pool: case and underscores first, then closeness
    def folded(text):
        return str(text).lower().replace("_", "").replace("-", "")

    same = [str(c) for c in sorted(map(str, choices)) if folded(c) == folded(word)]
    if same:
        return f"; did you mean {shown(same[0])}?"
    close = difflib.get_close_matches(str(word), sorted(map(str, choices)), n=1, cutoff=0.6)
    return f"; did you mean {shown(close[0])}?" if close else ""


def printable(text: str) -> str:
    """Control characters (ANSI escapes, NUL, …) shown as escapes, never sent to a terminal; a
    line break or tab (in a name or a file's name) as ↵ or ⇥, so that a message stays one line
    (a CI log reads a line that starts `::error` as a workflow command)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else "↵" if c == "\n" else "⇥" if c == "\t" else ascii(c)[1:-1] for c in text)


def shown(value, limit: int | None = None) -> str:
    """A user's value as an error message repeats it: like repr(), but bounded in length
    and depth (a 7 MB string, a huge integer or an alias bomb prints in a few characters),
    and with control characters escaped."""
    from .limits import MAX_ECHO

    limit = limit or MAX_ECHO
    text = _Repr().repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return printable(text)


def _Repr():
    import reprlib

    class Bounded(reprlib.Repr):
        def __init__(self):
            super().__init__()
            self.maxlevel, self.maxlist, self.maxdict, self.maxtuple = 3, 6, 6, 6
            self.maxstring, self.maxother, self.maxlong = 60, 60, 40

        def repr_int(self, x, level):
            # repr() of an integer of over 4,300 digits raises; the bit length says its size
            if x.bit_length() > 128:
                return f"<an integer of about {int(x.bit_length() * 0.30103) + 1} digits>"
            return super().repr_int(x, level)

        def repr_YMap(self, x, level):
            return self.repr_dict(x, level)

        def repr_YList(self, x, level):
            return self.repr_list(x, level)

    return Bounded()


class CodedWarning(str):
    """A warning's text that also carries a stable code for machines: inexact-division
    (a stride that does not divide), uneven-windows (adaptive pooling)."""

    code = ""

    def __new__(cls, code: str, text: str):
        if code and code not in WARNING_CODES:  # pragma: no cover - a code must be documented
            raise ValueError(f"undocumented warning code {code!r}")
        warning = super().__new__(cls, text)
        warning.code = code
        return warning


WARNING_CODES = {
    "inexact-division": "a stride does not divide: the floor drops the last rows or columns of input",
    "uneven-windows": "adaptive pooling windows differ in size",
    "padding-only": "a note, not a warning: the floor drops only right padding, no input",
    "stride-gap": "a note: the floor drops no more input than a stride longer than the window skips between windows",
    "field-limit": "a note: the receptive field's numbers would pass 10^15 positions, and it is left undefined",
    "unaligned-field": "a note: at a merge of branches at different effective strides the receptive field is undefined",
    "dead-end": "no layer reads this layer's output and it is not a declared output; its params and MACs still count",
    "shared-weights": "a note: the layer reuses another layer's weights (share:); its params are counted there",
}
# shown by --explain and -v, not as warnings; in JSON with their code
NOTE_CODES = ("padding-only", "stride-gap", "unaligned-field", "field-limit", "shared-weights")


def is_note(warning) -> bool:
    return getattr(warning, "code", "") in NOTE_CODES

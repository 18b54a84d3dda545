"""Units, both ways: the amounts people write (5M, 1.5G, 100MiB, 2TB/s) read exactly, and the
counts and sizes shown to people (61.1M, 46.2 KiB) written in integer arithmetic. The one
place where K, M, G, MiB and the dtypes' sizes are spelled. Standard library only."""

from __future__ import annotations

import math

from .errors import CnnCalcError, shown

# bytes per element of each dtype an activation or a parameter may have
DTYPE_BYTES = {"float64": 8, "float32": 4, "float16": 2, "bfloat16": 2, "int32": 4, "int8": 1, "uint8": 1}

# SI prefixes (powers of 1000) and binary ones (powers of 1024), upper case as they are compared
SI = {"": 1, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15}
BINARY = {"KI": 2**10, "MI": 2**20, "GI": 2**30, "TI": 2**40, "PI": 2**50}
# what a budget takes: a count in K … T; memory in bytes, B, KB … TB or KiB … TiB
COUNT_UNITS = {prefix: size for prefix, size in SI.items() if prefix != "P"}
BYTE_UNITS = {"": 1, **{f"{prefix}B": size for prefix, size in {**COUNT_UNITS, **BINARY}.items() if prefix != "PI"}}
# what a roofline takes: FLOP/s in K … P; bytes per second, B/s, KB/s … PB/s or KiB/s … PiB/s
RATE_UNITS = {f"{prefix}B": size for prefix, size in {**SI, **BINARY}.items()}

_COUNT_NAMES = "K, M, G, T"
_BYTE_NAMES = "B, KB, MB, GB, TB, KiB, MiB, GiB, TiB"


def parse_amount(text, what: str, memory: bool = False, where=None) -> int:
    """'5M' -> 5,000,000; '1.5G' -> 1,500,000,000; '100MiB' -> 104,857,600; 42 -> 42. A count
    takes K, M, G, T; memory (memory=True) takes B, KB, MB, GB, TB (powers of 1000) and KiB,
    MiB, GiB, TiB (1024). Read as a decimal, so 1.5G is exactly 1,500,000,000."""
    import re
    from decimal import Decimal, InvalidOperation

    units = BYTE_UNITS if memory else COUNT_UNITS
    allowed = _BYTE_NAMES if memory else _COUNT_NAMES
    if isinstance(text, int) and not isinstance(text, bool) and text >= 0:
        return text
    if isinstance(text, float) and math.isfinite(text):
        text = repr(text)  # 1.5e9 from YAML: Decimal reads its exact digits
    match = (
        re.fullmatch(r"\s*([0-9]{1,30}(?:\.[0-9]{1,30})?(?:[eE][+-]?[0-9]{1,2})?)\s*([A-Za-z]{0,3})\s*", text)
        if isinstance(text, str)
        else None
    )
    unit = match.group(2).upper() if match else ""
    if not match or unit not in units:
        raise CnnCalcError(
            f"{what} must be a whole number or a number with a unit ({allowed}), like "
            f"{'100MB' if memory else '5M'}, but saw {shown(text)}",
            where,
        )
    try:
        value = Decimal(match.group(1)) * units[unit]
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise CnnCalcError(f"{what}: {shown(text)} is not a number", where) from None
    if value != value.to_integral_value():
        raise CnnCalcError(f"{what} must come to a whole number, but {shown(text)} is {value}", where)
    return int(value)


def parse_rates(text) -> tuple[float, float] | None:
    """'312T,2TB/s' -> (312·10^12 FLOP/s, 2·10^12 bytes/s), or None when it is not that form."""
    import re
    from decimal import Decimal

    match = re.fullmatch(
        r"\s*([0-9]{1,20}(?:\.[0-9]{1,20})?)\s*([KMGTP]?)\s*(?:FLOPS|FLOP/S)?\s*,"
        r"\s*([0-9]{1,20}(?:\.[0-9]{1,20})?)\s*([KMGTP]?I?B)\s*/\s*S\s*",
        str(text).upper(),
    )
    if not match or match.group(2) not in SI or match.group(4) not in RATE_UNITS:
        return None
    return (
        float(Decimal(match.group(1)) * SI[match.group(2)]),
        float(Decimal(match.group(3)) * RATE_UNITS[match.group(4)]),
    )


class Rounded(tuple):
    """An answer written rounded, as students write figures: 352.8K, 353K, 2.4M. It matches a
    count that, rounded half up to the answer's own precision (the unit of its last digit: 100
    for 352.8K, 1,000 for 353K), equals it: 352,800 matches both, and not 350K."""

    __slots__ = ()

    def __new__(cls, text: str, value: int, step: int):
        return super().__new__(cls, (text, value, step))

    @property
    def text(self) -> str:
        return self[0]

    def matches(self, count: int) -> bool:
        _, value, step = self
        return (2 * count + step) // (2 * step) * step == value


def parse_answer(text) -> int | Rounded | None:
    """A count as an answer key gives it: a whole number (4704, 4,704 as tables print it) or a
    rounded figure in the budgets' units (K, M, G, T: 1M, 980K, 352.8K); None when it is neither."""
    import re
    from decimal import Decimal

    text = str(text).strip()
    if re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})+|[0-9]{1,40}", text):
        return int(text.replace(",", ""))  # 4,704 as printed in a table; 4,56 is not a number
    match = re.fullmatch(r"([0-9]{1,15})(?:\.([0-9]{1,15}))?\s*([KMGT])", text, re.IGNORECASE)
    if not match:
        return None
    whole, decimals, unit = match.group(1), match.group(2) or "", match.group(3).upper()
    size = COUNT_UNITS[unit]
    step = Decimal(size).scaleb(-len(decimals))  # the unit of the answer's last digit
    if step < 1:  # more decimals than the unit has digits: an exact count after all
        value = Decimal(f"{whole}.{decimals}") * size
        return int(value) if value == value.to_integral_value() else None
    return Rounded(text, int(Decimal(f"{whole}.{decimals or 0}") * size), int(step))


# --- shown to people ----------------------------------------------------------------------

_SHOWN = ((10**18, "E"), (10**15, "P"), (10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "K"))
_SHOWN_BYTES = ((2**60, "EiB"), (2**50, "PiB"), (2**40, "TiB"), (2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB"))


def _scaled(n: int, units, sep: str = "") -> str | None:
    """n in the largest unit that keeps it at 1.0 or more, to one decimal, rounded half up in
    integer arithmetic (floats would print 1000.0K for 999,950, and overflow past 10**308)."""
    sign, n = ("-" if n < 0 else ""), abs(n)
    for i, (size, unit) in enumerate(units):
        if n >= size:
            tenths = (20 * n + size) // (2 * size)
            if tenths >= 10_000 and i > 0:  # 999,950 -> 1000.0K: say 1.0M instead
                size, unit = units[i - 1]
                tenths = (20 * n + size) // (2 * size)
            return f"{sign}{tenths // 10:,}.{tenths % 10}{sep}{unit}"
    return None


def human(n: int) -> str:
    """61,100,840 -> 61.1M (SI units, one decimal); past 1000E, 1.23e+21E reads worse than 1.23e+39."""
    if abs(n) >= 1000 * _SHOWN[0][0]:
        return _scientific(n)
    return _scaled(n, _SHOWN) or str(n)


def _scientific(n: int) -> str:
    digits = len(str(abs(n))) if n.bit_length() < 10_000 else int(n.bit_length() * 0.30103) + 1
    lead = str(abs(n))[:3] if n.bit_length() < 10_000 else "1"
    return f"{'-' if n < 0 else ''}{lead[0]}.{lead[1:3] or '0'}e+{digits - 1}"


def human_bytes(n: int) -> str:
    """47,360 -> 46.2 KiB (binary units, one decimal)."""
    if abs(n) >= 1024 * _SHOWN_BYTES[0][0]:
        return _scientific(n) + " B"
    return _scaled(n, _SHOWN_BYTES, " ") or f"{n} B"


# --- for a terminal that cannot show them ---------------------------------------------------

# cnncalc's own characters, spelled in ASCII where an encoding has no place for them; a table's
# characters one for one, so that its columns stay aligned
ASCII_SPELLINGS = {
    "⌊": "floor(",
    "⌋": ")",
    "⌈": "ceil(",
    "⌉": ")",
    "×": "x",
    "−": "-",
    "·": "*",
    "…": "~",
    "→": "->",
    "≤": "<=",
    "≥": ">=",
    "—": "-",
    "─": "-",
    "━": "-",
    "│": "|",
    "↵": "\\n",
    "⇥": "\\t",
    "γ": "gamma",
    "β": "beta",
    "²": "^2",
    "√": "sqrt",
    "▏": "#",
    "▎": "#",
    "▍": "#",
    "▌": "#",
    "▋": "#",
    "▊": "#",
    "▉": "#",
    "█": "#",
}


def _ascii_fallback(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):  # pragma: no cover - registered for encoding only
        raise error
    text = error.object[error.start : error.end]
    return "".join(ASCII_SPELLINGS.get(c) or c.encode("ascii", "backslashreplace").decode() for c in text), error.end


def register_ascii_fallback() -> None:
    """The codec error handler 'cnncalc-ascii': ASCII_SPELLINGS, else a backslash escape."""
    import codecs

    codecs.register_error("cnncalc-ascii", _ascii_fallback)

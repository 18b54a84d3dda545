"""A kind's options as a file (or `cnncalc layer`) writes them, checked against the kind's
declared Opt's: each value typed, bounded and normalized where it is written (2.0 is 2, a
padding pair a tuple), and an unknown option named with a suggestion. Standard library only."""

from __future__ import annotations

import math
from functools import partial

from ..errors import CnnCalcError, did_you_mean, shown
from ..kinds import REQUIRED, Opt
from ..limits import MAX_SIZE

# taken by every layer, besides its options: its name, a repeat count, answers to check, the
# layer it reads (instead of the one above), the layer whose weights it reuses, and a condition
LAYER_KEYS = ("name", "repeat", "expect", "from", "share", "when")
# PyTorch's and Keras's option names, and ours
FRAMEWORK_OPTIONS = {
    "kernel_size": "kernel",
    "strides": "stride",
    "out_channels": "filters",
    "out_features": "units",
    "dilation_rate": "dilation",
    "output_size": "output_size",
    "pool_size": "kernel",
    "eps": "epsilon",
    "p": "rate",
    "depth_multiplier": "depth_multiplier",
}


def is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def as_int(v):
    """2.0 -> 2: YAML and expressions give floats where a whole number is meant. Only where
    the float is exact: above 2**53 a float is not a whole number one can trust (1.0e+23 is
    99,999,999,999,999,991,611,392), so it stays a float and is refused where an int is needed."""
    if isinstance(v, float) and v.is_integer() and abs(v) <= 2**53:
        return int(v)
    return v


def check_option(name: str, opt: Opt, value, where):
    """Validate one option value against its declared type and bounds; return it normalized."""
    value = _check_type(name, opt, value, where)
    if value is None:
        return value
    numbers = value if isinstance(value, list) else [value]
    if opt.type == "padding":
        numbers = [v for p in numbers for v in (p if isinstance(p, list) else [p]) if is_int(v)]
    elif opt.type not in ("int", "ints", "float"):
        return value
    # every whole-number size is bounded, declared or not: no rule should meet 10**300
    high = opt.high if opt.high is not None or opt.type == "float" else MAX_SIZE
    if opt.low is not None and any(v < opt.low for v in numbers):
        raise CnnCalcError(f"{name} must be at least {opt.low}, but saw {shown(value)}", where)
    if high is not None and any(v > high for v in numbers):
        raise CnnCalcError(f"{name} must be at most {high:,}, but saw {shown(value)}", where)
    return value


def _check_type(name, opt, value, where):
    t = opt.type
    if value is None and opt.default is None:
        return None
    if t in ("int", "ints"):
        v = as_int(value)
        if is_int(v):
            return v
        if t == "ints" and isinstance(value, list) and value and all(is_int(as_int(x)) for x in value):
            return [as_int(x) for x in value]
        need = (
            "a whole number" if t == "int" else "a whole number or a list of whole numbers (one per spatial dimension)"
        )
    elif t == "padding":
        v = as_int(value)
        if is_int(v) or v in ("same", "valid"):
            return v
        if isinstance(value, list) and value:
            items = [_padding_item(p) for p in value]
            if None not in items:
                return items
        need = "a whole number, 'same', 'valid', a list of numbers or a list of [before, after] pairs"
        if isinstance(value, str):
            hint = (
                f"; did you mean '{value.lower()}'?"
                if value.lower() in ("same", "valid")
                else did_you_mean(value, ("same", "valid"))
            )
            raise CnnCalcError(f"{name} must be {need}, but saw {shown(value)}{hint}", where)
    elif t == "bool":
        if isinstance(value, bool):
            return value
        need = "true or false"
    elif t == "float":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if math.isfinite(value):
                return value
            need = "a finite number"
        else:
            need = "a number"
    elif t == "name":
        if isinstance(value, str) and value.strip():
            return value.strip()
        need = "the name of an earlier layer"
    elif t == "choice":
        if value in opt.choices:
            return value
        raise CnnCalcError(
            f"{name} must be one of {', '.join(opt.choices)}, but saw {shown(value)}{did_you_mean(value, opt.choices)}",
            where,
        )
    else:  # pragma: no cover - a registry mistake, not a user error
        raise AssertionError(f"unknown option type {t}")
    raise CnnCalcError(f"{name} must be {need}, but saw {shown(value)}", where)


def _padding_item(p):
    """One dimension's padding in a list: n, or [before, after]; None when it is neither."""
    p = as_int(p)
    if is_int(p):
        return p
    if isinstance(p, list) and len(p) == 2 and all(is_int(as_int(x)) for x in p):
        return [as_int(x) for x in p]
    return None


def check_options(kind: str, options: dict, values: dict, where, loc, merge: bool = False, spell=repr) -> dict:
    """A layer's option values (already substituted) -> its validated attributes, defaults
    filled in. where(key) locates one option; loc the layer; spell(key) names an option in
    a message ('filters' in a file, --filters on the command line)."""
    attrs = {}
    for k, v in values.items():
        if k == "branches" and merge:
            continue
        if k not in options:
            allowed = list(options) + list(LAYER_KEYS)
            alias = FRAMEWORK_OPTIONS.get(str(k))
            hint = (
                f"; did you mean {spell(alias)}?"
                if alias in options
                else other_kind_hint(kind, str(k), spell) or did_you_mean(k, allowed + (["branches"] if merge else []))
            )
            raise CnnCalcError(f"unknown key {shown(k)} for {kind}{hint} (allowed: {', '.join(allowed)})", where(k))
        attrs[k] = check_option(k, options[k], v, partial(where, k))
    for k, opt in options.items():
        if k not in attrs:
            if opt.default is REQUIRED:
                raise CnnCalcError(f"{kind} needs {spell(k)} ({opt.help or opt.type})", loc)
            attrs[k] = opt.default
    return attrs


def other_kind_hint(kind: str, key: str, spell) -> str:
    """When another framework's name for a different kind is this kind's name (PyTorch's Linear is
    cnncalc's dense, and linear here is an activation), and the key is that kind's option: the
    hint to write that kind."""
    from ..kinds import KINDS, alias_of

    other = alias_of(kind)
    option = key if other in KINDS and key in KINDS[other].options else FRAMEWORK_OPTIONS.get(key)
    if other is None or other == kind or other not in KINDS or option not in KINDS[other].options:
        return ""
    return f"; did you mean the kind {other!r}, with {spell(option)}? (here {kind} is an {KINDS[kind].help})"

"""Settings written as text, on the command line or in a network's name: `--set alpha=0.5`,
`compare 'mobilenet_v1[alpha=0.5,input=160]'`, `sweep --set alpha=1,0.5`, and the values they
take, and a layer's options as `cnncalc layer` takes them (--filters 10 --kernel 3x5). One
reading for the CLI and the API, so the two cannot differ. Standard library only."""

from __future__ import annotations

from .errors import CnnCalcError, shown
from .limits import MAX_NUMBER_DIGITS


def parse_value(text: str):
    """A --set value: true or false, a whole number or a finite number when it reads as one,
    else the text (an expression or a word). ValueError for a number of more than
    MAX_NUMBER_DIGITS digits and for inf and nan."""
    import math
    import re

    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if re.fullmatch(r"[-+]?[0-9_]+|[-+]?[0-9.]+(e[-+]?[0-9]+)?|[-+]?(inf|infinity|nan)", text, re.I):
        if len(text) > MAX_NUMBER_DIGITS:
            raise ValueError(f"a number of {len(text):,} characters; numbers are limited to {MAX_NUMBER_DIGITS} digits")
        try:
            return int(text)
        except ValueError:
            pass
        try:
            value = float(text)
        except ValueError:
            return text
        if not math.isfinite(value):
            raise ValueError(f"{text} is not a finite number")
        return value
    return text


def setting_value(text: str):
    """parse_value, with a CnnCalcError for what it refuses."""
    try:
        return parse_value(text)
    except ValueError as e:
        raise CnnCalcError(str(e)) from None


def split_setting(text: str) -> tuple[str, str] | None:
    """'alpha = 0.5' -> ('alpha', '0.5'): the key and the value's text, both stripped; None
    unless it is KEY=VALUE with both present."""
    key, sep, value = str(text).partition("=")
    if not sep or not key.strip() or not value.strip():
        return None
    return key.strip(), value.strip()


def parse_assignment(text: str) -> tuple[str, object]:
    """--set's KEY=VALUE -> (key, value); ValueError saying what is wrong."""
    setting = split_setting(text)
    if setting is None:
        raise ValueError(f"expected KEY=VALUE such as alpha=0.5, but saw {shown(text)}")
    key, value = setting
    try:
        return key, parse_value(value)
    except ValueError as e:
        raise ValueError(f"{key}: {e}") from None


def parse_operand(text: str) -> tuple[str, dict, str | None]:
    """compare's operand: NAME, or NAME[key=value,…,input=SHAPE] -> (name, params, input)."""
    import re

    match = re.fullmatch(r"\s*([^\[\]]+?)\s*(?:\[([^\[\]]*)\])?\s*", str(text))
    if not match:
        raise CnnCalcError(
            f"a network to compare is NAME or NAME[key=value,…], like mobilenet_v1[alpha=0.5], but saw {shown(text)}"
        )
    params, shape = {}, None
    for item in filter(None, (part.strip() for part in (match.group(2) or "").split(","))):
        setting = split_setting(item)
        if setting is None:
            raise CnnCalcError(f"a setting is key=value, like alpha=0.5 or input=160x160, but saw {shown(item)}")
        key, value = setting
        if key == "input":
            shape = value
        else:
            params[key] = setting_value(value)
    return match.group(1), params, shape


def parse_grid(items) -> dict:
    """sweep's --set KEY=V1,V2,… (repeatable) -> {key: [values]}; a key may be given once."""
    grid: dict = {}
    for item in items:
        setting = split_setting(item)
        if setting is None:
            raise CnnCalcError(f"--set takes KEY=V1,V2,…, like alpha=1,0.5, but saw {shown(item)}", "--set")
        key, values = setting
        if key in grid:
            raise CnnCalcError(f"{shown(key)} is given twice; give its values once, like {key}=1,0.5", "--set")
        grid[key] = [setting_value(v.strip()) for v in values.split(",")]
    return grid


def layer_options(kind: str, args: list) -> dict:
    """--filters 10 --kernel 3x5 --bias false -> {'filters': 10, 'kernel': [3, 5], 'bias': False},
    each value read as the kind's option type declares; unknown names get a suggestion."""
    from .errors import did_you_mean
    from .kinds import KINDS
    from .sources.document import check_kind
    from .sources.options import LAYER_KEYS, other_kind_hint

    known = check_kind(kind, KINDS, (), "layer")  # an unknown kind first, with did-you-mean
    declared = known.options
    options, i = {}, 0
    while i < len(args):
        word = args[i]
        name, eq, value = word[2:].partition("=") if word.startswith("--") else ("", "", "")
        key = name.replace("-", "_")
        if not key:
            raise CnnCalcError(f"expected an option such as --filters 10, but saw {shown(word)}")
        if key not in declared or key in LAYER_KEYS:
            allowed = ", ".join("--" + k.replace("_", "-") for k in declared) or "none"
            hint = other_kind_hint(kind, key, lambda k: "--" + k.replace("_", "-")) or did_you_mean(
                "--" + name, ["--" + k.replace("_", "-") for k in declared]
            )
            raise CnnCalcError(f"{kind} takes no option --{name}{hint} (its options: {allowed})", "layer")
        if not eq:
            if i + 1 >= len(args):
                raise CnnCalcError(f"--{name} needs a value", "layer")
            value, i = args[i + 1], i + 1
        options[key] = option_value(value, declared[key].type)
        i += 1
    return options


def option_value(text: str, kind: str):
    """A command-line value in the YAML forms: 3, 3x5 or 3,5 per dimension, same/valid, true/false,
    a number, or a YAML list such as [[0,1],[2,1]] (padding pairs)."""
    import re

    from .layout import SIZE_SEPARATOR, split_sizes

    text = text.strip()
    if text.startswith("["):
        from .sources.yaml_text import load_yaml

        return load_yaml(text, "--option")
    if kind in ("ints", "padding") and re.fullmatch(rf"-?\d+({SIZE_SEPARATOR}-?\d+)+", text):
        return [int(v) for v in split_sizes(text) if len(v) <= MAX_NUMBER_DIGITS] or text
    if kind != "bool" and text.lower() in ("true", "false"):
        return text  # a word where a number is meant: the option's check names it
    try:
        return parse_value(text)
    except ValueError:
        return text

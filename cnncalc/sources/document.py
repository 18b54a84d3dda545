"""The network format: a document's keys checked where they are written, before anything is
built. Its vocabulary (the top-level, block and layer keys, what `expect:` states, what a
budget bounds) is defined here, and the schema and the CLI read it from here.

  check_document          the top level: known keys, input and layers present, params, blocks
  parse_input             `input:` -> (layout, channels-first shape)
  read_entry, check_*     a layer entry, its name, repeat, kind, branches and answers
  block_params/block_args a block's declared params, and the arguments of a call
  check_budget_section    a file's `budget:`"""

from __future__ import annotations

import math

from ..errors import CnnCalcError, Loc, did_you_mean, shown
from ..expr import substitute
from ..kinds import alias_of
from ..layout import LAYOUTS, Shape, to_channels_first
from ..limits import MAX_NODES, MAX_NUMBER_DIGITS, MAX_SIZE
from .options import LAYER_KEYS, as_int, is_int
from .yaml_text import line_of

TOP_KEYS = ("name", "description", "source", "params", "variants", "input", "blocks", "layers", "outputs", "budget")
BLOCK_KEYS = ("params", "layers", "description")
# what `expect:` and an answer key may state of a layer
EXPECTED = ("shape", "params", "weights", "biases", "non_trainable_params", "macs", "flops", "activation_size")


def check_document(doc, file: str, reserved=()) -> None:
    """The top level of a network file and the form of its block definitions. reserved:
    names a block must not take (the layer kinds)."""
    root = Loc(file, getattr(doc, "line", None))
    if doc is None:  # no text, or only comments and blank lines
        raise CnnCalcError("the file is empty: a network file is a mapping with name, input and layers", root)
    if not isinstance(doc, dict):
        raise CnnCalcError(
            f"a network file is a mapping with name, input and layers, but saw {type(doc).__name__}", root
        )
    for key in doc:
        if key not in TOP_KEYS:
            raise CnnCalcError(
                f"unknown top-level key {shown(key)}{did_you_mean(key, TOP_KEYS)} (allowed: {', '.join(TOP_KEYS)})",
                root.child(key, line_of(doc, key)),
            )
    for key in ("input", "layers"):
        if key not in doc:
            raise CnnCalcError(f"a network file needs {shown(key)}", root)
    params = doc.get("params") or {}
    ploc = root.child("params", line_of(doc, "params"))
    if not isinstance(params, dict):
        raise CnnCalcError(f"params must be a mapping of name to default value, but saw {shown(params)}", ploc)
    for key, value in params.items():
        check_param(key, value, ploc.child(key, line_of(params, key)))
    variants = doc.get("variants") or {}
    vloc = root.child("variants", line_of(doc, "variants"))
    if not isinstance(variants, dict):
        raise CnnCalcError(
            f"variants must be a mapping of variant name to parameter values, but saw {shown(variants)}", vloc
        )
    for name, values in variants.items():
        where = vloc.child(name, line_of(variants, name))
        if not isinstance(name, str) or not name.isidentifier() or not isinstance(values or {}, dict):
            raise CnnCalcError(
                f"a variant is a name and a mapping of parameter values, but saw {shown(name)}: {shown(values)}", where
            )
        for key, value in (values or {}).items():
            if key not in params:
                raise CnnCalcError(
                    f"variant {name} sets {shown(key)}, which is not a parameter"
                    f"{did_you_mean(key, params)} (params: {', '.join(params) or 'none'})",
                    where.child(key, line_of(values, key)),
                )
            check_param(key, value, where.child(key, line_of(values, key)))
    if "budget" in doc:
        check_budget_section(doc["budget"], root.child("budget", line_of(doc, "budget")))
    blocks = doc.get("blocks") or {}
    bloc = Loc(file, line_of(doc, "blocks"), "blocks")
    if not isinstance(blocks, dict):
        raise CnnCalcError(f"blocks must be a mapping of block name to definition, but saw {shown(blocks)}", bloc)
    for name, block in blocks.items():
        where = bloc.child(name, line_of(blocks, name))
        if name in reserved:
            raise CnnCalcError(f"block name {shown(name)} is a layer kind; choose another name", where)
        if not isinstance(block, dict) or "layers" not in block:
            raise CnnCalcError(f"a block is a mapping with layers (and optional params), but saw {shown(block)}", where)
        for key in block:
            if key not in BLOCK_KEYS:
                raise CnnCalcError(
                    f"unknown key {shown(key)} in block{did_you_mean(key, BLOCK_KEYS)}",
                    where.child(key, line_of(block, key)),
                )
        # checked once, where they are written, whether or not the block is called
        block_params(block, name, where.child("params", line_of(block, "params", where.line)))


# --- layer entries and block calls ---------------------------------------------------------


def read_entry(item, loc) -> tuple[str, dict]:
    """One entry of a layer list: `kind` or `kind: {options}` -> (kind or block name, options)."""
    if isinstance(item, str):
        return item, {}
    if isinstance(item, dict) and len(item) == 1:
        key, opts = next(iter(item.items()))
        opts = {} if opts is None else opts
        if not isinstance(opts, dict):
            raise CnnCalcError(f"the options of {key} must be a mapping, but saw {shown(opts)}", loc.child(key))
        return key, opts
    raise CnnCalcError(
        "each layer is a one-key mapping such as `conv: {filters: 64, kernel: 3}` "
        f"or a bare kind such as `flatten`, but saw {shown(item)}",
        loc,
    )


def check_name(name, where):
    """A layer or block-call name: a word without dots; a whole number (`name: 0`, or `${i}`)
    is taken as its digits, as torchvision numbers its Sequential children."""
    if is_int(name) and name >= 0:
        return str(name)
    if name is not None and (not isinstance(name, str) or not name or "." in name):
        raise CnnCalcError(f"name must be a word without dots, but saw {shown(name)}", where)
    if name == "input":
        raise CnnCalcError(
            "the name input is taken: it stands for the network's input, and inside a block or branch for its input",
            where,
        )
    return name


def check_source(value, where, key: str = "from", many: bool = True):
    """A reference to earlier layers (`from`, `share`, an output): a name, or for a merge's
    `from` a list of two names or more. Names may be dotted (block1.conv2); a whole number is
    a name (`from: 0`), as for `name:`."""
    if is_int(value) and value >= 0:
        return str(value)
    if isinstance(value, list):
        value = [str(v) if is_int(v) and v >= 0 else v for v in value]
    if isinstance(value, str) and value.strip():
        return value.strip()
    if many and isinstance(value, list) and len(value) >= 2 and all(isinstance(v, str) and v.strip() for v in value):
        return [v.strip() for v in value]
    need = "a layer name, or for a merge a list of two layer names or more" if many else "a layer name"
    raise CnnCalcError(f"{key} must be {need}, but saw {shown(value)}", where)


def check_when(value, where) -> bool:
    """`when: ${aux_logits}`: true keeps the entry, false leaves it out."""
    if isinstance(value, bool):
        return value
    raise CnnCalcError(
        f"when must be true or false (a true/false parameter such as ${{aux_logits}}), but saw {shown(value)}", where
    )


def check_repeat(repeat, where) -> int:
    repeat = as_int(repeat)
    if not is_int(repeat) or repeat < 1:
        raise CnnCalcError(f"repeat must be a whole number of at least 1, but saw {shown(repeat)}", where)
    if repeat > MAX_NODES:
        raise CnnCalcError(f"repeat must be at most {MAX_NODES:,}, but saw {repeat:,}", where)
    return repeat


def check_kind(key: str, kinds: dict, blocks, loc, list_all: bool = True):
    """The registered kind called `key` (the input is not one a file may write)."""
    kind = kinds.get(key)
    if kind is None or key == "input":
        known = [k for k in kinds if k != "input"] + list(blocks)
        alias = alias_of(key)
        hint = f"; did you mean '{alias}'?" if alias else did_you_mean(key, known)
        listed = f" (the kinds: {', '.join(known)})" if list_all else " (see `cnncalc kinds`)"
        raise CnnCalcError(f"unknown layer kind {shown(key)}{hint}{listed}", loc)
    return kind


def branch_keys(kind: str, branches, where) -> list:
    """The keys of a merge's branches: a mapping's names, or a list's indexes; two at least."""
    if isinstance(branches, dict):
        keys = list(branches)
    elif isinstance(branches, list):
        keys = list(range(len(branches)))
    else:
        raise CnnCalcError(
            f"{kind} needs branches: a list of layer lists (an empty list is the "
            f"identity), or from: a list of layer names, but saw {shown(branches)}",
            where,
        )
    if len(keys) < 2:
        raise CnnCalcError(f"{kind} needs at least 2 branches, but saw {len(keys)}", where)
    return keys


def block_args(name: str, declared: dict, values: dict, where, loc) -> dict:
    """A block call's arguments, with the block's defaults, checked against its params."""
    args = {p: d for p, d in declared.items() if d is not None}
    for k, v in values.items():
        if k not in declared:
            hint = did_you_mean(k, list(declared) + list(LAYER_KEYS))
            raise CnnCalcError(
                f"unknown argument {shown(k)} for block {name}{hint} (its params: {', '.join(declared) or 'none'})",
                where(k),
            )
        args[k] = v
    missing = [p for p, d in declared.items() if d is None and p not in values]
    if missing:
        raise CnnCalcError(f"block {name} needs {', '.join(missing)}", loc)
    return args


# what students and the JSON call a quantity, folded (lower case, _ for spaces and hyphens)
EXPECTED_ALIASES = {"output_shape": "shape", "activations": "activation_size", "mult_adds": "macs"}


def expected_key(key) -> str | None:
    """An answer key's name for a quantity -> ours: any case (MACs), the JSON's names (output_shape)."""
    folded = str(key).strip().lower().replace(" ", "_").replace("-", "_")
    folded = EXPECTED_ALIASES.get(folded, folded)
    return folded if folded in EXPECTED else None


def check_expect(expect, where) -> dict:
    """`expect: {shape: 28x28x6, params: 456}` -> {'shape': (28, 28, 6), 'params': 456}, with
    the location of each value. A shape is written in the file's own layout; Keras's batch
    (None, 28, 28, 6) and PyTorch's (1, 6, 28, 28) are read too (see check.check). A count is a
    whole number, or rounded in K, M, G, T (352.8K), matched at its own precision."""
    from ..units import parse_answer

    if not isinstance(expect, dict) or not expect:
        raise CnnCalcError(f"expect is a mapping of {', '.join(EXPECTED)} to values, but saw {shown(expect)}", where)
    checked = {}
    for written, value in expect.items():
        at = where.child(written, line_of(expect, written, where.line)) if isinstance(where, Loc) else where
        key = expected_key(written)
        if key is None:
            raise CnnCalcError(
                f"expect takes {', '.join(EXPECTED)}, but saw {shown(written)}{did_you_mean(written, EXPECTED)}", at
            )
        if key in checked:
            raise CnnCalcError(f"expect states {key} twice (as {shown(written)} too)", at)
        if key == "shape":
            checked[key] = (_expected_shape(value, at), at)
            continue
        value = as_int(value)
        if isinstance(value, str):
            value = parse_answer(value) if len(value) <= 60 else None
        if value is None or is_int(value) and value < 0 or not is_int(value) and not hasattr(value, "matches"):
            raise CnnCalcError(
                f"expect.{key} must be a whole number, or rounded like 352.8K or 1.2M, but saw "
                f"{shown(expect[written])}",
                at,
            )
        checked[key] = (value, at)
    return checked


def _expected_shape(value, where) -> tuple:
    """28x28x6, [28, 28, 6], Keras's (None, 28, 28, 6) or [null, 28, 28, 6]: the sizes, without
    Keras's batch (None); a batch of 1 written first stays, for check.check to recognize."""
    from ..layout import sizes_of

    if isinstance(value, str):
        text = value.strip().lower()
        if text[:1] in "([" and text[-1:] in ")]":
            text = text[1:-1]
        parts = [p.strip() for p in text.replace("×", ",").replace("x", ",").split(",")]
        if parts and parts[0].lower() == "none":
            parts = parts[1:]
        value = ",".join(parts)
    elif isinstance(value, list) and value and value[0] is None:
        value = value[1:]
    shape = sizes_of(value, 1, MAX_SIZE, MAX_NUMBER_DIGITS)
    if shape is None:
        raise CnnCalcError(
            f"expect.shape is sizes like 28x28x6, [28, 28, 6] or Keras's (None, 28, 28, 6), but saw {shown(value)}",
            where,
        )
    return shape


# --- budgets (cnncalc check) --------------------------------------------------------------

# what a budget may bound: counts (K, M, G, T: powers of 1000) and memory (bytes)
COUNTS = ("params", "macs", "flops")
MEMORY = ("activation_memory", "param_memory", "peak_memory")
BUDGET_KEYS = tuple(f"{side}_{what}" for what in COUNTS + MEMORY for side in ("max", "min"))


def parse_amount(text, key: str, where=None) -> int:
    """A budget's bound: a count (K, M, G, T) or, for a memory key, bytes (see units)."""
    from ..units import parse_amount as amount

    return amount(text, key, key.split("_", 1)[1] in MEMORY, where)


def check_budget_section(budget, where) -> list[tuple[str, int, Loc]]:
    """A file's `budget:` section -> (key, bound, where) for each limit, checked where written."""
    if not isinstance(budget, dict):
        raise CnnCalcError(
            f"budget is a mapping like {{max_params: 5M, max_macs: 600M}}, but saw {shown(budget)}", where
        )
    limits = []
    for key, value in budget.items():
        at = where.child(key, line_of(budget, key, where.line))
        if key not in BUDGET_KEYS:
            raise CnnCalcError(
                f"budget takes {', '.join(BUDGET_KEYS)}, but saw {shown(key)}{did_you_mean(key, BUDGET_KEYS)}", at
            )
        limits.append((key, parse_amount(value, key, at), at))
    return limits


def check_param(name, value, where) -> None:
    """A network parameter (in the file, from --set or from the API) is a number, a boolean
    or text (an expression); nothing else can reach an expression or the JSON report."""
    if not isinstance(name, str) or not name.isidentifier():
        raise CnnCalcError(f"a parameter name must be a word like alpha, but saw {shown(name)}", where)
    if isinstance(value, float) and not math.isfinite(value):
        raise CnnCalcError(f"parameter {name} must be a finite number, but saw {shown(value)}", where)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**MAX_NUMBER_DIGITS:
        raise CnnCalcError(f"parameter {name} is a number of more than {MAX_NUMBER_DIGITS} digits", where)
    if not isinstance(value, (int, float, str)):
        raise CnnCalcError(
            f"parameter {name} must be a number, true/false or an expression, but saw {shown(value)}", where
        )


def block_params(block, name: str, loc) -> dict:
    """A block's declared params as {name: default}, None marking a required one."""
    declared = block.get("params") or {}
    if isinstance(declared, list) and all(isinstance(p, str) for p in declared):
        declared = dict.fromkeys(declared)
    if not isinstance(declared, dict) or not all(isinstance(p, str) for p in declared):
        raise CnnCalcError(
            f"the params of block {shown(name)} must be a mapping of name to default "
            f"(null when required) or a list of names, but saw {shown(declared)}",
            loc,
        )
    return declared


def parse_input(spec, scope: dict, loc) -> tuple[str, Shape]:
    """`input: {shape: [224, 224, 3], layout: HWC}` -> ('HWC', (3, 224, 224))."""
    if not isinstance(spec, dict):
        raise CnnCalcError(
            f"input must be a mapping like {{shape: [224, 224, 3], layout: HWC}}, but saw {shown(spec)}", loc
        )
    for key in spec:
        if key not in ("shape", "layout"):
            raise CnnCalcError(
                f"unknown key {shown(key)} in input{did_you_mean(key, ('shape', 'layout'))}",
                loc.child(key, line_of(spec, key)),
            )
    if "shape" not in spec or "layout" not in spec:
        raise CnnCalcError(
            "input needs both shape and layout (for example shape: [224, 224, 3] and "
            "layout: HWC), so that [3, 224, 224] is never guessed",
            loc,
        )
    layout = str(spec["layout"]).upper()
    if layout not in LAYOUTS:
        raise CnnCalcError(
            f"layout must be one of {', '.join(LAYOUTS)}, but saw {shown(spec['layout'])}",
            loc.child("layout", line_of(spec, "layout")),
        )
    sloc = loc.child("shape", line_of(spec, "shape"))
    shape = spec["shape"]
    if not isinstance(shape, list):
        raise CnnCalcError(f"shape must be a list of sizes, but saw {shown(shape)}", sloc)
    shape = [as_int(substitute(v, scope, sloc)) for v in shape]
    if len(shape) != len(layout) or not all(is_int(v) and 1 <= v <= MAX_SIZE for v in shape):
        raise CnnCalcError(
            f"shape must be {len(layout)} positive whole numbers (at most {MAX_SIZE:,}) for "
            f"layout {layout}, but saw {shown(shape)}",
            sloc,
        )
    return layout, to_channels_first(shape, layout)

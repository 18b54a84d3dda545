"""The network file: YAML text -> plain dicts and lists that remember their lines, checked
against the format, with every value typed and bounded where it is written.

  load_yaml / read_file   text -> YMap / YList / scalars, each with its line
  check_document          the top level: known keys, input and layers present, params, blocks
  parse_input             `input:` -> (layout, channels-first shape)
  check_options           a layer's options against its kind's declared Opt's

yaml is imported only here, and only when a file is read. yaml.safe_load semantics:
no tags that build objects, no code."""

from __future__ import annotations

from collections import namedtuple

from .errors import CnnCalcError, Loc, did_you_mean
from .expr import substitute
from .layout import LAYOUTS, Shape, to_channels_first

MAX_FILE_BYTES = 2_000_000
TOP_KEYS = ("name", "description", "source", "params", "input", "blocks", "layers")
BLOCK_KEYS = ("params", "layers", "description")
LAYER_KEYS = ("name", "repeat")  # taken by every layer and block call, besides its options
REQUIRED = object()

# namedtuples rather than dataclasses: cheap to import, and start-up time matters
Opt = namedtuple("Opt", "type default help low high choices", defaults=(REQUIRED, "", None, None, ()))
Opt.__doc__ = ("One YAML option of a kind. type: int, ints, padding, bool, float or choice (one of "
               "`choices`); low/high: inclusive bounds of a number (each value of a list).")


class YMap(dict):
    """A mapping with the line of the mapping and of each key's value (1-based)."""

    line: int | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines: dict = {}


class YList(list):
    """A list with the line of the list and of each item (1-based)."""

    line: int | None = None

    def __init__(self, *args):
        super().__init__(*args)
        self.lines: list = []


def line_of(container, key, default=None):
    lines = getattr(container, "lines", None)
    try:
        return lines[key] if lines is not None else default
    except (KeyError, IndexError):
        return default


def _loader_class():
    import yaml

    # libyaml's parser when PyYAML was built with it (several times faster); same safe constructor
    class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        pass

    def mapping(loader, node):
        loader.flatten_mapping(node)
        result = YMap()
        result.line = node.start_mark.line + 1
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                raise CnnCalcError(f"mapping keys must be plain words, but saw {key!r}",
                                   f"{loader.name}:{key_node.start_mark.line + 1}")
            if key in result:
                raise CnnCalcError(f"key '{key}' appears twice in one mapping (first on line "
                                   f"{result.lines[key]})", f"{loader.name}:{key_node.start_mark.line + 1}")
            result[key] = loader.construct_object(value_node, deep=True)
            result.lines[key] = value_node.start_mark.line + 1
        return result

    def sequence(loader, node):
        result = YList()
        result.line = node.start_mark.line + 1
        for item in node.value:
            result.append(loader.construct_object(item, deep=True))
            result.lines.append(item.start_mark.line + 1)
        return result

    Loader.add_constructor("tag:yaml.org,2002:map", mapping)
    Loader.add_constructor("tag:yaml.org,2002:seq", sequence)
    return Loader, yaml


def load_yaml(text: str, file: str = "<input>"):
    """Parse YAML text into YMap/YList/scalars; syntax errors name the file, line and column."""
    if len(text) > MAX_FILE_BYTES:
        raise CnnCalcError(f"network files are limited to {MAX_FILE_BYTES:,} bytes, but this one has "
                           f"{len(text):,}", file)
    Loader, yaml = _loader_class()
    loader = Loader(text)
    loader.name = file  # the C loader does not set it; the constructors above use it
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark else file
        raise CnnCalcError(f"YAML syntax error: {e.problem or e.context}", where) from None
    except yaml.YAMLError as e:
        raise CnnCalcError(f"YAML error: {e}", file) from None
    except RecursionError:
        raise CnnCalcError("YAML nesting is too deep", file) from None
    finally:
        loader.dispose()


def read_file(path) -> str:
    from pathlib import Path

    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CnnCalcError(f"network files are limited to {MAX_FILE_BYTES:,} bytes, but this one "
                               f"has {size:,}", str(path))
        return p.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise CnnCalcError(f"not UTF-8 text ({e.reason} at byte {e.start})", str(path)) from None
    except OSError as e:
        raise CnnCalcError(f"cannot read the file: {e.strerror}", str(path)) from None



# --- values -----------------------------------------------------------------------------

def is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def as_int(v):
    """2.0 -> 2: YAML and expressions give floats where a whole number is meant."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def check_option(name: str, opt: Opt, value, where):
    """Validate one option value against its declared type and bounds; return it normalized."""
    value = _check_type(name, opt, value, where)
    numbers = value if isinstance(value, list) else [value]
    if opt.type in ("int", "ints", "float") and value is not None:
        if opt.low is not None and any(v < opt.low for v in numbers):
            raise CnnCalcError(f"{name} must be at least {opt.low}, but saw {value!r}", where)
        if opt.high is not None and any(v > opt.high for v in numbers):
            raise CnnCalcError(f"{name} must be at most {opt.high}, but saw {value!r}", where)
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
        need = "a whole number" if t == "int" else \
            "a whole number or a list of whole numbers (one per spatial dimension)"
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
            raise CnnCalcError(f"{name} must be {need}, but saw {value!r}{did_you_mean(value, ('same', 'valid'))}",
                               where)
    elif t == "bool":
        if isinstance(value, bool):
            return value
        need = "true or false"
    elif t == "float":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        need = "a number"
    elif t == "choice":
        if value in opt.choices:
            return value
        raise CnnCalcError(f"{name} must be one of {', '.join(opt.choices)}, but saw {value!r}"
                           f"{did_you_mean(value, opt.choices)}", where)
    else:  # pragma: no cover - a registry mistake, not a user error
        raise AssertionError(f"unknown option type {t}")
    raise CnnCalcError(f"{name} must be {need}, but saw {value!r}", where)


def _padding_item(p):
    """One dimension's padding in a list: n, or [before, after]; None when it is neither."""
    p = as_int(p)
    if is_int(p):
        return p
    if isinstance(p, list) and len(p) == 2 and all(is_int(as_int(x)) for x in p):
        return [as_int(x) for x in p]
    return None


def check_options(kind: str, options: dict, values: dict, where, loc, merge: bool = False) -> dict:
    """A layer's option values (already substituted) -> its validated attributes, defaults
    filled in. where(key) locates one option; loc the layer."""
    attrs = {}
    for k, v in values.items():
        if k == "branches" and merge:
            continue
        if k not in options:
            allowed = list(options) + list(LAYER_KEYS)
            hint = did_you_mean(k, allowed + (["branches"] if merge else []))
            raise CnnCalcError(f"unknown key '{k}' for {kind}{hint} (allowed: {', '.join(allowed)})",
                               where(k))
        attrs[k] = check_option(k, options[k], v, where(k))
    for k, opt in options.items():
        if k not in attrs:
            if opt.default is REQUIRED:
                raise CnnCalcError(f"{kind} needs '{k}' ({opt.help or opt.type})", loc)
            attrs[k] = opt.default
    return attrs


# --- the document -----------------------------------------------------------------------

def check_document(doc, file: str, reserved=()) -> None:
    """The top level of a network file and the form of its block definitions. reserved:
    names a block must not take (the layer kinds)."""
    root = Loc(file, getattr(doc, "line", None))
    if not isinstance(doc, dict):
        raise CnnCalcError("a network file is a mapping with name, input and layers, "
                           f"but saw {type(doc).__name__}", root)
    for key in doc:
        if key not in TOP_KEYS:
            raise CnnCalcError(f"unknown top-level key '{key}'{did_you_mean(key, TOP_KEYS)} "
                               f"(allowed: {', '.join(TOP_KEYS)})", root.child(key, line_of(doc, key)))
    for key in ("input", "layers"):
        if key not in doc:
            raise CnnCalcError(f"a network file needs '{key}'", root)
    params = doc.get("params") or {}
    if not isinstance(params, dict):
        raise CnnCalcError(f"params must be a mapping of name to default value, but saw {params!r}",
                           root.child("params", line_of(doc, "params")))
    blocks = doc.get("blocks") or {}
    bloc = Loc(file, line_of(doc, "blocks"), "blocks")
    if not isinstance(blocks, dict):
        raise CnnCalcError(f"blocks must be a mapping of block name to definition, but saw {blocks!r}", bloc)
    for name, block in blocks.items():
        where = bloc.child(name, line_of(blocks, name))
        if name in reserved:
            raise CnnCalcError(f"block name '{name}' is a layer kind; choose another name", where)
        if not isinstance(block, dict) or "layers" not in block:
            raise CnnCalcError(f"a block is a mapping with layers (and optional params), but saw {block!r}", where)
        for key in block:
            if key not in BLOCK_KEYS:
                raise CnnCalcError(f"unknown key '{key}' in block{did_you_mean(key, BLOCK_KEYS)}",
                                   where.child(key, line_of(block, key)))


def block_params(block, name: str, loc) -> dict:
    """A block's declared params as {name: default}, None marking a required one."""
    declared = block.get("params") or {}
    if isinstance(declared, list) and all(isinstance(p, str) for p in declared):
        declared = {p: None for p in declared}
    if not isinstance(declared, dict) or not all(isinstance(p, str) for p in declared):
        raise CnnCalcError(f"the params of block '{name}' must be a mapping of name to default "
                           f"(null when required) or a list of names, but saw {declared!r}", loc)
    return declared


def parse_input(spec, scope: dict, loc) -> tuple[str, Shape]:
    """`input: {shape: [224, 224, 3], layout: HWC}` -> ('HWC', (3, 224, 224))."""
    if not isinstance(spec, dict):
        raise CnnCalcError("input must be a mapping like {shape: [224, 224, 3], layout: HWC}, "
                           f"but saw {spec!r}", loc)
    for key in spec:
        if key not in ("shape", "layout"):
            raise CnnCalcError(f"unknown key '{key}' in input{did_you_mean(key, ('shape', 'layout'))}",
                               loc.child(key, line_of(spec, key)))
    if "shape" not in spec or "layout" not in spec:
        raise CnnCalcError("input needs both shape and layout (for example shape: [224, 224, 3] and "
                           "layout: HWC), so that [3, 224, 224] is never guessed", loc)
    layout = str(spec["layout"]).upper()
    if layout not in LAYOUTS:
        raise CnnCalcError(f"layout must be one of {', '.join(LAYOUTS)}, but saw {spec['layout']!r}",
                           loc.child("layout", line_of(spec, "layout")))
    sloc = loc.child("shape", line_of(spec, "shape"))
    shape = spec["shape"]
    if not isinstance(shape, list):
        raise CnnCalcError(f"shape must be a list of sizes, but saw {shape!r}", sloc)
    shape = [as_int(substitute(v, scope, sloc)) for v in shape]
    if len(shape) != len(layout) or not all(is_int(v) and v >= 1 for v in shape):
        raise CnnCalcError(f"shape must be {len(layout)} positive whole numbers for layout {layout}, "
                           f"but saw {shape}", sloc)
    return layout, to_channels_first(shape, layout)

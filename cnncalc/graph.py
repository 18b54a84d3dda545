"""Expansion: a parsed network file -> a flat graph of nodes.

Blocks are instantiated with their arguments, `repeat` is unrolled, branches become nodes
whose inputs name the branch ends, and every `${…}` is evaluated. Each node names its
inputs, so the engine needs no knowledge of the YAML form."""

from __future__ import annotations

from collections import namedtuple

from .errors import CnnCalcError, Loc, did_you_mean
from .expr import substitute
from .layers import ACTIVATIONS, KINDS, REQUIRED
from .shape import DIM_NAMES
from .spec import line_of

MAX_NODES = 100_000
TOP_KEYS = ("name", "description", "source", "params", "input", "blocks", "layers")
LAYER_KEYS = ("name", "repeat")
LAYOUTS = {"C": 0}
for _rank, _dims in DIM_NAMES.items():
    LAYOUTS["".join(_dims) + "C"] = _rank
    LAYOUTS["C" + "".join(_dims)] = _rank


# namedtuples rather than dataclasses: cheap to import, and start-up time matters
class Node(namedtuple("Node", "name kind attrs inputs loc scope", defaults=((),))):
    """One layer of the expanded graph. name: dotted and unique (inception3a.branch2.conv2);
    inputs: names of the nodes it reads; scope: enclosing blocks and branches, outermost first."""

    __slots__ = ()


class Network(namedtuple("Network", "name layout input_shape nodes params file description source doc",
                         defaults=((), "<input>", "", "", None))):
    """An expanded network. layout: the input layout as written (HWC); input_shape:
    channels-first, batch excluded; doc: the parsed file, to rebuild with other parameters."""

    __slots__ = ()


class _Scope:
    def __init__(self, parts=()):
        self.parts = tuple(parts)
        self.counters: dict[str, int] = {}

    def child(self, part):
        return _Scope(self.parts + (str(part),))

    def full(self, name):
        return ".".join(self.parts + (name,))


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _as_int(v):
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def check_option(name, opt, value, where):
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
    if t == "int":
        v = _as_int(value)
        if _is_int(v):
            return v
        need = "a whole number"
    elif t == "ints":
        v = _as_int(value)
        if _is_int(v):
            return v
        if isinstance(value, list) and value and all(_is_int(_as_int(x)) for x in value):
            return [_as_int(x) for x in value]
        need = "a whole number or a list of whole numbers (one per spatial dimension)"
    elif t == "padding":
        v = _as_int(value)
        if _is_int(v) or v in ("same", "valid"):
            return v
        if isinstance(value, list) and value:
            items = []
            for p in value:
                p = _as_int(p)
                if isinstance(p, list) and len(p) == 2 and all(_is_int(_as_int(x)) for x in p):
                    items.append([_as_int(x) for x in p])
                elif _is_int(p):
                    items.append(p)
                else:
                    break
            else:
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
    elif t == "activation":
        if value in ACTIVATIONS:
            return value
        raise CnnCalcError(f"{name} must be one of {', '.join(ACTIVATIONS)}, but saw {value!r}"
                           f"{did_you_mean(value, ACTIVATIONS)}", where)
    else:  # pragma: no cover - a registry mistake, not a user error
        raise AssertionError(f"unknown option type {t}")
    raise CnnCalcError(f"{name} must be {need}, but saw {value!r}", where)


def _parse_input(spec, scope, loc):
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
    lloc = loc.child("layout", line_of(spec, "layout"))
    if layout not in LAYOUTS:
        raise CnnCalcError(f"layout must be one of {', '.join(LAYOUTS)}, but saw {spec['layout']!r}", lloc)
    sloc = loc.child("shape", line_of(spec, "shape"))
    shape = spec["shape"]
    if not isinstance(shape, list):
        raise CnnCalcError(f"shape must be a list of sizes, but saw {shape!r}", sloc)
    shape = [_as_int(substitute(v, scope, sloc)) for v in shape]
    if len(shape) != len(layout) or not all(_is_int(v) and v >= 1 for v in shape):
        raise CnnCalcError(f"shape must be {len(layout)} positive whole numbers for layout {layout}, "
                           f"but saw {shape}", sloc)
    return layout, to_channels_first(shape, layout)


def to_channels_first(shape, layout):
    shape = tuple(shape)
    return shape if layout.startswith("C") else (shape[-1], *shape[:-1])


class _Expander:
    def __init__(self, doc, file, params):
        self.file = file
        self.params = params
        self.nodes: list[Node] = []
        self.where: dict[str, Loc] = {}
        self.blocks = doc.get("blocks") or {}
        self.active: list[str] = []
        bloc = Loc(file, line_of(doc, "blocks"), "blocks")
        if not isinstance(self.blocks, dict):
            raise CnnCalcError(f"blocks must be a mapping of block name to definition, "
                               f"but saw {self.blocks!r}", bloc)
        for name, block in self.blocks.items():
            where = bloc.child(name, line_of(self.blocks, name))
            if name in KINDS:
                raise CnnCalcError(f"block name '{name}' is a layer kind; choose another name", where)
            if not isinstance(block, dict) or "layers" not in block:
                raise CnnCalcError("a block is a mapping with layers (and optional params), "
                                   f"but saw {block!r}", where)
            for key in block:
                if key not in ("params", "layers", "description"):
                    raise CnnCalcError(f"unknown key '{key}' in block"
                                       f"{did_you_mean(key, ('params', 'layers', 'description'))}",
                                       where.child(key, line_of(block, key)))

    def add(self, scope, stem, kind, attrs, inputs, loc, explicit=False):
        if explicit:
            name = scope.full(stem)
        else:
            while True:
                scope.counters[stem] = scope.counters.get(stem, 0) + 1
                name = scope.full(f"{stem}{scope.counters[stem]}")
                if name not in self.where:
                    break
        if name in self.where:
            raise CnnCalcError(f"layer name '{name}' is used twice (first at {self.where[name]})", loc)
        if len(self.nodes) >= MAX_NODES:
            raise CnnCalcError(f"the network expands to more than {MAX_NODES:,} layers; "
                               f"check repeat counts", loc)
        self.where[name] = loc
        self.nodes.append(Node(name, kind, attrs, tuple(inputs), loc, scope.parts))
        return name

    def sequence(self, items, loc, scope, x, env):
        if items is None:
            return x
        if not isinstance(items, list):
            raise CnnCalcError(f"expected a list of layers, but saw {items!r}", loc)
        for i, item in enumerate(items):
            x = self.layer(item, loc.child(i, line_of(items, i)), scope, x, env)
        return x

    def layer(self, item, loc, scope, x, env):
        if isinstance(item, str):
            key, opts = item, {}
        elif isinstance(item, dict) and len(item) == 1:
            key, opts = next(iter(item.items()))
            opts = {} if opts is None else opts
        else:
            raise CnnCalcError("each layer is a one-key mapping such as `conv: {filters: 64, kernel: 3}` "
                               f"or a bare kind such as `flatten`, but saw {item!r}", loc)
        loc = loc.child(key)
        if not isinstance(opts, dict):
            raise CnnCalcError(f"the options of {key} must be a mapping, but saw {opts!r}", loc)

        def where(k):
            return loc.child(k, line_of(opts, k, loc.line))

        values = {k: v if k == "branches" else self.resolve(v, env, where(k)) for k, v in opts.items()}
        name = values.pop("name", None)
        if name is not None and (not isinstance(name, str) or not name or "." in name):
            raise CnnCalcError(f"name must be a word without dots, but saw {name!r}", where("name"))
        repeat = _as_int(values.pop("repeat", 1))
        if not _is_int(repeat) or repeat < 1:
            raise CnnCalcError(f"repeat must be a whole number of at least 1, but saw {repeat!r}",
                               where("repeat"))
        if repeat > MAX_NODES:
            # checked up front: a block with no layers would otherwise loop without adding nodes
            raise CnnCalcError(f"repeat must be at most {MAX_NODES:,}, but saw {repeat:,}", where("repeat"))
        if key in self.blocks:
            return self.block_call(key, values, name, repeat, loc, where, scope, x, env)
        kind = KINDS.get(key)
        if kind is None or key == "input":
            known = [k for k in KINDS if k != "input"] + list(self.blocks)
            raise CnnCalcError(f"unknown layer kind '{key}'{did_you_mean(key, known)}", loc)
        attrs = {}
        allowed = dict(kind.options)
        for k, v in values.items():
            if k == "branches" and kind.merge:
                continue
            if k not in allowed:
                hint = did_you_mean(k, list(allowed) + list(LAYER_KEYS) + (["branches"] if kind.merge else []))
                options = ", ".join(list(allowed) + list(LAYER_KEYS)) or "only name and repeat"
                raise CnnCalcError(f"unknown key '{k}' for {key}{hint} (allowed: {options})", where(k))
            attrs[k] = check_option(k, allowed[k], v, where(k))
        for k, opt in allowed.items():
            if k not in attrs:
                if opt.default is REQUIRED:
                    raise CnnCalcError(f"{key} needs '{k}' ({opt.help or opt.type})", loc)
                attrs[k] = opt.default
        group = scope.child(name) if name and repeat > 1 else None
        for r in range(repeat):
            target = group or scope
            stem = str(r + 1) if group else (name or kind.prefix)
            explicit = bool(group or name)
            if kind.merge:
                x = self.merge(key, kind, values.get("branches"), attrs, target, stem, explicit,
                               loc, where, x, env)
            else:
                x = self.add(target, stem, key, attrs, [x], loc, explicit)
        return x

    def merge(self, key, kind, branches, attrs, scope, stem, explicit, loc, where, x, env):
        bloc = where("branches")
        if isinstance(branches, dict):
            named = list(branches.items())
        elif isinstance(branches, list):
            named = []
            for branch in branches:
                scope.counters["branch"] = scope.counters.get("branch", 0) + 1
                named.append((f"branch{scope.counters['branch']}", branch))
        else:
            raise CnnCalcError(f"{key} needs branches: a list of layer lists (an empty list is the "
                               f"identity), but saw {branches!r}", bloc)
        if len(named) < 2:
            raise CnnCalcError(f"{key} needs at least 2 branches, but saw {len(named)}", bloc)
        ends = []
        for i, (bname, branch) in enumerate(named):
            key_line = line_of(branches, bname if isinstance(branches, dict) else i, bloc.line)
            ends.append(self.sequence(branch, bloc.child(bname if isinstance(branches, dict) else i,
                                                         key_line), scope.child(bname), x, env))
        return self.add(scope, stem, key, {**attrs, "_branches": tuple(ends)}, ends, loc, explicit)

    def block_call(self, key, values, name, repeat, loc, where, scope, x, env):
        block = self.blocks[key]
        if key in self.active:
            chain = " → ".join(self.active[self.active.index(key):] + [key])
            raise CnnCalcError(f"block '{key}' uses itself ({chain}); blocks must not form a cycle", loc)
        declared = block.get("params") or {}
        if isinstance(declared, list) and all(isinstance(p, str) for p in declared):
            declared = {p: None for p in declared}
        if not isinstance(declared, dict) or not all(isinstance(p, str) for p in declared):
            raise CnnCalcError(f"the params of block '{key}' must be a mapping of name to default "
                               f"(null when required) or a list of names, but saw {declared!r}", loc)
        args = dict(self.params)
        for p, default in declared.items():
            if default is not None:
                args[p] = default
        for k, v in values.items():
            if k not in declared:
                hint = did_you_mean(k, list(declared) + list(LAYER_KEYS))
                raise CnnCalcError(f"unknown argument '{k}' for block {key}{hint} "
                                   f"(its params: {', '.join(declared) or 'none'})", where(k))
            args[k] = v
        missing = [p for p, d in declared.items() if d is None and p not in values]
        if missing:
            raise CnnCalcError(f"block {key} needs {', '.join(missing)}", loc)
        if name:
            # a second call with the same name would silently share (and renumber) the
            # first one's layers, merging two blocks into one group
            full = scope.full(name)
            if full in self.where:
                raise CnnCalcError(f"layer name '{full}' is used twice (first at {self.where[full]})",
                                   where("name"))
            self.where[full] = loc
        self.active.append(key)
        try:
            group = scope.child(name) if name and repeat > 1 else None
            for r in range(repeat):
                if group:
                    inner = group.child(str(r + 1))
                elif name:
                    inner = scope.child(name)
                else:
                    scope.counters[key] = scope.counters.get(key, 0) + 1
                    inner = scope.child(f"{key}{scope.counters[key]}")
                x = self.sequence(block["layers"], Loc(self.file, line_of(block, "layers"),
                                                       f"blocks.{key}.layers"), inner, x, args)
        finally:
            self.active.pop()
        return x

    def resolve(self, value, env, where):
        if isinstance(value, list):
            return [self.resolve(v, env, where) for v in value]
        return _as_int(substitute(value, env, where)) if isinstance(value, str) else value


def parse_value(text: str):
    """A --set value: a number when it reads as one."""
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def build(doc, file="<input>", overrides=None, default_name="network") -> Network:
    """Turn a parsed YAML document into a Network (graph of nodes)."""
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
    ploc = root.child("params", line_of(doc, "params"))
    if not isinstance(params, dict):
        raise CnnCalcError(f"params must be a mapping of name to default value, but saw {params!r}", ploc)
    params = dict(params)
    for key, value in (overrides or {}).items():
        if key not in params:
            raise CnnCalcError(f"unknown parameter '{key}'{did_you_mean(key, params)} "
                               f"(this network's params: {', '.join(params) or 'none'})", "--set")
        params[key] = value
    for key, value in params.items():
        if isinstance(value, str):
            params[key] = _as_int(substitute(value, params, ploc.child(key, line_of(doc.get("params"), key))))
    layout, shape = _parse_input(doc["input"], params, root.child("input", line_of(doc, "input")))
    expander = _Expander(doc, file, params)
    top = _Scope()
    expander.add(top, "input", "input", {}, [], root.child("input", line_of(doc, "input")), explicit=True)
    expander.sequence(doc["layers"], root.child("layers", line_of(doc, "layers")), top, "input", params)
    name = doc.get("name", default_name)
    return Network(str(name), layout, shape, expander.nodes, params, file,
                   str(doc.get("description", "")), str(doc.get("source", "")), doc)

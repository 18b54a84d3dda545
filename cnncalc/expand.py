"""Expansion: a checked network file -> a flat graph of nodes.

Blocks are instantiated with their arguments, `repeat` is unrolled, branches become nodes
whose inputs name the branch ends, and every `${…}` is evaluated. Each node names its
inputs, so the engine needs no knowledge of the YAML form. What a value must be is
checked by `sources` (document and options); this module only decides what is built and how
it is named."""

from __future__ import annotations

from collections import namedtuple
from functools import partial

from .errors import CnnCalcError, Loc, did_you_mean, shown
from .expr import substitute
from .kinds import KINDS
from .layout import channels_last
from .limits import MAX_EXPANSION_STEPS, MAX_NESTING, MAX_NODES, MAX_OUTPUTS
from .sources.document import (
    block_args,
    block_params,
    branch_keys,
    check_document,
    check_expect,
    check_kind,
    check_name,
    check_param,
    check_repeat,
    check_source,
    check_when,
    parse_input,
    read_entry,
)
from .sources.options import as_int, check_options, is_int
from .sources.yaml_text import line_of


# namedtuples rather than dataclasses: cheap to import, and start-up time matters
class Node(namedtuple("Node", "name kind attrs inputs loc scope", defaults=((),))):
    """One layer of the expanded graph. name: dotted and unique (inception3a.branch2.conv2);
    inputs: names of the nodes it reads; loc: where it is written (a Loc, or a LazyLoc that
    gives one when read); scope: enclosing blocks and branches, outermost first."""

    __slots__ = ()


class Network(
    namedtuple(
        "Network",
        "name layout input_shape nodes params file description source doc outputs variant",
        defaults=((), "<input>", "", "", None, (), None),
    )
):
    """An expanded network. layout: the input layout as written (HWC); input_shape:
    channels-first, batch excluded; params: the parameter values it was built with;
    doc: the parsed file, to rebuild with other parameters; outputs: the declared outputs as
    (name as written, node name) pairs; empty when the file declares none (the last layer is
    the output); variant: the file's variant it was built as, if any."""

    __slots__ = ()


class LazyLoc:
    """A location worked out only when something reads it: a valid file's thousands of list
    items need theirs only for an error. Calling it gives the Loc (so CnnCalcError takes it as
    it is); its attributes and its text are the Loc's."""

    __slots__ = ("_parent", "_part", "_container", "_key", "_loc")

    def __init__(self, parent, part, container=None, key=None):
        self._parent, self._part, self._container, self._key, self._loc = parent, part, container, key, None

    def __call__(self) -> Loc:
        if self._loc is None:
            parent = self._parent() if isinstance(self._parent, LazyLoc) else self._parent
            line = line_of(self._container, self._key, parent.line) if self._container is not None else None
            self._loc = parent.child(self._part, line)
        return self._loc

    def __getattr__(self, name):
        if name.startswith("_"):  # a half-built copy asks for its slots: no recursion
            raise AttributeError(name)
        return getattr(self(), name)

    def __str__(self) -> str:
        return str(self())

    def __iter__(self):
        return iter(self())

    def __eq__(self, other):
        return self() == (other() if isinstance(other, LazyLoc) else other)

    def __hash__(self):
        return hash(self())

    def __reduce__(self):  # copied or pickled as the Loc it stands for
        return Loc, tuple(self())


class _ParameterValues(dict):
    """A scope's parameters (the network's, or a block call's arguments over them), with `key`:
    a number standing for these values, the same for equal values (`known` numbers them), so
    that an entry read once under these values is not read again (None when a value is a list)."""

    __slots__ = ("key",)

    def __init__(self, values: dict, known: dict):
        super().__init__(values)
        try:  # with each value's type: true, 1 and 1.0 are equal in Python, not here
            self.key = known.setdefault(tuple((k, type(v), v) for k, v in self.items()), len(known))
        except TypeError:
            self.key = None


class _Scope:
    """A naming scope (the top level, a block instance, a branch): its dotted prefix and
    how many layers of each stem it has numbered so far."""

    __slots__ = ("parts", "name", "prefix", "counters")

    def __init__(self, parts=()):
        self.parts = tuple(parts)
        self.name = ".".join(self.parts)  # the scope's own dotted name ("" at the top level)
        self.prefix = self.name + "." if self.parts else ""
        self.counters: dict[str, int] = {}

    def child(self, part) -> _Scope:
        return _Scope(self.parts + (str(part),))

    def full(self, name: str) -> str:
        return self.prefix + name

    def next(self, stem: str) -> str:
        """conv -> conv1, then conv2, …: the next numbered name of a stem in this scope."""
        self.counters[stem] = self.counters.get(stem, 0) + 1
        return f"{stem}{self.counters[stem]}"


class _Item(
    namedtuple(
        "_Item",
        "key opts values name repeat loc scope env expect source share on memo",
        defaults=(None, None, None, True, None),
    )
):
    """One entry of a layer list, as called: its kind or block name, its raw and resolved
    options, its name and repeat count, where it is written, its scope and parameters, and
    its graph keys: source (`from`: a name, or a merge's list of names), share (the layer
    whose weights it reuses) and on (`when`: false leaves the entry out); memo: its key in the
    expander's caches (the entry as written, and its parameters), or None."""

    __slots__ = ()

    def called(self, loc, scope, env) -> _Item:
        """The same entry read again at another place, scope and parameters (a cached read)."""
        return tuple.__new__(_Item, (*self[:5], loc, scope, env, *self[8:]))  # _replace, at half the cost

    def where(self, key) -> Loc:
        return self.loc.child(key, line_of(self.opts, key, self.loc.line))

    def at(self, key):
        """where(key), built only if an error asks for it."""
        return partial(self.where, key)

    def instances(self):
        """The (scope, stem, explicit) of each repetition: `name` with repeat N names them
        name.1 … name.N; a name alone is used as it is; otherwise stems are numbered."""
        group = self.scope.child(self.name) if self.name and self.repeat > 1 else None
        for r in range(self.repeat):
            if group:
                yield group, str(r + 1), True
            else:
                yield self.scope, self.name, bool(self.name)


class _Expander:
    def __init__(self, doc, file, params, layout="HWC"):
        self.file = file
        self.channels_last = channels_last(layout)
        self.params = params  # the network's; a block sees these and its own arguments only
        self.nodes: list[Node] = []
        self.where: dict[str, Loc] = {}
        self.blocks = doc.get("blocks") or {}
        self.active: list[str] = []  # the block calls being expanded, to catch cycles
        self.steps = 0  # list items and block instances visited: the work, not only the layers
        self._least: dict[str, int] = {}  # block -> the fewest layers one call adds
        self._checked: set[str] = set()  # blocks that add no layer, checked on a first call
        self._optional: set[str] = set()  # blocks with entries under `when`: never taken as empty
        # what a name can refer to: every node by its full name, and every block instance,
        # named repeat group and branch by its dotted name (their output node)
        self.outputs: dict[str, str] = {}
        self.unresolved: list[tuple[str, Loc, tuple]] = []  # references to report after expansion
        self.skipped: set[str] = set()  # full names of entries left out by `when: false`
        # an entry as written (by id: the document outlives the expansion) under the same parameter
        # values reads the same every time (a ResNet's bottleneck, 16 times): read and checked once
        self._items: dict = {}
        self._attrs: dict = {}
        self._known: dict = {}  # parameter values seen -> their _ParameterValues key

    def add(self, scope, stem, kind, attrs, inputs, loc, explicit=False) -> str:
        if explicit:
            name = scope.full(stem)
        else:
            name = scope.full(scope.next(stem))
            while name in self.where:
                name = scope.full(scope.next(stem))
        if name in self.where:
            self.claim(name, loc, loc)  # taken: the error
        self.where[name] = loc
        if len(self.nodes) >= MAX_NODES:
            raise CnnCalcError(f"the network expands to more than {MAX_NODES:,} layers; check repeat counts", loc)
        self.nodes.append(Node(name, kind, attrs, tuple(inputs), loc, scope.parts))
        self.outputs[name] = name
        return name

    def lookup(self, ref, scope: _Scope, where: Loc, fallback: str) -> str:
        """The node a reference names: the innermost enclosing scope first (inside a block,
        `conv1` is the block's own conv1), then outwards to the top level, where full dotted
        names work too. An unknown name is recorded and reported once expansion has ended, so
        that a later layer of that name is told apart from a misspelling; fallback stands in."""
        parts = scope.parts
        for i in range(len(parts), -1, -1):
            node = self.outputs.get(".".join(parts[:i] + (ref,)))
            if node is not None:
                return node
        self.unresolved.append((ref, where, parts))
        return fallback

    def check_references(self) -> None:
        """Report the first reference that named no earlier layer: a later one, or none."""
        for ref, where, parts in self.unresolved:
            candidates = [".".join(parts[:i] + (ref,)) for i in range(len(parts), -1, -1)]
            later = next((name for name in candidates if name in self.outputs), None)
            if later is not None:
                raise CnnCalcError(
                    f"{shown(ref)} is not above this layer (it is {shown(later)}, at "
                    f"{self.where.get(later) or self.where.get(self.outputs[later])}); a layer reads "
                    f"only from layers written before it",
                    where,
                )
            prefix = ".".join(parts) + "." if parts else ""
            near = [name[len(prefix) :] for name in self.outputs if prefix and name.startswith(prefix)]
            raise CnnCalcError(
                f"no layer called {shown(ref)} is above this one{did_you_mean(ref, near + list(self.outputs))}", where
            )

    def claim(self, name, loc, at):
        """Reserve a name for the layer or block call at loc; a clash is reported at `at`."""
        if name in self.where:
            raise CnnCalcError(f"layer name {shown(name)} is used twice (first at {self.where[name]})", at)
        self.where[name] = loc

    def sequence(self, items, loc, scope, x, env) -> str:
        if items is None:
            return x
        if not isinstance(items, list):
            raise CnnCalcError(f"expected a list of layers, but saw {shown(items)}", loc)
        if len(scope.parts) > MAX_NESTING:
            raise CnnCalcError(f"blocks and branches nest more than {MAX_NESTING} deep", loc)
        for i, item in enumerate(items):
            self.steps += 1
            if self.steps > MAX_EXPANSION_STEPS:
                raise CnnCalcError(
                    f"expanding the network takes more than {MAX_EXPANSION_STEPS:,} steps "
                    f"(list items and block calls); check repeat counts",
                    loc,
                )
            x = self.layer(self.item(item, LazyLoc(loc, i, items, i), scope, env), x)
        return x

    def fits(self, it: _Item, per_instance: int) -> None:
        """Refuse up front a repeat that must pass MAX_NODES: each instance adds at least
        per_instance layers."""
        if len(self.nodes) + it.repeat * per_instance > MAX_NODES:
            raise CnnCalcError(
                f"the network expands to more than {MAX_NODES:,} layers ({it.repeat:,} × at "
                f"least {per_instance:,}); check repeat counts",
                it.where("repeat"),
            )

    def layers_at_least(self, key: str, loc=None, depth: int = 0) -> int:
        """The fewest layers one instance of block `key` can add: its body's layer kinds each add
        one or more (their written repeat count, where it is a number), and its block calls what
        they add (cycles are caught when expanded)."""
        if depth > MAX_NESTING:  # a chain of blocks deeper than expansion may go
            raise CnnCalcError(f"blocks and branches nest more than {MAX_NESTING} deep", loc)
        if key not in self._least:
            self._least[key] = 0  # provisional, for cycles
            count = 0
            body = self.blocks[key].get("layers")
            for item in body if isinstance(body, list) else []:  # not a list: refused when expanded
                name, opts = (
                    (item, {})
                    if isinstance(item, str)
                    else next(iter(item.items()))
                    if isinstance(item, dict) and len(item) == 1
                    else (None, {})
                )
                repeat = opts.get("repeat", 1) if isinstance(opts, dict) else 1
                repeat = repeat if is_int(repeat) and repeat > 0 else 1  # an expression: at least 1
                if isinstance(opts, dict) and "when" in opts:
                    self._optional.add(key)  # it may be left out: it counts 0, and the block is not empty
                    continue
                if isinstance(name, str) and name in self.blocks:
                    count += repeat * self.layers_at_least(name, loc, depth + 1)
                    if name in self._optional:
                        self._optional.add(key)
                elif name in KINDS:
                    count += repeat
                if count > MAX_NODES:
                    break
            self._least[key] = count
        return self._least[key]

    def item(self, item, loc, scope, env) -> _Item:
        """Read one list entry: `kind`, or `kind: {options}`; resolve its expressions."""
        memo = (id(item), env.key) if getattr(env, "key", None) is not None else None
        seen = self._items.get(memo) if memo is not None else None
        if seen is not None:
            return seen.called(LazyLoc(loc, seen.key), scope, env)
        it = self.read(item, loc, scope, env)
        if memo is not None and it.expect is None:  # answers keep the location where they are written
            it = it._replace(memo=memo)
            self._items[memo] = it
        return it

    def read(self, item, loc, scope, env) -> _Item:
        key, opts = read_entry(item, loc)
        it = _Item(key, opts, {}, None, 1, LazyLoc(loc, key), scope, env)
        if "when" in opts and not check_when(self.resolve(opts["when"], env, it.at("when")), it.at("when")):
            # left out: nothing else of it is read (`${16 // k}` under `when: ${k > 0}` is fine)
            name = check_name(self.resolve(opts.get("name"), env, it.at("name")), it.at("name"))
            return it._replace(name=name, on=False)
        values = {k: v if k == "branches" else self.resolve(v, env, it.at(k)) for k, v in opts.items()}
        name = check_name(values.pop("name", None), it.at("name"))
        repeat = check_repeat(values.pop("repeat", 1), it.at("repeat"))
        expect = check_expect(values.pop("expect"), it.where("expect")) if "expect" in values else None
        source = check_source(values.pop("from"), it.at("from")) if "from" in values else None
        share = check_source(values.pop("share"), it.at("share"), "share", many=False) if "share" in values else None
        on = check_when(values.pop("when"), it.at("when")) if "when" in values else True
        return it._replace(values=values, name=name, repeat=repeat, expect=expect, source=source, share=share, on=on)

    def read_from(self, it: _Item, x: str, merge: bool = False) -> str:
        """The input of an entry: the layer above, or the one `from` names (a merge's list of
        names is its inputs, read in merge())."""
        if isinstance(it.source, list):
            if not merge:
                raise CnnCalcError(
                    f"from takes one layer name here; only a merge (add, concat, multiply) "
                    f"reads a list of them, but saw {shown(it.source)}",
                    it.where("from"),
                )
            return x
        return x if it.source is None else self.lookup(it.source, it.scope, it.at("from"), x)

    def leave_out(self, it: _Item, x: str) -> str:
        """`when: false`: the entry adds nothing; its name stays known, so that a declared
        output naming it is dropped rather than unknown."""
        if it.name:
            self.skipped.add(it.scope.full(it.name))
        return x

    def layer(self, it: _Item, x: str) -> str:
        if it.key in self.blocks:
            return self.block_call(it, x)
        kind = check_kind(it.key, KINDS, self.blocks, it.loc)
        if not it.on:
            return self.leave_out(it, x)
        checked = self._attrs.get(it.memo) if it.memo is not None else None
        if checked is None:
            checked = check_options(it.key, kind.options, it.values, it.where, it.loc, kind.merge)
            if it.memo is not None:
                self._attrs[it.memo] = checked
        x = self.read_from(it, x, kind.merge)
        # what this layer adds to its checked options: the layers its options name (upsample's
        # like), the layout, the weights it shares and its answers; without these, layers written
        # alike share one dict of options (nothing changes a node's attrs once it is built)
        extra = {
            key: self.lookup(checked[key], it.scope, it.at(key), x)
            for key in kind.references
            if checked[key] is not None
        }
        if kind.layout_aware:
            extra["_channels_last"] = self.channels_last
        if it.share is not None:
            if kind.merge:
                raise CnnCalcError(f"{it.key} has no weights to share", it.where("share"))
            extra["_share"] = self.lookup(it.share, it.scope, it.at("share"), x)
        if it.expect:
            extra["_expect"] = it.expect  # the answers written on the layer, for `cnncalc check`
        attrs = {**checked, **extra} if extra else checked
        if len(self.nodes) + it.repeat > MAX_NODES:
            self.fits(it, 1)
        if it.repeat == 1 and not kind.merge:  # most entries: one layer, in the entry's scope
            return self.add(it.scope, it.name or kind.prefix, it.key, attrs, (x,), it.loc, bool(it.name))
        group = it.scope.child(it.name) if it.name and it.repeat > 1 else None
        for scope, stem, explicit in it.instances():
            if kind.merge:
                x = self.merge(it, attrs, scope, stem or kind.prefix, explicit, x)
            else:
                x = self.add(scope, stem or kind.prefix, it.key, attrs, (x,), it.loc, explicit)
        if group is not None:
            self.outputs[group.name] = x
        return x

    def merge(self, it: _Item, attrs, scope, stem, explicit, x) -> str:
        # where("branches"), located only if an error asks, as the branches' lists are
        branches, bloc = it.values.get("branches"), LazyLoc(it.loc, "branches", it.opts, "branches")
        if isinstance(it.source, list):  # inputs by name: `concat: {from: [up4, down1]}`
            if branches is not None:
                raise CnnCalcError(
                    f"{it.key} takes its inputs from branches or from a list of names in from, not both", bloc
                )
            ends = [self.lookup(ref, it.scope, it.at("from"), x) for ref in it.source]
            return self.add(scope, stem, it.key, {**attrs, "_branches": tuple(ends)}, ends, it.loc, explicit)
        keys = branch_keys(it.key, branches, bloc)
        if not explicit:  # the merge's own name first: its branches may need it
            stem = scope.next(stem)
            while scope.full(stem) in self.where:
                stem = scope.next(stem)
        # a mapping names its branches; a list's are numbered in the scope: branch1, branch2, …
        names = keys if isinstance(branches, dict) else [scope.next("branch") for _ in keys]
        ends = []
        for key, name in zip(keys, names):
            inner = scope.child(name)
            if inner.name in self.outputs:  # a second merge in this scope with that branch name
                inner = scope.child(stem).child(name)
            self.outputs[inner.full("input")] = x  # inside, `input` is the branch's input
            ends.append(self.sequence(branches[key], LazyLoc(bloc, key, branches, key), inner, x, it.env))
            self.outputs[inner.name] = ends[-1]  # a branch by name: its end
        return self.add(scope, stem, it.key, {**attrs, "_branches": tuple(ends)}, ends, it.loc, explicit=True)

    def block_call(self, it: _Item, x: str) -> str:
        key, block = it.key, self.blocks[it.key]
        if it.expect is not None:
            raise CnnCalcError("expect is written on a layer, not on a block call", it.where("expect"))
        if it.share is not None:
            raise CnnCalcError("share is written on a layer, not on a block call", it.where("share"))
        if key in self.active:
            chain = " → ".join(self.active[self.active.index(key) :] + [key])
            raise CnnCalcError(f"block {shown(key)} uses itself ({chain}); blocks must not form a cycle", it.loc)
        if not it.on:  # before the name is claimed: alternatives under complementary `when`s share it
            return self.leave_out(it, x)
        args = _ParameterValues(
            {**self.params, **block_args(key, block_params(block, key, it.loc), it.values, it.where, it.loc)},
            self._known,
        )
        if it.name:
            # a second call with the same name would silently share (and renumber) the
            # first one's layers, merging two blocks into one group
            self.claim(it.scope.full(it.name), it.loc, it.where("name"))
        x = self.read_from(it, x)
        body = Loc(self.file, line_of(block, "layers"), f"blocks.{key}.layers")
        least = self.layers_at_least(key, it.loc)
        self.fits(it, least)
        empty = not least and key not in self._optional  # it adds no layer, whatever its arguments
        if empty:
            # a block that adds no layer: its first call checks it, and later calls add nothing
            # (so 39 blocks that each call the next twice do not take 2**39 steps)
            if key in self._checked:
                scope, stem, _ = next(it.instances())  # its name still stands for its output (its input)
                self.outputs[scope.full(stem) if stem else scope.full(scope.next(key))] = x
                return x
            self._checked.add(key)
        self.active.append(key)
        try:
            for scope, stem, _ in it.instances():
                inner = scope.child(stem) if stem else scope.child(scope.next(key))
                self.outputs[inner.full("input")] = x  # inside, `input` is the block's input
                x = self.sequence(block["layers"], body, inner, x, args)
                self.outputs[inner.name] = x  # the block instance by name: its output
                if empty:
                    break
        finally:
            self.active.pop()
        if it.name and it.repeat > 1:
            self.outputs[it.scope.full(it.name)] = x
        return x

    def declared_outputs(self, names, loc: Loc, env) -> tuple:
        """`outputs: [fc, aux1, aux2]` -> ((written name, node), …); names left out by `when`
        are dropped. None: the last layer is the one output."""
        if names is None:
            return ()
        if not isinstance(names, list) or not names:
            raise CnnCalcError(f"outputs must be a list of layer names, but saw {shown(names)}", loc)
        if len(names) > MAX_OUTPUTS:
            raise CnnCalcError(f"a network declares at most {MAX_OUTPUTS} outputs, but saw {len(names):,}", loc)
        found: list = []
        for i, ref in enumerate(names):
            where = loc.child(i, line_of(names, i, loc.line))
            ref = check_source(self.resolve(ref, env, where), where, "outputs", many=False)
            node = self.outputs.get(ref)
            if node is None and ref in self.skipped:
                continue  # left out by `when: false` (and no other layer of that name)
            node = self.lookup(ref, _Scope(), where, "")
            self.check_references()
            if any(node == n for _, n in found):
                raise CnnCalcError(f"output {shown(ref)} is listed twice", where)
            found.append((ref, node))
        if not found:
            raise CnnCalcError("every declared output is left out (by when: false)", loc)
        return tuple(found)

    def resolve(self, value, env, where):
        if isinstance(value, list):
            return [self.resolve(v, env, where) for v in value]
        return as_int(substitute(value, env, where)) if isinstance(value, str) else value


def build(doc, file="<input>", overrides=None, default_name="network", variant=None) -> Network:
    """Turn a parsed YAML document into a Network (graph of nodes). variant: one of the
    file's `variants`, whose parameter values apply under the overrides, and whose name the
    network takes."""
    check_document(doc, file, reserved=KINDS)
    root = Loc(file, getattr(doc, "line", None))
    params = dict(doc.get("params") or {})
    ploc = root.child("params", line_of(doc, "params"))
    if variant is not None:
        variants = doc.get("variants") or {}
        if variant not in variants:
            raise CnnCalcError(f"{shown(file)} has no variant {shown(variant)}{did_you_mean(variant, variants)}")
        params.update(variants[variant] or {})
    if not isinstance(overrides or {}, dict):
        raise CnnCalcError(f"params must be a dict of name to value, but saw {shown(overrides)}", "--set")
    for key, value in (overrides or {}).items():
        if key not in params:
            raise CnnCalcError(
                f"unknown parameter {shown(key)}{did_you_mean(key, params)} "
                f"(this network's params: {', '.join(params) or 'none'})",
                "--set",
            )
        check_param(key, value, "--set")
        params[key] = value
    for key, value in params.items():
        if isinstance(value, str):
            params[key] = as_int(substitute(value, params, ploc.child(key, line_of(doc.get("params"), key))))
    iloc = root.child("input", line_of(doc, "input"))
    layout, shape = parse_input(doc["input"], params, iloc)
    expander = _Expander(doc, file, params, layout)
    top = _Scope()
    expander.add(top, "input", "input", {}, [], iloc, explicit=True)
    expander.sequence(
        doc["layers"],
        root.child("layers", line_of(doc, "layers")),
        top,
        "input",
        _ParameterValues(params, expander._known),
    )
    expander.check_references()
    outputs = expander.declared_outputs(doc.get("outputs"), root.child("outputs", line_of(doc, "outputs")), params)
    name = variant if variant is not None else str(doc.get("name", default_name))
    return Network(
        name,
        layout,
        shape,
        expander.nodes,
        params,
        file,
        str(doc.get("description", "")),
        str(doc.get("source", "")),
        doc,
        outputs,
        variant,
    )

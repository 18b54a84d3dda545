"""The network file: YAML text -> plain dicts and lists that remember their lines, checked
against the format, with every value typed and bounded where it is written.

  load_yaml / read_file   text -> YMap / YList / scalars, each with its line
  check_document          the top level: known keys, input and layers present, params, blocks
  parse_input             `input:` -> (layout, channels-first shape)
  read_entry, check_*     a layer entry, its name, repeat, kind and branches
  block_params/block_args a block's declared params, and the arguments of a call
  check_options           a layer's options against its kind's declared Opt's

yaml is imported only here, and only when a file is read. yaml.safe_load semantics:
no tags that build objects, no code."""

from __future__ import annotations

import math
from functools import cache, partial

from .errors import CnnCalcError, Loc, did_you_mean, shown
from .expr import substitute
from .kinds import REQUIRED, Opt, alias_of
from .layout import LAYOUTS, Shape, to_channels_first
from .limits import (
    MAX_FILE_BYTES,
    MAX_NODES,
    MAX_NUMBER_DIGITS,
    MAX_SIZE,
    MAX_YAML_DEPTH,
    MAX_YAML_VALUES,
)

TOP_KEYS = ("name", "description", "source", "params", "variants", "input", "blocks", "layers", "outputs",
            "budget")
BLOCK_KEYS = ("params", "layers", "description")
# taken by every layer, besides its options: its name, a repeat count, answers to check, the
# layer it reads (instead of the one above), the layer whose weights it reuses, and a condition
LAYER_KEYS = ("name", "repeat", "expect", "from", "share", "when")
# what `expect:` and an answer key may state of a layer
EXPECTED = ("shape", "params", "weights", "biases", "non_trainable_params", "macs", "flops", "activation_size")


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


_TAG = "tag:yaml.org,2002:"
# Tags that would build a value no network file means: a date, bytes, a set, an ordered map.
_REFUSED_TAGS = ("timestamp", "binary", "set", "omap", "pairs")


@cache
def _loader_class():
    import yaml
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    # libyaml's parser when PyYAML was built with it (several times faster); safe constructor
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):
        pass

    # YAML 1.1's implicit types, less dates: `2001-02-30` is text, never a (bad) date
    Loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _TAG + "timestamp"]
        for first, resolvers in base.yaml_implicit_resolvers.items()}

    def where(loader, node):
        return f"{loader.name}:{node.start_mark.line + 1}"

    def expect(loader, node, node_type, what):
        if not isinstance(node, node_type):
            raise CnnCalcError(f"the tag {node.tag.replace(_TAG, '!!')} needs {what}", where(loader, node))

    def mapping(loader, node):
        expect(loader, node, MappingNode, "a mapping")
        loader.flatten_mapping(node)
        result = YMap()
        result.line = node.start_mark.line + 1
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                hint = " (quote it: in YAML 1.1, yes, no, on and off are booleans)" if isinstance(key, bool) else ""
                raise CnnCalcError(f"mapping keys must be words, but saw {shown(key)}{hint}", where(loader, key_node))
            if key in result:
                raise CnnCalcError(f"key {shown(key)} appears twice in one mapping (first on line "
                                   f"{result.lines[key]})", where(loader, key_node))
            result[key] = loader.construct_object(value_node, deep=True)
            result.lines[key] = value_node.start_mark.line + 1
        return result

    def sequence(loader, node):
        expect(loader, node, SequenceNode, "a list")
        result = YList()
        result.line = node.start_mark.line + 1
        for item in node.value:
            result.append(loader.construct_object(item, deep=True))
            result.lines.append(item.start_mark.line + 1)
        return result

    def scalar(convert, what):
        """A scalar constructor that refuses what it cannot convert, at the file's line."""
        number = convert in ("int", "float")

        def construct(loader, node):
            expect(loader, node, ScalarNode, what)
            text = loader.construct_scalar(node)
            if number and ":" in text:
                return text  # YAML 1.1's base 60 (1:30 = 90) means nothing here: keep the text
            if number and len(text) > MAX_NUMBER_DIGITS:
                raise CnnCalcError(f"a number of {len(text):,} characters; numbers are limited to "
                                   f"{MAX_NUMBER_DIGITS} digits", where(loader, node))
            try:
                value = getattr(base, f"construct_yaml_{convert}")(loader, node)
            except (ValueError, KeyError, TypeError, OverflowError, IndexError, AttributeError):
                raise CnnCalcError(f"{shown(text)} is not {what}", where(loader, node)) from None
            if convert == "float" and not math.isfinite(value):
                raise CnnCalcError(f"{shown(text)} is not a finite number; .inf and .nan mean nothing "
                                   f"in a network file", where(loader, node))
            if convert == "str" and not value.isprintable():
                bad = [c for c in value if not c.isprintable() and c not in "\t\n"]
                if bad:
                    raise CnnCalcError(f"a string holds the control character {ascii(bad[0])}; network "
                                       f"files hold text only", where(loader, node))
            return value
        return construct

    def refused(loader, node):
        raise CnnCalcError(f"the tag {node.tag.replace(_TAG, '!!')} is not allowed in a network file "
                           f"(only text, numbers, booleans, null, lists and mappings)", where(loader, node))

    Loader.add_constructor(_TAG + "map", mapping)
    Loader.add_constructor(_TAG + "seq", sequence)
    for tag, what in (("int", "an integer"), ("float", "a number"), ("bool", "true or false"),
                      ("str", "text")):
        Loader.add_constructor(_TAG + tag, scalar(tag, what))
    for tag in _REFUSED_TAGS:
        Loader.add_constructor(_TAG + tag, refused)
    Loader.add_constructor(None, refused)  # every other tag: !!python/…, !local, …
    return Loader, yaml


def _check_structure(text: str, file: str, Loader) -> None:
    """Walk the parser's events (nothing is built) and refuse, before anything is composed,
    collections nested deeper than MAX_YAML_DEPTH (libyaml's composer recurses in C and would
    overflow the stack) and documents whose aliases and merge keys expand to more than
    MAX_YAML_VALUES values (a billion laughs)."""
    from yaml.events import (
        AliasEvent,
        CollectionEndEvent,
        CollectionStartEvent,
        ScalarEvent,
    )

    loader = Loader(text)
    expanded: dict = {}      # anchor -> how many values it stands for
    open_: list = [[None, 0]]  # per open collection: its anchor and its values so far
    total = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, CollectionStartEvent):
                if len(open_) > MAX_YAML_DEPTH:
                    raise CnnCalcError(f"YAML collections nest more than {MAX_YAML_DEPTH} deep",
                                       f"{file}:{event.start_mark.line + 1}")
                open_.append([event.anchor, 1])
                total += 1
                continue
            if isinstance(event, CollectionEndEvent):
                anchor, size = open_.pop()
                added = 0  # counted as it grew
            elif isinstance(event, AliasEvent):
                anchor, size = None, expanded.get(event.anchor, 1)
                added = size
            elif isinstance(event, ScalarEvent):
                anchor, size = event.anchor, 1
                added = 1
            else:
                continue
            if anchor is not None:
                expanded[anchor] = size
            open_[-1][1] += size
            total += added
            if total > MAX_YAML_VALUES:
                raise CnnCalcError(f"the document expands to more than {MAX_YAML_VALUES:,} values "
                                   f"(an alias or merge key counts its anchor's values each time it is "
                                   f"used)", f"{file}:{event.start_mark.line + 1}")
    finally:
        loader.dispose()


# Scalars already built, by (tag as written, text, implicit flags): network files repeat the
# same few words and numbers, and YAML's resolver (a regular expression per candidate type)
# is the parse's largest cost. For the network-file Loader only (its resolvers and safe
# constructors); only short values built without error are kept, and at most
# _SCALAR_CACHE_SIZE of them: a bulk check of many files holds at most a few megabytes here.
_SCALARS: dict = {}
_SCALAR_CACHE_SIZE = 20_000
_SCALAR_CACHE_LENGTH = 64

_NO_KEY = object()  # a mapping waiting for its next key
_MERGE = object()   # a mapping whose key was <<: its value is merged in when it has been read


def _build(text: str, file: str, Loader):
    """The document as YMap / YList / scalars, in one pass over libyaml's parser events.

    No composer and no node tree: libyaml's composer recurses in C (deep nesting would
    overflow the stack) and builds a node for every value. As it goes this refuses what
    _check_structure refuses (nesting deeper than MAX_YAML_DEPTH, aliases and merge keys
    expanding to more than MAX_YAML_VALUES values), and it keeps yaml.safe_load's meaning:
    the same resolver and safe constructors for scalars, aliases as the anchored value itself,
    merge keys (<<) as SafeConstructor.flatten_mapping merges them, one document only. The
    first error in the text's order is the one raised."""
    from yaml.composer import ComposerError
    from yaml.constructor import ConstructorError
    from yaml.events import (
        AliasEvent,
        DocumentStartEvent,
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
        StreamEndEvent,
    )
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    constructors = Loader.yaml_constructors
    scalars = _SCALARS
    loader = Loader(text)
    loader.name = file  # the C loader does not set it; the constructors use it
    get_event = loader.get_event
    anchors: dict = {}       # anchor -> (value, line, how many values it stands for)
    open_anchors: set = set()  # anchors of collections not yet ended (an alias to one is a loop)
    # the collection being read: its container, whether a mapping, the key waiting for its value
    # and that key's line, its anchor, how many values it holds so far, and the keys merged into
    # it (None: no merge); the enclosing ones wait in `frames`
    frames: list = []
    root = container = key = key_line = anchor_of = merged = None
    is_map = False
    size = total = documents = 0

    def anchor_check(event):
        if event.anchor in anchors or event.anchor in open_anchors:
            raise ComposerError(None, None, f"found duplicate anchor {event.anchor!r}", event.start_mark)

    try:
        while True:
            event = get_event()
            kind = event.__class__
            if kind is ScalarEvent:
                cache_key = (event.tag, event.value, event.implicit)
                hit = scalars.get(cache_key)
                if hit is None:
                    tag = event.tag
                    if tag is None or tag == "!":
                        tag = loader.resolve(ScalarNode, event.value, event.implicit)
                    # (tag, value, built): a merge key (<<) and `=` are not built here, since
                    # what they mean depends on where they stand
                    hit = (tag, None, False)
                    if tag != _TAG + "merge" and tag != _TAG + "value":
                        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
                        hit = (tag, (constructors.get(tag) or constructors[None])(loader, node), True)
                    if len(event.value) <= _SCALAR_CACHE_LENGTH:
                        if len(scalars) >= _SCALAR_CACHE_SIZE:
                            scalars.clear()
                        scalars[cache_key] = hit
                tag, value, built = hit
                line = event.start_mark.line + 1
                if not built:
                    if is_map and key is _NO_KEY and tag == _TAG + "merge":
                        if event.anchor is not None:
                            raise CnnCalcError(f"an anchor (&{event.anchor}) on a merge key (<<) is not "
                                               f"supported", f"{file}:{line}")
                        key, key_line = _MERGE, line
                        total += 1
                        size += 1
                        continue
                    if is_map and key is _NO_KEY:  # `=` as a key is the text "=" (flatten_mapping)
                        value = event.value
                    else:  # refused: !!merge and !!value build nothing
                        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
                        value = (constructors.get(tag) or constructors[None])(loader, node)
                anchor, grown, added = event.anchor, 1, 1
                if anchor is not None:
                    anchor_check(event)
            elif kind is AliasEvent:
                entry = anchors.get(event.anchor)
                if entry is None:
                    if event.anchor in open_anchors:
                        raise ComposerError(None, None, f"the alias *{event.anchor} is inside the collection it "
                                            f"names (found unconstructable recursive node)", event.start_mark)
                    raise ComposerError(None, None, f"found undefined alias {event.anchor!r}", event.start_mark)
                value, line, grown = entry
                anchor, added = None, grown
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if len(frames) >= MAX_YAML_DEPTH:
                    raise CnnCalcError(f"YAML collections nest more than {MAX_YAML_DEPTH} deep",
                                       f"{file}:{event.start_mark.line + 1}")
                mapping = kind is MappingStartEvent
                tag = event.tag
                if tag is not None and tag != "!" and tag != _TAG + ("map" if mapping else "seq"):
                    # a tag on a collection: its constructor refuses it (!!set, !!str {…}, !foo []);
                    # the ConstructorError is a guard that no constructor reaches
                    node = (MappingNode if mapping else SequenceNode)(tag, [], event.start_mark, event.end_mark)
                    (constructors.get(tag) or constructors[None])(loader, node)
                    raise ConstructorError(None, None, f"the tag {tag} is not allowed here", event.start_mark)
                new = YMap() if mapping else YList()
                new.line = event.start_mark.line + 1
                if event.anchor is not None:
                    anchor_check(event)
                    open_anchors.add(event.anchor)
                total += 1
                frames.append((container, is_map, key, key_line, anchor_of, size, merged))
                container, is_map, key, key_line, anchor_of, size, merged = new, mapping, _NO_KEY, None, \
                    event.anchor, 1, None
                continue
            elif kind is StreamEndEvent:
                return root
            elif kind is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise ComposerError("expected a single document in the stream", None,
                                        "but found another document", event.start_mark)
                continue
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                value, line, anchor, grown = container, container.line, anchor_of, size
                if merged:
                    _merged_first(value, merged)
                open_anchors.discard(anchor)
                container, is_map, key, key_line, anchor_of, size, merged = frames.pop()
                added = 0  # counted as it grew
            else:  # stream start, document end
                continue
            if anchor is not None:
                anchors[anchor] = (value, line, grown)
            total += added
            if total > MAX_YAML_VALUES:
                raise CnnCalcError(f"the document expands to more than {MAX_YAML_VALUES:,} values "
                                   f"(an alias or merge key counts its anchor's values each time it is "
                                   f"used)", f"{file}:{event.start_mark.line + 1}")
            size += grown
            if container is None:
                root = value
            elif not is_map:
                container.append(value)
                container.lines.append(line)
            elif key is _NO_KEY:
                if not isinstance(value, str):
                    hint = " (quote it: in YAML 1.1, yes, no, on and off are booleans)" if isinstance(value, bool) else ""
                    raise CnnCalcError(f"mapping keys must be words, but saw {shown(value)}{hint}", f"{file}:{line}")
                key, key_line = value, line
            elif key is _MERGE:
                merged = merged if merged is not None else []
                merged += _merge(container, value, key_line, file)
                key = _NO_KEY
            else:
                if key in container:
                    raise CnnCalcError(f"key {shown(key)} appears twice in one mapping (first on line "
                                       f"{container.lines[key]})", f"{file}:{key_line}")
                container[key] = value
                container.lines[key] = line
                key = _NO_KEY
    finally:
        loader.dispose()


def _merge(mapping, value, at: int, file: str) -> list:
    """`<<: *base` or `<<: [*a, *b]` on line `at`, read into `mapping` as it arrives: the keys
    it adds. A key the mapping already has, from its own keys or an earlier merge, is an error
    as everywhere in a network file (YAML would let the mapping's own key win)."""
    if isinstance(value, dict):
        sources = [value]
    elif isinstance(value, list):
        for item, line in zip(value, value.lines):
            if not isinstance(item, dict):
                raise CnnCalcError(f"YAML syntax error: expected a mapping for merging, but found {shown(item)}",
                                   f"{file}:{line}")
        sources = value[::-1]  # flatten_mapping's order: a list's later mappings first
    else:
        raise CnnCalcError(f"YAML syntax error: expected a mapping or list of mappings for merging, but found "
                           f"{shown(value)}", f"{file}:{at}")
    added = []
    for source in sources:
        for k, v in source.items():
            if k in mapping:
                raise CnnCalcError(f"key {shown(k)} appears twice in one mapping (first on line "
                                   f"{mapping.lines[k]})", f"{file}:{at}")
            mapping[k] = v
            mapping.lines[k] = source.lines[k]
            added.append(k)
    return added


def _merged_first(mapping, merged: list) -> None:
    """The order flatten_mapping gives a mapping with merge keys: the merged keys first (in the
    order they were merged), then its own."""
    first = set(merged)
    own = [(k, v, mapping.lines[k]) for k, v in mapping.items() if k not in first]
    pairs = [(k, mapping[k], mapping.lines[k]) for k in merged] + own
    mapping.clear()
    mapping.lines.clear()
    for k, v, line in pairs:
        mapping[k] = v
        mapping.lines[k] = line


def load_yaml(text: str, file: str = "<input>"):
    """Parse YAML text into YMap/YList/scalars; syntax errors name the file, line and column."""
    if not isinstance(text, str):
        raise CnnCalcError(f"YAML text must be a str, but saw {type(text).__name__}", file)
    if len(text) > MAX_FILE_BYTES:
        raise CnnCalcError(f"network files are limited to {MAX_FILE_BYTES:,} bytes, but this one has "
                           f"{len(text):,}", file)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:  # a lone surrogate: a str no file could hold
        line = text.count("\n", 0, e.start) + 1
        raise CnnCalcError(f"the text holds {ascii(text[e.start])}, which is not a character", f"{file}:{line}") from None
    Loader, yaml = _loader_class()
    try:
        return _build(text, file, Loader)
    except yaml.reader.ReaderError as e:
        # a character YAML refuses (NUL, other controls); its position is a character index
        line = text.count("\n", 0, e.position) + 1
        column = e.position - (text.rfind("\n", 0, e.position) + 1) + 1
        char = ascii(chr(e.character)) if isinstance(e.character, int) else shown(e.character)
        raise CnnCalcError(f"the character {char} is not allowed in YAML text", f"{file}:{line}:{column}") from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark else file
        raise CnnCalcError(f"YAML syntax error: {e.problem or e.context}{_hint(text, mark)}", where) from None
    except yaml.YAMLError as e:
        raise CnnCalcError(f"YAML error: {shown(str(e), 200)}", file) from None


def _hint(text: str, mark) -> str:
    """What people usually did when YAML says this: a tab, or an unquoted ${…} in a {…}."""
    if mark is None:
        return ""
    lines = text.split("\n")
    line = lines[mark.line] if mark.line < len(lines) else ""
    if mark.column < len(line) and line[mark.column] == "\t" or line[:mark.column + 1].strip(" ") == "\t":
        return "; YAML does not allow tabs: indent with spaces"
    if "${" in line and "{" in line.split("${")[0]:
        return "; inside a {…} flow mapping an expression must be quoted: \"${…}\""
    return ""


def plain_yaml(path):
    """A YAML file as plain data, with YAML's own rules for keys (a workflow's `on:` is True):
    bounded like a network file, but without the network format's checks."""
    text = read_file(path)
    Loader, yaml = _loader_class()
    try:
        _check_structure(text, str(path), Loader)
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)  # the safe constructor: no objects, no code
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError):
        raise CnnCalcError("not valid YAML", str(path)) from None


def read_file(path) -> str:
    """A network file's text. Only a regular file is read (a FIFO or a device would block or
    never end; use - for standard input), and never more than MAX_FILE_BYTES."""
    import os
    import stat

    label = str(path)
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            what = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise CnnCalcError(f"cannot read the file: it is {what} (use - to read standard input)", label)
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise CnnCalcError("no such file", label) from None
    except OSError as e:
        raise CnnCalcError(f"cannot read the file: {e.strerror or e}", label) from None
    except ValueError as e:  # a NUL byte in the path
        raise CnnCalcError(f"cannot read the file: {e}", label) from None
    return decode(data, label)


def read_stream(stream, label: str = "<stdin>") -> str:
    """Standard input's text, bounded like a file: at most MAX_FILE_BYTES + 1 bytes are read."""
    if stream is None:
        raise CnnCalcError("standard input is closed", label)
    try:
        data = getattr(stream, "buffer", stream).read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise CnnCalcError(f"cannot read standard input: {e.strerror or e}", label) from None
    return decode(data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data, label)


def decode(data: bytes, label: str) -> str:
    """UTF-8 bytes -> text, within MAX_FILE_BYTES; bad bytes are reported at their line."""
    if len(data) > MAX_FILE_BYTES:
        raise CnnCalcError(f"network files are limited to {MAX_FILE_BYTES:,} bytes, but this one has more",
                           label)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise CnnCalcError(f"not UTF-8 text ({e.reason} at byte {e.start})", f"{label}:{line}") from None


# --- values -----------------------------------------------------------------------------

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
            hint = f"; did you mean '{value.lower()}'?" if value.lower() in ("same", "valid") else \
                did_you_mean(value, ("same", "valid"))
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
        raise CnnCalcError(f"{name} must be one of {', '.join(opt.choices)}, but saw {shown(value)}"
                           f"{did_you_mean(value, opt.choices)}", where)
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


def check_options(kind: str, options: dict, values: dict, where, loc, merge: bool = False,
                  spell=repr) -> dict:
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
            hint = f"; did you mean {spell(alias)}?" if alias in options else \
                did_you_mean(k, allowed + (["branches"] if merge else []))
            raise CnnCalcError(f"unknown key {shown(k)} for {kind}{hint} (allowed: {', '.join(allowed)})",
                               where(k))
        attrs[k] = check_option(k, options[k], v, partial(where, k))
    for k, opt in options.items():
        if k not in attrs:
            if opt.default is REQUIRED:
                raise CnnCalcError(f"{kind} needs {spell(k)} ({opt.help or opt.type})", loc)
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
            raise CnnCalcError(f"unknown top-level key {shown(key)}{did_you_mean(key, TOP_KEYS)} "
                               f"(allowed: {', '.join(TOP_KEYS)})", root.child(key, line_of(doc, key)))
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
        raise CnnCalcError(f"variants must be a mapping of variant name to parameter values, but saw "
                           f"{shown(variants)}", vloc)
    for name, values in variants.items():
        where = vloc.child(name, line_of(variants, name))
        if not isinstance(name, str) or not name.isidentifier() or not isinstance(values or {}, dict):
            raise CnnCalcError(f"a variant is a name and a mapping of parameter values, but saw "
                               f"{shown(name)}: {shown(values)}", where)
        for key, value in (values or {}).items():
            if key not in params:
                raise CnnCalcError(f"variant {name} sets {shown(key)}, which is not a parameter"
                                   f"{did_you_mean(key, params)} (params: {', '.join(params) or 'none'})",
                                   where.child(key, line_of(values, key)))
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
                raise CnnCalcError(f"unknown key {shown(key)} in block{did_you_mean(key, BLOCK_KEYS)}",
                                   where.child(key, line_of(block, key)))
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
    raise CnnCalcError("each layer is a one-key mapping such as `conv: {filters: 64, kernel: 3}` "
                       f"or a bare kind such as `flatten`, but saw {shown(item)}", loc)


def check_name(name, where):
    """A layer or block-call name: a word without dots; a whole number (`name: 0`, or `${i}`)
    is taken as its digits, as torchvision numbers its Sequential children."""
    if is_int(name) and name >= 0:
        return str(name)
    if name is not None and (not isinstance(name, str) or not name or "." in name):
        raise CnnCalcError(f"name must be a word without dots, but saw {shown(name)}", where)
    if name == "input":
        raise CnnCalcError("the name input is taken: it stands for the network's input, and inside a "
                           "block or branch for its input", where)
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
    raise CnnCalcError(f"when must be true or false (a true/false parameter such as ${{aux_logits}}), "
                       f"but saw {shown(value)}", where)


def check_repeat(repeat, where) -> int:
    repeat = as_int(repeat)
    if not is_int(repeat) or repeat < 1:
        raise CnnCalcError(f"repeat must be a whole number of at least 1, but saw {shown(repeat)}", where)
    if repeat > MAX_NODES:
        raise CnnCalcError(f"repeat must be at most {MAX_NODES:,}, but saw {repeat:,}", where)
    return repeat


# PyTorch's and Keras's option names, and ours
FRAMEWORK_OPTIONS = {"kernel_size": "kernel", "strides": "stride", "out_channels": "filters",
                     "out_features": "units", "dilation_rate": "dilation", "output_size": "output_size",
                     "pool_size": "kernel", "eps": "epsilon", "p": "rate", "depth_multiplier": "depth_multiplier"}


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
        raise CnnCalcError(f"{kind} needs branches: a list of layer lists (an empty list is the "
                           f"identity), or from: a list of layer names, but saw {shown(branches)}", where)
    if len(keys) < 2:
        raise CnnCalcError(f"{kind} needs at least 2 branches, but saw {len(keys)}", where)
    return keys


def block_args(name: str, declared: dict, values: dict, where, loc) -> dict:
    """A block call's arguments, with the block's defaults, checked against its params."""
    args = {p: d for p, d in declared.items() if d is not None}
    for k, v in values.items():
        if k not in declared:
            hint = did_you_mean(k, list(declared) + list(LAYER_KEYS))
            raise CnnCalcError(f"unknown argument {shown(k)} for block {name}{hint} "
                               f"(its params: {', '.join(declared) or 'none'})", where(k))
        args[k] = v
    missing = [p for p, d in declared.items() if d is None and p not in values]
    if missing:
        raise CnnCalcError(f"block {name} needs {', '.join(missing)}", loc)
    return args


def check_expect(expect, where) -> dict:
    """`expect: {shape: 28x28x6, params: 456}` -> {'shape': (28, 28, 6), 'params': 456}, with
    the location of each value. A shape is written in the file's own layout."""
    import re

    if not isinstance(expect, dict) or not expect:
        raise CnnCalcError(f"expect is a mapping of {', '.join(EXPECTED)} to values, but saw {shown(expect)}", where)
    checked = {}
    for key, value in expect.items():
        at = where.child(key, line_of(expect, key, where.line)) if isinstance(where, Loc) else where
        if key not in EXPECTED:
            raise CnnCalcError(f"expect takes {', '.join(EXPECTED)}, but saw {shown(key)}{did_you_mean(key, EXPECTED)}",
                               at)
        if key == "shape":
            checked[key] = (_expected_shape(value, at), at)
            continue
        value = as_int(value)
        if isinstance(value, str) and re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})+|[0-9]{1,40}", value.strip()):
            value = int(value.strip().replace(",", ""))  # 4,704 as printed in a table; 4,56 is not a number
        if not is_int(value) or value < 0:
            raise CnnCalcError(f"expect.{key} must be a whole number, but saw {shown(value)}", at)
        checked[key] = (value, at)
    return checked


def _expected_shape(value, where) -> tuple:
    from .layout import sizes_of

    shape = sizes_of(value, 1, MAX_SIZE, MAX_NUMBER_DIGITS)
    if shape is None:
        raise CnnCalcError(f"expect.shape is sizes like 28x28x6 or [28, 28, 6], but saw {shown(value)}", where)
    return shape


# --- budgets (cnncalc check) --------------------------------------------------------------

# what a budget may bound: counts (K, M, G, T: powers of 1000) and memory (bytes)
COUNTS = ("params", "macs", "flops")
MEMORY = ("activation_memory", "param_memory", "peak_memory")
BUDGET_KEYS = tuple(f"{side}_{what}" for what in COUNTS + MEMORY for side in ("max", "min"))


def parse_amount(text, key: str, where=None) -> int:
    """A budget's bound: a count (K, M, G, T) or, for a memory key, bytes (see units)."""
    from .units import parse_amount as amount

    return amount(text, key, key.split("_", 1)[1] in MEMORY, where)


def check_budget_section(budget, where) -> list[tuple[str, int, Loc]]:
    """A file's `budget:` section -> (key, bound, where) for each limit, checked where written."""
    if not isinstance(budget, dict):
        raise CnnCalcError(f"budget is a mapping like {{max_params: 5M, max_macs: 600M}}, but saw {shown(budget)}",
                           where)
    limits = []
    for key, value in budget.items():
        at = where.child(key, line_of(budget, key, where.line))
        if key not in BUDGET_KEYS:
            raise CnnCalcError(f"budget takes {', '.join(BUDGET_KEYS)}, but saw {shown(key)}"
                               f"{did_you_mean(key, BUDGET_KEYS)}", at)
        limits.append((key, parse_amount(value, key, at), at))
    return limits


def check_param(name, value, where) -> None:
    """A network parameter (in the file, from --set or from the API) is a number, a boolean
    or text (an expression); nothing else can reach an expression or the JSON report."""
    if not isinstance(name, str) or not name.isidentifier():
        raise CnnCalcError(f"a parameter name must be a word like alpha, but saw {shown(name)}", where)
    if isinstance(value, float) and not math.isfinite(value):
        raise CnnCalcError(f"parameter {name} must be a finite number, but saw {shown(value)}", where)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10 ** MAX_NUMBER_DIGITS:
        raise CnnCalcError(f"parameter {name} is a number of more than {MAX_NUMBER_DIGITS} digits", where)
    if not isinstance(value, (int, float, str)):
        raise CnnCalcError(f"parameter {name} must be a number, true/false or an expression, but saw "
                           f"{shown(value)}", where)


def block_params(block, name: str, loc) -> dict:
    """A block's declared params as {name: default}, None marking a required one."""
    declared = block.get("params") or {}
    if isinstance(declared, list) and all(isinstance(p, str) for p in declared):
        declared = {p: None for p in declared}
    if not isinstance(declared, dict) or not all(isinstance(p, str) for p in declared):
        raise CnnCalcError(f"the params of block {shown(name)} must be a mapping of name to default "
                           f"(null when required) or a list of names, but saw {shown(declared)}", loc)
    return declared


def parse_input(spec, scope: dict, loc) -> tuple[str, Shape]:
    """`input: {shape: [224, 224, 3], layout: HWC}` -> ('HWC', (3, 224, 224))."""
    if not isinstance(spec, dict):
        raise CnnCalcError("input must be a mapping like {shape: [224, 224, 3], layout: HWC}, "
                           f"but saw {shown(spec)}", loc)
    for key in spec:
        if key not in ("shape", "layout"):
            raise CnnCalcError(f"unknown key {shown(key)} in input{did_you_mean(key, ('shape', 'layout'))}",
                               loc.child(key, line_of(spec, key)))
    if "shape" not in spec or "layout" not in spec:
        raise CnnCalcError("input needs both shape and layout (for example shape: [224, 224, 3] and "
                           "layout: HWC), so that [3, 224, 224] is never guessed", loc)
    layout = str(spec["layout"]).upper()
    if layout not in LAYOUTS:
        raise CnnCalcError(f"layout must be one of {', '.join(LAYOUTS)}, but saw {shown(spec['layout'])}",
                           loc.child("layout", line_of(spec, "layout")))
    sloc = loc.child("shape", line_of(spec, "shape"))
    shape = spec["shape"]
    if not isinstance(shape, list):
        raise CnnCalcError(f"shape must be a list of sizes, but saw {shown(shape)}", sloc)
    shape = [as_int(substitute(v, scope, sloc)) for v in shape]
    if len(shape) != len(layout) or not all(is_int(v) and 1 <= v <= MAX_SIZE for v in shape):
        raise CnnCalcError(f"shape must be {len(layout)} positive whole numbers (at most {MAX_SIZE:,}) for "
                           f"layout {layout}, but saw {shown(shape)}", sloc)
    return layout, to_channels_first(shape, layout)

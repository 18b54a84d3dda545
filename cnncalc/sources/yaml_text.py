"""YAML text -> plain dicts and lists that remember their lines (YMap, YList, scalars), read
from a file or standard input within the size bound, with yaml.safe_load's meaning and
nothing that builds objects or runs code. yaml is imported only here, and only when a file is
read.

  read_file / read_stream / decode   bytes -> text, bounded, UTF-8, errors at their line
  load_yaml                          text -> YMap / YList / scalars, each with its line
  plain_yaml                         any YAML file (a CI workflow), bounded alike"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

from ..errors import CnnCalcError, shown
from ..limits import MAX_FILE_BYTES, MAX_NUMBER_DIGITS, MAX_YAML_DEPTH, MAX_YAML_VALUES


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
        for first, resolvers in base.yaml_implicit_resolvers.items()
    }

    def where(loader, node):
        return f"{loader.name}:{node.start_mark.line + 1}"

    def expect(loader, node, node_type, what):
        if not isinstance(node, node_type):
            raise CnnCalcError(f"the tag {node.tag.replace(_TAG, '!!')} needs {what}", where(loader, node))

    def collection(node_type, what):
        """_build reads mappings and lists itself; a constructor is asked only for a tag on a
        collection, to refuse it (!!map on a list) with the tag's own words."""

        def construct(loader, node):
            expect(loader, node, node_type, what)
            raise AssertionError(f"a {what} is read by _build, not constructed")  # pragma: no cover

        return construct

    def scalar(convert, what):
        """A scalar constructor that refuses what it cannot convert, at the file's line."""
        number = convert in ("int", "float")

        def construct(loader, node):
            expect(loader, node, ScalarNode, what)
            text = loader.construct_scalar(node)
            if number and ":" in text:
                return text  # YAML 1.1's base 60 (1:30 = 90) means nothing here: keep the text
            if number and len(text) > MAX_NUMBER_DIGITS:
                raise CnnCalcError(
                    f"a number of {len(text):,} characters; numbers are limited to {MAX_NUMBER_DIGITS} digits",
                    where(loader, node),
                )
            try:
                value = getattr(base, f"construct_yaml_{convert}")(loader, node)
            except (ValueError, KeyError, TypeError, OverflowError, IndexError, AttributeError):
                raise CnnCalcError(f"{shown(text)} is not {what}", where(loader, node)) from None
            if convert == "float" and not math.isfinite(value):
                raise CnnCalcError(
                    f"{shown(text)} is not a finite number; .inf and .nan mean nothing in a network file",
                    where(loader, node),
                )
            if convert == "str" and not value.isprintable():
                bad = [c for c in value if not c.isprintable() and c not in "\t\n"]
                if bad:
                    raise CnnCalcError(
                        f"a string holds the control character {ascii(bad[0])}; network files hold text only",
                        where(loader, node),
                    )
            return value

        return construct

    def refused(loader, node):
        raise CnnCalcError(
            f"the tag {node.tag.replace(_TAG, '!!')} is not allowed in a network file "
            f"(only text, numbers, booleans, null, lists and mappings)",
            where(loader, node),
        )

    Loader.add_constructor(_TAG + "map", collection(MappingNode, "a mapping"))
    Loader.add_constructor(_TAG + "seq", collection(SequenceNode, "a list"))
    for tag, what in (("int", "an integer"), ("float", "a number"), ("bool", "true or false"), ("str", "text")):
        Loader.add_constructor(_TAG + tag, scalar(tag, what))
    for tag in _REFUSED_TAGS:
        Loader.add_constructor(_TAG + tag, refused)
    Loader.add_constructor(None, refused)  # every other tag: !!python/…, !local, …
    return Loader, yaml


# Scalars already built, by (tag as written, text, implicit flags): network files repeat the
# same few words and numbers, and YAML's resolver (a regular expression per candidate type)
# is the parse's largest cost. For the network-file Loader only (its resolvers and safe
# constructors); only short values built without error are kept, and at most
# _SCALAR_CACHE_SIZE of them: a bulk check of many files holds at most a few megabytes here.
_SCALARS: dict = {}
_SCALAR_CACHE_SIZE = 20_000
_SCALAR_CACHE_LENGTH = 64

_NO_KEY = object()  # a mapping waiting for its next key
_MERGE = object()  # a mapping whose key was <<: its value is merged in when it has been read


def _build(text: str, file: str, Loader, plain: bool = False):
    """The document as YMap / YList / scalars, in one pass over libyaml's parser events.

    No composer and no node tree: libyaml's composer recurses in C (deep nesting would
    overflow the stack) and builds a node for every value. As it goes this refuses, in the
    one place that counts them, collections nested deeper than MAX_YAML_DEPTH and aliases and
    merge keys expanding to more than MAX_YAML_VALUES values; and it keeps yaml.safe_load's meaning:
    the same resolver and safe constructors for scalars, aliases as the anchored value itself,
    merge keys (<<) as SafeConstructor.flatten_mapping merges them, one document only. The
    first error in the text's order is the one raised. plain: YAML's own rules for keys (any
    scalar, and a repeated key's last value wins), for YAML that is not a network file."""
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
    anchors: dict = {}  # anchor -> (value, line, how many values it stands for)
    open_anchors: set = set()  # anchors of collections not yet ended (an alias to one is a loop)
    # the collection being read: its container, whether a mapping, the key waiting for its value
    # and that key's line, its anchor, how many values it holds so far, and the keys merged into
    # it (None: no merge); the enclosing ones wait in `frames`
    frames: list = []
    # the values read are YMaps, YLists and scalars: checked as they are read, not by their types
    root: Any = None
    container: Any = None
    key: Any = None
    key_line: Any = None
    anchor_of: Any = None
    merged: Any = None
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
                            raise CnnCalcError(
                                f"an anchor (&{event.anchor}) on a merge key (<<) is not supported", f"{file}:{line}"
                            )
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
                        raise ComposerError(
                            None,
                            None,
                            f"the alias *{event.anchor} is inside the collection it "
                            f"names (found unconstructable recursive node)",
                            event.start_mark,
                        )
                    raise ComposerError(None, None, f"found undefined alias {event.anchor!r}", event.start_mark)
                value, line, grown = entry
                anchor, added = None, grown
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if len(frames) >= MAX_YAML_DEPTH:
                    raise CnnCalcError(
                        f"YAML collections nest more than {MAX_YAML_DEPTH} deep", f"{file}:{event.start_mark.line + 1}"
                    )
                mapping = kind is MappingStartEvent
                tag = event.tag
                if tag is not None and tag != "!" and tag != _TAG + ("map" if mapping else "seq"):
                    # a tag on a collection: its constructor refuses it (!!set, !!str {…}, !foo []);
                    # the ConstructorError is a guard that no constructor reaches
                    tagged = (MappingNode if mapping else SequenceNode)(tag, [], event.start_mark, event.end_mark)
                    (constructors.get(tag) or constructors[None])(loader, tagged)
                    raise ConstructorError(None, None, f"the tag {tag} is not allowed here", event.start_mark)
                new = YMap() if mapping else YList()
                new.line = event.start_mark.line + 1
                if event.anchor is not None:
                    anchor_check(event)
                    open_anchors.add(event.anchor)
                total += 1
                frames.append((container, is_map, key, key_line, anchor_of, size, merged))
                container, is_map, key, key_line, anchor_of, size, merged = (
                    new,
                    mapping,
                    _NO_KEY,
                    None,
                    event.anchor,
                    1,
                    None,
                )
                continue
            elif kind is StreamEndEvent:
                return root
            elif kind is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise ComposerError(
                        "expected a single document in the stream", None, "but found another document", event.start_mark
                    )
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
                raise CnnCalcError(
                    f"the document expands to more than {MAX_YAML_VALUES:,} values "
                    f"(an alias or merge key counts its anchor's values each time it is "
                    f"used)",
                    f"{file}:{event.start_mark.line + 1}",
                )
            size += grown
            if container is None:
                root = value
            elif not is_map:
                container.append(value)
                container.lines.append(line)
            elif key is _NO_KEY:
                if not isinstance(value, str) and not plain:
                    hint = (
                        " (quote it: in YAML 1.1, yes, no, on and off are booleans)" if isinstance(value, bool) else ""
                    )
                    raise CnnCalcError(f"mapping keys must be words, but saw {shown(value)}{hint}", f"{file}:{line}")
                key, key_line = value, line
            elif key is _MERGE:
                merged = merged if merged is not None else []
                merged += _merge(container, value, key_line, file)
                key = _NO_KEY
            else:
                if key in container and not plain:
                    raise CnnCalcError(
                        f"key {shown(key)} appears twice in one mapping (first on line {container.lines[key]})",
                        f"{file}:{key_line}",
                    )
                container[key] = value
                container.lines[key] = line
                key = _NO_KEY
    finally:
        loader.dispose()


def _merge(mapping: Any, value: Any, at: int, file: str) -> list:
    """`<<: *base` or `<<: [*a, *b]` on line `at`, read into `mapping` as it arrives: the keys
    it adds. A key the mapping already has, from its own keys or an earlier merge, is an error
    as everywhere in a network file (YAML would let the mapping's own key win)."""
    sources: list[Any]
    if isinstance(value, YMap):
        sources = [value]
    elif isinstance(value, YList):
        for item, line in zip(value, value.lines):
            if not isinstance(item, dict):
                raise CnnCalcError(
                    f"YAML syntax error: expected a mapping for merging, but found {shown(item)}", f"{file}:{line}"
                )
        sources = value[::-1]  # flatten_mapping's order: a list's later mappings first
    else:
        raise CnnCalcError(
            f"YAML syntax error: expected a mapping or list of mappings for merging, but found {shown(value)}",
            f"{file}:{at}",
        )
    added = []
    for source in sources:
        for k, v in source.items():
            if k in mapping:
                raise CnnCalcError(
                    f"key {shown(k)} appears twice in one mapping (first on line {mapping.lines[k]})", f"{file}:{at}"
                )
            mapping[k] = v
            mapping.lines[k] = source.lines[k]
            added.append(k)
    return added


def _merged_first(mapping: Any, merged: list) -> None:
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
        raise CnnCalcError(
            f"network files are limited to {MAX_FILE_BYTES:,} bytes, but this one has {len(text):,}", file
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:  # a lone surrogate: a str no file could hold
        line = text.count("\n", 0, e.start) + 1
        raise CnnCalcError(
            f"the text holds {ascii(text[e.start])}, which is not a character", f"{file}:{line}"
        ) from None
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
    if mark.column < len(line) and line[mark.column] == "\t" or line[: mark.column + 1].strip(" ") == "\t":
        return "; YAML does not allow tabs: indent with spaces"
    if "${" in line and "{" in line.split("${")[0]:
        return '; inside a {…} flow mapping an expression must be quoted: "${…}"'
    return ""


def plain_yaml(path):
    """A YAML file as plain data, with YAML's own rules for keys (a workflow's `on:` is True):
    bounded like a network file, but without the network format's checks."""
    text = read_file(path)
    Loader, yaml = _loader_class()
    try:
        return _build(text, str(path), Loader, plain=True)
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
        raise CnnCalcError(f"network files are limited to {MAX_FILE_BYTES:,} bytes, but this one has more", label)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise CnnCalcError(f"not UTF-8 text ({e.reason} at byte {e.start})", f"{label}:{line}") from None

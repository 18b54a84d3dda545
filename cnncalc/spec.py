"""Reading network files: YAML text -> plain dicts and lists that remember their lines.

yaml is imported only here, and only when a file is read. yaml.safe_load semantics:
no tags that build objects, no code."""

from __future__ import annotations

from .errors import CnnCalcError

MAX_FILE_BYTES = 2_000_000


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


"""The package's shape, read from its source with `ast`: no import cycle (lazy imports inside
functions count too: a cycle is a cycle however late it closes), the pipeline's direction
(sources and kinds know nothing of the engine, the report or the renderers; the engine, kinds
and report import nothing from click, rich or yaml), and no module past about 600 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cnncalc"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str) -> set[str]:
    """Every cnncalc module that `name` imports, at the top or inside a function."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            # `from . import api` names a module; `from .kinds import KINDS` a name in one
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        found |= {t for t in targets if t in MODULES and t != name}
    return found


GRAPH = {name: imports_of(name) for name in MODULES}


def test_the_graph_is_read():
    # a sanity check of the reader on edges that must exist, so an empty graph cannot pass
    assert "cnncalc.kinds.base" in GRAPH["cnncalc.kinds.convolution"]
    assert "cnncalc.engine" in GRAPH["cnncalc.api"]


def find_cycle(graph: dict) -> list[str] | None:
    """A cycle of the graph (a list of modules, the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node, path):
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt, path + [nxt])
                if found:
                    return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start, [start])
            if found:
                return found
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle():
    # a package's __init__ is where its modules are gathered: an edge into it from one of its
    # own modules is that module importing a sibling through the package, and it counts too
    assert find_cycle(GRAPH) is None, " -> ".join(find_cycle(GRAPH))


def reachable(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in GRAPH[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


LATER = ("cnncalc.engine", "cnncalc.report", "cnncalc.render", "cnncalc.api", "cnncalc.cli", "cnncalc.check")


@pytest.mark.parametrize("early", ["cnncalc.kinds", "cnncalc.sources"])
def test_the_pipeline_flows_one_way(early):
    # the kinds and the sources know nothing of what runs after them
    members = [name for name in MODULES if name == early or name.startswith(early + ".")]
    later = {name for name in MODULES if name.startswith(LATER)}
    assert {m: sorted(reachable(m) & later) for m in members if reachable(m) & later} == {}


def third_party_imports(name: str) -> set[str]:
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module.split(".")[0])
    return found & {"click", "rich", "yaml"}


@pytest.mark.parametrize(
    "name",
    [
        n
        for n in MODULES
        if n.startswith(
            (
                "cnncalc.engine",
                "cnncalc.kinds",
                "cnncalc.report",
                "cnncalc.expand",
                "cnncalc.memory",
                "cnncalc.conventions",
            )
        )
    ],
)
def test_the_core_imports_no_click_rich_or_yaml(name):
    assert third_party_imports(name) == set()


def test_only_the_cli_imports_click_and_only_the_yaml_reader_yaml():
    users = {lib: sorted(n for n in MODULES if lib in third_party_imports(n)) for lib in ("click", "yaml")}
    assert users == {"click": ["cnncalc.cli", "cnncalc.cli.options"], "yaml": ["cnncalc.sources.yaml_text"]}


@pytest.mark.parametrize("name", list(MODULES))
def test_no_module_is_past_600_lines(name):
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= 600, f"{name} has {lines} lines"


@pytest.mark.parametrize("name", list(MODULES))
def test_every_module_says_what_it_does(name):
    doc = ast.get_docstring(ast.parse(MODULES[name].read_text(encoding="utf-8")))
    assert doc and len(doc) > 20, f"{name} has no docstring"


def test_no_test_module_imports_another():
    # shared tables, oracles and helpers live in support modules (kind_cases, oracles, helpers)
    tests = Path(__file__).parent
    for path in sorted(tests.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            )
            assert not [n for n in names if n.split(".")[0].startswith("test_")], f"{path.name} imports {names}"

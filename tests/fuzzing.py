"""Seeded generators of hostile network files, shared by the quick fuzz test in the default
suite and the long run (`pytest -m fuzz`). A case passes when cnncalc answers with a report
that every renderer can print, or with a CnnCalcError naming the file; anything else (another
exception, a hang past the alarm) is a failure."""

from __future__ import annotations

import io
import json
import random
import signal
from pathlib import Path

import cnncalc
from cnncalc.kinds import KINDS
from cnncalc.render.json import render_json
from cnncalc.render.table import render_table
from cnncalc.render.tabular import render_csv, render_markdown

ARCHITECTURES = sorted((Path(__file__).parent.parent / "architectures").glob("*.yaml"))
KIND_NAMES = sorted(KINDS)
OPTION_KEYS = sorted({k for kind in KINDS.values() for k in kind.options} | {"name", "repeat", "branches"})
TOP_KEYS = ["name", "description", "source", "params", "input", "blocks", "layers"]
LAYOUTS = ["HWC", "CHW", "TC", "CT", "DHWC", "CDHW", "C", "hwc", "XYZ"]

# scalars as YAML text: numbers at and past every bound, tags, expressions, markup, controls
SCALARS = [
    "0",
    "1",
    "-1",
    "2",
    "3",
    "7",
    "64",
    "2.5",
    "1.0",
    "1.0e+23",
    "1.0e+400",
    "-.inf",
    ".inf",
    ".nan",
    "9" * 45,
    "0x7fffffffffffffff",
    "0o777",
    "0b101",
    "1:30",
    "1:2:3:4:5",
    "2001-02-30",
    "2001-12-14",
    "true",
    "false",
    "yes",
    "on",
    "null",
    "~",
    "same",
    "valid",
    "SAME",
    "relu",
    "conv",
    "x",
    '"${1/0}"',
    '"${round(1, -999999999999)}"',
    '"${alpha}"',
    '"${c1 *}"',
    '"${(((((1)))))}"',
    '"${' + "-" * 300 + '1}"',
    '"${10**10}"',
    '"${max()}"',
    '"${make_divisible(8, 0)}"',
    '"${ }"',
    '"[/x]"',
    '"[bold]x"',
    '"\\e[31m"',
    '"\\0"',
    '"a.b"',
    '"' + "x" * 500 + '"',
    "'it''s'",
    "!!int abc",
    "!!int ''",
    "!!float abc",
    "!!bool maybe",
    "!!timestamp nope",
    "!!binary AAAA",
    "!!str 3",
    "!!null ''",
    "!!python/name:os.system",
    "!foo bar",
    "10000001",
    "100000",
]
TAGS_ON_COLLECTIONS = ["!!map ", "!!seq ", "!!set ", "!!omap ", "!!pairs ", "!!python/tuple ", ""]


class Emitter:
    """Flow-style YAML with random anchors, aliases, merge keys and tags."""

    def __init__(self, rng: random.Random):
        self.rng, self.anchors = rng, []

    def node(self, value) -> str:
        rng = self.rng
        if self.anchors and rng.random() < 0.03:
            return "*" + rng.choice(self.anchors)
        prefix = ""
        if rng.random() < 0.04:
            name = f"a{len(self.anchors)}"
            self.anchors.append(name)
            prefix = f"&{name} "
        if isinstance(value, dict):
            tag = rng.choice(TAGS_ON_COLLECTIONS) if rng.random() < 0.03 else ""
            items = [f"{self.key(k)}: {self.node(v)}" for k, v in value.items()]
            if self.anchors and rng.random() < 0.03:
                items.append(f"<<: *{rng.choice(self.anchors)}")
            return prefix + tag + "{" + ", ".join(items) + "}"
        if isinstance(value, list):
            tag = rng.choice(TAGS_ON_COLLECTIONS) if rng.random() < 0.03 else ""
            return prefix + tag + "[" + ", ".join(self.node(v) for v in value) + "]"
        if isinstance(value, str) and value.startswith("\x00raw:"):
            return prefix + value[5:]
        return prefix + json.dumps(value)

    def key(self, k) -> str:
        if self.rng.random() < 0.02:
            return self.rng.choice(["1", "true", "null", "[a]", "2.5", '"[/x]"', "<<"])
        return json.dumps(k)


def raw(text: str) -> str:
    return "\x00raw:" + text


def scalar(rng):
    return raw(rng.choice(SCALARS))


def small_int(rng):
    return rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 5, 7, 8, 16, -1]) if rng.random() < 0.9 else scalar(rng)


def value(rng, depth=0):
    r = rng.random()
    if depth > 2 or r < 0.6:
        return small_int(rng) if rng.random() < 0.5 else scalar(rng)
    if r < 0.8:
        return [value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(OPTION_KEYS): value(rng, depth + 1) for _ in range(rng.randint(0, 3))}


def layer(rng, blocks, depth):
    if blocks and rng.random() < 0.15:
        name = rng.choice(blocks)
        return {name: {"repeat": small_int(rng)}} if rng.random() < 0.5 else name
    kind = rng.choice(KIND_NAMES) if rng.random() < 0.95 else rng.choice(["conv2d", "Linear", "", "input"])
    spec = KINDS.get(kind)
    options = {}
    for key in spec.options if spec else OPTION_KEYS:
        if rng.random() < (0.7 if key in ("filters", "kernel", "units", "output_size", "padding") else 0.2):
            options[key] = small_int(rng) if rng.random() < 0.8 else value(rng)
    if rng.random() < 0.1:
        options[rng.choice(OPTION_KEYS)] = value(rng)
    if rng.random() < 0.1:
        options["name"] = rng.choice(["x", "y", "[/x]", "a.b", "conv1", 3])
    if rng.random() < 0.1:
        options["repeat"] = small_int(rng)
    if spec is not None and spec.merge or rng.random() < 0.05:
        options["branches"] = (
            [[layer(rng, blocks, depth + 1) for _ in range(rng.randint(0, 2))] for _ in range(rng.randint(1, 3))]
            if depth < 3
            else []
        )
    if not options and rng.random() < 0.5:
        return kind
    return {kind: options}


def random_network(rng: random.Random) -> str:
    """A network file built from the format's own words, with random values, keys and tags."""
    doc = {}
    rank = rng.choice([0, 1, 2, 2, 2, 3])
    layout = rng.choice(LAYOUTS[:7]) if rng.random() < 0.9 else rng.choice(LAYOUTS)
    doc["name"] = rng.choice(["net", "[/x]", "a" * 50, 7])
    if rng.random() < 0.4:
        doc["params"] = {"alpha": value(rng), "c1": small_int(rng)}
    doc["input"] = {"shape": [rng.choice([1, 2, 3, 4, 8, 16, 17, 32, 224]) for _ in range(rank + 1)], "layout": layout}
    if rng.random() < 0.1:
        doc["input"] = value(rng)
    blocks = {}
    for b in range(rng.randint(0, 3)):
        names = list(blocks)
        blocks[f"b{b}"] = {
            "params": {"c": small_int(rng)} if rng.random() < 0.5 else [],
            "layers": [layer(rng, names, 1) for _ in range(rng.randint(0, 3))],
        }
    if blocks:
        doc["blocks"] = blocks
    doc["layers"] = [layer(rng, list(blocks), 0) for _ in range(rng.randint(0, 6))]
    for key in list(doc):
        if rng.random() < 0.03:
            del doc[key]
    if rng.random() < 0.03:
        doc[rng.choice(["layer", "inputs", "blocs"])] = value(rng)
    return "\n".join(f"{Emitter(rng).key(k)}: {Emitter(rng).node(v)}" for k, v in doc.items()) + "\n"


TOKENS = [
    "0",
    "-1",
    "1e9",
    "null",
    "[]",
    "{}",
    "same",
    '"${x}"',
    '"${1/0}"',
    "true",
    "[1, 2, 3]",
    "conv",
    ":",
    "- ",
    "  ",
    "\n",
    "[[1,2],[3]]",
    '"${c1 *}"',
    "99999999",
    "2.5",
    "[[1]]",
    "&a ",
    "*a",
    "<<: *a",
    "!!int ",
    "!!set ",
    "!!binary ",
    "!!python/object:x ",
    "\t",
    "\x00",
    "\x1b[31m",
    "[/x]",
    "2001-02-30",
    "1:30",
    "9" * 50,
    ".inf",
    "{",
    "[",
    "'",
    '"',
    "#",
    "|",
    ">",
]


def mutate(text: str, rng: random.Random) -> str:
    """Line and token mutations of a real network file."""
    lines = text.split("\n")
    for _ in range(rng.randint(1, 4)):
        j = rng.randrange(len(lines))
        line, op = lines[j], rng.random()
        if op < 0.3 and ":" in line:
            lines[j] = line[: line.rindex(":") + 1] + " " + rng.choice(TOKENS)
        elif op < 0.45:
            del lines[j]
        elif op < 0.6:
            lines.insert(j, rng.choice(lines))
        elif op < 0.75 and line:
            p = rng.randrange(len(line))
            lines[j] = line[:p] + line[p + 1 :]
        elif op < 0.8 and line:
            p = rng.randrange(len(line))
            lines[j] = line[:p] + chr(rng.randrange(256)) + line[p + 1 :]
        else:
            p = rng.randrange(len(line) + 1)
            lines[j] = line[:p] + rng.choice(TOKENS) + line[p:]
        if not lines:
            lines = [""]
    return "\n".join(lines)


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


def run_case(text: str, seconds: int = 10) -> str:
    """'ok' or 'error' (a located CnnCalcError); any other outcome raises AssertionError."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    try:
        report = cnncalc.analyze(cnncalc.loads(text, file="fuzz.yaml"))
        render_json(report), render_csv(report), render_markdown(report), render_json(report, depth=1)
        if len(report.layers) <= 60:  # rich's layout dominates the run time past that
            from rich.console import Console

            Console(file=io.StringIO(), width=100).print(render_table(report))
        return "ok"
    except cnncalc.CnnCalcError as e:
        assert str(e).startswith("fuzz.yaml"), f"unlocated error: {e}\n--- input ---\n{text[:2000]}"
        return "error"
    except Hang:
        raise AssertionError(f"no answer within {seconds} s\n--- input ---\n{text[:2000]}") from None
    except Exception as e:  # noqa: BLE001 - the point: nothing but CnnCalcError may come out
        raise AssertionError(f"{type(e).__name__}: {e}\n--- input ---\n{text[:2000]}") from e
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def campaign(seed: int, cases: int) -> dict[str, int]:
    """Half generated structures, half mutations of the built-ins; counts of each outcome."""
    rng = random.Random(seed)
    texts = [p.read_text(encoding="utf-8") for p in ARCHITECTURES]
    counts = {"ok": 0, "error": 0}
    for i in range(cases):
        text = random_network(rng) if i % 2 == 0 else mutate(rng.choice(texts), rng)
        counts[run_case(text)] += 1
    return counts

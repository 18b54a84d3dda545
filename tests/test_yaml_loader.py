"""The YAML reader (sources.yaml_text.load_yaml builds values straight from libyaml's parser events) against
PyYAML's own yaml.safe_load as the oracle: the same values of the same types for every built-in
file and for random documents with anchors, aliases, merge keys and explicit tags; and the
lines it records, and the errors of what safe_load would build but a network file refuses."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from cnncalc.errors import CnnCalcError
from cnncalc.sources.yaml_text import load_yaml

ROOT = Path(__file__).parent.parent


def typed(value):
    """A value with the type of every scalar spelled out (1, 1.0 and True compare equal)."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    return (type(value).__name__, value)


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "cnncalc" / "architectures").glob("*.yaml")) or sorted((ROOT / "architectures").glob("*.yaml")),
    ids=lambda p: p.stem,
)
def test_every_built_in_reads_as_safe_load_reads_it(path):
    text = path.read_text(encoding="utf-8")
    assert typed(load_yaml(text, path.name)) == typed(yaml.safe_load(text))


SCALARS = [
    0,
    1,
    -7,
    3.5,
    1e-3,
    True,
    False,
    None,
    "relu",
    "yes",
    "1:30",
    "0x1F",
    "=",
    "<<",
    "a b",
    "",
    "~",
    "${depth * 2}",
    "NaN text",
    12345678901234567890,
]


def random_value(rng, depth, shared):
    roll = rng.random()
    if depth > 3 or roll < 0.45:
        return rng.choice(SCALARS)
    if shared and roll < 0.55:
        return rng.choice(shared)  # the same object twice: yaml.dump writes an anchor and an alias
    if roll < 0.8:
        value = {f"k{i}": random_value(rng, depth + 1, shared) for i in range(rng.randint(0, 4))}
    else:
        value = [random_value(rng, depth + 1, shared) for _ in range(rng.randint(0, 4))]
    shared.append(value)
    return value


@pytest.mark.parametrize("seed", range(40))
def test_random_documents_read_as_safe_load_reads_them(seed):
    rng = random.Random(seed)
    shared: list = []
    data = {f"top{i}": random_value(rng, 0, shared) for i in range(rng.randint(1, 6))}
    text = yaml.dump(data, default_flow_style=rng.choice([None, True, False]), sort_keys=False)
    assert typed(load_yaml(text, "doc.yaml")) == typed(yaml.safe_load(text))


MERGES = """\
base: &base {kernel: 3, padding: 1}
wide: &wide {filters: 64, groups: 1}
one: {<<: *base, filters: 8}
two:
  <<: [*base, *wide]
  stride: 2
nested: &nested {<<: *base, dilation: 2}
again: {<<: *nested, bias: false}
explicit: !!map {a: !!int "12", b: !!float 3, c: !!str 4, d: ! 12, e: !!bool yes, f: !!null ""}
"""


def test_merge_keys_and_explicit_tags_read_as_safe_load_reads_them():
    assert typed(load_yaml(MERGES, "m.yaml")) == typed(yaml.safe_load(MERGES))


def test_lines_are_those_of_the_values_and_an_alias_has_its_anchors():
    doc = load_yaml("a: &x\n  - 1\n  - [2,\n     3]\nb:\n  c: *x\n  d: 4\n", "f.yaml")
    assert doc.line == 1 and doc.lines == {"a": 1, "b": 6}  # a value starts at its anchor
    assert doc["a"].lines == [2, 3] and doc["a"][1].lines == [3, 4]
    assert doc["b"].lines == {"c": 1, "d": 7}  # *x is the list anchored on line 1
    assert doc["b"]["c"] is doc["a"]


def test_merged_keys_keep_their_own_lines_and_order():
    doc = load_yaml(MERGES, "m.yaml")
    # flatten_mapping's order: a list's later mappings first, then the earlier, then its own keys
    assert list(doc["two"]) == ["filters", "groups", "kernel", "padding", "stride"]
    assert doc["two"].lines == {"kernel": 1, "padding": 1, "filters": 2, "groups": 2, "stride": 6}
    assert list(doc["again"]) == ["kernel", "padding", "dilation", "bias"]


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("a: *nope\n", "f.yaml:1:4: YAML syntax error: found undefined alias 'nope'"),
        ("a: &x 1\nb: &x 2\n", "f.yaml:2:4: YAML syntax error: found duplicate anchor 'x'"),
        ("a: &x [1, *x]\n", "f.yaml:1:11: YAML syntax error: the alias *x is inside the collection it names"),
        ("a: 1\n---\nb: 2\n", "f.yaml:2:1: YAML syntax error: but found another document"),
        ("a: &x 1\nb: {<<: *x}\n", "f.yaml:2: YAML syntax error: expected a mapping or list of mappings for merging"),
        (
            "m:\n  <<:\n  - {a: 1}\n  - 7\n  - {b: 2}\n",
            "f.yaml:4: YAML syntax error: expected a mapping for merging, but found 7",
        ),
        ("a: &a {x: 1}\nm:\n  x: 2\n  <<: *a\n", "f.yaml:4: key 'x' appears twice in one mapping (first on line 3)"),
        (
            "a: &a {x: 1}\nm:\n  <<: *a\n  x:\n    2\n",
            "f.yaml:4: key 'x' appears twice in one mapping (first on line 1)",
        ),
        ("m:\n  <<: 3\n  a: 1\n  a: 2\n", "f.yaml:2: YAML syntax error: expected a mapping"),  # the first error
        ("b: &b {x: 1}\nm: {&m << : *b}\n", "f.yaml:2: an anchor (&m) on a merge key (<<) is not supported"),
        ("a: &x {k: 1}\nb: {<<: *x, k: 2}\n", "f.yaml:2: key 'k' appears twice in one mapping (first on line 1)"),
        ("a: &x {k: 1}\nb:\n  <<: [*x, *x]\n", "f.yaml:3: key 'k' appears twice in one mapping (first on line 1)"),
        ("a: <<\n", "the tag !!merge is not allowed"),
        ("a: =\n", "the tag !!value is not allowed"),
        ("a: !!str {b: 1}\n", "f.yaml:1: the tag !!str needs text"),
        ("a: !!seq {b: 1}\n", "f.yaml:1: the tag !!seq needs a list"),
        ("a: !!null [1]\n", "f.yaml:1:4: YAML syntax error: "),  # the rest is PyYAML's own wording
        ("!!set {a}\n", "the tag !!set is not allowed"),
        ("? [a]\n: 1\n", "f.yaml:1: mapping keys must be words, but saw ['a']"),
        ("on: 1\n", "quote it: in YAML 1.1, yes, no, on and off are booleans"),
    ],
)
def test_what_a_network_file_refuses(text, fragment):
    with pytest.raises(CnnCalcError) as caught:
        load_yaml(text, "f.yaml")
    assert fragment in str(caught.value)


def test_many_merge_keys_in_one_mapping_are_read_in_linear_time():
    """Each `<<` is merged as it arrives (a list copied per merge key was quadratic: 250,000 of
    them fit in a 2 MB file). Counted, not timed: the merges add each key once."""
    n = 20_000
    doc = load_yaml("e: &e {}\nm: {" + "<<: *e, " * n + "k: 1}\n", "f.yaml")
    assert doc["m"] == {"k": 1}
    doc = load_yaml(
        "".join(f"a{i}: &a{i} {{k{i}: {i}}}\n" for i in range(300))
        + "m: {"
        + ", ".join(f"<<: *a{i}" for i in range(300))
        + "}\n",
        "f.yaml",
    )
    assert list(doc["m"]) == [f"k{i}" for i in range(300)]


def test_a_document_that_safe_load_reads_as_null_or_text():
    assert load_yaml("", "f.yaml") is None and load_yaml("---\n...\n", "f.yaml") is None
    assert load_yaml("=: 1\n", "f.yaml") == {"=": 1} == yaml.safe_load("=: 1\n")  # `=` as a key is text
    assert load_yaml("a: 2001-02-03\n", "f.yaml") == {"a": "2001-02-03"}  # never a date


def test_the_scalar_cache_keeps_only_short_values_and_stays_bounded():
    from cnncalc.sources import yaml_text as spec

    long_text = "x" * (spec._SCALAR_CACHE_LENGTH + 1)
    doc = load_yaml(f"a: {long_text}\nb: short\n" + "".join(f"k{i}: {i}\n" for i in range(3000)), "f.yaml")
    assert doc["a"] == long_text and doc["k2999"] == 2999
    cached = {key[1] for key in spec._SCALARS}
    assert long_text not in cached and "short" in cached
    for start in range(0, 3 * spec._SCALAR_CACHE_SIZE, 10_000):
        load_yaml("".join(f"k{i}: v{i}\n" for i in range(start, start + 10_000)), "f.yaml")
        assert len(spec._SCALARS) <= spec._SCALAR_CACHE_SIZE

"""Mutated network files fail only with CnnCalcError (a message, exit code 2), never with
another exception. Seeded, so a failure reproduces."""

import random
from pathlib import Path

import pytest

import cnncalc
from cnncalc.render import render_csv, render_json, render_markdown

ARCHITECTURES = sorted((Path(__file__).parent.parent / "architectures").glob("*.yaml"))
TOKENS = ["0", "-1", "1e9", "null", "[]", "{}", "same", '"${x}"', '"${1/0}"', "true", "[1, 2, 3]",
          "conv", ":", "- ", "  ", "\n", "[[1,2],[3]]", '"${c1 *}"', "99999999", "2.5", "[[1]]"]


def mutate(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 3)):
        j = rng.randrange(len(lines))
        line, op = lines[j], rng.random()
        if op < 0.3 and ":" in line:
            lines[j] = line[:line.rindex(":") + 1] + " " + rng.choice(TOKENS)
        elif op < 0.5:
            del lines[j]
        elif op < 0.7:
            lines.insert(j, rng.choice(lines))
        elif op < 0.85 and line:
            p = rng.randrange(len(line))
            lines[j] = line[:p] + line[p + 1:]
        else:
            p = rng.randrange(len(line) + 1)
            lines[j] = line[:p] + rng.choice(TOKENS) + line[p:]
    return "\n".join(lines)


@pytest.mark.parametrize("seed", range(4))
def test_mutated_files_fail_cleanly(seed):
    rng = random.Random(seed)
    texts = [p.read_text(encoding="utf-8") for p in ARCHITECTURES]
    outcomes = {"ok": 0, "error": 0}
    for _ in range(150):
        text = mutate(rng.choice(texts), rng)
        try:
            report = cnncalc.analyze(cnncalc.loads(text, file="fuzz.yaml"))
            render_json(report), render_csv(report), render_markdown(report)
            outcomes["ok"] += 1
        except cnncalc.CnnCalcError as e:
            assert str(e).startswith("fuzz.yaml"), str(e)
            outcomes["error"] += 1
    assert outcomes["error"] > 0  # the mutations did reach the error paths

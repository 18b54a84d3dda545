"""Benchmarks for cnncalc. Not tests: machines here are noisy, so every figure is printed
as a ratio against a reference measured in the same run.

  python benchmarks/bench.py            # startup, scaling, limits and hostile inputs
  python benchmarks/bench.py --quick    # fewer repetitions

Startup: `python -m cnncalc …` against a bare `python -c pass` (the interpreter's own
start-up). Scaling: the time to load and analyze a chain of N layers, per layer, at
N = 1,000 and 10,000 (a linear engine gives a ratio near 1). Limits: how long each guard
takes to refuse its attack, against analyzing vgg16 in the same process. Hostile inputs: every
file of tests/bad_inputs through the CLI, against `summary vgg16` (the promise is an answer
within a second)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

import cnncalc


# as an installed package runs: with cached bytecode (a shell that sets
# PYTHONDONTWRITEBYTECODE would otherwise measure the compiler on every start)
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def wall(cmd, repeat):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=ENV)  # warm-up, writes bytecode
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def chain(n: int) -> str:
    layers = "\n".join("  - conv: {filters: 8, kernel: 3, padding: 1}" if i % 2 == 0 else "  - relu"
                       for i in range(n))
    return f"input: {{shape: [16, 16, 8], layout: HWC}}\nlayers:\n{layers}\n"


def per_layer(n: int, repeat: int) -> float:
    text = chain(n)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        cnncalc.analyze(cnncalc.loads(text))
        best = min(best, time.perf_counter() - start)
    return best / n


def limit_attacks() -> dict[str, str]:
    head = "input: {shape: [8, 8, 6], layout: HWC}\nlayers:\n"
    return {
        "relu repeated 1,000,000 times": head + "  - relu: {repeat: 1000000}\n",
        "2 layers × 60,000 repeats": "blocks:\n  b:\n    layers: [relu, relu]\n" + head + "  - b: {repeat: 60000}\n",
        "empty block × 10^12": "blocks:\n  e:\n    layers: []\n" + head + "  - e: {repeat: 1000000000000}\n",
    }


def refusal_time(text: str) -> float:
    start = time.perf_counter()
    try:
        cnncalc.analyze(cnncalc.loads(text))
    except cnncalc.CnnCalcError:
        return time.perf_counter() - start
    raise AssertionError("the attack was not refused")


def main():
    quick = "--quick" in sys.argv
    repeat = 5 if quick else 15
    py = sys.executable
    base = wall([py, "-c", "pass"], repeat)
    print(f"reference: python -c pass                        {base * 1000:7.1f} ms  (1.00×)")
    for label, args in (("python -c 'import cnncalc'", ["-c", "import cnncalc"]),
                        ("python -m cnncalc --help", ["-m", "cnncalc", "--help"]),
                        ("summary lenet5 --format json", ["-m", "cnncalc", "summary", "lenet5", "--format", "json"]),
                        ("summary vgg16 (table)", ["-m", "cnncalc", "summary", "vgg16"])):
        t = wall([py, *args], repeat)
        print(f"{label:<48} {t * 1000:7.1f} ms  ({t / base:.2f}× the interpreter)")
    small = per_layer(1000, 3)
    large = per_layer(10000, 3)
    print(f"load+analyze, per layer at N=1,000:              {small * 1e6:7.1f} µs")
    print(f"load+analyze, per layer at N=10,000:             {large * 1e6:7.1f} µs  "
          f"({large / small:.2f}× the N=1,000 cost per layer; 1.0 is linear)")
    vgg16 = min(analyze_time("vgg16") for _ in range(3))
    print(f"reference: analyze vgg16 in-process              {vgg16 * 1000:7.1f} ms  (1.00×)")
    for label, text in limit_attacks().items():
        t = min(refusal_time(text) for _ in range(3))
        print(f"refuse {label:<41} {t * 1000:7.1f} ms  ({t / vgg16:.2f}× vgg16)")
    hostile(3 if quick else 5)


def hostile(repeat: int):
    from pathlib import Path

    base = wall([sys.executable, "-m", "cnncalc", "summary", "vgg16"], repeat)
    times = []
    for path in sorted((Path(__file__).parent.parent / "tests" / "bad_inputs").glob("*.yaml")):
        args = path.read_text(encoding="utf-8", errors="replace").split("\n", 2)[1]
        extra = args.removeprefix("# args: ").split() if args.startswith("# args: ") else []
        cmd = [sys.executable, "-m", "cnncalc", "summary", str(path), *extra]
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
        times.append((time.perf_counter() - start, path.stem))
    times.sort(reverse=True)
    print(f"reference: summary vgg16 (table)                 {base * 1000:7.1f} ms  (1.00×)")
    for t, name in times[:5]:
        print(f"hostile {name:<40} {t * 1000:7.1f} ms  ({t / base:.2f}× vgg16)")
    print(f"hostile inputs: {len(times)}, slowest {times[0][0]:.2f} s, median {statistics.median(t for t, _ in times):.2f} s")


def analyze_time(name: str) -> float:
    start = time.perf_counter()
    cnncalc.analyze(name)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()

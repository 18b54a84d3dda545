"""Benchmarks for cnncalc. Not tests: machines here are noisy, so every figure is printed
as a ratio against a reference measured in the same run.

  python benchmarks/bench.py            # the speed targets, then startup, scaling, limits and hostile inputs
  python benchmarks/bench.py --quick    # fewer repetitions
  python benchmarks/bench.py --targets  # the speed targets only

The targets (each printed as a ratio next to its goal): the table and JSON runs against the
import floor `python -c "import click, yaml, rich.table"`; load + analyze against
yaml.load(text, Loader=CSafeLoader) of the same text; 100,000 against 10,000 layers in time and
in peak memory; `cnncalc check` over 1,000 files against their YAML parses plus one start-up;
the picture size and the batch; torchinfo, when torch and torchinfo are importable by the
interpreter named in $CNNCALC_TORCH_PYTHON (never a dependency).

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


def walls(cmds, repeat):
    """The median wall time of each command, run in turn (floor, table, json, floor, …) so that
    a change in the machine's load over the run falls on all of them alike."""
    for cmd in cmds:
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=ENV)  # warm-up, writes bytecode
    times = [[] for _ in cmds]
    for _ in range(repeat):
        for cmd, spent in zip(cmds, times):
            start = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
            spent.append(time.perf_counter() - start)
    return [statistics.median(spent) for spent in times]


def chain(n: int) -> str:
    layers = "\n".join("  - conv: {filters: 8, kernel: 3, padding: 1}" if i % 2 == 0 else "  - relu" for i in range(n))
    return f"input: {{shape: [16, 16, 8], layout: HWC}}\nlayers:\n{layers}\n"


def written_flat(text: str) -> str:
    """The same network with no blocks, repeats or branches: every layer written out on a line
    of its own, named, with its inputs in `from` where they are not the layer above and only
    the options that differ from their defaults. It tells the cost of expanding blocks (which
    a file's parse does not pay for: resnet50's 16 bottleneck calls are 3 lines of YAML) from
    the cost per written layer. The bench checks that the totals are unchanged."""
    import yaml

    from cnncalc.kinds import KINDS
    from cnncalc.layout import in_layout

    net = cnncalc.loads(text)

    def flat_name(name):
        return name.replace(".", "_")

    layers, above = [], None
    for node in net.nodes:
        if node.kind != "input":
            options = KINDS[node.kind].options
            attrs = {
                k: list(v) if isinstance(v, tuple) else v
                for k, v in node.attrs.items()
                if not k.startswith("_")
                and not (k in options and type(options[k].default) is type(v) and options[k].default == v)
            }
            for key in KINDS[node.kind].references:  # options naming a layer: upsample's like
                if attrs.get(key) is not None:
                    attrs[key] = flat_name(attrs[key])
            inputs = [flat_name(i) for i in node.inputs]
            attrs["name"] = flat_name(node.name)
            if len(inputs) > 1:
                attrs["from"] = inputs
            elif inputs[0] != above:
                attrs["from"] = inputs[0]
            layers.append({node.kind: attrs})
        above = flat_name(node.name)
    shape = in_layout(net.input_shape, net.layout)  # as resolved: a parameter's value written out
    flat = yaml.safe_dump(
        {"name": net.name, "input": {"shape": shape, "layout": net.layout}, "layers": layers},
        sort_keys=False,
        default_flow_style=None,
        width=1000,
    )
    if cnncalc.analyze(cnncalc.loads(flat)).totals != cnncalc.analyze(net).totals:
        raise AssertionError("the flat form of the network does not give its totals")
    return flat


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


def script(*args) -> list[str]:
    """The installed console script when there is one (as users run it), else python -m."""
    from pathlib import Path

    exe = Path(sys.executable).with_name("cnncalc")
    return [str(exe), *args] if exe.exists() else [sys.executable, "-m", "cnncalc", *args]


def row(label: str, ratio: float, goal: str, detail: str = "") -> None:
    print(f"{label:<58} {ratio:6.2f}×   goal {goal:<8} {detail}")


def best_in_turn(fns, repeat: int) -> list[float]:
    """The least time of each function, the functions run in turn `repeat` times (the speed of
    this machine's processor wanders by a third from minute to minute)."""
    times = [[] for _ in fns]
    for _ in range(repeat):
        for fn, spent in zip(fns, times):
            start = time.perf_counter()
            fn()
            spent.append(time.perf_counter() - start)
    return [min(spent) for spent in times]


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def residual(n_blocks: int) -> str:
    """A residual network of about 7·n_blocks layers: conv, bn, relu, conv, bn, add, relu."""
    block = (
        "blocks:\n  res:\n    layers:\n      - add:\n          branches:\n            main:\n"
        "              - conv: {filters: 8, kernel: 3, padding: 1, bias: false}\n"
        "              - batch_norm\n              - relu\n"
        "              - conv: {filters: 8, kernel: 3, padding: 1, bias: false}\n"
        "              - batch_norm\n            shortcut: []\n      - relu\n"
    )
    return block + "input: {shape: [16, 16, 8], layout: HWC}\nlayers:\n" + "  - res\n" * n_blocks


def _scaling(sizes, runs: int = 5) -> list[tuple[float, int]]:
    """Load + analyze + JSON of residual networks of about n layers each (7 per block: a
    100,000-layer chain would not fit the 2 MB file limit), each in a fresh process: for each
    size (the least seconds of `runs` runs, the sizes taken in turn, as the speed of this
    machine's processor wanders by a third from minute to minute; and in one more process
    under tracemalloc, which slows it several times, the peak bytes traced)."""
    here = os.path.dirname(os.path.abspath(__file__))
    # written as the CLI writes it, chunk by chunk to a file (os.devnull here): an io.StringIO
    # would add the whole text (60 MB at 100,000 layers) and its reallocations to the peak
    run = (
        "r = cnncalc.analyze(cnncalc.loads(text)); out = open(os.devnull, 'w', encoding='utf-8'); "
        "[out.write(c) for c in json_chunks(r)]; out.close(); "
    )

    def output(n, code):
        head = (
            f"import os, sys, time, tracemalloc; sys.path.insert(0, {here!r}); import bench, cnncalc; "
            f"from cnncalc.render.json import json_chunks; text = bench.residual({n} // 7); "
        )
        return subprocess.run(
            [sys.executable, "-c", head + code], check=True, capture_output=True, text=True, env=ENV
        ).stdout

    seconds = {n: [] for n in sizes}
    for _ in range(runs):
        for n in sizes:
            seconds[n].append(float(output(n, "t = time.perf_counter(); " + run + "print(time.perf_counter() - t)")))
    traced = "tracemalloc.start(); " + run + "print(tracemalloc.get_traced_memory()[1])"
    return [(min(seconds[n]), int(output(n, traced))) for n in sizes]


# what rich itself costs a table run over the import floor: importing the console and printing
# a table of VGG-16's size, one row of 23-line cells as render_table lays it out
RICH_ALONE = (
    "import click, yaml, rich.table; from rich.console import Console; from rich.table import Table; "
    "from rich.text import Text; from rich import box; "
    "t = Table(title=Text('vgg16'), show_footer=True, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False); "
    "[t.add_column(f'c{c}', footer='x', no_wrap=True, justify='right') for c in range(8)]; "
    "t.add_row(*[Text(chr(10).join(f'{r * 1000 + c:,}' for r in range(23))) for c in range(8)]); "
    "Console(width=160).print(t)"
)


def targets(repeat: int) -> None:
    import tempfile

    import yaml

    from cnncalc.sources.library import read_source as resolve

    print("speed targets (ratios measured in this run; lower is better)")
    floor, table, as_json, rich_alone = walls(
        [
            [sys.executable, "-c", "import click, yaml, rich.table"],
            script("summary", "vgg16"),
            script("summary", "vgg16", "--format", "json"),
            [sys.executable, "-c", RICH_ALONE],
        ],
        2 * repeat,
    )
    row("summary vgg16 (table) / import floor", table / floor, "≤ 1.25", f"{table * 1000:.0f} / {floor * 1000:.0f} ms")
    row(
        "  rich alone: the floor, a Console, a 23-line table",
        rich_alone / floor,
        "-",
        "the least a rich table run costs",
    )
    row("summary vgg16 --format json / import floor", as_json / floor, "≤ 1.00", f"{as_json * 1000:.0f} ms")

    texts = {"vgg16": resolve("vgg16")[1], "resnet50": resolve("resnet50")[1], "10,000-layer chain": chain(10_000)}
    ours = {}
    for name, text in texts.items():
        parse, ours[name] = best_in_turn(
            [
                lambda text=text: yaml.load(text, Loader=yaml.CSafeLoader),
                lambda text=text: cnncalc.analyze(cnncalc.loads(text)),
            ],
            repeat,
        )
        row(
            f"load + analyze {name} / CSafeLoader parse",
            ours[name] / parse,
            "≤ 2.00",
            f"{ours[name] * 1000:.1f} / {parse * 1000:.1f} ms",
        )
    for name in ("vgg16", "resnet50"):  # not a target: where the time goes, per written layer
        text = written_flat(texts[name])
        parse, flat = best_in_turn(
            [
                lambda text=text: yaml.load(text, Loader=yaml.CSafeLoader),
                lambda text=text: cnncalc.analyze(cnncalc.loads(text)),
            ],
            repeat,
        )
        row(
            f"  {name} written flat, a line a layer / its parse",
            flat / parse,
            "-",
            f"{flat * 1000:.1f} / {parse * 1000:.1f} ms, {text.count(chr(10))} lines",
        )
    chain_time = ours["10,000-layer chain"]
    row("10,000-layer chain in-process / 0.3 s", chain_time / 0.3, "≤ 1.00", f"{chain_time:.3f} s")

    small, large = _scaling((10_000, 99_995))  # within the node limit
    row(
        "100,000 / 10,000 layers, load + analyze + JSON, time",
        large[0] / small[0],
        "≤ 11",
        f"{large[0]:.2f} / {small[0]:.2f} s",
    )
    row(
        "100,000 / 10,000 layers, load + analyze + JSON, peak memory",
        large[1] / small[1],
        "≤ 11",
        f"{large[1] / 2**20:.0f} / {small[1] / 2**20:.0f} MiB traced",
    )

    with tempfile.TemporaryDirectory() as folder:
        vgg = resolve("vgg16")[1]
        for i in range(1000):
            with open(os.path.join(folder, f"net{i:04d}.yaml"), "w", encoding="utf-8") as f:
                f.write(vgg.replace("name: vgg16", f"name: vgg16-{i}"))
        bulk = wall(script("check", folder), max(1, repeat // 3))
        start = wall(script("--help"), repeat)
        parses = 1000 * best_of(lambda: yaml.load(vgg, Loader=yaml.CSafeLoader), repeat)
        row(
            "check 1,000 vgg16 files / (their parses + one start-up)",
            bulk / (parses + start),
            "≤ 1.50",
            f"{bulk:.2f} / ({parses:.2f} + {start:.2f}) s",
        )

    net = cnncalc.load("vgg16")
    base, big, batch = best_in_turn(
        [
            lambda: cnncalc.analyze(net),
            lambda: cnncalc.analyze(net, input=[8192, 8192, 3]),
            lambda: cnncalc.analyze(net, batch=1024),
        ],
        repeat,
    )
    row("analyze vgg16 at 8192×8192 / at 224×224", big / base, "≤ 1.10")
    row("analyze vgg16 at batch 1,024 / batch 1", batch / base, "≤ 1.10")
    torchinfo_ratios(repeat)


def torchinfo_ratios(repeat: int) -> None:
    """cnncalc against torchinfo on VGG-16 and ResNet-50, whole process: the wall time of each
    command as it is (the two taken in turn), and its peak RSS, read by a wrapper process, with
    the interpreter in $CNNCALC_TORCH_PYTHON (a venv with torch, torchvision and torchinfo)."""
    other = os.environ.get("CNNCALC_TORCH_PYTHON")
    if not other:
        print("torchinfo: skipped (set CNNCALC_TORCH_PYTHON to a python with torch, torchvision, torchinfo)")
        return
    for name in ("vgg16", "resnet50"):
        code = (
            f"import torchvision, torchinfo; torchinfo.summary(torchvision.models.{name}(weights=None), "
            f"input_size=(1, 3, 224, 224), verbose=0)"
        )
        theirs, ours = walls([[other, "-c", code], script("summary", name)], max(3, repeat // 3))
        their_rss, our_rss = _peak_rss([other, "-c", code]), _peak_rss(script("summary", name))
        row(f"torchinfo / cnncalc, {name}, wall", theirs / ours, "≥ 50", f"{theirs:.2f} / {ours:.3f} s")
        row(
            f"torchinfo / cnncalc, {name}, peak memory",
            their_rss / our_rss,
            "≥ 30",
            f"{their_rss / 1024:.0f} / {our_rss / 1024:.0f} MiB",
        )


def _peak_rss(cmd) -> int:
    """A command's peak resident memory in KiB, read by a fresh wrapper process whose only
    child is the command (RUSAGE_CHILDREN keeps the maximum of all)."""
    wrapper = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
        "stderr=subprocess.DEVNULL, check=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    return int(
        subprocess.run(
            [sys.executable, "-c", wrapper, *cmd], check=True, capture_output=True, text=True, env=ENV
        ).stdout
    )


def main():
    quick = "--quick" in sys.argv
    if "--targets" in sys.argv:
        targets(5 if quick else 11)
        return
    targets(5 if quick else 11)
    repeat = 5 if quick else 15
    py = sys.executable
    base = wall([py, "-c", "pass"], repeat)
    print(f"reference: python -c pass                        {base * 1000:7.1f} ms  (1.00×)")
    for label, args in (
        ("python -c 'import cnncalc'", ["-c", "import cnncalc"]),
        ("python -m cnncalc --help", ["-m", "cnncalc", "--help"]),
        ("summary lenet5 --format json", ["-m", "cnncalc", "summary", "lenet5", "--format", "json"]),
        ("summary vgg16 (table)", ["-m", "cnncalc", "summary", "vgg16"]),
    ):
        t = wall([py, *args], repeat)
        print(f"{label:<48} {t * 1000:7.1f} ms  ({t / base:.2f}× the interpreter)")
    small = per_layer(1000, 3)
    large = per_layer(10000, 3)
    print(f"load+analyze, per layer at N=1,000:              {small * 1e6:7.1f} µs")
    print(
        f"load+analyze, per layer at N=10,000:             {large * 1e6:7.1f} µs  "
        f"({large / small:.2f}× the N=1,000 cost per layer; 1.0 is linear)"
    )
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
    print(
        f"hostile inputs: {len(times)}, slowest {times[0][0]:.2f} s, "
        f"median {statistics.median(t for t, _ in times):.2f} s"
    )


def analyze_time(name: str) -> float:
    start = time.perf_counter()
    cnncalc.analyze(name)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()

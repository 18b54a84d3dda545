"""Hostile input through the real CLI: every file and argument ends with the right numbers or a
clear error (exit 2, file and line), within a memory bound, and never with a traceback, a hang,
a crash, a blow-up or a raw control character on the terminal.

tests/bad_inputs/*.yaml hold one attack each; their first line says what must come out:
    # expect CODE: FRAGMENT        (and optionally)   # args: --format json
Attacks that need a large file, a FIFO, a device or standard input are built here instead.

Most attacks run in this process, through click's CliRunner (a fresh interpreter for each made
this file most of the suite's time). Memory, in-process: the peak of the bytes that Python's
allocators hand out during the invocation, measured by tracemalloc, under the same 200 MB. It
counts what the input makes cnncalc build (objects, strings, lists, the output), not the
interpreter itself (some 20 MB of a process's peak) nor libyaml's C buffers: a little looser
than the bound in a process, which is why the memory bombs run there. A hang: SIGALRM fails the
test after 30 s.

What needs a process of its own runs through tests/limited.py, under RLIMIT_AS, its peak
resident set (ru_maxrss, the whole process) under 200 MB: the memory bombs (a billion laughs,
100 MB and endless zeros on standard input), the attacks that build big networks on purpose
(tracemalloc would make each take up to ten times as long), 25,000 open brackets (libyaml
recursing in C could crash the interpreter) and what CliRunner cannot express (a full disk,
closed standard output and input). These processes all start before the module's first test,
and each test waits for its own (see the end of the file).
The time each takes is measured by benchmarks/bench.py, not asserted here (these machines are
noisy); the time limits only turn a hang into a failure."""

from __future__ import annotations

import gc
import os
import shlex
import signal
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import NamedTuple

import pytest
from click.testing import CliRunner

import cnncalc
from cnncalc.cli import cli

HERE = Path(__file__).parent
FILES = sorted((HERE / "bad_inputs").glob("*.yaml"))
RUNNER = HERE / "limited.py"
HANG = 30  # seconds: a guard against hangs, not a speed requirement
PEAK = 200 * 1024**2  # 200 MB: tracemalloc's peak in-process, the peak resident set in a process

# attack files that run in a process of their own, and why
IN_A_PROCESS = {
    "075-mem-laughs-description": "a billion laughs: under the real address-space cap",
    "078-mem-table-100k-rows": "100,000 rows on purpose",
    "079-graph-merge-of-50000-names": "50,000 names on purpose",
    "082-graph-fan-out-dead-ends": "20,000 branches on purpose",
    "085-limit-effective-stride-of-700-strides": "700 layers explained, strides of 10^7 on purpose",
    "086-limit-effective-stride-of-15000-pools": "15,000 layers on purpose",
}


class Run(NamedTuple):
    code: int
    output: str  # standard output, then (or interleaved with) standard error
    peak: int | None  # bytes
    how: str  # what `peak` measured


@pytest.fixture
def hang_guard():
    """Fail a test still running after HANG seconds (POSIX; elsewhere there is no guard)."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def hung(signum, frame):
        pytest.fail(f"no answer after {HANG} s: a hang")  # a BaseException: cnncalc cannot catch it

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(HANG)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def imported():
    """One table first, untraced: importing rich and the renderers is start-up, not the input's
    cost (and slow under tracemalloc)."""
    assert CliRunner().invoke(cli, ["summary", "lenet5"], catch_exceptions=False).exit_code == 0


@pytest.fixture
def cnncalc_in_process(tmp_path, monkeypatch, hang_guard, imported):
    """`cnncalc ARGS` in this process, in tmp_path: a Run with tracemalloc's peak."""
    monkeypatch.chdir(tmp_path)

    def run(args, stdin=None):
        tracing = tracemalloc.is_tracing()  # -X tracemalloc: measure from here, leave it on
        if tracing:
            tracemalloc.reset_peak()
        else:
            tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        try:
            # color=True: click.echo keeps escape sequences, as on a terminal, so that one
            # reaching the output is seen; only result.output (stdout and stderr) and
            # exit_code are read, as click 8.0 to 8.2+ all have them
            result = CliRunner().invoke(
                cli,
                args,
                input=stdin,
                env={"COLUMNS": "120", "CNNCALC_DEBUG": None},
                prog_name="cnncalc",
                color=True,
                catch_exceptions=False,
            )
            peak = tracemalloc.get_traced_memory()[1] - before
        finally:
            if not tracing:
                tracemalloc.stop()
        assert gc.isenabled(), "the CLI left the garbage collector disabled"
        return Run(result.exit_code, result.output, peak, "tracemalloc's peak")

    return run


def check(run, expected_code, fragment):
    code, output, peak, how = run
    assert "Traceback" not in output, output[-3000:]
    assert code == expected_code, f"exit {code}, expected {expected_code}:\n{output[-3000:]}"
    assert fragment in output, f"{fragment!r} not in:\n{output[-3000:]}"
    assert "\x1b" not in output and "\x00" not in output, "a raw control character reached the terminal"
    assert peak is not None and peak <= PEAK, f"{how} {peak} bytes"
    if code == 2:
        # the message on stderr (after the JSON error object on stdout, with --format json)
        assert output.startswith(("Error:", "{")) and "Error:" in output or "Usage:" in output, output[:500]
        assert len(output) < 3000, f"an error message of {len(output):,} characters"


def expectation(path: Path):
    head = path.read_bytes().split(b"\n", 2)
    code, _, fragment = head[0].decode().removeprefix("# expect ").partition(": ")
    args = shlex.split(head[1].decode().removeprefix("# args: ")) if head[1].startswith(b"# args: ") else []
    return int(code), fragment, args


def test_every_attack_file_says_what_must_come_out():
    assert FILES, "no attack files found"
    for path in FILES:
        first = path.read_bytes().split(b"\n", 1)[0].decode()
        assert first.startswith("# expect "), f"{path.name}: the first line is not '# expect CODE: FRAGMENT'"
        code, fragment, _ = expectation(path)
        assert code in (0, 1, 2) and fragment.strip(), f"{path.name}: {first!r}"
    assert set(IN_A_PROCESS) <= {path.stem for path in FILES}, "IN_A_PROCESS names a file that is not there"


@pytest.mark.parametrize("path", [p for p in FILES if p.stem not in IN_A_PROCESS], ids=lambda p: p.stem)
def test_attack_file(path, cnncalc_in_process):
    code, fragment, args = expectation(path)
    check(cnncalc_in_process(["summary", str(path), *args]), code, fragment)


# --- attacks built at run time ------------------------------------------------------------------

NET = "input: {shape: [8, 8, 3], layout: HWC}\nlayers:\n  - conv: {filters: 4, kernel: 3}\n"


def test_a_huge_value_is_not_echoed_whole(tmp_path, cnncalc_in_process):
    (tmp_path / "big.yaml").write_text(NET.replace("filters: 4", "filters: " + "x" * 1_900_000))
    check(cnncalc_in_process(["summary", "big.yaml"]), 2, "filters must be a whole number, but saw 'xxx")


def test_a_file_over_the_size_limit(tmp_path, cnncalc_in_process):
    (tmp_path / "big.yaml").write_text(NET + "#" * 3_000_000)
    check(cnncalc_in_process(["summary", "big.yaml"]), 2, "network files are limited to 2,000,000 bytes")


def test_a_fifo_is_refused_without_blocking(tmp_path, cnncalc_in_process):
    # were it opened, open() would block; SIGALRM interrupts it and fails the test
    os.mkfifo(tmp_path / "pipe.yaml")
    check(cnncalc_in_process(["summary", "pipe.yaml"]), 2, "pipe.yaml: cannot read the file: it is not a regular file")


def test_a_device_is_refused(cnncalc_in_process):
    check(cnncalc_in_process(["summary", "/dev/zero"]), 2, "/dev/zero: cannot read the file: it is not a regular file")


def test_a_directory(tmp_path, cnncalc_in_process):
    (tmp_path / "nets.yaml").mkdir()
    check(cnncalc_in_process(["summary", "nets.yaml"]), 2, "nets.yaml: cannot read the file: it is a directory")


def test_a_file_name_too_long(cnncalc_in_process):
    check(cnncalc_in_process(["summary", "n" * 300 + ".yaml"]), 2, "cannot read the file: File name too long")


def test_a_symlink_loop(tmp_path, cnncalc_in_process):
    os.symlink("loop.yaml", tmp_path / "loop.yaml")
    check(
        cnncalc_in_process(["summary", "loop.yaml"]),
        2,
        "loop.yaml: cannot read the file: Too many levels of symbolic links",
    )


def test_a_missing_file(cnncalc_in_process):
    check(cnncalc_in_process(["summary", "nowhere/net.yaml"]), 2, "nowhere/net.yaml: no such file")


def test_an_empty_name(cnncalc_in_process):
    check(cnncalc_in_process(["summary", ""]), 2, "the network is empty")


def test_non_utf8_on_standard_input(cnncalc_in_process):
    check(
        cnncalc_in_process(["summary", "-"], stdin=b"name: caf\xe9\n" + NET.encode()),
        2,
        "<stdin>:1: not UTF-8 text (invalid continuation byte at byte 9)",
    )


def test_a_folder_named_like_a_builtin_does_not_shadow_it(tmp_path, cnncalc_in_process):
    (tmp_path / "lenet5").mkdir()
    (tmp_path / "alexnet").write_text(NET)
    check(cnncalc_in_process(["summary", "lenet5", "--format", "csv"]), 0, "conv1,conv,conv 5×5/1 ×6 +tanh")
    check(cnncalc_in_process(["summary", "alexnet", "--format", "csv"]), 0, "227x227x3")
    check(cnncalc_in_process(["summary", "./alexnet", "--format", "csv"]), 0, "8x8x3")


def test_a_bare_file_name_gets_a_hint(tmp_path, cnncalc_in_process):
    (tmp_path / "mynet").write_text(NET)
    check(cnncalc_in_process(["summary", "mynet"]), 2, "to read the file 'mynet', write ./mynet")


API_MISUSE = [
    (
        "cnncalc.analyze(None)",
        lambda: cnncalc.analyze(None),
        "a network is a built-in name, a file path or '-', but saw NoneType",
    ),
    (
        "cnncalc.analyze(b'vgg16')",
        lambda: cnncalc.analyze(b"vgg16"),
        "a network is a built-in name, a file path or '-', but saw bytes",
    ),
    ("cnncalc.analyze({'layers': []})", lambda: cnncalc.analyze({"layers": []}), "but saw dict"),
    ("cnncalc.analyze(3)", lambda: cnncalc.analyze(3), "but saw int"),
    ("cnncalc.loads(None)", lambda: cnncalc.loads(None), "YAML text must be a str, but saw NoneType"),
    ("cnncalc.loads({'a': 1})", lambda: cnncalc.loads({"a": 1}), "YAML text must be a str, but saw dict"),
    ("cnncalc.loads(7)", lambda: cnncalc.loads(7), "YAML text must be a str, but saw int"),
    ("cnncalc.loads(b'\\xff')", lambda: cnncalc.loads(b"\xff"), "not UTF-8 text"),
    ("cnncalc.loads('name: \\ud800')", lambda: cnncalc.loads("name: \ud800"), "<string>:1: the text holds '\\ud800'"),
    (
        "cnncalc.analyze('vgg16', input=1e400)",
        lambda: cnncalc.analyze("vgg16", input=1e400),
        "--input: a shape is sizes from 1 to 10,000,000",
    ),
    (
        "cnncalc.analyze('vgg16', input=object())",
        lambda: cnncalc.analyze("vgg16", input=object()),
        "--input: a shape is sizes",
    ),
    (
        "cnncalc.analyze('vgg16', batch=10**9)",
        lambda: cnncalc.analyze("vgg16", batch=10**9),
        "batch must be a whole number from 1 to 1,000,000",
    ),
    (
        "cnncalc.analyze('vgg16', batch=True)",
        lambda: cnncalc.analyze("vgg16", batch=True),
        "batch must be a whole number",
    ),
    (
        "cnncalc.analyze('vgg16', dtype=['float32'])",
        lambda: cnncalc.analyze("vgg16", dtype=["float32"]),
        "dtype must be one of",
    ),
    (
        "cnncalc.analyze('vgg16', layout=5)",
        lambda: cnncalc.analyze("vgg16", layout=5),
        "layout must be one of hwc, chw",
    ),
    (
        "cnncalc.analyze('mobilenet_v1', params=[1])",
        lambda: cnncalc.analyze("mobilenet_v1", params=[1]),
        "params must be a dict",
    ),
    (
        "cnncalc.analyze('mobilenet_v1', params={1: 2})",
        lambda: cnncalc.analyze("mobilenet_v1", params={1: 2}),
        "unknown parameter 1",
    ),
    (
        "cnncalc.analyze('mobilenet_v1', params={'alpha': float('nan')})",
        lambda: cnncalc.analyze("mobilenet_v1", params={"alpha": float("nan")}),
        "parameter alpha must be a finite number",
    ),
    (
        "cnncalc.analyze('mobilenet_v1', params={'alpha': object()})",
        lambda: cnncalc.analyze("mobilenet_v1", params={"alpha": object()}),
        "parameter alpha must be a number",
    ),
]


@pytest.mark.parametrize("call, fragment", [c[1:] for c in API_MISUSE], ids=[c[0] for c in API_MISUSE])
def test_api_misuse_raises_cnncalc_error(call, fragment):
    with pytest.raises(cnncalc.CnnCalcError) as info:
        call()
    assert fragment in str(info.value)


# --- in a process of its own ------------------------------------------------------------------
# Each run is declared beside its test, and all are started together before this module's first
# test: they use the second core while the attacks above run in this process, and each test
# waits for its own. Their output goes to files in their own folder.

STARTS = {}  # name -> a function that starts the run in the folder it is given


def in_a_process(name):
    def declare(start):
        STARTS[name] = start
        return start

    return declare


def spawn(command, folder, **popen):
    with open(folder / "stdout", "wb") as out, open(folder / "stderr", "wb") as err:
        return subprocess.Popen(command, **{"stdin": subprocess.DEVNULL, "stdout": out, "stderr": err, **popen})


def limited(args, folder, **popen):
    """`cnncalc ARGS` under the memory limit (tests/limited.py), in FOLDER."""
    env = {**os.environ, "CNNCALC_RSS_FILE": str(folder / "rss"), "COLUMNS": "120"}
    env.pop("CNNCALC_DEBUG", None)
    return spawn([sys.executable, str(RUNNER), *args], folder, env=env, cwd=folder, **popen)


@pytest.fixture(scope="module", autouse=True)
def processes(tmp_path_factory):
    started = {}
    for name, start in STARTS.items():
        folder = tmp_path_factory.mktemp(name)
        try:
            started[name] = start(folder), folder
        except OSError as e:  # no /dev/full here, say: that test fails, not the module
            started[name] = e, folder
    yield started
    for process, _ in started.values():  # still running after a failure, or when only some tests ran
        for each in (process, getattr(process, "feeder", None)):
            if isinstance(each, subprocess.Popen) and each.poll() is None:
                each.kill()
                each.wait()


def finished(processes, name) -> Run:
    process, folder = processes[name]
    if isinstance(process, Exception):
        raise process
    try:
        process.wait(timeout=HANG)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail(f"no answer after {HANG} s: a hang")
    if getattr(process, "feeder", None):
        process.feeder.wait(timeout=HANG)
    output = ((folder / "stdout").read_bytes() + (folder / "stderr").read_bytes()).decode("utf-8", "replace")
    rss = folder / "rss"
    peak = int(rss.read_text()) * 1024 if rss.exists() else None  # ru_maxrss is in KiB on Linux
    return Run(process.returncode, output, peak, "peak RSS")


for _path in FILES:
    if _path.stem in IN_A_PROCESS:
        in_a_process(_path.stem)(
            lambda folder, path=_path: limited(["summary", str(path), *expectation(path)[2]], folder)
        )


@pytest.mark.parametrize("path", [p for p in FILES if p.stem in IN_A_PROCESS], ids=lambda p: p.stem)
def test_attack_file_in_a_process(path, processes):
    code, fragment, _ = expectation(path)
    check(finished(processes, path.stem), code, fragment)


OPENERS = {"brackets": "[", "braces": "{a: "}
for _name, _opener in OPENERS.items():

    @in_a_process(f"deep-{_name}")
    def _deep(folder, opener=_opener):
        (folder / "deep.yaml").write_text("name: " + opener * 25_000 + "\n")
        return limited(["summary", "deep.yaml"], folder)


@pytest.mark.parametrize("name", OPENERS)
def test_25000_open_collections_do_not_crash_the_interpreter(name, processes):
    # libyaml's composer recurses in C: this used to end in SIGSEGV, hence a process of its own.
    # Whether cnncalc's depth bound or libyaml's own (PyYAML 6.0.4's scanner looks ahead past
    # it) speaks first depends on the PyYAML version, so the promise is asserted, not either
    # wording: exit 2, the file and line 1, no traceback, bounded memory.
    check(finished(processes, f"deep-{name}"), 2, "Error: deep.yaml:1")


@in_a_process("zeros-on-stdin")
def _zeros(folder):
    with open("/dev/zero", "rb") as zero:
        return limited(["summary", "-"], folder, stdin=zero)


def test_zeros_on_standard_input_are_read_only_to_the_limit(processes):
    check(finished(processes, "zeros-on-stdin"), 2, "<stdin>: network files are limited to 2,000,000 bytes")


@in_a_process("100-mb-on-stdin")
def _100_mb(folder):
    feeder = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdout.buffer.write(b'#' * 100_000_000)"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )  # EPIPE when cnncalc stops
    try:
        process = limited(["summary", "-"], folder, stdin=feeder.stdout)
    finally:
        feeder.stdout.close()
    process.feeder = feeder
    return process


def test_100_mb_on_standard_input(processes):
    check(finished(processes, "100-mb-on-stdin"), 2, "<stdin>: network files are limited to 2,000,000 bytes")


@in_a_process("100000-layers")
def _100000_layers(folder):
    (folder / "big.yaml").write_text("input: {shape: [4, 4, 2], layout: HWC}\nlayers:\n  - relu: {repeat: 99999}\n")
    return limited(["summary", "big.yaml", "--format", "csv"], folder)


def test_a_legal_100000_layer_network_still_works(processes):
    run = finished(processes, "100000-layers")
    check(run, 0, "relu99999,relu,relu,,4x4x2,32,0,")
    assert run.output.count("\n") == 1 + 100_000  # the header, the input and 99,999 layers


def python_m_cnncalc(args, folder, **popen):
    """`python -m cnncalc ARGS` from the repository's root: the console script's own handling."""
    return spawn([sys.executable, "-m", "cnncalc", *args], folder, cwd=HERE.parent, **popen)


@in_a_process("full-disk")
def _full_disk(folder):
    with open("/dev/full", "w") as full:
        return python_m_cnncalc(["summary", "lenet5"], folder, stdout=full)


def test_output_to_a_full_disk(processes):
    run = finished(processes, "full-disk")
    assert (run.code, run.output) == (1, "Error: cannot write the output: No space left on device\n")


@in_a_process("closed-stdout")
def _closed_stdout(folder):
    return python_m_cnncalc(["summary", "lenet5"], folder, stdout=subprocess.DEVNULL, preexec_fn=lambda: os.close(1))


@in_a_process("closed-stdin")
def _closed_stdin(folder):
    return python_m_cnncalc(["summary", "-"], folder, stdout=subprocess.DEVNULL, preexec_fn=lambda: os.close(0))


def test_closed_standard_output_and_input(processes):
    run = finished(processes, "closed-stdout")
    assert (run.code, run.output) == (1, "Error: cannot write the output: standard output is closed\n")
    run = finished(processes, "closed-stdin")
    assert (run.code, run.output) == (2, "Error: <stdin>: standard input is closed\n")

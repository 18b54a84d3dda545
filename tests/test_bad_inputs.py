"""Hostile input through the real CLI, in a subprocess: every file and argument ends with the
right numbers or a clear error (exit 2, file and line), within a memory bound, and never with a
traceback, a hang, a crash, a blow-up or a raw control character on the terminal.

tests/bad_inputs/*.yaml hold one attack each; their first line says what must come out:
    # expect CODE: FRAGMENT        (and optionally)   # args: --format json
Attacks that need a large file, a FIFO, a device or standard input are built here instead.
The time each takes is measured by benchmarks/bench.py, not asserted here (these machines are
noisy); the subprocess timeout below only turns a hang into a failure."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import cnncalc

HERE = Path(__file__).parent
FILES = sorted((HERE / "bad_inputs").glob("*.yaml"))
RUNNER = HERE / "limited.py"
HANG = 30          # seconds: a guard against hangs, not a speed requirement
PEAK_KIB = 200 * 1024  # 200 MB


def run_cli(args, tmp_path, stdin=None, cwd=None):
    """Run `cnncalc ARGS` under the memory limit; (exit code, stdout + stderr, peak KiB)."""
    rss = tmp_path / "rss"
    env = {**os.environ, "CNNCALC_RSS_FILE": str(rss), "COLUMNS": "120"}
    env.pop("CNNCALC_DEBUG", None)
    result = subprocess.run([sys.executable, str(RUNNER), *args], input=stdin, capture_output=True,
                            timeout=HANG, env=env, cwd=cwd or tmp_path)
    output = (result.stdout + result.stderr).decode("utf-8", "replace")
    peak = int(rss.read_text()) if rss.exists() else None
    return result.returncode, output, peak


def check(code, output, peak, expected_code, fragment):
    assert "Traceback" not in output, output[-3000:]
    assert code == expected_code, f"exit {code}, expected {expected_code}:\n{output[-3000:]}"
    assert fragment in output, f"{fragment!r} not in:\n{output[-3000:]}"
    assert "\x1b" not in output and "\x00" not in output, "a raw control character reached the terminal"
    assert peak is not None and peak <= PEAK_KIB, f"peak memory {peak} KiB"
    if code == 2:
        # the message on stderr (after the JSON error object on stdout, with --format json)
        assert output.startswith(("Error:", "{")) and "Error:" in output or "Usage:" in output, output[:500]
        assert len(output) < 3000, f"an error message of {len(output):,} characters"


def expectation(path: Path):
    head = path.read_bytes().split(b"\n", 2)
    code, _, fragment = head[0].decode().removeprefix("# expect ").partition(": ")
    args = shlex.split(head[1].decode().removeprefix("# args: ")) if head[1].startswith(b"# args: ") else []
    return int(code), fragment, args


def test_there_are_enough_attacks():
    assert len(FILES) >= 60


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_attack_file(path, tmp_path):
    code, fragment, args = expectation(path)
    check(*run_cli(["summary", str(path), *args], tmp_path), code, fragment)


# --- attacks built at run time ------------------------------------------------------------------

NET = "input: {shape: [8, 8, 3], layout: HWC}\nlayers:\n  - conv: {filters: 4, kernel: 3}\n"


@pytest.mark.parametrize("opener", ["[", "{a: "], ids=["brackets", "braces"])
def test_25000_open_collections_do_not_crash_the_interpreter(opener, tmp_path):
    # libyaml's composer recurses in C: this used to end in SIGSEGV. Whether cnncalc's depth
    # bound or libyaml's own (PyYAML 6.0.4's scanner looks ahead past it) speaks first depends
    # on the PyYAML version, so the promise is asserted, not either wording: exit 2, the file
    # and line 1, no traceback, bounded memory.
    (tmp_path / "deep.yaml").write_text("name: " + opener * 25_000 + "\n")
    check(*run_cli(["summary", "deep.yaml"], tmp_path), 2, "Error: deep.yaml:1")


def test_a_huge_value_is_not_echoed_whole(tmp_path):
    (tmp_path / "big.yaml").write_text(NET.replace("filters: 4", "filters: " + "x" * 1_900_000))
    check(*run_cli(["summary", "big.yaml"], tmp_path), 2, "filters must be a whole number, but saw 'xxx")


def test_a_file_over_the_size_limit(tmp_path):
    (tmp_path / "big.yaml").write_text(NET + "#" * 3_000_000)
    check(*run_cli(["summary", "big.yaml"], tmp_path), 2, "network files are limited to 2,000,000 bytes")


def test_a_fifo_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.yaml")
    check(*run_cli(["summary", "pipe.yaml"], tmp_path), 2, "pipe.yaml: cannot read the file: it is not a regular file")


def test_a_device_is_refused(tmp_path):
    check(*run_cli(["summary", "/dev/zero"], tmp_path), 2, "/dev/zero: cannot read the file: it is not a regular file")


def test_a_directory(tmp_path):
    (tmp_path / "nets.yaml").mkdir()
    check(*run_cli(["summary", "nets.yaml"], tmp_path), 2, "nets.yaml: cannot read the file: it is a directory")


def test_a_file_name_too_long(tmp_path):
    check(*run_cli(["summary", "n" * 300 + ".yaml"], tmp_path), 2, "cannot read the file: File name too long")


def test_a_symlink_loop(tmp_path):
    os.symlink("loop.yaml", tmp_path / "loop.yaml")
    check(*run_cli(["summary", "loop.yaml"], tmp_path), 2, "loop.yaml: cannot read the file: Too many levels of symbolic links")


def test_a_missing_file(tmp_path):
    check(*run_cli(["summary", "nowhere/net.yaml"], tmp_path), 2, "nowhere/net.yaml: no such file")


def test_an_empty_name(tmp_path):
    check(*run_cli(["summary", ""], tmp_path), 2, "the network is empty")


def test_zeros_on_standard_input_are_read_only_to_the_limit(tmp_path):
    with open("/dev/zero", "rb") as zero:
        rss = tmp_path / "rss"
        result = subprocess.run([sys.executable, str(RUNNER), "summary", "-"], stdin=zero, capture_output=True,
                                timeout=HANG, env={**os.environ, "CNNCALC_RSS_FILE": str(rss)})
    check(result.returncode, (result.stdout + result.stderr).decode(), int(rss.read_text()), 2,
          "<stdin>: network files are limited to 2,000,000 bytes")


def test_100_mb_on_standard_input(tmp_path):
    check(*run_cli(["summary", "-"], tmp_path, stdin=b"#" * 100_000_000), 2,
          "<stdin>: network files are limited to 2,000,000 bytes")


def test_non_utf8_on_standard_input(tmp_path):
    check(*run_cli(["summary", "-"], tmp_path, stdin=b"name: caf\xe9\n" + NET.encode()), 2,
          "<stdin>:1: not UTF-8 text (invalid continuation byte at byte 9)")


def test_a_folder_named_like_a_builtin_does_not_shadow_it(tmp_path):
    (tmp_path / "lenet5").mkdir()
    (tmp_path / "alexnet").write_text(NET)
    check(*run_cli(["summary", "lenet5", "--format", "csv"], tmp_path), 0, "conv1,conv,conv 5×5/1 ×6 +tanh")
    check(*run_cli(["summary", "alexnet", "--format", "csv"], tmp_path), 0, "227x227x3")
    check(*run_cli(["summary", "./alexnet", "--format", "csv"], tmp_path), 0, "8x8x3")


def test_a_bare_file_name_gets_a_hint(tmp_path):
    (tmp_path / "mynet").write_text(NET)
    check(*run_cli(["summary", "mynet"], tmp_path), 2, "to read the file 'mynet', write ./mynet")


def test_a_legal_100000_layer_network_still_works(tmp_path):
    (tmp_path / "big.yaml").write_text("input: {shape: [4, 4, 2], layout: HWC}\nlayers:\n"
                                       "  - relu: {repeat: 99999}\n")
    code, output, peak = run_cli(["summary", "big.yaml", "--format", "csv"], tmp_path)
    check(code, output, peak, 0, "relu99999,relu,relu,,4x4x2,32,0,")
    assert output.count("\n") == 1 + 100_000  # the header, the input and 99,999 layers


API_MISUSE = [
    ('cnncalc.analyze(None)', lambda: cnncalc.analyze(None), "a network is a built-in name, a file path or '-', but saw NoneType"),
    ("cnncalc.analyze(b'vgg16')", lambda: cnncalc.analyze(b'vgg16'), "a network is a built-in name, a file path or '-', but saw bytes"),
    ("cnncalc.analyze({'layers': []})", lambda: cnncalc.analyze({'layers': []}), "but saw dict"),
    ('cnncalc.analyze(3)', lambda: cnncalc.analyze(3), "but saw int"),
    ('cnncalc.loads(None)', lambda: cnncalc.loads(None), "YAML text must be a str, but saw NoneType"),
    ("cnncalc.loads({'a': 1})", lambda: cnncalc.loads({'a': 1}), "YAML text must be a str, but saw dict"),
    ('cnncalc.loads(7)', lambda: cnncalc.loads(7), "YAML text must be a str, but saw int"),
    ("cnncalc.loads(b'\\xff')", lambda: cnncalc.loads(b'\xff'), "not UTF-8 text"),
    ("cnncalc.loads('name: \\ud800')", lambda: cnncalc.loads("name: \ud800"), "<string>:1: the text holds '\\ud800'"),
    ("cnncalc.analyze('vgg16', input=1e400)", lambda: cnncalc.analyze('vgg16', input=1e400), "--input: a shape is sizes from 1 to 10,000,000"),
    ("cnncalc.analyze('vgg16', input=object())", lambda: cnncalc.analyze('vgg16', input=object()), "--input: a shape is sizes"),
    ("cnncalc.analyze('vgg16', batch=10**9)", lambda: cnncalc.analyze('vgg16', batch=10**9), "batch must be a whole number from 1 to 1,000,000"),
    ("cnncalc.analyze('vgg16', batch=True)", lambda: cnncalc.analyze('vgg16', batch=True), "batch must be a whole number"),
    ("cnncalc.analyze('vgg16', dtype=['float32'])", lambda: cnncalc.analyze('vgg16', dtype=['float32']), "dtype must be one of"),
    ("cnncalc.analyze('vgg16', layout=5)", lambda: cnncalc.analyze('vgg16', layout=5), "layout must be one of hwc, chw"),
    ("cnncalc.analyze('mobilenet_v1', params=[1])", lambda: cnncalc.analyze('mobilenet_v1', params=[1]), "params must be a dict"),
    ("cnncalc.analyze('mobilenet_v1', params={1: 2})", lambda: cnncalc.analyze('mobilenet_v1', params={1: 2}), "unknown parameter 1"),
    ("cnncalc.analyze('mobilenet_v1', params={'alpha': float('nan')})", lambda: cnncalc.analyze('mobilenet_v1', params={'alpha': float('nan')}), "parameter alpha must be a finite number"),
    ("cnncalc.analyze('mobilenet_v1', params={'alpha': object()})", lambda: cnncalc.analyze('mobilenet_v1', params={'alpha': object()}), "parameter alpha must be a number"),
]


@pytest.mark.parametrize("call, fragment", [c[1:] for c in API_MISUSE], ids=[c[0] for c in API_MISUSE])
def test_api_misuse_raises_cnncalc_error(call, fragment):
    with pytest.raises(cnncalc.CnnCalcError) as info:
        call()
    assert fragment in str(info.value)


def run_raw(args, **kwargs):
    result = subprocess.run([sys.executable, "-m", "cnncalc", *args], capture_output=False, timeout=HANG,
                            stderr=subprocess.PIPE, **kwargs)
    return result.returncode, result.stderr.decode()


def test_output_to_a_full_disk():
    with open("/dev/full", "w") as full:
        code, err = run_raw(["summary", "lenet5"], stdout=full, cwd=HERE.parent)
    assert (code, err) == (1, "Error: cannot write the output: No space left on device\n")


def test_closed_standard_output_and_input():
    code, err = run_raw(["summary", "lenet5"], stdout=subprocess.DEVNULL, cwd=HERE.parent,
                        preexec_fn=lambda: os.close(1))
    assert (code, err) == (1, "Error: cannot write the output: standard output is closed\n")
    code, err = run_raw(["summary", "-"], stdout=subprocess.DEVNULL, cwd=HERE.parent,
                        preexec_fn=lambda: os.close(0))
    assert (code, err) == (2, "Error: <stdin>: standard input is closed\n")

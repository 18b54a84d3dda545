"""For CI jobs: budgets with units (command line and budget:), many files with one status a
file, machine-readable results (JSON, GitHub annotations, JSON errors from summary), the
pre-commit hook manifest and the JSON Schema of the format."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import cnncalc
from cnncalc.cli import cli
from cnncalc.kinds import KINDS
from cnncalc.sources.document import parse_amount

ROOT = Path(__file__).parent.parent
# mobilenet_v1: 4,231,976 params and 568,740,352 MACs (the MobileNet paper's Table 6: 4.2M, 569M)
MOBILENET = (4_231_976, 568_740_352)


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize(
    "text, key, value",
    [
        ("5M", "max_params", 5 * 10**6),
        ("600M", "max_macs", 600 * 10**6),
        ("1.5G", "max_flops", 15 * 10**8),
        ("42", "min_params", 42),
        (42, "max_params", 42),
        ("100MB", "max_activation_memory", 100 * 10**6),
        ("1GB", "max_param_memory", 10**9),
        ("100MiB", "max_param_memory", 100 * 2**20),
        ("2 KiB", "max_param_memory", 2048),
    ],
)
def test_units(text, key, value):
    assert parse_amount(text, key) == value


@pytest.mark.parametrize(
    "text, key, fragment",
    [
        ("5X", "max_params", "(K, M, G, T)"),
        ("100MB", "max_params", "(K, M, G, T)"),
        ("5M", "max_param_memory", "(B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)"),
        ("1.5", "max_params", "whole number"),
        ("-3", "max_macs", "like 5M"),
    ],
)
def test_bad_units_say_what_is_allowed(text, key, fragment):
    with pytest.raises(cnncalc.CnnCalcError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        parse_amount(text, key)


def test_budget_on_the_command_line():
    ok = run("check", "mobilenet_v1", "--max-params", "5M", "--max-macs", "600M")
    assert (ok.exit_code, ok.output) == (0, "mobilenet_v1: passed\n1 file: 1 passed, 0 failed, 0 invalid\n")
    over = run("check", "mobilenet_v1", "--max-params", "4M", "--max-macs", "0.5G")
    assert over.exit_code == 1
    assert over.output.startswith(
        f"mobilenet_v1: failed: params {MOBILENET[0]:,} > max 4,000,000; macs {MOBILENET[1]:,} > max 500,000,000\n"
    )


def test_min_budget_and_memory():
    # param memory: 4,231,976 params × 4 bytes = 16,927,904 bytes
    result = run("check", "mobilenet_v1", "--min-params", "5M", "--max-param-memory", "16MiB")
    assert result.exit_code == 1
    assert f"params {MOBILENET[0]:,} < min 5,000,000" in result.output
    assert f"param memory {MOBILENET[0] * 4:,} > max {16 * 2**20:,}" in result.output
    assert run("check", "mobilenet_v1", "--max-param-memory", "17MB", "--dtype", "float32").exit_code == 0
    assert run("check", "mobilenet_v1", "--max-param-memory", "8MB", "--dtype", "float16").exit_code == 1


def net_file(path: Path, budget: str = "", layers: str = "  - conv: {filters: 8, kernel: 3}\n") -> Path:
    path.write_text(f"input: {{shape: [32, 32, 3], layout: HWC}}\n{budget}layers:\n{layers}")
    return path


def test_budget_in_the_file_and_the_command_line_wins(tmp_path):
    # conv 3×3×3×8 + 8 = 224 params
    net = net_file(tmp_path / "small.yaml", "budget: {max_params: 200, max_macs: 1M}\n")
    result = run("check", str(net))
    assert result.exit_code == 1 and "params 224 > max 200" in result.output
    assert run("check", str(net), "--max-params", "300").exit_code == 0
    bad = net_file(tmp_path / "bad.yaml", "budget: {max_parms: 200}\n")
    result = run("check", str(bad))
    assert result.exit_code == 2 and "did you mean 'max_params'" in result.output


def test_strict_fails_on_a_warning(tmp_path):
    # (32 − 3)/2 = 29/2 is not whole: the floor drops a row and a column
    net = net_file(tmp_path / "stride.yaml", layers="  - conv: {filters: 8, kernel: 3, stride: 2}\n")
    assert run("check", str(net)).exit_code == 0
    result = run("check", str(net), "--strict")
    assert result.exit_code == 1 and "conv1: H, W: (32 + 2·0 − 3)/2 = 29/2 is not whole" in result.output


@pytest.fixture
def five(tmp_path):
    """Five files: three fine, one over budget, one invalid."""
    for i in range(3):
        net_file(tmp_path / f"ok{i}.yaml")
    net_file(tmp_path / "big.yaml", layers="  - conv: {filters: 5000, kernel: 3}\n")
    (tmp_path / "broken.yaml").write_text("input: {shape: [32, 32, 3], layout: HWC}\nlayers:\n  - conv: {kernel: 3}\n")
    return tmp_path


def test_a_glob_of_five_files(five):
    result = run("check", str(five / "*.yaml"), "--max-params", "100K")
    assert result.exit_code == 2  # an invalid file wins over a failed one
    lines = result.output.splitlines()
    assert lines[0] == f"{five / 'big.yaml'}: failed: params {3 * 3 * 3 * 5000 + 5000:,} > max 100,000"
    assert (
        lines[1] == f"{five / 'broken.yaml'}: invalid: {five / 'broken.yaml'}:3: layers[0].conv: conv needs "
        f"'filters' (output channels)"
    )
    assert lines[-1] == "5 files: 3 passed, 1 failed, 1 invalid"


def test_a_directory_and_exit_1_without_invalid_files(five):
    (five / "broken.yaml").unlink()
    (five / "nested").mkdir()
    net_file(five / "nested" / "deep.yml")
    result = run("check", str(five), "--max-params", "100K")
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "5 files: 4 passed, 1 failed, 0 invalid"
    assert f"{five / 'nested' / 'deep.yml'}: passed" in result.output


def test_json_results(five):
    data = json.loads(run("check", str(five / "*.yaml"), "--max-params", "100K", "--format", "json").output)
    assert data["schema_version"] == 1
    by_name = {Path(f["file"]).name: f for f in data["files"]}
    assert by_name["ok0.yaml"]["status"] == "passed"
    assert by_name["big.yaml"]["failed_checks"] == [
        {"check": "max_params", "limit": 100_000, "value": 140_000, "message": "params 140,000 > max 100,000"}
    ]
    assert by_name["broken.yaml"]["errors"] == [
        {
            "message": "conv needs 'filters' (output channels)",
            "file": str(five / "broken.yaml"),
            "line": 3,
            "path": "layers[0].conv",
        }
    ]


def test_warnings_have_stable_codes(tmp_path):
    # (24 − 3)/2 is not whole; 11 → 6 has PyTorch windows of 2 and 3
    (tmp_path / "w.yaml").write_text(
        "input: {shape: [24, 24, 3], layout: HWC}\nlayers:\n"
        "  - conv: {filters: 8, kernel: 3, stride: 2}\n  - adaptive_avg_pool: {output_size: 6}\n"
    )
    net = tmp_path / "w.yaml"
    data = json.loads(run("check", str(net), "--format", "json").output)["files"][0]
    assert [w["code"] for w in data["warnings"]] == ["inexact-division", "uneven-windows"]
    layers = json.loads(run("summary", str(net), "--format", "json").output)["layers"]
    assert [x["warning_codes"] for x in layers] == [[], ["inexact-division"], ["uneven-windows"]]


def test_github_annotations(five):
    out = run("check", str(five / "*.yaml"), "--max-params", "100K", "--format", "github").output
    assert f"::error file={five / 'big.yaml'}::params 140%2C000 > max 100%2C000\n" not in out  # data is not a property
    assert f"::error file={five / 'big.yaml'}::params 140,000 > max 100,000\n" in out
    assert f"::error file={five / 'broken.yaml'},line=3::conv needs 'filters' (output channels)\n" in out


def run_apart(*args):
    """Standard output apart from standard error: click 8.2+ keeps them apart; before 8.2 only
    when asked (mix_stderr=False, which 8.2 removed)."""
    try:
        runner = CliRunner(mix_stderr=False)
    except TypeError:
        runner = CliRunner()
    return runner.invoke(cli, list(args), catch_exceptions=False)


def test_summary_json_error_is_json(tmp_path):
    net = tmp_path / "net.yaml"
    net.write_text("input: {shape: [32, 32, 3], layout: HWC}\nlayers:\n  - conv: {filter: 8, kernel: 3}\n")
    result = run_apart("summary", str(net), "--format", "json")
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert (error["file"], error["line"], error["path"]) == (str(net), 3, "layers[0].conv.filter")
    assert error["message"].startswith("unknown key 'filter' for conv; did you mean 'filters'?")


# --- pre-commit ---------------------------------------------------------------------------------


def test_the_hook_manifest_is_valid():
    pytest.importorskip("pre_commit")
    validate = shutil.which("pre-commit-validate-manifest")
    command = [validate] if validate else [sys.executable, "-m", "pre_commit", "validate-manifest"]
    result = subprocess.run([*command, str(ROOT / ".pre-commit-hooks.yaml")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    import yaml

    hook = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())[0]
    assert hook["id"] == "cnncalc-check" and hook["entry"] == "cnncalc check --only-networks"


def test_the_hook_skips_yaml_that_is_not_a_network(tmp_path):
    (tmp_path / "ci.yml").write_text("on: [push]\njobs: {}\n")
    net = net_file(tmp_path / "net.yaml")
    result = run("check", "--only-networks", str(tmp_path / "ci.yml"), str(net))
    assert result.exit_code == 0 and result.output.endswith("2 files: 1 passed, 0 failed, 0 invalid, 1 skipped\n")


# --- the JSON Schema --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def validator():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(run("schema").output)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def schema_errors(validator, text: str) -> list[str]:
    """What the JSON Schema says of a YAML text (plain YAML rules, as an editor reads it)."""
    import yaml

    return [e.message for e in validator.iter_errors(yaml.safe_load(text))]


def test_the_schema_lists_exactly_the_kinds(validator):
    from cnncalc.sources.document import TOP_KEYS

    assert set(validator.schema["$defs"]["kinds"]) == set(KINDS) - {"input"}
    assert set(validator.schema["properties"]) == set(TOP_KEYS)
    conv = validator.schema["$defs"]["kinds"]["conv"]
    assert conv["required"] == ["filters", "kernel"] and conv["properties"]["stride"]["default"] == 1


@pytest.mark.parametrize(
    "text",
    [
        "input: {shape: [8, 8, 3], layout: hwc}\nlayers: [relu]\n",
        "name: 123\ndescription:\ninput: {shape: [8, 8, 3], layout: HWC}\nlayers: [relu]\n",
        "blocks:\n  b:\n    params:\n    layers: [relu]\ninput: {shape: [8, 8, 3], layout: HWC}\nlayers: [b]\n",
        "input: {shape: [8, 8, 3], layout: HWC}\nlayers: [flatten, {dense: {units: 3, expect: {shape: 3}}}]\n",
        "params: {α: 2}\ninput: {shape: [8, 8, 3], layout: HWC}\nlayers: [relu]\n",
        "input: {shape: [8, 8, 3], layout: HWC}\nbudget: {max_params: 1.5e9, max_param_memory: 100MiB}\nlayers: [relu]\n",
    ],
    ids=range(6),
)
def test_files_cnncalc_accepts_validate(validator, text):
    cnncalc.analyze(cnncalc.loads(text))
    assert not schema_errors(validator, text)


@pytest.mark.parametrize("path", sorted((ROOT / "architectures").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_builtin_validates(validator, path):
    assert not schema_errors(validator, path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "text",
    [
        "input: {shape: [8, 8, 3], layout: HWC}\nlayers: [{conv: {filters: abc, kernel: 3}}]\n",
        "input: {shape: [8, 8, 3], layout: HWC}\nlayers: [{conv: {filters: 0, kernel: 3}}]\n",
        "input: {shape: [8, 8, 3], layout: HWC}\nlayers: [{conv: {filter: 8, kernel: 3}}]\n",
        "input: {shape: [8, 8, 3], layout: HWC}\nlayers: [{conv: {kernel: 3}}]\n",
        "input: {shape: [8, 8, 3], layout: XYZ}\nlayers: [relu]\n",
        "layers: [relu]\n",
        "input: {shape: [8, 8, 3], layout: HWC}\nlayer: [relu]\n",
        "input: {shape: [8, 8, 3], layout: HWC}\nlayers: [{concat: {branches: [[]]}}]\n",
        "input: {shape: [8, 8, 3], layout: HWC}\nlayers: [{max_pool: {kernel: 2, ceil_mode: maybe}}]\n",
        "input: {shape: [8, 8, 3], layout: HWC}\nbudget: {max_parms: 5M}\nlayers: [relu]\n",
        "input: {shape: [8, 8, 3], layout: HWC}\nbudget: {max_params: 5Q}\nlayers: [relu]\n",
        "input: {shape: [8, 8, 3], layout: HWC}\nbudget: {max_activation_memory: 100M}\nlayers: [relu]\n",
        "input: {shape: [8, 8], layout: HWC}\nlayers: [relu]\n",
        "input: {shape: [8, 8, 3], layout: HWC}\nlayers: [{conv: {filters: 8, kernel: 3, expect: {shap: 6x6x8}}}]\n",
    ],
    ids=range(14),
)
def test_broken_files_do_not_validate(validator, text):
    assert schema_errors(validator, text)
    with pytest.raises(cnncalc.CnnCalcError):  # and cnncalc refuses them too
        cnncalc.analyze(cnncalc.loads(text))


# --- found in review -----------------------------------------------------------------------------


def test_only_networks_looks_at_the_yaml_not_the_lines(tmp_path):
    one_line = tmp_path / "flow.yaml"
    one_line.write_text(
        "{input: {shape: [8, 8, 3], layout: HWC}, budget: {max_params: 1}, layers: [{conv: {filters: 2, kernel: 3}}]}\n"
    )
    serverless = tmp_path / "serverless.yml"
    serverless.write_text("service: app\nprovider: {name: aws}\nlayers:\n  deps: {path: deps}\n")
    result = run("check", "--only-networks", str(one_line), str(serverless))
    assert result.exit_code == 1  # the one-line network is over budget; serverless.yml is skipped
    assert result.output.endswith("2 files: 0 passed, 1 failed, 0 invalid, 1 skipped\n")


def test_a_file_name_with_brackets_is_that_file(tmp_path):
    net_file(tmp_path / "a[1].yaml", "budget: {max_params: 1}\n")
    net_file(tmp_path / "a1.yaml")
    result = run("check", str(tmp_path / "a[1].yaml"))
    assert result.exit_code == 1 and f"{tmp_path / 'a[1].yaml'}: failed" in result.output


def test_an_empty_folder_is_invalid(tmp_path):
    (tmp_path / "models").mkdir()
    result = run("check", str(tmp_path / "models"))
    assert result.exit_code == 2 and "1 file: 0 passed, 0 failed, 1 invalid" in result.output


@pytest.mark.parametrize(
    "text, code, fragment",
    [
        ("name\nconv1\n", 2, "has a header row with a name column and columns"),
        ("name,params\n,456\n", 2, "key.csv:2: a row of answers without a layer name"),
        ('name,params\nconv1,"456\nconv2,2416\n', 2, "not valid CSV"),
        ("name,params\nconv2,\n", 2, "the answer key states no answer"),
        ("\ufeffName,params\nconv1,456\n", 0, "lenet5: passed, 1 answer checked"),  # Excel's BOM and capitals
        (
            'name,params\nconv1,"4,56"\n',
            2,
            "expect.params must be a whole number, or rounded like 352.8K or 1.2M, but saw '4,56'",
        ),
        ('name,params\nconv2,"2,416"\n', 0, "lenet5: passed, 1 answer checked"),
    ],
)
def test_answer_keys_that_state_nothing_or_too_little(tmp_path, text, code, fragment):
    key = tmp_path / "key.csv"
    key.write_text(text, encoding="utf-8")
    result = run("check", "lenet5", "--answers", str(key))
    assert result.exit_code == code and fragment in result.output, result.output


def test_budget_numbers_as_yaml_floats_and_exponents(tmp_path):
    net = net_file(tmp_path / "f.yaml", "budget: {max_params: 1.0e+16, max_macs: 1.5e9}\n")
    assert run("check", str(net)).exit_code == 0
    assert parse_amount("1e5", "max_params") == 100_000 and parse_amount(1.5e9, "max_macs") == 1_500_000_000


def test_check_json_errors_and_github_without_duplicates(tmp_path):
    data = json.loads(run("check", "lenet5", "--max-params", "abc", "--format", "json").output.split("Error:")[0])
    assert data["error"]["file"] == "--max-params"
    net = net_file(tmp_path / "s.yaml", layers="  - conv: {filters: 8, kernel: 3, stride: 2}\n")
    out = run("check", str(net), "--strict", "--format", "github").output
    assert out.count("29/2 is not whole") == 1 and out.startswith("::error")
    failed = json.loads(run("check", str(net), "--strict", "--format", "json").output)["files"][0]["failed_checks"]
    assert failed[0]["code"] == "inexact-division" and failed[0]["value"] is None


def test_summary_layer_in_every_format():
    data = json.loads(run("summary", "lenet5", "--layer", "conv1", "--format", "json").output)
    assert [x["name"] for x in data["layers"] if x.get("steps")] == ["conv1"]
    assert "## Worked arithmetic" in run("summary", "lenet5", "--layer", "conv1", "--format", "markdown").output
    assert run("summary", "lenet5", "--explain", "--format", "csv").exit_code == 2


def test_solve_pool_keeps_the_padding_bound_for_a_fixed_padding():
    # 10 → 20 would need padding 6 with a 2-wide window; PyTorch allows at most ⌊2/2⌋ = 1
    assert run("solve", "--input", "10", "--output", "20", "--pool", "--padding", "6").output.startswith("no pooling")


def test_every_warning_code_is_documented():
    from cnncalc.errors import WARNING_CODES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert all(f"`{code}`" in readme for code in WARNING_CODES)


def test_a_line_break_in_a_name_cannot_start_a_workflow_command(tmp_path, monkeypatch):
    """A CI log reads a line that starts `::error` or `::warning` as a command: a layer's or a
    file's name with a line break stays on its line (shown as ↵), in the text and on stderr."""
    monkeypatch.chdir(tmp_path)
    Path("inj.yaml").write_text(
        "name: t\ninput: {shape: [8, 8, 3], layout: HWC}\nlayers:\n"
        '  - conv: {name: "a\\n::warning::injected", filters: 4, kernel: 3, expect: {params: 1}}\n'
        '  - relu: {from: "a\\n::warning::injecte"}\n'
    )
    Path("models").mkdir()
    Path("models/a\n::error title=x::b.yaml").write_text("x: 1\n")
    result = CliRunner().invoke(cli, ["check", "inj.yaml", "models/*.yaml"])
    lines = result.output.splitlines()
    assert result.exit_code == 2 and not any(line.startswith("::") for line in lines), result.output
    assert "did you mean 'a\\n::warning::injected'?" in result.output
    assert "models/a↵::error title=x::b.yaml: invalid" in result.output
    Path("inj.yaml").write_text(
        "name: t\ninput: {shape: [8, 8, 3], layout: HWC}\nlayers:\n"
        '  - conv: {name: "a\\n::warning::injected", filters: 4, kernel: 3, expect: {params: 1}}\n'
    )
    result = CliRunner().invoke(cli, ["check", "inj.yaml"])
    assert (
        result.exit_code == 1 and "inj.yaml:4: a↵::warning::injected params: expected 1, computed 112" in result.output
    )
    assert not any(line.startswith("::") for line in result.output.splitlines())


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links")
def test_a_glob_does_not_follow_links_to_folders(tmp_path, monkeypatch):
    """`check 'models/**/*.yaml'` over a folder with two links to itself: glob.glob followed them
    and ran for ever; as `check models` does, links to folders are not walked."""
    monkeypatch.chdir(tmp_path)
    Path("models/sub").mkdir(parents=True)
    for path in ("models/a.yaml", "models/sub/b.yaml"):
        shutil.copy(Path(__file__).parents[1] / "architectures" / "lenet5.yaml", path)
    Path("models/x").symlink_to(".")
    Path("models/y").symlink_to(".")
    result = CliRunner().invoke(cli, ["check", "models/**/*.yaml"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "models/a.yaml: passed",
        "models/sub/b.yaml: passed",
        "2 files: 2 passed, 0 failed, 0 invalid",
    ]
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "models" / "*.yaml")])
    assert result.output.splitlines()[0] == f"{tmp_path / 'models' / 'a.yaml'}: passed"


# --- what a careful user notices -------------------------------------------------------------


def test_an_empty_folder_says_it_has_no_network_files(tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "notes.txt").write_text("not a network")
    result = run("check", str(tmp_path / "models"))
    assert result.exit_code == 2
    assert f"{tmp_path / 'models'}: no *.yaml or *.yml files were found under this folder" in result.output
    assert "it is a directory" not in result.output and "built-in" not in result.output


def test_a_minimum_above_the_maximum_is_refused(tmp_path):
    # no network has both at least 6,000,000 and at most 5,000,000 params
    result = run("check", "lenet5", "--min-params", "6M", "--max-params", "5M")
    assert result.exit_code == 2
    assert (
        "--min-params: min_params must be at most max_params, but 6,000,000 (from the command line) > "
        "5,000,000 (from the command line)" in result.output
    )
    # in a file's budget, at the line of the minimum; and the command line's bound against the file's
    net = tmp_path / "net.yaml"
    net.write_text(
        "name: t\ninput: {shape: [8, 8, 3], layout: HWC}\nbudget: {min_params: 6M, max_params: 5M}\n"
        "layers:\n  - conv: {filters: 4, kernel: 3}\n"
    )
    result = run("check", str(net))
    assert (
        result.exit_code == 2 and f"{net}:3: budget.min_params: min_params must be at most max_params" in result.output
    )
    # the command line's max (7M) replaces the file's, and 6M ≤ 7M: the check runs, and 112 params fail the min
    result = run("check", str(net), "--max-params", "7M")
    assert result.exit_code == 1 and "params 112 < min 6,000,000" in result.output  # (3·3·3 + 1)·4 = 112
    result = run("check", str(net), "--max-params", "5.5M")
    assert result.exit_code == 2 and "(from the file's budget) > 5,500,000 (from the command line)" in result.output


def test_check_batch_has_help_and_list_has_no_input():
    assert "batch size for activation memory" in run("check", "--help").output
    listed = run("list", "--help").output
    assert "--input" not in listed and "shape order for display" in listed

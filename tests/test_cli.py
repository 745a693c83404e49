"""The command line as a user meets it: exit codes, selection, options,
``rules`` and ``explain``, and one-line errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from clirunner import BROKEN_SOURCE, CLEAN_SOURCE, THRESHOLD_SOURCE, invoke, write

from mldebtlint import __version__
from mldebtlint.core.catalog import load_catalog


@pytest.fixture
def project(tmp_path, monkeypatch):
    write(tmp_path, {"pkg/broken.py": BROKEN_SOURCE, "pkg/clean.py": CLEAN_SOURCE, "pkg/serve.py": THRESHOLD_SOURCE})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def codes(result) -> list[str]:
    return [item["code"] for item in json.loads(result.stdout)]


def one_error_line(result) -> str:
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    return lines[0]


# -- exit codes ---------------------------------------------------------------


def test_clean_file_exits_0(project):
    result = invoke(["check", "pkg/clean.py"])
    assert result.exit_code == 0
    assert result.stdout.strip().startswith("Found 0 findings")


def test_findings_exit_1(project):
    result = invoke(["check", "pkg"])
    assert result.exit_code == 1
    assert "pkg/broken.py:2:" in result.stdout


def test_exit_zero_keeps_the_findings(project):
    result = invoke(["check", "pkg", "--exit-zero"])
    assert result.exit_code == 0 and "MLD000" in result.stdout


def test_default_path_is_the_current_directory(project):
    result = invoke(["check", "--format", "json"])
    assert result.exit_code == 1 and "MLD000" in codes(result)


def test_missing_path_is_a_usage_error(project):
    assert "no-such-dir" in one_error_line(invoke(["check", "no-such-dir"]))


def test_unknown_option_is_one_line(project):
    line = one_error_line(invoke(["check", "--no-such-option"]))
    assert "--no-such-option" in line


def test_bad_format_choice_is_one_line(project):
    assert "yaml" in one_error_line(invoke(["check", "--format", "yaml"]))


def test_unknown_command_is_one_line(project):
    assert "frobnicate" in one_error_line(invoke(["frobnicate"]))


def test_real_process_unknown_option_has_no_traceback(project):
    process = subprocess.run(
        [sys.executable, "-m", "mldebtlint", "check", "--bogus"], capture_output=True, text=True, check=False
    )
    assert process.returncode == 2
    assert len(process.stderr.strip().splitlines()) == 1 and "Traceback" not in process.stderr


def test_real_process_exits_at_once_with_its_output_flushed_and_its_exit_code(tmp_path):
    # The real command skips the interpreter's teardown (os._exit): what it
    # printed into a pipe (block-buffered) must still all arrive, with the exit code.
    write(tmp_path, {f"pkg/serve{index}.py": THRESHOLD_SOURCE for index in range(40)})
    command = [sys.executable, "-m", "mldebtlint", "check", "--no-cache", "--jobs", "1", "--format", "json", "."]
    found = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert found.returncode == 1
    assert sorted({item["path"] for item in json.loads(found.stdout)}) == sorted(
        f"pkg/serve{index}.py" for index in range(40)
    )
    zero = subprocess.run([*command, "--exit-zero"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert zero.returncode == 0 and json.loads(zero.stdout) == json.loads(found.stdout)
    bare = subprocess.run([sys.executable, "-m", "mldebtlint"], capture_output=True, text=True, check=False)
    assert bare.returncode == 0 and "Commands" in bare.stdout


def test_version():
    result = invoke(["--version"])
    assert result.exit_code == 0 and __version__ in result.stdout


# -- selection -------------------------------------------------------------------


@pytest.mark.parametrize("selector", ["MLD000", "mld000", "parse-error", "MLD0", "MLD", "ALL"])
def test_select_by_code_name_and_prefix(project, selector):
    result = invoke(["check", "pkg", "--select", selector, "--format", "json"])
    assert result.exit_code == 1 and "MLD000" in codes(result)


@pytest.mark.parametrize("selector", ["MLD000", "parse-error", "MLD0"])
def test_ignore_by_code_name_and_prefix(project, selector):
    result = invoke(["check", "pkg", "--ignore", selector, "--format", "json"])
    assert "MLD000" not in codes(result)


def test_more_specific_select_beats_broader_ignore(project):
    result = invoke(["check", "pkg", "--ignore", "MLD0", "--select", "MLD000", "--format", "json"])
    assert codes(result) == ["MLD000"]


@pytest.mark.parametrize("option", ["--select", "--ignore", "--extend-select"])
def test_unknown_selector_is_a_usage_error(project, option):
    line = one_error_line(invoke(["check", "pkg", option, "MLD999"]))
    assert "MLD999" in line and option in line


def test_comma_separated_selectors(project):
    result = invoke(["check", "pkg", "--select", "MLD000,parse-error", "--format", "json"])
    assert codes(result) == ["MLD000"]


def test_select_replaces_and_extend_select_adds(project):
    only_threshold = invoke(["check", "pkg", "--select", "hardcoded-threshold", "--format", "json"])
    assert set(codes(only_threshold)) == {"MLD101"}
    both = invoke(["check", "pkg", "--select", "MLD000", "--extend-select", "MLD1", "--format", "json"])
    assert set(codes(both)) == {"MLD000", "MLD101"}
    ignored = invoke(["check", "pkg", "--ignore", "MLD1", "--format", "json"])
    assert "MLD101" not in codes(ignored) and "MLD000" in codes(ignored)


# -- output options ----------------------------------------------------------------


def test_statistics_counts_per_rule(project):
    write(project, {"pkg/broken2.py": "class :\n"})
    result = invoke(["check", "pkg", "--statistics", "--select", "MLD000"])
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0].split()
    assert first[:3] == ["2", "MLD000", "[parse-error]"] and "debt 10 min" in result.stdout
    assert "pkg/broken.py" not in result.stdout


def test_quiet_drops_the_summary(project):
    loud = invoke(["check", "pkg"]).stdout.splitlines()
    quiet = invoke(["check", "pkg", "--quiet"]).stdout.splitlines()
    assert loud[-1].startswith("Found ") and quiet == loud[:-1]


def test_output_file_for_text_puts_summary_on_stderr(project):
    result = invoke(["check", "pkg", "-o", "lint.txt"])
    assert result.exit_code == 1 and result.stdout == ""
    assert "pkg/broken.py:2:" in (project / "lint.txt").read_text(encoding="utf-8")
    assert result.stderr.startswith("Found ")


def test_stdin_filename(project):
    result = invoke(["check", "--stdin-filename", "pkg/from_stdin.py", "--format", "json"], input=BROKEN_SOURCE)
    assert result.exit_code == 1
    findings = json.loads(result.stdout)
    assert [(f["path"], f["code"]) for f in findings] == [("pkg/from_stdin.py", "MLD000")]
    clean = invoke(["check", "--stdin-filename", "pkg/x.py"], input=CLEAN_SOURCE)
    assert clean.exit_code == 0


def test_stdin_filename_finds_a_threshold(project):
    result = invoke(["check", "--stdin-filename", "serve.py", "--format", "json"], input=THRESHOLD_SOURCE)
    assert result.exit_code == 1 and "MLD101" in codes(result)


def test_stdin_is_analysed_in_place_beside_its_real_siblings(tmp_path, monkeypatch):
    """A requirements.txt read from stdin sees the lock file and the includes
    beside its real path, exactly as the file on disk does."""
    write(
        tmp_path,
        {
            "mldebtlint.toml": 'select = ["MLD301"]\n',
            "locked/requirements.lock": "torch==2.1.0\n",
            "locked/base.txt": "xgboost>=2\n",
            "open/base.txt": "xgboost>=2\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    text = "torch>=2.0\n-r base.txt\n"
    locked = invoke(["check", "--stdin-filename", "locked/requirements.txt", "--format", "json"], input=text)
    assert (locked.exit_code, locked.stdout.strip()) == (0, "[]")
    # The twin without a lock file: the range and the included range are reported.
    unlocked = invoke(["check", "--stdin-filename", "open/requirements.txt", "--format", "json"], input=text)
    assert unlocked.exit_code == 1
    found = [(f["path"], f["line"], f["data"]["package"]) for f in json.loads(unlocked.stdout)]
    assert found == [("open/requirements.txt", 1, "torch"), ("open/requirements.txt", 2, "xgboost")]
    write(tmp_path, {"open/requirements.txt": text})
    on_disk = invoke(["check", "open/requirements.txt", "--format", "json"])
    assert json.loads(on_disk.stdout) == json.loads(unlocked.stdout)


def test_stdin_keeps_the_declared_encoding(project):
    source = "# -*- coding: latin-1 -*-\nname = 'caf\xe9'\ndef f(:\n".encode("latin-1")
    result = invoke(["check", "--stdin-filename", "pkg/latin.py", "--format", "json"], input=source)
    findings = json.loads(result.stdout)
    assert [(f["path"], f["line"], f["code"]) for f in findings] == [("pkg/latin.py", 3, "MLD000")]


# -- rules and explain -----------------------------------------------------------------


def test_rules_lists_the_catalog():
    result = invoke(["rules"])
    assert result.exit_code == 0
    for code, entry in load_catalog().items():
        assert code in result.stdout and entry.name in result.stdout


def test_rules_json():
    result = invoke(["rules", "--format", "json"])
    assert [item["code"] for item in json.loads(result.stdout)] == list(load_catalog())


@pytest.mark.parametrize("key", ["MLD000", "mld000", "parse-error"])
def test_explain_by_code_or_name(key):
    result = invoke(["explain", key])
    entry = load_catalog()["MLD000"]
    assert result.exit_code == 0
    assert result.stdout.startswith("MLD000 [parse-error]")
    assert entry.summary in result.stdout and entry.fix in result.stdout


def test_explain_mld101_shows_options_and_examples():
    result = invoke(["explain", "hardcoded-threshold"])
    assert result.exit_code == 0 and "Options" in result.stdout and "Flagged" in result.stdout


def test_explain_unknown_rule_is_one_line():
    line = one_error_line(invoke(["explain", "no-such-rule"]))
    assert "no-such-rule" in line


def test_output_into_a_missing_folder_is_one_line(project):
    line = one_error_line(invoke(["check", "pkg", "--output", "no/such/folder/report.json"]))
    assert "no/such/folder/report.json" in line and "internal error" not in line

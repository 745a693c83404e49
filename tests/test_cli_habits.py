"""A ruff user's habits: ``--output-format``, ``check -``, ``--force-exclude``,
``--statistics`` in JSON, ``--show-files/--show-settings/--show-fixes``, bare
``mldebtlint``, and option values checked like config values (exit 2, one line)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from clirunner import CLEAN_SOURCE, THRESHOLD_SOURCE, invoke, write


@pytest.fixture
def project(tmp_path, monkeypatch):
    write(
        tmp_path,
        {
            "pyproject.toml": '[tool.mldebtlint]\nextend-exclude = ["legacy/"]\n',
            "src/serve.py": THRESHOLD_SOURCE,
            "src/clean.py": CLEAN_SOURCE,
            "legacy/old_serve.py": THRESHOLD_SOURCE,
            "build/generated.py": THRESHOLD_SOURCE,
        },
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def paths_of(result) -> list[str]:
    return sorted(item["path"] for item in json.loads(result.stdout))


def one_error_line(result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


# -- bare mldebtlint --------------------------------------------------------------------


def test_bare_command_prints_usage_on_stdout_and_exits_0():
    done = subprocess.run([sys.executable, "-m", "mldebtlint"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: mldebtlint") and "check" in done.stdout
    assert done.stderr == ""
    # Its twin: an unknown command is still a usage error.
    wrong = subprocess.run([sys.executable, "-m", "mldebtlint", "chek"], capture_output=True, text=True, check=False)
    assert wrong.returncode == 2 and wrong.stdout == "" and len(wrong.stderr.strip().splitlines()) == 1


# -- --output-format / --format ------------------------------------------------------------


@pytest.mark.parametrize("command", [["check", "src"], ["report", "src"], ["rules"], ["graph", "src"]])
def test_output_format_is_the_primary_name_and_format_an_alias(project, command):
    primary = invoke([*command, "--output-format", "json"])
    alias = invoke([*command, "--format", "json"])
    json.loads(primary.stdout)
    assert primary.exit_code == alias.exit_code
    if command[0] != "report":  # the report is stamped with the time it was generated
        assert primary.stdout == alias.stdout
    bad = one_error_line(invoke([*command, "--output-format", "yaml"]))
    assert "yaml" in bad


# -- --statistics ----------------------------------------------------------------------------


def test_statistics_json_gives_per_rule_counts(project):
    write(project, {"src/serve2.py": THRESHOLD_SOURCE})
    result = invoke(["check", "src", "--statistics", "--output-format", "json"])
    assert result.exit_code == 1
    rows = json.loads(result.stdout)  # nothing but JSON on stdout: no text table, no summary
    assert rows == [{"code": "MLD101", "name": "hardcoded-threshold", "count": 2, "debt_minutes": 20, "fixable": False}]
    text = invoke(["check", "src", "--statistics"])
    assert text.stdout.split()[:3] == ["2", "MLD101", "[hardcoded-threshold]"]


def test_statistics_with_a_format_it_cannot_honour_is_a_usage_error(project):
    line = one_error_line(invoke(["check", "src", "--statistics", "--output-format", "sarif"]))
    assert "--statistics" in line


# -- check - (stdin) ------------------------------------------------------------------------


def test_dash_reads_the_source_from_stdin(project):
    result = invoke(["check", "-", "--output-format", "json"], input=THRESHOLD_SOURCE)
    assert result.exit_code == 1 and paths_of(result) == ["-"]
    named = invoke(["check", "-", "--stdin-filename", "src/api.py", "--output-format", "json"], input=THRESHOLD_SOURCE)
    assert paths_of(named) == ["src/api.py"]
    clean = invoke(["check", "-"], input=CLEAN_SOURCE)
    assert clean.exit_code == 0


def test_dash_with_other_paths_is_a_usage_error(project):
    assert "stdin" in one_error_line(invoke(["check", "-", "src"], input=CLEAN_SOURCE))


# -- --force-exclude --------------------------------------------------------------------------


def test_named_excluded_files_are_linted_without_force_exclude(project):
    result = invoke(["check", "legacy/old_serve.py", "build/generated.py", "src/serve.py", "--output-format", "json"])
    assert paths_of(result) == ["build/generated.py", "legacy/old_serve.py", "src/serve.py"]


def test_force_exclude_skips_named_files_in_excluded_folders(project):
    named = ["legacy/old_serve.py", "build/generated.py", "src/serve.py"]
    result = invoke(["check", *named, "--force-exclude", "--output-format", "json"])
    assert paths_of(result) == ["src/serve.py"]
    only_excluded = invoke(["check", "legacy/old_serve.py", "--force-exclude"])
    assert only_excluded.exit_code == 0


def test_force_exclude_from_config_and_its_negation(project):
    write(project, {"pyproject.toml": '[tool.mldebtlint]\nextend-exclude = ["legacy/"]\nforce-exclude = true\n'})
    assert paths_of(invoke(["check", "legacy/old_serve.py", "src/serve.py", "--output-format", "json"])) == [
        "src/serve.py"
    ]
    back = invoke(["check", "legacy/old_serve.py", "--no-force-exclude", "--output-format", "json"])
    assert paths_of(back) == ["legacy/old_serve.py"]


def test_force_exclude_config_value_is_checked(project):
    write(project, {"pyproject.toml": '[tool.mldebtlint]\nforce-exclude = "yes"\n'})
    assert "force-exclude" in one_error_line(invoke(["check", "src"]))


# -- --show-files / --show-settings / --show-fixes ---------------------------------------------------


def test_show_files_lists_what_would_be_checked(project):
    result = invoke(["check", "--show-files"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["pyproject.toml", "src/clean.py", "src/serve.py"]
    forced = invoke(["check", "--show-files", "--force-exclude", "legacy/old_serve.py", "src/clean.py"])
    assert forced.stdout.splitlines() == ["src/clean.py"]


def test_show_settings_prints_the_resolved_settings(project):
    result = invoke(["check", "src", "--show-settings", "--ignore", "MLD2", "--force-exclude"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Resolved settings for: src"
    assert f"config_file = {project / 'pyproject.toml'}" in lines
    assert 'extend_exclude = ["legacy/"]' in lines and "force_exclude = true" in lines
    enabled = next(line for line in lines if line.startswith("enabled_rules = "))
    assert "MLD101" in enabled and "MLD201" not in enabled


def test_show_fixes_lists_what_fix_fixed(project):
    write(
        project,
        {
            "pyproject.toml": '[tool.mldebtlint]\nselect = ["MLD301"]\n',
            "svc/requirements.txt": "torch>=2.0\nnumpy\n",
            "poetry.lock": '[[package]]\nname = "torch"\nversion = "2.1.2"\n',
        },
    )
    fixable = invoke(["check", "svc", "--show-fixes", "--no-cache"])
    assert "Fixable with --fix:\n- svc/requirements.txt:\n    1 x MLD301 (unpinned-framework)" in fixable.stderr
    fixed = invoke(["check", "svc", "--fix", "--show-fixes", "--no-cache"])
    assert fixed.exit_code == 0
    assert "Fixed:\n- svc/requirements.txt:\n    1 x MLD301 (unpinned-framework)" in fixed.stderr
    assert (project / "svc/requirements.txt").read_text() == "torch==2.1.2\nnumpy\n"
    again = invoke(["check", "svc", "--fix", "--show-fixes", "--no-cache"])
    assert "Fixed:" not in again.stderr


# -- option values are validated like config values ---------------------------------------------------


@pytest.mark.parametrize("value", ["5", "-0.1", "1.5"])
def test_max_debt_ratio_outside_0_1_is_one_line(project, value):
    assert "--max-debt-ratio" in one_error_line(invoke(["report", "src", "--max-debt-ratio", value]))


@pytest.mark.parametrize("value", ["0", "0.1", "1"])
def test_max_debt_ratio_inside_0_1_is_accepted(project, value):
    assert invoke(["report", "src", "--max-debt-ratio", value]).exit_code in (0, 1)


@pytest.mark.parametrize(
    "args",
    [
        ["report", "src", "--fail-under-rating", "F"],
        ["check", "src", "--jobs", "0"],
        ["report", "src", "--top", "-1"],
        ["graph", "src", "--max-chain-length", "-2"],
    ],
)
def test_enum_and_range_options_are_one_line(project, args):
    assert args[2] in one_error_line(invoke(args))

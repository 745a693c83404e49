"""The README's promises: its first two commands, its rule table, and .ci/run."""

from __future__ import annotations

import re

from click.testing import CliRunner
from conftest import REPO

from mldebtlint.commands.catalog import markdown_table, rules
from mldebtlint.core.catalog import load_catalog

README = (REPO / "README.md").read_text(encoding="utf-8")


def code_blocks() -> list[str]:
    return re.findall(r"```(?:bash|sh|console)?\n(.*?)```", README, flags=re.S)


def test_readme_starts_with_the_two_commands():
    first_block = code_blocks()[0].strip().splitlines()
    assert len(first_block) == 2
    run_job, run_tests = first_block
    assert "pip install ." in run_job and "mldebtlint report fixtures/" in run_job
    assert "[test]" in run_tests and "pytest" in run_tests


def test_ci_runs_the_readme_test_command():
    run_tests = code_blocks()[0].strip().splitlines()[1]
    ci_script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "pytest" in ci_script
    install_part, pytest_part = (part.strip() for part in run_tests.split("&&"))
    assert install_part in ci_script and pytest_part in ci_script
    assert ci_script.index(install_part) < ci_script.rindex(pytest_part)


def test_readme_rule_table_matches_the_catalog():
    table = markdown_table(list(load_catalog().values()))
    assert table in README, "regenerate with: mldebtlint rules --format markdown"


def test_rules_markdown_command_prints_every_code():
    output = CliRunner().invoke(rules, ["--format", "markdown"]).output
    for code in load_catalog():
        assert f"| {code} |" in output

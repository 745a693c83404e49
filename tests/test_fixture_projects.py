"""Each project under fixtures/ is linted end to end and its findings are
compared exactly with the ``expected-findings.txt`` kept beside it.

The file holds one ``path:line: CODE`` per line (``path:cell N:line: CODE`` in
a notebook; paths relative to the project, sorted); ``#`` starts a comment. It
is written by hand from the ``# expect: CODE`` comments in the fixture's source
(tests/test_oracles.py checks that both agree); it is never regenerated from
the tool's output.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import FIXTURES, lint_folder

from mldebtlint.core.config import find_config, load_settings

PROJECTS = sorted(p for p in FIXTURES.iterdir() if (p / "expected-findings.txt").is_file()) if FIXTURES.is_dir() else []


def actual_lines(project: Path) -> list[str]:
    result = lint_folder(project)
    lines = []
    for finding in result.findings:
        relative = os.path.relpath(Path(finding.path).resolve(), project)
        cell = f"cell {finding.cell}:" if finding.cell is not None else ""
        lines.append(f"{Path(relative).as_posix()}:{cell}{finding.line}: {finding.code}")
    return sorted(lines)


def expected_lines(project: Path) -> list[str]:
    text = (project / "expected-findings.txt").read_text(encoding="utf-8")
    return sorted(line.split("#", 1)[0].strip() for line in text.splitlines() if line.split("#", 1)[0].strip())


def test_there_are_fixture_projects():
    assert PROJECTS, "fixtures/ must hold at least one project with expected-findings.txt"


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_fixture_project_findings_match_expected(project: Path):
    assert actual_lines(project) == expected_lines(project)


@pytest.mark.parametrize("project", sorted(p for p in FIXTURES.iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_each_fixture_project_is_its_own_root(project: Path):
    """Its own config file makes the fixture hermetic: linting it never reads
    the rest of the checkout (graph facts, lock files above it)."""
    assert find_config(project) == project / "mldebtlint.toml"
    assert Path(load_settings(project).root) == project.resolve()

"""Shared test helpers: lint a snippet or a folder in-process."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from mldebtlint.core.config import Settings, load_settings
from mldebtlint.core.types import CheckResult
from mldebtlint.engine.runner import RunOptions, run

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"


def lint_folder(folder: Path, select: tuple[str, ...] | None = None, **settings_overrides) -> CheckResult:
    settings = load_settings(folder)
    if select is not None:
        settings = settings.with_cli(select=select)
    if settings_overrides:
        settings = settings.with_cli(**settings_overrides)
    return without_internal_errors(run(RunOptions(paths=[folder], settings=settings)))


def lint_source(
    tmp_path: Path,
    source: str,
    select: tuple[str, ...] | None = None,
    filename: str = "train.py",
    rule_options: dict | None = None,
) -> CheckResult:
    """Lint one snippet written to ``tmp_path/filename`` with only ``select`` rules."""
    target = tmp_path / filename
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(textwrap.dedent(source), encoding="utf-8")
    settings = Settings(root=str(tmp_path), select=select)
    if rule_options:
        from mldebtlint.core.catalog import lookup
        from mldebtlint.core.config import _freeze

        frozen = tuple(sorted((lookup(name).code, _freeze(options)) for name, options in rule_options.items()))
        settings = settings.with_cli(rule_options=frozen)
    return without_internal_errors(run(RunOptions(paths=[target], settings=settings, whole_repo_facts=False)))


def without_internal_errors(result: CheckResult) -> CheckResult:
    """``result``, once it is checked that no rule crashed: the engine turns a rule's exception
    into an internal error on stderr and goes on, so a test looking only at findings would
    take a crash for a clean file."""
    crashed = [error for file in result.files for error in file.errors]
    assert not crashed, f"internal errors: {crashed}"
    return result


@pytest.fixture
def lint(tmp_path):
    """``lint(source, select=("MLD101",))`` -> list of findings."""

    def _lint(source: str, select=None, filename: str = "train.py", rule_options=None):
        return list(lint_source(tmp_path, source, select, filename, rule_options).findings)

    return _lint

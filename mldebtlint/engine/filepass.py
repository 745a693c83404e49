"""The per-file phase: read once, parse once, one batched pass.

``analyze_file`` is a pure function of (file bytes, settings, enabled rules):
the process pool and the cache rely on that. Nothing here prints.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from mldebtlint.core.catalog import load_catalog
from mldebtlint.core.config import Settings
from mldebtlint.core.types import PARSE_ERROR_CODE, FileResult, Finding, Location
from mldebtlint.engine.source import (
    MAX_FILE_BYTES,
    MAX_NOTEBOOK_BYTES,
    FileTask,
    build_finding,
    count_lines,
    decode_source,
    is_notebook,
    make_fingerprint,
    parse_error,
    syntax_error,
)
from mldebtlint.engine.suppressions import parse_suppressions

if TYPE_CHECKING:
    from mldebtlint.engine.notebook import NotebookModule
    from mldebtlint.rule import FactCollector, ManifestRule, RepoRule, Rule


@dataclass(frozen=True)
class RuleSet:
    """The enabled rules of a run, split by kind (picklable: codes only).

    The detector modules (and with them libcst) are imported on first use,
    so a run answered entirely from the cache never imports them.
    """

    codes: frozenset[str]

    def python_rules(self) -> list[type[Rule]]:
        return _split(self.codes)[0]

    def manifest_rules(self) -> list[type[ManifestRule]]:
        return _split(self.codes)[1]

    def repo_rules(self) -> list[type[RepoRule]]:
        return _split(self.codes)[2]

    def collectors(self) -> list[type[FactCollector]]:
        return _split(self.codes)[3]


@functools.lru_cache(maxsize=16)
def _split(codes: frozenset[str]) -> tuple[list, list, list, list]:
    """The rule classes of ``codes`` by kind, computed once per process."""
    from mldebtlint.detectors import registry
    from mldebtlint.rule import ManifestRule, RepoRule, Rule

    chosen = [cls for code, cls in registry().items() if code in codes]
    repo = [cls for cls in chosen if issubclass(cls, RepoRule)]
    collectors: list = []
    for rule in repo:
        if rule.collector is not None and rule.collector not in collectors:
            collectors.append(rule.collector)
    return (
        [cls for cls in chosen if issubclass(cls, Rule)],
        [cls for cls in chosen if issubclass(cls, ManifestRule)],
        repo,
        collectors,
    )


# -- findings -----------------------------------------------------------------


def _analyze_python(
    task: FileTask,
    raw: bytes,
    text: str,
    settings: Settings,
    rules: RuleSet,
    comments: str | None = None,
    syntax_checked: bool = False,
    cells: tuple[tuple[int, int, int, int], ...] = (),
) -> FileResult:
    """Lint Python source; ``comments`` is the text whose suppression comments count (default
    ``text``); ``syntax_checked``: the caller already compiled it (notebook cells, whose line
    table is ``cells``)."""
    suppressions = parse_suppressions(text if comments is None else comments)
    noqa = tuple((line, tuple(sorted(codes))) for line, codes in sorted(suppressions.by_line.items()))
    lines = count_lines(text)
    base: dict[str, Any] = dict(path=task.display, lines=lines, noqa=noqa, skip_file=suppressions.skip_file)
    if suppressions.skip_file and not task.facts_only:
        return FileResult(**base)
    rule_classes = (
        []
        if task.facts_only
        else [cls for cls in rules.python_rules() if not cls.TRIGGERS or any(token in text for token in cls.TRIGGERS)]
    )
    collector_classes = rules.collectors()
    if not rule_classes and not collector_classes:
        if PARSE_ERROR_CODE in rules.codes and not task.facts_only and not syntax_checked:
            # No rule needs the tree: a syntax check with the (much faster)
            # built-in compiler still reports broken files.
            error = syntax_error(text, task.display)
            if error is not None:
                return FileResult(findings=(parse_error(task, settings, *error),), **base)
        return FileResult(**base)
    from mldebtlint.syntax.nesting import nesting_problem

    problem = nesting_problem(raw)  # libcst would overflow the C stack (SIGSEGV)
    if problem is not None:
        return FileResult(findings=(parse_error(task, settings, problem),), **base)
    from mldebtlint.engine.batched import run_pass

    return run_pass(task, raw, settings, rule_classes, collector_classes, base, cells)


MANIFEST_FACTS = "ManifestDependencies"


def _dependency_facts(context: Any) -> list[dict[str, Any]]:
    """Every requirement of a manifest as plain data (the report's dependency health)."""
    try:
        entries = context.parsed.entries
    except Exception:  # a manifest we cannot read has no dependency facts
        return []
    return [
        {
            "key": entry.key,
            "line": entry.span.line,
            "specifier": entry.specifier or entry.url,
            "strength": entry.strength,
            "origin": entry.origin,
        }
        for entry in entries
    ]


def _analyze_manifest(
    task: FileTask, text: str, settings: Settings, rules: RuleSet
) -> tuple[list[Finding], list[dict[str, Any]]]:
    """Run the manifest rules on one parse of the manifest; also return its requirements."""
    folder = os.path.dirname(task.path)
    try:
        siblings = os.listdir(folder)
    except OSError:
        siblings = []
    from mldebtlint.rule import ManifestContext

    context = ManifestContext(task.relative, text, siblings, settings, folder)
    return _run_manifest_rules(task, context, text.splitlines(), settings, rules)


def _run_manifest_rules(
    task: FileTask, context: Any, source_lines: list[str], settings: Settings, rules: RuleSet
) -> tuple[list[Finding], list[dict[str, Any]]]:
    catalog = load_catalog()
    for cls in rules.manifest_rules():
        rule = cls(context, settings.options_for(cls.code))
        try:
            rule.check()
        except Exception as exc:
            message = f"cannot read manifest: {type(exc).__name__}: {exc}"
            return [parse_error(task, settings, message)], _dependency_facts(context)
    findings = []
    occurrences: dict[tuple[str, str], int] = {}
    for report in context.reports:
        line_text = source_lines[report.line - 1] if 0 < report.line <= len(source_lines) else ""
        key = (report.code, line_text.strip())
        occurrence = occurrences.get(key, 0)
        occurrences[key] = occurrence + 1
        location = Location(report.line, report.column, report.end_line, report.end_column)
        fingerprint = make_fingerprint(report.code, task.relative, "", line_text, occurrence)
        findings.append(
            build_finding(
                catalog[report.code],
                settings,
                report.message,
                task.display,
                location,
                fingerprint,
                (report.line,),
                report.data,
                fix=report.fix,
            )
        )
    return findings, _dependency_facts(context)


def analyze_file(task: FileTask, settings: Settings, rules: RuleSet) -> FileResult:
    """Lint one file. Never raises for bad input: it becomes MLD000."""
    return analyze_file_digest(task, settings, rules)[0]


def analyze_file_digest(task: FileTask, settings: Settings, rules: RuleSet) -> tuple[FileResult, str | None]:
    """``analyze_file`` plus the SHA-256 of the bytes it read (None if unreadable), for the cache."""
    try:
        with open(task.path, "rb") as handle:
            raw = handle.read((MAX_NOTEBOOK_BYTES if is_notebook(task.path) else MAX_FILE_BYTES) + 1)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return FileResult(
            path=task.display, findings=(parse_error(task, settings, f"cannot read file: {reason}"),)
        ), None
    from mldebtlint.engine.cache import content_digest

    return analyze_bytes(task, raw, settings, rules), content_digest(raw)


def analyze_bytes(task: FileTask, raw: bytes, settings: Settings, rules: RuleSet) -> FileResult:
    """Lint the content ``raw`` of ``task``'s file."""
    if task.python and is_notebook(task.path):
        return analyze_notebook(task, raw, settings, rules)
    if len(raw) > MAX_FILE_BYTES:
        message = f"file skipped: larger than {MAX_FILE_BYTES // 1_000_000} MB"
        return FileResult(path=task.display, findings=(parse_error(task, settings, message),))
    if b"\x00" in raw:
        return FileResult(
            path=task.display, findings=(parse_error(task, settings, "binary file (contains NUL bytes)"),)
        )
    try:
        text = decode_source(raw)
    except (UnicodeDecodeError, SyntaxError, LookupError) as exc:
        detail = exc.reason if isinstance(exc, UnicodeDecodeError) else str(exc)
        message = f"cannot decode file: {detail}; save it as UTF-8 or declare its encoding (PEP 263)"
        return FileResult(path=task.display, findings=(parse_error(task, settings, message),))
    manifest_findings: list[Finding] = []
    manifest_facts: dict[str, Any] = {}
    if task.manifest and not task.facts_only:
        manifest_findings, dependencies = _analyze_manifest(task, text, settings, rules)
        manifest_facts = {MANIFEST_FACTS: dependencies} if dependencies else {}
    if not task.python:
        return FileResult(
            path=task.display, findings=tuple(manifest_findings), lines=0, is_python=False, facts=manifest_facts or None
        )
    result = _analyze_python(task, raw, text, settings, rules)
    if manifest_findings or manifest_facts:
        facts = {**(result.facts or {}), **manifest_facts} or None
        result = replace(result, findings=result.findings + tuple(manifest_findings), facts=facts)
    return result


# -- notebooks ----------------------------------------------------------------
# The code cells go through the same pass as a ``.py`` file, one MLD000 per cell
# that is not Python, and the install lines through the manifest rules (MLD301).
# Findings leave here in module lines (like ``noqa``), with the line table in
# ``FileResult.cells``; the runner moves them to their cells after suppressions,
# so repo-wide findings about a notebook get the same treatment.

# How many cells libcst may reject after CPython accepted them before we give up.
_MAX_RETRIES = 5


def analyze_notebook(task: FileTask, raw: bytes, settings: Settings, rules: RuleSet) -> FileResult:
    """Lint one ``.ipynb`` file. Never raises for bad input: it becomes MLD000."""
    from mldebtlint.engine.notebook import NotebookError, build_module, read_notebook

    if len(raw) > MAX_NOTEBOOK_BYTES:
        message = f"file skipped: larger than {MAX_NOTEBOOK_BYTES // 1_000_000} MB"
        return FileResult(path=task.display, findings=(parse_error(task, settings, message),))
    try:
        notebook = read_notebook(raw)
    except NotebookError as exc:
        return FileResult(path=task.display, findings=(parse_error(task, settings, f"cannot read notebook: {exc}"),))
    if not notebook.is_python:
        return FileResult(path=task.display, is_python=False)
    broken: dict[int, tuple[str, int, int]] = {}
    for _ in range(_MAX_RETRIES):
        module = build_module(notebook, broken)
        if len(module.text) > MAX_FILE_BYTES:
            message = f"notebook skipped: its code is larger than {MAX_FILE_BYTES // 1_000_000} MB"
            return FileResult(path=task.display, findings=(parse_error(task, settings, message),))
        raw_module = module.text.encode("utf-8", "surrogatepass")
        result = _analyze_python(
            task, raw_module, module.text, settings, rules, module.original_text, True, module.cells
        )
        whole = next((f for f in result.findings if f.code == PARSE_ERROR_CODE), None)
        if whole is None or not 0 < whole.line <= len(module.cells):
            break
        # CPython accepted every cell but libcst rejects one: blank it and go again.
        cell, cell_line = module.cells[whole.line - 1][:2]
        if cell in broken:
            break
        broken[cell] = (whole.message, cell_line, whole.column)
    extra: list[Finding] = []
    if not task.facts_only and not result.skip_file:
        extra.extend(_cell_errors(task, settings, module))
        extra.extend(_install_findings(task, settings, rules, module))
    findings = result.findings + tuple(extra)
    return replace(result, findings=findings, cells=module.cells, lines=module.code_lines)


def _cell_errors(task: FileTask, settings: Settings, module: NotebookModule) -> list[Finding]:
    entry = load_catalog()[PARSE_ERROR_CODE]
    findings: list[Finding] = []
    seen: dict[str, int] = {}
    for error in module.errors:
        snippet = f"{error.message}\0{module.original[error.module_line - 1].strip()}"
        occurrence = seen.get(snippet, 0)
        seen[snippet] = occurrence + 1
        location = Location(error.module_line, error.column, error.module_line, error.column)
        fingerprint = make_fingerprint(PARSE_ERROR_CODE, task.relative, "", snippet, occurrence)
        message = f"cell is not Python ({error.message}); the other cells are still checked"
        findings.append(
            build_finding(entry, settings, message, task.display, location, fingerprint, (error.module_line,))
        )
    return findings


def _install_findings(task: FileTask, settings: Settings, rules: RuleSet, module: NotebookModule) -> list[Finding]:
    """MLD301 (and any manifest rule) over the notebook's install commands."""
    if not module.installs or not rules.manifest_rules():
        return []
    from pathlib import Path

    from mldebtlint.manifests.install_commands import parse_install_commands
    from mldebtlint.rule import ManifestContext

    folder = os.path.dirname(task.path)
    context = ManifestContext(task.relative, "", (), settings, folder)
    context._parsed = parse_install_commands(module.installs, Path(folder) if folder else None)
    findings, _ = _run_manifest_rules(task, context, list(module.original), settings, rules)
    return [replace(finding, fix=None) for finding in findings]

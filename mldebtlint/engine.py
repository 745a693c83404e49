"""The per-file phase: read once, parse once, one batched pass.

``analyze_file`` is a pure function of (file bytes, settings, enabled rules):
the process pool and the cache rely on that. Nothing here prints.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from mldebtlint.catalog import CatalogEntry, load_catalog
from mldebtlint.config import Settings
from mldebtlint.detectors import registry
from mldebtlint.fingerprint import make_fingerprint, node_snippet, normalize_snippet  # noqa: F401 (re-exported)
from mldebtlint.rule import FactCollector, FileContext, ManifestContext, ManifestRule, RepoRule, Report, Rule
from mldebtlint.suppressions import parse_suppressions
from mldebtlint.types import PARSE_ERROR_CODE, FileResult, Finding, Location

MAX_FILE_BYTES = 2_000_000


@dataclass(frozen=True)
class FileTask:
    path: str  # absolute
    display: str
    relative: str
    python: bool
    manifest: bool
    facts_only: bool = False


@dataclass(frozen=True)
class RuleSet:
    """The enabled rules of a run, split by kind (picklable: codes only)."""

    codes: frozenset[str]

    def python_rules(self) -> list[type[Rule]]:
        return [cls for code, cls in registry().items() if code in self.codes and issubclass(cls, Rule)]

    def manifest_rules(self) -> list[type[ManifestRule]]:
        return [cls for code, cls in registry().items() if code in self.codes and issubclass(cls, ManifestRule)]

    def repo_rules(self) -> list[type[RepoRule]]:
        return [cls for code, cls in registry().items() if code in self.codes and issubclass(cls, RepoRule)]

    def collectors(self) -> list[type[FactCollector]]:
        seen: list[type[FactCollector]] = []
        for rule in self.repo_rules():
            if rule.collector is not None and rule.collector not in seen:
                seen.append(rule.collector)
        return seen


# -- the batched visitor ----------------------------------------------------

_SCOPE_NODES = (cst.FunctionDef, cst.ClassDef)
_STATEMENT_NODES = (cst.SimpleStatementLine, cst.BaseCompoundStatement)


class BatchedVisitor(cst.CSTVisitor):
    """Dispatches each node to every interested rule in one traversal.

    A rule that raises is disabled for the rest of the file and the error is
    recorded; the other rules carry on.
    """

    def __init__(self, context: FileContext, visitors: list[Any]) -> None:
        super().__init__()
        self.context = context
        self.errors: list[str] = []
        self.visit_table: dict[str, list[Callable]] = {}
        self.leave_table: dict[str, list[Callable]] = {}
        self.broken: set[int] = set()
        for visitor in visitors:
            for attr in dir(type(visitor)):
                if attr.startswith("visit_") and attr != "visit_batched":
                    self.visit_table.setdefault(attr[6:], []).append(getattr(visitor, attr))
                elif attr.startswith("leave_"):
                    self.leave_table.setdefault(attr[6:], []).append(getattr(visitor, attr))

    def _call(self, method: Callable, node: cst.CSTNode) -> None:
        owner = method.__self__
        if id(owner) in self.broken:
            return
        try:
            method(node)
        except RecursionError:
            raise
        except Exception as exc:  # a buggy rule must not end the run
            self.broken.add(id(owner))
            name = getattr(owner, "code", type(owner).__name__)
            self.errors.append(f"{self.context.path}: internal error in {name}: {type(exc).__name__}: {exc}")

    def on_visit(self, node: cst.CSTNode) -> bool:
        context = self.context
        if isinstance(node, _STATEMENT_NODES):
            context.statement_stack.append(node)
        if isinstance(node, cst.Import):
            context.names.add_import(node)
        elif isinstance(node, cst.ImportFrom):
            context.names.add_import_from(node)
        methods = self.visit_table.get(type(node).__name__)
        if methods:
            for method in methods:
                self._call(method, node)
        if isinstance(node, _SCOPE_NODES):
            context.scope_stack.append(node.name.value)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        context = self.context
        methods = self.leave_table.get(type(original_node).__name__)
        if methods:
            for method in methods:
                self._call(method, original_node)
        if isinstance(original_node, _SCOPE_NODES):
            context.scope_stack.pop()
        if isinstance(original_node, _STATEMENT_NODES):
            context.statement_stack.pop()


# -- findings -----------------------------------------------------------------

_WHITESPACE = re.compile(r"\s+")


def build_finding(
    entry: CatalogEntry,
    settings: Settings,
    message: str,
    display: str,
    location: Location,
    fingerprint: str,
    suppress_lines: Iterable[int] = (),
    data: dict[str, Any] | None = None,
) -> Finding:
    effort, impact, risk = settings.score_for(entry.code)
    priority = round(impact * risk / (effort / 60), 2) if effort > 0 else 0.0
    return Finding(
        code=entry.code,
        rule=entry.name,
        category=entry.category,
        severity=entry.severity,
        message=message,
        path=display,
        location=location,
        debt_minutes=effort,
        priority=priority,
        fingerprint=fingerprint,
        suppress_lines=tuple(sorted(set(suppress_lines))),
        data=tuple(sorted((data or {}).items())),
    )


def parse_error(task: FileTask, settings: Settings, message: str, line: int = 1, column: int = 1) -> Finding:
    entry = load_catalog()[PARSE_ERROR_CODE]
    fingerprint = make_fingerprint(PARSE_ERROR_CODE, task.relative, "", message, 0)
    return build_finding(entry, settings, message, task.display, Location(line, column, line, column), fingerprint)


def _python_findings(
    task: FileTask, settings: Settings, context: FileContext, reports: list[Report]
) -> list[Finding]:
    catalog = load_catalog()
    positions = context.wrapper.resolve(PositionProvider)
    occurrences: dict[tuple[str, str, str], int] = {}
    findings = []
    for report in reports:
        node = report.node
        assert node is not None
        span = positions[node]
        location = Location(span.start.line, span.start.column + 1, span.end.line, span.end.column + 1)
        suppress = {location.line, location.end_line}
        if report.statement is not None:
            statement_span = positions[report.statement]
            suppress.add(statement_span.start.line)
            if isinstance(report.statement, cst.SimpleStatementLine):
                suppress.add(statement_span.end.line)
        snippet = node_snippet(context.module, node)
        key = (report.code, report.scope, normalize_snippet(snippet))
        occurrence = occurrences.get(key, 0)
        occurrences[key] = occurrence + 1
        fingerprint = make_fingerprint(report.code, task.relative, report.scope, snippet, occurrence)
        findings.append(
            build_finding(
                catalog[report.code], settings, report.message, task.display, location,
                fingerprint, suppress, report.data,
            )
        )
    return findings


def _decode(raw: bytes) -> str:
    """Decode like Python does (PEP 263 cookie, BOM), or raise UnicodeDecodeError."""
    import io
    import tokenize

    encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    return raw.decode(encoding)


def _syntax_error(text: str, filename: str) -> tuple[str, int, int] | None:
    import ast

    try:
        compile(text, filename, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        return f"syntax error: {exc.msg}", max(exc.lineno or 1, 1), max(exc.offset or 1, 1)
    except (ValueError, RecursionError, MemoryError) as exc:
        return f"cannot parse: {exc}", 1, 1
    return None


def _count_lines(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.strip())


def _analyze_python(task: FileTask, raw: bytes, text: str, settings: Settings, rules: RuleSet) -> FileResult:
    suppressions = parse_suppressions(text)
    noqa = tuple((line, tuple(sorted(codes))) for line, codes in sorted(suppressions.by_line.items()))
    lines = _count_lines(text)
    base = dict(path=task.display, lines=lines, noqa=noqa, skip_file=suppressions.skip_file)
    if suppressions.skip_file and not task.facts_only:
        return FileResult(**base)
    rule_classes = [] if task.facts_only else [
        cls for cls in rules.python_rules()
        if not cls.TRIGGERS or any(token in text for token in cls.TRIGGERS)
    ]
    collector_classes = rules.collectors()
    if not rule_classes and not collector_classes:
        if PARSE_ERROR_CODE in rules.codes and not task.facts_only:
            # No rule needs the tree: a syntax check with the (much faster)
            # built-in compiler still reports broken files.
            error = _syntax_error(text, task.display)
            if error is not None:
                return FileResult(findings=(parse_error(task, settings, *error),), **base)
        return FileResult(**base)
    try:
        module = cst.parse_module(raw)
    except cst.ParserSyntaxError as exc:
        message = f"syntax error: {exc.message}"
        finding = parse_error(task, settings, message, max(exc.raw_line, 1), max(exc.raw_column, 0) + 1)
        return FileResult(findings=(finding,), **base)
    except RecursionError:
        return FileResult(findings=(parse_error(task, settings, "file is too deeply nested to parse"),), **base)
    except Exception as exc:  # libcst raises a few other errors on odd input
        return FileResult(findings=(parse_error(task, settings, f"cannot parse: {exc}"),), **base)

    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    context = FileContext(task.relative, module, settings, wrapper)
    visitors: list[Any] = []
    for cls in rule_classes:
        if context.is_test and not cls.CHECK_TESTS:
            continue
        visitors.append(cls(context, settings.options_for(cls.code)))
    collectors = [cls(context) for cls in collector_classes]
    visitors.extend(collectors)
    dependencies = {dep for visitor in visitors for dep in getattr(visitor, "METADATA_DEPENDENCIES", ())}
    batched = BatchedVisitor(context, visitors)
    try:
        if dependencies:
            wrapper.resolve_many(dependencies)
        module.visit(batched)
        findings = _python_findings(task, settings, context, context.reports)
    except RecursionError:
        return FileResult(findings=(parse_error(task, settings, "file is too deeply nested to analyse"),), **base)
    facts = {}
    for collector in collectors:
        try:
            facts[type(collector).__name__] = collector.facts()
        except Exception as exc:
            batched.errors.append(f"{task.display}: internal error in {type(collector).__name__}: {exc}")
    return FileResult(
        findings=tuple(findings), facts=facts or None, errors=tuple(batched.errors), **base
    )


def _analyze_manifest(task: FileTask, text: str, settings: Settings, rules: RuleSet) -> list[Finding]:
    catalog = load_catalog()
    try:
        siblings = os.listdir(os.path.dirname(task.path))
    except OSError:
        siblings = []
    context = ManifestContext(task.relative, text, siblings, settings)
    for cls in rules.manifest_rules():
        rule = cls(context, settings.options_for(cls.code))
        try:
            rule.check()
        except Exception as exc:
            message = f"cannot read manifest: {type(exc).__name__}: {exc}"
            return [parse_error(task, settings, message)]
    findings = []
    occurrences: dict[tuple[str, str], int] = {}
    source_lines = text.splitlines()
    for report in context.reports:
        line_text = source_lines[report.line - 1] if 0 < report.line <= len(source_lines) else ""
        key = (report.code, line_text.strip())
        occurrence = occurrences.get(key, 0)
        occurrences[key] = occurrence + 1
        location = Location(report.line, report.column, report.end_line, report.end_column)
        fingerprint = make_fingerprint(report.code, task.relative, "", line_text, occurrence)
        findings.append(
            build_finding(catalog[report.code], settings, report.message, task.display, location,
                          fingerprint, (report.line,), report.data)
        )
    return findings


def analyze_file(task: FileTask, settings: Settings, rules: RuleSet) -> FileResult:
    """Lint one file. Never raises for bad input: it becomes MLD000."""
    try:
        with open(task.path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return FileResult(path=task.display, findings=(parse_error(task, settings, f"cannot read file: {reason}"),))
    if len(raw) > MAX_FILE_BYTES:
        message = f"file skipped: larger than {MAX_FILE_BYTES // 1_000_000} MB"
        return FileResult(path=task.display, findings=(parse_error(task, settings, message),))
    if b"\x00" in raw:
        return FileResult(path=task.display, findings=(parse_error(task, settings, "binary file (contains NUL bytes)"),))
    try:
        text = _decode(raw)
    except (UnicodeDecodeError, SyntaxError, LookupError) as exc:
        detail = exc.reason if isinstance(exc, UnicodeDecodeError) else str(exc)
        message = f"cannot decode file: {detail}; save it as UTF-8 or declare its encoding (PEP 263)"
        return FileResult(path=task.display, findings=(parse_error(task, settings, message),))
    manifest_findings: list[Finding] = []
    if task.manifest and not task.facts_only and rules.manifest_rules():
        manifest_findings = _analyze_manifest(task, text, settings, rules)
    if not task.python:
        return FileResult(path=task.display, findings=tuple(manifest_findings), lines=0, is_python=False)
    result = _analyze_python(task, raw, text, settings, rules)
    if manifest_findings:
        from dataclasses import replace

        result = replace(result, findings=result.findings + tuple(manifest_findings))
    return result


def task_for(path: Path, display: str, relative: str, python: bool, manifest: bool, facts_only: bool = False) -> FileTask:
    return FileTask(str(path), display, relative, python, manifest, facts_only)

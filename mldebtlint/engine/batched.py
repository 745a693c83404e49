"""The libcst half of the per-file phase: one parse, one batched pass.

Kept apart from ``engine`` so that a run whose files all come from the cache
never imports libcst (``engine`` imports this module only on a cache miss).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from mldebtlint.core.catalog import load_catalog
from mldebtlint.core.config import Settings
from mldebtlint.core.types import FileResult, Finding, Fix, Location, Related
from mldebtlint.engine.fingerprint import make_fingerprint, node_snippet, normalize_snippet
from mldebtlint.engine.source import FileTask, build_finding, parse_error
from mldebtlint.rule import FactCollector, FileContext, Report, Rule
from mldebtlint.syntax.positions import LazyPositions
from mldebtlint.syntax.walk import walk

# -- the batched visitor ---------------------------------------------------

_SCOPE_NODES = (cst.FunctionDef, cst.ClassDef)
_STATEMENT_NODES = (cst.SimpleStatementLine, cst.BaseCompoundStatement)
_STATEMENT, _SCOPE, _IMPORT, _IMPORT_FROM = 1, 2, 4, 8
_LAZY_PROVIDERS = frozenset({PositionProvider})


class BatchedVisitor(cst.CSTVisitor):
    """Dispatches each node to every interested rule in one traversal.

    A rule that raises is disabled for the rest of the file and the error is
    recorded; the other rules carry on. ``run(module)`` uses the read-only
    walker of ``mldebtlint.syntax.walk`` (same order as ``module.visit(self)``, which
    also works).
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
        # Per node type: (visit methods, leave methods, flags) - see _plan.
        self._plans: dict[type, tuple[list[Callable], list[Callable], int]] = {}

    def run(self, module: cst.Module) -> None:
        walk(module, self.on_visit, self.on_leave, set(self.visit_table) | set(self.leave_table))

    def _plan(self, node_type: type) -> tuple[list[Callable], list[Callable], int]:
        name = node_type.__name__
        flags = (
            (_STATEMENT if issubclass(node_type, _STATEMENT_NODES) else 0)
            | (_SCOPE if issubclass(node_type, _SCOPE_NODES) else 0)
            | (_IMPORT if node_type is cst.Import else 0)
            | (_IMPORT_FROM if node_type is cst.ImportFrom else 0)
        )
        plan = self._plans[node_type] = (self.visit_table.get(name, []), self.leave_table.get(name, []), flags)
        return plan

    def _call(self, method: Callable, node: cst.CSTNode) -> None:
        owner = getattr(method, "__self__", None)
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
        visits, _, flags = self._plans.get(type(node)) or self._plan(type(node))
        if flags:
            context = self.context
            if flags & _STATEMENT:
                context.statement_stack.append(node)
            if flags & _IMPORT and isinstance(node, cst.Import):
                context.names.add_import(node)
            elif flags & _IMPORT_FROM and isinstance(node, cst.ImportFrom):
                context.names.add_import_from(node)
        for method in visits:
            self._call(method, node)
        if flags & _SCOPE and isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            self.context.scope_stack.append(node.name.value)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        _, leaves, flags = self._plans.get(type(original_node)) or self._plan(type(original_node))
        for method in leaves:
            self._call(method, original_node)
        if flags & _SCOPE:
            self.context.scope_stack.pop()
        if flags & _STATEMENT:
            self.context.statement_stack.pop()


def _locations(reports: list[Report], positions: Any) -> list[Location]:
    locations = []
    for report in reports:
        assert report.node is not None
        span = positions[report.node]
        locations.append(Location(span.start.line, span.start.column + 1, span.end.line, span.end.column + 1))
    return locations


def _fixes(context: FileContext, reports: list[Report], locations: list[Location]) -> list[Any]:
    """Each report's ``core.types.Fix``: deferred fixes are built in finding order
    (line, column, code), the order in which they share the file's resources."""
    fixes: list[Any] = [report.fix for report in reports]
    order = sorted(range(len(reports)), key=lambda i: (locations[i].line, locations[i].column, reports[i].code))
    for index in order:
        fix = fixes[index]
        if fix is not None and not isinstance(fix, Fix):
            fixes[index] = fix.build(context, reports[index])
    return fixes


def _python_findings(task: FileTask, settings: Settings, context: FileContext, reports: list[Report]) -> list[Finding]:
    catalog = load_catalog()
    positions = context.wrapper.resolve(PositionProvider)
    occurrences: dict[tuple[str, str, str], int] = {}
    findings = []
    locations = _locations(reports, positions)
    fixes = _fixes(context, reports, locations)
    for report, location, fix in zip(reports, locations, fixes):
        node = report.node
        assert node is not None
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
                catalog[report.code],
                settings,
                report.message,
                task.display,
                location,
                fingerprint,
                suppress,
                report.data,
                _related(report, task.display, positions),
                fix=fix,
            )
        )
    return findings


def _related(report: Report, display: str, positions: Any) -> list[Related]:
    """A report's related sites: (node, note) pairs become lines of this file."""
    sites = []
    for item in report.related:
        if isinstance(item, Related):
            sites.append(item)
        else:
            node, note = item
            sites.append(Related(display, positions[node].start.line, note))
    return sites


def _python_syntax_error(raw: bytes, filename: str) -> tuple[str, int, int] | None:
    from mldebtlint.engine.source import decode_source, syntax_error

    try:
        return syntax_error(decode_source(raw), filename)
    except (UnicodeDecodeError, SyntaxError, LookupError):
        return None


def run_pass(
    task: FileTask,
    raw: bytes,
    settings: Settings,
    rule_classes: list[type[Rule]],
    collector_classes: list[type[FactCollector]],
    base: dict[str, Any],
    cells: tuple[tuple[int, int, int, int], ...] = (),
) -> FileResult:
    """Parse ``raw`` once and run every rule and fact collector in one traversal."""
    try:
        module = cst.parse_module(raw)
    except cst.ParserSyntaxError as exc:
        # CPython's own message and position read better than libcst's
        # ("'(' was never closed" rather than a list of expected tokens).
        python_error = _python_syntax_error(raw, task.display)
        if python_error is not None:
            finding = parse_error(task, settings, *python_error)
        else:
            message = f"syntax error: {exc.message}"
            finding = parse_error(task, settings, message, max(exc.raw_line, 1), max(exc.raw_column, 0) + 1)
        return FileResult(findings=(finding,), **base)
    except RecursionError:
        return FileResult(findings=(parse_error(task, settings, "file is too deeply nested to parse"),), **base)
    except Exception as exc:  # libcst raises a few other errors on odd input
        return FileResult(findings=(parse_error(task, settings, f"cannot parse: {exc}"),), **base)

    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    # Positions come from a cheaper equivalent of PositionProvider, on first use.
    wrapper._metadata[PositionProvider] = LazyPositions(module)
    context = FileContext(task.relative, module, settings, wrapper)
    context.cells = cells
    visitors: list[Any] = []
    for cls in rule_classes:
        if context.is_test and not cls.CHECK_TESTS:
            continue
        visitors.append(cls(context, settings.options_for(cls.code)))
    collectors = [cls(context) for cls in collector_classes]
    visitors.extend(collectors)
    # Declared metadata is resolved lazily, on the first get_metadata() call:
    # most files never ask (e.g. positions are needed only where a fact or a
    # finding is recorded), and PositionProvider costs about one more parse.
    dependencies = {
        dep
        for visitor in visitors
        for dep in getattr(visitor, "METADATA_DEPENDENCIES", ())
        if dep not in _LAZY_PROVIDERS
    }
    batched = BatchedVisitor(context, visitors)
    try:
        if dependencies:
            wrapper.resolve_many(dependencies)
        batched.run(module)
        # Positions are resolved only for files with findings (most have none).
        findings = _python_findings(task, settings, context, context.reports) if context.reports else []
    except RecursionError:
        return FileResult(findings=(parse_error(task, settings, "file is too deeply nested to analyse"),), **base)
    facts = {}
    for collector in collectors:
        try:
            facts[type(collector).__name__] = collector.facts()
        except Exception as exc:
            batched.errors.append(f"{task.display}: internal error in {type(collector).__name__}: {exc}")
    return FileResult(findings=tuple(findings), facts=facts or None, errors=tuple(batched.errors), **base)

"""What a rule is.

Three kinds, all keyed by their catalog code:

* ``Rule``: a libcst visitor over one Python file. Define ``visit_<Node>`` /
  ``leave_<Node>`` methods and call ``self.report(node, message)``. The engine
  batches every enabled rule into one traversal per file.
* ``ManifestRule``: reads one dependency manifest (requirements, pyproject, ...)
  and calls ``self.report_at(line, column, message)``.
* ``RepoRule``: runs once per run over the per-file facts of the whole repo
  (the model graph) and returns findings.

A new rule is a module in ``mldebtlint/detectors/`` plus a catalog file in
``rules/``; the engine needs no change.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import libcst as cst

from mldebtlint.core.types import Fix
from mldebtlint.syntax.names import ImportResolver

if TYPE_CHECKING:
    from mldebtlint.core.config import Settings

TEST_FILE_PATTERNS = ("test_*.py", "*_test.py", "conftest.py")


def is_test_path(path: str) -> bool:
    """Test code: test_*.py / *_test.py / conftest.py or under a tests/ folder."""
    pure = PurePosixPath(path)
    if any(fnmatch.fnmatch(pure.name, pattern) for pattern in TEST_FILE_PATTERNS):
        return True
    return any(part in ("tests", "test", "testing") for part in pure.parts[:-1])


@dataclass
class Report:
    """A raw report from a rule, before the engine turns it into a Finding."""

    code: str
    message: str
    node: cst.CSTNode | None = None
    # For manifest rules (no CST node): explicit 1-based position.
    line: int = 0
    column: int = 0
    end_line: int = 0
    end_column: int = 0
    data: dict[str, Any] = field(default_factory=dict)
    # Enclosing class/function names ("Model.forward"), for fingerprints.
    scope: str = ""
    # The innermost enclosing statement, for multi-line suppressions.
    statement: cst.CSTNode | None = None
    # Other sites the finding rests on: ``(node, note)`` pairs in the same file
    # (the engine turns them into positions) or ready ``core.types.Related``.
    related: tuple[Any, ...] = ()
    # The fix of this finding (``core.types.Fix``, positions already known), a
    # ``DeferredFix`` the engine completes after the file's traversal, or None.
    fix: Fix | DeferredFix | None = None


class DeferredFix(Protocol):
    """A fix a rule attaches when it reports, completed once the file's traversal is over.

    The rule names what changes (the nodes); ``build`` turns that into a
    ``core.types.Fix`` with positions. The engine calls ``build`` for the
    reports of a file in finding order (line, column, code), so that fixes
    which share a file-wide resource (the names of hoisted constants) are
    planned in the same order every run. (``mldebtlint.syntax.hoist`` has the
    hoist fixes of MLD101/MLD102.)
    """

    def build(self, context: Any, report: Any) -> Fix | None: ...


class FileContext:
    """What a Python rule may know about the file it is visiting."""

    def __init__(
        self,
        path: str,
        module: cst.Module,
        settings: Settings,
        wrapper: cst.metadata.MetadataWrapper,
    ) -> None:
        self.path = path
        self.module = module
        self.settings = settings
        self.wrapper = wrapper
        self.names = ImportResolver()
        self.names.scan_module(module)
        self.is_test = is_test_path(path)
        self._constants: dict[str, cst.BaseExpression] | None = None
        self.reports: list[Report] = []
        # Maintained by the engine's traversal.
        self.scope_stack: list[str] = []
        self.statement_stack: list[cst.CSTNode] = []
        # Notebooks: per module line, (cell, line in the cell, line of the file, dedent);
        # fixes are planned per cell (a cell is fixed as a module of its own).
        self.cells: tuple[tuple[int, int, int, int], ...] = ()
        # Per-file state shared by the deferred fixes of one traversal (by name).
        self.fix_state: dict[str, Any] = {}

    @property
    def module_constants(self) -> dict[str, cst.BaseExpression]:
        if self._constants is None:
            from mldebtlint.syntax.names import module_constants

            self._constants = module_constants(self.module)
        return self._constants

    def get_metadata(self, provider: type, node: cst.CSTNode, default: Any = None) -> Any:
        """Metadata of a provider the rule declared in METADATA_DEPENDENCIES."""
        return self.wrapper.resolve(provider).get(node, default)


class Rule:
    """Base class of per-file Python rules (libcst visitors)."""

    code: ClassVar[str] = ""
    # libcst metadata providers this rule needs; resolved only if it is enabled.
    METADATA_DEPENDENCIES: ClassVar[tuple[type, ...]] = ()
    # If set, the rule runs only on files whose text contains one of these
    # substrings (a cheap pre-filter that skips files the rule cannot match).
    TRIGGERS: ClassVar[tuple[str, ...]] = ()
    # Whether the rule also runs on test files.
    CHECK_TESTS: ClassVar[bool] = True

    def __init__(self, context: FileContext, options: Mapping[str, Any]) -> None:
        self.context = context
        self.options = options

    @property
    def names(self) -> ImportResolver:
        return self.context.names

    def report(
        self,
        node: cst.CSTNode,
        message: str,
        *,
        related: Any = (),  # tuple of (cst.CSTNode, note)
        statement: Any = None,  # cst.CSTNode | None
        fix: Fix | DeferredFix | None = None,
        **data: Any,
    ) -> None:
        """Report ``node``; ``related`` lists other sites in this file as (node, note).

        ``statement`` overrides the enclosing statement (for rules that report
        after the traversal, e.g. from ``leave_Module``).
        """
        context = self.context
        context.reports.append(
            Report(
                self.code,
                message,
                node=node,
                data=data,
                scope=".".join(context.scope_stack),
                statement=statement or (context.statement_stack[-1] if context.statement_stack else None),
                related=tuple(related),
                fix=fix,
            )
        )


class ManifestContext:
    """One dependency manifest handed to manifest rules."""

    def __init__(self, path: str, text: str, sibling_names: Iterable[str], settings: Settings, folder: str = ""):
        self.path = path
        self.text = text
        self.name = PurePosixPath(path).name
        # File names in the manifest's folder (lock files satisfy pins).
        self.sibling_names = frozenset(sibling_names)
        self.settings = settings
        # The manifest's folder on disk (``-r``/``-c`` includes are read from it).
        self.folder = folder
        self.reports: list[Report] = []
        self._parsed: Any = None

    @property
    def parsed(self) -> Any:
        """The manifest parsed once (``mldebtlint.manifests.requirements.ParsedManifest``)."""
        if self._parsed is None:
            from pathlib import Path

            from mldebtlint.manifests.reading import parse_manifest

            self._parsed = parse_manifest(self.name, self.text, Path(self.folder) if self.folder else None)
        return self._parsed


class ManifestRule:
    """Base class of rules over dependency manifests."""

    code: ClassVar[str] = ""

    def __init__(self, context: ManifestContext, options: Mapping[str, Any]) -> None:
        self.context = context
        self.options = options

    def report_at(
        self, line: int, column: int, message: str, end_column: int = 0, *, fix: Fix | None = None, **data: Any
    ) -> None:
        """Report a position of the manifest; ``fix`` is a ``core.types.Fix`` (manifest positions)."""
        self.context.reports.append(
            Report(
                self.code,
                message,
                line=line,
                column=column,
                end_line=line,
                end_column=end_column or column,
                data=data,
                fix=fix,
            )
        )

    def check(self) -> None:
        raise NotImplementedError


class FactCollector:
    """A visitor that gathers serialisable per-file facts for repo rules.

    It takes part in the same batched traversal as the rules. ``facts()``
    must return something picklable and JSON-friendly.
    """

    METADATA_DEPENDENCIES: ClassVar[tuple[type, ...]] = ()

    def __init__(self, context: FileContext) -> None:
        self.context = context

    def facts(self) -> Any:
        raise NotImplementedError


class RepoRule:
    """Base class of rules over the whole repo's facts (run once per run)."""

    code: ClassVar[str] = ""
    # The FactCollector subclass whose facts this rule reads.
    collector: ClassVar[type[FactCollector] | None] = None

    def __init__(self, options: Mapping[str, Any]) -> None:
        self.options = options

    def check(self, facts_by_path: Mapping[str, Any]) -> Iterable[tuple[str, Report]]:
        """Yield ``(path, Report)`` pairs (reports carry explicit positions)."""
        raise NotImplementedError

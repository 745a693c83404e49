"""The value types that flow through mldebtlint.

All of them are frozen dataclasses: picklable (the process pool sends them
between processes), comparable (tests, cache equality) and hashable.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

PARSE_ERROR_CODE = "MLD000"
PARSE_ERROR_NAME = "parse-error"


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based span in a file (columns are 1-based too, like ruff)."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True, order=True)
class Related:
    """Another place a finding rests on (SPEC section 4: ``related``).

    ``cell`` is the 1-based notebook cell when ``path`` is a notebook (then
    ``line`` is relative to that cell), else None.
    """

    path: str
    line: int
    note: str
    cell: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "line": self.line}
        if self.cell is not None:
            out["cell"] = self.cell
        out["note"] = self.note
        return out


@dataclass(frozen=True, order=True)
class Edit:
    """Replace the text from (``line``, ``column``) up to (``end_line``, ``end_column``)
    with ``content``; an insertion has start == end, a deletion an empty ``content``.

    Lines and columns are 1-based and count characters (code points) of the
    file's decoded text, like ``Location`` and ruff's JSON ``location``; the end
    is exclusive. A notebook finding's edits are relative to its cell (the
    cell's line, the column in the line as the cell writes it).
    """

    line: int
    column: int
    end_line: int
    end_column: int
    content: str

    def to_dict(self) -> dict[str, Any]:
        """ruff's JSON shape of an edit."""
        return {
            "content": self.content,
            "location": {"row": self.line, "column": self.column},
            "end_location": {"row": self.end_line, "column": self.end_column},
        }


SAFE = "safe"
UNSAFE = "unsafe"


@dataclass(frozen=True)
class Fix:
    """How to resolve a finding, computed when the rule reports it (ruff's ``Fix``).

    ``applicability``: "safe" (``--fix``) or "unsafe" (also needs
    ``--unsafe-fixes``). ``title``: one line, e.g. "Pin torch==2.3.1".
    ``edits``: non-overlapping, in file order. A fix without edits is offered
    for this kind of finding but could not be computed here; ``reason`` says
    why (``--fix`` prints it). ``inputs`` are the facts outside the file the
    edits were computed from (MLD301: the package and the version it pins),
    which ``--fix`` checks again so that a cached fix never applies a stale value.
    """

    applicability: str
    title: str
    edits: tuple[Edit, ...] = ()
    reason: str = ""
    inputs: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """ruff's JSON shape: applicability, message, edits."""
        return {
            "applicability": self.applicability,
            "message": self.title,
            "edits": [edit.to_dict() for edit in self.edits],
        }


def fix_from_dict(data: dict[str, Any] | None) -> Fix | None:
    """Inverse of ``Fix.to_dict`` (None for no fix)."""
    if not data:
        return None
    edits = tuple(
        Edit(
            item["location"]["row"],
            item["location"]["column"],
            item["end_location"]["row"],
            item["end_location"]["column"],
            item.get("content") or "",
        )
        for item in data.get("edits") or ()
    )
    return Fix(data.get("applicability", SAFE), data.get("message", ""), edits)


@dataclass(frozen=True)
class Finding:
    """One diagnostic: a rule matched at a location."""

    code: str
    rule: str
    category: str
    severity: str
    message: str
    path: str
    location: Location
    debt_minutes: int = 0
    priority: float = 0.0
    fingerprint: str = ""
    # Lines on which a suppression comment silences this finding (the finding's
    # own lines plus the first/last line of its enclosing statement).
    suppress_lines: tuple[int, ...] = ()
    # Extra machine-readable data a rule wants to expose (e.g. the chain of a
    # model-dependency finding). Must be JSON-serialisable.
    data: tuple[tuple[str, Any], ...] = ()
    # Every other site the finding depends on (model-graph chains, leakage).
    related: tuple[Related, ...] = ()
    # Notebook findings: the 1-based cell; ``location`` is then cell-relative.
    cell: int | None = None
    # The fix the rule attached when it reported (None: no fix).
    fix: Fix | None = None
    # Notebook findings: the first and last line of the ``.ipynb`` file's own
    # text that hold the finding (formats without cells point there).
    file_lines: tuple[int, int] | None = None

    @property
    def line(self) -> int:
        return self.location.line

    @property
    def column(self) -> int:
        return self.location.column

    @property
    def applicability(self) -> str:
        """ "safe", "unsafe", or "" when the finding has no fix."""
        return self.fix.applicability if self.fix is not None else ""

    def sort_key(self) -> tuple:
        return (self.path, self.cell or 0, self.location.line, self.location.column, self.code)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape documented in SPEC section 4."""
        out = {
            "code": self.code,
            "rule": self.rule,
            "category": self.category,
            "severity": self.severity,
            "message": self.message,
            "path": self.path,
            **({"cell": self.cell} if self.cell is not None else {}),
            "line": self.location.line,
            "column": self.location.column,
            "end_line": self.location.end_line,
            "end_column": self.location.end_column,
            "debt_minutes": self.debt_minutes,
            "priority": self.priority,
            "fingerprint": self.fingerprint,
        }
        if self.data:
            out["data"] = dict(self.data)
        if self.related:
            out["related"] = [item.to_dict() for item in self.related]
        if self.fix is not None and self.fix.edits:
            out["fix"] = self.fix.to_dict()
        return out


@dataclass(frozen=True)
class FileResult:
    """Everything the per-file phase learns about one file.

    A pure function of (file bytes, settings): this is what the cache stores
    and what the process pool returns.
    """

    path: str
    findings: tuple[Finding, ...] = ()
    # Serialisable facts for the repo-wide phase (model graph), or None.
    facts: Any = None
    lines: int = 0
    is_python: bool = True
    # Suppression comments: ((line, (codes...)), ...); "*" means all.
    noqa: tuple[tuple[int, tuple[str, ...]], ...] = ()
    skip_file: bool = False
    # Internal errors (a rule crashed on this file): reported on stderr.
    errors: tuple[str, ...] = ()
    # Notebooks: per line of the module the code cells form, (cell, line in
    # the cell, line of the .ipynb text, columns the line was dedented by);
    # findings and ``noqa`` use module lines until the runner moves the
    # findings to their cells.
    cells: tuple[tuple[int, int, int, int], ...] = ()


@dataclass(frozen=True)
class CheckResult:
    """The result of linting a set of paths."""

    findings: tuple[Finding, ...]
    files: tuple[FileResult, ...] = field(default_factory=tuple)
    # Findings dropped by suppressions / baseline, counted for summaries.
    suppressed: int = 0
    baselined: int = 0
    baseline_fixed: int = 0

    @property
    def total_lines(self) -> int:
        return sum(result.lines for result in self.files)

    @property
    def total_debt_minutes(self) -> int:
        return sum(finding.debt_minutes for finding in self.findings)


def finding_from_dict(data: dict[str, Any]) -> Finding:
    """Inverse of Finding.to_dict (used by reports and baselines)."""
    return Finding(
        code=data["code"],
        rule=data["rule"],
        category=data["category"],
        severity=data["severity"],
        message=data["message"],
        path=data["path"],
        location=Location(data["line"], data["column"], data["end_line"], data["end_column"]),
        debt_minutes=data.get("debt_minutes", 0),
        priority=data.get("priority", 0.0),
        fingerprint=data.get("fingerprint", ""),
        data=tuple(sorted((data.get("data") or {}).items())),
        related=tuple(
            Related(item["path"], item["line"], item.get("note", ""), item.get("cell"))
            for item in data.get("related") or ()
        ),
        cell=data.get("cell"),
        fix=fix_from_dict(data.get("fix")),
    )


__all__ = [
    "CheckResult",
    "Edit",
    "FileResult",
    "Finding",
    "Fix",
    "SAFE",
    "UNSAFE",
    "Location",
    "PARSE_ERROR_CODE",
    "PARSE_ERROR_NAME",
    "Related",
    "asdict",
    "finding_from_dict",
    "fix_from_dict",
]

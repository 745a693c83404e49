"""Autofixes for ``check --fix`` / ``--diff`` and the editor's code actions.

A rule attaches its fix to the finding when it reports it (``core.types.Fix``:
applicability, a title and text edits; ruff's model), so nothing here parses a
file to find what to change. The framework groups findings by file, applies
the edits of their fixes (``fixes.edits``: whole fixes, in finding order; an
overlapping fix waits for the next pass), refuses any result that does not
parse back (a file is never left broken; ``fixes.verify``), and then writes
the file atomically or renders a unified diff. A notebook is fixed cell by
cell: its findings' edits are relative to their cells.

Safe fixes run with ``--fix``; unsafe ones (they change how code reads, e.g.
hoisting a literal into a named constant) also need ``--unsafe-fixes``.

May import core ... engine and adoption; never output, report or commands.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from mldebtlint.core.config import Settings
from mldebtlint.core.types import SAFE, UNSAFE, Finding, Fix
from mldebtlint.fixes.edits import Applied
from mldebtlint.fixes.edits import apply_fixes as apply_fixes_to_text

# The codes whose rules attach fixes, and how safe those fixes are.
FIXABLE: dict[str, str] = {"MLD001": SAFE, "MLD301": SAFE, "MLD101": UNSAFE, "MLD102": UNSAFE}
# Why a finding of those codes has no fix (the rule offers none at that place).
NO_FIX = {
    "MLD101": "no literal to hoist found",
    "MLD102": "no literal to hoist found",
    "MLD301": "this requirement is not rewritten here (included from another file, a URL, an install command)",
}
# Fixes verified together, in this order, when the fixes of a file do not parse back as a whole.
_FAMILIES = (("MLD101", "MLD102"), ("MLD301",), ("MLD001",))
_NAME = re.compile(r"\b[A-Za-z_]\w*\b")


@dataclass(frozen=True)
class FixResult:
    text: str
    fixed: int = 0
    # Why some findings were left alone (one line each).
    skipped: tuple[str, ...] = ()
    # Fixes left for another pass because their edits overlap an applied one.
    deferred: int = 0


@dataclass
class FixOutcome:
    fixed: int = 0
    files: list[str] = field(default_factory=list)
    diff: str = ""
    skipped: list[str] = field(default_factory=list)
    deferred: int = 0


def fixable_codes(unsafe: bool) -> set[str]:
    return {code for code, applicability in FIXABLE.items() if applicability == SAFE or unsafe}


def _chosen(path: Path, findings: list[Finding], settings: Settings, unsafe: bool, skipped: list[str]) -> list[Finding]:
    """The findings whose fixes apply (fixable code, allowed, with edits, not stale)."""
    from mldebtlint.fixes.pin_framework import stale

    codes = fixable_codes(unsafe)
    locks: dict = {}
    chosen = []
    for finding in findings:
        fix = finding.fix
        if finding.code not in codes or (fix is not None and fix.applicability == UNSAFE and not unsafe):
            continue
        where = f"{finding.path}:{finding.line}: {finding.code} not fixed"
        if fix is None:
            skipped.append(f"{where}: {NO_FIX.get(finding.code, 'no fix is offered for this finding')}")
        elif not fix.edits:
            if fix.reason:
                skipped.append(f"{where}: {fix.reason}")
        elif reason := stale(path, fix, settings, locks):
            skipped.append(f"{where}: {reason}")
        else:
            chosen.append(finding)
    return chosen


def _refusal(path: Path, old: str, new: str, applied: list[Finding]) -> str:
    """Why the result of ``applied`` is refused ("" if it parses back)."""
    from mldebtlint.fixes.pin_framework import parses_back, pinned
    from mldebtlint.fixes.verify import parses

    pins = {}
    for finding in applied:
        assert finding.fix is not None
        found = pinned(finding.fix)
        if found is not None:
            pins[finding.fix.edits[0].line] = found[0]
    if pins and not parses_back(path, old, new, pins):
        return f"{path}: MLD301 fix skipped: the result did not parse back as pinned"
    if not parses(path, old, new):
        return f"{path}: fix for {applied[0].code} skipped: the result would not parse"
    return ""


def _attempt(path: Path, text: str, group: list[Finding]) -> tuple[Applied, list[Finding], str]:
    result = apply_fixes_to_text(text, [finding.fix for finding in group])  # type: ignore[misc]
    applied = [group[i] for i in result.applied]
    return result, applied, _refusal(path, text, result.text, applied) if applied else ""


def fix_text(path: Path, text: str, findings: list[Finding], settings: Settings, unsafe: bool) -> FixResult:
    """Apply the fixes of ``findings`` to one file's text, keeping only a result that parses."""
    skipped: list[str] = []
    chosen = _chosen(path, findings, settings, unsafe, skipped)
    if not chosen:
        return FixResult(text, 0, tuple(skipped))
    group = chosen
    result, applied, refusal = _attempt(path, text, group)
    if refusal:  # keep the kinds of fixes that parse back on their own
        group = []
        for family in _FAMILIES:
            members = [finding for finding in chosen if finding.code in family]
            why = _attempt(path, text, members)[2] if members else ""
            if why:
                skipped.append(why)
            else:
                group += members
        result, applied, refusal = _attempt(path, text, group)
        if refusal:
            return FixResult(text, 0, (*skipped, refusal))
    for index in result.invalid:
        finding = group[index]
        skipped.append(f"{finding.path}:{finding.line}: {finding.code} not fixed: its edits lie outside the file")
    return FixResult(result.text, len(applied), tuple(skipped), len(result.overlapping))


def apply_fixes(findings: Iterable[Finding], settings: Settings, unsafe: bool, write: bool) -> FixOutcome:
    """Fix ``findings`` in place (``write``) or collect a unified diff."""
    from mldebtlint.adoption.baseline import atomic_write_text
    from mldebtlint.fixes.verify import read_source

    outcome = FixOutcome()
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.code in fixable_codes(unsafe):
            by_path[finding.path].append(finding)
    diffs = []
    for display, file_findings in sorted(by_path.items()):
        path = Path(display)
        if path.suffix == ".ipynb":
            diffs.append(_fix_notebook(path, display, file_findings, settings, unsafe, write, outcome))
            continue
        source = read_source(path)
        if source is None:
            outcome.skipped.append(f"{display}: cannot read the file; not fixed")
            continue
        text, encoding = source
        result = fix_text(path, text, file_findings, settings, unsafe)
        outcome.skipped.extend(result.skipped)
        outcome.deferred += result.deferred
        if result.text == text:
            continue
        outcome.fixed += result.fixed
        outcome.files.append(display)
        if write:
            atomic_write_text(path, result.text, encoding=encoding)
        else:
            diffs.append(
                "".join(
                    difflib.unified_diff(
                        text.splitlines(keepends=True),
                        result.text.splitlines(keepends=True),
                        fromfile=f"a/{display}",
                        tofile=f"b/{display}",
                    )
                )
            )
    outcome.diff = "".join(diffs)
    return outcome


def _fix_notebook(
    path: Path,
    display: str,
    findings: list[Finding],
    settings: Settings,
    unsafe: bool,
    write: bool,
    outcome: FixOutcome,
) -> str:
    """Fix a notebook cell by cell (each cell parses alone, so a hoisted constant lands at the
    top of the cell that uses it); write the changed cell sources back, or diff them."""
    from mldebtlint.adoption.baseline import atomic_write_bytes
    from mldebtlint.engine.notebook import NotebookError, build_module, read_notebook
    from mldebtlint.engine.notebook_edit import cell_diff, cell_module, cell_sources, module_findings, write_sources

    try:
        notebook = read_notebook(path.read_bytes())
    except (OSError, NotebookError) as exc:
        outcome.skipped.append(f"{display}: cannot read the notebook ({exc}); not fixed")
        return ""
    module = build_module(notebook)
    by_cell: dict[int, list[Finding]] = defaultdict(list)
    for finding, located in zip(findings, module_findings(findings, module)):
        where = f"{display}:cell {finding.cell}:{finding.line}: {finding.code}"
        if located.cell is not None:
            outcome.skipped.append(f"{where} not fixed: no such line in the notebook")
        elif located.location.line in module.masked:
            outcome.skipped.append(f"{where} not fixed: an IPython line; edit it by hand")
        else:
            by_cell[finding.cell or 0].append(replace(finding, cell=None, file_lines=None))
    names_before = set(_NAME.findall(module.text))
    sources: dict[int, list[str]] = {}
    fixed = 0
    for cell, cell_findings in sorted(by_cell.items()):
        part = cell_module(module, cell)
        undented = [_undented(finding, part.cells) for finding in cell_findings]
        result = fix_text(path, part.text, undented, settings, unsafe)
        outcome.skipped.extend(result.skipped)
        outcome.deferred += result.deferred
        if result.text == part.text:
            continue
        clashes = (set(_NAME.findall(result.text)) - set(_NAME.findall(part.text))) & names_before
        changed = cell_sources(notebook, part, part.text, result.text, edit_masked=False)
        if clashes or not changed:
            why = (
                f"{', '.join(sorted(clashes))} already used in another cell"
                if clashes
                else "it would change IPython lines"
            )
            outcome.skipped.append(f"{display}:cell {cell}: fixes not applied: {why}")
            continue
        sources.update(changed)
        fixed += result.fixed
    edit = write_sources(notebook, sources) if sources else None
    if edit is None:
        if sources:
            outcome.skipped.append(f"{display}: fixes not applied: the notebook could not be rewritten safely")
        return ""
    outcome.fixed += fixed
    outcome.files.append(display)
    if write:
        atomic_write_bytes(path, edit.data)
        return ""
    return cell_diff(display, edit)


def _undented(finding: Finding, cells: tuple[tuple[int, int, int, int], ...]) -> Finding:
    """A cell finding as its cell's text is fixed: its edits count columns in the cell's lines as
    written, which are the lines the rules saw unless the cell was dedented; a fix touching a
    dedented line is not applied (writing it back would change the cell's indentation)."""
    fix = finding.fix
    if fix is None or not fix.edits:
        return finding
    for edit in fix.edits:
        if any(cells[line - 1][3] for line in (edit.line, edit.end_line) if 0 < line <= len(cells)):
            return replace(finding, fix=Fix(fix.applicability, fix.title, reason="a dedented line; edit it by hand"))
    return finding

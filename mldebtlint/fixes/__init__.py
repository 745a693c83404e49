"""Autofixes for ``check --fix`` / ``--diff``.

One module per fix. A fixer is a function
``fix(path, text, findings, settings) -> FixResult`` that returns the new text
of one file and how many of ``findings`` it resolved. The framework groups
findings by file, runs the fixers for their codes in turn, refuses any result
that does not parse back (a file is never left broken), and then writes the
file atomically or renders a unified diff.

Safe fixes run with ``--fix``; unsafe ones (they change how code reads, e.g.
hoisting a literal into a named constant) also need ``--unsafe-fixes``.

May import core ... engine and adoption; never output, report or commands.
"""

from __future__ import annotations

import difflib
import importlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from mldebtlint.core.config import Settings
from mldebtlint.core.types import Finding


@dataclass(frozen=True)
class FixResult:
    text: str
    fixed: int = 0
    # Why some findings were left alone (one line each).
    skipped: tuple[str, ...] = ()


@dataclass(frozen=True)
class FixerSpec:
    module: str  # in mldebtlint.fixes
    safe: bool


# code -> the module that fixes it.
FIXERS: dict[str, FixerSpec] = {
    "MLD001": FixerSpec("unused_suppression", safe=True),
    "MLD301": FixerSpec("pin_framework", safe=True),
    "MLD101": FixerSpec("hoist_literal", safe=False),
    "MLD102": FixerSpec("hoist_literal", safe=False),
}

Fixer = Callable[[Path, str, list[Finding], Settings], FixResult]
_NAME = re.compile(r"\b[A-Za-z_]\w*\b")


@dataclass
class FixOutcome:
    fixed: int = 0
    files: list[str] = field(default_factory=list)
    diff: str = ""
    skipped: list[str] = field(default_factory=list)


def fixable_codes(unsafe: bool) -> set[str]:
    return {code for code, spec in FIXERS.items() if spec.safe or unsafe}


def _fixer(spec: FixerSpec) -> Fixer:
    return importlib.import_module(f"{__name__}.{spec.module}").fix


def fix_text(path: Path, text: str, findings: list[Finding], settings: Settings, unsafe: bool) -> FixResult:
    """Run every applicable fixer over one file's text, keeping only results that parse."""
    from mldebtlint.fixes.verify import parses

    by_module: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        spec = FIXERS.get(finding.code)
        if spec is not None and (spec.safe or unsafe):
            by_module[spec.module].append(finding)
    fixed, skipped = 0, []
    for _module, module_findings in sorted(by_module.items()):
        try:
            result = _fixer(FIXERS[module_findings[0].code])(path, text, module_findings, settings)
        except Exception as exc:  # a fixer bug must not corrupt the file or end the run
            skipped.append(f"{path}: fix for {module_findings[0].code} failed: {type(exc).__name__}: {exc}")
            continue
        skipped.extend(result.skipped)
        if result.text == text:
            continue
        if not parses(path, text, result.text):
            skipped.append(f"{path}: fix for {module_findings[0].code} skipped: the result would not parse")
            continue
        text, fixed = result.text, fixed + result.fixed
    return FixResult(text, fixed, tuple(skipped))


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
        result = fix_text(path, part.text, cell_findings, settings, unsafe)
        outcome.skipped.extend(result.skipped)
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

"""``path:line:col: CODE [name] message (debt N min)``, one finding a line.

Notebook findings read ``nb.ipynb:cell 3:2:5: ...`` (ruff's convention: the
1-based cell among all cells, then the line and column in that cell).
"""

from __future__ import annotations

from mldebtlint.core.types import CheckResult


def location_text(finding) -> str:
    """``path:line:col`` or, in a notebook, ``path:cell N:line:col``."""
    cell = f"cell {finding.cell}:" if finding.cell is not None else ""
    return f"{finding.path}:{cell}{finding.line}:{finding.column}"


def format_line(finding) -> str:
    fixable = " [*]" if finding.fix is not None else ""
    return (
        f"{location_text(finding)}: {finding.code}{fixable} [{finding.rule}] {finding.message} "
        f"(debt {finding.debt_minutes} min)"
    )


def fixable_note(result: CheckResult) -> str:
    """``3 fixable with --fix (2 more with --fix --unsafe-fixes).`` or ""."""
    safe = sum(1 for finding in result.findings if finding.applicability == "safe")
    unsafe = sum(1 for finding in result.findings if finding.applicability == "unsafe")
    if safe and unsafe:
        return f"[*] {safe} fixable with --fix ({unsafe} more with --fix --unsafe-fixes)."
    if safe:
        return f"[*] {safe} fixable with --fix."
    if unsafe:
        return f"[*] {unsafe} fixable with --fix --unsafe-fixes."
    return ""


def summary(result: CheckResult) -> str:
    count = len(result.findings)
    files = len({finding.path for finding in result.findings})
    noun = "finding" if count == 1 else "findings"
    text = (
        f"Found {count} {noun} in {files} of {len(result.files)} files checked, "
        f"total debt {result.total_debt_minutes} min"
    )
    extras = []
    if result.suppressed:
        extras.append(f"{result.suppressed} suppressed")
    if result.baselined:
        extras.append(f"{result.baselined} in baseline")
    if result.baseline_fixed:
        extras.append(f"{result.baseline_fixed} baselined findings fixed")
    if extras:
        text += f" ({', '.join(extras)})"
    note = fixable_note(result)
    return text + "." + (f" {note}" if note else "")


def format_related(finding) -> str:
    """The finding's related locations, one indented ``path:line: note`` a line."""
    return "".join(
        f"    {item.path}:{item.line}{f' (cell {item.cell})' if item.cell else ''}: {item.note}\n"
        for item in finding.related
    )


def render(result: CheckResult, show_related: bool = False) -> str:
    return "".join(
        format_line(finding) + "\n" + (format_related(finding) if show_related else "") for finding in result.findings
    )

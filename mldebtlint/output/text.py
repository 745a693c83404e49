"""``path:line:col: CODE [name] message (debt N min)``, one finding a line."""

from __future__ import annotations

from mldebtlint.core.types import CheckResult


def format_line(finding) -> str:
    return (
        f"{finding.path}:{finding.line}:{finding.column}: {finding.code} [{finding.rule}] "
        f"{finding.message} (debt {finding.debt_minutes} min)"
    )


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
    return text + "."


def render(result: CheckResult) -> str:
    return "".join(format_line(finding) + "\n" for finding in result.findings)

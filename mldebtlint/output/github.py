"""``--format github``: GitHub Actions workflow commands, one per finding.

``::warning file=train.py,line=3,col=9,endLine=3,endColumn=12,title=MLD101 hardcoded-threshold::message``
shows each finding as an annotation on the pull request. Values are escaped
as the Actions runner expects: ``%``, CR and LF everywhere, and also ``:``
and ``,`` inside properties.
"""

from __future__ import annotations

from mldebtlint.core.types import CheckResult, Finding

COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def format_command(finding: Finding) -> str:
    location = finding.location
    properties = {
        "file": finding.path,
        "line": location.line,
        "col": location.column,
        "endLine": max(location.end_line, location.line),
        "endColumn": location.end_column,
        "title": f"{finding.code} {finding.rule}",
    }
    rendered = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    message = f"{finding.message} (debt {finding.debt_minutes} min)"
    return f"::{COMMANDS.get(finding.severity, 'warning')} {rendered}::{escape_data(message)}"


def render(result: CheckResult) -> str:
    return "".join(format_command(finding) + "\n" for finding in result.findings)

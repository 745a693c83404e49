"""``--format github``: GitHub Actions workflow commands, one per finding.

``::warning file=train.py,line=3,col=9,endLine=3,endColumn=12,title=MLD101 hardcoded-threshold::message``
shows each finding as an annotation on the pull request (in a notebook, on the
line of the ``.ipynb`` text, the cell named in the title). Values are escaped
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
    properties: dict[str, object]
    if finding.file_lines is not None:
        # A notebook: the annotation goes on the line of the .ipynb text.
        start, end = finding.file_lines
        properties = {"file": finding.path, "line": start, "endLine": max(end, start)}
        properties["title"] = f"{finding.code} {finding.rule} (cell {finding.cell}, line {location.line})"
    else:
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

"""``--format gitlab``: a GitLab Code Quality report (a JSON array).

Each finding becomes a Code Climate issue with the keys GitLab reads:
``description``, ``check_name``, ``fingerprint`` (unique and stable across
unrelated edits, so merge requests show only new debt), ``severity`` and
``location.path`` / ``location.lines.begin`` (in a notebook, lines of the
``.ipynb`` text).
"""

from __future__ import annotations

import json

from mldebtlint.core.types import CheckResult, Finding

# Catalog severity -> Code Quality severity (info, minor, major, critical, blocker).
SEVERITIES = {"note": "minor", "warning": "major", "error": "critical"}
# mldebtlint category -> Code Climate category (informational only).
CATEGORIES = {
    "configuration": "Clarity",
    "integration": "Complexity",
    "dependency": "Compatibility",
    "model": "Bug Risk",
    "data": "Bug Risk",
    "reproducibility": "Bug Risk",
    "testing": "Bug Risk",
    "tooling": "Bug Risk",
}


def severity(finding: Finding) -> str:
    return SEVERITIES.get(finding.severity, "info")


def issue(finding: Finding) -> dict:
    location = finding.location
    begin, end = finding.file_lines or (location.line, location.end_line)
    return {
        "type": "issue",
        "engine_name": "mldebtlint",
        "check_name": f"{finding.code} {finding.rule}",
        "description": f"{finding.code} [{finding.rule}] {finding.message}",
        "categories": [CATEGORIES.get(finding.category, "Clarity")],
        "severity": severity(finding),
        "fingerprint": finding.fingerprint,
        "location": {
            "path": finding.path,
            "lines": {"begin": begin, "end": max(end, begin)},
        },
    }


def render(result: CheckResult) -> str:
    return json.dumps([issue(finding) for finding in result.findings], indent=2, ensure_ascii=False) + "\n"

"""The report's dependency health section: each ML framework, where it is
required and how it is pinned.

Flagged requirements come from the MLD301 (unpinned-framework) findings'
``data`` (``package``, ``specifier``); the framework requirements that are
correctly pinned come from the manifests' per-file facts
(``report.manifests_adapter``), so the section shows the whole picture rather
than only the problems.
"""

from __future__ import annotations

from typing import Any

from mldebtlint.core.config import Settings
from mldebtlint.core.types import CheckResult, Finding
from mldebtlint.report.manifests_adapter import framework_requirements, normalize

UNPINNED_CODE = "MLD301"


def requirement_of(finding: Finding) -> dict[str, Any]:
    """One flagged requirement as a row: framework, where, how pinned."""
    data = dict(finding.data)
    specifier = str(data.get("specifier", ""))
    return {
        "framework": normalize(str(data["package"])),
        # A notebook's install line: the cell goes with the path (the line counts in the cell).
        "path": finding.path if finding.cell is None else f"{finding.path}, cell {finding.cell}",
        "line": finding.line,
        "specifier": specifier,
        "status": "range" if specifier else "unpinned",
        "flagged": True,
        "message": finding.message,
    }


def dependency_health(result: CheckResult, settings: Settings) -> dict[str, Any]:
    rows = [requirement_of(f) for f in result.findings if f.code == UNPINNED_CODE]
    flagged_at = {(row["path"], row["line"]) for row in rows}
    for row in framework_requirements(result, settings):
        if (row["path"], row["line"]) not in flagged_at:
            rows.append(dict(row, flagged=False, message=""))
    frameworks: dict[str, list[dict[str, Any]]] = {}
    for row in sorted(rows, key=lambda r: (r["framework"], r["path"], r["line"])):
        frameworks.setdefault(row["framework"], []).append(
            {key: row[key] for key in ("path", "line", "specifier", "status", "flagged")}
        )
    return {
        # Kept for the schema: older reports also said "findings" (no manifest facts).
        "source": "manifests",
        "frameworks": [
            {"name": name, "flagged": sum(r["flagged"] for r in places), "requirements": places}
            for name, places in frameworks.items()
        ],
    }

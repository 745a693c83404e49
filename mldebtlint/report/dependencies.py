"""The report's dependency health section: each ML framework, where it is
required and how it is pinned.

Flagged requirements come from the MLD301 (unpinned-framework) findings.
When the manifest parser (``mldebtlint.manifests.requirements``) is available, the
framework requirements that are correctly pinned are listed too, so the
section shows the whole picture rather than only the problems.
"""

from __future__ import annotations

import re
from typing import Any

from mldebtlint.core.config import Settings
from mldebtlint.core.types import CheckResult, Finding

UNPINNED_CODE = "MLD301"
_NAME_KEYS = ("framework", "package", "project", "name", "distribution")
_SPEC_KEYS = ("specifier", "spec", "constraint", "version")
_QUOTED = re.compile(r"[`'\"]([A-Za-z0-9][A-Za-z0-9._-]*)")
_LEADING_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)")


def _first(data: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def requirement_of(finding: Finding) -> dict[str, Any]:
    """One flagged requirement as a row: framework, where, how pinned."""
    data = dict(finding.data)
    name = _first(data, _NAME_KEYS)
    if name is None:
        match = _QUOTED.search(finding.message) or _LEADING_NAME.search(finding.message)
        name = match.group(1) if match else "?"
    specifier = _first(data, _SPEC_KEYS) or ""
    status = data.get("status") if isinstance(data.get("status"), str) else None
    return {
        "framework": re.sub(r"[-_.]+", "-", name).lower(),
        "path": finding.path,
        "line": finding.line,
        "specifier": specifier,
        "status": status or ("range" if specifier else "unpinned"),
        "flagged": True,
        "message": finding.message,
    }


def _pinned_requirements(result: CheckResult, settings: Settings) -> list[dict[str, Any]] | None:
    try:
        from mldebtlint.report import manifests_adapter
    except ImportError:
        return None
    try:
        return manifests_adapter.framework_requirements(result, settings)
    except Exception:  # optional enrichment; never break the report
        return None


def dependency_health(result: CheckResult, settings: Settings) -> dict[str, Any]:
    rows = [requirement_of(f) for f in result.findings if f.code == UNPINNED_CODE]
    flagged_at = {(row["path"], row["line"]) for row in rows}
    parsed = _pinned_requirements(result, settings)
    if parsed is not None:
        for row in parsed:
            if (row["path"], row["line"]) not in flagged_at:
                rows.append(dict(row, flagged=False, message=""))
    frameworks: dict[str, list[dict[str, Any]]] = {}
    for row in sorted(rows, key=lambda r: (r["framework"], r["path"], r["line"])):
        frameworks.setdefault(row["framework"], []).append(
            {key: row[key] for key in ("path", "line", "specifier", "status", "flagged")}
        )
    return {
        "source": "manifests" if parsed is not None else "findings",
        "frameworks": [
            {"name": name, "flagged": sum(r["flagged"] for r in places), "requirements": places}
            for name, places in frameworks.items()
        ],
    }

"""``--format sarif``: a SARIF 2.1.0 log for code-scanning dashboards.

One run, whose ``tool.driver.rules`` describe every catalog rule (so the
help a dashboard shows comes from the same catalog as ``explain``), and one
result per finding. Paths are URIs relative to ``%SRCROOT%``, the current
directory, which is what GitHub code scanning expects when the linter runs
from the repository root.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from mldebtlint import __version__
from mldebtlint.core.catalog import CatalogEntry, load_catalog
from mldebtlint.core.types import CheckResult, Finding

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
# Where a user reads about the tool; the package metadata's Homepage wins.
DEFAULT_INFORMATION_URI = "https://github.com/mldebtlint/mldebtlint"
FINGERPRINT_KEY = "mldebtlint/v1"
LEVELS = {"error": "error", "warning": "warning", "note": "note"}


def information_uri() -> str:
    try:
        from importlib.metadata import PackageNotFoundError, metadata

        for item in metadata("mldebtlint").get_all("Project-URL") or ():
            label, _, url = item.partition(",")
            if label.strip().lower() in ("homepage", "source", "repository") and url.strip():
                return url.strip()
    except (ImportError, PackageNotFoundError):  # pragma: no cover - not installed
        pass
    return DEFAULT_INFORMATION_URI


def rule_help_markdown(entry: CatalogEntry) -> str:
    parts = [
        f"**{entry.code} {entry.name}** ({entry.category})",
        "",
        entry.summary,
        "",
        "### Why it is debt",
        "",
        entry.rationale,
    ]
    if entry.fix:
        parts += ["", "### How to fix", "", entry.fix]
    if entry.bad:
        parts += ["", "### Flagged", "", "```python", entry.bad[0].code.rstrip(), "```"]
    if entry.good:
        parts += ["", "### Not flagged", "", "```python", entry.good[0].code.rstrip(), "```"]
    return "\n".join(parts)


def rule_descriptor(entry: CatalogEntry) -> dict:
    help_text = entry.rationale + (f"\n\nHow to fix: {entry.fix}" if entry.fix else "")
    return {
        "id": entry.code,
        "name": entry.name,
        "shortDescription": {"text": entry.summary},
        "fullDescription": {"text": entry.rationale},
        "help": {"text": help_text, "markdown": rule_help_markdown(entry)},
        "defaultConfiguration": {"level": LEVELS[entry.severity], "enabled": entry.default_enabled},
        "properties": {
            "category": entry.category,
            "tags": ["ml-debt", entry.category],
            "effort_minutes": entry.effort,
            "impact": entry.impact,
            "risk": entry.risk,
        },
    }


def artifact_location(path: str) -> dict:
    """A relative path becomes a ``%SRCROOT%``-based URI; an absolute one a file URI."""
    pure = Path(path)
    if pure.is_absolute():
        return {"uri": pure.as_uri()}
    return {"uri": quote(PurePosixPath(pure.as_posix()).as_posix(), safe="/"), "uriBaseId": SRCROOT}


def region(finding: Finding) -> dict:
    if finding.file_lines is not None:
        # A notebook: the lines of the .ipynb text holding the cell's source
        # lines (columns there would count JSON escapes, so none are given).
        start, end = finding.file_lines
        return {"startLine": max(start, 1), "endLine": max(end, start, 1)}
    location = finding.location
    start_line, start_column = max(location.line, 1), max(location.column, 1)
    end_line = max(location.end_line, start_line)
    end_column = max(location.end_column, 1)
    if end_line == start_line and end_column < start_column:
        end_column = start_column
    return {"startLine": start_line, "startColumn": start_column, "endLine": end_line, "endColumn": end_column}


def result_object(finding: Finding, rule_index: dict[str, int]) -> dict:
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "level": LEVELS.get(finding.severity, "warning"),
        "message": {"text": finding.message},
        "locations": [
            {"physicalLocation": {"artifactLocation": artifact_location(finding.path), "region": region(finding)}}
        ],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {
            "rule": finding.rule,
            "category": finding.category,
            "debt_minutes": finding.debt_minutes,
            "priority": finding.priority,
        },
    }
    if finding.cell is not None:
        result["properties"].update(cell=finding.cell, cellLine=finding.line, cellColumn=finding.column)
    if finding.code in rule_index:
        result["ruleIndex"] = rule_index[finding.code]
    if finding.related:
        result["relatedLocations"] = [
            {
                "id": index,
                "physicalLocation": {
                    "artifactLocation": artifact_location(item.path),
                    "region": {"startLine": max(item.line, 1)},
                },
                "message": {"text": item.note},
            }
            for index, item in enumerate(finding.related)
        ]
    return result


def sarif_log(result: CheckResult) -> dict:
    entries = list(load_catalog().values())
    rule_index = {entry.code: index for index, entry in enumerate(entries)}
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mldebtlint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": information_uri(),
                        "rules": [rule_descriptor(entry) for entry in entries],
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": Path.cwd().as_uri().rstrip("/") + "/"}},
                # libcst columns count code points, not UTF-16 units.
                "columnKind": "unicodeCodePoints",
                "results": [result_object(finding, rule_index) for finding in result.findings],
            }
        ],
    }


def render(result: CheckResult) -> str:
    return json.dumps(sarif_log(result), indent=2, ensure_ascii=False) + "\n"

"""The report as data: one JSON-ready dict built from a ``CheckResult``.

Every output format renders this dict, and ``--format json`` is this dict
as-is, so a saved JSON report can be read back for ``--compare``. Its shape is
documented in ``schemas/report.schema.json``; bump ``SCHEMA_VERSION`` on any
incompatible change.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from mldebtlint import __version__
from mldebtlint.core import scoring
from mldebtlint.core.catalog import load_catalog
from mldebtlint.core.config import Settings
from mldebtlint.core.types import CheckResult, Finding
from mldebtlint.report.dependencies import dependency_health
from mldebtlint.report.graph_section import model_graph_section

SCHEMA_VERSION = "1.0"
DEFAULT_TOP_ITEMS = 10
DEFAULT_HOTSPOTS = 10


def _catalog_fields(code: str) -> dict[str, str]:
    entry = load_catalog().get(code)
    if entry is None:
        return {"name": "", "fix": "", "summary": ""}
    return {"name": entry.name, "fix": one_line(entry.fix), "summary": entry.summary}


def one_line(advice: str) -> str:
    """The first sentence of a catalog ``fix`` text, on one line."""
    text = " ".join(advice.split())
    end = text.find(". ")
    return text[: end + 1] if end >= 0 else text


def _impact_risk(settings: Settings, code: str) -> tuple[int | None, int | None]:
    try:
        _, impact, risk = settings.score_for(code)
    except KeyError:  # a finding from an older report or a retired rule
        return None, None
    return impact, risk


def _share(debt: int, total: int) -> float:
    return round(debt / total, 4) if total else 0.0


def _summary(result: CheckResult, settings: Settings) -> dict[str, Any]:
    repo = scoring.repo_score(result, settings.minutes_per_line)
    return {
        "rating": repo.rating,
        "debt_ratio": None if repo.ratio is None else round(repo.ratio, 6),
        "debt_minutes": repo.debt_minutes,
        "remediation": scoring.format_minutes(repo.debt_minutes),
        "findings": repo.findings,
        "files": len(result.files),
        "python_files": sum(1 for file in result.files if file.is_python),
        "files_with_findings": len({finding.path for finding in result.findings}),
        "lines": repo.lines,
        "development_minutes": scoring.development_minutes(repo.lines, settings.minutes_per_line),
        "minutes_per_line": settings.minutes_per_line,
        "suppressed": result.suppressed,
        "baselined": result.baselined,
    }


def _categories(result: CheckResult, settings: Settings, total: int) -> list[dict[str, Any]]:
    rows = []
    for item in scoring.by_category(result, settings.minutes_per_line):
        row = item.to_dict("category")
        row["share"] = _share(item.debt_minutes, total)
        rows.append(row)
    return rows


def _rules(result: CheckResult, settings: Settings, total: int) -> list[dict[str, Any]]:
    category_of = {finding.code: finding.category for finding in result.findings}
    name_of = {finding.code: finding.rule for finding in result.findings}
    rows = []
    for item in scoring.by_rule(result, settings.minutes_per_line):
        row = item.to_dict("code")
        catalog = _catalog_fields(item.key)
        row.update(
            rule=name_of[item.key],
            category=category_of[item.key],
            share=_share(item.debt_minutes, total),
            fix=catalog["fix"],
        )
        rows.append(row)
    return rows


def _item(rank: int, finding: Finding, settings: Settings) -> dict[str, Any]:
    impact, risk = _impact_risk(settings, finding.code)
    return {
        "rank": rank,
        "code": finding.code,
        "rule": finding.rule,
        "category": finding.category,
        "severity": finding.severity,
        "message": finding.message,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "debt_minutes": finding.debt_minutes,
        "impact": impact,
        "risk": risk,
        "priority": finding.priority,
        "fix": _catalog_fields(finding.code)["fix"],
        "fingerprint": finding.fingerprint,
    }


def build_report(
    result: CheckResult,
    settings: Settings,
    target: str = ".",
    top: int = DEFAULT_TOP_ITEMS,
    hotspots: int = DEFAULT_HOTSPOTS,
    previous: dict[str, Any] | None = None,
    previous_label: str = "",
    now: _dt.datetime | None = None,
) -> dict[str, Any]:
    """The whole report. ``previous`` is an earlier JSON report (``--compare``)."""
    mpl = settings.minutes_per_line
    total = result.total_debt_minutes
    ranked = scoring.by_priority(result.findings)
    timestamp = (now or _dt.datetime.now(_dt.timezone.utc)).replace(microsecond=0)
    report: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "mldebtlint", "version": __version__},
        "generated_at": timestamp.isoformat().replace("+00:00", "Z"),
        "target": target,
        "thresholds": {letter: float(limit) for letter, limit in scoring.RATING_THRESHOLDS},
        "summary": _summary(result, settings),
        "categories": _categories(result, settings, total),
        "rules": _rules(result, settings, total),
        "files": [s.to_dict("path") for s in scoring.by_file(result, mpl)],
        "directories": [s.to_dict("path") for s in scoring.by_directory(result, mpl)],
        "hotspot_limit": max(0, hotspots),
        "items": [_item(rank, f, settings) for rank, f in enumerate(ranked[: max(0, top)], start=1)],
        "model_graph": model_graph_section(result),
        "dependencies": dependency_health(result, settings),
        "findings": [_finding_dict(finding) for finding in sorted(result.findings, key=Finding.sort_key)],
        "trend": None,
    }
    if previous is not None:
        from mldebtlint.report.trend import compare

        report["trend"] = compare(report, previous, previous_label)
    return report


def _finding_dict(finding: Finding) -> dict[str, Any]:
    data = finding.to_dict()
    data.pop("data", None)  # rule-specific payloads are summarised in their own sections
    return data


def hotspots(report: dict[str, Any]) -> list[dict[str, Any]]:
    return report["files"][: report.get("hotspot_limit", DEFAULT_HOTSPOTS)]

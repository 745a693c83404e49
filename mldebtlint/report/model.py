"""The report as data: one JSON-ready dict built from a ``CheckResult``.

Every output format renders this dict, and ``--format json`` is this dict
as-is, so a saved JSON report can be read back for ``--compare``. Its shape is
documented in ``schemas/report.schema.json``; bump ``SCHEMA_VERSION`` on any
incompatible change.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any

from mldebtlint import __version__
from mldebtlint.core import scoring
from mldebtlint.core.catalog import load_catalog
from mldebtlint.core.config import Settings
from mldebtlint.core.types import CheckResult, Finding
from mldebtlint.report.dependencies import dependency_health
from mldebtlint.report.graph_section import model_graph_section

SCHEMA_VERSION = "1.1"
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


# MLD701 untested-model-code: the headline counts the model modules no test covers.
UNTESTED_MODEL_CODE = "MLD701"


def untested_model_modules(result: CheckResult) -> dict[str, Any] | None:
    """How many model modules have no test, and whether the repo has tests at all
    (None when MLD701 reported nothing)."""
    findings = [finding for finding in result.findings if finding.code == UNTESTED_MODEL_CODE]
    if not findings:
        return None
    has_tests = all(dict(finding.data).get("repo_has_tests", True) for finding in findings)
    return {"modules": len({finding.path for finding in findings}), "repo_has_tests": has_tests}


def _summary(result: CheckResult, settings: Settings, basis: scoring.Basis) -> dict[str, Any]:
    repo = scoring.repo_score(result, basis)
    return {
        "untested_model_modules": untested_model_modules(result),
        "rating": repo.rating,
        "debt_ratio": None if repo.ratio is None else round(repo.ratio, 6),
        "debt_minutes": repo.debt_minutes,
        "remediation": scoring.format_minutes(repo.debt_minutes),
        "findings": repo.findings,
        "files": len(result.files),
        "python_files": sum(1 for file in result.files if file.is_python),
        "files_with_findings": len({finding.path for finding in result.findings}),
        "lines": result.total_lines,
        "ml_lines": basis.ml_lines,
        "ratio_model": basis.model,
        "ratio_lines": basis.lines,
        "development_minutes": scoring.development_minutes(basis.lines, settings.minutes_per_line),
        "minutes_per_line": settings.minutes_per_line,
        "suppressed": result.suppressed,
        "baselined": result.baselined,
    }


def _categories(result: CheckResult, basis: scoring.Basis, total: int) -> list[dict[str, Any]]:
    rows = []
    for item in scoring.by_category(result, basis):
        row = item.to_dict("category")
        row["share"] = _share(item.debt_minutes, total)
        rows.append(row)
    return rows


def _rules(result: CheckResult, basis: scoring.Basis, total: int) -> list[dict[str, Any]]:
    category_of = {finding.code: finding.category for finding in result.findings}
    name_of = {finding.code: finding.rule for finding in result.findings}
    rows = []
    for item in scoring.by_rule(result, basis):
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


def _files(result: CheckResult, basis: scoring.Basis) -> list[dict[str, Any]]:
    """Every file with findings; a file without code (a manifest) has no ratio or
    rating, and every row says which rules found what (a manifest row shows that
    instead of a ratio)."""
    python = {file.path for file in result.files if file.is_python}
    counts: dict[str, dict[str, int]] = {}
    for finding in result.findings:
        per_rule = counts.setdefault(finding.path, {})
        per_rule[finding.code] = per_rule.get(finding.code, 0) + 1
    rows = []
    for item in scoring.by_file(result, basis):
        row = item.to_dict("path")
        row["kind"] = "code" if item.rating is not None or item.key in python else "manifest"
        row["rules"] = [{"code": code, "findings": n} for code, n in sorted(counts.get(item.key, {}).items())]
        rows.append(row)
    return rows


# Data fields that carry the value a finding is about (the literal, the path, the
# version), not the policy it applies: two findings of one rule in one file whose
# other data agree are the same policy applied twice (a ladder of thresholds on
# one score, literal hyperparameters written out in one training script).
_VALUE_FIELDS = frozenset({"literals", "path", "specifier", "conversions", "statements", "hyperparameters"})


def policy_key(finding: Finding) -> tuple[tuple[str, str], ...]:
    """What identifies a finding's policy, from its typed ``data`` (never its message)."""
    return tuple(
        (key, json.dumps(value, sort_keys=True, default=str)) for key, value in finding.data if key not in _VALUE_FIELDS
    )


def merged_items(findings: list[Finding]) -> list[list[Finding]]:
    """Findings grouped as debt items: one rule, one file, one message shape
    (``alpha=1.0`` and ``alpha=0.5`` passed to Ridge in train.py, or ``> 0.7`` and
    ``> 0.4`` on one score, are one item of two occurrences). Most urgent item first: summed priority, then debt, then location."""
    groups: dict[tuple[Any, ...], list[Finding]] = {}
    for finding in sorted(findings, key=Finding.sort_key):
        groups.setdefault((finding.code, finding.path, policy_key(finding)), []).append(finding)
    return sorted(
        groups.values(),
        key=lambda group: (
            -round(sum(f.priority for f in group), 2),
            -sum(f.debt_minutes for f in group),
            group[0].sort_key(),
        ),
    )


def _item(rank: int, group: list[Finding], settings: Settings) -> dict[str, Any]:
    finding = group[0]
    impact, risk = _impact_risk(settings, finding.code)
    return {
        "rank": rank,
        "code": finding.code,
        "rule": finding.rule,
        "category": finding.category,
        "severity": finding.severity,
        "message": finding.message,
        "path": finding.path,
        **({"cell": finding.cell} if finding.cell is not None else {}),
        "line": finding.line,
        "column": finding.column,
        "count": len(group),
        "lines": [f.line for f in group],
        **({"cells": [f.cell or 0 for f in group]} if finding.cell is not None else {}),
        "debt_minutes": sum(f.debt_minutes for f in group),
        "impact": impact,
        "risk": risk,
        "priority": round(sum(f.priority for f in group), 2),
        "fix": _catalog_fields(finding.code)["fix"],
        "fingerprint": finding.fingerprint,
        "fingerprints": [f.fingerprint for f in group],
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
    ml_paths: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The whole report. ``previous`` is an earlier JSON report (``--compare``);
    ``ml_paths`` are the files whose text imports an ML framework
    (``report.mlcode``), for the ``ml-code`` debt ratio."""
    basis = scoring.basis_for(result, settings.minutes_per_line, settings.ratio_model, ml_paths)
    total = result.total_debt_minutes
    ranked = merged_items(list(result.findings))
    timestamp = (now or _dt.datetime.now(_dt.timezone.utc)).replace(microsecond=0)
    report: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "mldebtlint", "version": __version__},
        "generated_at": timestamp.isoformat().replace("+00:00", "Z"),
        "target": target,
        "thresholds": {letter: float(limit) for letter, limit in basis.thresholds},
        "summary": _summary(result, settings, basis),
        "categories": _categories(result, basis, total),
        "rules": _rules(result, basis, total),
        "files": _files(result, basis),
        "directories": [s.to_dict("path") for s in scoring.by_directory(result, basis)],
        "hotspot_limit": max(0, hotspots),
        "items_total": len(ranked),
        "items": [_item(rank, group, settings) for rank, group in enumerate(ranked[: max(0, top)], start=1)],
        "model_graph": model_graph_section(result),
        "dependencies": dependency_health(result, settings),
        "findings": [_finding_dict(finding) for finding in sorted(result.findings, key=Finding.sort_key)],
        "trend": None,
    }
    if previous is not None:
        from mldebtlint.adoption.baseline import unparsed_files
        from mldebtlint.report.trend import compare

        report["trend"] = compare(report, previous, previous_label, unparsed_files(result))
    return report


def _finding_dict(finding: Finding) -> dict[str, Any]:
    data = finding.to_dict()
    data.pop("data", None)  # rule-specific payloads are summarised in their own sections
    data.pop("fix", None)  # the edits of `check --fix`, not part of an audit
    return data


def hotspots(report: dict[str, Any]) -> list[dict[str, Any]]:
    return report["files"][: report.get("hotspot_limit", DEFAULT_HOTSPOTS)]


def items_by_category(report: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The top items grouped per category; categories in the order of their first
    (most urgent) item, items in rank order within each."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in report["items"]:
        groups.setdefault(item["category"], []).append(item)
    return list(groups.items())

"""``report --compare OLD.json``: what changed since an earlier JSON report.

Deltas of debt and finding counts per category, rule and file, and the
findings that are new or fixed, matched by fingerprint (stable when unrelated
lines move, SPEC section 4). An earlier finding in a file that does not parse
now is not "fixed": that file was not checked, so the finding is listed as
"not checked (parse error)" instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mldebtlint.core.errors import ConfigError

MAX_LISTED = 50


def load_previous(path: Path) -> dict[str, Any]:
    """Read an earlier ``--format json`` report; a bad file is a usage error."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: not a JSON report: {exc}") from None
    if not isinstance(data, dict) or "schema_version" not in data or not isinstance(data.get("summary"), dict):
        raise ConfigError(f"{path}: not a mldebtlint JSON report (write one with 'report --format json')")
    major = str(data["schema_version"]).split(".")[0]
    if major != "1":
        raise ConfigError(f"{path}: unsupported report schema_version {data['schema_version']!r}")
    if not isinstance(data.get("findings", []), list):
        raise ConfigError(f"{path}: 'findings' must be a list")
    return data


def _number(value: Any) -> float:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def _deltas(now: list[dict], before: list[dict], key: str) -> list[dict[str, Any]]:
    current = {row[key]: row for row in now if isinstance(row, dict) and key in row}
    old = {row[key]: row for row in before if isinstance(row, dict) and key in row}
    rows = []
    for name in set(current) | set(old):
        after_row, before_row = current.get(name, {}), old.get(name, {})
        debt_after, debt_before = _number(after_row.get("debt_minutes")), _number(before_row.get("debt_minutes"))
        count_after, count_before = _number(after_row.get("findings")), _number(before_row.get("findings"))
        if (debt_after, count_after) == (debt_before, count_before):
            continue
        rows.append(
            {
                key: name,
                "debt_before": debt_before,
                "debt_after": debt_after,
                "debt_delta": debt_after - debt_before,
                "findings_before": count_before,
                "findings_after": count_after,
                "findings_delta": count_after - count_before,
            }
        )
    return sorted(rows, key=lambda row: (-abs(row["debt_delta"]), str(row[key])))


def _brief(finding: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": str(finding.get("code", "")),
        "rule": str(finding.get("rule", "")),
        "path": str(finding.get("path", "")),
        "line": int(_number(finding.get("line"))),
        "message": str(finding.get("message", "")),
        "debt_minutes": _number(finding.get("debt_minutes")),
        "fingerprint": str(finding.get("fingerprint", "")),
    }


def _by_fingerprint(findings: list[Any]) -> dict[str, dict[str, Any]]:
    return {f["fingerprint"]: f for f in findings if isinstance(f, dict) and f.get("fingerprint")}


def compare(
    report: dict[str, Any], previous: dict[str, Any], label: str = "", unparsed: Iterable[str] = ()
) -> dict[str, Any]:
    """The trend since ``previous``; ``unparsed``: paths of the files that fail to parse now."""
    now_summary, old_summary = report["summary"], previous.get("summary", {})
    current, old = _by_fingerprint(report["findings"]), _by_fingerprint(previous.get("findings", []))
    unchecked_paths = set(unparsed)
    new = [_brief(current[key]) for key in current if key not in old]
    gone = [_brief(old[key]) for key in old if key not in current]
    fixed = [finding for finding in gone if finding["path"] not in unchecked_paths]
    unchecked = [finding for finding in gone if finding["path"] in unchecked_paths]
    order = lambda f: (f["path"], f["line"], f["code"])  # noqa: E731
    ratio_before, ratio_after = old_summary.get("debt_ratio"), now_summary.get("debt_ratio")
    return {
        "previous": {
            "label": label,
            "generated_at": str(previous.get("generated_at", "")),
            "rating": str(old_summary.get("rating", "")),
            "debt_ratio": ratio_before if isinstance(ratio_before, (int, float)) else None,
            "debt_minutes": _number(old_summary.get("debt_minutes")),
            "findings": int(_number(old_summary.get("findings"))),
            "lines": int(_number(old_summary.get("lines"))),
        },
        "debt_delta": now_summary["debt_minutes"] - _number(old_summary.get("debt_minutes")),
        "findings_delta": now_summary["findings"] - _number(old_summary.get("findings")),
        "lines_delta": now_summary["lines"] - _number(old_summary.get("lines")),
        "debt_ratio_delta": (
            round(ratio_after - ratio_before, 6)
            if isinstance(ratio_after, (int, float)) and isinstance(ratio_before, (int, float))
            else None
        ),
        "categories": _deltas(report["categories"], previous.get("categories", []), "category"),
        "rules": _deltas(report["rules"], previous.get("rules", []), "code"),
        "files": _deltas(report["files"], previous.get("files", []), "path"),
        "new_count": len(new),
        "fixed_count": len(fixed),
        "new": sorted(new, key=order)[:MAX_LISTED],
        "fixed": sorted(fixed, key=order)[:MAX_LISTED],
        "unchecked_count": len(unchecked),
        "unchecked": sorted(unchecked, key=order)[:MAX_LISTED],
    }

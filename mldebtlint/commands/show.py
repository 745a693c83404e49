"""What ``check`` can show instead of (or besides) findings, as in ruff:
``--statistics`` (text or json), ``--show-files``, ``--show-settings`` and
``--show-fixes``."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import fields
from pathlib import Path

from mldebtlint.core.config import Settings
from mldebtlint.core.types import CheckResult, Finding

STATISTICS_FORMATS = ("text", "json")


def statistics_rows(result: CheckResult, fixable: Iterable[str] = ()) -> list[dict]:
    """One row per rule: code, name, count, debt and whether ``--fix`` can fix it; most frequent first."""
    fixable = set(fixable)
    counts = Counter((finding.code, finding.rule) for finding in result.findings)
    debt: Counter[str] = Counter()
    for finding in result.findings:
        debt[finding.code] += finding.debt_minutes
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [
        {"code": code, "name": rule, "count": count, "debt_minutes": debt[code], "fixable": code in fixable}
        for (code, rule), count in ordered
    ]


def statistics(result: CheckResult, output_format: str, fixable: Iterable[str] = ()) -> str:
    rows = statistics_rows(result, fixable)
    if output_format == "json":
        return json.dumps(rows, indent=2) + "\n"
    return "".join(
        f"{row['count']:>5}  {row['code']}  [{row['name']}]  debt {row['debt_minutes']} min"
        f"{'  [*] fixable' if row['fixable'] else ''}\n"
        for row in rows
    )


def files_listing(paths: Iterable[str]) -> str:
    return "".join(f"{path}\n" for path in sorted(paths))


def settings_listing(settings: Settings, first_path: Path, codes: Iterable[str]) -> str:
    """Every resolved setting, one ``name = value`` a line, then the enabled rules."""
    lines = [f"Resolved settings for: {first_path.as_posix()}"]
    lines.append(f"config_file = {settings.config_path or '(none: defaults)'}")
    for item in fields(settings):
        if item.name in ("config_path", "extra"):
            continue
        value = getattr(settings, item.name)
        if item.name == "exclude" and value is None:
            value = "(default)"
        lines.append(f"{item.name} = {_plain(value)}")
    lines.append(f"enabled_rules = {', '.join(sorted(codes)) or '(none)'}")
    return "".join(line + "\n" for line in lines)


def _plain(value) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_plain(item) for item in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)
    if value is None:
        return "(none)"
    return str(value).lower() if isinstance(value, bool) else str(value)


def fixes_listing(title: str, findings: Iterable[Finding]) -> str:
    """``title`` then, per file, ``N x CODE (name)`` for each rule (ruff's --show-fixes)."""
    by_file: dict[str, Counter] = defaultdict(Counter)
    for finding in findings:
        by_file[finding.path][(finding.code, finding.rule)] += 1
    if not by_file:
        return ""
    lines = [title]
    for path in sorted(by_file):
        lines.append(f"- {path}:")
        for (code, rule), count in sorted(by_file[path].items()):
            lines.append(f"    {count} x {code} ({rule})")
    return "".join(line + "\n" for line in lines)

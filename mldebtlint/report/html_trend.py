"""The HTML report's trend section (``--compare OLD.json``)."""

from __future__ import annotations

from html import escape
from typing import Any

from mldebtlint.report import common as fmt
from mldebtlint.report import svg
from mldebtlint.report.html_parts import card as _card
from mldebtlint.report.html_parts import table as _table


def _direction(value: Any) -> str:
    if not value:
        return ""
    return "delta-up" if value > 0 else "delta-down"


def _delta_table(rows: list[dict[str, Any]], key: str, title: str) -> str:
    if not rows:
        return ""
    cells = [
        [
            f"<code class='p'>{escape(str(r[key]))}</code>" if key == "path" else escape(str(r[key])),
            fmt.minutes(r["debt_before"]),
            fmt.minutes(r["debt_after"]),
            f"<span class='{_direction(r['debt_delta'])}'>{fmt.signed_minutes(r['debt_delta'])}</span>",
            fmt.signed(r["findings_delta"]),
        ]
        for r in rows[:15]
    ]
    return f"<h3>By {escape(title)}</h3>" + _table(
        [title, "before", "after", "change", "findings"], cells, {1, 2, 3, 4}
    )


def _finding_list(title: str, findings: list[dict[str, Any]], total: int) -> str:
    if not findings:
        return ""
    items = "".join(
        f"<li><code>{escape(f['code'])}</code> <code class='p'>{escape(fmt.location(f))}</code> "
        f"{escape(f['message'])}</li>"
        for f in findings
    )
    more = f"<div class='sub'>and {total - len(findings)} more</div>" if total > len(findings) else ""
    return f"<h3>{escape(title)} ({total})</h3><ul>{items}</ul>{more}"


def trend_section(report: dict[str, Any]) -> str:
    trend = report["trend"]
    before = trend["previous"]
    label = before["label"] or before["generated_at"]
    cards = "".join(
        [
            _card(f"{escape(before['rating'])} &rarr; {escape(report['summary']['rating'])}", "rating"),
            _card(
                f"<span id='trend-debt' class='{_direction(trend['debt_delta'])}'>"
                f"{fmt.signed_minutes(trend['debt_delta'])}</span>",
                "remediation time",
            ),
            _card(
                f"<span class='{_direction(trend['debt_ratio_delta'])}'>{fmt.signed_ratio(trend['debt_ratio_delta'])}</span>",
                "debt ratio",
            ),
            _card(f"<span id='trend-new'>{trend['new_count']}</span>", "new findings"),
            _card(f"<span id='trend-fixed'>{trend['fixed_count']}</span>", "fixed findings"),
        ]
    )
    chart = svg.delta_chart(
        [(r["category"], r["debt_delta"], fmt.signed_minutes(r["debt_delta"])) for r in trend["categories"]],
        "debt change by category",
    )
    return (
        f"<section id='trend'><h2>Trend since <code>{escape(label)}</code></h2>"
        f"<div class='sub'>Previous report generated {escape(before['generated_at'])}; findings matched by fingerprint. "
        f"Red = debt added, green = debt paid off.</div><div class='cards'>{cards}</div>"
        + (chart if trend["categories"] else "<p class='empty'>No change in debt per category.</p>")
        + _delta_table(trend["categories"], "category", "category")
        + _delta_table(trend["rules"], "code", "rule")
        + _delta_table(trend["files"], "path", "file")
        + _finding_list("New findings", trend["new"], trend["new_count"])
        + _finding_list("Fixed findings", trend["fixed"], trend["fixed_count"])
        + _finding_list("Not checked (parse error)", trend.get("unchecked", []), trend.get("unchecked_count", 0))
        + "</section>"
    )

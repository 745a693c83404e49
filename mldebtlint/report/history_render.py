"""Render a ``report --history`` series: text, markdown, JSON, or an HTML page
with inline-SVG line charts over the rating bands (no scripts, no network)."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from mldebtlint.report import common as fmt
from mldebtlint.report import svg
from mldebtlint.report.html import CSS
from mldebtlint.report.html_parts import table as html_table
from mldebtlint.report.markdown import table as md_table
from mldebtlint.report.text import WIDTH
from mldebtlint.report.text import table as text_table

MAX_ROWS_TEXT = 200


def _delta(rows: list[dict[str, Any]], index: int) -> int | None:
    return None if index == 0 else rows[index]["debt_minutes"] - rows[index - 1]["debt_minutes"]


def _count(value: int | None) -> str:
    return "-" if value is None else str(value)


def _row_cells(rows: list[dict[str, Any]], index: int, subject_width: int = 0) -> list[str]:
    row = rows[index]
    delta = _delta(rows, index)
    return [
        row["date"][:10],
        row["short"],
        row["rating"],
        fmt.ratio(row["debt_ratio"]),
        fmt.minutes(row["debt_minutes"]),
        "-" if delta is None else fmt.signed_minutes(delta),
        str(row["findings"]),
        _count(row["new_count"]),
        _count(row["fixed_count"]),
        fmt.shorten(row["subject"], subject_width) if subject_width else row["subject"],
    ]


HEADERS = ["date", "commit", "rating", "ratio", "debt", "change", "findings", "new", "fixed", "subject"]


def _summary_line(data: dict[str, Any]) -> str:
    rows = data["commits"]
    if not rows:
        return "no commits in range"
    first, last = rows[0], rows[-1]
    return (
        f"{len(rows)} commits of {data['branch']} ({first['date'][:10]} .. {last['date'][:10]}): "
        f"rating {first['rating']} -> {last['rating']}, debt {fmt.minutes(first['debt_minutes'])} -> "
        f"{fmt.minutes(last['debt_minutes'])}, ratio {fmt.ratio(first['debt_ratio'])} -> {fmt.ratio(last['debt_ratio'])} "
        f"({data['ratio_model']} ratio)"
    )


def render_text(data: dict[str, Any]) -> str:
    title = f"mldebtlint history: {data['target']}"
    lines = [fmt.shorten(title, WIDTH), "=" * min(WIDTH, len(title)), _summary_line(data)]
    lines += [f"note: {note}" for note in data["notes"]]
    rows = data["commits"]
    shown = range(max(0, len(rows) - MAX_ROWS_TEXT), len(rows))
    lines += ["", "Debt per commit (oldest first)", "-" * 30]
    lines += text_table(HEADERS, [_row_cells(rows, index, 24) for index in shown], {3, 4, 5, 6, 7, 8})
    grown = [(row, file) for row in rows for file in row["files_grown"]]
    if grown:
        lines += ["", "Where debt grew", "-" * 15]
        lines += text_table(
            ["commit", "file", "before", "after"],
            [
                [row["short"], file["path"], fmt.minutes(file["debt_before"]), fmt.minutes(file["debt_after"])]
                for row, file in grown[-30:]
            ],
            {2, 3},
            flex=1,
        )
    if data["hotspots"]:
        lines += ["", "Hotspots (changes x debt at the last commit)", "-" * 44]
        lines += text_table(
            ["file", "changes", "debt", "score"],
            [[h["path"], str(h["changes"]), fmt.minutes(h["debt_minutes"]), str(h["score"])] for h in data["hotspots"]],
            {1, 2, 3},
            flex=0,
        )
    stats = data["stats"]
    lines += ["", f"{stats['commits']} commits, {stats['blobs_analysed']} blobs analysed in {stats['seconds']:g} s"]
    return "\n".join(fmt.shorten(line, WIDTH) for line in lines) + "\n"


def render_markdown(data: dict[str, Any]) -> str:
    lines = [f"## mldebtlint history: `{data['target']}`", "", _summary_line(data) + ".", ""]
    lines += [f"> note: {note}" for note in data["notes"]] + ([""] if data["notes"] else [])
    rows = data["commits"]
    lines += ["### Debt per commit", ""]
    lines += md_table(HEADERS, [_row_cells(rows, index) for index in range(len(rows))], {3, 4, 5, 6, 7, 8})
    if data["hotspots"]:
        lines += ["### Hotspots (changes x debt)", ""]
        lines += md_table(
            ["file", "changes", "debt", "score"],
            [[f"`{h['path']}`", h["changes"], fmt.minutes(h["debt_minutes"]), h["score"]] for h in data["hotspots"]],
            {1, 2, 3},
        )
    return "\n".join(lines).rstrip("\n") + "\n"


def render_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# -- HTML ----------------------------------------------------------------------------

CHART_W, CHART_H, PAD_L, PAD_R, PAD_T, PAD_B = 1000, 300, 64, 20, 16, 40
BAND_COLORS = {"A": "#e8f5e9", "B": "#f1f8e9", "C": "#fffde7", "D": "#fff3e0", "E": "#ffebee"}


def _x(index: int, count: int) -> float:
    span = CHART_W - PAD_L - PAD_R
    return PAD_L + (span * index / (count - 1) if count > 1 else span / 2)


def _y(value: float, top: float) -> float:
    return PAD_T + (CHART_H - PAD_T - PAD_B) * (1 - value / top if top else 1)


def _ratio_chart(data: dict[str, Any]) -> str:
    rows = data["commits"]
    ratios = [row["debt_ratio"] or 0.0 for row in rows]
    limits = list(data["thresholds"].items())
    top = max(max(ratios, default=0) * 1.15, limits[1][1] if len(limits) > 1 else 0.01)
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' id='ratio-chart' role='img' aria-label='debt ratio per commit' "
        f"viewBox='0 0 {CHART_W} {CHART_H}' width='100%' style='max-width:{CHART_W}px' {svg.FONT} font-size='12'>",
        "<title>debt ratio per commit, over the rating bands</title>",
    ]
    lower = 0.0
    for letter, limit in [*limits, ("E", float("inf"))]:
        upper = min(limit, top)
        if upper > lower:
            y1, y2 = _y(upper, top), _y(lower, top)
            parts.append(
                f"<rect class='band' data-rating='{letter}' x='{PAD_L}' y='{y1:.1f}' width='{CHART_W - PAD_L - PAD_R}' "
                f"height='{y2 - y1:.1f}' fill='{BAND_COLORS[letter]}'/>"
                f"<text x='{CHART_W - PAD_R - 4}' y='{y1 + 14:.1f}' text-anchor='end' fill='#667' font-weight='700'>{letter}</text>"
                f"<text x='{PAD_L - 6}' y='{y1 + 4:.1f}' text-anchor='end' fill='#556'>{fmt.ratio(upper)}</text>"
            )
        lower = limit
        if lower >= top:
            break
    parts.append(_polyline(ratios, top, "#1d2330", "ratio"))
    for index, row in enumerate(rows):
        x, y = _x(index, len(rows)), _y(ratios[index], top)
        color = svg.RATING_COLORS.get(row["rating"], "#777")
        parts.append(
            f"<circle class='point' data-commit='{row['short']}' data-ratio='{row['debt_ratio']}' "
            f"data-rating='{row['rating']}' cx='{x:.1f}' cy='{y:.1f}' r='4' fill='{color}'>"
            f"<title>{escape(row['short'])} {escape(row['date'][:10])}: ratio {fmt.ratio(row['debt_ratio'])}, "
            f"rating {escape(row['rating'])}, debt {fmt.minutes(row['debt_minutes'])}</title></circle>"
        )
    parts.append(_x_axis(rows))
    parts.append("</svg>")
    return "".join(parts)


def _polyline(values: list[float], top: float, color: str, name: str) -> str:
    points = " ".join(f"{_x(i, len(values)):.1f},{_y(v, top):.1f}" for i, v in enumerate(values))
    return f"<polyline class='series' data-series='{escape(name)}' points='{points}' fill='none' stroke='{color}' stroke-width='2'/>"


def _x_axis(rows: list[dict[str, Any]]) -> str:
    step = max(1, len(rows) // 8)
    labels = [
        f"<text x='{_x(index, len(rows)):.1f}' y='{CHART_H - PAD_B + 16}' text-anchor='middle' fill='#556'>"
        f"{escape(rows[index]['date'][:10])}</text>"
        for index in range(0, len(rows), step)
    ]
    axis = f"<line x1='{PAD_L}' y1='{CHART_H - PAD_B}' x2='{CHART_W - PAD_R}' y2='{CHART_H - PAD_B}' stroke='#99a'/>"
    return axis + "".join(labels)


def _debt_chart(data: dict[str, Any]) -> str:
    rows = data["commits"]
    categories = sorted({name for row in rows for name in row["categories"]})
    series = [("total", [float(row["debt_minutes"]) for row in rows], "#1d2330")]
    series += [
        (name, [float(row["categories"].get(name, 0)) for row in rows], svg.PALETTE[index % len(svg.PALETTE)])
        for index, name in enumerate(categories)
    ]
    top = max((max(values, default=0) for _, values, _ in series), default=0) * 1.1 or 60
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' id='debt-chart' role='img' aria-label='debt minutes per commit' "
        f"viewBox='0 0 {CHART_W} {CHART_H}' width='100%' style='max-width:{CHART_W}px' {svg.FONT} font-size='12'>",
        "<title>remediation time per commit, total and per category</title>",
    ]
    for fraction in (0.25, 0.5, 0.75, 1.0):
        y = _y(top * fraction, top)
        parts.append(
            f"<line x1='{PAD_L}' y1='{y:.1f}' x2='{CHART_W - PAD_R}' y2='{y:.1f}' stroke='#e6e8ec'/>"
            f"<text x='{PAD_L - 6}' y='{y + 4:.1f}' text-anchor='end' fill='#556'>{fmt.minutes(top * fraction)}</text>"
        )
    for name, values, color in series:
        parts.append(_polyline(values, top, color, name))
    for index, (name, _, color) in enumerate(series):
        parts.append(
            f"<rect x='{PAD_L + 10 + index * 130}' y='{PAD_T}' width='12' height='12' fill='{color}'/>"
            f"<text x='{PAD_L + 26 + index * 130}' y='{PAD_T + 11}' fill='#223'>{escape(name)}</text>"
        )
    parts.append(_x_axis(rows))
    parts.append("</svg>")
    return "".join(parts)


def render_html(data: dict[str, Any]) -> str:
    rows = data["commits"]
    last = rows[-1] if rows else None
    badge = last["rating"] if last else "-"
    color = svg.RATING_COLORS.get(badge, "#777")
    header = (
        f"<header><div class='badge' id='rating' style='background:{color}'>{escape(badge)}</div><div>"
        f"<h1>ML technical debt history: <code>{escape(data['target'])}</code></h1>"
        f"<div class='sub' id='summary'>{escape(_summary_line(data))}</div>"
        + "".join(f"<div class='sub note'>Note: {escape(note)}</div>" for note in data["notes"])
        + "</div></header>"
    )
    table_rows = []
    for index in range(len(rows) - 1, -1, -1):
        cells = [escape(cell) for cell in _row_cells(rows, index)]
        short = rows[index]["short"]
        cells[1] = f"<code>{cells[1]}</code>"
        cells[2] = (
            f"<span class='rating' style='background:{svg.RATING_COLORS.get(rows[index]['rating'], '#777')}'>{cells[2]}</span>"
        )
        cells[3] = f"<span id='ratio-{short}'>{cells[3]}</span>"
        cells[4] = f"<span id='debt-{short}'>{cells[4]}</span>"
        table_rows.append(cells)
    hot = html_table(
        ["file", "changes", "debt", "changes x debt"],
        [
            [
                f"<code class='p'>{escape(h['path'])}</code>",
                str(h["changes"]),
                fmt.minutes(h["debt_minutes"]),
                str(h["score"]),
            ]
            for h in data["hotspots"]
        ],
        {1, 2, 3},
    )
    thresholds = ", ".join(f"{k} &le; {v * 100:g}%" for k, v in data["thresholds"].items())
    body = (
        header + "<section id='ratio'><h2>Debt ratio per commit</h2>"
        f"<div class='sub'>Background bands: the rating each ratio gets ({thresholds}, E above).</div>"
        + _ratio_chart(data)
        + "</section><section id='debt'><h2>Remediation time per commit</h2>"
        + _debt_chart(data)
        + "</section><section id='hotspots'><h2>Hotspots: change frequency x debt</h2>"
        "<div class='sub'>Debt in files people keep changing costs most; changes counted over the commits shown.</div>"
        + (hot if data["hotspots"] else "<p class='empty'>No file with debt.</p>")
        + "</section><section id='commits'><h2>Commits (newest first)</h2>"
        + html_table(HEADERS, table_rows, {3, 4, 5, 6, 7, 8})
        + "</section>"
    )
    stats = data["stats"]
    footer = (
        f"<footer>Generated by mldebtlint {escape(data['tool']['version'])} at {escape(data['generated_at'])}: "
        f"{stats['commits']} commits, {stats['blobs_analysed']} blobs analysed in {stats['seconds']:g} s. "
        f"History schema {escape(data['schema_version'])}.</footer>"
    )
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>mldebtlint history: {escape(data['target'])}</title><style>{CSS}</style></head><body><main>"
        + body
        + footer
        + "</main></body></html>\n"
    )


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json, "html": render_html}


def render(name: str, data: dict[str, Any]) -> str:
    return RENDERERS[name](data)

"""``report --format html``: one self-contained page (inline CSS and SVG, no
scripts, no network) that a team lead opens on a laptop."""

from __future__ import annotations

from html import escape
from typing import Any

from mldebtlint.report import common as fmt
from mldebtlint.report import svg
from mldebtlint.report.html_parts import card as _card
from mldebtlint.report.html_parts import table as _table
from mldebtlint.report.model import hotspots, items_by_category

CSS = """
*{box-sizing:border-box}
body{margin:0;background:#f5f6f8;color:#1d2330;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1180px;margin:0 auto;padding:20px 24px 40px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:0 0 10px}
.sub{color:#5b6475;font-size:13px}
header{display:flex;gap:20px;align-items:center;margin-bottom:18px}
.badge{width:86px;height:86px;border-radius:14px;color:#fff;font-size:52px;font-weight:700;display:flex;
align-items:center;justify-content:center;flex:none}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin-bottom:18px}
.card{background:#fff;border-radius:10px;padding:12px 14px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.card .v{font-size:24px;font-weight:650}.card .k{color:#5b6475;font-size:13px}
.delta-up{color:#c62828}.delta-down{color:#2e7d32}
section{background:#fff;border-radius:10px;padding:16px 18px;margin-bottom:16px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:16px}
@media (max-width:900px){.grid{grid-template-columns:1fr}}
.grid section{margin-bottom:0}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #e6e8ec;vertical-align:top}
th{color:#5b6475;font-weight:600;font-size:13px}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f0f2f5;padding:1px 4px;border-radius:4px;
white-space:nowrap}
code.p{white-space:normal;overflow-wrap:anywhere}
table.items td:nth-child(3){width:22%}table.items td:nth-child(4){width:38%}
.rating{display:inline-block;width:22px;text-align:center;border-radius:4px;color:#fff;font-weight:700}
.tag{display:inline-block;padding:0 6px;border-radius:4px;font-size:12px;background:#eef3fb;color:#234}
.tag.bad{background:#fdecea;color:#a11}.tag.ok{background:#e8f5e9;color:#1b5e20}
.fix{color:#3d4657;font-size:13px}
.empty{color:#5b6475}
footer{color:#5b6475;font-size:12px;margin-top:10px}
"""


def _rating(letter: str | None) -> str:
    if letter is None:
        return "<span class='sub'>n/a</span>"
    return f"<span class='rating' style='background:{svg.RATING_COLORS.get(letter, '#777')}'>{escape(letter)}</span>"


def _headline(report: dict[str, Any]) -> str:
    s = report["summary"]
    color = svg.RATING_COLORS.get(s["rating"], "#777")
    header = (
        f"<header><div class='badge' id='rating' style='background:{color}'>{escape(s['rating'])}</div><div>"
        f"<h1>ML technical debt report: <code>{escape(report['target'])}</code></h1>"
        f"<div class='sub'>Rating {escape(s['rating'])}: {escape(fmt.rating_meaning(report, s['rating']))}. "
        f"Debt ratio = remediation time / development cost ({escape(fmt.ratio_basis(report))}).</div>"
        f"</div></header>"
    )
    cards = "".join(
        [
            _card(f"<span id='debt-ratio'>{fmt.ratio(s['debt_ratio'])}</span>", "debt ratio"),
            _card(f"<span id='remediation'>{fmt.minutes(s['debt_minutes'])}</span>", "total remediation time"),
            _card(f"<span id='findings'>{s['findings']}</span>", "findings"),
            _card(f"<span id='files'>{s['files']}</span>", f"files ({s['files_with_findings']} with findings)"),
            _card(f"<span id='lines'>{s['lines']}</span>", "lines of code"),
        ]
    )
    untested = s.get("untested_model_modules")
    note = f"<p id='untested-models'>{escape(fmt.untested_models(untested))}</p>" if untested else ""
    return header + f"<div class='cards'>{cards}</div>" + note


def _breakdowns(report: dict[str, Any]) -> str:
    categories = report["categories"]
    chart = svg.bar_chart(
        [
            (c["category"], c["debt_minutes"], f"{fmt.minutes(c['debt_minutes'])} ({fmt.share(c['share'])})")
            for c in categories
        ],
        "debt by category",
    )
    table = _table(
        ["category", "findings", "debt", "ratio", "rating"],
        [
            [
                escape(c["category"]),
                str(c["findings"]),
                fmt.minutes(c["debt_minutes"]),
                fmt.ratio(c["debt_ratio"]),
                _rating(c["rating"]),
            ]
            for c in categories
        ],
        {1, 2, 3},
    )
    rules = report["rules"][:12]
    rule_chart = svg.bar_chart(
        [(r["rule"] or r["code"], r["debt_minutes"], fmt.minutes(r["debt_minutes"])) for r in rules],
        "debt by rule",
        label_width=200,
        keep_end=False,
    )
    rule_table = _table(
        ["code", "rule", "category", "findings", "debt"],
        [
            [
                f"<code>{escape(r['code'])}</code>",
                escape(r["rule"]),
                escape(r["category"]),
                str(r["findings"]),
                fmt.minutes(r["debt_minutes"]),
            ]
            for r in rules
        ],
        {3, 4},
    )
    return (
        f"<div class='grid'><section id='categories'><h2>Debt by category</h2>{chart}{table}</section>"
        f"<section id='rules'><h2>Debt by rule</h2>{rule_chart}{rule_table}</section></div><div style='height:16px'></div>"
    )


def _hotspots(report: dict[str, Any]) -> str:
    files = hotspots(report)
    colors = [svg.RATING_COLORS.get(f["rating"], "#8a93a6") for f in files]
    chart = svg.bar_chart(
        [
            (
                f["path"],
                f["debt_minutes"],
                f"{fmt.minutes(f['debt_minutes'])}, "
                + (f"ratio {fmt.ratio(f['debt_ratio'])}" if f["rating"] is not None else fmt.rules_text(f)),
            )
            for f in files
        ],
        "hotspot files by debt",
        width=1000,
        label_width=320,
        colors=colors,
    )
    table = _table(
        ["file", "lines", "findings", "debt", "ratio", "rating", "rules"],
        [
            [
                f"<code class='p'>{escape(f['path'])}</code>",
                str(f["lines"]) if f["rating"] is not None else "-",
                str(f["findings"]),
                fmt.minutes(f["debt_minutes"]),
                fmt.ratio(f["debt_ratio"]) if f["rating"] is not None else "n/a",
                _rating(f["rating"]),
                escape(fmt.rules_text(f)),
            ]
            for f in files
        ],
        {1, 2, 3, 4},
    )
    return (
        f"<section id='hotspots'><h2>Hotspot files (top {len(files)} of {len(report['files'])})</h2>"
        "<div class='sub'>Bar colour = the file's own rating; a manifest has no lines of code, "
        f"so no ratio (grey), and lists its findings instead.</div>{chart}{table}</section>"
    )


def _items(report: dict[str, Any]) -> str:
    parts = []
    for category, group in items_by_category(report):
        rows = [
            [
                str(i["rank"]),
                fmt.priority(i["priority"]),
                f"<code>{escape(i['code'])}</code> {escape(i['rule'])}"
                + (f" <span class='tag'>&times;{i['count']}</span>" if i.get("count", 1) > 1 else "")
                + f"<div class='sub'>impact {i['impact'] or '-'}, risk {i['risk'] or '-'}, "
                f"debt {fmt.minutes(i['debt_minutes'])}</div>",
                f"<code class='p'>{escape(fmt.lines_text(i))}</code><div>{escape(i['message'])}</div>",
                f"<span class='fix'>{escape(i['fix'] or '-')}</span>",
            ]
            for i in group
        ]
        debt = fmt.minutes(sum(i["debt_minutes"] for i in group))
        parts.append(
            f"<h3>{escape(category)} <span class='sub'>({debt})</span></h3>"
            + _table(["#", "priority", "rule", "where and what", "how to fix"], rows, {0, 1}, "items")
        )
    shown, total = len(report["items"]), report.get("items_total", len(report["items"]))
    return (
        f"<section id='items'><h2>Top {shown} of {total} debt items, by category</h2>"
        f"<div class='sub'>{escape(fmt.PRIORITY_FORMULA[0].upper() + fmt.PRIORITY_FORMULA[1:])}: "
        "the items holding the most harmful debt come first.</div>" + "".join(parts) + "</section>"
    )


def _graph(report: dict[str, Any]) -> str:
    graph = report["model_graph"]
    hot = {(edge["source"], edge["target"]) for edge in graph["edges"] if edge.get("cycle") or edge.get("chain")}
    drawing = svg.model_graph(graph["nodes"], graph["edges"], hot)
    lines = [
        f"<li>chain <code>{escape(fmt.chain_text(c['models']))}</code> at <code>{escape(fmt.location(c))}</code></li>"
        for c in graph["chains"]
    ]
    lines += [
        f"<li><span class='tag bad'>cycle</span> <code>{escape(fmt.cycle_text(c['models']))}</code> "
        f"at <code>{escape(fmt.location(c))}</code></li>"
        for c in graph["cycles"]
    ]
    summary = (
        f"{len(graph['nodes'])} models, {len(graph['edges'])} edges, {len(graph['chains'])} long chains, "
        f"{len(graph['cycles'])} cycles (offending chains and feedback loops in red)."
    )
    body = drawing + (
        f"<ul>{''.join(lines)}</ul>"
        if lines
        else "<p class='empty'>No model consumes another model's outputs through a long chain or a loop.</p>"
    )
    return f"<section id='model-graph'><h2>Model dependency graph</h2><div class='sub'>{summary}</div>{body}</section>"


def _dependencies(report: dict[str, Any]) -> str:
    rows = []
    for framework in report["dependencies"]["frameworks"]:
        for place in framework["requirements"]:
            tag = "bad" if place["flagged"] else "ok"
            rows.append(
                [
                    f"<b>{escape(framework['name'])}</b>",
                    f"<code class='p'>{escape(place['path'])}:{place['line']}</code>",
                    f"<code>{escape(place['specifier'] or '(none)')}</code>",
                    f"<span class='tag {tag}'>{escape(place['status'])}</span>",
                ]
            )
    body = (
        _table(["framework", "required in", "specifier", "pinning"], rows)
        if rows
        else "<p class='empty'>No ML framework requirement found.</p>"
    )
    return f"<section id='dependencies'><h2>Dependency health</h2>{body}</section>"


def render(report: dict[str, Any]) -> str:
    from mldebtlint.report.html_trend import trend_section

    s = report["summary"]
    parts = [_headline(report)]
    if report.get("trend"):
        parts.append(trend_section(report))
    if s["findings"]:
        parts += [_breakdowns(report), _hotspots(report), _items(report)]
    else:
        parts.append("<section><h2>No debt found</h2></section>")
    parts += [_graph(report), _dependencies(report)]
    thresholds = ", ".join(f"{k} &le; {v * 100:g}%" for k, v in report["thresholds"].items())
    footer = (
        f"<footer>Generated by {escape(report['tool']['name'])} {escape(report['tool']['version'])} at "
        f"{escape(report['generated_at'])}. Ratings: {thresholds}, E above. "
        f"Report schema {escape(report['schema_version'])}.</footer>"
    )
    title = f"mldebtlint report: {report['target']} (rating {s['rating']})"
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body><main>"
        + "".join(parts)
        + footer
        + "</main></body></html>\n"
    )

"""The terminal report: aligned tables that fit a 100-column terminal."""

from __future__ import annotations

import textwrap
from typing import Any

from mldebtlint.report import common as fmt
from mldebtlint.report.model import hotspots, items_by_category

WIDTH = 100
INDENT = "  "


def table(headers: list[str], rows: list[list[str]], right: set[int], flex: int | None = None) -> list[str]:
    """Aligned columns; column ``flex`` is shortened so lines fit WIDTH."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    gap = 2
    total = len(INDENT) + sum(widths) + gap * (len(widths) - 1)
    if flex is not None and total > WIDTH:
        widths[flex] = max(len(headers[flex]), widths[flex] - (total - WIDTH))
    lines = []
    for row in [headers, *rows]:
        cells = []
        for index, cell in enumerate(row):
            text = fmt.shorten(str(cell), widths[index], keep_end=index == flex)
            cells.append(text.rjust(widths[index]) if index in right else text.ljust(widths[index]))
        lines.append((INDENT + (" " * gap).join(cells)).rstrip())
    return lines


def _heading(title: str) -> list[str]:
    return ["", title, "-" * len(title)]


def _headline(report: dict[str, Any]) -> list[str]:
    s = report["summary"]
    title = f"mldebtlint report: {report['target']}"
    lines = [fmt.shorten(title, WIDTH), "=" * min(WIDTH, len(title))]
    lines.append(
        f"Rating {s['rating']}  ({fmt.rating_meaning(report, s['rating'])})   debt ratio {fmt.ratio(s['debt_ratio'])}   "
        f"remediation {fmt.minutes(s['debt_minutes'])}"
    )
    lines.append(
        f"{s['findings']} findings in {s['files_with_findings']} of {s['files']} files, "
        f"{s['lines']} lines of code; development cost {fmt.minutes(s['development_minutes'])} "
        f"= {fmt.ratio_basis(report)}"
    )
    if s.get("suppressed"):
        lines.append(f"{s['suppressed']} findings suppressed by comments or per-file-ignores")
    if s.get("untested_model_modules"):
        lines.append(fmt.untested_models(s["untested_model_modules"]))
    return lines


def _categories(report: dict[str, Any]) -> list[str]:
    rows = [
        [
            c["category"],
            str(c["findings"]),
            fmt.minutes(c["debt_minutes"]),
            fmt.share(c["share"]),
            fmt.ratio(c["debt_ratio"]),
            c["rating"],
        ]
        for c in report["categories"]
    ]
    return _heading("Debt by category") + table(
        ["category", "findings", "debt", "share", "ratio", "rating"], rows, {1, 2, 3, 4}
    )


def _rules(report: dict[str, Any]) -> list[str]:
    rows = [
        [r["code"], r["rule"], r["category"], str(r["findings"]), fmt.minutes(r["debt_minutes"]), fmt.share(r["share"])]
        for r in report["rules"]
    ]
    return _heading("Debt by rule") + table(
        ["code", "rule", "category", "findings", "debt", "share"], rows, {3, 4, 5}, flex=1
    )


def _hotspots(report: dict[str, Any]) -> list[str]:
    files = hotspots(report)
    rows = [
        [
            f["path"],
            str(f["lines"]) if f["rating"] is not None else "-",
            str(f["findings"]),
            fmt.minutes(f["debt_minutes"]),
            fmt.ratio(f["debt_ratio"]) if f["rating"] is not None else "n/a",
            fmt.rating(f["rating"]),
            fmt.rules_text(f),
        ]
        for f in files
    ]
    title = f"Hotspot files (top {len(files)} of {len(report['files'])} by debt; manifests have no ratio)"
    return _heading(title) + table(
        ["file", "lines", "findings", "debt", "ratio", "rating", "rules"], rows, {1, 2, 3, 4}, flex=0
    )


def _items(report: dict[str, Any]) -> list[str]:
    items = report["items"]
    lines = _heading(f"Top {len(items)} of {report.get('items_total', len(items))} debt items, by category")
    lines.append(f"{INDENT}{fmt.PRIORITY_FORMULA}")
    for category, group in items_by_category(report):
        lines += ["", f"{INDENT}{category} ({fmt.minutes(sum(i['debt_minutes'] for i in group))})"]
        for item in group:
            count = f" x{item['count']}" if item.get("count", 1) > 1 else ""
            head = (
                f"{item['rank']:>3}. [{fmt.priority(item['priority'])}] {item['code']} {item['rule']}{count}  "
                f"debt {fmt.minutes(item['debt_minutes'])}  impact {item['impact'] or '-'} risk {item['risk'] or '-'}"
            )
            lines.append(fmt.shorten(head, WIDTH))
            lines.append(fmt.shorten(f"       {fmt.lines_text(item)}", WIDTH, keep_end=True))
            lines += textwrap.wrap(item["message"], WIDTH, initial_indent="       ", subsequent_indent="       ")
            if item["fix"]:
                lines += textwrap.wrap(
                    "fix: " + item["fix"], WIDTH, initial_indent="       ", subsequent_indent="            "
                )
    return lines


def _graph(report: dict[str, Any]) -> list[str]:
    graph = report["model_graph"]
    lines = _heading("Model dependency graph")
    lines.append(
        f"{INDENT}{len(graph['nodes'])} models, {len(graph['edges'])} edges, "
        f"{len(graph['chains'])} long chains, {len(graph['cycles'])} cycles"
    )
    for chain in graph["chains"]:
        lines.append(fmt.shorten(f"{INDENT}chain  {fmt.chain_text(chain['models'])}  ({fmt.location(chain)})", WIDTH))
    for cycle in graph["cycles"]:
        lines.append(fmt.shorten(f"{INDENT}cycle  {fmt.cycle_text(cycle['models'])}  ({fmt.location(cycle)})", WIDTH))
    if not graph["chains"] and not graph["cycles"]:
        lines.append(f"{INDENT}no model consumes another model's outputs through a long chain or a loop")
    return lines


def _dependencies(report: dict[str, Any]) -> list[str]:
    frameworks = report["dependencies"]["frameworks"]
    lines = _heading("Dependency health (ML frameworks)")
    if not frameworks:
        return lines + [f"{INDENT}no ML framework requirement found"]
    rows = []
    for framework in frameworks:
        for place in framework["requirements"]:
            status = place["status"] + (" (flagged)" if place["flagged"] else "")
            rows.append([framework["name"], f"{place['path']}:{place['line']}", place["specifier"] or "(none)", status])
    return lines + table(["framework", "required in", "specifier", "pinning"], rows, set(), flex=1)


def _trend(report: dict[str, Any]) -> list[str]:
    trend = report.get("trend")
    if not trend:
        return []
    before = trend["previous"]
    label = before["label"] or before["generated_at"]
    lines = _heading(f"Trend since {label}")
    lines.append(
        f"{INDENT}rating {before['rating']} -> {report['summary']['rating']}   debt {fmt.signed_minutes(trend['debt_delta'])}   "
        f"ratio {fmt.signed_ratio(trend['debt_ratio_delta'])}   findings {fmt.signed(trend['findings_delta'])} "
        f"({trend['new_count']} new, {trend['fixed_count']} fixed"
        + (f", {trend['unchecked_count']} not checked (parse error)" if trend.get("unchecked_count") else "")
        + ")"
    )
    for title, key, rows in (
        ("category", "category", trend["categories"]),
        ("rule", "code", trend["rules"]),
        ("file", "path", trend["files"][:10]),
    ):
        if rows:
            lines.append("")
            lines += table(
                [title, "debt before", "debt after", "change", "findings"],
                [fmt.delta_cells(r, key) for r in rows],
                {1, 2, 3, 4},
                flex=0,
            )
    if trend["new"] or trend["fixed"] or trend.get("unchecked"):
        lines.append("")
    for title, findings in (
        ("new", trend["new"]),
        ("fixed", trend["fixed"]),
        ("not checked", trend.get("unchecked", [])),
    ):
        for finding in findings[:10]:
            lines.append(
                fmt.shorten(
                    f"{INDENT}{title:<5}  {finding['code']}  {fmt.location(finding)}  {finding['message']}", WIDTH
                )
            )
    return lines


def render(report: dict[str, Any]) -> str:
    lines = _headline(report)
    if report["summary"]["findings"]:
        lines += _categories(report) + _rules(report) + _hotspots(report) + _items(report)
    else:
        lines += ["", "No debt found."]
    lines += _graph(report) + _dependencies(report) + _trend(report)
    # A last guard: a very long target path or rule name must not wrap the terminal.
    return "\n".join(fmt.shorten(line, WIDTH) for line in lines) + "\n"

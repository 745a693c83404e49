"""``report --format markdown``: GitHub-flavoured markdown for a PR comment or a wiki."""

from __future__ import annotations

from typing import Any

from mldebtlint.report import common as fmt
from mldebtlint.report.model import hotspots, items_by_category


def _cell(value: Any) -> str:
    """Escape what would break a table cell."""
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _code(value: Any) -> str:
    return "`" + str(value).replace("`", "'") + "`"


def table(headers: list[str], rows: list[list[Any]], right: frozenset[int] | set[int] = frozenset()) -> list[str]:
    align = ["---:" if index in right else "---" for index in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows]
    return lines + [""]


def _headline(report: dict[str, Any]) -> list[str]:
    s = report["summary"]
    return [
        f"## mldebtlint report: {_code(report['target'])}",
        "",
        f"**Rating {s['rating']}** ({fmt.rating_meaning(report, s['rating'])}) · debt ratio **{fmt.ratio(s['debt_ratio'])}** · "
        f"remediation **{fmt.minutes(s['debt_minutes'])}**",
        "",
        f"Development cost = {fmt.ratio_basis(report)}.",
        "",
        *table(
            ["findings", "files with findings", "files", "lines of code", "development cost"],
            [[s["findings"], s["files_with_findings"], s["files"], s["lines"], fmt.minutes(s["development_minutes"])]],
            {0, 1, 2, 3, 4},
        ),
        *([fmt.untested_models(s["untested_model_modules"]), ""] if s.get("untested_model_modules") else []),
    ]


def _breakdowns(report: dict[str, Any]) -> list[str]:
    lines = ["### Debt by category", ""]
    lines += table(
        ["category", "findings", "debt", "share", "ratio", "rating"],
        [
            [
                c["category"],
                c["findings"],
                fmt.minutes(c["debt_minutes"]),
                fmt.share(c["share"]),
                fmt.ratio(c["debt_ratio"]),
                c["rating"],
            ]
            for c in report["categories"]
        ],
        {1, 2, 3, 4},
    )
    lines += ["### Debt by rule", ""]
    lines += table(
        ["code", "rule", "category", "findings", "debt", "share"],
        [
            [r["code"], r["rule"], r["category"], r["findings"], fmt.minutes(r["debt_minutes"]), fmt.share(r["share"])]
            for r in report["rules"]
        ],
        {3, 4, 5},
    )
    files = hotspots(report)
    lines += [f"### Hotspot files (top {len(files)} of {len(report['files'])})", ""]
    lines += table(
        ["file", "lines", "findings", "debt", "ratio", "rating", "rules"],
        [
            [
                _code(f["path"]),
                f["lines"] if f["rating"] is not None else "-",
                f["findings"],
                fmt.minutes(f["debt_minutes"]),
                fmt.ratio(f["debt_ratio"]) if f["rating"] is not None else "n/a",
                fmt.rating(f["rating"]),
                fmt.rules_text(f),
            ]
            for f in files
        ],
        {1, 2, 3, 4},
    )
    return lines


def _items(report: dict[str, Any]) -> list[str]:
    lines = [
        f"### Top {len(report['items'])} of {report.get('items_total', len(report['items']))} debt items, by category",
        "",
        fmt.PRIORITY_FORMULA[0].upper() + fmt.PRIORITY_FORMULA[1:] + ".",
        "",
    ]
    for category, group in items_by_category(report):
        lines += [f"**{category}** ({fmt.minutes(sum(i['debt_minutes'] for i in group))})", ""]
        rows = [
            [
                item["rank"],
                fmt.priority(item["priority"]),
                f"{item['code']} {item['rule']}" + (f" ×{item['count']}" if item.get("count", 1) > 1 else ""),
                _code(fmt.lines_text(item)),
                item["message"],
                fmt.minutes(item["debt_minutes"]),
                item["fix"] or "-",
            ]
            for item in group
        ]
        lines += table(["#", "priority", "rule", "location", "finding", "debt", "how to fix"], rows, {0, 1, 5})
    return lines


def _graph(report: dict[str, Any]) -> list[str]:
    graph = report["model_graph"]
    lines = [
        "### Model dependency graph",
        "",
        f"{len(graph['nodes'])} models, {len(graph['edges'])} edges, {len(graph['chains'])} long chains, "
        f"{len(graph['cycles'])} cycles.",
        "",
    ]
    for chain in graph["chains"]:
        lines.append(f"- chain {_code(fmt.chain_text(chain['models']))} at {_code(fmt.location(chain))}")
    for cycle in graph["cycles"]:
        lines.append(f"- **cycle** {_code(fmt.cycle_text(cycle['models']))} at {_code(fmt.location(cycle))}")
    if graph["edges"]:
        lines += ["", "```mermaid", "graph LR"]
        ids = {node["id"]: f"m{index}" for index, node in enumerate(graph["nodes"])}
        lines += [f'  {ids[node["id"]]}["{node.get("label") or node["id"]}"]' for node in graph["nodes"]]
        lines += [
            f"  {ids[e['source']]} --> {ids[e['target']]}"
            for e in graph["edges"]
            if e["source"] in ids and e["target"] in ids
        ]
        lines.append("```")
    return lines + [""]


def _dependencies(report: dict[str, Any]) -> list[str]:
    lines = ["### Dependency health (ML frameworks)", ""]
    rows = [
        [
            framework["name"],
            _code(f"{place['path']}:{place['line']}"),
            _code(place["specifier"] or "(none)"),
            place["status"] + (" ⚠" if place["flagged"] else ""),
        ]
        for framework in report["dependencies"]["frameworks"]
        for place in framework["requirements"]
    ]
    if not rows:
        return lines + ["No ML framework requirement found.", ""]
    return lines + table(["framework", "required in", "specifier", "pinning"], rows)


def _trend(report: dict[str, Any]) -> list[str]:
    trend = report.get("trend")
    if not trend:
        return []
    before = trend["previous"]
    lines = [
        f"### Trend since {_code(before['label'] or before['generated_at'])}",
        "",
        f"Rating {before['rating']} → {report['summary']['rating']}, debt {fmt.signed_minutes(trend['debt_delta'])}, "
        f"ratio {fmt.signed_ratio(trend['debt_ratio_delta'])}, findings {fmt.signed(trend['findings_delta'])} "
        f"({trend['new_count']} new, {trend['fixed_count']} fixed"
        + (f", {trend['unchecked_count']} not checked (parse error)" if trend.get("unchecked_count") else "")
        + ").",
        "",
    ]
    for title, key, rows in (
        ("category", "category", trend["categories"]),
        ("rule", "code", trend["rules"]),
        ("file", "path", trend["files"]),
    ):
        if rows:
            lines += table(
                [title, "debt before", "debt after", "change", "findings change"],
                [fmt.delta_cells(r, key) for r in rows],
                {1, 2, 3, 4},
            )
    for title, findings in (
        ("New findings", trend["new"]),
        ("Fixed findings", trend["fixed"]),
        ("Not checked (parse error)", trend.get("unchecked", [])),
    ):
        if findings:
            lines += [f"**{title}**", ""]
            lines += [f"- {f['code']} {_code(fmt.location(f))} {f['message']}" for f in findings]
            lines.append("")
    return lines


def render(report: dict[str, Any]) -> str:
    lines = _headline(report)
    if report["summary"]["findings"]:
        lines += _breakdowns(report) + _items(report)
    lines += _graph(report) + _dependencies(report) + _trend(report)
    return "\n".join(lines).rstrip("\n") + "\n"

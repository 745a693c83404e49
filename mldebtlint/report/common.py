"""Small formatting helpers shared by the report renderers."""

from __future__ import annotations

from typing import Any

from mldebtlint.core.scoring import format_minutes, format_ratio

PRIORITY_FORMULA = "priority = impact x risk x debt hours (identical items in one file merged, their debt summed)"


def rating_meaning(report: dict[str, Any], letter: str) -> str:
    """What ``letter`` means under the report's own boundaries."""
    thresholds = report.get("thresholds") or {}
    if letter in thresholds:
        return f"debt ratio at most {thresholds[letter] * 100:g}%"
    if thresholds:
        return f"debt ratio above {max(thresholds.values()) * 100:g}%"
    return ""


def ratio_basis(report: dict[str, Any]) -> str:
    """One line: what the ratio weighs the debt against."""
    s = report["summary"]
    model = s.get("ratio_model", "sqale")
    lines = s.get("ratio_lines", s["lines"])
    what = "lines of ML code" if model == "ml-code" and lines == s.get("ml_lines") else "lines of code"
    return f"{lines} {what} x {s['minutes_per_line']:g} min ({model} ratio)"


def rating(value: Any) -> str:
    return "n/a" if value is None else str(value)


def rules_text(row: dict[str, Any]) -> str:
    """``MLD301 x2, MLD104`` for a file row's findings."""
    return ", ".join(f"{r['code']} x{r['findings']}" if r["findings"] > 1 else r["code"] for r in row.get("rules", []))


def lines_text(item: dict[str, Any], limit: int = 6) -> str:
    """``src/a.py:3`` or ``src/a.py:3,9,14 (3x)`` for a merged item; in a notebook
    ``nb.ipynb, cell 3, line 2`` or ``nb.ipynb, cells 3:2,5:1 (2x)``."""
    lines = item.get("lines") or [item["line"]]
    cells = item.get("cells")
    if cells is None and item.get("cell") is not None:
        cells = [item["cell"]]
    if cells and len(lines) == 1:
        return location({**item, "cell": cells[0], "line": lines[0]})
    places = [f"{cell}:{line}" for cell, line in zip(cells, lines)] if cells else [str(line) for line in lines]
    shown = ",".join(places[:limit]) + (",..." if len(places) > limit else "")
    where = f"{item['path']}, cells {shown}" if cells else f"{item['path']}:{shown}"
    return where + (f" ({len(lines)}x)" if len(lines) > 1 else "")


def minutes(value: Any) -> str:
    return format_minutes(value or 0)


def ratio(value: Any) -> str:
    return format_ratio(value)


def share(value: Any) -> str:
    return f"{(value or 0) * 100:.0f}%"


def signed_minutes(value: Any) -> str:
    value = value or 0
    if value == 0:
        return "0min"
    sign = "+" if value > 0 else "-"
    return sign + format_minutes(abs(value))


def signed(value: Any) -> str:
    value = value or 0
    if isinstance(value, float) and not value.is_integer():
        return f"{value:+.2f}"
    return f"{int(value):+d}"


def signed_ratio(value: Any) -> str:
    if value is None:
        return "n/a"
    return f"{value * 100:+.1f} pts"


def priority(value: Any) -> str:
    return f"{value:.1f}" if isinstance(value, (int, float)) else "-"


def shorten(text: str, width: int, keep_end: bool = False) -> str:
    """Fit ``text`` into ``width`` characters with an ellipsis ("..." ASCII)."""
    if len(text) <= width:
        return text
    if width <= 3:
        return text[:width]
    if keep_end:  # paths: the file name matters more than the top folders
        return "..." + text[-(width - 3) :]
    return text[: width - 3] + "..."


def location(item: dict[str, Any]) -> str:
    """``train.py:12``; in a notebook ``nb.ipynb, cell 3, line 2`` (cells count markdown cells)."""
    if item.get("cell") is not None:
        return f"{item['path']}, cell {item['cell']}, line {item['line']}"
    return f"{item['path']}:{item['line']}"


def chain_text(models: list[str]) -> str:
    return " -> ".join(models) if models else "(unnamed)"


def cycle_text(models: list[str]) -> str:
    if not models:
        return "(unnamed)"
    loop = list(models)
    if loop[0] != loop[-1]:
        loop.append(loop[0])
    return " -> ".join(loop)


def untested_models(summary: dict[str, Any]) -> str:
    """The headline sentence of MLD701: ``3 model modules have no test (the repo has no tests at all)``."""
    count = summary["modules"]
    noun = "model module has" if count == 1 else "model modules have"
    tail = " (the repo has no tests at all)" if not summary["repo_has_tests"] else ""
    return f"{count} {noun} no test{tail}"


def delta_cells(row: dict, key: str) -> list[str]:
    """One row of a trend table: the name, debt before and after, and the changes."""
    return [
        row[key],
        minutes(row["debt_before"]),
        minutes(row["debt_after"]),
        signed_minutes(row["debt_delta"]),
        signed(row["findings_delta"]),
    ]

"""Inline SVG charts for the HTML report: bar charts and the model graph.

Plain strings, no dependencies, no scripts: the page must render offline and
in a headless browser exactly as it does on a laptop.
"""

from __future__ import annotations

from html import escape
from typing import Any

PALETTE = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#eeca3b", "#9d755d", "#bab0ac")
RATING_COLORS = {"A": "#2e7d32", "B": "#7cb342", "C": "#f9a825", "D": "#ef6c00", "E": "#c62828"}
MAX_DRAWN_NODES = 60
FONT = "font-family='system-ui, -apple-system, Segoe UI, Roboto, sans-serif'"


LABEL_CHARS = 36  # a model label's longest drawn form (``module:name``)


def _label(text: str, limit: int, keep_end: bool = True) -> str:
    """Shorten with an ellipsis; paths keep their end (the file name)."""
    if len(text) <= limit:
        return text
    return "\u2026" + text[-(limit - 1) :] if keep_end else text[: limit - 1] + "\u2026"


def bar_chart(
    rows: list[tuple[str, float, str]],
    title: str,
    width: int = 560,
    label_width: int = 200,
    color: str | None = None,
    colors: list[str] | None = None,
    keep_end: bool = True,
) -> str:
    """Horizontal bars: ``rows`` are (label, value, value text)."""
    row_height, top = 26, 8
    height = top * 2 + row_height * max(1, len(rows))
    biggest = max((value for _, value, _ in rows), default=0) or 1
    # Room right of the longest bar for its value text (~7 px per character).
    text_room = 12 + 7 * max((len(text) for _, _, text in rows), default=4)
    bar_space = max(40, width - label_width - text_room)
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' role='img' aria-label='{escape(title)}' "
        f"viewBox='0 0 {width} {height}' width='100%' style='max-width:{width}px' {FONT} font-size='13'>",
        f"<title>{escape(title)}</title>",
    ]
    if not rows:
        parts.append(f"<text x='4' y='{top + 17}' fill='#666'>nothing to show</text>")
    for index, (label, value, value_text) in enumerate(rows):
        y = top + index * row_height
        fill = (colors[index] if colors else color) or PALETTE[index % len(PALETTE)]
        length = max(2.0, bar_space * value / biggest) if value > 0 else 0
        parts.append(
            f"<g><title>{escape(label)}: {escape(value_text)}</title>"
            f"<text x='{label_width - 8}' y='{y + 17}' text-anchor='end' fill='#222'>{escape(_label(label, label_width // 7, keep_end))}</text>"
            f"<rect x='{label_width}' y='{y + 4}' width='{length:.1f}' height='{row_height - 8}' rx='3' fill='{fill}'/>"
            f"<text x='{label_width + length + 6:.1f}' y='{y + 17}' fill='#333'>{escape(value_text)}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def delta_chart(rows: list[tuple[str, float, str]], title: str, width: int = 560, label_width: int = 200) -> str:
    """Diverging bars around zero: debt added (red, right) or paid off (green, left)."""
    row_height, top = 26, 8
    height = top * 2 + row_height * max(1, len(rows))
    biggest = max((abs(value) for _, value, _ in rows), default=0) or 1
    half = (width - label_width - 20) / 2
    axis = label_width + half
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' role='img' aria-label='{escape(title)}' "
        f"viewBox='0 0 {width} {height}' width='100%' style='max-width:{width}px' {FONT} font-size='13'>",
        f"<title>{escape(title)}</title>",
        f"<line x1='{axis}' y1='0' x2='{axis}' y2='{height}' stroke='#999'/>",
    ]
    for index, (label, value, value_text) in enumerate(rows):
        y = top + index * row_height
        length = (half - 60) * abs(value) / biggest
        x = axis if value >= 0 else axis - length
        fill = "#c62828" if value > 0 else "#2e7d32"
        text_x = axis + length + 5 if value >= 0 else axis - length - 5
        anchor = "start" if value >= 0 else "end"
        parts.append(
            f"<g><title>{escape(label)}: {escape(value_text)}</title>"
            f"<text x='{label_width - 8}' y='{y + 17}' text-anchor='end' fill='#222'>{escape(_label(label, 28))}</text>"
            f"<rect x='{x:.1f}' y='{y + 4}' width='{max(length, 1):.1f}' height='{row_height - 8}' rx='3' fill='{fill}'/>"
            f"<text x='{text_x:.1f}' y='{y + 17}' text-anchor='{anchor}' fill='#333'>{escape(value_text)}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _layers(nodes: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Longest-path layering, bounded so that cycles cannot loop forever."""
    layer = {node: 0 for node in nodes}
    for _ in range(len(nodes)):
        changed = False
        for source, target in edges:
            if layer[target] < layer[source] + 1 and layer[source] + 1 < len(nodes):
                layer[target] = layer[source] + 1
                changed = True
        if not changed:
            break
    return layer


def model_graph(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]], hot_edges: set[tuple[str, str]], width: int = 900
) -> str:
    """Models (and the data artifacts between them) left to right by depth;
    edges on a cycle in red. Nodes without edges are left out of the drawing,
    and at most MAX_DRAWN_NODES are drawn."""
    kinds = {node["id"]: node.get("kind", "model") for node in nodes}
    labels = {node["id"]: str(node.get("label") or node["id"]) for node in nodes}
    pairs = [(e["source"], e["target"]) for e in edges if e["source"] in kinds and e["target"] in kinds]
    names: list[str] = []
    for pair in pairs:
        names += [name for name in pair if name not in names]
    names = names[:MAX_DRAWN_NODES]
    pairs = [(a, b) for a, b in pairs if a in names and b in names]
    if not names:
        return ""
    layer = _layers(names, pairs)
    columns: dict[int, list[str]] = {}
    for name in names:
        columns.setdefault(layer[name], []).append(name)
    count = max(columns) + 1
    # Boxes as wide as the longest label needs (12px text: about 7.5px a character,
    # wider glyphs included), between 150 and 300px; longer labels are shortened.
    longest = max(len(_label(labels[name], LABEL_CHARS)) for name in names)
    box_w, box_h, gap_y = int(min(300, max(150, longest * 7.5 + 24))), 34, 26
    step_x = max(box_w + 40, (width - box_w - 20) / max(1, count - 1)) if count > 1 else 0
    height = 30 + max(len(col) for col in columns.values()) * (box_h + gap_y)
    width = max(width, int(20 + step_x * (count - 1) + box_w))
    where = {}
    for depth, column in columns.items():
        for row, name in enumerate(column):
            where[name] = (10 + depth * step_x, 20 + row * (box_h + gap_y))
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' role='img' aria-label='model dependency graph' "
        f"viewBox='0 0 {width} {height}' width='100%' style='max-width:{width}px' {FONT} font-size='12'>",
        "<title>model dependency graph</title><defs>"
        "<marker id='arrow' viewBox='0 0 10 10' refX='10' refY='5' markerWidth='7' markerHeight='7' orient='auto'>"
        "<path d='M0,0 L10,5 L0,10 z' fill='#555'/></marker>"
        "<marker id='arrow-hot' viewBox='0 0 10 10' refX='10' refY='5' markerWidth='7' markerHeight='7' orient='auto'>"
        "<path d='M0,0 L10,5 L0,10 z' fill='#c62828'/></marker></defs>",
    ]
    for source, target in pairs:
        (x1, y1), (x2, y2) = where[source], where[target]
        hot = (source, target) in hot_edges
        stroke, marker = ("#c62828", "arrow-hot") if hot else ("#555", "arrow")
        if x2 > x1:
            path = f"M{x1 + box_w:.1f},{y1 + box_h / 2:.1f} L{x2:.1f},{y2 + box_h / 2:.1f}"
        else:  # a back edge (closes a cycle): arc below the boxes
            bottom = max(y1, y2) + box_h + gap_y * 0.8
            path = (
                f"M{x1 + box_w / 2:.1f},{y1 + box_h:.1f} C{x1 + box_w / 2:.1f},{bottom:.1f} "
                f"{x2 + box_w / 2:.1f},{bottom:.1f} {x2 + box_w / 2:.1f},{y2 + box_h:.1f}"
            )
        parts.append(
            f"<path d='{path}' fill='none' stroke='{stroke}' stroke-width='{2 if hot else 1.5}' "
            f"marker-end='url(#{marker})'><title>{escape(labels[source])} \u2192 {escape(labels[target])}</title></path>"
        )
    for name, (x, y) in where.items():
        fill, stroke = ("#f3f3f3", "#999") if kinds[name] == "data" else ("#eef3fb", "#4c78a8")
        parts.append(
            f"<g><title>{escape(kinds[name])}: {escape(labels[name])}</title><rect x='{x:.1f}' y='{y:.1f}' "
            f"width='{box_w}' height='{box_h}' rx='{14 if kinds[name] == 'data' else 6}' fill='{fill}' stroke='{stroke}'/><text x='{x + box_w / 2:.1f}' y='{y + box_h / 2 + 4:.1f}' "
            f"text-anchor='middle' fill='#123'>{escape(_label(labels[name], LABEL_CHARS))}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)

"""Small formatting helpers shared by the report renderers."""

from __future__ import annotations

from typing import Any

from mldebtlint.core.scoring import format_minutes, format_ratio

RATING_MEANING = {
    "A": "debt ratio at most 5%",
    "B": "debt ratio at most 10%",
    "C": "debt ratio at most 20%",
    "D": "debt ratio at most 50%",
    "E": "debt ratio above 50%",
}


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

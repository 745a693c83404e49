"""Small HTML building blocks shared by the report page and its trend section."""

from __future__ import annotations

from html import escape


def table(
    headers: list[str], rows: list[list[str]], numeric: frozenset[int] | set[int] = frozenset(), cls: str = ""
) -> str:
    """Cells in ``rows`` are already-escaped HTML."""
    head = "".join(
        f"<th class='n'>{escape(h)}</th>" if i in numeric else f"<th>{escape(h)}</th>" for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(f"<td class='n'>{c}</td>" if i in numeric else f"<td>{c}</td>" for i, c in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return f"<table class='{cls}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def card(value: str, label: str, extra: str = "") -> str:
    return f"<div class='card'><div class='v'>{value}</div><div class='k'>{escape(label)}</div>{extra}</div>"

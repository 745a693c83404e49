"""Reusing the repo phase's reports when files changed only in positions.

A repo rule is a function of every file's facts. When a file is edited
without changing what its facts say (a line inserted above a model save, a
comment, a reformatted call), its facts differ only in positions, and the
rules would report the same things, moved. ``position_map`` pairs the old
and the new facts of such a file and returns how its positions moved, or
None when anything else differs; ``remap`` moves the stored reports with it,
or returns None when one of their positions is not accounted for. Either
None means: run the repo rules again.

Positions are the integers under the keys in ``POSITION_KEYS`` (anywhere
below them), with ``column``/``end_column`` read as columns of the
``line``/``end_line`` beside them. Every other value must be equal, in the
same order. The move must keep the order of positions (rules sort sites by
path, then line and column, and keep the first), and a number outside those
keys that equals a moved line, or a reported message, note, scope or data
value naming a moved line, forbids the reuse (it may be a position the keys
do not cover).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mldebtlint.core.types import Fix, Related

# Keys whose integers are line numbers (anywhere below them), or columns.
POSITION_KEYS = frozenset({"line", "end_line", "column", "end_column", "split", "call", "splits", "related"})
COLUMN_KEYS = frozenset({"column", "end_column"})
_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class RepoReport:
    """One repo-rule report, as stored in the cache (plain data: no libcst)."""

    code: str
    path: str  # root-relative
    message: str
    line: int
    column: int
    end_line: int
    end_column: int
    data: dict[str, Any]
    scope: str
    related: tuple[Related, ...]
    fix: Fix | None


@dataclass
class PositionMap:
    """How one file's positions moved: old line -> new line, old (line, column) -> new."""

    lines: dict[int, int] = field(default_factory=dict)
    points: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    # Integers outside the position keys (each must not be a moved line).
    others: set[int] = field(default_factory=set)

    def moved(self) -> set[int]:
        return {old for old, new in self.lines.items() if old != new}


class _Differ(Exception):
    pass


def position_map(old: Any, new: Any) -> PositionMap | None:
    """How positions moved from ``old`` facts to ``new`` ones, if nothing else changed."""
    found = PositionMap()
    try:
        _pair(old, new, None, found)
    except _Differ:
        return None
    if not _monotonic(found.lines) or not _monotonic(found.points):
        return None
    if found.others & found.moved():
        return None
    return found


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _add(table: dict, old: Any, new: Any) -> None:
    if table.setdefault(old, new) != new:
        raise _Differ  # one old position, two new ones


def _pair(old: Any, new: Any, kind: str | None, found: PositionMap) -> None:
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        old, new = dict(old), dict(new)
    if type(old) is not type(new):
        raise _Differ
    if isinstance(old, dict):
        if list(old) != list(new):
            raise _Differ
        for key, value in old.items():
            if kind is None and key in COLUMN_KEYS:
                continue  # read with its line below
            _pair(value, new[key], kind or ("line" if key in POSITION_KEYS else None), found)
        if kind is None:
            for line_key, column_key in (("line", "column"), ("end_line", "end_column")):
                if column_key not in old:
                    continue
                line, column, new_line, new_column = (
                    old.get(line_key),
                    old[column_key],
                    new.get(line_key),
                    new[column_key],
                )
                if not (_is_int(line) and _is_int(column) and _is_int(new_line) and _is_int(new_column)):
                    _pair(column, new_column, None, found)  # a column without its line: must not move
                    continue
                _add(found.points, (line, column), (new_line, new_column))
        return
    if isinstance(old, (list, tuple)):
        if len(old) != len(new):
            raise _Differ
        for a, b in zip(old, new):
            _pair(a, b, kind, found)
        return
    if _is_int(old):
        if kind == "line":
            _add(found.lines, old, new)
            return
        found.others.add(old)
    if old != new:
        raise _Differ


def _monotonic(table: dict) -> bool:
    """The move keeps the order of positions (and never merges two)."""
    ordered = [table[key] for key in sorted(table)]
    return all(a < b for a, b in zip(ordered, ordered[1:]))


def remap(reports: Iterable[RepoReport], maps: Mapping[str, PositionMap]) -> list[RepoReport] | None:
    """``reports`` with the positions in the files of ``maps`` moved, or None if
    one of those positions is not one the facts account for."""
    moved_by_path = {path: {str(line) for line in table.moved()} for path, table in maps.items()}
    out = []
    for report in reports:
        touched = [path for path in maps if report.path == path or any(item.path == path for item in report.related)]
        if not touched:
            out.append(report)
            continue
        moved = set().union(*(moved_by_path[path] for path in touched))
        if moved and _names_any(report, moved):
            return None
        line, column, end_line, end_column = report.line, report.column, report.end_line, report.end_column
        table = maps.get(report.path)
        if table is not None and (line or column):
            start = table.points.get((line, column))
            end = table.points.get((end_line, end_column))
            if start is None or end is None:
                return None
            (line, column), (end_line, end_column) = start, end
        related = []
        for item in report.related:
            other = maps.get(item.path)
            if other is not None:
                if item.line not in other.lines:
                    return None
                item = Related(item.path, other.lines[item.line], item.note, item.cell)
            related.append(item)
        out.append(
            RepoReport(
                report.code,
                report.path,
                report.message,
                line,
                column,
                end_line,
                end_column,
                report.data,
                report.scope,
                tuple(related),
                report.fix,  # repo rules attach no edits (they would need moving too)
            )
        )
    return out


def _names_any(report: RepoReport, moved: set[str]) -> bool:
    """Does the report's text or data carry a number that is a moved line?"""
    texts = [report.message, report.scope, *(item.note for item in report.related), repr(report.data)]
    return any(number in moved for text in texts for number in _NUMBER.findall(text))

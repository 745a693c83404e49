"""Applying the edits of several fixes to one text (ruff's model).

Fixes are taken in finding order. A fix is applied whole or not at all: if
one of its edits overlaps an edit already taken (two replacements sharing
characters, or an insertion strictly inside a replaced span) the fix is left
for the next pass. An edit identical to one already taken (the shared blank
line of a block of hoisted constants) is applied once. Insertions at one point
keep the order in which they were taken, before a replacement that starts
there. Positions are 1-based (line, column) in characters, lines split where
Python splits them (``\\r\\n``, ``\\r``, ``\\n``); an end one line past the
last line, column 1, is the end of the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from mldebtlint.core.types import Edit, Fix

_LINE_END = re.compile(r"\r\n|\r|\n")


def line_starts(text: str) -> list[tuple[int, int]]:
    """(first offset, offset of the line break or the end) of each line of ``text``."""
    lines, begin = [], 0
    for match in _LINE_END.finditer(text):
        lines.append((begin, match.start()))
        begin = match.end()
    lines.append((begin, len(text)))
    return lines


def _offset(lines: list[tuple[int, int]], text: str, line: int, column: int) -> int | None:
    if line == len(lines) + 1 and column == 1:  # one line past the last: the end of the text
        return len(text)
    if not 0 < line <= len(lines):
        return None
    begin, end = lines[line - 1]
    return begin + column - 1 if 0 < column <= end - begin + 1 else None


@dataclass(frozen=True)
class Applied:
    text: str
    applied: tuple[int, ...]  # indexes of the fixes applied
    overlapping: tuple[int, ...]  # left for the next pass
    invalid: tuple[int, ...]  # an edit outside the text


def spans(
    text: str, edits: Sequence[Edit], starts: list[tuple[int, int]] | None = None
) -> list[tuple[int, int, str]] | None:
    """``edits`` as (start, end, content) offsets of ``text``; None if one lies outside it."""
    starts = starts if starts is not None else line_starts(text)
    out = []
    for edit in edits:
        start = _offset(starts, text, edit.line, edit.column)
        end = _offset(starts, text, edit.end_line, edit.end_column)
        if start is None or end is None or end < start:
            return None
        out.append((start, end, edit.content))
    return out


def _overlap(a: tuple[int, int, str], b: tuple[int, int, str]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def apply_fixes(text: str, fixes: Sequence[Fix]) -> Applied:
    """``text`` with the edits of ``fixes`` (in order) that do not overlap the ones before."""
    starts = line_starts(text)
    taken: list[tuple[int, int, str]] = []
    seen: set[tuple[int, int, str]] = set()
    applied, overlapping, invalid = [], [], []
    for index, fix in enumerate(fixes):
        found = spans(text, fix.edits, starts)
        if found is None:
            invalid.append(index)
            continue
        new = [span for span in dict.fromkeys(found) if span not in seen]
        clash = any(_overlap(a, b) for a in new for b in taken) or any(
            _overlap(a, b) for i, a in enumerate(new) for b in new[i + 1 :]
        )
        if clash:
            overlapping.append(index)
            continue
        taken.extend(new)
        seen.update(new)
        applied.append(index)
    order = sorted(range(len(taken)), key=lambda i: (taken[i][0], taken[i][1], i))
    pieces, cursor = [], 0
    for i in order:
        start, end, content = taken[i]
        pieces += [text[cursor:start], content]
        cursor = end
    pieces.append(text[cursor:])
    return Applied("".join(pieces), tuple(applied), tuple(overlapping), tuple(invalid))

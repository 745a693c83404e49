"""Reading a notebook file (``*.ipynb``) with the standard library's ``json``.

No nbformat at run time: a small scanner walks the JSON bytes with regular
expressions and ``bytes.find``, decodes only the top-level ``metadata``/
``nbformat`` and each cell's ``cell_type`` and ``source``, and skips everything
else (outputs, attachments, widget state) without decoding it, so a notebook
with 50 MB of embedded images costs about one more pass over its bytes. It
records where each source string sits in the file: the line of the ``.ipynb``
text holding each source line (for SARIF, GitHub, GitLab, JUnit and diff mode)
and the byte span a fix rewrites (``mldebtlint.engine.notebook_edit``).
nbformat 4.x with or without cell ids, sources as lists or strings; nbformat 3
(``worksheets``) is refused with a message.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field


class NotebookError(ValueError):
    """The file is not a notebook we can read (the message says why)."""


# -- reading the JSON text ------------------------------------------------------

_WHITESPACE = re.compile(rb"[ \t\n\r]*")
_SCALAR = re.compile(rb"[^\s,\]}]+")
_STRUCTURE = re.compile(rb'["\[\]{}]')
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Cell:
    number: int  # 1-based among all cells (markdown cells count)
    kind: str  # "code", "markdown", "raw"
    lines: tuple[str, ...]  # source lines without their line breaks
    endings: tuple[str, ...]  # the line break of each line ("" for a last line without one)
    file_lines: tuple[int, ...]  # line of the .ipynb text holding each source line
    value_span: tuple[int, int]  # byte offsets of the ``source`` value in the file
    tokens: tuple[tuple[int, int], ...]  # byte offsets of each string of the source value
    is_list: bool  # the source is a JSON array of strings (else one string)


@dataclass(frozen=True)
class Notebook:
    data: bytes  # the file as read
    cells: tuple[Cell, ...]
    language: str  # "python" unless the kernel says otherwise
    ascii_only: bool  # the sources are written with \\uXXXX escapes (json.dumps ensure_ascii)

    @property
    def is_python(self) -> bool:
        return self.language in ("python", "python3", "ipython", "")


class _Scanner:
    """Just enough of a JSON reader to find the cells' sources without decoding outputs.

    It works on the file's bytes (no 50 MB decode) and skips strings with
    ``bytes.find`` (a megabyte of base64 in microseconds).
    """

    def __init__(self, data: bytes) -> None:
        self.data = data

    def ws(self, pos: int) -> int:
        return _WHITESPACE.match(self.data, pos).end()  # type: ignore[union-attr]

    def char(self, pos: int) -> bytes:
        if pos >= len(self.data):
            raise NotebookError("unexpected end of file")
        return self.data[pos : pos + 1]

    def string(self, pos: int) -> int:
        data = self.data
        if data[pos : pos + 1] != b'"':
            raise NotebookError(f"expected a string at offset {pos}")
        search = pos + 1
        while True:
            quote = data.find(b'"', search)
            if quote < 0:
                raise NotebookError(f"unterminated string at offset {pos}")
            backslash = quote
            while data[backslash - 1] == 0x5C:  # a backslash
                backslash -= 1
            if (quote - backslash) % 2 == 0:
                return quote + 1
            search = quote + 1

    def skip(self, pos: int) -> int:
        """The end offset of the JSON value starting at ``pos``, read without decoding it."""
        char = self.char(pos)
        if char == b'"':
            return self.string(pos)
        if char not in b"[{":
            match = _SCALAR.match(self.data, pos)
            if match is None:
                raise NotebookError(f"unexpected {char!r} at offset {pos}")
            return match.end()
        depth = 0
        while True:
            match = _STRUCTURE.search(self.data, pos)
            if match is None:
                raise NotebookError("unexpected end of file")
            pos = match.start()
            char = self.data[pos : pos + 1]
            if char == b'"':
                pos = self.string(pos)
                continue
            depth += 1 if char in b"[{" else -1
            pos += 1
            if depth == 0:
                return pos

    def load(self, start: int, end: int):
        try:
            return json.loads(self.data[start:end])
        except (ValueError, RecursionError) as exc:
            raise NotebookError(f"invalid JSON at offset {start}: {exc}") from None

    def members(self, pos: int, handle) -> int:
        """Call ``handle(key, value_start) -> value_end`` for each member of the object at ``pos``."""
        if self.char(pos) != b"{":
            raise NotebookError(f"expected an object at offset {pos}")
        pos = self.ws(pos + 1)
        if self.char(pos) == b"}":
            return pos + 1
        while True:
            key_end = self.string(pos)
            key = self.load(pos, key_end)
            pos = self.ws(key_end)
            if self.char(pos) != b":":
                raise NotebookError(f"expected ':' at offset {pos}")
            pos = self.ws(handle(key, self.ws(pos + 1)))
            if self.char(pos) == b",":
                pos = self.ws(pos + 1)
            elif self.char(pos) == b"}":
                return pos + 1
            else:
                raise NotebookError(f"expected ',' or '}}' at offset {pos}")

    def elements(self, pos: int, handle) -> int:
        """Call ``handle(value_start) -> value_end`` for each element of the array at ``pos``."""
        if self.char(pos) != b"[":
            raise NotebookError(f"expected an array at offset {pos}")
        pos = self.ws(pos + 1)
        if self.char(pos) == b"]":
            return pos + 1
        while True:
            pos = self.ws(handle(pos))
            if self.char(pos) == b",":
                pos = self.ws(pos + 1)
            elif self.char(pos) == b"]":
                return pos + 1
            else:
                raise NotebookError(f"expected ',' or ']' at offset {pos}")


@dataclass
class _RawCell:
    kind: str = ""
    tokens: list[tuple[int, int]] = field(default_factory=list)
    value_span: tuple[int, int] = (-1, -1)
    is_list: bool = True


def read_notebook(data: bytes) -> Notebook:
    """Parse a notebook file; NotebookError when it is not a readable nbformat 4 notebook."""
    scanner = _Scanner(data)
    top: dict = {}
    raw_cells: list[_RawCell] = []

    def read_cell(pos: int) -> int:
        cell = _RawCell()
        raw_cells.append(cell)

        def token(at: int) -> int:
            if scanner.char(at) != b'"':
                raise NotebookError(f"cell {len(raw_cells)}: source is not a list of strings")
            end = scanner.string(at)
            cell.tokens.append((at, end))
            return end

        def member(key: str, start: int) -> int:
            if key == "source":
                if scanner.char(start) == b'"':
                    end = scanner.string(start)
                    cell.tokens, cell.is_list = [(start, end)], False
                else:
                    end = scanner.elements(start, token)
                cell.value_span = (start, end)
                return end
            end = scanner.skip(start)
            if key == "cell_type":
                cell.kind = str(scanner.load(start, end))
            return end

        return scanner.members(pos, member)

    def top_member(key: str, start: int) -> int:
        if key == "cells":
            return scanner.elements(start, read_cell)
        end = scanner.skip(start)
        if key in ("metadata", "nbformat"):
            top[key] = scanner.load(start, end)
        elif key == "worksheets":
            top[key] = True
        return end

    start = len(_BOM) if data.startswith(_BOM) else 0
    start = scanner.ws(start)
    if scanner.char(start) != b"{":
        raise NotebookError("not a JSON object")
    end = scanner.ws(scanner.members(start, top_member))
    if end != len(data):
        raise NotebookError(f"unexpected data after the notebook at offset {end}")
    if "worksheets" in top or (isinstance(top.get("nbformat"), int) and top["nbformat"] < 4):
        raise NotebookError("nbformat 3 notebooks are not read; convert with jupyter nbconvert --to notebook")
    if "nbformat" not in top and not raw_cells:
        raise NotebookError("not a notebook (no 'cells' and no 'nbformat')")
    lines = _LineCounter(data)
    return Notebook(
        data,
        tuple(_make_cell(scanner, lines, number, raw) for number, raw in enumerate(raw_cells, start=1)),
        _language(top.get("metadata")),
        _escapes_non_ascii(data, raw_cells),
    )


class _LineCounter:
    """Line numbers of increasing offsets, counted once over the file."""

    def __init__(self, data: bytes) -> None:
        self.data, self.offset, self.line = data, 0, 1

    def at(self, offset: int) -> int:
        if offset < self.offset:  # not expected: offsets come in file order
            self.offset, self.line = 0, 1
        self.line += self.data.count(b"\n", self.offset, offset)
        self.offset = offset
        return self.line


def _escapes_non_ascii(data: bytes, raw_cells: list[_RawCell]) -> bool:
    sample = b"".join(data[start:end] for raw in raw_cells for start, end in raw.tokens)
    return sample.isascii() and b"\\u" in sample


def _language(metadata) -> str:
    if not isinstance(metadata, dict):
        return ""
    for key, field_name in (("kernelspec", "language"), ("language_info", "name")):
        value = metadata.get(key)
        if isinstance(value, dict) and isinstance(value.get(field_name), str):
            return value[field_name].lower()
    return ""


def _make_cell(scanner: _Scanner, counter: _LineCounter, number: int, raw: _RawCell) -> Cell:
    pieces: list[str] = []
    piece_starts: list[int] = []  # offset of each piece in the joined source
    piece_lines: list[int] = []  # line of the file holding each piece
    joined = 0
    for start, end in raw.tokens:
        value = scanner.load(start, end)
        if not isinstance(value, str):
            raise NotebookError(f"cell {number}: source is not text")
        pieces.append(value)
        piece_starts.append(joined)
        piece_lines.append(counter.at(start))
        joined += len(value)
    source = "".join(pieces)
    lines, endings, file_lines = [], [], []
    for match in _LINE.finditer(source):
        chunk = match.group()
        body = chunk.rstrip("\r\n")
        lines.append(body)
        endings.append(chunk[len(body) :])
        index = bisect.bisect_right(piece_starts, match.start()) - 1
        file_lines.append(piece_lines[max(index, 0)] if piece_lines else 1)
    return Cell(
        number,
        raw.kind,
        tuple(lines),
        tuple(endings),
        tuple(file_lines),
        raw.value_span,
        tuple(raw.tokens),
        raw.is_list,
    )

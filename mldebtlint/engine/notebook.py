"""Jupyter notebooks (``*.ipynb``) as one Python module, with a line map back to cells.

Reading. The file is read with the standard library's ``json`` (no nbformat
dependency at run time): a small scanner walks the JSON text with regular
expressions, decodes only the top-level ``metadata``/``nbformat`` and each
cell's ``cell_type`` and ``source``, and skips everything else (outputs,
attachments, widget state) without decoding it, so a notebook with 50 MB of
embedded images costs one pass of a regular expression over its bytes. It
records where each source string sits in the file, which gives the line of the
``.ipynb`` text that holds each source line and lets a fix rewrite a cell's
``source`` in place, leaving every other byte of the file alone. nbformat 4.x
with or without cell ids; nbformat 3 (``worksheets``) is refused with a
message; a notebook whose kernel is not Python is not linted.

The module. Code cells in order, one module line per cell line, so a module
line maps to (cell, line in cell, line of the file) by a table. IPython syntax
is masked line for line: ``%magic``, ``!cmd``, ``?obj``/``obj??`` and
automagics (``cd data``, ``pip install x``) become ``pass`` at their indent
(continuation lines blank); ``x = !ls`` becomes ``x = None``; ``%time stmt``
keeps ``stmt`` in its columns behind ``if 1:``. ``%%time``-like cell magics
keep their Python body; any other cell magic (``%%bash``, ``%%sql``) blanks
the cell. A code cell that is still not Python is blanked and reported (one
MLD000 at that cell); the rest of the notebook is linted. ``pip``/``conda``
install commands are collected for MLD301.
"""

from __future__ import annotations

import ast
import bisect
import json
import re
from dataclasses import dataclass, field, replace

from mldebtlint.core.types import Finding, Location, Related
from mldebtlint.knowledge.notebooks import AUTOMAGICS, PYTHON_CELL_MAGICS, PYTHON_LINE_MAGICS, SHELL_CELL_MAGICS

_COMPILE_FLAGS = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT


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


# -- IPython syntax -> Python ---------------------------------------------------

_HELP = re.compile(r"^(?:\?{1,2}[\w.*\[\]()]+|[\w.*\[\]()]+\?{1,2})$")
_ASSIGN_MAGIC = re.compile(r"^(?P<target>[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*)\s*=\s*[!%]")
_MAGIC_NAME = re.compile(r"%{1,2}(?P<name>\w+)")
_AUTOMAGIC = re.compile(r"^(?P<name>\w+)(?:\s+\S|$)")


@dataclass
class CellMask:
    """One code cell after masking (all positions cell-relative, 1-based)."""

    lines: list[str]
    masked: set[int] = field(default_factory=set)
    installs: list[list[tuple[int, int, str]]] = field(default_factory=list)
    error: tuple[str, int, int] | None = None
    skipped: bool = False  # a non-Python cell magic
    # Columns each line lost to IPython's leading-indent removal (a cell whose
    # first line is indented runs dedented); 0 for most lines.
    shifts: list[int] = field(default_factory=list)


def _advance(line: str, quote: str, depth: int) -> tuple[str, int, bool]:
    """Lexer state after ``line``: open triple quote, bracket depth, backslash continuation."""
    index, length = 0, len(line)
    while index < length:
        if quote:
            close = _closing(line, index, quote)
            if close < 0:
                return quote, depth, False
            index, quote = close, ""
            continue
        char = line[index]
        if char == "#":
            return quote, depth, False
        if char in "\"'":
            if line.startswith(char * 3, index):
                quote, index = char * 3, index + 3
                continue
            index += 1
            while index < length and line[index] != char:
                index += 2 if line[index] == "\\" else 1
            index += 1
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(depth - 1, 0)
        index += 1
    return quote, depth, line.endswith("\\")


def _closing(line: str, index: int, quote: str) -> int:
    while index < len(line):
        if line[index] == "\\":
            index += 2
        elif line.startswith(quote, index):
            return index + 3
        else:
            index += 1
    return -1


def _compile_error(lines: list[str]) -> tuple[str, int, int] | None:
    try:
        compile("\n".join(lines) + "\n", "<cell>", "exec", flags=_COMPILE_FLAGS, dont_inherit=True)
    except SyntaxError as exc:
        return f"syntax error: {exc.msg}", max(exc.lineno or 1, 1), max(exc.offset or 1, 1)
    except (ValueError, RecursionError, MemoryError, OverflowError) as exc:
        return f"cannot parse: {exc}", 1, 1
    return None


class _Masker:
    def __init__(self, lines: tuple[str, ...]) -> None:
        self.original = lines
        self.result = CellMask(list(lines))
        self.kept_python: set[int] = set()  # lines masked as ``if 1: stmt``

    def blank(self, index: int, statement: bool) -> None:
        line = self.original[index]
        indent = line[: len(line) - len(line.lstrip())]
        self.result.lines[index] = f"{indent}pass" if statement else ""
        self.result.masked.add(index + 1)

    def mask_command(self, index: int, text_column: int, install: bool) -> int:
        """Mask a magic or shell line and its backslash continuations; return the next index."""
        self.blank(index, True)
        segments = [(index + 1, text_column + 1, self.original[index][text_column:])]
        while segments[-1][2].endswith("\\") and index + 1 < len(self.original):
            segments[-1] = (segments[-1][0], segments[-1][1], segments[-1][2][:-1])
            index += 1
            self.blank(index, False)
            segments.append((index + 1, 1, self.original[index]))
        if install:
            self.result.installs.append(segments)
        return index + 1

    def python_magic(self, index: int, start: int, name: str) -> bool:
        """``%time stmt`` -> ``if 1:   stmt`` in the same columns; False when not possible."""
        line = self.original[index]
        value_options = PYTHON_LINE_MAGICS[name]
        position = start + 1 + len(name)
        words = list(re.finditer(r"\S+", line[position:]))
        skip = False
        for word in words:
            if skip:
                skip = False
                continue
            if word.group().startswith("-"):
                skip = word.group() in value_options
                continue
            body = position + word.start()
            if body - start < 5 or line.rstrip().endswith("\\"):
                return False
            self.result.lines[index] = line[:start] + "if 1:".ljust(body - start) + line[body:]
            self.result.masked.add(index + 1)
            self.kept_python.add(index + 1)
            return True
        return False

    def line_magic(self, index: int) -> int:
        """Mask the IPython syntax starting line ``index`` if any; return the next index to read."""
        line = self.original[index]
        stripped = line.lstrip()
        start = len(line) - len(stripped)
        if not stripped or stripped[0] == "#":
            return -1
        if stripped[0] == "%":
            match = _MAGIC_NAME.match(stripped)
            name = match.group("name") if match else ""
            if not stripped.startswith("%%") and name in PYTHON_LINE_MAGICS and self.python_magic(index, start, name):
                return index + 1
            return self.mask_command(index, start + 1, name in ("pip", "conda", "mamba", "micromamba"))
        if stripped[0] == "!":
            column = start + (2 if stripped.startswith("!!") else 1)
            return self.mask_command(index, column, True)
        if _HELP.match(stripped.rstrip()):
            self.blank(index, True)
            return index + 1
        assign = _ASSIGN_MAGIC.match(stripped)
        if assign:
            self.result.lines[index] = f"{line[:start]}{assign.group('target')} = None"
            self.result.masked.add(index + 1)
            return index + 1
        return -1

    def run(self) -> CellMask:
        lines = self.original
        first = next((i for i, line in enumerate(lines) if line.strip()), None)
        begin = 0
        if first is not None and lines[first].lstrip().startswith("%%"):
            match = _MAGIC_NAME.match(lines[first].lstrip())
            name = match.group("name") if match else ""
            if name not in PYTHON_CELL_MAGICS:
                return self.foreign_cell(first, name)
            self.blank(first, False)
            begin = first + 1
        neutral: set[int] = set()
        quote, depth, continued = "", 0, False
        index = begin
        while index < len(lines):
            if not quote and not depth and not continued:
                neutral.add(index)
                following = self.line_magic(index)
                if following >= 0:
                    index = following
                    continue
            quote, depth, continued = _advance(lines[index], quote, depth)
            index += 1
        return self.settle(neutral)

    def foreign_cell(self, first: int, name: str) -> CellMask:
        """A non-Python cell magic: blank the cell, keep its shell install lines."""
        self.result.skipped = True
        index = first + 1
        while index < len(self.original):
            if name in SHELL_CELL_MAGICS and self.original[index].strip():
                stripped = self.original[index].lstrip()
                index = self.mask_command(index, len(self.original[index]) - len(stripped), True)
            else:
                index += 1
        self.result.lines = ["" for _ in self.original]
        self.result.masked = set(range(1, len(self.original) + 1))
        return self.result

    def settle(self, neutral: set[int]) -> CellMask:
        """Compile; mask automagics and undo ``if 1:`` tricks where the compiler objects."""
        for _ in range(50):
            error = _compile_error(self.result.lines)
            if error is None:
                return self.result
            line = error[1]
            if line in self.kept_python:
                self.kept_python.discard(line)
                self.blank(line - 1, True)
                continue
            index = line - 1
            text = self.original[index].lstrip() if index < len(self.original) else ""
            match = _AUTOMAGIC.match(text)
            if index in neutral and match and match.group("name") in AUTOMAGICS and index + 1 not in self.result.masked:
                start = len(self.original[index]) - len(text)
                self.mask_command(index, start, match.group("name") in ("pip", "conda", "mamba", "micromamba"))
                continue
            self.result.error = error
            return self.result
        self.result.error = ("cannot parse: too much IPython syntax", 1, 1)
        return self.result


def mask_cell(lines: tuple[str, ...]) -> CellMask:
    dedented, shifts = _leading_indent(lines)
    mask = _Masker(dedented).run()
    mask.shifts = shifts  # positions stay in the dedented lines; to_cell adds the shift
    return mask


def _leading_indent(lines: tuple[str, ...]) -> tuple[tuple[str, ...], list[int]]:
    """IPython drops the indent of a cell's first line from every line that starts with it."""
    first = next((line for line in lines if line.strip()), "")
    prefix = first[: len(first) - len(first.lstrip())]
    if not prefix:
        return lines, [0] * len(lines)
    shifts = [len(prefix) if line.startswith(prefix) else 0 for line in lines]
    return tuple(line[shift:] for line, shift in zip(lines, shifts)), shifts


# -- the module -------------------------------------------------------------------


@dataclass(frozen=True)
class CellError:
    cell: int
    line: int  # in the cell
    column: int
    message: str
    module_line: int


@dataclass(frozen=True)
class NotebookModule:
    """The code cells as one module, and the way back to cells."""

    text: str  # masked: what the rules see
    original: tuple[str, ...]  # per module line: the cell's line as written
    # Per module line: (cell, line in cell, line of the file, columns dedented by).
    cells: tuple[tuple[int, int, int, int], ...]
    masked: frozenset[int]  # module lines that are not the cell's text
    errors: tuple[CellError, ...]
    installs: tuple[tuple[tuple[int, int, str], ...], ...]  # install commands, module lines
    code_lines: int
    shifted: frozenset[int] = frozenset()  # module lines dedented (their columns moved)

    @property
    def original_text(self) -> str:
        return "".join(line + "\n" for line in self.original)

    def module_line(self, cell: int, line: int) -> int | None:
        for index, entry in enumerate(self.cells):
            if entry[0] == cell and entry[1] == line:
                return index + 1
        return None


def build_module(notebook: Notebook, broken: dict[int, tuple[str, int, int]] | None = None) -> NotebookModule:
    """The module of ``notebook``'s code cells; cells in ``broken`` are blanked and reported."""
    broken = broken or {}
    lines: list[str] = []
    original: list[str] = []
    cells: list[tuple[int, int, int, int]] = []
    masked: set[int] = set()
    shifted: set[int] = set()
    errors: list[CellError] = []
    installs: list[tuple[tuple[int, int, str], ...]] = []
    for cell in notebook.cells:
        if cell.kind != "code" or not cell.lines:
            continue
        offset = len(lines)
        mask = mask_cell(cell.lines)
        error = broken.get(cell.number) or mask.error
        if error is not None:
            message, line, column = error
            line = min(max(line, 1), len(cell.lines))
            errors.append(CellError(cell.number, line, column, message, offset + line))
            mask.lines = ["" for _ in cell.lines]
            mask.masked = set(range(1, len(cell.lines) + 1))
        lines.extend(mask.lines)
        original.extend(cell.lines)
        masked.update(offset + number for number in mask.masked)
        shifts = mask.shifts or [0] * len(cell.lines)
        cells.extend(
            (cell.number, number, cell.file_lines[number - 1], shifts[number - 1])
            for number in range(1, len(cell.lines) + 1)
        )
        shifted.update(offset + number for number, shift in enumerate(shifts, start=1) if shift)
        installs.extend(
            tuple((offset + line, column, text) for line, column, text in command) for command in mask.installs
        )
    text = "".join(line + "\n" for line in lines)
    code_lines = sum(1 for index, line in enumerate(lines, start=1) if line.strip() and index not in masked)
    return NotebookModule(
        text,
        tuple(original),
        tuple(cells),
        frozenset(masked),
        tuple(errors),
        tuple(installs),
        code_lines,
        frozenset(shifted),
    )


# -- findings: module lines -> cells ------------------------------------------------


def to_cell(finding: Finding, cells: tuple[tuple[int, int, int, int], ...]) -> Finding:
    """``finding`` (module lines) located in its cell; ``file_lines`` hold the .ipynb lines."""
    location = finding.location
    if finding.cell is not None or not cells or not 0 < location.line <= len(cells):
        return finding
    cell, line, file_line, shift = cells[location.line - 1]
    end = location.end_line if 0 < location.end_line <= len(cells) else location.line
    end_cell, end_line, end_file_line, end_shift = cells[end - 1]
    column = location.column + shift
    if end_cell != cell:
        end_line, end_file_line, end_column = line, file_line, column
    else:
        end_column = location.end_column + end_shift
    related = tuple(_related_to_cell(item, finding.path, cells) for item in finding.related)
    return replace(
        finding,
        location=Location(line, column, end_line, end_column),
        cell=cell,
        file_lines=(file_line, end_file_line),
        related=related,
    )


def _related_to_cell(item: Related, path: str, cells: tuple[tuple[int, int, int, int], ...]) -> Related:
    if item.cell is not None or item.path != path or not 0 < item.line <= len(cells):
        return item
    cell, line = cells[item.line - 1][:2]
    return replace(item, line=line, cell=cell)


def related_to_cell(item: Related, cells: tuple[tuple[int, int, int, int], ...]) -> Related:
    """A related site in a notebook (module line) located in its cell."""
    return _related_to_cell(item, item.path, cells)

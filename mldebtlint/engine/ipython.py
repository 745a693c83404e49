"""IPython syntax -> Python, line for line (one notebook cell at a time).

``%magic``, ``!cmd``, ``?obj``/``obj??`` and automagics (``cd data``, ``pip
install x``) become ``pass`` at their indent (continuation lines blank);
``x = !ls`` becomes ``x = None``; ``%time stmt`` keeps ``stmt`` in its columns
behind ``if 1:``. ``%%time``-like cell magics keep their Python body; any other
cell magic (``%%bash``, ``%%sql``) makes the cell foreign. A cell whose first
line is indented runs dedented, as in IPython. Lines inside strings and
brackets are never taken for IPython syntax. ``pip``/``conda`` install
commands are collected for MLD301. The vocabulary is in
``mldebtlint.knowledge.notebooks``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from mldebtlint.knowledge.notebooks import AUTOMAGICS, PYTHON_CELL_MAGICS, PYTHON_LINE_MAGICS, SHELL_CELL_MAGICS

_COMPILE_FLAGS = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT


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

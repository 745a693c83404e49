"""Jupyter notebooks (``*.ipynb``) as one Python module, with a line map back to cells.

The file is read by ``mldebtlint.engine.notebook_file`` (stdlib ``json``, outputs
never decoded) and each code cell masked by ``mldebtlint.engine.ipython``. Here
the code cells become one module in cell order, one module line per cell line,
so a module line maps to (cell, line in cell, line of the file, dedent) by a
table. A code cell that is not Python is blanked and reported (one MLD000 at
that cell); the rest of the notebook is linted. ``to_cell`` moves a finding
from module lines to its cell (the runner calls it after suppressions).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from mldebtlint.core.types import Edit, Finding, Fix, Location, Related
from mldebtlint.engine.ipython import CellMask, mask_cell
from mldebtlint.engine.notebook_file import Cell, Notebook, NotebookError, read_notebook

__all__ = [
    "Cell",
    "CellError",
    "CellMask",
    "Notebook",
    "NotebookError",
    "NotebookModule",
    "build_module",
    "mask_cell",
    "read_notebook",
    "related_to_cell",
    "to_cell",
]


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
        fix=_fix_to_cell(finding.fix, cell, cells),
    )


def _fix_to_cell(fix: Fix | None, cell: int, cells: tuple[tuple[int, int, int, int], ...]) -> Fix | None:
    """A fix's edits (module lines) relative to ``cell``: its lines, and columns in the lines as
    the cell writes them (plus the dedent). A fix reaching into another cell has no edits."""
    if fix is None or not fix.edits:
        return fix
    edits = []
    for edit in fix.edits:
        if not (0 < edit.line <= len(cells) and 0 < edit.end_line <= len(cells)):
            return replace(fix, edits=(), reason="the fix reaches beyond the cell")
        start, end = cells[edit.line - 1], cells[edit.end_line - 1]
        if start[0] != cell or end[0] != cell:
            return replace(fix, edits=(), reason="the fix reaches beyond the cell")
        edits.append(Edit(start[1], edit.column + start[3], end[1], edit.end_column + end[3], edit.content))
    return replace(fix, edits=tuple(edits))


def _related_to_cell(item: Related, path: str, cells: tuple[tuple[int, int, int, int], ...]) -> Related:
    if item.cell is not None or item.path != path or not 0 < item.line <= len(cells):
        return item
    cell, line = cells[item.line - 1][:2]
    return replace(item, line=line, cell=cell)


def related_to_cell(item: Related, cells: tuple[tuple[int, int, int, int], ...]) -> Related:
    """A related site in a notebook (module line) located in its cell."""
    return _related_to_cell(item, item.path, cells)

"""Writing edits of a notebook's module back into its cells (``--fix``, ``--add-noqa``).

An edit is made on the module text the rules saw (``NotebookModule``) and
comes back as a new module text. The lines that changed are matched to their
cells (``difflib``), the new sources of those cells are written into the
file's JSON text in place of their old ``source`` values, each string in the
style of the file (its indent and separators; an unchanged line keeps its
exact bytes), and nothing else is touched: outputs, ids, metadata, key order
and the trailing newline stay byte-identical. The result is refused (None)
when an edit touches an IPython line or a cell that was not linted, spans two
cells, or when the new file does not load back to the old notebook with only
those sources changed.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, replace

from mldebtlint.core.types import Finding, Location
from mldebtlint.engine.notebook import Cell, Notebook, NotebookModule


@dataclass(frozen=True)
class NotebookEdit:
    data: bytes  # the new file
    changed: dict[int, tuple[list[str], list[str]]]  # cell -> (old source lines, new), with line breaks


def module_findings(findings: list[Finding], module: NotebookModule) -> list[Finding]:
    """Cell-located findings back in module lines (what the fixers and the noqa writer edit), in order."""
    index = {entry[:2]: number for number, entry in enumerate(module.cells, start=1)}
    out = []
    for finding in findings:
        if finding.cell is None:
            out.append(finding)
            continue
        start = index.get((finding.cell, finding.line))
        if start is None:
            out.append(finding)  # not in a code cell we know: left cell-located (callers skip it)
            continue
        end = index.get((finding.cell, finding.location.end_line), start)
        location = Location(start, finding.column, end, finding.location.end_column)
        out.append(replace(finding, location=location, cell=None, file_lines=None))
    return out


def cell_module(module: NotebookModule, cell: int) -> NotebookModule:
    """The part of ``module`` that is one cell, as a module of its own (a cell parses alone)."""
    indexes = [index for index, entry in enumerate(module.cells) if entry[0] == cell]
    if not indexes:
        return NotebookModule("", (), (), frozenset(), (), (), 0, frozenset())
    first = indexes[0]
    lines = module.text.split("\n")[first : first + len(indexes)]
    return NotebookModule(
        "".join(line + "\n" for line in lines),
        module.original[first : first + len(indexes)],
        module.cells[first : first + len(indexes)],
        frozenset(line - first for line in module.masked if first < line <= first + len(indexes)),
        (),
        (),
        0,
        frozenset(line - first for line in module.shifted if first < line <= first + len(indexes)),
    )


def _cell_of(module: NotebookModule, index: int) -> int:
    return module.cells[index][0]


def _target_cell(module: NotebookModule, start: int, end: int) -> int | None:
    """The one cell old lines [start, end) belong to; for an insertion, the cell at ``start``."""
    count = len(module.cells)
    if not count:
        return None
    if start == end:
        return _cell_of(module, min(start, count - 1))
    cells = {_cell_of(module, index) for index in range(start, end)}
    return cells.pop() if len(cells) == 1 else None


def cell_sources(
    notebook: Notebook, module: NotebookModule, old_text: str, new_text: str, edit_masked: bool
) -> dict[int, list[str]] | None:
    """New source lines (with line breaks) of each cell an edit of ``old_text`` changed."""
    # Module lines are joined with "\n" (str.splitlines would also split at \f or \u2028).
    old_lines = old_text.split("\n")[:-1] if old_text else []
    new_lines = new_text.split("\n")
    if new_lines and new_lines[-1] == "":
        new_lines.pop()
    if len(old_lines) != len(module.cells):
        return None
    cells = {cell.number: cell for cell in notebook.cells}
    built: dict[int, list[tuple[str, str | None]]] = {}
    for entry in module.cells:
        built.setdefault(entry[0], [])
    touched: set[int] = set()
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(i2 - i1):
                cell_number, line = module.cells[i1 + offset][:2]
                built[cell_number].append((module.original[i1 + offset], cells[cell_number].endings[line - 1]))
            continue
        if not edit_masked and any(index + 1 in module.masked | module.shifted for index in range(i1, i2)):
            return None  # an IPython line, a cell that was not linted, or a dedented one
        if tag == "replace" and i2 - i1 == j2 - j1:
            for offset in range(i2 - i1):
                cell_number = _cell_of(module, i1 + offset)
                built[cell_number].append((new_lines[j1 + offset], None))
                touched.add(cell_number)
            continue
        target = _target_cell(module, i1, i2)
        if target is None:
            return None
        built[target].extend((line, None) for line in new_lines[j1:j2])
        touched.add(target)
    out = {}
    for cell_number in touched:
        cell = cells[cell_number]
        last_ending = cell.endings[-1] if cell.endings else ""
        entries = built[cell_number]
        lines = []
        for position, (content, ending) in enumerate(entries):
            is_last = position == len(entries) - 1
            if is_last:
                ending = last_ending
            elif not ending:
                ending = "\n"
            lines.append(content + ending)
        if lines != [line + ending for line, ending in zip(cell.lines, cell.endings)]:
            out[cell_number] = lines
    return out


def _layout(notebook: Notebook, cell: Cell) -> tuple[bytes, bytes, bytes]:
    """(after '[', between strings, before ']') of a source array, borrowed from another cell if empty."""
    data = notebook.data
    for candidate in [cell, *notebook.cells]:
        if candidate.is_list and candidate.tokens:
            tokens, (start, end) = candidate.tokens, candidate.value_span
            prefix = data[start + 1 : tokens[0][0]]
            suffix = data[tokens[-1][1] : end - 1]
            between = data[tokens[0][1] : tokens[1][0]] if len(tokens) > 1 else b"," + prefix
            return prefix, between, suffix
    return b"", b", ", b""


def _encode(value: str, notebook: Notebook, reuse: dict[str, bytes]) -> bytes:
    if value in reuse:
        return reuse[value]
    return json.dumps(value, ensure_ascii=notebook.ascii_only).encode("utf-8", "surrogatepass")


def _source_bytes(notebook: Notebook, cell: Cell, lines: list[str]) -> bytes:
    data = notebook.data
    reuse: dict[str, bytes] = {}
    for start, end in cell.tokens:
        reuse.setdefault(json.loads(data[start:end]), data[start:end])
    if not cell.is_list:
        return _encode("".join(lines), notebook, reuse)
    if not lines:
        return b"[]"
    prefix, between, suffix = _layout(notebook, cell)
    return b"[" + prefix + between.join(_encode(line, notebook, reuse) for line in lines) + suffix + b"]"


def write_sources(notebook: Notebook, sources: dict[int, list[str]]) -> NotebookEdit | None:
    """The notebook file with new ``sources`` (cell -> lines), or None if that cannot be done safely."""
    cells = {cell.number: cell for cell in notebook.cells}
    pieces, cursor = [], 0
    for number in sorted(sources, key=lambda n: cells[n].value_span[0]):
        cell = cells[number]
        start, end = cell.value_span
        if start < 0:
            return None  # a cell without a source key
        pieces += [notebook.data[cursor:start], _source_bytes(notebook, cell, sources[number])]
        cursor = end
    data = b"".join(pieces) + notebook.data[cursor:]
    if not _only_sources_changed(notebook.data, data, {n - 1: "".join(lines) for n, lines in sources.items()}):
        return None
    changed = {
        number: ([line + ending for line, ending in zip(cells[number].lines, cells[number].endings)], lines)
        for number, lines in sources.items()
    }
    return NotebookEdit(data, changed)


def _only_sources_changed(old: bytes, new: bytes, sources: dict[int, str]) -> bool:
    try:
        before, after = json.loads(old), json.loads(new)
        for index, source in sources.items():
            value = after["cells"][index]["source"]
            if ("".join(value) if isinstance(value, list) else value) != source:
                return False
            before["cells"][index]["source"] = after["cells"][index]["source"]
    except (ValueError, KeyError, IndexError, TypeError, RecursionError):
        return False
    return before == after


def cell_diff(display: str, edit: NotebookEdit) -> str:
    """A unified diff per changed cell, headed ``a/nb.ipynb:cell N``."""
    parts = []
    for number, (old, new) in sorted(edit.changed.items()):
        parts.append(
            "".join(
                difflib.unified_diff(
                    [line if line.endswith(("\n", "\r")) else line + "\n" for line in old],
                    [line if line.endswith(("\n", "\r")) else line + "\n" for line in new],
                    fromfile=f"a/{display}:cell {number}",
                    tofile=f"b/{display}:cell {number}",
                )
            )
        )
    return "".join(parts)

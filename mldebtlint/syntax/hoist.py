"""The hoist fix of MLD101/MLD102: literals become module-level named constants.

``Adam(params, lr=1e-3)`` becomes ``Adam(params, lr=LR)`` with ``LR = 1e-3``
after the module's imports; ``proba > 0.7`` becomes ``proba > PROBA_THRESHOLD``;
a local ``cutoff = 0.4`` used as a threshold becomes ``cutoff = CUTOFF``. The
constant is named from the keyword, the variable or the scored expression; an
existing constant of that name and value is reused, any other clash gets a
numeric suffix. The behaviour is unchanged (a literal is a constant) but the
code reads differently, hence an "unsafe" fix (``--unsafe-fixes``).

The rule picks the literal nodes when it reports (``HoistThreshold``,
``HoistHyperparameters``: deferred fixes, see ``mldebtlint.rule.DeferredFix``);
after the file's traversal a ``HoistPlanner`` turns them into text edits, in
finding order, so that two findings that want one name share it (same value)
or number it (another value), exactly as one rewrite of the whole file would.
A notebook is planned cell by cell: a constant lands after the imports at the
top of the cell that uses it, as if the cell were a module of its own.

How the edits compose (``mldebtlint.fixes`` applies them): the block of new
constants hangs on the end of the last import line (``"\\nNAME = value"`` each,
after one shared blank line), and one shared blank line separates it from the
next statement. Edits shared by several fixes are identical, so they are
applied once, and insertions at one point keep finding order; a file whose
first line is a statement has no line end above it, so there the constants
are inserted at its start and the blank line after them replaces the
statement's first character with a line break and that character (or, when the
statement starts with the literal itself, leads that literal's replacement).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import libcst as cst

from mldebtlint.core.types import UNSAFE, Edit, Fix
from mldebtlint.knowledge.vocabulary import VALUE_PRESERVING_ATTRIBUTES, VALUE_PRESERVING_CALLS
from mldebtlint.syntax.identifiers import constant_name
from mldebtlint.syntax.literals import real, string

_PRESERVING = VALUE_PRESERVING_CALLS | VALUE_PRESERVING_ATTRIBUTES
NOT_FOUND = "no literal to hoist found"
_STATE_KEY = "hoist"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

# A literal to hoist and the words its constant is named from.
Literal = tuple[cst.BaseExpression, str]


# -- which literals (the rule's side) -------------------------------------------------


def _subject(node: cst.BaseExpression) -> str:
    """A name for what is compared: ``model.predict_proba(X)[:, 1]`` -> predict_proba."""
    for _ in range(8):
        if isinstance(node, cst.Name):
            return node.value
        if isinstance(node, cst.Attribute):
            if node.attr.value not in _PRESERVING:
                return node.attr.value
            node = node.value
        elif isinstance(node, cst.Subscript):
            index = node.slice[0].slice if len(node.slice) == 1 else None
            if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
                return string(index.value) or "score"
            node = node.value
        elif isinstance(node, cst.Call):
            node = node.func
        else:
            break
    return "score"


def threshold_literals(node: cst.CSTNode, wanted: set[float]) -> list[Literal]:
    """The literals of ``wanted`` that ``node`` (a keyword, comparison or compare call) cuts at."""

    def fits(value: float | None) -> bool:
        return value is not None and value in wanted

    if isinstance(node, cst.Arg) and node.keyword is not None and fits(real(node.value)):
        return [(node.value, node.keyword.value)]
    pairs: list[tuple[cst.BaseExpression, cst.BaseExpression]] = []
    if isinstance(node, cst.Comparison):
        operands = [node.left] + [target.comparator for target in node.comparisons]
        for index, operand in enumerate(operands):
            others = [o for o in operands[max(index - 1, 0) : index + 2] if o is not operand and real(o) is None]
            pairs.append((operand, others[0] if others else node.left))
    elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        pairs = [(arg.value, node.func.value) for arg in node.args]
    return [(operand, f"{_subject(other)}_threshold") for operand, other in pairs if fits(real(operand))]


def local_literal(function: cst.CSTNode | None, name: str) -> list[Literal]:
    """The one literal assigned to the local ``name`` anywhere in ``function`` (none if not exactly one)."""
    if not isinstance(function, cst.FunctionDef):
        return []
    assigned: list[cst.BaseExpression] = []

    class Finder(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            if any(isinstance(t.target, cst.Name) and t.target.value == name for t in node.targets):
                assigned.append(node.value)

    function.body.visit(Finder())
    if len(assigned) != 1 or real(assigned[0]) is None:
        return []
    return [(assigned[0], name)]


def hyperparameter_literals(call: cst.CSTNode, names: set[str]) -> list[Literal]:
    """The keyword (or params-dict) literals of ``call`` named in ``names``."""
    found: list[Literal] = []
    if not isinstance(call, cst.Call):
        return found
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in names and real(arg.value) is not None:
            found.append((arg.value, arg.keyword.value))
        elif isinstance(arg.value, cst.Dict):
            for element in arg.value.elements:
                key = element.key if isinstance(element, cst.DictElement) else None
                if (
                    isinstance(key, cst.SimpleString)
                    and key.evaluated_value in names
                    and real(element.value) is not None
                ):
                    found.append((element.value, str(key.evaluated_value)))
    return found


@dataclass
class HoistThreshold:
    """MLD101's deferred fix: the literals of the report's ``data`` that its node cuts at,
    or the one literal assigned to its ``local`` in ``function`` (the innermost function)."""

    function: cst.CSTNode | None = None

    def build(self, context: Any, report: Any) -> Fix:
        data = report.data
        local = data.get("local")
        if isinstance(local, str) and local:
            literals = local_literal(self.function, local)
        else:
            literals = threshold_literals(report.node, {float(value) for value in data.get("literals") or ()})
        return planner(context).fix(literals)


@dataclass
class HoistHyperparameters:
    """MLD102's deferred fix: the keyword literals the report's ``data`` names."""

    def build(self, context: Any, report: Any) -> Fix:
        names = set(str(report.data.get("hyperparameters", "")).split(",")) - {""}
        return planner(context).fix(hyperparameter_literals(report.node, names))


# -- where they go (the planner) --------------------------------------------------------


def planner(context: Any) -> HoistPlanner:
    """The file's planner, made on first use (``context``: a ``rule.FileContext``)."""
    from libcst.metadata import PositionProvider

    found = context.fix_state.get(_STATE_KEY)
    if found is None:
        positions = context.wrapper.resolve(PositionProvider)
        found = context.fix_state[_STATE_KEY] = HoistPlanner(context.module, positions, context.cells)
    return found


def _names_in(nodes: Iterable[cst.CSTNode]) -> set[str]:
    names: set[str] = set()

    class Collector(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            names.add(node.value)

    for node in nodes:
        node.visit(Collector())
    return names


def _is_docstring(small: cst.BaseSmallStatement, position: int) -> bool:
    return position == 0 and isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString)


@dataclass
class _Segment:
    """One module (a ``.py`` file) or one notebook cell: its statements and new constants."""

    body: list[cst.SimpleStatementLine | cst.BaseCompoundStatement]
    first_line: int
    used: set[str] = field(default_factory=set)
    existing: dict[str, str] = field(default_factory=dict)
    new: dict[str, str] = field(default_factory=dict)  # constant name -> literal code, in order
    # Where the block goes: (line, column) of the insertion and whether it hangs on a line end.
    anchor: tuple[int, int] = (1, 1)
    after_line_end: bool = True
    lead: bool = False  # a blank line before the block (after imports)
    trail: tuple[int, int] | None = None  # where the blank line after the block goes
    trail_char: str = ""  # the first-character form of that blank line (see the module docstring)


class HoistPlanner:
    """Names and edits of the hoisted constants of one file, planned in finding order."""

    def __init__(
        self,
        module: cst.Module,
        positions: Mapping[cst.CSTNode, Any],
        cells: tuple[tuple[int, int, int, int], ...] = (),
    ) -> None:
        self.module = module
        self.positions = positions
        self.cells = cells
        self.newline = module.default_newline
        # Line contents, split where libcst counts lines (not at \f or \u2028 as str.splitlines does).
        self.lines = _LINE_BREAK.split(module.code)
        self.segments: dict[int, _Segment] = {}

    # -- segments ------------------------------------------------------------------------
    def _cell_of(self, line: int) -> int:
        if not self.cells:
            return 0
        return self.cells[line - 1][0] if 0 < line <= len(self.cells) else -1

    def _start_line(self, statement: cst.CSTNode) -> int:
        """The first line of ``statement`` as written (its first decorator), after its leading lines."""
        decorators = getattr(statement, "decorators", ())
        node = decorators[0] if decorators else statement
        return self.positions[node].start.line

    def _segment(self, cell: int) -> _Segment | None:
        if cell in self.segments:
            return self.segments[cell]
        body = [s for s in self.module.body if self._cell_of(self._start_line(s)) == cell]
        if not body:
            return None
        if self.cells:
            first_line = next(n for n, entry in enumerate(self.cells, start=1) if entry[0] == cell)
        else:
            first_line = 1
        segment = _Segment(body, first_line, used=_names_in(body))
        for statement in body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.Assign) and len(small.targets) == 1:
                        target = small.targets[0].target
                        if isinstance(target, cst.Name):
                            segment.existing[target.value] = self.module.code_for_node(small.value).strip()
        self._place(segment)
        self.segments[cell] = segment
        return segment

    def _place(self, segment: _Segment) -> None:
        """Where the constants go: after the leading imports (and docstring) of the segment."""
        body, index = segment.body, 0
        for position, statement in enumerate(body):
            small = statement.body if isinstance(statement, cst.SimpleStatementLine) else []
            if small and all(isinstance(s, (cst.Import, cst.ImportFrom)) or _is_docstring(s, position) for s in small):
                index = position + 1
            else:
                break
        if index > 0:
            last = self.positions[body[index - 1]].end.line
            segment.anchor, segment.lead = (last, len(self.lines[last - 1]) + 1), True
            if index < len(body) and not body[index].leading_lines:
                segment.trail = (last + 1, 1)
            return
        start = self._start_line(body[0])
        segment.trail = (start, 1)
        if start > segment.first_line:  # comment or blank lines above: hang on the last one
            segment.anchor = (start - 1, len(self.lines[start - 2]) + 1)
        else:
            segment.anchor, segment.after_line_end = (start, 1), False
            segment.trail_char = self.lines[start - 1][:1]

    # -- one finding's fix ------------------------------------------------------------------
    def _span(self, node: cst.CSTNode) -> tuple[int, int, int, int] | None:
        """The 1-based span of ``node`` with its own parentheses (what is replaced)."""
        span = self.positions[node]
        before = "".join(self.module.code_for_node(paren) for paren in getattr(node, "lpar", ()))
        after = "".join(self.module.code_for_node(paren) for paren in getattr(node, "rpar", ()))
        if "\n" in before or "\r" in before or "\n" in after or "\r" in after:
            return None
        column = span.start.column - len(before)
        if column < 0:
            return None
        return span.start.line, column + 1, span.end.line, span.end.column + len(after) + 1

    def _name(self, segment: _Segment, code: str, words: str) -> str:
        base = constant_name(words)
        name, suffix = base, 1
        while True:
            if segment.existing.get(name) == code or segment.new.get(name) == code:
                return name
            if name not in segment.used and name not in segment.new:
                segment.new[name] = code
                return name
            suffix += 1
            name = f"{base}_{suffix}"

    def fix(self, literals: list[Literal]) -> Fix:
        """The fix hoisting ``literals`` (an edit-less fix saying why when there are none)."""
        title = "Hoist the literal into a module constant"
        if not literals:
            return Fix(UNSAFE, title, reason=NOT_FOUND)
        spans = []
        for literal, words in literals:
            span = self._span(literal)
            segment = self._segment(self._cell_of(span[0])) if span is not None else None
            if span is None or segment is None:
                return Fix(UNSAFE, title, reason=NOT_FOUND)
            code = self.module.code_for_node(literal).strip()
            spans.append((span, segment, code, words))
        segments = {id(segment) for _, segment, _, _ in spans}
        if len(segments) > 1:
            return Fix(UNSAFE, title, reason="the literals are in different cells")
        segment = spans[0][1]
        replacements: list[Edit] = []
        names: list[str] = []
        for span, _, code, words in spans:
            name = self._name(segment, code, words)
            names.append(name)
            replacements.append(Edit(*span, name))
        wanted = [name for name in segment.new if name in names]
        block = self._block(segment, wanted)
        first = next((e for e in replacements if (e.line, e.column) == segment.anchor), None)
        if segment.trail_char and first is not None and block:
            # The statement starts with the literal: its replacement carries the blank line.
            block = [edit for edit in block if edit.end_column == edit.column]
            replacements = [replace(e, content=self.newline + e.content) if e is first else e for e in replacements]
        edits = block + replacements
        codes = ", ".join(code for _, _, code, _ in spans)
        title = f"Hoist {codes} into {', '.join(dict.fromkeys(names))}"
        return Fix(UNSAFE, title, tuple(edits))

    def _block(self, segment: _Segment, names: list[str]) -> list[Edit]:
        """The insertions that define ``names`` (shared, identical edits for every fix of the segment)."""
        if not names:
            return []
        line, column = segment.anchor
        newline = self.newline
        edits = []
        if segment.after_line_end:
            if segment.lead:
                edits.append(Edit(line, column, line, column, newline))
            edits += [Edit(line, column, line, column, f"{newline}{n} = {segment.new[n]}") for n in names]
        else:
            edits += [Edit(line, column, line, column, f"{n} = {segment.new[n]}{newline}") for n in names]
        if segment.trail is not None:
            trail_line, trail_column = segment.trail
            if segment.trail_char:
                edits.append(Edit(trail_line, 1, trail_line, 2, newline + segment.trail_char))
            else:
                edits.append(Edit(trail_line, trail_column, trail_line, trail_column, newline))
        return edits

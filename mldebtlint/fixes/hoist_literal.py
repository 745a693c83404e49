"""Fix MLD101/MLD102 (unsafe): hoist a literal into a module-level constant.

``Adam(params, lr=1e-3)`` becomes ``Adam(params, lr=LR)`` with ``LR = 1e-3``
after the module's imports; ``proba > 0.7`` becomes ``proba > PROBA_THRESHOLD``;
a local ``cutoff = 0.4`` used as a threshold becomes ``cutoff = CUTOFF``. The
constant is named from the keyword, the variable or the scored expression; an
existing constant of that name and value is reused, any other clash gets a
numeric suffix. The behaviour is unchanged (a literal is a constant), but the
code reads differently, hence "unsafe": it needs ``--unsafe-fixes``.

Nodes are found by the finding's start position; the rewrite is a libcst
transformer, so everything else in the file is kept byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from mldebtlint.core.config import Settings
from mldebtlint.core.types import Finding
from mldebtlint.fixes import FixResult
from mldebtlint.knowledge.vocabulary import VALUE_PRESERVING_ATTRIBUTES, VALUE_PRESERVING_CALLS
from mldebtlint.syntax.identifiers import constant_name
from mldebtlint.syntax.literals import real, string

_PRESERVING = VALUE_PRESERVING_CALLS | VALUE_PRESERVING_ATTRIBUTES


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


class _Plan:
    """Which literal nodes become which constants, and the new constants."""

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self.used = {n.value for n in _all_names(module)}
        self.existing = _module_constants(module)
        self.replace: dict[int, str] = {}  # id(literal node) -> constant name
        self.new: dict[str, str] = {}  # constant name -> literal code

    def hoist(self, literal: cst.BaseExpression, words: str) -> None:
        code = self.module.code_for_node(literal).strip()
        base = constant_name(words)
        name, suffix = base, 1
        while True:
            if self.existing.get(name) == code or self.new.get(name) == code:
                break
            if name not in self.used and name not in self.new:
                self.new[name] = code
                break
            suffix += 1
            name = f"{base}_{suffix}"
        self.replace[id(literal)] = name


def _all_names(module: cst.Module) -> list[cst.Name]:
    names: list[cst.Name] = []

    class Collector(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            names.append(node)

    module.visit(Collector())
    return names


def _module_constants(module: cst.Module) -> dict[str, str]:
    constants = {}
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    target = small.targets[0].target
                    if isinstance(target, cst.Name):
                        constants[target.value] = module.code_for_node(small.value).strip()
    return constants


def _at(positions, node_types, finding: Finding) -> list[cst.CSTNode]:
    line, column = finding.location.line, finding.location.column - 1
    return [
        node
        for node, span in positions.items()
        if isinstance(node, node_types) and span.start.line == line and span.start.column == column
    ]


def _plan_threshold(plan: _Plan, node: cst.CSTNode, finding: Finding, wrapper: MetadataWrapper) -> bool:
    """Hoist the literals the finding names (its ``data``: ``literals``, ``local``)."""
    data = dict(finding.data)
    local = data.get("local")
    if isinstance(local, str) and local:
        return _plan_local(plan, local, finding, wrapper)
    wanted = {float(value) for value in data.get("literals") or ()}

    def fits(value: float | None) -> bool:
        return value is not None and value in wanted

    if isinstance(node, cst.Arg) and node.keyword is not None and fits(real(node.value)):
        plan.hoist(node.value, node.keyword.value)
        return True
    pairs: list[tuple[cst.BaseExpression, cst.BaseExpression]] = []
    if isinstance(node, cst.Comparison):
        operands = [node.left] + [target.comparator for target in node.comparisons]
        for index, operand in enumerate(operands):
            others = [o for o in operands[max(index - 1, 0) : index + 2] if o is not operand and real(o) is None]
            pairs.append((operand, others[0] if others else node.left))
    elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        pairs = [(arg.value, node.func.value) for arg in node.args]
    found = False
    for operand, other in pairs:
        if fits(real(operand)):
            plan.hoist(operand, f"{_subject(other)}_threshold")
            found = True
    return found


def _plan_local(plan: _Plan, name: str, finding: Finding, wrapper: MetadataWrapper) -> bool:
    """Hoist the single literal assigned to the local ``name`` in the function holding the finding."""
    positions = wrapper.resolve(PositionProvider)
    functions = [
        node
        for node, span in positions.items()
        if isinstance(node, cst.FunctionDef) and span.start.line <= finding.line <= span.end.line
    ]
    if not functions:
        return False
    function = min(functions, key=lambda node: positions[node].end.line - positions[node].start.line)
    assigned: list[cst.BaseExpression] = []

    class Finder(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            if any(isinstance(t.target, cst.Name) and t.target.value == name for t in node.targets):
                assigned.append(node.value)

    function.body.visit(Finder())
    if len(assigned) != 1 or real(assigned[0]) is None:
        return False
    plan.hoist(assigned[0], name)
    return True


def _plan_hyperparameters(plan: _Plan, call: cst.Call, finding: Finding) -> bool:
    names = set(str(dict(finding.data).get("hyperparameters", "")).split(",")) - {""}
    found = False
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in names and real(arg.value) is not None:
            plan.hoist(arg.value, arg.keyword.value)
            found = True
        elif isinstance(arg.value, cst.Dict):
            for element in arg.value.elements:
                key = element.key if isinstance(element, cst.DictElement) else None
                if (
                    isinstance(key, cst.SimpleString)
                    and key.evaluated_value in names
                    and real(element.value) is not None
                ):
                    plan.hoist(element.value, str(key.evaluated_value))
                    found = True
    return found


class _Rewrite(cst.CSTTransformer):
    def __init__(self, plan: _Plan) -> None:
        self.plan = plan

    def on_leave(self, original_node, updated_node):
        name = self.plan.replace.get(id(original_node))
        if name is not None:
            return cst.Name(name)
        return updated_node


def _insert_constants(module: cst.Module, constants: dict[str, str]) -> cst.Module:
    body = list(module.body)
    index = 0
    for position, statement in enumerate(body):
        small = statement.body if isinstance(statement, cst.SimpleStatementLine) else []
        if small and all(isinstance(s, (cst.Import, cst.ImportFrom)) or _is_docstring(s, position) for s in small):
            index = position + 1
        else:
            break
    lines = [cst.parse_statement(f"{name} = {code}\n") for name, code in constants.items()]
    if index > 0 or body:
        lines[0] = lines[0].with_changes(leading_lines=[cst.EmptyLine()] if index > 0 else [])
    if index < len(body) and not body[index].leading_lines:
        body[index] = body[index].with_changes(leading_lines=[cst.EmptyLine()])
    return module.with_changes(body=body[:index] + lines + body[index:])


def _is_docstring(small: cst.BaseSmallStatement, position: int) -> bool:
    return position == 0 and isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString)


def fix(path: Path, text: str, findings: list[Finding], settings: Settings) -> FixResult:
    module = cst.parse_module(text)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    plan = _Plan(module)
    fixed, skipped = 0, []
    for finding in findings:
        if finding.code == "MLD102":
            calls = [node for node in _at(positions, cst.Call, finding) if isinstance(node, cst.Call)]
            done = any(_plan_hyperparameters(plan, call, finding) for call in calls)
        else:
            nodes = _at(positions, (cst.Comparison, cst.Call, cst.Arg), finding)
            done = any(_plan_threshold(plan, node, finding, wrapper) for node in nodes)
        if done:
            fixed += 1
        else:
            skipped.append(f"{finding.path}:{finding.line}: {finding.code} not fixed: no literal to hoist found")
    if not plan.replace:
        return FixResult(text, 0, tuple(skipped))
    rewritten = module.visit(_Rewrite(plan))
    if plan.new:
        rewritten = _insert_constants(rewritten, plan.new)
    return FixResult(rewritten.code, fixed, tuple(skipped))

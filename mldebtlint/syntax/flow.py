"""Source-order helpers for rules that follow a script or function from top to
bottom (data leakage, randomness, monitoring): its statements in order, the
calls inside an expression, the names it reads, the functions a file defines.

Nested ``def``/``class``/``lambda`` bodies are not entered: they run later, if
at all; callers follow them explicitly through ``local_functions``.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

_NESTED_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def last_name(qualified: str | None) -> str:
    """``sklearn.preprocessing.StandardScaler`` -> ``StandardScaler``."""
    return (qualified or "").rsplit(".", 1)[-1]


def keyword(call: cst.Call, name: str) -> cst.Arg | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def positional(call: cst.Call) -> list[cst.BaseExpression]:
    return [arg.value for arg in call.args if arg.keyword is None and not arg.star]


def is_none(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def is_false(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "False"


def is_main_guard(node: cst.CSTNode) -> bool:
    """``if __name__ == "__main__":``"""
    if not isinstance(node, cst.If) or not isinstance(node.test, cst.Comparison):
        return False
    test = node.test
    sides = [test.left, *(item.comparator for item in test.comparisons)]
    names = {side.value for side in sides if isinstance(side, cst.Name)}
    strings = {side.evaluated_value for side in sides if isinstance(side, cst.SimpleString)}
    return "__name__" in names and "__main__" in strings


def block_statements(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The statements directly inside a block-bearing node (bodies, else, handlers)."""
    out: list[cst.CSTNode] = []
    body = getattr(node, "body", None)
    if isinstance(body, cst.BaseSuite):
        out.extend(body.body if isinstance(body, cst.IndentedBlock) else [body])
    elif isinstance(body, (list, tuple)):
        out.extend(body)
    for handler in getattr(node, "handlers", ()) or ():
        out.extend(block_statements(handler))
    for attr in ("orelse", "finalbody"):
        extra = getattr(node, attr, None)
        if extra is not None:
            out.extend(block_statements(extra) if not isinstance(extra, cst.If) else [extra])
    return out


def ordered_statements(body: list[cst.CSTNode] | tuple[cst.CSTNode, ...]) -> Iterator[cst.CSTNode]:
    """Small statements and compound statements (their heads) in source order,
    through if/for/while/with/try bodies but not into nested defs or classes."""
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            yield from statement.body
        elif isinstance(statement, cst.SimpleStatementSuite):
            yield from statement.body
        elif isinstance(statement, _NESTED_SCOPES):
            continue
        elif isinstance(statement, cst.BaseCompoundStatement):
            yield statement
            yield from ordered_statements(block_statements(statement))


def head_expressions(statement: cst.CSTNode) -> list[cst.CSTNode]:
    """The expressions a compound statement evaluates itself (not its body)."""
    if isinstance(statement, (cst.If, cst.While)):
        return [statement.test]
    if isinstance(statement, cst.For):
        return [statement.iter]
    if isinstance(statement, cst.With):
        return [item.item for item in statement.items]
    if isinstance(statement, cst.BaseCompoundStatement):
        return []
    return [statement]


def calls_in(node: cst.CSTNode) -> Iterator[cst.Call]:
    """Calls inside an expression or small statement in evaluation order (arguments
    before the call that receives them), skipping nested scopes."""
    found: list[cst.Call] = []
    stack: list[tuple[cst.CSTNode, bool]] = [(node, False)]
    while stack:
        current, expanded = stack.pop()
        if expanded:
            found.append(current)  # type: ignore[arg-type]
            continue
        if isinstance(current, _NESTED_SCOPES):
            continue
        if isinstance(current, cst.Call):
            stack.append((current, True))
        stack.extend((child, False) for child in reversed(list(current.children)))
    yield from found


def statement_calls(statement: cst.CSTNode) -> Iterator[cst.Call]:
    """Calls a statement (or a compound statement's head) makes, in source order."""
    for expression in head_expressions(statement):
        yield from calls_in(expression)


def names_in(node: cst.CSTNode) -> set[str]:
    """Every plain name read inside ``node`` (attribute roots included)."""
    names: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            names.add(current.value)
        elif isinstance(current, cst.Attribute):
            stack.append(current.value)  # ``df.mean`` reads df, not mean
            continue
        elif isinstance(current, _NESTED_SCOPES):
            continue
        stack.extend(current.children)
    return names


def target_names(target: cst.BaseExpression) -> list[str]:
    """Names bound by an assignment target; ``df[c] = ...`` / ``df.x = ...`` bind ``df``."""
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [name for element in target.elements for name in target_names(element.value)]
    if isinstance(target, cst.StarredElement):
        return target_names(target.value)
    if isinstance(target, (cst.Subscript, cst.Attribute)):
        root: cst.BaseExpression = target
        while isinstance(root, (cst.Subscript, cst.Attribute)):
            root = root.value
        return [root.value] if isinstance(root, cst.Name) else []
    return []


def assignment_parts(statement: cst.CSTNode) -> tuple[list[cst.BaseExpression], cst.BaseExpression] | None:
    """``(targets, value)`` of an Assign/AnnAssign/AugAssign, else None."""
    if isinstance(statement, cst.Assign):
        return [target.target for target in statement.targets], statement.value
    if isinstance(statement, cst.AnnAssign) and statement.value is not None:
        return [statement.target], statement.value
    if isinstance(statement, cst.AugAssign):
        return [statement.target], statement.value
    return None


def local_functions(module: cst.Module) -> dict[str, cst.FunctionDef]:
    """Top-level functions and methods of top-level classes, by name (``Class.method`` too)."""
    functions: dict[str, cst.FunctionDef] = {}
    for statement in module.body:
        if isinstance(statement, cst.FunctionDef):
            functions[statement.name.value] = statement
        elif isinstance(statement, cst.ClassDef):
            for item in block_statements(statement):
                if isinstance(item, cst.FunctionDef):
                    functions.setdefault(item.name.value, item)
                    functions[f"{statement.name.value}.{item.name.value}"] = item
    return functions


def function_body(function: cst.FunctionDef) -> list[cst.CSTNode]:
    return block_statements(function)


def decorator_names(function: cst.FunctionDef | cst.ClassDef) -> list[cst.BaseExpression]:
    """Each decorator's callee (``@app.post("/x")`` -> ``app.post``)."""
    out = []
    for decorator in function.decorators:
        expression = decorator.decorator
        out.append(expression.func if isinstance(expression, cst.Call) else expression)
    return out


def string_value(node: cst.CSTNode) -> str | None:
    """The text of a plain or concatenated string literal, else None."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def enclosing_statement(module: cst.Module, target: cst.CSTNode) -> cst.CSTNode | None:
    """The innermost statement line holding ``target`` (for suppressions)."""
    found: list[cst.CSTNode] = []

    def search(node: cst.CSTNode, holder: cst.CSTNode | None) -> bool:
        if node is target:
            if holder is not None:
                found.append(holder)
            return True
        if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            holder = node
        return any(search(child, holder) for child in node.children)

    search(module, None)
    return found[0] if found else None

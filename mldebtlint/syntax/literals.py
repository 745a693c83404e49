"""The one literal evaluator: numbers, strings and simple constant expressions
written in source, read from libcst nodes without executing anything.

Every rule and fixer asks here "is this node a literal, and what is its value?".
"""

from __future__ import annotations

import operator
from collections.abc import Callable

import libcst as cst

Scalar = int | float | str

_ARITHMETIC: dict[type, Callable[[float, float], float]] = {
    cst.Add: operator.add,
    cst.Subtract: operator.sub,
    cst.Multiply: operator.mul,
    cst.Divide: operator.truediv,
}


def number(node: cst.CSTNode | None, *, arithmetic: bool = False) -> int | float | None:
    """The value of ``7``, ``0.7``, ``-2``, ``+1e-3`` (ints stay ints; not bools,
    not strings). With ``arithmetic``, also ``2 ** 10``, ``1 / 3``, ``-0.5 * 2``."""
    if isinstance(node, (cst.Integer, cst.Float)):
        try:
            return node.evaluated_value
        except ValueError:
            return None
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        inner = number(node.expression, arithmetic=arithmetic)
        if inner is None:
            return None
        return -inner if isinstance(node.operator, cst.Minus) else inner
    if arithmetic and isinstance(node, cst.BinaryOperation):
        left = number(node.left, arithmetic=True)
        right = number(node.right, arithmetic=True)
        if left is None or right is None:
            return None
        try:
            if isinstance(node.operator, cst.Power):
                value = left**right if abs(right) <= 64 and abs(left) <= 1e6 else None
            else:
                apply = _ARITHMETIC.get(type(node.operator))
                value = apply(left, right) if apply is not None else None
        except (ZeroDivisionError, OverflowError):
            return None
        return value if isinstance(value, (int, float)) else None  # (-8) ** 0.5 is complex
    return None


def real(node: cst.CSTNode | None) -> float | None:
    """``number(node)`` as a float (``7`` -> 7.0), for comparing and formatting cut-offs."""
    found = number(node)
    return None if found is None else float(found)


def string(node: cst.CSTNode | None) -> str | None:
    """The text of ``"x"``, ``'a' 'b'`` (not bytes, not f-strings)."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        try:
            value = node.evaluated_value
        except Exception:  # odd prefixes: unknown
            return None
        return value if isinstance(value, str) else None
    return None


def scalar(node: cst.CSTNode | None) -> Scalar | None:
    """A literal number or string, else None."""
    found = number(node)
    return found if found is not None else string(node)


def is_number_literal(node: cst.CSTNode | None) -> bool:
    """A number, a signed number, arithmetic on numbers, or a non-empty tuple/list of them."""
    if isinstance(node, (cst.Tuple, cst.List)):
        return bool(node.elements) and all(
            isinstance(element, cst.Element) and is_number_literal(element.value) for element in node.elements
        )
    if isinstance(node, cst.BinaryOperation):
        return is_number_literal(node.left) and is_number_literal(node.right)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        return is_number_literal(node.expression)
    return isinstance(node, (cst.Integer, cst.Float))


def is_constant(node: cst.CSTNode | None) -> bool:
    """``0.0``, ``"x"``, ``[1, 2]``, ``("a", -1)``: a value written out, not computed."""
    if isinstance(node, (cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString, cst.ConcatenatedString)):
        return True
    if isinstance(node, cst.UnaryOperation):
        return is_constant(node.expression)
    if isinstance(node, (cst.List, cst.Tuple)):
        return all(isinstance(element, cst.Element) and is_constant(element.value) for element in node.elements)
    return False


def format_number(value: float) -> str:
    """``0.7`` -> "0.7", ``2.0`` -> "2"."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(value)

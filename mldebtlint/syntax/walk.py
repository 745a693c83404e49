"""A read-only libcst traversal, several times faster than ``Module.visit``.

``CSTNode.visit`` rebuilds every node it passes (``_visit_and_replace_children``
constructs a copy and runs its validation), even for a read-only visitor, and
calls two attribute hooks per field: that costs ~3x the parse itself. A
linter only reads, so this walker follows the same fields in the same order
and constructs nothing.

The order of a node type's child fields is read once from its
``_visit_and_replace_children`` code: it names each visited field as a string
constant (``visit_required(self, "value", ...)``), in visiting order. Token
and whitespace subtrees (commas, operators, blank lines, comments) hold no
expression or statement, so they are skipped unless a visitor asks for one
of their types. ``tests/test_engine.py`` checks the order against
``Module.visit`` node by node.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection

import libcst as cst
from libcst._nodes import op as _op_nodes
from libcst._nodes import whitespace as _whitespace_nodes

_FIELDS: dict[type, tuple[str, ...]] = {}
_TOKEN_MODULES = (_op_nodes.__name__, _whitespace_nodes.__name__)
_SEQUENCE_TYPES = (tuple, list)


def child_fields(node_type: type) -> tuple[str, ...]:
    """The fields of ``node_type`` that ``CSTNode.visit`` descends into, in its order."""
    order = _FIELDS.get(node_type)
    if order is None:
        names = {field.name for field in dataclasses.fields(node_type)}
        code = node_type._visit_and_replace_children.__code__
        seen: list[str] = []
        for constant in code.co_consts:
            if isinstance(constant, str) and constant in names and constant not in seen:
                seen.append(constant)
        order = _FIELDS[node_type] = tuple(seen)
    return order


def is_token_type(node_type: type) -> bool:
    return node_type.__module__ in _TOKEN_MODULES


def walk(
    root: cst.CSTNode,
    on_visit: Callable[[cst.CSTNode], object],
    on_leave: Callable[[cst.CSTNode], object],
    wanted: Collection[str] = (),
) -> None:
    """Call ``on_visit``/``on_leave`` for each node in ``CSTNode.visit`` order.

    ``wanted``: node type names a visitor handles; token subtrees are walked
    only if one of them is a token type.
    """
    skip_tokens = not any(is_token_type(getattr(cst, name, object)) for name in wanted)
    kinds: dict[type, int] = {}  # 0 skip, 1 node, 2 sequence of nodes

    def kind_of(value_type: type) -> int:
        kind = kinds.get(value_type)
        if kind is None:
            if value_type in _SEQUENCE_TYPES:
                kind = 2
            elif isinstance(value_type, type) and issubclass(value_type, cst.CSTNode):
                kind = 0 if skip_tokens and is_token_type(value_type) else 1
            else:
                kind = 0
            kinds[value_type] = kind
        return kind

    def visit(node: cst.CSTNode) -> None:
        on_visit(node)
        for name in _FIELDS.get(type(node)) or child_fields(type(node)):
            value = getattr(node, name)
            kind = kinds.get(type(value))
            if kind is None:
                kind = kind_of(type(value))
            if kind == 1:
                visit(value)
            elif kind == 2:
                for item in value:
                    item_kind = kinds.get(type(item))
                    if item_kind is None:
                        item_kind = kind_of(type(item))
                    if item_kind == 1:
                        visit(item)
        on_leave(node)

    visit(root)

"""Node positions on demand, the same as libcst's ``PositionProvider`` but cheaper.

``PositionProvider`` regenerates the module's code and builds two
``CodePosition`` objects and a ``CodeRange`` per node, hashing every node,
with a regex split per token. Here the same code generation records plain
tuples keyed by ``id(node)``, skips the regex for tokens without a newline,
and builds a ``CodeRange`` only for the nodes a rule asks about. It runs only
when a rule or fact collector first asks for a position (most files never
do). ``tests/test_engine.py`` checks it against ``PositionProvider``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import libcst as cst
from libcst._position import CodePosition, CodeRange
from libcst.metadata.position_provider import PositionProvidingCodegenState

Span = tuple[int, int, int, int]


class _FastState(PositionProvidingCodegenState):
    """Code generation that records (line, column, end line, end column) by node id."""

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)  # Module codegen looks at the tokens emitted
        if "\n" in value or "\r" in value:
            self._update_position(value)
        else:
            self.column += len(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._stack.append((self.line, self.column))

    def after_codegen(self, node: cst.CSTNode) -> None:
        line, column = self._stack.pop()
        spans = self.provider
        key = id(node)
        if key not in spans:  # a syntactic position was recorded already
            spans[key] = (line, column, self.line, self.column)

    def record_syntactic_position(
        self, node: cst.CSTNode, *, start_node: cst.CSTNode | None = None, end_node: cst.CSTNode | None = None
    ) -> _Syntactic:
        return _Syntactic(self, node, start_node, end_node)


class _Syntactic:
    """The context manager of ``record_syntactic_position``, without contextlib."""

    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(self, state: _FastState, node: Any, start_node: Any, end_node: Any) -> None:
        self.state, self.node, self.start_node, self.end_node = state, node, start_node, end_node

    def __enter__(self) -> None:
        self.start = (self.state.line, self.state.column)

    def __exit__(self, *exc_info: object) -> None:
        state = self.state
        spans = state.provider
        line, column = self.start
        end_line, end_column = state.line, state.column
        if self.start_node is not None:
            line, column = spans[id(self.start_node)][:2]
        if self.end_node is not None:
            end_line, end_column = spans[id(self.end_node)][2:]
        spans[id(self.node)] = (line, column, end_line, end_column)


def compute_spans(module: cst.Module) -> dict[int, Span]:
    spans: dict[int, Span] = {}
    state = _FastState(default_indent=module.default_indent, default_newline=module.default_newline, provider=spans)
    module._codegen(state)
    return spans


class LazyPositions(Mapping):
    """A ``PositionProvider``-style mapping node -> CodeRange, computed on first use."""

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self._spans: dict[int, Span] | None = None

    @property
    def spans(self) -> dict[int, Span]:
        if self._spans is None:
            self._spans = compute_spans(self.module)
        return self._spans

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        line, column, end_line, end_column = self.spans[id(node)]
        return CodeRange(CodePosition(line, column), CodePosition(end_line, end_column))

    def __contains__(self, node: object) -> bool:
        return id(node) in self.spans

    def __iter__(self) -> Iterator[cst.CSTNode]:
        raise TypeError("LazyPositions cannot be iterated; look nodes up")

    def __len__(self) -> int:
        return len(self.spans)

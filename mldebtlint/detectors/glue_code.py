"""MLD201 glue-code: functions dominated by conversions between the data
representations of different libraries (pandas, numpy, torch, tensorflow,
jax, json, Python lists/dicts).

Per function (nested functions are judged on their own) the rule counts
conversion expressions and the statements that contain one. A chain such as
``t.detach().cpu().numpy()`` or ``torch.tensor(df.values)`` is one conversion
touching several libraries. Method and attribute spellings (``.values``,
``.numpy()``, ``.tolist()``) count only in files that import the library
they belong to, and ``x.max(dim=1).values`` (a torch named tuple) is ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from mldebtlint.knowledge.apis import (
    CONVERSION_ATTRIBUTES,
    CONVERSION_FUNCTIONS,
    CONVERSION_METHODS,
    NAMED_TUPLE_METHODS,
    PYTHON,
    ConversionMethod,
)
from mldebtlint.rule import FileContext, Rule
from mldebtlint.syntax.identifiers import words
from mldebtlint.syntax.literals import is_constant, number
from mldebtlint.syntax.names import last_name

DATAFRAME_FAMILY = frozenset({"pandas", "numpy"})
INTO_DATAFRAME = frozenset(
    {"pandas.DataFrame", "pandas.Series", "pandas.DataFrame.from_dict", "pandas.DataFrame.from_records"}
)
SERVING_WORDS = frozenset({"predict", "prediction", "infer", "inference", "serve", "handler", "endpoint", "recommend"})
ROUTE_DECORATORS = frozenset({"get", "post", "put", "route", "api_route"})


def _is_route(decorator: cst.BaseExpression) -> bool:
    func = decorator.func if isinstance(decorator, cst.Call) else decorator
    return isinstance(func, cst.Attribute) and last_name(func) in ROUTE_DECORATORS


# ``.numpy()`` converts *from* whichever of these the file imports.
_NUMPY_METHOD_SOURCES = ("torch", "tensorflow")


@dataclass
class _Frame:
    """Counters of one function being visited."""

    name: cst.Name
    statements: int = 0
    conversions: int = 0
    converting_statements: set[int] = field(default_factory=set)
    libraries: set[str] = field(default_factory=set)
    # Conversion snippets already counted: the same conversion of the same
    # value in alternative branches (``if ...: torch.from_numpy(X) else: ...``)
    # is one conversion.
    seen: set[str] = field(default_factory=set)
    statement_stack: list[int] = field(default_factory=list)
    # A constructor/adapter converting each of its own arguments the same
    # way (``self.mean = torch.from_numpy(mean)``) *is* the boundary.
    params: frozenset[str] = frozenset()
    kinds: set[str] = field(default_factory=set)
    only_params: bool = True
    handler: bool = False

    def is_boundary_adapter(self) -> bool:
        return self.only_params and len(self.kinds) == 1


def _is_docstring(node: cst.SimpleStatementLine) -> bool:
    return (
        len(node.body) == 1
        and isinstance(node.body[0], cst.Expr)
        and isinstance(node.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def parse_extra_conversions(entries: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """``"feature_store.client.to_frame:pandas"`` -> {"feature_store.client.to_frame": ("pandas",)}."""
    table: dict[str, tuple[str, ...]] = {}
    for entry in entries:
        name, _, libraries = str(entry).partition(":")
        found = tuple(lib.strip() for lib in libraries.split(",") if lib.strip())
        if name.strip():
            table[name.strip()] = found or (PYTHON,)
    return table


class GlueCode(Rule):
    code = "MLD201"
    CHECK_TESTS = False

    def __init__(self, context: FileContext, options: Mapping[str, Any]) -> None:
        super().__init__(context, options)
        self.min_conversions = options["min-conversions"]
        self.min_share = options["min-share"]
        self.min_libraries = options["min-libraries"]
        # A one- or two-statement adapter *is* the fix (convert once, at a boundary).
        self.min_statements = options["min-statements"]
        self.functions = dict(CONVERSION_FUNCTIONS)
        self.functions.update(parse_extra_conversions(options["extra-conversions"]))
        self.frames: list[_Frame] = []
        # Expressions that are the input of an enclosing conversion.
        self.chained: set[int] = set()
        self.called: set[int] = set()
        self.lookups: set[int] = set()
        self._roots: set[str] = set()
        self._roots_size = -1

    # -- function frames -------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._enter_statement()  # a nested def is one statement of its parent
        self._leave_statement()
        params = node.params
        names = frozenset(param.name.value for param in (*params.posonly_params, *params.params, *params.kwonly_params))
        frame = _Frame(node.name, params=names - {"self", "cls"})
        frame.handler = any(_is_route(decorator.decorator) for decorator in node.decorators) or bool(
            SERVING_WORDS & set(words(node.name.value))
        )
        self.frames.append(frame)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        frame = self.frames.pop()
        libraries = sorted(frame.libraries - {PYTHON})
        if self._thin_handler(frame, libraries):
            return
        if frame.conversions < self.min_conversions or frame.statements < max(self.min_statements, 1):
            return
        share = len(frame.converting_statements) / frame.statements
        if share < self.min_share or len(libraries) < self.min_libraries or frame.is_boundary_adapter():
            return
        if frame.libraries <= DATAFRAME_FAMILY and frame.kinds & INTO_DATAFRAME:
            return  # pandas -> numpy -> pandas inside feature engineering: one family, no boundary
        self.report(
            frame.name,
            f"`{frame.name.value}` is mostly glue code: {frame.conversions} conversions in "
            f"{len(frame.converting_statements)} of {frame.statements} statements ({share:.0%}) "
            f"across {', '.join(libraries)}; keep one representation per stage and convert "
            "once at its boundary",
            conversions=frame.conversions,
            statements=frame.statements,
            libraries=",".join(libraries),
        )

    def _thin_handler(self, frame: _Frame, libraries: list[str]) -> bool:
        """A request handler that is nothing but conversions around one model call
        (JSON -> numpy -> torch -> numpy -> list -> JSON) is glue; reported here."""
        if not frame.handler or frame.conversions < 2 or len(frame.libraries) < 3 or not libraries:
            return False
        plain = frame.statements - len(frame.converting_statements)
        if frame.statements == 0 or plain > 2:  # the model call and maybe one more line
            return False
        self.report(
            frame.name,
            f"`{frame.name.value}` is a thin handler made of glue: {frame.conversions} conversions across "
            f"{', '.join(sorted(frame.libraries))} around its model call; accept and return the model's "
            "own representation at one boundary (a typed request/response schema)",
            conversions=frame.conversions,
            statements=frame.statements,
            libraries=",".join(libraries),
        )
        return True

    # -- statements --------------------------------------------------------------
    def _enter_statement(self) -> None:
        if self.frames:
            frame = self.frames[-1]
            frame.statements += 1
            frame.statement_stack.append(frame.statements)

    def _leave_statement(self) -> None:
        if self.frames and self.frames[-1].statement_stack:
            self.frames[-1].statement_stack.pop()

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        if _is_docstring(node) and self.frames and self.frames[-1].statements == 0:
            self.frames[-1].statement_stack.append(0)  # not counted
            return
        self._enter_statement()

    def leave_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._leave_statement()

    def visit_If(self, node: cst.If) -> None:
        self._enter_statement()

    def leave_If(self, node: cst.If) -> None:
        self._leave_statement()

    def visit_For(self, node: cst.For) -> None:
        self._enter_statement()

    def leave_For(self, node: cst.For) -> None:
        self._leave_statement()

    def visit_While(self, node: cst.While) -> None:
        self._enter_statement()

    def leave_While(self, node: cst.While) -> None:
        self._leave_statement()

    def visit_With(self, node: cst.With) -> None:
        self._enter_statement()

    def leave_With(self, node: cst.With) -> None:
        self._leave_statement()

    def visit_Try(self, node: cst.Try) -> None:
        self._enter_statement()

    def leave_Try(self, node: cst.Try) -> None:
        self._leave_statement()

    # -- conversions ---------------------------------------------------------------
    def _record(
        self, node: cst.CSTNode, libraries: tuple[str, ...], source: cst.CSTNode | None, kind: str = ""
    ) -> None:
        if not self.frames:
            return
        frame = self.frames[-1]
        if source is not None:
            self.chained.add(id(source))
        frame.libraries.update(libraries)
        if id(node) in self.chained:
            return  # the input of a conversion already counted
        frame.kinds.add(kind or type(node).__name__)
        if not (isinstance(source, cst.Name) and source.value in frame.params):
            frame.only_params = False
        if frame.statement_stack and frame.statement_stack[-1]:
            frame.converting_statements.add(frame.statement_stack[-1])
        snippet = "".join(self.context.module.code_for_node(node).split())
        if snippet not in frame.seen:
            frame.seen.add(snippet)
            frame.conversions += 1

    def _imported_roots(self) -> set[str]:
        # Imports inside functions are added while the file is walked: recompute
        # only when the alias table has grown.
        size = len(self.names.aliases)
        if size != self._roots_size:
            self._roots = self.names.imported_roots()
            self._roots_size = size
        return self._roots

    def _method_applies(self, method: ConversionMethod, receiver: cst.BaseExpression) -> bool:
        roots = self._imported_roots()
        if not any(root in roots for root in method.requires):
            return False
        # ``np.tolist`` / ``torch.numpy``: a module attribute, not a method call.
        return self.names.resolve(receiver) is None

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        self.called.add(id(func))
        if not self.frames:
            return
        qualified = self.names.resolve(func)
        libraries = self.functions.get(qualified) if qualified else None
        if libraries is not None and qualified is not None:
            positional = [arg for arg in node.args if arg.keyword is None and not arg.star]
            if not positional or is_constant(positional[0].value):
                return
            self._record(node, libraries, positional[0].value, qualified)
            return
        if isinstance(func, cst.Attribute):
            method = CONVERSION_METHODS.get(func.attr.value)
            if method is None or not self._method_applies(method, func.value):
                return
            if method.link and id(node) not in self.chained:
                return  # ``model.cpu()`` alone is a device move
            found = method.libraries
            if func.attr.value == "numpy":
                roots = self._imported_roots()
                sources = [root for root in _NUMPY_METHOD_SOURCES if root in roots]
                if len(sources) == 1:
                    found = found + (sources[0],)
            self._record(node, found, func.value, func.attr.value)

    def visit_Comparison(self, node: cst.Comparison) -> None:
        for target in node.comparisons:  # ``plan in plans.index.values``: a lookup
            if isinstance(target.operator, (cst.In, cst.NotIn)):
                self.lookups.add(id(target.comparator))

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            if number(node.slice[0].slice.value) is not None:
                self.lookups.add(id(node.value))  # ``frame[col].values[0]``: one element

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if not self.frames or id(node) in self.called or id(node) in self.lookups:
            return
        method = CONVERSION_ATTRIBUTES.get(node.attr.value)
        if method is None or not self._method_applies(method, node.value):
            return
        receiver = node.value
        if isinstance(receiver, cst.Name) and receiver.value in ("self", "cls"):
            return
        if isinstance(receiver, cst.Call) and isinstance(receiver.func, cst.Attribute):
            if receiver.func.attr.value in NAMED_TUPLE_METHODS:
                return
        if isinstance(receiver, cst.Call) and (self.names.resolve(receiver.func) or "").startswith("torch."):
            return
        self._record(node, method.libraries, receiver, node.attr.value)

    def visit_ListComp(self, node: cst.ListComp) -> None:
        element = node.elt
        is_record = isinstance(element, cst.Dict) or (
            isinstance(element, cst.Call) and isinstance(element.func, cst.Name) and element.func.value == "dict"
        )
        if is_record:
            self._record(node, (PYTHON,), None)

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._record(node, (PYTHON,), None)

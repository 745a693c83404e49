"""Per-file model-graph facts, gathered in the engine's single batched pass.

``ModelGraphFacts.facts()`` returns plain JSON-friendly data::

    {
      "module": "pkg.train_upsell",            # dotted name from the path
      "constants": {"MODEL_PATH": parts},      # module-level path constants
      "classes": {"Net": ["torch.nn.Module"]}, # classes and their (qualified) bases
      "functions": {"pkg.m.score": {"returns": [source...], "loads": [parts...]}},
      "instances": [instance...],              # see scopes.Instance.to_facts
      "writes": [{"path": parts, "sources": [source...], "line": 3, "column": 5}],
      "argdefaults": {"model_path": parts},    # argparse ``--model-path`` defaults
    }

A source is ``{"model": instance_id}``, ``{"data": parts}`` or
``{"call": qualified_function}``; ``parts`` are described in
``mldebtlint.graph.paths``. Statement handlers live here, expression
evaluation in ``mldebtlint.graph.flow``.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import libcst as cst
from libcst.metadata import PositionProvider

from mldebtlint.graph.calls import ExpressionEvaluator
from mldebtlint.graph.flow import FlowEvaluator, var_key
from mldebtlint.graph.paths import ANY, PathReader, dict_entries, literal_values
from mldebtlint.graph.scopes import PARAM, Scope, capped, real_sources, sources_to_facts
from mldebtlint.knowledge import graph_apis as api
from mldebtlint.rule import FactCollector, FileContext

_PATHLIKE = (
    cst.SimpleString,
    cst.ConcatenatedString,
    cst.FormattedString,
    cst.BinaryOperation,
    cst.Call,
    cst.Name,
    cst.Attribute,
    cst.Subscript,
)
_MAX_CONSTANT_PARTS = 40


def module_name(relative: str) -> str:
    """``src/pkg/train.py`` -> ``src.pkg.train``; ``pkg/__init__.py`` -> ``pkg``."""
    pure = PurePosixPath(relative.replace("\\", "/"))
    pieces = [part for part in pure.with_suffix("").parts if part not in ("", ".", "..")]
    if pieces and pieces[-1] == "__init__":
        pieces.pop()
    return ".".join(pieces) or pure.stem


class ModelGraphFacts(FactCollector, ExpressionEvaluator):
    """Collects models, artifacts and the data flow between them in one file."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, context: FileContext) -> None:
        FactCollector.__init__(self, context)
        self.module = module_name(context.path)
        self.names = context.names
        self.scopes: list[Scope] = [Scope(self.module, "module")]
        self.paths = PathReader(self.names, self.module, self._local_path, context.path)
        self.paths.module_constants = set(context.module_constants)
        FlowEvaluator.__init__(self)
        self.classes: dict[str, list[str]] = {}
        self._no_grad: list[bool] = []
        self._guards: list[tuple[str, str, int, int] | None] = []
        self._constants = self._read_constants()
        self.argdefaults: dict[str, list] = {}
        self.params_of: dict[str, list[str]] = {}

    # -- helpers used by the evaluator ------------------------------------------
    def position(self, node: cst.CSTNode) -> dict[str, int]:
        span = self.context.get_metadata(PositionProvider, node)
        if span is None:
            return {"line": 1, "column": 1, "end_line": 1, "end_column": 1}
        return {
            "line": span.start.line,
            "column": span.start.column + 1,
            "end_line": span.end.line,
            "end_column": span.end.column + 1,
        }

    def _local_path(self, name: str) -> list | None:
        scope = self.scope_of(name)
        if scope is not None and name in scope.paths:
            return scope.paths[name]
        if scope is not None and name in scope.holes:
            return [["var", scope.holes[name]]]
        return None

    def _read_constants(self) -> dict[str, list]:
        constants: dict[str, list] = {}
        reader = PathReader(self.names, self.module, lambda name: None, self.context.path)
        reader.module_constants = set(self.context.module_constants)
        entries = []
        for name, value in self.context.module_constants.items():
            entries.append((name, value))
            entries.extend((f"{name}[{key}]", item) for key, item in dict_entries(value))
        for name, value in entries:
            if not isinstance(value, _PATHLIKE):
                continue
            parts = reader.parts(value)
            if parts != ANY and len(parts) <= _MAX_CONSTANT_PARTS and any(kind != "any" for kind, _ in parts):
                constants[name] = parts
        return constants

    # -- scopes ---------------------------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        bases = []
        for base in node.bases:
            name = self.names.qualified_or_local(base.value)
            if name:
                bases.append(name)
        self.classes[node.name.value] = bases
        self.scopes.append(Scope(self._qualname(node.name.value), "class"))

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.scopes.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        scope = Scope(self._qualname(node.name.value), "function")
        params = node.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            if param.name.value not in ("self", "cls"):
                hole = f"{param.name.value}@{scope.qualname}"
                scope.taints[param.name.value] = {(PARAM, hole)}
                scope.holes[param.name.value] = hole
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                scope.taints[star.name.value] = set()
        self.params_of[scope.qualname] = [
            param.name.value for param in (*params.posonly_params, *params.params) if param.name.value != "cls"
        ]
        self.scopes.append(scope)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.scopes.pop()

    def _qualname(self, name: str) -> str:
        return f"{self.scopes[-1].qualname}.{name}"

    # -- statements -----------------------------------------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        sources = self.evaluate(node.value)
        for target in node.targets:
            self.bind(target.target, node.value, sources)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self.bind(node.target, node.value, self.evaluate(node.value))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        sources = self.evaluate(node.value)
        key = var_key(node.target)
        if key is not None:
            scope = self.scope_of(key) or self.assignment_scope(key)
            scope.taints[key] = capped(scope.taints.get(key, set()) | sources)
        else:
            self.store_into(node.target, sources)

    def visit_Expr(self, node: cst.Expr) -> None:
        self.evaluate(node.value)
        if isinstance(node.value, cst.Call):
            self._argument_default(node.value)

    def _argument_default(self, node: cst.Call) -> None:
        """``parser.add_argument("--model-path", default="models/x.pkl")``: the path
        ``args.model_path`` holds unless the command line says otherwise."""
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value != "add_argument":
            return
        default = next((arg.value for arg in node.args if arg.keyword and arg.keyword.value == "default"), None)
        dest = next((arg.value for arg in node.args if arg.keyword and arg.keyword.value == "dest"), None)
        names = [arg.value for arg in node.args if arg.keyword is None]
        flag = dest if dest is not None else (names[-1] if names else None)
        text = flag.evaluated_value if isinstance(flag, cst.SimpleString) else None
        if default is None or not isinstance(text, str):
            return
        parts = self.paths.parts(default)
        if any(kind != "s" for kind, _ in parts):
            return
        self.argdefaults[text.lstrip("-").replace("-", "_")] = parts

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is None or self.scopes[-1].kind != "function":
            return
        summary = self.function_summary(self.scopes[-1].qualname)
        summary["returns"] |= self.evaluate(node.value)
        for call in self.receiver_calls(node.value):
            if id(call) in self.loaded:
                summary["loads"].append(self.loaded[id(call)])
        key = var_key(node.value)
        scope = self.scope_of(key) if key else None
        instance_id = scope.instances.get(key) if scope and key else None
        if instance_id in self.instances:
            # ``model = joblib.load(path); ...; return model``
            summary["loads"].extend(self.instances[instance_id].loads)

    def visit_For(self, node: cst.For) -> None:
        self.bind(node.target, node.iter, self.evaluate(node.iter))
        if isinstance(node.target, cst.Name):
            key = node.target.value
            scope = self.scope_of(key)
            if scope is not None and key not in scope.paths:
                # ``for fold in range(5): f"fold{fold}.pkl"``
                values = literal_values(node.iter)
                if values is None and isinstance(node.iter, cst.Name):
                    owner = self.scope_of(node.iter.value)
                    values = owner.literals.get(node.iter.value) if owner else None
                scope.holes[key] = f"in:{values}" if values else f"{key}@{scope.qualname}"

    def visit_With(self, node: cst.With) -> None:
        frozen = any(
            self.names.call_name(item.item) in api.NO_GRAD_CONTEXTS
            for item in node.items
            if isinstance(item.item, cst.Call)
        )
        self._no_grad.append(frozen)
        for item in node.items:
            sources = self.evaluate(item.item)
            if item.asname is not None and isinstance(item.asname.name, cst.BaseExpression):
                self.bind(item.asname.name, item.item, sources)

    def visit_If(self, node: cst.If) -> None:
        """``if self.method == "a":`` bodies: sites inside carry the guard, so that
        edges made under different values of one subject never form a loop."""
        guard = None
        test = node.test
        if (
            isinstance(test, cst.Comparison)
            and len(test.comparisons) == 1
            and isinstance(test.comparisons[0].operator, cst.Equal)
        ):
            left, right = test.left, test.comparisons[0].comparator
            if isinstance(left, (cst.SimpleString, cst.Integer)):
                left, right = right, left
            literal = (cst.SimpleString, cst.Integer)
            if isinstance(right, literal) and not isinstance(left, literal):
                body = self.position(node.body)
                subject = self.context.module.code_for_node(left).strip()
                guard = (subject, right.value, body["line"], body["end_line"])
        self._guards.append(guard)

    def leave_If(self, original_node: cst.If) -> None:
        self._guards.pop()

    def guards_at(self, line: int) -> list[list]:
        return [
            [subject, value]
            for guard in self._guards
            if guard is not None
            for subject, value, start, end in (guard,)
            if start <= line <= end
        ]

    def leave_With(self, original_node: cst.With) -> None:
        self._no_grad.pop()

    def without_grad(self) -> bool:
        return any(self._no_grad)

    # -- output ---------------------------------------------------------------------
    def facts(self) -> dict[str, Any]:
        referenced = {value for _, value in self.all_model_sources()}
        for instance in self.instances.values():
            instance.not_model = self.not_model(instance)
        # Test code wires models together to check them, not to run a pipeline:
        # it keeps its definitions (imports still resolve) but adds no flow.
        flows = not self.context.is_test
        instances = (
            []
            if not flows
            else [
                instance.to_facts()
                for instance in self.instances.values()
                if instance.interesting() or instance.id in referenced
            ]
        )
        functions = {
            name: {
                "returns": sources_to_facts(capped(real_sources(summary["returns"]))),
                "loads": summary["loads"],
                "params": self.params_of.get(name, []),
                **({"writes": summary["writes"]} if summary["writes"] and flows else {}),
            }
            for name, summary in self.functions.items()
            if real_sources(summary["returns"]) or summary["loads"] or (summary["writes"] and flows)
        }
        return {
            "module": self.module,
            "constants": self._constants,
            "classes": self.classes,
            "functions": functions,
            "instances": instances,
            "writes": self.writes if flows else [],
            "calls": self.calls if flows else [],
            "argdefaults": self.argdefaults,
        }

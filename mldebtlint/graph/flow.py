"""Intra-function data flow for the model-graph facts collector.

``FlowEvaluator.evaluate(expr)`` returns the set of sources an expression's
value derives from, and records, as a side effect, the ML events the
expression performs: model loads and saves, fit/train calls, predictions
and data artifacts read or written. It is a mixin of ``ModelGraphFacts``
(which provides ``scopes``, ``names``, ``paths``, ``module`` and
``position``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import libcst as cst

from mldebtlint.graph.paths import PathReader, absolute_name, literal_values
from mldebtlint.graph.scopes import (
    MODEL_SOURCES,
    PARAM,
    Instance,
    Scope,
    Source,
    capped,
    real_sources,
    sources_to_facts,
)
from mldebtlint.knowledge import graph_apis as api

if TYPE_CHECKING:
    from mldebtlint.syntax.names import ImportResolver


def var_key(node: cst.BaseExpression) -> str | None:
    """``x`` -> "x", ``self.model`` -> "self.model", anything else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self":
        return f"self.{node.attr.value}"
    return None


def _positional(call: cst.Call) -> list[cst.BaseExpression]:
    return [arg.value for arg in call.args if arg.keyword is None and not arg.star]


def _keyword(call: cst.Call, names: tuple[str, ...]) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in names:
            return arg.value
    return None


def _argument(call: cst.Call, index: int, keywords: tuple[str, ...]) -> cst.BaseExpression | None:
    found = _keyword(call, keywords)
    if found is not None:
        return found
    positional = _positional(call)
    return positional[index] if 0 <= index < len(positional) else None


class FlowEvaluator:
    # Provided by the host class (``ModelGraphFacts``).
    scopes: list[Scope]
    names: ImportResolver
    paths: PathReader
    module: str

    if TYPE_CHECKING:

        def position(self, node: cst.CSTNode) -> dict[str, int]: ...

    def __init__(self) -> None:
        self.instances: dict[str, Instance] = {}
        self.writes: list[dict] = []
        self.functions: dict[str, dict] = {}
        # id(Call node) -> the load it performs ({"path", "line", "generic"}) / site of a fit.
        self.loaded: dict[int, dict] = {}
        self.trained_sites: dict[int, dict] = {}
        self.opened: dict[int, list] = {}
        # Calls of the repo's own functions with arguments derived from models or data.
        self.calls: list[dict] = []
        self._model_refs: set[Source] = set()

    def without_grad(self) -> bool:
        """Inside ``with torch.no_grad():`` (overridden by the collector)."""
        return False

    # -- scopes and variables ----------------------------------------------------
    def scope_of(self, key: str) -> Scope | None:
        if key.startswith("self."):
            for scope in reversed(self.scopes):
                if scope.kind == "class":
                    return scope if scope.tracks(key) else None
            return None
        for scope in reversed(self.scopes):
            if scope.kind != "class" and scope.tracks(key):
                return scope
        return None

    def assignment_scope(self, key: str) -> Scope:
        if key.startswith("self."):
            for scope in reversed(self.scopes):
                if scope.kind == "class":
                    return scope
        for scope in reversed(self.scopes):
            if scope.kind != "class":
                return scope
        return self.scopes[0]

    def instance(self, key: str, line: int = 0) -> Instance:
        scope = self.scope_of(key) or self.assignment_scope(key)
        instance_id = scope.instances.get(key)
        if instance_id is None:
            instance_id = f"{scope.qualname}:{key}"
            scope.instances[key] = instance_id
            scope.taints.setdefault(key, set())
        if instance_id not in self.instances:
            self.instances[instance_id] = Instance(instance_id, key.rsplit(".", 1)[-1], line)
        return self.instances[instance_id]

    def taint(self, key: str) -> set[Source]:
        scope = self.scope_of(key)
        return set(scope.taints.get(key, ())) if scope else set()

    def function_summary(self, qualname: str) -> dict:
        return self.functions.setdefault(qualname, {"returns": set(), "loads": [], "writes": []})

    def all_model_sources(self) -> set[Source]:
        return self._model_refs

    def guards_at(self, line: int) -> list[list]:
        """``[subject, literal]`` of the ``if subject == literal:`` bodies around ``line``."""
        return []

    def site(self, node: cst.CSTNode, inputs: set[Source]) -> dict:
        position = self.position(node)
        guards = self.guards_at(position["line"])
        return {**position, "inputs": self._facts(inputs), **({"guards": guards} if guards else {})}

    def _facts(self, sources: set[Source]) -> list[dict]:
        sources = capped(real_sources(sources))
        self._model_refs |= {source for source in sources if source[0] in MODEL_SOURCES}
        return sources_to_facts(sources)

    # -- binding ------------------------------------------------------------------
    def bind(self, target: cst.BaseExpression, value: cst.BaseExpression, sources: set[Source]) -> None:
        key = var_key(target)
        if key is None:
            if isinstance(target, (cst.Tuple, cst.List)):
                for element in target.elements:
                    self.bind(element.value, value, sources)
            else:
                self.store_into(target, sources)
            return
        scope = self.scope_of(key) if key.startswith("self.") else None
        scope = scope or self.assignment_scope(key)
        if isinstance(value, cst.Name) and value.value == "None" and key in scope.instances:
            return  # ``except ...: model = None``: the fallback of an optional model, not another object
        alias = self.alias_instance(value)
        scope.taints[key] = capped(set(sources))
        scope.instances.pop(key, None)
        scope.handles.pop(key, None)
        scope.holes.pop(key, None)
        scope.literals.pop(key, None)
        if isinstance(value, (cst.List, cst.Tuple)):
            values = literal_values(value)
            if values:
                scope.literals[key] = values
        if alias is not None:
            scope.instances[key] = alias
            return
        parts = self.paths.parts(value)
        if any(kind in ("s", "key", "arg") for kind, _ in parts):
            scope.paths[key] = parts
        else:
            scope.paths.pop(key, None)
        self._bind_events(key, value)
        self._bind_component(key, value)

    def _bind_component(self, key: str, value: cst.BaseExpression) -> None:
        """``clf = bundle["classifier"]`` where ``bundle`` was loaded from an artifact:
        the component is that artifact (a pipeline saved as a dict of its parts)."""
        if not isinstance(value, cst.Subscript):
            return
        owner_key = var_key(value.value)
        owner_scope = self.scope_of(owner_key) if owner_key else None
        owner_id = owner_scope.instances.get(owner_key) if owner_scope and owner_key else None
        owner = self.instances.get(owner_id) if owner_id else None
        if owner is None or not (owner.loads or owner.load_calls):
            return
        component = self.instance(key, self.position(value)["line"])
        component.loads.extend(owner.loads)
        component.load_calls.extend(owner.load_calls)

    def _bind_events(self, key: str, value: cst.BaseExpression) -> None:
        calls = list(self.receiver_calls(value))
        line = self.position(value)["line"]
        for call in calls:
            if id(call) in self.loaded:
                load = self.loaded[id(call)]
                self.instance(key, line).loads.append(load)
                self.instance(key).evidence |= not load["generic"]
            if id(call) in self.trained_sites:
                self.instance(key, line).trains.append(self.trained_sites[id(call)])
            if id(call) in self.opened:
                self.assignment_scope(key).handles[key] = self.opened[id(call)]
        if not calls:
            return
        innermost = calls[-1]
        name = self.names.call_name(innermost)
        if not name:
            return
        last = name.rsplit(".", 1)[-1]
        if isinstance(innermost.func, cst.Name) and not last[:1].isupper():
            qualified = self._function_name(innermost.func.value)
            if qualified:
                self.instance(key, line).load_calls.append(qualified)
            return
        if last[:1].isupper() and id(innermost) not in self.loaded:
            instance = self.instance(key, line)
            instance.ctor = name
            if last.endswith(api.TRAINER_SUFFIX):
                self._bind_trainer(instance, innermost)

    def _bind_trainer(self, trainer: Instance, call: cst.Call) -> None:
        model = _argument(call, 0, api.TRAINER_MODEL_KEYWORDS)
        model_key = var_key(model) if model is not None else None
        if model_key is None or self.scope_of(model_key) is None:
            return
        trainer.trainer_model = self.instance(model_key).id
        for arg in call.args:
            if arg.value is not model:
                trainer.trainer_inputs |= self.taint_of(arg.value)

    def store_into(self, target: cst.BaseExpression, sources: set[Source]) -> None:
        """``df["score"] = preds`` / ``out.x = preds``: the container now holds them."""
        key = self.root_key(target)
        if key is not None:
            scope = self.scope_of(key) or self.assignment_scope(key)
            scope.taints[key] = capped(scope.taints.get(key, set()) | sources)

    def root_key(self, node: cst.BaseExpression) -> str | None:
        while True:
            key = var_key(node)
            if key is not None and self.scope_of(key) is not None:
                return key
            if isinstance(node, (cst.Attribute, cst.Subscript)):
                node = node.value
            elif isinstance(node, cst.Call):
                node = node.func
            else:
                return None

    def receiver_calls(self, node: cst.BaseExpression) -> Iterator[cst.Call]:
        """``load(p).to(d).eval()`` -> the three calls, outermost first."""
        while True:
            if isinstance(node, cst.Call):
                yield node
                node = node.func
            elif isinstance(node, (cst.Attribute, cst.Subscript)):
                node = node.value
            elif isinstance(node, cst.Await):
                node = node.expression
            else:
                return

    def _function_name(self, name: str) -> str | None:
        target = self.names.aliases.get(name)
        if target is not None:
            return absolute_name(target, self.module)
        if self.scope_of(name) is None:
            return f"{self.module}.{name}"
        return None

    def taint_of(self, node: cst.BaseExpression) -> set[Source]:
        """Sources of an expression without recording events again."""
        key = self.root_key(node)
        return self.taint(key) if key else set()

    def record_write(
        self, node: cst.Call, path: cst.BaseExpression | None, sources: set[Source], parts: list | None = None
    ) -> None:
        if parts is None and path is not None:
            parts = self.paths.parts(path)
        if parts is None:
            return
        params = sorted(value for kind, value in sources if kind == PARAM)
        function = self.scopes[-1]
        if params and function.kind == "function":
            # ``def log_predictions(frame, path): frame.to_parquet(path)``: each call
            # writes its own argument (bound in the repo phase).
            summary = self.function_summary(function.qualname)
            summary["writes"].append({"path": parts, "params": params, **self.position(node)})
        real = real_sources(sources)
        if real:
            self.writes.append({"path": parts, "sources": self._facts(real), **self.position(node)})

    def alias_instance(self, value: cst.BaseExpression) -> str | None:
        """``model.to(device)``, ``torch.compile(model)``, ``other``: the same model."""
        node = value
        while True:
            key = var_key(node)
            if key is not None:
                scope = self.scope_of(key)
                return scope.instances.get(key) if scope else None
            if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
                if node.func.attr.value not in api.MODEL_PASSTHROUGH_METHODS:
                    return None
                node = node.func.value
            elif isinstance(node, cst.Call):
                name = (self.names.call_name(node) or "").rsplit(".", 1)[-1]
                positional = _positional(node)
                if name not in api.MODEL_WRAPPERS or not positional:
                    return None
                node = positional[0]
            elif isinstance(node, cst.Attribute) and node.attr.value in ("module", "_orig_mod"):
                node = node.value
            else:
                return None

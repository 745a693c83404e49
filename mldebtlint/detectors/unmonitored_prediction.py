"""MLD702 unmonitored-prediction: a serving entry point or batch-scoring job
that returns or writes model predictions without recording them.

Serving entry points: web routes (FastAPI/Flask/Starlette/... decorators),
Django views, gRPC servicer methods, BentoML/Ray Serve handlers, KServe and
MLServer ``predict`` methods, Triton's ``execute``. A batch-scoring job is a
script or function that loads a model, predicts and writes the predictions to
a file or table (not a competition submission), and fits nothing.

Recording is a logging (not error-only), metrics, tracing, experiment-tracker
or store call on the success path of the handler or of a helper in the same
file that it calls; an imported helper named for it (``log_prediction``)
counts too.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from mldebtlint.knowledge import debt_apis as api
from mldebtlint.knowledge.graph_apis import MLFLOW_LOAD_SUFFIX, MODEL_LOAD_FUNCTIONS, MODEL_LOAD_METHODS
from mldebtlint.rule import Rule
from mldebtlint.syntax.flow import (
    block_statements,
    decorator_names,
    enclosing_statement,
    last_name,
    local_functions,
    string_value,
)
from mldebtlint.syntax.identifiers import words as identifier_words
from mldebtlint.syntax.names import attribute_chain

_PREDICTION_WORDS = frozenset(
    {
        "predict",
        "prediction",
        "predictions",
        "recommend",
        "recommendation",
        "recommendations",
        "infer",
        "inference",
        "classify",
        "forecast",
    }
)
_METRIC_RECEIVER_WORDS = frozenset({"metric", "metrics", "counter", "histogram", "gauge", "statsd", "span", "tracker"})
_MAX_DEPTH = 3


def words(name: str) -> set[str]:
    return set(identifier_words(name))


def success_calls(node: cst.CSTNode) -> Iterator[cst.Call]:
    """Calls in ``node`` outside ``except`` handlers and nested defs (the success path)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (cst.ExceptHandler, cst.ExceptStarHandler, cst.Lambda, cst.ClassDef)):
            continue
        if isinstance(current, cst.FunctionDef) and current is not node:
            continue
        if isinstance(current, cst.Call):
            yield current
        stack.extend(current.children)


class UnmonitoredPrediction(Rule):
    code = "MLD702"
    CHECK_TESTS = False
    TRIGGERS = ("predict", "recommend", "infer", "classify", "forecast", "model", "async_run")

    def leave_Module(self, original_node: cst.Module) -> None:
        module = original_node
        folders = {word for part in self.context.path.split("/")[:-1] for word in words(part)}
        if folders & set(self.options["skip-folder-words"]):
            return  # demos, examples and benchmarks are not production serving paths
        self.module = module
        self.functions = local_functions(module)
        roots = self.names.imported_roots()
        web = bool(roots & api.WEB_FRAMEWORK_ROOTS)
        serving = bool(roots & api.SERVING_FRAMEWORK_ROOTS)
        for handler, kind in self._handlers(module, web, serving):
            self._check_handler(handler, kind)
        if not web and not serving:
            self._check_batch_scoring(module)

    # -- finding handlers ---------------------------------------------------------
    def _handlers(self, module: cst.Module, web: bool, serving: bool) -> Iterator[tuple[cst.FunctionDef, str]]:
        views_file = self.context.path.rsplit("/", 1)[-1].startswith("views")
        for statement in module.body:
            if isinstance(statement, cst.FunctionDef):
                kind = self._function_kind(statement, web, serving, views_file)
                if kind:
                    yield statement, kind
            elif isinstance(statement, cst.ClassDef):
                yield from self._class_handlers(statement, web, serving)

    def _function_kind(self, function: cst.FunctionDef, web: bool, serving: bool, views_file: bool) -> str:
        for decorator in decorator_names(function):
            qualified = self.names.qualified_or_local(decorator) or ""
            name = last_name(qualified)
            if web and isinstance(decorator, cst.Attribute) and name in api.ROUTE_DECORATOR_METHODS:
                return "route"
            if serving and (qualified in api.SERVING_DECORATORS or name in api.SERVING_DECORATORS):
                return "serving handler"
        params = function.params.params
        if views_file and web and params and params[0].name.value == "request":
            return "view"
        return ""

    def _class_handlers(self, node: cst.ClassDef, web: bool, serving: bool) -> Iterator[tuple[cst.FunctionDef, str]]:
        bases = [self.names.qualified_or_local(base.value) or "" for base in node.bases]
        class_decorated = serving and any(
            last_name(self.names.qualified_or_local(d)) in ("deployment", "service") for d in decorator_names(node)
        )
        methods = [item for item in block_statements(node) if isinstance(item, cst.FunctionDef)]
        for method in methods:
            name = method.name.value
            kind = self._function_kind(method, web, serving, False)
            if not kind and node.name.value == api.TRITON_CLASS and name == api.TRITON_METHOD:
                kind = "Triton handler"
            if not kind and class_decorated and name == "__call__":
                kind = "serving handler"
            if not kind:
                for base in bases:
                    tail = last_name(base)
                    for suffix, handler_methods in api.HANDLER_CLASS_METHODS.items():
                        if not tail.endswith(suffix):
                            continue
                        if suffix == "Servicer" and not name.startswith("_"):
                            kind = "gRPC handler"
                        elif suffix in ("Model", "MLModel") and not (
                            serving and base.split(".")[0] in ("kserve", "mlserver")
                        ):
                            continue
                        elif name in handler_methods and (web or serving):
                            kind = "request handler"
            if kind:
                yield method, kind

    # -- the check ------------------------------------------------------------------
    def _check_handler(self, handler: cst.FunctionDef, kind: str) -> None:
        prediction = self._first_prediction(handler, 0, set())
        if prediction is None or self._records(handler, 0, set()):
            return
        self._report(prediction, handler, f"{kind} {handler.name.value}()", "returns")

    def _first_prediction(self, function: cst.FunctionDef, depth: int, seen: set[str]) -> cst.Call | None:
        for call in _in_order(function):
            if self._is_prediction(call):
                return call
            helper = self._local_callee(call)
            if helper is not None and depth < _MAX_DEPTH and helper not in seen:
                seen.add(helper)
                if self._first_prediction(self.functions[helper], depth + 1, seen) is not None:
                    return call
        return None

    def _is_prediction(self, call: cst.Call) -> bool:
        chain = attribute_chain(call.func)
        if not chain:
            return False
        if any(part in api.PREDICTION_METHODS for part in chain[1:]):
            return True  # model.predict(x), runner.predict_proba.async_run(x)
        last = chain[-1]
        if last in api.MODEL_CALLABLE_NAMES and (len(chain) == 1 or chain[-2] == "self"):
            return True  # model(x), self.model(x)
        if self._local_callee(call) is not None or last[:1].isupper():
            return False  # followed by the caller; a constructor (ActionRecommendation(...)) is data
        named = words(last)
        receiver = words(chain[-2]) if len(chain) > 1 else set()
        # recommender.recommend_for_user(uid), predict_fn(x); not validate_prediction_input(x)
        return bool(named & _PREDICTION_WORDS) and not (named | receiver) & api.NOT_PREDICTION_WORDS

    def _records(self, function: cst.FunctionDef, depth: int, seen: set[str]) -> bool:
        for call in success_calls(function):
            if self._is_recording(call):
                return True
            helper = self._local_callee(call)
            if helper is not None and depth < _MAX_DEPTH and helper not in seen:
                seen.add(helper)
                if self._records(self.functions[helper], depth + 1, seen):
                    return True
        return False

    def _is_recording(self, call: cst.Call) -> bool:
        resolved = self.names.resolve(call.func) or ""
        chain = attribute_chain(call.func)
        method = chain[-1] if chain else ""
        receiver = chain[-2] if len(chain) > 1 else ""
        root = resolved.split(".", 1)[0]
        if root in api.METRIC_ROOTS or resolved.startswith(tuple(f"{r}." for r in api.LOGGING_ROOTS)):
            return method in api.LOG_METHODS or root in api.METRIC_ROOTS
        if receiver in api.LOGGER_NAMES or receiver.lower().endswith("logger"):
            return method in api.LOG_METHODS
        if method in ("inc", "observe") or (
            method in api.METRIC_METHODS and (receiver[:1].isupper() or words(receiver) & _METRIC_RECEIVER_WORDS)
        ):
            return True
        if method in ("start_as_current_span", "start_span"):
            return True
        if method in api.STORE_METHODS and (
            method not in ("add", "send", "produce", "publish")
            or any(word in receiver.lower() for word in ("session", "db", "producer", "publisher", "kafka", "queue"))
        ):
            return True
        if method in api.SQL_EXECUTE_METHODS:
            arguments = call.args
            text = string_value(arguments[0].value) if arguments else None
            return text is None or "insert" in text.lower() or "update" in text.lower()
        if method == "add_task" and call.args:
            task = attribute_chain(call.args[0].value)
            return bool(task and words(task[-1]) & api.RECORDING_WORDS)
        if self._local_callee(call) is None and words(method) & api.RECORDING_WORDS:
            return method not in ("save",) or bool(receiver)
        return False

    def _local_callee(self, call: cst.Call) -> str | None:
        func = call.func
        if isinstance(func, cst.Name) and func.value in self.functions and func.value not in self.names.aliases:
            return func.value
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value in ("self", "cls"):
            return func.attr.value if func.attr.value in self.functions else None
        return None

    # -- batch scoring --------------------------------------------------------------
    def _check_batch_scoring(self, module: cst.Module) -> None:
        scopes: list[tuple[cst.CSTNode, str]] = [(module, "the scoring script")]
        scopes += [(function, f"{function.name.value}()") for function in self.functions.values()]
        for scope, label in scopes:
            calls = sorted(_scope_calls(scope), key=_order_key(scope))
            if not any(self._loads_model(call) for call in calls) or any(_fits(call) for call in calls):
                continue
            if words(label) & api.EVALUATION_WORDS or any(self._evaluates(call) for call in calls):
                continue  # an evaluation writes predictions next to labels for a report, not for consumers
            prediction = next((call for call in calls if self._is_prediction(call)), None)
            write = next((call for call in calls if self._writes_rows(call)), None)
            if prediction is None or write is None:
                continue
            if any(self._is_recording(call) for call in calls if call is not write):
                continue
            self._report(prediction, scope, f"batch-scoring job {label}", "writes")
            return

    def _loads_model(self, call: cst.Call) -> bool:
        qualified = self.names.call_name(call) or ""
        if qualified in MODEL_LOAD_FUNCTIONS or (
            qualified.startswith("mlflow.") and qualified.endswith(MLFLOW_LOAD_SUFFIX)
        ):
            return True
        return isinstance(call.func, cst.Attribute) and call.func.attr.value in (
            MODEL_LOAD_METHODS | {"from_pretrained"}
        )

    def _evaluates(self, call: cst.Call) -> bool:
        qualified = self.names.call_name(call) or ""
        return qualified.startswith("sklearn.metrics.") or (
            self._writes_rows(call, allow_any=True)
            and bool(words(self.module.code_for_node(call)) & api.EVALUATION_WORDS)
        )

    def _writes_rows(self, call: cst.Call, allow_any: bool = False) -> bool:
        if not isinstance(call.func, cst.Attribute) or call.func.attr.value not in api.PREDICTION_WRITE_METHODS:
            return False
        if allow_any:
            return True
        text = self.module.code_for_node(call)
        return not (words(text) & api.SUBMISSION_WORDS)

    def _report(self, prediction: cst.Call, scope: cst.CSTNode, label: str, verb: str) -> None:
        related: tuple[tuple[cst.CSTNode, str], ...] = ()
        if isinstance(scope, cst.FunctionDef):
            related = ((scope.name, f"{label} {verb} predictions here"),)
        self.report(
            prediction,
            f"{label} {verb} model predictions without recording them (no logging, metric, trace or "
            "prediction-store call on the success path): drift and bad predictions cannot be "
            "detected; log the inputs and predictions or count them in a metric",
            related=related,
            statement=enclosing_statement(self.module, prediction),
            entry_point=label,
        )


def _in_order(function: cst.FunctionDef) -> list[cst.Call]:
    calls = list(success_calls(function))
    return sorted(calls, key=_order_key(function))


def _order_key(function: cst.CSTNode):
    order: dict[int, int] = {}
    counter = 0
    stack = [function]
    while stack:
        current = stack.pop()
        order[id(current)] = counter
        counter += 1
        stack.extend(reversed(list(current.children)))
    return lambda call: order.get(id(call), 0)


def _scope_calls(scope: cst.CSTNode) -> Iterator[cst.Call]:
    """Calls of a module's own statements (not its functions), or of a function."""
    if isinstance(scope, cst.Module):
        for statement in scope.body:
            if not isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
                yield from success_calls(statement)
    else:
        yield from success_calls(scope)


def _fits(call: cst.Call) -> bool:
    return isinstance(call.func, cst.Attribute) and call.func.attr.value in api.TRAINING_METHODS

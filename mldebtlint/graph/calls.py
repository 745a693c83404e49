"""Expression evaluation for the facts collector: what each call does.

See ``mldebtlint.graph.flow`` for the bookkeeping it relies on.
"""

from __future__ import annotations

import json
import re

import libcst as cst

from mldebtlint.graph.flow import FlowEvaluator, _argument, _keyword, _positional, var_key
from mldebtlint.graph.scopes import MODEL_SOURCES, Instance, Source, capped, data_source, real_sources
from mldebtlint.knowledge import graph_apis as api

_SQL_TABLE = re.compile(r"\bfrom\s+([A-Za-z_][\w.]*)", re.IGNORECASE)
_SQL_WRITE = re.compile(
    r"^\s*(?:insert\s+(?:or\s+\w+\s+)?into|replace\s+into|update|copy|merge\s+into)\s+[`\"\[]?([A-Za-z_][\w.]*)",
    re.IGNORECASE,
)
_SQL_READ = re.compile(r"^\s*(?:select|with)\b", re.IGNORECASE)


class ExpressionEvaluator(FlowEvaluator):
    def evaluate(self, node: cst.CSTNode) -> set[Source]:
        if isinstance(node, cst.Name):
            return self.taint(node.value)
        if isinstance(node, cst.Attribute):
            key = var_key(node)
            if key is not None and self.scope_of(key) is not None:
                return self.taint(key)
            return self.evaluate(node.value)
        if isinstance(node, cst.Call):
            return capped(self.call(node))
        if isinstance(node, (cst.Lambda, cst.SimpleString, cst.Integer, cst.Float)):
            return set()
        out: set[Source] = set()
        for child in node.children:
            out |= self.evaluate(child)
        return out

    # -- calls --------------------------------------------------------------------
    def call(self, node: cst.Call) -> set[Source]:
        func = node.func
        per_arg = {id(arg.value): self.evaluate(arg.value) for arg in node.args}
        args: set[Source] = set().union(*per_arg.values()) if per_arg else set()
        key = var_key(func)
        if key is not None and self.scope_of(key) is not None:
            instance = self.instance(key, self.position(node)["line"])
            return self._output(instance, key, node, args)
        if isinstance(func, cst.Attribute) and func.attr.value in api.DETACH_METHODS:
            # ``tower(x).detach()``: the same values, without a gradient to the model.
            return {
                ("frozen", value) if kind == "model" else (kind, value)
                for kind, value in args | self.evaluate(func.value)
            }
        if isinstance(func, cst.Attribute) and func.attr.value in api.SQL_EXECUTE_METHODS:
            handled = self._sql_execute(node, func.value, per_arg)
            if handled is not None:
                return handled
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            receiver_key = self.root_key(func.value)
            if receiver_key is not None:
                return self._method(node, receiver_key, method, func.value, args, per_arg)
            if method in api.DATA_WRITE_METHODS or method == "to_sql":
                # ``pd.DataFrame({"score": preds}).to_csv(path)``
                self._write_method(node, method, self.evaluate(func.value))
                return set()
            if method in api.FIT_METHODS and isinstance(func.value, cst.Call):
                # ``model = Estimator(...).fit(X, y)``: bound to the target by the assignment.
                self.trained_sites[id(node)] = self.site(node, args)
                return set()
            handled = self._static_method(node, method, func.value, args)
            if handled is not None:
                return handled
        name = self.names.call_name(node) or ""
        handled = self._function(node, name, args, per_arg)
        if handled is not None:
            return handled
        if isinstance(func, cst.Attribute):
            return args | self.evaluate(func.value)
        if isinstance(func, cst.Name) and not func.value[:1].isupper():
            qualified = self._function_name(func.value)
            if qualified:
                arguments = self._call_arguments(node)
                args.add(("call", qualified + arguments))
                self._record_call(node, qualified, arguments, per_arg)
        return args

    def _record_call(self, node: cst.Call, qualified: str, arguments: str, per_arg: dict[int, set[Source]]) -> None:
        """A call passing model outputs or data to the repo's own function: where it
        writes its parameters, this call writes those (see ``record_write``)."""
        found = []
        position = 0
        for arg in node.args:
            if arg.star:
                break
            sources = real_sources(per_arg.get(id(arg.value), set()))
            if sources:
                found.append([arg.keyword.value if arg.keyword else position, self._facts(sources)])
            if arg.keyword is None:
                position += 1
        if found:
            self.calls.append({"call": qualified, "arguments": arguments[1:], "sources": found, **self.position(node)})

    def _call_arguments(self, node: cst.Call) -> str:
        """The path-like arguments of a call to the repo's own function, so that the
        repo phase can fill the holes its parameters leave in the paths it reads:
        ``"\t" + json [[position or keyword, parts], ...]``, or "" when there are none."""
        found = []
        position = 0
        for arg in node.args:
            if arg.star:
                break
            parts = self.paths.parts(arg.value)
            if any(kind in ("s", "key", "arg", "ref") for kind, _ in parts):
                found.append([arg.keyword.value if arg.keyword else position, parts])
            if arg.keyword is None:
                position += 1
        return "\t" + json.dumps(found, sort_keys=True) if found else ""

    def _sql_text(self, node: cst.BaseExpression | None) -> str | None:
        """The text of a SQL statement: a string, or SQLAlchemy's ``text("...")``."""
        if isinstance(node, cst.Call) and (self.names.call_name(node) or "").rsplit(".", 1)[-1] == "text":
            positional = _positional(node)
            node = positional[0] if positional else None
        value = node.evaluated_value if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)) else None
        return value if isinstance(value, str) else None

    def _sql_execute(
        self, node: cst.Call, receiver: cst.BaseExpression, per_arg: dict[int, set[Source]]
    ) -> set[Source] | None:
        """``cursor.execute("INSERT INTO t ...", params)`` writes the table ``sql:t`` from
        the parameters; ``execute("SELECT ... FROM t")`` reads it (into the cursor)."""
        statement = _argument(node, 0, ("sql", "statement", "query", "operation"))
        text = self._sql_text(statement)
        if text is None:
            return None
        written = _SQL_WRITE.match(text)
        if written:
            sources: set[Source] = set()
            for arg in node.args:
                if arg.value is not statement:
                    sources |= per_arg.get(id(arg.value), set())
            self.record_write(node, None, sources, parts=[["s", f"sql:{written.group(1)}"]])
            return set()
        read = _SQL_TABLE.search(text) if _SQL_READ.match(text) else None
        if read is None:
            return set()
        found = {data_source([["s", f"sql:{read.group(1)}"]])}
        key = self.root_key(receiver)
        scope = self.scope_of(key) if key else None
        if scope is not None and key is not None:
            scope.taints[key] = capped(scope.taints.get(key, set()) | found)
        return found

    def not_model(self, instance: Instance) -> bool:
        """Optimizers, schedulers, scalers, checkpointers...: never model nodes."""
        if instance.name.rsplit(".", 1)[-1].lower() in api.NON_MODEL_NAMES:
            return True
        if not instance.ctor:
            return False
        if instance.ctor.startswith(api.NON_MODEL_CTOR_PREFIXES):
            return True
        last = instance.ctor.rsplit(".", 1)[-1]
        return any(marker in last for marker in api.NON_MODEL_CTOR_MARKERS)

    def _modelish(self, instance: Instance) -> bool:
        return bool(instance.evidence or instance.params or instance.trains or instance.loads)

    def _model_ctor(self, instance: Instance) -> bool:
        if not instance.ctor or instance.ctor.split(".", 1)[0] in api.DATA_CONSTRUCTOR_ROOTS:
            return False
        last = instance.ctor.rsplit(".", 1)[-1]
        return not any(marker in last for marker in api.NON_MODEL_CLASS_MARKERS)

    def _output(self, instance: Instance, key: str, node: cst.Call, inputs: set[Source]) -> set[Source]:
        # Under ``torch.no_grad()`` the output carries no gradient back to the model.
        own = ("frozen" if self.without_grad() else "model", instance.id)
        inputs = inputs - {("model", instance.id), ("frozen", instance.id)}
        scope = self.scopes[-1]
        (scope.frozen_outputs if self.without_grad() else scope.grad_outputs).add(instance.id)
        if real_sources(inputs):
            instance.serves.append(self.site(node, inputs))
        if self._modelish(instance):
            return {own} | {source for source in inputs if source[0] not in MODEL_SOURCES}
        # Not (yet) known as a model: a layer, a tokenizer's encode(), a loss
        # function. Its result carries its inputs, not a model output.
        return inputs | self.taint(key)

    def _method(
        self,
        node: cst.Call,
        key: str,
        method: str,
        receiver: cst.BaseExpression,
        args: set[Source],
        per_arg: dict[int, set[Source]],
    ) -> set[Source]:
        direct = var_key(receiver) == key
        line = self.position(node)["line"]
        if method == "backward":
            self._backward(node, self.evaluate(receiver) | args)
            return set()
        if direct and method in api.PREDICT_METHODS:
            instance = self.instance(key, line)
            instance.evidence |= method in api.MODEL_EVIDENCE_METHODS
            return self._output(instance, key, node, args)
        if direct and method in api.FIT_METHODS:
            self._fit(node, self.instance(key, line), args, per_arg)
            return self.taint(key)
        if direct and method == "train":
            trainer = self.instance(key, line)
            if trainer.trainer_model in self.instances:
                self.instances[trainer.trainer_model].trains.append(self.site(node, trainer.trainer_inputs | args))
            return set()
        if direct and method in api.PARAMETER_METHODS:
            self.instance(key, line).params = True
            return set()
        if method in api.MODEL_SAVE_METHODS:
            self._save_method(node, key, method)
            return set()
        if method in api.MODEL_LOAD_METHODS:
            self._load_method(node, key)
            return set()
        receiver_sources = self.evaluate(receiver) if not direct else self.taint(key)
        return self._data_method(node, key, method, receiver, receiver_sources, args)

    def _data_method(
        self,
        node: cst.Call,
        key: str,
        method: str,
        receiver: cst.BaseExpression,
        receiver_sources: set[Source],
        args: set[Source],
    ) -> set[Source]:
        scope = self.scope_of(key)
        handle = scope.handles.get(key) if scope else None
        if method in api.DATA_WRITE_METHODS or method == "to_sql":
            self._write_method(node, method, receiver_sources)
            return set()
        if method in api.SPARK_FORMATS and isinstance(receiver, cst.Attribute):
            path = _argument(node, 0, ("path", "name", "tableName"))
            if receiver.attr.value == "write":
                self.record_write(node, path, receiver_sources)
                return set()
            if receiver.attr.value == "read" and path is not None:
                return {data_source(self.paths.parts(path))}
        if handle is not None and var_key(receiver) == key:
            if method in ("write", "writelines"):
                self.record_write(node, None, args, parts=handle)
                return set()
            if method in ("read", "readlines", "readline"):
                return {data_source(handle)}
        if method in api.MUTATING_METHODS and scope is not None:
            scope.taints[key] = capped(scope.taints.get(key, set()) | args)
            return set()
        return receiver_sources | args

    def _write_method(self, node: cst.Call, method: str, sources: set[Source]) -> None:
        if method == "to_sql":
            table = _argument(node, 0, ("name",))
            name = table.evaluated_value if isinstance(table, cst.SimpleString) else None
            if isinstance(name, str) and re.fullmatch(r"[\w.]+", name):
                self.record_write(node, None, sources, parts=[["s", f"sql:{name}"]])
            return
        path = _argument(node, 0, ("path", "path_or_buf", "fname", "file", "dataset_path", "excel_writer"))
        self.record_write(node, path, sources)

    def _fit(self, node: cst.Call, receiver: Instance, args: set[Source], per_arg: dict[int, set[Source]]) -> None:
        trained = receiver
        inputs = args - {("model", receiver.id), ("frozen", receiver.id)}
        if receiver.ctor and receiver.ctor.rsplit(".", 1)[-1].endswith(api.TRAINER_SUFFIX):
            model = _argument(node, 0, api.TRAINER_MODEL_KEYWORDS)
            model_key = var_key(model) if model is not None else None
            if model_key is None or self.scope_of(model_key) is None:
                return
            trained = self.instance(model_key)
            inputs = set().union(*(sources for arg_id, sources in per_arg.items() if arg_id != id(model)))
        trained.trains.append(self.site(node, inputs - {("model", trained.id), ("frozen", trained.id)}))
        warm = _keyword(node, api.WARM_START_KEYWORDS)
        warm_key = var_key(warm) if warm is not None else None
        warm_scope = self.scope_of(warm_key) if warm_key else None
        warm_id = warm_scope.instances.get(warm_key) if warm_scope and warm_key else None
        if warm_id is not None and warm_id != trained.id:
            trained.joint = sorted({*trained.joint, warm_id})

    def _backward(self, node: cst.Call, loss_sources: set[Source]) -> None:
        """``loss.backward()``: models whose parameters are optimised here are trained."""
        models = [self.instances[value] for kind, value in loss_sources if kind == "model" and value in self.instances]
        scope = self.scopes[-1]
        trained = [
            instance
            for instance in models
            # called only under ``torch.no_grad()`` here: a frozen teacher/target
            if instance.params and not (instance.id in scope.frozen_outputs and instance.id not in scope.grad_outputs)
        ]
        # Parts trained by one loss (two towers, encoder + head) are one model:
        # none of them is trained on the others' outputs.
        together = {(kind, instance.id) for instance in trained for kind in MODEL_SOURCES}
        for instance in trained:
            instance.trains.append(self.site(node, loss_sources - together))
            if len(trained) > 1:
                instance.joint = sorted({*instance.joint, *(other.id for other in trained if other is not instance)})

    def _save_method(self, node: cst.Call, key: str, method: str) -> None:
        path = _argument(node, 0, api.SAVE_PATH_KEYWORDS)
        if path is None:
            return
        instance = self.instance(key)
        if instance.trainer_model in self.instances:
            instance = self.instances[instance.trainer_model]
        elif method not in api.MODEL_ONLY_SAVE_METHODS and not (self._modelish(instance) or self._model_ctor(instance)):
            return  # ``tokenizer.save_pretrained(...)``, ``frame.save(...)``: not a model
        if self.not_model(instance):
            return
        instance.saves.append({"path": self.paths.parts(path), "line": self.position(node)["line"]})

    def _load_method(self, node: cst.Call, key: str) -> None:
        positional = _positional(node)
        if not positional:
            return
        arg = positional[0]
        line = self.position(node)["line"]
        instance = self.instance(key, line)
        if self.not_model(instance):
            return  # ``optimizer.load_state_dict(state["optimizer"])``
        instance.evidence = True
        loaded = [self.loaded[id(call)] for call in self.receiver_calls(arg) if id(call) in self.loaded]
        source_key = self.root_key(arg)
        if not loaded and source_key is not None:
            source_scope = self.scope_of(source_key)
            source_id = source_scope.instances.get(source_key) if source_scope else None
            if source_id in self.instances:
                loaded = list(self.instances[source_id].loads)
        if not loaded and not isinstance(arg, cst.Name):
            loaded = [{"path": self.paths.parts(arg), "line": line, "generic": False}]
        instance.loads.extend({**load, "generic": False} for load in loaded)

    def _static_method(
        self, node: cst.Call, method: str, receiver: cst.BaseExpression, args: set[Source]
    ) -> set[Source] | None:
        if method in api.CLASS_LOAD_METHODS:
            owner = (self.names.qualified_or_local(receiver) or "").rsplit(".", 1)[-1]
            if any(marker in owner for marker in api.NON_MODEL_CLASS_MARKERS):
                return args
            path = _argument(node, 0, ("pretrained_model_name_or_path", "checkpoint_path", "model_name_or_path"))
            if path is not None:
                self.loaded[id(node)] = {
                    "path": self.paths.parts(path),
                    "line": self.position(node)["line"],
                    "generic": False,
                }
            return args
        if isinstance(receiver, cst.Name) and receiver.value == "self":
            for scope in reversed(self.scopes):
                if scope.kind == "class":
                    return args | {("call", f"{scope.qualname}.{method}")}
        return None

    def _path_parts(self, path: cst.BaseExpression | None) -> list | None:
        if path is None:
            return None
        key = var_key(path)
        scope = self.scope_of(key) if key else None
        if scope is not None and key in scope.handles:
            return scope.handles[key]
        return self.paths.parts(path)

    def _function(
        self, node: cst.Call, name: str, args: set[Source], per_arg: dict[int, set[Source]]
    ) -> set[Source] | None:
        is_mlflow = name.startswith(api.MLFLOW_PREFIX)
        if name in api.MODEL_LOAD_FUNCTIONS or (is_mlflow and name.endswith(api.MLFLOW_LOAD_SUFFIX)):
            index, keywords = api.MODEL_LOAD_FUNCTIONS.get(name, (0, ("model_uri",)))
            parts = self._path_parts(_argument(node, index, keywords))
            if parts is None:
                return args
            self.loaded[id(node)] = {
                "path": parts,
                "line": self.position(node)["line"],
                "generic": name in api.GENERIC_LOAD_FUNCTIONS,
            }
            return args | {data_source(parts)}
        if name in api.SAVE_FUNCTIONS or (is_mlflow and name.endswith(api.MLFLOW_SAVE_SUFFIXES)):
            obj_index, path_index = api.SAVE_FUNCTIONS.get(name, (0, 1))
            obj = _argument(node, obj_index, ("obj", "model", "value", "sk_model", "pytorch_model", "lgb_model"))
            path = _argument(node, path_index, ("f", "filename", "file", "path", "artifact_path", "name"))
            self._save_object(node, obj, self._path_parts(path), per_arg)
            return set()
        if name in api.DATA_READ_FUNCTIONS:
            index, keywords = api.DATA_READ_FUNCTIONS[name]
            parts = self._path_parts(_argument(node, index, keywords))
            return args | ({data_source(parts)} if parts else set())
        if name in api.SQL_READ_FUNCTIONS:
            return args | self._sql_read(node)
        if name in api.DATA_WRITE_FUNCTIONS:
            obj_index, path_index = api.DATA_WRITE_FUNCTIONS[name]
            obj = _argument(node, obj_index, ("obj", "arr", "X", "table"))
            sources = per_arg.get(id(obj), set()) if obj is not None else set()
            self.record_write(
                node, None, sources, parts=self._path_parts(_argument(node, path_index, ("file", "fp", "where")))
            )
            return set()
        if name in api.TRAIN_FUNCTIONS:
            self.trained_sites[id(node)] = self.site(node, args)
            return set()
        if name == "open":
            path = _argument(node, 0, ("file",))
            if path is not None:
                self.opened[id(node)] = self.paths.parts(path)
            return set()
        return None

    def _sql_read(self, node: cst.Call) -> set[Source]:
        first = _argument(node, 0, ("sql", "table_name"))
        text = first.evaluated_value if isinstance(first, cst.SimpleString) else None
        if not isinstance(text, str):
            return set()
        match = _SQL_TABLE.search(text)
        table = match.group(1) if match else text.strip()
        return {data_source([["s", f"sql:{table}"]])} if re.fullmatch(r"[\w.]+", table) else set()

    def _save_object(
        self, node: cst.Call, obj: cst.BaseExpression | None, parts: list | None, per_arg: dict[int, set[Source]]
    ) -> None:
        if obj is None or parts is None:
            return
        values = [element.value for element in obj.elements] if isinstance(obj, cst.Dict) else [obj]
        saved_model = False
        for value in values:
            key = self.root_key(value)
            scope = self.scope_of(key) if key else None
            instance_id = scope.instances.get(key) if scope and key else None
            instance = self.instances.get(instance_id) if instance_id else None
            if instance is not None and (self._modelish(instance) or self._model_ctor(instance)):
                if not self.not_model(instance):
                    instance.saves.append({"path": parts, "line": self.position(node)["line"]})
                saved_model = True
        if not saved_model:
            self.record_write(node, None, per_arg.get(id(obj), set()), parts=parts)

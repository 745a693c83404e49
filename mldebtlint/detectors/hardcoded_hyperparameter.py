"""MLD102 hardcoded-hyperparameter: literal hyperparameters passed to known
estimators, optimizers, schedulers, data loaders and trainers.

A call is matched by its import-resolved name against the known-API tables
in ``mldebtlint.knowledge.apis`` (plus the ``extra-estimators`` option). Only literal
numbers count (``1e-3``, ``-0.5``, ``2 ** 10``, ``(0.9, 0.999)``): names,
attributes, calls and arguments are values that already come from somewhere
else (config, argparse, a named constant), so they are never reported.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import libcst as cst

from mldebtlint.knowledge.apis import (
    BATCH_SIZE_KEYWORDS,
    CONVERGENCE_CAPS,
    DISABLING_VALUES,
    EARLY_STOPPED_ROUNDS,
    EARLY_STOPPING_KEYWORDS,
    EPOCH_ITERATIONS,
    EVALUATION_WORDS,
    GENERIC_CONFIG_CALLEES,
    GENERIC_HYPERPARAMETER_KEYWORDS,
    HYPERPARAMETER_METHODS,
    LIBRARY_DEFAULTS,
    LIBRARY_HYPERPARAMETER_KEYWORDS,
    ML_IMPORT_ROOTS,
    MODEL_CLASS_WORDS,
    MODEL_HYPERPARAMETER_KEYWORDS,
    NEUTRAL_TUPLES,
    NEUTRAL_VALUES,
    NEVER_HYPERPARAMETERS,
    NON_MODEL_ROOTS,
    OWN_FUNCTION_HYPERPARAMETERS,
    PARAMS_DICT_KEYS,
    SENTINEL_NUMBERS,
    UNBOUNDED_AT_LEAST,
    HyperparameterAPI,
    lookup_hyperparameter_api,
    parse_api_spec,
)
from mldebtlint.knowledge.vocabulary import CONFIG_OBJECT_WORDS
from mldebtlint.rule import FileContext, Rule
from mldebtlint.syntax.hoist import HoistHyperparameters
from mldebtlint.syntax.identifiers import words
from mldebtlint.syntax.literals import is_number_literal, number, string
from mldebtlint.syntax.names import last_name
from mldebtlint.syntax.walk import walk

# Used for an ``extra-estimators`` entry that names no keywords.
GENERIC_SPEC = (
    "lr learning_rate epochs max_epochs num_epochs batch_size weight_decay momentum "
    "n_estimators max_depth num_layers hidden_size dropout"
)


# Keywords only: the positions of an unknown callee's parameters are unknown.
GENERIC_API = HyperparameterAPI(GENERIC_HYPERPARAMETER_KEYWORDS)
LIBRARY_API = HyperparameterAPI(GENERIC_HYPERPARAMETER_KEYWORDS | LIBRARY_HYPERPARAMETER_KEYWORDS)
MODEL_API = HyperparameterAPI(LIBRARY_API.keywords | MODEL_HYPERPARAMETER_KEYWORDS)
_REPO_MODULES: dict[tuple[str, str], bool] = {}


def numeric_value(node: cst.BaseExpression) -> float | None:
    """The value of a literal number or simple arithmetic on numbers, else None."""
    return number(node, arithmetic=True)


def is_sentinel(name: str, node: cst.BaseExpression) -> bool:
    """``0``/``-1`` (off), huge numbers (unbounded), identity values per keyword."""
    if isinstance(node, (cst.Tuple, cst.List)) and name in NEUTRAL_TUPLES:
        values = tuple(numeric_value(element.value) for element in node.elements if isinstance(element, cst.Element))
        return values in NEUTRAL_TUPLES[name]
    value = numeric_value(node)
    if value is None:
        return False  # a tuple such as ``betas=(0.9, 0.98)`` is a real value
    if value in SENTINEL_NUMBERS or abs(value) >= UNBOUNDED_AT_LEAST:
        return True
    return value in NEUTRAL_VALUES.get(name, ())


def disables_call(name: str, node: cst.BaseExpression) -> bool:
    """An effectively infinite value or a no-op setting: the object is a dummy."""
    value = numeric_value(node)
    if value is None:
        return False
    return abs(value) >= UNBOUNDED_AT_LEAST or value in DISABLING_VALUES.get(name, ())


def _defines_config(callee: str) -> bool:
    """``TrainingConfig(...)``, ``ModelParams(...)``, ``SearchSpace(...)``: a config class."""
    found = words(callee)
    return callee[:1].isupper() and bool(found) and found[-1] in CONFIG_OBJECT_WORDS


def _own_function_spec(function: cst.FunctionDef) -> HyperparameterAPI | None:
    """The hyperparameters a module's own function takes, by name and position; None
    when no parameter is named like one."""
    parameters = [*function.params.posonly_params, *function.params.params]
    positions = tuple(
        (index, param.name.value)
        for index, param in enumerate(parameters)
        if param.name.value in OWN_FUNCTION_HYPERPARAMETERS
    )
    named = {param.name.value for param in function.params.kwonly_params} & OWN_FUNCTION_HYPERPARAMETERS
    if not positions and not named:
        return None
    return HyperparameterAPI(GENERIC_HYPERPARAMETER_KEYWORDS | named | {name for _, name in positions}, positions)


def parse_extra_estimators(entries: Iterable[str]) -> dict[str, HyperparameterAPI]:
    """``"mylib.models.Ranker:lr@1,epochs"`` -> {"mylib.models.Ranker": API}."""
    table: dict[str, HyperparameterAPI] = {}
    for entry in entries:
        name, _, spec = str(entry).partition(":")
        name = name.strip()
        if name:
            table[name] = parse_api_spec(spec if spec.strip() else GENERIC_SPEC)
    return table


def _ignore(node: cst.CSTNode) -> None:
    return None


class HardcodedHyperparameter(Rule):
    code = "MLD102"
    CHECK_TESTS = False

    def __init__(self, context: FileContext, options: Mapping[str, Any]) -> None:
        super().__init__(context, options)
        self.min_literals = max(1, options["min-literals"])
        self.ignored = frozenset(options["ignored-keywords"]) | NEVER_HYPERPARAMETERS
        self.extra = parse_extra_estimators(options["extra-estimators"])
        self.project_root = str(getattr(context.settings, "root", "."))
        self._own_functions: dict[str, HyperparameterAPI] | None = None
        self._facts: tuple[frozenset[str], Counter[str]] | None = None

    # -- matching --------------------------------------------------------------
    def _api_for(self, call: cst.Call) -> HyperparameterAPI | None:
        qualified = self.names.call_name(call)
        if qualified is not None:
            api = self._extra_api(qualified) or lookup_hyperparameter_api(self.names.resolve(call.func))
            if api is not None:
                return api
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value in HYPERPARAMETER_METHODS:
            receiver = self.names.resolve(func.value)
            # ``torch.compile(...)`` / ``json.fit``: a module function, not a method.
            if receiver is None and self.names.imports_any(ML_IMPORT_ROOTS):
                return HYPERPARAMETER_METHODS[func.attr.value]
        return self._own_function_api(call) or self._generic_api(call, qualified)

    def _own_function_api(self, call: cst.Call) -> HyperparameterAPI | None:
        """A call of a function defined at the top of this module (or notebook) whose
        parameters are named like hyperparameters: ``def train(n_estimators, max_depth)``
        makes ``train(300, 5)`` two literal hyperparameters."""
        if not isinstance(call.func, cst.Name) or not self.names.imports_any(ML_IMPORT_ROOTS):
            return None
        if self._own_functions is None:
            self._own_functions = {}
            for statement in self.context.module.body:
                if isinstance(statement, cst.FunctionDef):
                    api = _own_function_spec(statement)
                    if api is not None:
                        self._own_functions[statement.name.value] = api
        return self._own_functions.get(call.func.value)

    def _generic_api(self, call: cst.Call, qualified: str | None) -> HyperparameterAPI | None:
        """Unknown callees: unambiguous keywords only, not where config is defined;
        more keywords for classes of third-party packages and model-named classes."""
        func = call.func
        leaf = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
        if not isinstance(leaf, str) or leaf in GENERIC_CONFIG_CALLEES or _defines_config(leaf):
            return None
        root = qualified.split(".", 1)[0] if qualified else ""
        if root in NON_MODEL_ROOTS or root in sys.stdlib_module_names:
            return None
        if leaf[:1].isupper() and qualified:
            model_named = bool(MODEL_CLASS_WORDS & set(words(leaf)))
            imported = self.names.resolve(func) is not None
            if imported and not qualified.startswith(".") and not self._repo_module(root):
                return MODEL_API if model_named else LIBRARY_API
            if model_named:  # defined in this file or in the repo: a model/estimator/agent by name
                return MODEL_API
        if not self.names.imports_any(ML_IMPORT_ROOTS):
            return None
        return GENERIC_API

    def _repo_module(self, root: str) -> bool:
        """Whether ``root`` is a module of the project itself (``src``, ``app``)."""
        if not root:
            return True
        found = _REPO_MODULES.get((self.project_root, root))
        if found is None:
            base = Path(self.project_root)
            here = Path(self.context.path).parent
            found = any(
                (folder / root).is_dir() or (folder / f"{root}.py").is_file() for folder in (base, here, base / "src")
            )
            _REPO_MODULES[(self.project_root, root)] = found
        return found

    def _extra_api(self, qualified: str) -> HyperparameterAPI | None:
        if not self.extra:
            return None
        for name, api in self.extra.items():
            if qualified == name or qualified.endswith("." + name):
                return api
        return None

    # -- collecting literals -------------------------------------------------
    def _literal_hyperparameters(self, call: cst.Call, api: HyperparameterAPI) -> list[tuple[str, str, bool]]:
        """(name, literal text, passed positionally) of each literal hyperparameter."""
        found: list[tuple[str, str, bool]] = []
        positional = dict(api.positions)
        leaf = last_name(call.func) or ""
        defaults = LIBRARY_DEFAULTS.get(leaf, {})
        keywords = {arg.keyword.value for arg in call.args if arg.keyword is not None}
        early_stopped = (
            bool(keywords & EARLY_STOPPING_KEYWORDS)
            or self._has_early_stopping_callback(call)
            or self._assigned_name() in self._module_facts()[0]
        )
        index = 0
        for arg in call.args:
            if arg.star:
                if arg.star == "*":
                    positional = {}  # positions after *args are unknown
                continue
            if arg.keyword is None:
                name = positional.get(index)
                if api.params_dict == index and isinstance(arg.value, cst.Dict):
                    found.extend((key, text, False) for key, text in self._params_dict_literals(arg.value))
                index += 1
            else:
                name = arg.keyword.value
                if name == "params" and api.params_dict is not None and isinstance(arg.value, cst.Dict):
                    found.extend((key, text, False) for key, text in self._params_dict_literals(arg.value))
                    continue
                if name not in api.keywords:
                    continue
            if name is None or name in self.ignored or not is_number_literal(arg.value):
                continue
            text = self.context.module.code_for_node(arg.value).strip()
            if disables_call(name, arg.value):
                return []
            if is_sentinel(name, arg.value) or (name in defaults and numeric_value(arg.value) == defaults[name]):
                continue  # off, unbounded, neutral, or the library's own default spelled out
            if name in CONVERGENCE_CAPS and leaf not in EPOCH_ITERATIONS:
                continue  # a solver's iteration cap
            if name in EARLY_STOPPED_ROUNDS and early_stopped:
                continue  # an upper bound; early stopping picks the number
            if name in BATCH_SIZE_KEYWORDS and self._for_evaluation(call):
                continue  # an evaluation/inference batch does not change the model
            found.append((name, text, arg.keyword is None))
        return found

    def _has_early_stopping_callback(self, call: cst.Call) -> bool:
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "callbacks":
                text = self.context.module.code_for_node(arg.value)
                if "early_stopping" in text or "EarlyStopping" in text:
                    return True
        return False

    def _for_evaluation(self, call: cst.Call) -> bool:
        """``test_loader = DataLoader(TestDataset(...), batch_size=512)``."""
        texts = [self.context.module.code_for_node(arg.value) for arg in call.args if arg.keyword is None][:1]
        statement = self.context.statement_stack[-1] if self.context.statement_stack else None
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Assign):
                    texts.extend(self.context.module.code_for_node(t.target) for t in small.targets)
        scope = self.context.scope_stack[-1] if self.context.scope_stack else ""
        texts.append(scope)
        return any(set(words(text)) & EVALUATION_WORDS for text in texts)

    def _params_dict_literals(self, params: cst.Dict) -> list[tuple[str, str]]:
        found = []
        for element in params.elements:
            if not isinstance(element, cst.DictElement):
                continue
            key = string(element.key)
            if not isinstance(key, str) or key not in PARAMS_DICT_KEYS or key in self.ignored:
                continue
            text = self.context.module.code_for_node(element.value).strip()
            if is_number_literal(element.value) and not is_sentinel(key, element.value):
                found.append((key, text))
        return found

    # -- visiting --------------------------------------------------------------
    def _assigned_name(self) -> str | None:
        """``m`` of ``m = Estimator(...)``, the statement being visited."""
        statement = self.context.statement_stack[-1] if self.context.statement_stack else None
        if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
            small = statement.body[0]
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target = small.targets[0].target
                if isinstance(target, cst.Name):
                    return target.value
        return None

    def _module_facts(self) -> tuple[frozenset[str], Counter[str]]:
        """Names whose ``.fit(...)`` stops early somewhere in the module (``m.fit(X, y,
        early_stopping_rounds=20)`` bounds ``m = XGBClassifier(n_estimators=1000)``), and how
        often each name occurs (a name that occurs once is assigned and never used)."""
        if self._facts is None:
            fits: set[str] = set()
            counts: Counter[str] = Counter()
            rule = self

            def on_visit(node: cst.CSTNode) -> None:
                if isinstance(node, cst.Name):
                    counts[node.value] += 1
                elif isinstance(node, cst.Call):
                    func = node.func
                    if (
                        isinstance(func, cst.Attribute)
                        and func.attr.value == "fit"
                        and isinstance(func.value, cst.Name)
                        and (
                            any(a.keyword is not None and a.keyword.value in EARLY_STOPPING_KEYWORDS for a in node.args)
                            or rule._has_early_stopping_callback(node)
                        )
                    ):
                        fits.add(func.value.value)

            # The read-only walker: ``Module.visit`` would rebuild every node of the module.
            walk(self.context.module, on_visit, _ignore, ("Name", "Call"))
            self._facts = (frozenset(fits), counts)
        return self._facts

    def _never_used(self, call: cst.Call) -> bool:
        """``knn = NearestNeighbors(n_neighbors=100)`` whose name is read nowhere in the module
        (its use commented out): the object configures nothing. Only objects being built: a
        call such as ``history = model.fit(..., epochs=30)`` trains whether or not its result is read."""
        if not (last_name(call.func) or "")[:1].isupper():
            return False
        name = self._assigned_name()
        if name is None or self._module_facts()[1][name] > 1:
            return False
        # A module-level name may be imported by another file, or used interactively in a
        # notebook's next session: only locals of functions and of ``__main__`` blocks.
        return bool(self.context.scope_stack) or self._in_main_block()

    def _in_main_block(self) -> bool:
        """Inside ``if __name__ == "__main__":``, where nothing is importable."""
        return any(
            isinstance(statement, cst.If) and "__main__" in self.context.module.code_for_node(statement.test)
            for statement in self.context.statement_stack
        )

    def visit_Call(self, node: cst.Call) -> None:
        api = self._api_for(node)
        if api is None or self._never_used(node):
            return
        literals = self._literal_hyperparameters(node, api)
        if not literals or len(literals) < self.min_literals:
            return
        callee = self.context.module.code_for_node(node.func).strip()
        noun = "hyperparameter" if len(literals) == 1 else "hyperparameters"
        quoted = [
            f"{text} (positional {name})" if positional else f"{name}={text}" for name, text, positional in literals
        ]
        self.report(
            node,
            f"literal {noun} {', '.join(quoted)} passed to `{callee}`; "
            f"take {'it' if len(literals) == 1 else 'them'} from config, arguments or named module-level constants",
            hyperparameters=",".join(name for name, _, _ in literals),
            fix=self._hoistable(node, literals),
        )

    def _hoistable(self, node: cst.Call, literals: list[tuple[str, str, bool]]) -> HoistHyperparameters | None:
        """The hoist fix when it can name a keyword literal (a plain number)."""
        names = {name for name, _, positional in literals if not positional}
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value in names and number(arg.value) is not None:
                return HoistHyperparameters()
            if isinstance(arg.value, cst.Dict):
                for element in arg.value.elements:
                    key = element.key if isinstance(element, cst.DictElement) else None
                    if string(key) in names and number(element.value) is not None:
                        return HoistHyperparameters()
        return None

"""MLD102 hardcoded-hyperparameter: literal hyperparameters passed to known
estimators, optimizers, schedulers, data loaders and trainers.

A call is matched by its import-resolved name against the known-API tables
in ``mldebtlint.knowledge.apis`` (plus the ``extra-estimators`` option). Only literal
numbers count (``1e-3``, ``-0.5``, ``2 ** 10``, ``(0.9, 0.999)``): names,
attributes, calls and arguments are values that already come from somewhere
else (config, argparse, a named constant), so they are never reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import libcst as cst

from mldebtlint.knowledge.apis import (
    DISABLING_VALUES,
    GENERIC_CONFIG_CALLEES,
    GENERIC_HYPERPARAMETER_KEYWORDS,
    HYPERPARAMETER_METHODS,
    ML_IMPORT_ROOTS,
    NEUTRAL_TUPLES,
    NEUTRAL_VALUES,
    NEVER_HYPERPARAMETERS,
    PARAMS_DICT_KEYS,
    SENTINEL_NUMBERS,
    UNBOUNDED_AT_LEAST,
    HyperparameterAPI,
    lookup_hyperparameter_api,
    parse_api_spec,
)
from mldebtlint.knowledge.vocabulary import CONFIG_OBJECT_WORDS
from mldebtlint.rule import FileContext, Rule
from mldebtlint.syntax.identifiers import words
from mldebtlint.syntax.literals import is_number_literal, number

# Used for an ``extra-estimators`` entry that names no keywords.
GENERIC_SPEC = (
    "lr learning_rate epochs max_epochs num_epochs batch_size weight_decay momentum "
    "n_estimators max_depth num_layers hidden_size dropout"
)


# Keywords only: the positions of an unknown callee's parameters are unknown.
GENERIC_API = HyperparameterAPI(GENERIC_HYPERPARAMETER_KEYWORDS)


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


def parse_extra_estimators(entries: Iterable[str]) -> dict[str, HyperparameterAPI]:
    """``"mylib.models.Ranker:lr@1,epochs"`` -> {"mylib.models.Ranker": API}."""
    table: dict[str, HyperparameterAPI] = {}
    for entry in entries:
        name, _, spec = str(entry).partition(":")
        name = name.strip()
        if name:
            table[name] = parse_api_spec(spec if spec.strip() else GENERIC_SPEC)
    return table


class HardcodedHyperparameter(Rule):
    code = "MLD102"
    CHECK_TESTS = False

    def __init__(self, context: FileContext, options: Mapping[str, Any]) -> None:
        super().__init__(context, options)
        self.min_literals = max(1, options["min-literals"])
        self.ignored = frozenset(options["ignored-keywords"]) | NEVER_HYPERPARAMETERS
        self.extra = parse_extra_estimators(options["extra-estimators"])

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
        return self._generic_api(call, qualified)

    def _generic_api(self, call: cst.Call, qualified: str | None) -> HyperparameterAPI | None:
        """Unknown callees: only unambiguous keywords, and not where config is defined."""
        if not self.names.imports_any(ML_IMPORT_ROOTS):
            return None
        func = call.func
        leaf = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
        if not isinstance(leaf, str) or leaf in GENERIC_CONFIG_CALLEES or _defines_config(leaf):
            return None
        if qualified is not None and qualified.split(".", 1)[0] in (
            "argparse",
            "click",
            "typer",
            "omegaconf",
            "hydra",
            "pydantic",
            "dataclasses",
        ):
            return None
        return GENERIC_API

    def _extra_api(self, qualified: str) -> HyperparameterAPI | None:
        if not self.extra:
            return None
        for name, api in self.extra.items():
            if qualified == name or qualified.endswith("." + name):
                return api
        return None

    # -- collecting literals -------------------------------------------------
    def _literal_hyperparameters(self, call: cst.Call, api: HyperparameterAPI) -> list[str]:
        found: list[str] = []
        positional = dict(api.positions)
        index = 0
        for arg in call.args:
            if arg.star:
                if arg.star == "*":
                    positional = {}  # positions after *args are unknown
                continue
            if arg.keyword is None:
                name = positional.get(index)
                if api.params_dict == index and isinstance(arg.value, cst.Dict):
                    found.extend(self._params_dict_literals(arg.value))
                index += 1
            else:
                name = arg.keyword.value
                if name == "params" and api.params_dict is not None and isinstance(arg.value, cst.Dict):
                    found.extend(self._params_dict_literals(arg.value))
                    continue
                if name not in api.keywords:
                    continue
            if name is None or name in self.ignored or not is_number_literal(arg.value):
                continue
            text = self.context.module.code_for_node(arg.value).strip()
            if disables_call(name, arg.value):
                return []
            if is_sentinel(name, arg.value):
                continue
            found.append(f"{name}={text}")
        return found

    def _params_dict_literals(self, params: cst.Dict) -> list[str]:
        found = []
        for element in params.elements:
            if not isinstance(element, cst.DictElement):
                continue
            if not isinstance(element.key, cst.SimpleString):
                continue
            key = element.key.evaluated_value
            if not isinstance(key, str) or key not in PARAMS_DICT_KEYS or key in self.ignored:
                continue
            text = self.context.module.code_for_node(element.value).strip()
            if is_number_literal(element.value) and not is_sentinel(key, element.value):
                found.append(f"{key}={text}")
        return found

    # -- visiting --------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        api = self._api_for(node)
        if api is None:
            return
        literals = self._literal_hyperparameters(node, api)
        if not literals or len(literals) < self.min_literals:
            return
        callee = self.context.module.code_for_node(node.func).strip()
        noun = "hyperparameter" if len(literals) == 1 else "hyperparameters"
        self.report(
            node,
            f"literal {noun} {', '.join(literals)} passed to `{callee}`; "
            f"take {'it' if len(literals) == 1 else 'them'} from config, arguments or named module-level constants",
            hyperparameters=",".join(item.split("=", 1)[0] for item in literals),
        )

"""Vocabulary and small expression helpers of MLD101 hardcoded-threshold.

The word lists themselves are catalog options (rules/hardcoded-threshold.toml);
the fixed tables here describe Python/numpy/torch API shapes, not ML names.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import libcst as cst

THRESHOLD_OPERATORS = (cst.LessThan, cst.LessThanEqual, cst.GreaterThan, cst.GreaterThanEqual)
# Method / function spellings of an ordered comparison: ``probs.gt(0.5)``.
COMPARE_METHODS = frozenset({"gt", "ge", "lt", "le", "greater", "greater_equal", "less", "less_equal"})
# Steps that keep "this is a score": ``probs.max().item()``, ``np.mean(scores)``.
PRESERVING_CALLS = frozenset(
    {
        "item",
        "max",
        "min",
        "mean",
        "median",
        "amax",
        "amin",
        "squeeze",
        "flatten",
        "ravel",
        "cpu",
        "detach",
        "numpy",
        "float",
        "double",
        "clone",
        "view",
        "reshape",
        "tolist",
        "asarray",
        "array",
        "as_tensor",
        "nanmean",
        "nanmax",
        "nanmin",
    }
)
PRESERVING_ATTRIBUTES = frozenset({"values", "data", "T", "real"})
# Calls that turn a boolean comparison into labels: a binarisation context.
BINARIZING_METHODS = frozenset({"astype", "int", "long", "float", "type", "to", "double"})
# Roots of configuration objects: ``cfg.score_threshold`` is config, not a score.
CONFIG_ROOTS = frozenset(
    {
        "config",
        "cfg",
        "args",
        "hparams",
        "hp",
        "opt",
        "opts",
        "options",
        "settings",
        "params",
        "flags",
        "hyperparameters",
    }
)
# Calls whose ``threshold=`` keyword is not a decision cut-off.
NON_DECISION_CALLS = frozenset({"set_printoptions", "Softplus", "Threshold", "threshold"})
ROUTE_DECORATORS = frozenset({"get", "post", "put", "route", "api_route", "websocket"})
# ``if x < 0.5: raise ValueError(...)``: argument validation, like ``assert``.
VALIDATION_ERRORS = frozenset({"ValueError", "TypeError", "AssertionError", "NotImplementedError"})
# ``sum(s >= 0.25 for s in scores)``: counting scores per level is a statistic.
COUNTING_CALLS = frozenset({"sum", "count_nonzero"})
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
MAX_DEPTH = 6
UNKNOWN = cst.Name("__unknown__")  # binding marker: assigned something we do not follow


@functools.lru_cache(maxsize=4096)
def words_of(identifier: str) -> tuple[str, ...]:
    """``valLoss`` / ``val_loss`` -> ('val', 'loss')."""
    return tuple(part for part in _CAMEL.sub("_", identifier).lower().split("_") if part)


@dataclass(frozen=True)
class Vocabulary:
    """The rule's options, preprocessed once per distinct configuration."""

    allowed: frozenset[float]
    max_tolerance: float
    score_words: frozenset[str]
    ignore_words: frozenset[str]
    score_functions: frozenset[str]
    cast_names: frozenset[str]
    keywords: frozenset[str]
    keyword_names: frozenset[str]
    serving_words: frozenset[str]

    def is_score_identifier(self, identifier: str) -> bool:
        words = set(words_of(identifier))
        return bool(words & self.score_words) and not words & self.ignore_words

    def is_threshold_keyword(self, keyword: str) -> bool:
        name = keyword.lower()
        return name in self.keywords or name in self.keyword_names or bool(set(words_of(keyword)) & self.keywords)

    def is_serving_name(self, identifier: str) -> bool:
        return bool(set(words_of(identifier)) & self.serving_words)


def _frozen(options: Mapping[str, Any], key: str) -> frozenset[str]:
    return frozenset(str(item).lower() for item in options.get(key, ()))


@functools.lru_cache(maxsize=16)
def _vocabulary_for(frozen_options: tuple) -> Vocabulary:
    options = dict(frozen_options)
    return Vocabulary(
        allowed=frozenset(float(value) for value in options.get("allowed-literals", ())),
        max_tolerance=float(options.get("max-tolerance", 0.0)),
        score_words=_frozen(options, "score-words"),
        ignore_words=_frozen(options, "ignore-words"),
        score_functions=frozenset(options.get("score-functions", ())),
        cast_names=_frozen(options, "cast-context-names"),
        keywords=_frozen(options, "threshold-keywords"),
        keyword_names=_frozen(options, "threshold-keyword-names"),
        serving_words=_frozen(options, "serving-functions"),
    )


def vocabulary(options: Mapping[str, Any]) -> Vocabulary:
    key = tuple(sorted((name, tuple(value) if isinstance(value, list) else value) for name, value in options.items()))
    return _vocabulary_for(key)


def literal_value(node: cst.BaseExpression) -> float | None:
    """The value of ``0.7``, ``-2``, ``1e-3`` (not bools, not strings)."""
    if isinstance(node, (cst.Integer, cst.Float)):
        return float(node.evaluated_value)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        inner = literal_value(node.expression)
        if inner is not None:
            return -inner if isinstance(node.operator, cst.Minus) else inner
    return None


def format_number(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def last_name(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return None


def string_value(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        try:
            value = node.evaluated_value
        except Exception:  # odd prefixes: treat as unknown
            return None
        return value if isinstance(value, str) else None
    return None

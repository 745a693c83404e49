"""Tables and parsed options of MLD101 hardcoded-threshold.

The word lists themselves are catalog options (rules/hardcoded-threshold.toml);
the fixed tables here describe Python/numpy/torch API shapes, not ML names.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import libcst as cst

from mldebtlint.knowledge.vocabulary import Vocabulary
from mldebtlint.syntax.identifiers import words

THRESHOLD_OPERATORS = (cst.LessThan, cst.LessThanEqual, cst.GreaterThan, cst.GreaterThanEqual)
# Method / function spellings of an ordered comparison: ``probs.gt(0.5)``.
COMPARE_METHODS = frozenset({"gt", "ge", "lt", "le", "greater", "greater_equal", "less", "less_equal"})
# Calls that turn a boolean comparison into labels: a binarisation context.
BINARIZING_METHODS = frozenset({"astype", "int", "long", "float", "type", "to", "double"})
# Calls whose ``threshold=`` keyword is not a decision cut-off.
NON_DECISION_CALLS = frozenset({"set_printoptions", "Softplus", "Threshold", "threshold"})
ROUTE_DECORATORS = frozenset({"get", "post", "put", "route", "api_route", "websocket"})
# Classes a serving framework deploys (``@serve.deployment``, ``@bentoml.service``): their
# methods are serving code, and what they are bound with (``Deployment.bind(threshold=0.9)``,
# Ray Serve's application builder) configures the served model.
DEPLOYMENT_DECORATORS = frozenset({"ray.serve.deployment", "serve.deployment", "bentoml.service"})
DEPLOYMENT_BIND_METHODS = frozenset({"bind"})
# ``if x < 0.5: raise ValueError(...)``: argument validation, like ``assert``.
VALIDATION_ERRORS = frozenset({"ValueError", "TypeError", "AssertionError", "NotImplementedError"})
# ``sum(s >= 0.25 for s in scores)``: counting scores per level is a statistic.
COUNTING_CALLS = frozenset({"sum", "count_nonzero"})
# ``sum([recall >= 0.5, auc >= 0.9])``, ``(scores < 0.6).sum()``: reductions that count.
STATISTIC_METHODS = frozenset({"sum", "mean", "count_nonzero", "value_counts"})
# Where a comparison's result ends up when it only describes: calls whose name has
# one of these words (``accuracy_score``, ``calculate_all_metrics``, ``.mean()``,
# ``logger.info``) make statistics or reports, not decisions.
STATISTIC_CALL_WORDS = Vocabulary.of(
    [
        "score",
        "metric",
        "accuracy",
        "precision",
        "recall",
        "f1",
        "auc",
        "roc",
        "report",
        "matrix",
        "mean",
        "average",
        "sum",
        "count",
        "nonzero",
        "len",
        "histogram",
        "describe",
        "print",
        "log",
        "info",
        "debug",
        "warning",
        "warn",
    ]
)
# Calls that only report: an ``if`` whose body is nothing but these decides nothing
# (``if recall < 0.5: advice.append(f"...")``).
REPORTING_CALLS = frozenset(
    {"print", "log", "info", "debug", "warning", "warn", "error", "echo", "write", "append", "extend", "add_row"}
)
# Calls that only show a value to a person (a notebook's error analysis): ``display(rows)``.
DISPLAY_CALLS = frozenset({"display", "pprint"})
# A subject named only by these words (``score``, ``severity_score``) compared with
# whole numbers of 2 and more is a level or a count, not a probability cut-off.
GENERIC_SCORE_WORDS = frozenset({"score", "scores", "severity", "level", "rating", "grade", "risk"})
MAX_DEPTH = 6
UNKNOWN = cst.Name("__unknown__")  # binding marker: assigned something we do not follow


@dataclass(frozen=True)
class ThresholdOptions:
    """The rule's options, preprocessed once per distinct configuration."""

    allowed: frozenset[float]
    max_tolerance: float
    score_words: Vocabulary
    ignore_words: Vocabulary
    score_functions: frozenset[str]
    cast_names: frozenset[str]
    keywords: Vocabulary
    keyword_names: frozenset[str]
    serving_words: Vocabulary

    def is_score_identifier(self, identifier: str) -> bool:
        found = words(identifier)
        return self.score_words.find(found) is not None and self.ignore_words.find(found) is None

    def is_threshold_keyword(self, keyword: str) -> bool:
        name = keyword.lower()
        return name in self.keyword_names or name in self.keywords.terms or keyword in self.keywords

    def is_serving_name(self, identifier: str) -> bool:
        return identifier in self.serving_words


def _frozen(options: Mapping[str, Any], key: str) -> frozenset[str]:
    return frozenset(_lower(options, key))


def _lower(options: Mapping[str, Any], key: str) -> tuple[str, ...]:
    return tuple(str(item).lower() for item in options[key])


@functools.lru_cache(maxsize=16)
def _options_for(frozen_options: tuple) -> ThresholdOptions:
    options = dict(frozen_options)
    return ThresholdOptions(
        allowed=frozenset(options["allowed-literals"]),
        max_tolerance=options["max-tolerance"],
        score_words=Vocabulary.of(_lower(options, "score-words")),
        ignore_words=Vocabulary.of(_lower(options, "ignore-words")),
        score_functions=frozenset(options["score-functions"]),
        cast_names=_frozen(options, "cast-context-names"),
        keywords=Vocabulary.of(_lower(options, "threshold-keywords"), exact=True),
        keyword_names=_frozen(options, "threshold-keyword-names"),
        serving_words=Vocabulary.of(_lower(options, "serving-functions"), exact=True),
    )


def threshold_options(options: Mapping[str, Any]) -> ThresholdOptions:
    key = tuple(sorted((name, tuple(value) if isinstance(value, list) else value) for name, value in options.items()))
    return _options_for(key)

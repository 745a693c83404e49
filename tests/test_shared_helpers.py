"""The helpers every rule and fixer shares: literal evaluation, identifier
words, vocabularies, config-object names."""

from __future__ import annotations

import libcst as cst
import pytest

from mldebtlint.knowledge.vocabulary import (
    VALUE_PRESERVING_CALLS,
    Vocabulary,
    is_config_name,
    names_config,
)
from mldebtlint.syntax.identifiers import constant_name, words
from mldebtlint.syntax.literals import format_number, is_constant, is_number_literal, number, scalar, string


def expr(code: str) -> cst.BaseExpression:
    return cst.parse_expression(code)


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [
        ("val_loss", ("val", "loss")),
        ("valLoss", ("val", "loss")),
        ("unitPrice_EUR2", ("unit", "price", "eur2")),
        ("HTTPServerPrice", ("http", "server", "price")),
        ("country_ids", ("country", "ids")),
        ("AUCScore", ("auc", "score")),
        ("top1Acc", ("top1", "acc")),
        ("fold_2", ("fold", "2")),
        ("__init__", ("init",)),
    ],
)
def test_words(identifier, expected):
    assert words(identifier) == expected


def test_constant_name():
    assert constant_name("learningRate") == "LEARNING_RATE"
    assert constant_name("predict_proba_threshold") == "PREDICT_PROBA_THRESHOLD"
    assert constant_name("2fa") == "VALUE_2FA"


@pytest.mark.parametrize(
    ("code", "value"),
    [("7", 7), ("0.7", 0.7), ("-2", -2), ("+1e-3", 1e-3), ("True", None), ("'7'", None), ("2 ** 10", None)],
)
def test_number(code, value):
    assert number(expr(code)) == value


@pytest.mark.parametrize(
    ("code", "value"),
    [("2 ** 10", 1024), ("1 / 4", 0.25), ("-0.5 * 2", -1.0), ("1 / 0", None), ("(-8) ** 0.5", None), ("x * 2", None)],
)
def test_number_arithmetic(code, value):
    assert number(expr(code), arithmetic=True) == value


def test_strings_and_scalars():
    assert string(expr("'gold'")) == "gold"
    assert string(expr("'a' 'b'")) == "ab"
    assert string(expr("b'x'")) is None
    assert string(expr("f'{x}'")) is None
    assert scalar(expr("-3")) == -3 and scalar(expr("'EUR'")) == "EUR" and scalar(expr("x")) is None


def test_literal_shapes():
    assert is_number_literal(expr("(0.9, 0.999)")) and is_number_literal(expr("2 ** 10"))
    assert not is_number_literal(expr("()")) and not is_number_literal(expr("(0.9, beta)"))
    assert is_constant(expr("['a', -1]")) and not is_constant(expr("[a]"))
    assert format_number(2.0) == "2" and format_number(0.7) == "0.7"


def test_vocabulary_matches_words_plurals_and_numbered_names():
    vocab = Vocabulary.of(["price", "tax_rate", "category", "f1"])
    assert vocab.find_in("unitPrices") == "price"
    assert vocab.find_in("price2") == "price"
    assert vocab.find_in("product_categories") == "category"
    assert vocab.find_in("vat_tax_rate") == "tax_rate"
    assert vocab.find_in("val_f1") == "f1"
    # Whole words only, and multi-word terms in order.
    assert vocab.find_in("priceless") is None
    assert vocab.find_in("rate_tax") is None
    assert vocab.find_in("val_f12") is None
    assert "unit_price" in vocab and "unit_cost" not in vocab


def test_vocabulary_reports_the_first_listed_term():
    assert Vocabulary.of(["tax_rate", "rate"]).find_in("tax_rate") == "tax_rate"
    assert Vocabulary.of(["rate", "tax_rate"]).find_in("tax_rate") == "rate"


def test_config_names():
    assert is_config_name("cfg") and is_config_name("Config") and not is_config_name("model")
    assert names_config("train_config") and names_config("ModelParams") and not names_config("predict")


def test_value_preserving_calls_cover_scores_and_fields():
    assert {"item", "max", "round", "float", "cpu"} <= VALUE_PRESERVING_CALLS
    assert "sigmoid" not in VALUE_PRESERVING_CALLS


def test_exact_vocabulary_matches_listed_words_only():
    vocab = Vocabulary.of(["prediction", "serve"], exact=True)
    assert vocab.find_in("serve_prediction") == "prediction"
    assert vocab.find_in("summarize_predictions") is None

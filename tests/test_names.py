"""The shared import resolver and the known-API lookups built on it."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from mldebtlint.knowledge.apis import (
    HYPERPARAMETER_APIS,
    MODEL_BASE_CLASSES,
    lookup_hyperparameter_api,
    parse_api_spec,
)
from mldebtlint.syntax.names import ImportResolver, dotted_name, module_constants


def resolver_for(source: str) -> tuple[ImportResolver, cst.Module]:
    module = cst.parse_module(textwrap.dedent(source))
    resolver = ImportResolver()
    resolver.scan_module(module)
    return resolver, module


def last_call(module: cst.Module) -> cst.Call:
    statement = module.body[-1]
    expression = statement.body[0].value
    assert isinstance(expression, cst.Call)
    return expression


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import torch.optim as optim\noptim.Adam(p)\n", "torch.optim.Adam"),
        ("from torch import nn, optim\noptim.SGD(p)\n", "torch.optim.SGD"),
        ("from torch import nn, optim\nnn.Linear(1, 2)\n", "torch.nn.Linear"),
        (
            "from sklearn.ensemble import RandomForestClassifier as RFC\nRFC()\n",
            "sklearn.ensemble.RandomForestClassifier",
        ),
        ("import tensorflow as tf\ntf.keras.optimizers.Adam(1e-3)\n", "tensorflow.keras.optimizers.Adam"),
        ("import torch\ntorch.optim.lr_scheduler.StepLR(o, 3)\n", "torch.optim.lr_scheduler.StepLR"),
        ("import lightning as L\nL.Trainer()\n", "lightning.Trainer"),
        ("try:\n    import xgboost as xgb\nexcept ImportError:\n    xgb = None\nxgb.train(p, d)\n", "xgboost.train"),
    ],
)
def test_call_names_resolve_through_aliases(source, expected):
    resolver, module = resolver_for(source)
    assert resolver.call_name(last_call(module)) == expected


def test_unimported_names_stay_local_and_do_not_resolve():
    resolver, module = resolver_for("model.fit(x)\n")
    call = last_call(module)
    assert resolver.resolve(call.func) is None
    assert resolver.qualified_or_local(call.func) == "model.fit"


def test_relative_imports_keep_their_dots():
    resolver, module = resolver_for("from . import utils\nfrom ..opt import AdamW\nutils.f()\n")
    assert resolver.aliases["utils"] == ".utils"
    assert resolver.aliases["AdamW"] == "..opt.AdamW"
    assert "" not in resolver.imported_roots()


def test_dotted_name_and_module_constants():
    module = cst.parse_module("LR = 1e-3\nEPOCHS: int = 10\nx, y = 1, 2\n")
    assert set(module_constants(module)) == {"LR", "EPOCHS"}
    assert dotted_name(cst.parse_expression("a.b.c")) == "a.b.c"
    assert dotted_name(cst.parse_expression("f().b")) is None


@pytest.mark.parametrize(
    ("qualified", "keyword"),
    [
        ("torch.optim.Adam", "lr"),
        ("torch.optim.adam.Adam", "lr"),
        ("sklearn.ensemble.RandomForestClassifier", "n_estimators"),
        ("sklearn.ensemble._forest.RandomForestClassifier", "max_depth"),
        ("sklearn.linear_model.LogisticRegression", "C"),
        ("tensorflow.keras.optimizers.Adam", "learning_rate"),
        ("keras.optimizers.SGD", "momentum"),
        ("optax.adamw", "learning_rate"),
        ("xgboost.XGBClassifier", "n_estimators"),
        ("lightgbm.sklearn.LGBMRegressor", "num_leaves"),
        ("catboost.CatBoostClassifier", "depth"),
        ("transformers.TrainingArguments", "learning_rate"),
        ("transformers.training_args.TrainingArguments", "num_train_epochs"),
        ("lightning.pytorch.Trainer", "max_epochs"),
        ("pytorch_lightning.Trainer", "max_epochs"),
        ("torch.utils.data.DataLoader", "batch_size"),
    ],
)
def test_known_hyperparameter_apis_match_by_root_and_leaf(qualified, keyword):
    api = lookup_hyperparameter_api(qualified)
    assert api is not None and keyword in api.keywords


@pytest.mark.parametrize(
    "qualified",
    ["torch.nn.Linear", "sklearn.metrics.accuracy_score", "mylib.Adam", ".optimization.AdamW", "Adam", None],
)
def test_unknown_or_unresolved_calls_have_no_hyperparameter_api(qualified):
    assert lookup_hyperparameter_api(qualified) is None


def test_positional_hyperparameters_are_data():
    assert dict(HYPERPARAMETER_APIS["torch"]["SGD"].positions)[1] == "lr"
    assert parse_api_spec("lr@1 epochs").positions == ((1, "lr"),)
    assert parse_api_spec("lr@1 epochs").keywords == frozenset({"lr", "epochs"})


def test_model_base_classes_still_exported():
    assert "torch.nn.Module" in MODEL_BASE_CLASSES

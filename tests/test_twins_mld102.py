"""MLD102 twins: a literal hyperparameter, and the same call where one guard
decides the literal is not one (a seed, a sentinel, a neutral value, a
dummy object, a config class, no ML import, an ignored keyword). The
threshold ``min-literals`` is at its loosest (1) throughout."""

from __future__ import annotations

import pytest

LOOSEST = {"hardcoded-hyperparameter": {"min-literals": 1}}
SK = "from sklearn.ensemble import RandomForestClassifier as RFC\n\n\n"
LGB = "import lightgbm as lgb\n\n\n"
TORCH = "import torch\nfrom torch.utils.data import DataLoader\n\n\n"
KERAS = "import tensorflow as tf\nfrom tensorflow.keras.callbacks import EarlyStopping, ModelCheckpoint\n\n\n"
XGB = "import xgboost as xgb\n\n\n"
FASTAI = "from fastai.vision.all import *\n\nlearn = vision_learner(dls, resnet18, metrics=error_rate)\n"

TWINS = [
    # mnist-fastapi-fastai: fastai's schedules take the epoch count and the peak rate positionally.
    ("fastai-one-cycle-vs-named", FASTAI + "learn.fit_one_cycle(5, wd=0.1)\n", "5, wd=0.1", "EPOCHS, wd=WD"),
    ("fastai-fine-tune-vs-named", FASTAI + "learn.fine_tune(4)\n", "(4)", "(EPOCHS)"),
    ("fastai-one-cycle-vs-its-default", FASTAI + "learn.fit_one_cycle(EPOCHS, pct_start=0.3)\n", "0.3", "0.25"),
    ("fastai-vs-no-ml-import", FASTAI + "learn.fit_one_cycle(5)\n", "from fastai.vision.all import *", "import os"),
    (
        "adamw-decay-vs-torch-default",
        TORCH + "def f(model):\n    return torch.optim.AdamW(model.parameters(), weight_decay=0.05)\n",
        "=0.05",
        "=0.01",
    ),
    ("depth-vs-seed", SK + "clf = RFC(max_depth=42)\n", "max_depth", "random_state"),
    ("depth-vs-n-jobs", SK + "clf = RFC(max_depth=4)\n", "max_depth", "n_jobs"),
    ("depth-vs-unbounded-sentinel", LGB + "m = lgb.LGBMClassifier(max_depth=8)\n", "=8", "=-1"),
    ("depth-vs-zero-sentinel", LGB + "m = lgb.LGBMClassifier(max_depth=8)\n", "=8", "=0"),
    ("batch-size-vs-neutral-one", TORCH + "def f(ds):\n    return DataLoader(ds, batch_size=64)\n", "=64", "=1"),
    (
        "scheduler-vs-disabled-dummy",
        TORCH + "def f(opt):\n    return torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=5)\n",
        "patience=5",
        "patience=1000000",
    ),
    (
        "model-class-vs-config-class",
        "import torch\n\n\ndef build():\n    return TwoTower(lr=3e-4)\n",
        "TwoTower(",
        "TwoTowerConfig(",
    ),
    (
        "ml-module-vs-plain-module",
        "import torch\n\n\ndef build():\n    return TwoTower(lr=3e-4)\n",
        "import torch\n",
        "import os\n",
    ),
    (
        "model-class-vs-argparse",
        "import torch\n\n\ndef build(parser):\n    return TwoTower(lr=3e-4)\n",
        "TwoTower(lr=3e-4)",
        "parser.set_defaults(lr=3e-4)",
    ),
    (
        "epochs-with-a-checkpoint-vs-with-an-early-stopping-object",
        KERAS + "model.fit(X, y, epochs=100, callbacks=[ModelCheckpoint('best.h5')])\n",
        "ModelCheckpoint('best.h5')",
        "EarlyStopping(monitor='val_loss')",
    ),
    (
        "epochs-with-a-checkpoint-vs-with-an-early-stopping-name",
        KERAS + "model.fit(X, y, epochs=100, callbacks=[ModelCheckpoint('best.h5')])\n",
        "ModelCheckpoint('best.h5')",
        "early_stopping",
    ),
    (
        "params-keyword-dict-depth-vs-objective-only",
        XGB + "booster = xgb.train(params={'max_depth': 6}, dtrain=dtrain)\n",
        "'max_depth': 6",
        "'objective': 'binary:logistic'",
    ),
    (
        "params-dict-with-a-spread-depth-vs-objective-only",
        XGB + "booster = xgb.train({**BASE, 'max_depth': 6}, dtrain)\n",
        "'max_depth': 6",
        "'objective': 'binary:logistic'",
    ),
]


@pytest.mark.parametrize(("name", "positive", "old", "new"), TWINS, ids=[twin[0] for twin in TWINS])
def test_twin(lint, name, positive, old, new):
    assert old in positive
    found = lint(positive, select=("MLD102",), rule_options=LOOSEST)
    assert [f.code for f in found] == ["MLD102"], f"{name}: the positive twin must be reported"
    assert lint(positive.replace(old, new), select=("MLD102",), rule_options=LOOSEST) == [], name


def test_an_ignored_keyword_option_silences_only_that_keyword(lint):
    source = SK + "clf = RFC(max_depth=12, n_estimators=300)\n"
    ignored = {"hardcoded-hyperparameter": {"ignored-keywords": ["max_depth"]}}
    (finding,) = lint(source, select=("MLD102",), rule_options=ignored)
    assert "n_estimators=300" in finding.message and "max_depth" not in finding.message
    only_depth = SK + "clf = RFC(max_depth=12)\n"
    assert lint(only_depth, select=("MLD102",), rule_options=ignored) == []
    assert len(lint(only_depth, select=("MLD102",))) == 1


def test_min_literals_counts_the_literals_of_one_call(lint):
    source = SK + "clf = RFC(max_depth=12, n_estimators=300)\n"
    assert len(lint(source, select=("MLD102",), rule_options={"hardcoded-hyperparameter": {"min-literals": 2}})) == 1
    assert lint(source, select=("MLD102",), rule_options={"hardcoded-hyperparameter": {"min-literals": 3}}) == []


def test_the_message_lists_every_literal_and_skips_sentinels(lint):
    (finding,) = lint(
        LGB + "m = lgb.LGBMClassifier(num_leaves=127, max_depth=-1, learning_rate=0.03)\n", select=("MLD102",)
    )
    assert "num_leaves=127" in finding.message and "learning_rate=0.03" in finding.message
    assert "max_depth" not in finding.message


def test_the_message_speaks_of_one_literal_or_several(lint):
    (one,) = lint(SK + "clf = RFC(max_depth=12)\n", select=("MLD102",))
    assert "literal hyperparameter max_depth=12 passed" in one.message and "take it from" in one.message
    (two,) = lint(SK + "clf = RFC(max_depth=12, n_estimators=300)\n", select=("MLD102",))
    assert "literal hyperparameters " in two.message and "take them from" in two.message


def test_positions_after_star_args_are_unknown(lint):
    source = TORCH + "def f(ds):\n    return DataLoader(ds, 64)\n"
    assert len(lint(source, select=("MLD102",))) == 1
    assert lint(source.replace("(ds, 64)", "(ds, *extra, 64)"), select=("MLD102",), rule_options=LOOSEST) == []


def test_an_evaluation_loader_is_not_reported_and_its_training_twin_is(lint):
    source = TORCH + "def train_loader_for(ds):\n    return DataLoader(ds, batch_size=512)\n"
    (finding,) = lint(source, select=("MLD102",))
    assert finding.applicability == "unsafe"  # a keyword literal the hoist fix can name
    assert finding.fix is not None and finding.fix.title == "Hoist 512 into BATCH_SIZE"
    assert lint(source.replace("train_loader_for", "eval_loader_for"), select=("MLD102",)) == []
    loop = TORCH + "def train(ds):\n    for batch in DataLoader(ds, batch_size=64):\n        step(batch)\n"
    assert len(lint(loop, select=("MLD102",))) == 1


def test_a_params_dict_literal_is_hoistable_too(lint):
    source = "import xgboost as xgb\n\n\ndef fit(dtrain):\n    return xgb.train({'max_depth': 6, 'eta': 0.1}, dtrain)\n"
    (finding,) = lint(source, select=("MLD102",))
    assert finding.applicability == "unsafe"
    assert finding.fix is not None and {e.content for e in finding.fix.edits} >= {"MAX_DEPTH", "ETA"}


# Issue 13, misses found by reading apps completely (bentoml-fraud-serving, ldsa-prediction-log,
# two-tower-notebook): a notebook's own training helper called with positional literals,
# sklearn feature selection, Keras' legacy ``lr=`` keyword.

OWN_TRAIN = """import xgboost as xgb


def train(n_estimators, max_depth):
    return xgb.XGBClassifier(tree_method="hist", n_estimators=n_estimators, max_depth=max_depth).fit(X, y)


model_sm = train(300, 5)
"""


def test_an_own_function_called_with_positional_literals_is_reported(lint):
    (finding,) = lint(OWN_TRAIN, select=("MLD102",), rule_options=LOOSEST)
    assert finding.line == 8
    assert "300 (positional n_estimators), 5 (positional max_depth)" in finding.message
    named = OWN_TRAIN.replace("train(300, 5)", "train(n_estimators=300, max_depth=5)")
    (keyword,) = lint(named, select=("MLD102",), rule_options=LOOSEST)
    assert "n_estimators=300, max_depth=5" in keyword.message


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("train(300, 5)", "train(N_ESTIMATORS, MAX_DEPTH)"),  # named constants
        ("def train(n_estimators, max_depth)", "def train(trees, depth)"),  # not hyperparameter names
        ("import xgboost as xgb", "import json as xgb"),  # no ML library in the module
    ],
    ids=["constants", "plain-parameter-names", "no-ml-import"],
)
def test_an_own_function_twin_without_literal_hyperparameters(lint, old, new):
    assert lint(OWN_TRAIN.replace(old, new), select=("MLD102",), rule_options=LOOSEST) == []


def test_an_own_plotting_helper_with_an_alpha_is_not_a_hyperparameter(lint):
    source = "import numpy as np\n\n\ndef draw(points, alpha):\n    return points * alpha\n\n\ndraw(xs, 0.5)\n"
    assert lint(source, select=("MLD102",), rule_options=LOOSEST) == []
    tuned = source.replace("alpha", "learning_rate")
    assert len(lint(tuned, select=("MLD102",), rule_options=LOOSEST)) == 1


FEATURES = "from sklearn.feature_selection import SelectKBest, SelectPercentile, chi2\n\n\nk_best = {call}\n"


@pytest.mark.parametrize(
    ("positive", "negative"),
    [
        ("SelectKBest(chi2, k=15)", "SelectKBest(chi2, k=10)"),  # 10 is the library default
        ("SelectKBest(chi2, 15)", "SelectKBest(chi2, K_FEATURES)"),
        ("SelectPercentile(chi2, percentile=20)", "SelectPercentile(chi2)"),
    ],
)
def test_feature_selection_size_is_a_hyperparameter(lint, positive, negative):
    assert len(lint(FEATURES.format(call=positive), select=("MLD102",), rule_options=LOOSEST)) == 1
    assert lint(FEATURES.format(call=negative), select=("MLD102",), rule_options=LOOSEST) == []


KERAS_COMPILE = "from tensorflow.keras.optimizers import Adam\n\nmodel.compile(optimizer=Adam({arg}), loss='mse')\n"


@pytest.mark.parametrize("arg", ["lr=0.01", "learning_rate=0.01", "0.01"])
def test_keras_legacy_lr_keyword_is_the_learning_rate(lint, arg):
    (finding,) = lint(KERAS_COMPILE.format(arg=arg), select=("MLD102",), rule_options=LOOSEST)
    assert "0.01" in finding.message
    assert lint(KERAS_COMPILE.format(arg="learning_rate=LR"), select=("MLD102",), rule_options=LOOSEST) == []


# Issue 13 leftovers: a round count bounded by early stopping on a later fit of the same
# model (kaggle-championship-8), an estimator built and never used (kaggle-pipeline-dota).

LATER_FIT = """import xgboost as xgb


def fold(X_train, y_train, X_test, y_test):
    model = xgb.XGBClassifier(n_estimators=1000, **params)
    model.fit(X_train, y_train, eval_set=[(X_test, y_test)], early_stopping_rounds=EARLY)
    return model
"""


def test_a_round_count_bounded_by_early_stopping_on_a_later_fit(lint):
    assert lint(LATER_FIT, select=("MLD102",), rule_options=LOOSEST) == []
    plain_fit = LATER_FIT.replace(", eval_set=[(X_test, y_test)], early_stopping_rounds=EARLY", "")
    (finding,) = lint(plain_fit, select=("MLD102",), rule_options=LOOSEST)
    assert "n_estimators=1000" in finding.message
    other_model = LATER_FIT.replace("    model.fit(", "    other.fit(")
    assert len(lint(other_model, select=("MLD102",), rule_options=LOOSEST)) == 1


def test_the_later_fit_bounds_only_round_counts(lint):
    source = LATER_FIT.replace("n_estimators=1000", "n_estimators=1000, max_depth=8")
    (finding,) = lint(source, select=("MLD102",), rule_options=LOOSEST)
    assert "max_depth=8" in finding.message and "n_estimators" not in finding.message


UNUSED = """from sklearn.ensemble import RandomForestClassifier
from sklearn.neighbors import NearestNeighbors

if __name__ == "__main__":
    rf = RandomForestClassifier(max_depth=4)
    knn = NearestNeighbors(n_neighbors=100)
    models = {"RF": rf,
              # "KNN": knn,
              }
    for name, model in models.items():
        model.fit(X, y)
"""


def test_an_estimator_that_is_never_used_configures_nothing(lint):
    found = lint(UNUSED, select=("MLD102",), rule_options=LOOSEST)
    assert [f.line for f in found] == [5]
    used = UNUSED.replace('# "KNN": knn,', '"KNN": knn,')
    assert [f.line for f in lint(used, select=("MLD102",), rule_options=LOOSEST)] == [5, 6]


def test_a_module_level_estimator_may_be_imported_elsewhere(lint):
    source = "from sklearn.neighbors import NearestNeighbors\n\nknn = NearestNeighbors(n_neighbors=100)\n"
    assert len(lint(source, select=("MLD102",), filename="models.py", rule_options=LOOSEST)) == 1
    in_main = "from sklearn.neighbors import NearestNeighbors\n\nif __name__ == '__main__':\n    knn = NearestNeighbors(n_neighbors=100)\n"
    assert lint(in_main, select=("MLD102",), filename="models.py", rule_options=LOOSEST) == []


def test_a_training_call_whose_result_is_unused_still_trains(lint):
    source = "import tensorflow as tf\n\nif __name__ == '__main__':\n    history = model.fit(x, y, epochs=30)\n"
    (finding,) = lint(source, select=("MLD102",), rule_options=LOOSEST)
    assert "epochs=30" in finding.message


def test_a_relative_star_import_is_not_a_framework_import(lint):
    # ``from .torch import *`` is the project's own module named torch, not the framework.
    source = FASTAI.replace("from fastai.vision.all import *", "from .fastai import *") + "learn.fit_one_cycle(5)\n"
    assert lint(source, select=("MLD102",), rule_options=LOOSEST) == []
    assert len(lint(source.replace("from .fastai", "from fastai"), select=("MLD102",), rule_options=LOOSEST)) == 1

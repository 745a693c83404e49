"""MLD102 hardcoded-hyperparameter on training code in the style of real projects."""

from __future__ import annotations

import pytest

SELECT = ("MLD102",)

# (source, expected hyperparameter names of the single finding)
POSITIVES = [
    (
        """
        import torch

        def configure(model):
            return torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.05)
        """,
        "lr,weight_decay",
    ),
    (
        """
        import torch.optim as optim

        optimizer = optim.SGD(net.parameters(), 0.01, momentum=0.9)
        """,
        "lr,momentum",
    ),
    (
        """
        from torch import nn, optim

        opt = optim.Adam(model.parameters(), 2e-3, (0.9, 0.98))
        """,
        "lr,betas",
    ),
    (
        """
        from sklearn.ensemble import RandomForestClassifier as RFC

        clf = RFC(n_estimators=500, max_depth=12, random_state=0, n_jobs=-1)
        """,
        "n_estimators,max_depth",
    ),
    (
        """
        import tensorflow as tf

        def build(model):
            model.compile(optimizer=tf.keras.optimizers.Adam(2e-3), loss="mse")
        """,
        "learning_rate",
    ),
    (
        """
        from tensorflow import keras

        def train(model, x, y):
            model.fit(x, y, epochs=20, batch_size=128, validation_split=0.1)
        """,
        "epochs,batch_size",
    ),
    (
        """
        import lightning as L

        trainer = L.Trainer(max_epochs=30, accelerator="gpu", devices=1)
        """,
        "max_epochs",
    ),
    (
        """
        import pytorch_lightning as pl

        def main(model, dm):
            trainer = pl.Trainer(max_epochs=10, gradient_clip_val=1.0, accumulate_grad_batches=4)
            trainer.fit(model, dm)
        """,
        "max_epochs,gradient_clip_val,accumulate_grad_batches",
    ),
    (
        """
        from transformers import TrainingArguments

        args = TrainingArguments(
            output_dir="out",
            learning_rate=2e-5,
            per_device_train_batch_size=16,
            num_train_epochs=3,
            weight_decay=0.01,
            seed=42,
        )
        """,
        "learning_rate,per_device_train_batch_size,num_train_epochs,weight_decay",
    ),
    (
        """
        from torch.utils.data import DataLoader

        def loaders(train_ds):
            return DataLoader(train_ds, batch_size=64, shuffle=True, num_workers=8)
        """,
        "batch_size",
    ),
    (
        """
        import torch

        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 30, gamma=0.1)
        """,
        "step_size,gamma",
    ),
    (
        """
        import xgboost as xgb

        booster = xgb.train({"max_depth": 6, "eta": 0.3, "seed": 7}, dtrain, num_boost_round=200)
        """,
        "max_depth,eta,num_boost_round",
    ),
    (
        """
        import lightgbm as lgb

        model = lgb.LGBMClassifier(num_leaves=63, learning_rate=0.05, n_estimators=1000)
        """,
        "num_leaves,learning_rate,n_estimators",
    ),
    (
        """
        from catboost import CatBoostRegressor

        model = CatBoostRegressor(iterations=2000, depth=8, learning_rate=0.03, verbose=100)
        """,
        "iterations,depth,learning_rate",
    ),
    (
        """
        import optax

        tx = optax.adamw(learning_rate=1e-4, weight_decay=1e-2)
        """,
        "learning_rate,weight_decay",
    ),
    (
        """
        from transformers import get_linear_schedule_with_warmup

        def schedule(optimizer, total):
            return get_linear_schedule_with_warmup(optimizer, 500, total)
        """,
        "num_warmup_steps",
    ),
    (
        """
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=0.1 * 5, max_iter=1000)
        """,
        "C",
    ),
    (
        """
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectorizer = TfidfVectorizer(ngram_range=(1, 2), max_features=50000, min_df=2)
        """,
        "ngram_range,max_features,min_df",
    ),
]

NEGATIVES = [
    # values from a config object
    """
    import torch

    def configure(model, cfg):
        return torch.optim.AdamW(model.parameters(), lr=cfg.optim.lr, weight_decay=cfg.optim.wd)
    """,
    # function arguments
    """
    import torch.optim as optim

    def make_optimizer(params, lr, momentum=0.9):
        return optim.SGD(params, lr, momentum=momentum)
    """,
    # argparse
    """
    import argparse
    import lightning as L

    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args()
    trainer = L.Trainer(max_epochs=args.epochs)
    """,
    # module-level named constants
    """
    from sklearn.ensemble import GradientBoostingClassifier

    N_ESTIMATORS = 300
    LEARNING_RATE = 0.05
    model = GradientBoostingClassifier(n_estimators=N_ESTIMATORS, learning_rate=LEARNING_RATE)
    """,
    # dataclass fields
    """
    from dataclasses import dataclass
    from transformers import TrainingArguments

    @dataclass
    class Settings:
        lr: float = 2e-5
        epochs: int = 3

    def build(settings: Settings):
        return TrainingArguments(output_dir="out", learning_rate=settings.lr, num_train_epochs=settings.epochs)
    """,
    # hydra
    """
    import hydra
    import torch

    @hydra.main(config_path="conf", config_name="train", version_base=None)
    def main(cfg):
        optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    """,
    # click options
    """
    import click
    import torch

    @click.command()
    @click.option("--lr", type=float, default=1e-3)
    @click.option("--batch-size", type=int, default=64)
    def train(lr, batch_size):
        optimizer = torch.optim.Adam(MODEL.parameters(), lr=lr)
        loader = torch.utils.data.DataLoader(DATASET, batch_size=batch_size)
        return optimizer, loader
    """,
    # seeds and runtime knobs only
    """
    from sklearn.ensemble import RandomForestClassifier

    clf = RandomForestClassifier(random_state=42, n_jobs=-1, verbose=1)
    """,
    # layer sizes in a model definition
    """
    import torch
    from torch import nn

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(128, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, 1))
    """,
    # keras layers
    """
    import tensorflow as tf

    model = tf.keras.Sequential([tf.keras.layers.Dense(64, activation="relu"), tf.keras.layers.Dense(1)])
    """,
    # unresolved local class with the same name
    """
    class Trainer:
        def __init__(self, max_epochs):
            self.max_epochs = max_epochs

    trainer = Trainer(max_epochs=10)
    """,
    # non-hyperparameter keywords of a known API
    """
    from torch.utils.data import DataLoader

    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, num_workers=4, pin_memory=True)
    """,
    # sentinel -1 (unlimited) is not a tuned value
    """
    from transformers import TrainingArguments

    args = TrainingArguments(output_dir="out", max_steps=-1, learning_rate=config["lr"])
    """,
    # fit in a file without ML imports (e.g. a curve fitter)
    """
    def smooth(curve, xs, ys):
        return curve.fit(xs, ys, epochs=3)
    """,
    # sklearn splitters and metrics are not estimators with hyperparameters
    """
    from sklearn.model_selection import KFold, train_test_split

    folds = KFold(n_splits=5, shuffle=True, random_state=0)
    x_train, x_test = train_test_split(x, test_size=0.2, random_state=0)
    """,
    # params dict built from config, splatted kwargs
    """
    import lightgbm as lgb

    def fit(params, train_set, rounds):
        return lgb.train(params, train_set, num_boost_round=rounds)
    """,
    # **kwargs from a config mapping
    """
    import torch

    def build(model, optim_cfg):
        return torch.optim.SGD(model.parameters(), **optim_cfg)
    """,
    # booleans and strings are not numeric hyperparameters
    """
    import torch
    from sklearn.svm import SVC

    opt = torch.optim.SGD(params, lr=LR, nesterov=True)
    svc = SVC(kernel="rbf", probability=True)
    """,
]


@pytest.mark.parametrize(("source", "expected"), POSITIVES)
def test_literal_hyperparameters_are_reported_once_per_call(lint, source, expected):
    findings = lint(source, select=SELECT)
    assert len(findings) == 1, [f.message for f in findings]
    assert dict(findings[0].data)["hyperparameters"] == expected
    for name in expected.split(","):
        # A keyword is quoted as written, a positional argument as positional.
        assert f"{name}=" in findings[0].message or f"(positional {name})" in findings[0].message


@pytest.mark.parametrize("source", NEGATIVES)
def test_configured_or_structural_values_are_not_reported(lint, source):
    assert lint(source, select=SELECT) == []


def test_nested_optimizer_and_fit_are_two_findings(lint):
    source = """
    import tensorflow as tf

    model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.01, momentum=0.9))
    model.fit(x, y, epochs=5)
    """
    findings = lint(source, select=SELECT)
    assert [f.line for f in findings] == [4, 5]


def test_test_files_are_skipped(lint):
    source = """
    import torch
    optimizer = torch.optim.Adam(params, lr=3e-4)
    """
    assert lint(source, select=SELECT, filename="tests/test_train.py") == []
    assert len(lint(source, select=SELECT, filename="train.py")) == 1


def test_min_literals_option(lint):
    source = """
    import torch
    a = torch.optim.Adam(params, lr=3e-4)
    b = torch.optim.Adam(params, lr=3e-4, weight_decay=0.1)
    """
    findings = lint(source, select=SELECT, rule_options={"hardcoded-hyperparameter": {"min-literals": 2}})
    assert [f.line for f in findings] == [4]


def test_ignored_keywords_option(lint):
    source = """
    from torch.utils.data import DataLoader
    loader = DataLoader(ds, batch_size=32)
    """
    options = {"hardcoded-hyperparameter": {"ignored-keywords": ["batch_size"]}}
    assert lint(source, select=SELECT, rule_options=options) == []


def test_extra_estimators_option(lint):
    source = """
    from ranking.models import LambdaRanker
    ranker = LambdaRanker(data, 0.05, trees=300, verbose=2)
    """
    assert lint(source, select=SELECT) == []
    options = {"hardcoded-hyperparameter": {"extra-estimators": ["ranking.models.LambdaRanker:lr@1,trees"]}}
    findings = lint(source, select=SELECT, rule_options=options)
    assert len(findings) == 1
    assert dict(findings[0].data)["hyperparameters"] == "lr,trees"


def test_off_identity_and_unbounded_values_are_not_hyperparameters(lint):
    source = """
    import torch
    from torch.utils.data import DataLoader

    def build(optimizer, dataset, cfg):
        plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=10**9, min_lr=0)
        constant = torch.optim.lr_scheduler.ConstantLR(optimizer, factor=1.0, total_iters=cfg.warmup)
        tasks = DataLoader(dataset, batch_size=1, shuffle=True)
        sgd = torch.optim.SGD(cfg.params, lr=cfg.lr, momentum=0.0, weight_decay=0)
        return plateau, constant, tasks, sgd
    """
    assert lint(source, select=SELECT) == []


def test_sentinels_do_not_hide_tuned_values_in_the_same_call(lint):
    source = """
    import torch
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=cfg.patience, min_lr=0, factor=0.2)
    """
    findings = lint(source, select=SELECT)
    assert [dict(f.data)["hyperparameters"] for f in findings] == ["factor"]


def test_dummy_disabled_schedulers_are_not_reported(lint):
    source = """
    import torch

    def schedulers(optimizer, warmup_steps):
        if warmup_steps == 0:
            warmup = torch.optim.lr_scheduler.ConstantLR(optimizer, factor=1.0, total_iters=1)
        # a scheduler that never fires, so that the training loop can always call step(metric)
        plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=10_000_000, factor=0.2)
        return warmup, plateau
    """
    assert lint(source, select=SELECT) == []


def test_plot_projections_are_not_reported_but_their_tuning_is(lint):
    source = """
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    def plot_embeddings(x):
        flat = PCA(n_components=2).fit_transform(x)
        cloud = TSNE(n_components=3, perplexity=40).fit_transform(x)
        return flat, cloud
    """
    findings = lint(source, select=SELECT)
    assert [dict(f.data)["hyperparameters"] for f in findings] == ["perplexity"]


def test_optimizer_defaults_spelled_out_are_not_reported_but_tuned_ones_are(lint):
    source = """
    import torch
    from torch.optim import Adam

    def get_optimizer(hyperparams, model):
        if hyperparams["optimizer"] == "adam":
            return Adam(model.parameters(), lr=hyperparams["lr"], betas=(0.9, 0.999), eps=1e-8)
        return torch.optim.AdamW(model.parameters(), lr=hyperparams["lr"], betas=(0.9, 0.98), eps=1e-6)
    """
    findings = lint(source, select=SELECT)
    assert [dict(f.data)["hyperparameters"] for f in findings] == ["betas,eps"]
    assert findings[0].line == 8


def test_sklearn_first_positional_hyperparameter_is_reported(lint):
    source = """
    import sklearn.ensemble
    from sklearn.cluster import KMeans
    from sklearn.linear_model import LogisticRegression

    def benchmark_forest():
        return sklearn.ensemble.RandomForestRegressor(300, random_state=0)

    def segments(frame, n_segments):
        clusters = KMeans(n_segments, n_init="auto").fit_predict(frame)
        # the first parameter of LogisticRegression is ``penalty``, a string
        return clusters, LogisticRegression("l2")
    """
    findings = lint(source, select=SELECT)
    assert [(f.line, dict(f.data)["hyperparameters"]) for f in findings] == [(7, "n_estimators")]


def test_unknown_trainers_are_reported_on_unambiguous_keywords_only(lint):
    source = """
    import lightning.pytorch as pl
    from pytorch_forecasting import TemporalFusionTransformer
    from stable_baselines3 import PPO

    tft = TemporalFusionTransformer.from_dataset(training, learning_rate=0.03, hidden_size=16, dropout=0.1)
    agent = PPO("MlpPolicy", env, learning_rate=3e-4, n_steps=2048, verbose=1)
    agent.learn(total_timesteps=100_000)
    """
    findings = lint(source, select=SELECT)
    assert [(f.line, dict(f.data)["hyperparameters"]) for f in findings] == [(6, "learning_rate"), (7, "learning_rate")]


def test_generic_keywords_where_config_is_defined_or_outside_ml_code_are_not_reported(lint):
    source = """
    import argparse
    from dataclasses import dataclass
    import torch

    parser = argparse.ArgumentParser()
    parser.set_defaults(lr=3e-4, epochs=20)
    defaults = dict(lr=3e-4, epochs=20)
    config = TrainConfig(learning_rate=3e-4, max_epochs=20)
    search_space = HyperparameterSpace(lr=1e-3)

    class Finetuner(BaseFinetuner):
        def __init__(self, backbone):
            super().__init__(backbone, lr=1e-4)

    def smoke(trainer):
        trainer.fit(epochs=1)
    """
    assert lint(source, select=SELECT) == []
    no_ml = """
    import requests

    session = RetryingSession(backoff=2, max_epochs=5, learning_rate=0.5)
    """
    assert lint(no_ml, select=SELECT) == []


def test_keras_and_optax_adam_defaults_spelled_out_are_not_reported(lint):
    source = """
    import optax
    import tensorflow as tf

    def optimizers(cfg):
        keras_adam = tf.keras.optimizers.Adam(learning_rate=cfg.lr, beta_1=0.9, beta_2=0.999)
        tuned = tf.keras.optimizers.Adam(learning_rate=cfg.lr, beta_1=0.9, beta_2=0.98)
        return keras_adam, tuned, optax.adam(cfg.lr, b1=0.9, b2=0.999)
    """
    findings = lint(source, select=SELECT)
    assert [(f.line, dict(f.data)["hyperparameters"]) for f in findings] == [(7, "beta_2")]


def test_positional_arguments_are_quoted_as_positional(lint):
    source = """
    import torch

    def step(model, optimizer):
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    """
    first, second = lint(source, select=SELECT)
    assert "1.0 (positional max_norm)" in first.message and "max_norm=" not in first.message
    assert "max_norm=1.0" in second.message


# Shapes met in real ML applications: (id, clean code, its near-identical twin
# across the guard, the twin's expected hyperparameters per finding).
APPLICATION_TWINS = [
    (
        "solver-iteration-cap-vs-mlp-epochs",
        """
        from sklearn.linear_model import LogisticRegression

        def fit_belief(X, y, cfg):
            return LogisticRegression(C=cfg.C, max_iter=2000).fit(X, y)
        """,
        """
        from sklearn.neural_network import MLPClassifier

        def fit_belief(X, y, cfg):
            return MLPClassifier(alpha=cfg.C, max_iter=2000).fit(X, y)
        """,
        ["max_iter"],
    ),
    (
        "boosting-rounds-with-early-stopping-vs-without",
        """
        import lightgbm as lgb

        def fit_fold(params, train_set, valid_set):
            return lgb.train(params, train_set, 20000, valid_sets=[valid_set], early_stopping_rounds=cfg.patience)
        """,
        """
        import lightgbm as lgb

        def fit_fold(params, train_set, valid_set):
            return lgb.train(params, train_set, 20000, valid_sets=[valid_set])
        """,
        ["num_boost_round"],
    ),
    (
        "inference-loader-batch-vs-training-loader-batch",
        """
        from torch.utils.data import DataLoader

        def make_loader(features, cfg):
            test_loader = DataLoader(StackingTestSet(features), batch_size=1024, shuffle=False)
            return test_loader
        """,
        """
        from torch.utils.data import DataLoader

        def make_loader(features, cfg):
            train_loader = DataLoader(StackingTrainSet(features), batch_size=1024, shuffle=True)
            return train_loader
        """,
        ["batch_size"],
    ),
    (
        "library-default-spelled-out-vs-tuned",
        """
        from sklearn.ensemble import RandomForestClassifier

        def baseline_forest():
            return RandomForestClassifier(n_estimators=100, random_state=7)
        """,
        """
        from sklearn.ensemble import RandomForestClassifier

        def baseline_forest():
            return RandomForestClassifier(n_estimators=400, random_state=7)
        """,
        ["n_estimators"],
    ),
    (
        "third-party-recommender-vs-config-driven",
        """
        from implicit.als import AlternatingLeastSquares

        def build_recommender(settings):
            return AlternatingLeastSquares(factors=settings.factors, regularization=settings.reg, iterations=settings.n)
        """,
        """
        from implicit.als import AlternatingLeastSquares

        def build_recommender(settings):
            return AlternatingLeastSquares(factors=32, regularization=0.05, iterations=settings.n)
        """,
        ["factors,regularization"],
    ),
    (
        "surprise-svd-vs-plot-patch",
        """
        from matplotlib.patches import Rectangle

        def band(ax):
            ax.add_patch(Rectangle((0, 0), 1, 1, alpha=0.2))
        """,
        """
        from surprise import SVD

        def fit_ratings(trainset):
            return SVD(n_factors=80, n_epochs=25, lr_all=0.004).fit(trainset)
        """,
        ["n_factors,n_epochs,lr_all"],
    ),
    (
        "repo-bandit-agent-vs-repo-helper",
        """
        class RewardWindow:
            def __init__(self, alpha):
                self.alpha = alpha

        window = RewardWindow(alpha=0.3)
        """,
        """
        class LinUCBBandit:
            def __init__(self, alpha):
                self.alpha = alpha

        bandit = LinUCBBandit(alpha=0.3)
        """,
        ["alpha"],
    ),
]


@pytest.mark.parametrize(
    "clean, twin, expected", [t[1:] for t in APPLICATION_TWINS], ids=[t[0] for t in APPLICATION_TWINS]
)
def test_application_shapes(lint, clean, twin, expected):
    clean_findings = lint(clean, select=SELECT)
    assert clean_findings == [], [f"{f.line}: {f.message}" for f in clean_findings]
    findings = lint(twin, select=SELECT)
    assert [dict(f.data)["hyperparameters"] for f in findings] == expected, [f.message for f in findings]

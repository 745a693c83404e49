"""Known ML APIs, as data: the one place detectors look names up.

Qualified names are matched after import-alias resolution
(``mldebtlint.syntax.names.ImportResolver``). Each table can be extended from
config through the option of the rule that reads it.

Hyperparameter APIs are matched by *library root and leaf name*
(``sklearn`` + ``RandomForestClassifier`` matches any
``sklearn.<submodule>.RandomForestClassifier``), because libraries move
classes between submodules and re-export them at several paths.
"""

from __future__ import annotations

from dataclasses import dataclass

# ML frameworks whose presence marks a file/manifest as ML code
# (import roots, lower-case).
ML_IMPORT_ROOTS = frozenset(
    {
        "torch",
        "tensorflow",
        "keras",
        "jax",
        "flax",
        "optax",
        "haiku",
        "sklearn",
        "xgboost",
        "lightgbm",
        "catboost",
        "transformers",
        "lightning",
        "pytorch_lightning",
        "onnxruntime",
        "onnx",
        "mlflow",
        "datasets",
        "accelerate",
        "peft",
        "trl",
        "timm",
        "fastai",
        "statsmodels",
        "prophet",
        "sentence_transformers",
        "torchvision",
        "torchaudio",
        "joblib",
        "pandas",
        "numpy",
        "scipy",
    }
)

# Base classes whose subclasses are "models" (fully qualified).
MODEL_BASE_CLASSES = frozenset(
    {
        "torch.nn.Module",
        "torch.nn.modules.module.Module",
        "tensorflow.keras.Model",
        "tensorflow.keras.models.Model",
        "tensorflow.keras.layers.Layer",
        "tf_keras.Model",
        "keras.Model",
        "keras.models.Model",
        "keras.layers.Layer",
        "sklearn.base.BaseEstimator",
        "sklearn.base.ClassifierMixin",
        "sklearn.base.RegressorMixin",
        "sklearn.base.TransformerMixin",
        "lightning.LightningModule",
        "lightning.pytorch.LightningModule",
        "pytorch_lightning.LightningModule",
        "pytorch_lightning.core.LightningModule",
        "transformers.PreTrainedModel",
        "transformers.modeling_utils.PreTrainedModel",
        "transformers.TFPreTrainedModel",
        "flax.linen.Module",
        "haiku.Module",
        "equinox.Module",
    }
)

# Local spellings seen after ``from torch import nn`` etc.; matched against the
# resolved name's last two components when the import cannot be resolved.
MODEL_BASE_SUFFIXES = frozenset(
    {
        "nn.Module",
        "keras.Model",
        "layers.Layer",
        "LightningModule",
        "PreTrainedModel",
        "BaseEstimator",
        "linen.Module",
    }
)


# -- hyperparameter APIs (MLD102) ---------------------------------------------


@dataclass(frozen=True)
class HyperparameterAPI:
    """The hyperparameters of one callable.

    ``keywords``: keyword arguments that are hyperparameters.
    ``positions``: (index, name) for hyperparameters commonly passed
    positionally, e.g. ``torch.optim.SGD(params, 0.01)`` -> (1, "lr").
    ``params_dict``: index of a ``params`` dict argument whose literal
    entries are hyperparameters (``xgboost.train({"max_depth": 6}, ...)``).
    """

    keywords: frozenset[str]
    positions: tuple[tuple[int, str], ...] = ()
    params_dict: int | None = None


def parse_api_spec(spec: str, params_dict: int | None = None) -> HyperparameterAPI:
    """``"lr@1 momentum weight_decay"`` -> keywords, ``lr`` also at position 1."""
    keywords: set[str] = set()
    positions: list[tuple[int, str]] = []
    for token in spec.replace(",", " ").split():
        name, _, index = token.partition("@")
        keywords.add(name)
        if index.isdigit():
            positions.append((int(index), name))
    return HyperparameterAPI(frozenset(keywords), tuple(sorted(positions)), params_dict)


# Keyword arguments that are never reported: reproducibility and runtime
# knobs, not model hyperparameters.
NEVER_HYPERPARAMETERS = frozenset(
    {
        "random_state",
        "seed",
        "random_seed",
        "data_seed",
        "n_jobs",
        "nthread",
        "num_threads",
        "thread_count",
        "verbose",
        "verbosity",
        "num_workers",
        "device",
    }
)

# Literal values that mean "off", "identity" or "unbounded" rather than a
# tuned setting: ``weight_decay=0``, ``max_steps=-1``, ``patience=10**9``,
# ``ConstantLR(factor=1.0)``, ``DataLoader(batch_size=1)`` (one item at a time).
SENTINEL_NUMBERS = frozenset({0, -1})
UNBOUNDED_AT_LEAST = 10**6
# A call holding one of these is a deliberately disabled object (a "dummy"
# ``ReduceLROnPlateau(patience=10**9, ...)``, ``ConstantLR(factor=1.0)``):
# none of its literals is reported.
DISABLING_VALUES: dict[str, frozenset[float]] = {"factor": frozenset({1})}
NEUTRAL_VALUES: dict[str, frozenset[float]] = {
    "batch_size": frozenset({1}),
    "factor": frozenset({1}),
    "start_factor": frozenset({1}),
    "end_factor": frozenset({1}),
    "gamma": frozenset({1}),
    # 2-D / 3-D projections are plot dimensions, not tuned values.
    "n_components": frozenset({2, 3}),
    # One pass: a smoke run or a warm-up, not a tuned schedule.
    "epochs": frozenset({1}),
    "max_epochs": frozenset({1}),
    "num_epochs": frozenset({1}),
    "n_epochs": frozenset({1}),
    # The optimizers' own defaults (torch ``eps``, keras ``epsilon``),
    # spelled out: no tuning decision is hidden in them.
    "eps": frozenset({1e-8}),
    "epsilon": frozenset({1e-7}),
    "beta_1": frozenset({0.9}),
    "beta_2": frozenset({0.999}),  # keras
    "b1": frozenset({0.9}),
    "b2": frozenset({0.999}),  # optax
    "adam_beta1": frozenset({0.9}),
    "adam_beta2": frozenset({0.999}),  # transformers
    "adam_epsilon": frozenset({1e-8}),
}
# Tuple-valued defaults spelled out, e.g. Adam's ``betas=(0.9, 0.999)``.
NEUTRAL_TUPLES: dict[str, frozenset[tuple[float, ...]]] = {
    "betas": frozenset({(0.9, 0.999)}),
}

_TORCH_OPTIM = "momentum weight_decay betas eps alpha rho lr_decay dampening"
_SKLEARN = (
    "n_estimators max_depth min_samples_split min_samples_leaf max_features max_leaf_nodes "
    "min_weight_fraction_leaf min_impurity_decrease ccp_alpha max_samples C alpha l1_ratio "
    "gamma coef0 degree nu epsilon learning_rate learning_rate_init eta0 power_t subsample "
    "n_neighbors n_components n_clusters hidden_layer_sizes max_iter tol momentum beta_1 "
    "beta_2 batch_size validation_fraction n_iter_no_change max_bins l2_regularization "
    "min_samples eps perplexity contamination leaf_size max_df min_df ngram_range "
    "shrinkage var_smoothing n_init"
)
_GBM = (
    "n_estimators max_depth learning_rate eta subsample colsample_bytree colsample_bylevel "
    "colsample_bynode min_child_weight gamma reg_alpha reg_lambda alpha lambda num_leaves "
    "min_child_samples min_split_gain subsample_freq max_bin scale_pos_weight "
    "max_delta_step iterations depth l2_leaf_reg border_count bagging_temperature "
    "num_boost_round early_stopping_rounds min_data_in_leaf feature_fraction "
    "bagging_fraction bagging_freq lambda_l1 lambda_l2 num_iterations"
)
_HF_TRAINING_ARGS = (
    "learning_rate num_train_epochs max_steps per_device_train_batch_size "
    "gradient_accumulation_steps weight_decay warmup_steps "
    "warmup_ratio adam_beta1 adam_beta2 adam_epsilon max_grad_norm label_smoothing_factor "
    "train_batch_size"
)
_LIGHTNING_TRAINER = "max_epochs min_epochs max_steps min_steps accumulate_grad_batches gradient_clip_val"
# ``lr`` is Keras' legacy spelling of ``learning_rate`` (accepted until Keras 2.11, still in tutorials).
_KERAS_OPTIM = "learning_rate@0 lr momentum beta_1 beta_2 epsilon rho weight_decay clipnorm clipvalue"
_OPTAX_OPTIM = "learning_rate@0 momentum b1 b2 eps weight_decay decay"

# sklearn estimators whose first parameter is a hyperparameter that is not
# keyword-only (most later parameters are keyword-only since sklearn 1.0).
_SKLEARN_FIRST_POSITIONAL = (
    (
        "RandomForestClassifier RandomForestRegressor ExtraTreesClassifier ExtraTreesRegressor "
        "RandomTreesEmbedding IsolationForest",
        "n_estimators",
    ),
    ("KMeans MiniBatchKMeans SpectralClustering AgglomerativeClustering", "n_clusters"),
    ("PCA TruncatedSVD NMF FastICA KernelPCA IncrementalPCA TSNE", "n_components"),
    ("KNeighborsClassifier KNeighborsRegressor NearestNeighbors", "n_neighbors"),
    ("Ridge Lasso ElasticNet RidgeClassifier", "alpha"),
)

# Root group -> leaf name -> spec. ``*`` is the spec for any capitalised leaf
# (every estimator class of the library).
_API_SPECS: dict[str, dict[str, str]] = {
    "torch": {
        "SGD": "lr@1 momentum@2 dampening@3 weight_decay@4",
        "Adam": "lr@1 betas@2 eps@3 weight_decay@4",
        "AdamW": "lr@1 betas@2 eps@3 weight_decay@4",
        **{
            name: "lr@1 " + _TORCH_OPTIM
            for name in (
                "RMSprop",
                "Adagrad",
                "Adadelta",
                "Adamax",
                "NAdam",
                "RAdam",
                "ASGD",
                "Rprop",
                "SparseAdam",
                "LBFGS",
            )
        },
        "StepLR": "step_size@1 gamma@2",
        "MultiStepLR": "milestones@1 gamma@2",
        "ExponentialLR": "gamma@1",
        "CosineAnnealingLR": "T_max@1 eta_min@2",
        "CosineAnnealingWarmRestarts": "T_0@1 T_mult@2 eta_min@3",
        "ReduceLROnPlateau": "factor patience threshold cooldown min_lr",
        "OneCycleLR": "max_lr@1 total_steps@2 epochs@3 steps_per_epoch@4 pct_start div_factor",
        "CyclicLR": "base_lr@1 max_lr@2 step_size_up@3 step_size_down",
        "LinearLR": "start_factor@1 end_factor@2 total_iters@3",
        "PolynomialLR": "total_iters@1 power@2",
        "ConstantLR": "factor@1 total_iters@2",
        "DataLoader": "batch_size@1",
        "clip_grad_norm_": "max_norm@1",
    },
    "keras": {
        **{
            name: _KERAS_OPTIM
            for name in (
                "Adam",
                "AdamW",
                "SGD",
                "RMSprop",
                "Adagrad",
                "Adadelta",
                "Adamax",
                "Nadam",
                "Ftrl",
                "Lion",
                "Adafactor",
            )
        },
        "ExponentialDecay": "initial_learning_rate@0 decay_steps@1 decay_rate@2",
        "CosineDecay": "initial_learning_rate@0 decay_steps@1 alpha@2 warmup_steps",
        "CosineDecayRestarts": "initial_learning_rate@0 first_decay_steps@1",
        "PolynomialDecay": "initial_learning_rate@0 decay_steps@1 end_learning_rate@2",
        "InverseTimeDecay": "initial_learning_rate@0 decay_steps@1 decay_rate@2",
        "PiecewiseConstantDecay": "boundaries@0 values@1",
        "EarlyStopping": "patience min_delta",
        "ReduceLROnPlateau": "factor patience min_delta cooldown min_lr",
    },
    "optax": {
        **{
            name: _OPTAX_OPTIM
            for name in (
                "adam",
                "adamw",
                "sgd",
                "rmsprop",
                "adagrad",
                "adafactor",
                "lamb",
                "lars",
                "lion",
                "nadam",
                "radam",
                "adabelief",
                "novograd",
                "yogi",
                "adamax",
            )
        },
        "exponential_decay": "init_value@0 transition_steps@1 decay_rate@2",
        "cosine_decay_schedule": "init_value@0 decay_steps@1 alpha@2",
        "warmup_cosine_decay_schedule": ("init_value@0 peak_value@1 warmup_steps@2 decay_steps@3 end_value@4"),
        "linear_schedule": "init_value@0 end_value@1 transition_steps@2",
        "piecewise_constant_schedule": "init_value@0 boundaries_and_scales@1",
        "clip_by_global_norm": "max_norm@0",
    },
    "sklearn": {
        "*": _SKLEARN,
        # The first parameter of these is positional-or-keyword:
        # ``RandomForestRegressor(100)`` is ``n_estimators=100``.
        **{name: f"{_SKLEARN} {first}@0" for names, first in _SKLEARN_FIRST_POSITIONAL for name in names.split()},
        # Univariate feature selection: how many features the model sees (after the score function).
        "SelectKBest": "k@1",
        "SelectPercentile": "percentile@1",
    },
    "xgboost": {
        **{
            name: _GBM
            for name in (
                "XGBClassifier",
                "XGBRegressor",
                "XGBRanker",
                "XGBRFClassifier",
                "XGBRFRegressor",
            )
        },
        "train": "num_boost_round@2 early_stopping_rounds",
        "cv": "num_boost_round@2 nfold early_stopping_rounds",
    },
    "lightgbm": {
        **{name: _GBM for name in ("LGBMClassifier", "LGBMRegressor", "LGBMRanker", "LGBMModel")},
        "train": "num_boost_round@2",
        "cv": "num_boost_round@2 nfold",
        "early_stopping": "stopping_rounds@0",
    },
    "catboost": {name: _GBM for name in ("CatBoostClassifier", "CatBoostRegressor", "CatBoostRanker", "CatBoost")},
    "transformers": {
        "TrainingArguments": _HF_TRAINING_ARGS,
        "Seq2SeqTrainingArguments": _HF_TRAINING_ARGS,
        "TFTrainingArguments": _HF_TRAINING_ARGS,
        "AdamW": "lr@1 betas@2 eps@3 weight_decay@4",
        "Adafactor": "lr@1 eps@2 clip_threshold@3 decay_rate@4 beta1@5 weight_decay@6",
        "get_linear_schedule_with_warmup": "num_warmup_steps@1 num_training_steps@2",
        "get_cosine_schedule_with_warmup": "num_warmup_steps@1 num_training_steps@2 num_cycles@3",
        "get_constant_schedule_with_warmup": "num_warmup_steps@1",
        "get_polynomial_decay_schedule_with_warmup": ("num_warmup_steps@1 num_training_steps@2 lr_end@3 power@4"),
        "get_scheduler": "num_warmup_steps@2 num_training_steps@3",
        "EarlyStoppingCallback": "early_stopping_patience@0 early_stopping_threshold@1",
    },
    "lightning": {
        "Trainer": _LIGHTNING_TRAINER,
        "EarlyStopping": "patience min_delta",
        "StochasticWeightAveraging": "swa_lrs@0 swa_epoch_start@1 annealing_epochs@2",
    },
    "sentence_transformers": {
        "SentenceTransformerTrainingArguments": _HF_TRAINING_ARGS,
        "CrossEncoderTrainingArguments": _HF_TRAINING_ARGS,
    },
}

# Import roots -> root group of _API_SPECS.
API_ROOT_GROUPS: dict[str, str] = {
    "torch": "torch",
    "tensorflow": "keras",
    "keras": "keras",
    "tf_keras": "keras",
    "optax": "optax",
    "sklearn": "sklearn",
    "xgboost": "xgboost",
    "lightgbm": "lightgbm",
    "catboost": "catboost",
    "transformers": "transformers",
    "lightning": "lightning",
    "pytorch_lightning": "lightning",
    "sentence_transformers": "sentence_transformers",
}

HYPERPARAMETER_APIS: dict[str, dict[str, HyperparameterAPI]] = {
    group: {
        leaf: parse_api_spec(spec, params_dict=0 if leaf in ("train", "cv") else None) for leaf, spec in leaves.items()
    }
    for group, leaves in _API_SPECS.items()
}

# Training methods on any receiver (keras ``model.fit``, xgboost/catboost
# ``fit``, sentence-transformers' ``fit``), in files importing an ML library.
HYPERPARAMETER_METHODS: dict[str, HyperparameterAPI] = {
    "fit": parse_api_spec("epochs batch_size steps_per_epoch early_stopping_rounds warmup_steps num_boost_round"),
    "compile": parse_api_spec("loss_weights"),
    # fastai's Learner: the epoch count is the first argument, the peak learning rate
    # the second (``lr_max`` in fastai 2, ``max_lr`` in fastai 1); ``wd`` is weight decay.
    "fit_one_cycle": parse_api_spec("n_epoch@0 lr_max@1 max_lr lr div div_factor pct_start wd"),
    "fit_flat_cos": parse_api_spec("n_epoch@0 lr@1 div_final pct_start wd"),
    "fine_tune": parse_api_spec("epochs@0 base_lr@1 freeze_epochs lr_mult pct_start div wd"),
}

# Any other call (``TemporalFusionTransformer.from_dataset(...)``, ``PPO(...)``,
# ``learn.fit_one_cycle(...)``, a project's own ``train(...)``) in a file
# importing an ML library: only these unambiguous keywords count. Layer
# settings (``momentum`` of batch norm, ``dropout``) and ``batch_size`` of data
# utilities are left out on purpose.
GENERIC_HYPERPARAMETER_KEYWORDS = frozenset(
    {
        "lr",
        "learning_rate",
        "lr0",
        "initial_learning_rate",
        "base_lr",
        "max_lr",
        "weight_decay",
        "epochs",
        "max_epochs",
        "num_epochs",
        "n_epochs",
        "num_train_epochs",
        "n_estimators",
        "num_boost_round",
    }
)
# Callees of the generic match that define configuration rather than use it.
GENERIC_CONFIG_CALLEES = frozenset(
    {
        "dict",
        "Namespace",
        "SimpleNamespace",
        "set_defaults",
        "update",
        "create",
        "replace",
        "log_hyperparams",
        "log_params",
        "log_param",
        "save_hyperparameters",
        "__init__",
        "format",
    }
)
# Library defaults written out: ``RandomForestClassifier(n_estimators=100)``
# hides no tuning decision. Callee leaf name -> keyword -> default value.
_TREE_ENSEMBLES = (
    "RandomForestClassifier RandomForestRegressor ExtraTreesClassifier ExtraTreesRegressor IsolationForest"
)
_GRADIENT_BOOSTING = "GradientBoostingClassifier GradientBoostingRegressor"
_LIGHTGBM = "LGBMClassifier LGBMRegressor LGBMRanker LGBMModel"
_XGBOOST = "XGBClassifier XGBRegressor XGBRanker"
LIBRARY_DEFAULTS: dict[str, dict[str, float]] = {
    **{name: {"n_estimators": 100} for name in _TREE_ENSEMBLES.split()},
    **{name: {"n_estimators": 100, "learning_rate": 0.1, "max_depth": 3} for name in _GRADIENT_BOOSTING.split()},
    **{name: {"n_estimators": 100, "learning_rate": 0.1, "num_leaves": 31} for name in _LIGHTGBM.split()},
    **{name: {"n_estimators": 100, "max_depth": 6} for name in _XGBOOST.split()},
    **{name: {"C": 1.0} for name in ("LogisticRegression", "SVC", "SVR", "LinearSVC", "LinearSVR")},
    **{name: {"alpha": 1.0} for name in ("Ridge", "Lasso", "RidgeClassifier", "MultinomialNB", "BernoulliNB")},
    **{name: {"n_neighbors": 5} for name in ("KNeighborsClassifier", "KNeighborsRegressor", "NearestNeighbors")},
    "KMeans": {"n_clusters": 8},
    "SelectKBest": {"k": 10},
    "SelectPercentile": {"percentile": 10},
    "Adam": {"lr": 0.001, "learning_rate": 0.001},
    # torch's AdamW decays by 0.01 unless told otherwise (Keras' default is 0.004: a Keras
    # ``weight_decay=0.01`` is taken as the conventional value too, precision before recall).
    "AdamW": {"lr": 0.001, "learning_rate": 0.001, "weight_decay": 0.01},
    # fastai's one-cycle and fine-tuning schedules written out with their defaults.
    "fit_one_cycle": {"div": 25.0, "pct_start": 0.25},
    "fit_flat_cos": {"pct_start": 0.75},
    "fine_tune": {"base_lr": 0.002, "freeze_epochs": 1, "lr_mult": 100, "pct_start": 0.3, "div": 5.0},
    "Nadam": {"learning_rate": 0.001},
    "RMSprop": {"lr": 0.01, "learning_rate": 0.001},
}
# ``max_iter`` of a solver is a convergence cap, not a tuned value, except for
# the estimators whose iterations are training epochs.
CONVERGENCE_CAPS = frozenset({"max_iter"})
EPOCH_ITERATIONS = frozenset(
    {"MLPClassifier", "MLPRegressor", "SGDClassifier", "SGDRegressor", "Perceptron", "PassiveAggressiveClassifier"}
)
# Round counts that are only upper bounds when the same call stops early.
EARLY_STOPPED_ROUNDS = frozenset({"num_boost_round", "n_estimators", "iterations", "num_iterations", "epochs"})
EARLY_STOPPING_KEYWORDS = frozenset({"early_stopping_rounds", "early_stopping", "early_stopping_round", "od_wait"})
# A loader or call for evaluation/inference: its batch size does not change the model.
EVALUATION_WORDS = frozenset(
    {"test", "val", "valid", "validation", "eval", "evaluation", "inference", "infer", "predict", "prediction", "serve"}
)
BATCH_SIZE_KEYWORDS = frozenset({"batch_size", "eval_batch_size", "per_device_eval_batch_size"})

# Callees outside the known tables: classes imported from a third-party
# package (``implicit`` ``AlternatingLeastSquares``, scikit-surprise ``SVD``)
# take these keywords as hyperparameters too.
LIBRARY_HYPERPARAMETER_KEYWORDS = frozenset(
    {
        "factors",
        "n_factors",
        "latent_factors",
        "regularization",
        "reg_all",
        "lr_all",
        "iterations",
        "num_iterations",
        "n_iterations",
        "hidden_size",
        "hidden_dim",
        "embedding_dim",
        "num_layers",
        "n_layers",
        "max_depth",
        "num_leaves",
        "l2_reg",
    }
)
# A function defined in the same module or notebook whose parameter has one of
# these names takes a hyperparameter there: a literal passed to it, by keyword or
# by position, is one (``def train(n_estimators, max_depth)`` then ``train(300, 5)``).
# Ambiguous names (``alpha`` of a plot, ``batch_size`` of a reader) are left out.
OWN_FUNCTION_HYPERPARAMETERS = (
    GENERIC_HYPERPARAMETER_KEYWORDS
    | LIBRARY_HYPERPARAMETER_KEYWORDS
    | frozenset(
        {
            "min_child_weight",
            "min_child_samples",
            "subsample",
            "colsample_bytree",
            "reg_alpha",
            "reg_lambda",
            "l2_leaf_reg",
            "min_samples_split",
            "min_samples_leaf",
            "max_leaf_nodes",
            "n_neighbors",
            "n_clusters",
            "hidden_layer_sizes",
            "early_stopping_rounds",
            "num_rounds",
            "dropout",
            "dropout_rate",
            "dropout_p",
        }
    )
)
# ... and classes named as models, estimators or agents (the repo's own
# ``LinUCBBandit(alpha=1.0)``) these as well.
MODEL_HYPERPARAMETER_KEYWORDS = frozenset({"alpha", "epsilon", "gamma", "dropout", "temperature", "beta", "tau"})
MODEL_CLASS_WORDS = frozenset(
    {
        "model",
        "estimator",
        "agent",
        "bandit",
        "ucb",
        "classifier",
        "regressor",
        "recommender",
        "ranker",
        "learner",
        "forest",
        "boost",
        "booster",
        "factorization",
        "net",
        "network",
        "policy",
    }
)
# Import roots whose classes are never models (plots, UIs, web, stdlib-like helpers).
NON_MODEL_ROOTS = frozenset(
    {
        "matplotlib",
        "seaborn",
        "plotly",
        "bokeh",
        "altair",
        "streamlit",
        "gradio",
        "dash",
        "PIL",
        "cv2",
        "fastapi",
        "flask",
        "pydantic",
        "starlette",
        "sqlalchemy",
        "requests",
        "httpx",
        "rich",
        "tqdm",
        "click",
        "typer",
        "argparse",
        "omegaconf",
        "hydra",
        "dataclasses",
        "wandb",
        "mlflow",
        "optuna",
        "ray",
        "tensorboard",
        "logging",
    }
)

# Keys of a ``params`` dict literal that are hyperparameters (xgboost/lightgbm).
PARAMS_DICT_KEYS = frozenset(
    parse_api_spec(_GBM).keywords
    | {
        "max_leaves",
        "min_sum_hessian_in_leaf",
        "num_round",
        "num_rounds",
        "lr",
    }
)


def lookup_hyperparameter_api(qualified: str | None) -> HyperparameterAPI | None:
    """The hyperparameter API of a resolved call name, matched by root + leaf."""
    if not qualified or qualified.startswith("."):
        return None
    root, _, rest = qualified.partition(".")
    group = API_ROOT_GROUPS.get(root)
    if group is None or not rest:
        return None
    leaf = rest.rsplit(".", 1)[-1]
    apis = HYPERPARAMETER_APIS[group]
    api = apis.get(leaf)
    if api is None and "*" in apis and leaf[:1].isupper():
        api = apis["*"]
    return api


# -- representation conversions (MLD201) --------------------------------------

# Representation "libraries" a conversion touches. ``python`` (lists, dicts)
# is a representation but does not count as a library for MLD201.
PYTHON = "python"

# Conversion functions, by qualified name -> libraries touched.
CONVERSION_FUNCTIONS: dict[str, tuple[str, ...]] = {
    "numpy.array": ("numpy",),
    "numpy.asarray": ("numpy",),
    "numpy.asanyarray": ("numpy",),
    "numpy.fromiter": ("numpy",),
    "torch.tensor": ("torch",),
    "torch.as_tensor": ("torch",),
    "torch.from_numpy": ("torch", "numpy"),
    "torch.Tensor": ("torch",),
    "torch.FloatTensor": ("torch",),
    "torch.LongTensor": ("torch",),
    "tensorflow.convert_to_tensor": ("tensorflow",),
    "tensorflow.constant": ("tensorflow",),
    "tensorflow.data.Dataset.from_tensor_slices": ("tensorflow",),
    "jax.numpy.array": ("jax",),
    "jax.numpy.asarray": ("jax",),
    "jax.device_put": ("jax",),
    "jax.device_get": ("jax", "numpy"),
    "pandas.DataFrame": ("pandas",),
    "pandas.Series": ("pandas",),
    "pandas.DataFrame.from_dict": ("pandas",),
    "pandas.DataFrame.from_records": ("pandas",),
    "json.loads": ("json",),
    "json.dumps": ("json",),
    "flask.jsonify": ("json",),
    "pandas.read_json": ("pandas", "json"),
    "PIL.Image.fromarray": ("pil", "numpy"),
    "torchvision.transforms.functional.to_tensor": ("torch", "pil"),
    "torchvision.transforms.functional.to_pil_image": ("pil", "torch"),
    "polars.from_pandas": ("polars", "pandas"),
    "polars.DataFrame": ("polars",),
    "pyarrow.Table.from_pandas": ("pyarrow", "pandas"),
    "tensorflow.make_ndarray": ("tensorflow", "numpy"),
}


@dataclass(frozen=True)
class ConversionMethod:
    """A conversion spelled as a method/attribute on an untyped receiver.

    It counts only when the file imports one of ``requires`` (``.values`` is
    pandas only in a file that imports pandas). ``link`` methods (``.cpu()``,
    ``.detach()``) are not conversions alone; they join a chain.
    """

    libraries: tuple[str, ...]
    requires: tuple[str, ...]
    link: bool = False


CONVERSION_METHODS: dict[str, ConversionMethod] = {
    "to_numpy": ConversionMethod(("pandas", "numpy"), ("pandas",)),
    "to_dict": ConversionMethod(("pandas", PYTHON), ("pandas",)),
    "to_list": ConversionMethod(("pandas", PYTHON), ("pandas",)),
    "to_records": ConversionMethod(("pandas", "numpy"), ("pandas",)),
    "to_json": ConversionMethod(("pandas", "json"), ("pandas",)),
    # datasets / polars / pyarrow tables to pandas.
    "to_pandas": ConversionMethod(("pandas",), ("polars", "pyarrow", "datasets")),
    "tolist": ConversionMethod((PYTHON,), ("numpy", "pandas", "torch")),
    # A web request's JSON body.
    "get_json": ConversionMethod(("json",), ("flask",)),
    "numpy": ConversionMethod(("numpy",), ("torch", "tensorflow")),
    "cpu": ConversionMethod(("torch",), ("torch",), link=True),
    "detach": ConversionMethod(("torch",), ("torch",), link=True),
}

# Attribute access (no call) that converts: pandas ``df.values``.
CONVERSION_ATTRIBUTES: dict[str, ConversionMethod] = {
    "values": ConversionMethod(("pandas", "numpy"), ("pandas",)),
}

# ``x.max(dim=1).values`` / ``torch.topk(...).values`` are torch named
# tuples, not pandas: receivers that are calls of these are ignored.
NAMED_TUPLE_METHODS = frozenset(
    {
        "max",
        "min",
        "topk",
        "sort",
        "median",
        "mode",
        "kthvalue",
        "cummax",
        "cummin",
        "unique",
        "aminmax",
        "svd",
        "eig",
        "eigh",
        "qr",
        "lstsq",
    }
)

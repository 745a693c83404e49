"""Known APIs of the data, reproducibility and testing rules (MLD104, MLD501,
MLD601, MLD701, MLD702), as data.

Names are fully qualified after import resolution (``np.random.rand`` ->
``numpy.random.rand``); where a library is reached through many aliases or
re-exports the tables hold the last name components instead (``*_SUFFIXES``,
``*_NAMES``) and are matched against the resolved name's tail.
"""

from __future__ import annotations

# -- MLD104 hardcoded-path ------------------------------------------------------

# Bucket schemes and machine-specific roots are the rule's options (rules/hardcoded-path.toml).
# System locations a program reads for itself, never data or models.
SYSTEM_ROOTS = ("/dev/", "/proc/", "/sys/", "/etc/", "/usr/", "/bin/", "/sbin/", "/lib/", "/var/run/", "/run/")
# Endings of paths that locate code or configuration, not data or models.
CODE_OR_CONFIG_SUFFIXES = (
    ".py",
    ".pyc",
    ".sh",
    ".ipynb",
    ".yaml",
    ".yml",
    ".toml",
    ".ini",
    ".cfg",
    ".conf",
    ".env",
    ".so",
    ".dll",
    ".exe",
    ".log",
)
# Endings of data and model files: another absolute path (``/tmp/x.csv``)
# with one of these is a data/model location too.
DATA_FILE_SUFFIXES = (
    ".csv",
    ".tsv",
    ".parquet",
    ".feather",
    ".json",
    ".jsonl",
    ".pkl",
    ".pickle",
    ".joblib",
    ".pt",
    ".pth",
    ".ckpt",
    ".h5",
    ".hdf5",
    ".keras",
    ".onnx",
    ".bin",
    ".safetensors",
    ".npy",
    ".npz",
    ".db",
    ".sqlite",
    ".xlsx",
    ".txt",
    ".zip",
    ".tar.gz",
    ".model",
    ".pb",
    ".tflite",
    ".arrow",
    ".avro",
    ".orc",
)
# Folder names that locate code or configuration (``/app/config``, ``/opt/project/src``).
CODE_OR_CONFIG_DIRS = frozenset({"config", "configs", "conf", "src", "bin", "scripts", "lib", "site-packages"})
# Words in a callee's name that show it reads or writes its path argument.
PATH_USE_CALL_WORDS = ("read", "load", "open", "save", "write", "dump", "to_", "connect")
# Words naming an environment a program sets for another (``ENV_VARS``, ``environment=``).
ENVIRONMENT_WORDS = frozenset({"env", "environ", "environment", "envs"})
# Calls whose string arguments locate code, not data: ``sys.path.append``.
CODE_PATH_CALLS = frozenset(
    {
        "sys.path.append",
        "sys.path.insert",
        "sys.path.extend",
        "site.addsitedir",
        "os.chdir",
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.Popen",
        "os.system",
    }
)
# Calls whose ``default=`` (or second positional) argument is a default the
# user overrides: environment variables, CLI options, settings fields.
OVERRIDABLE_DEFAULT_CALLS = frozenset(
    {
        "add_argument",
        "option",
        "Option",
        "argument",
        "Argument",
        "Field",
        "field",
        "getenv",
        "get",
        "setdefault",
        "DEFINE_string",
        "env",
        "str",
    }
)
# Base-class name endings of settings classes whose fields environment variables override.
SETTINGS_BASE_SUFFIXES = ("Settings", "BaseSettings", "Config", "Configuration")
# Class-name endings of config objects (their field defaults are overridable too).
CONFIG_CLASS_SUFFIXES = ("Config", "Settings", "Configuration", "Params", "Arguments", "Args", "Options")

# -- MLD501 data-leakage --------------------------------------------------------

# Stateful preprocessors whose fit learns statistics of the rows (last name).
LEAKY_PREPROCESSORS = frozenset(
    {
        # scalers and transformers
        "StandardScaler",
        "MinMaxScaler",
        "RobustScaler",
        "MaxAbsScaler",
        "QuantileTransformer",
        "PowerTransformer",
        "KBinsDiscretizer",
        "SplineTransformer",
        # imputers
        "SimpleImputer",
        "KNNImputer",
        "IterativeImputer",
        "MissingIndicator",
        # decompositions
        "PCA",
        "IncrementalPCA",
        "KernelPCA",
        "TruncatedSVD",
        "FastICA",
        "FactorAnalysis",
        "NMF",
        "UMAP",
        # feature selection
        "SelectKBest",
        "SelectPercentile",
        "SelectFpr",
        "SelectFdr",
        "SelectFwe",
        "GenericUnivariateSelect",
        "VarianceThreshold",
        "RFE",
        "RFECV",
        "SelectFromModel",
        "SequentialFeatureSelector",
        # text statistics
        "TfidfVectorizer",
        "TfidfTransformer",
        # target and frequency encoders
        "TargetEncoder",
        "CountEncoder",
        "CatBoostEncoder",
        "WOEEncoder",
        "JamesSteinEncoder",
        "LeaveOneOutEncoder",
        "MEstimateEncoder",
        "GLMMEncoder",
        "QuantileEncoder",
    }
)
# Resamplers: oversampling or undersampling before the split puts copies of
# (or neighbours built from) one row on both sides.
RESAMPLERS = frozenset(
    {
        "SMOTE",
        "SMOTENC",
        "SMOTEN",
        "ADASYN",
        "BorderlineSMOTE",
        "SVMSMOTE",
        "KMeansSMOTE",
        "RandomOverSampler",
        "RandomUnderSampler",
        "NearMiss",
        "SMOTEENN",
        "SMOTETomek",
        "ClusterCentroids",
        "TomekLinks",
        "EditedNearestNeighbours",
    }
)
# Containers that fit their steps together; a fit_transform of one that holds a
# leaky step, outside cross-validation, leaks like the step itself.
PREPROCESSING_CONTAINERS = frozenset(
    {"Pipeline", "make_pipeline", "ColumnTransformer", "make_column_transformer", "FeatureUnion", "make_union"}
)
FIT_CALLS = frozenset({"fit", "fit_transform", "fit_resample"})
# Splits and cross-validation that evaluate on held-out rows (last name).
SPLIT_FUNCTIONS = frozenset({"train_test_split"})
CROSS_VALIDATION_FUNCTIONS = frozenset(
    {
        "cross_val_score",
        "cross_validate",
        "cross_val_predict",
        "learning_curve",
        "validation_curve",
        "permutation_test_score",
    }
)
# Searches and splitters whose ``.fit(X)`` / ``.split(X)`` cross-validate on X.
CV_SEARCHES = frozenset({"GridSearchCV", "RandomizedSearchCV", "HalvingGridSearchCV", "HalvingRandomSearchCV"})
SPLITTERS = frozenset(
    {
        "KFold",
        "StratifiedKFold",
        "GroupKFold",
        "RepeatedKFold",
        "RepeatedStratifiedKFold",
        "StratifiedGroupKFold",
        "ShuffleSplit",
        "StratifiedShuffleSplit",
        "GroupShuffleSplit",
        "TimeSeriesSplit",
        "LeaveOneOut",
        "MultilabelStratifiedKFold",
    }
)
# pandas statistics that, filled back into the same frame, carry every row.
FILL_STATISTICS = frozenset({"mean", "median", "mode", "std", "quantile"})
# Words marking a variable as held-out data (``X_test``, ``val_df``).
HELD_OUT_WORDS = frozenset({"test", "val", "valid", "validation", "holdout", "tst"})

# Third-party roots whose functions are never the repo's own helpers (besides the
# ML frameworks and the standard library).
LIBRARY_ROOTS = frozenset(
    {
        "sklearn",
        "pandas",
        "numpy",
        "scipy",
        "imblearn",
        "category_encoders",
        "polars",
        "torch",
        "tensorflow",
        "keras",
        "xgboost",
        "lightgbm",
        "catboost",
        "statsmodels",
        "matplotlib",
        "seaborn",
        "joblib",
        "mlflow",
        "transformers",
        "datasets",
        "pyarrow",
        "umap",
        "optuna",
        "hyperopt",
        "wandb",
    }
)
# Words of a call's last name that make a file worth the leakage analysis.
LEAKAGE_TRIGGER_WORDS = ("fit", "fillna", "split", "cross_val", "search", "sample")

# -- MLD601 uncontrolled-randomness -------------------------------------------

# Generators: "python" (random), "numpy" (legacy global; sklearn, surprise and
# implicit draw from it when random_state is None), "torch", "tensorflow".
PYTHON, NUMPY, TORCH, TENSORFLOW = "python", "numpy", "torch", "tensorflow"
ALL_GENERATORS = frozenset({PYTHON, NUMPY, TORCH, TENSORFLOW})

# Seeding calls: qualified name -> generators seeded.
SEEDING_CALLS: dict[str, frozenset[str]] = {
    "random.seed": frozenset({PYTHON}),
    "numpy.random.seed": frozenset({NUMPY}),
    "torch.manual_seed": frozenset({TORCH}),
    "torch.cuda.manual_seed": frozenset({TORCH}),
    "torch.cuda.manual_seed_all": frozenset({TORCH}),
    "torch.random.manual_seed": frozenset({TORCH}),
    "tensorflow.random.set_seed": frozenset({TENSORFLOW}),
    "tensorflow.set_random_seed": frozenset({TENSORFLOW}),
    "tensorflow.compat.v1.set_random_seed": frozenset({TENSORFLOW}),
    "tensorflow.keras.utils.set_random_seed": frozenset({PYTHON, NUMPY, TENSORFLOW}),
    "keras.utils.set_random_seed": frozenset({PYTHON, NUMPY, TENSORFLOW}),
}
# Helpers that seed every generator: ``seed_everything`` (lightning), ``set_seed``
# (transformers, accelerate) and the same names in a repo's own utilities. A
# call whose last name is one of these, or holds the word ``seed`` and is not
# a generator call, counts as seeding everything when its body is not in the file.
SEED_HELPER_WORD = "seed"

# Random operations on the global generators: qualified name -> generator.
GLOBAL_RANDOM_FUNCTIONS: dict[str, str] = {
    **{
        f"random.{name}": PYTHON
        for name in (
            "random",
            "shuffle",
            "choice",
            "choices",
            "sample",
            "randint",
            "randrange",
            "uniform",
            "gauss",
            "normalvariate",
        )
    },
    **{
        f"numpy.random.{name}": NUMPY
        for name in (
            "rand",
            "randn",
            "randint",
            "random",
            "random_sample",
            "choice",
            "shuffle",
            "permutation",
            "normal",
            "uniform",
            "binomial",
            "poisson",
            "beta",
        )
    },
    **{
        f"torch.{name}": TORCH
        for name in (
            "rand",
            "randn",
            "randint",
            "randperm",
            "rand_like",
            "randn_like",
            "normal",
            "bernoulli",
            "multinomial",
        )
    },
    **{f"tensorflow.random.{name}": TENSORFLOW for name in ("normal", "uniform", "shuffle", "categorical")},
    "sklearn.utils.shuffle": NUMPY,
    "sklearn.utils.resample": NUMPY,
}
# Calls that are random only with one keyword set (``KFold(shuffle=True)``),
# or unless it is turned off (``train_test_split(shuffle=False)``):
# last name -> (generator, keyword, random when the keyword is missing).
SHUFFLE_CONTROLLED: dict[str, tuple[str, str, bool]] = {
    "train_test_split": (NUMPY, "shuffle", True),
    "KFold": (NUMPY, "shuffle", False),
    "StratifiedKFold": (NUMPY, "shuffle", False),
    "StratifiedGroupKFold": (NUMPY, "shuffle", False),
    "DataLoader": (TORCH, "shuffle", False),
}
# Randomised estimators and splitters seeded by ``random_state=`` (last name):
# with none they draw from numpy's global generator.
RANDOM_STATE_CLASSES = frozenset(
    {
        "RandomForestClassifier",
        "RandomForestRegressor",
        "ExtraTreesClassifier",
        "ExtraTreesRegressor",
        "DecisionTreeClassifier",
        "DecisionTreeRegressor",
        "GradientBoostingClassifier",
        "GradientBoostingRegressor",
        "HistGradientBoostingClassifier",
        "HistGradientBoostingRegressor",
        "BaggingClassifier",
        "BaggingRegressor",
        "AdaBoostClassifier",
        "AdaBoostRegressor",
        "IsolationForest",
        "SGDClassifier",
        "SGDRegressor",
        "MLPClassifier",
        "MLPRegressor",
        "KMeans",
        "MiniBatchKMeans",
        "TSNE",
        "RandomizedSearchCV",
        "ShuffleSplit",
        "StratifiedShuffleSplit",
        "GroupShuffleSplit",
        "RepeatedKFold",
        "RepeatedStratifiedKFold",
        # surprise and implicit draw from numpy's global generator too
        "SVD",
        "SVDpp",
        "AlternatingLeastSquares",
        "BayesianPersonalizedRanking",
        "LogisticMatrixFactorization",
    }
)
# Their seeding keywords (a keyword set to anything but None seeds the call).
SEED_KEYWORDS = frozenset({"random_state", "seed", "random_seed", "generator", "rng", "key"})
# surprise's own train_test_split and implicit/surprise classes come from these roots.
RANDOM_STATE_ROOTS = frozenset({"sklearn", "surprise", "implicit", "imblearn"})
# Random initialisation: layer constructors (last name) under these roots.
TORCH_INIT_LAYERS = frozenset(
    {
        "Linear",
        "Conv1d",
        "Conv2d",
        "Conv3d",
        "ConvTranspose2d",
        "LSTM",
        "GRU",
        "RNN",
        "Embedding",
        "EmbeddingBag",
        "Bilinear",
        "MultiheadAttention",
        "TransformerEncoderLayer",
        "TransformerDecoderLayer",
        "Transformer",
    }
)
KERAS_INIT_LAYERS = frozenset({"Dense", "Conv1D", "Conv2D", "Conv3D", "LSTM", "GRU", "SimpleRNN", "Embedding"})
KERAS_ROOTS = ("tensorflow.keras.", "keras.", "tf_keras.")
# Unseeded generator objects: ``np.random.default_rng()`` with no seed argument
# draws its seed from OS entropy (``torch.Generator()`` starts from a fixed seed).
GENERATOR_CONSTRUCTORS: dict[str, str] = {
    "numpy.random.default_rng": NUMPY,
    "numpy.random.RandomState": NUMPY,
    "random.Random": PYTHON,
}
# Evidence that code trains: method names (receiver any) and functions.
TRAINING_METHODS = frozenset({"fit", "partial_fit", "fit_generator", "train_on_batch", "fit_predict", "backward"})
TRAINING_FUNCTIONS = frozenset({"xgboost.train", "lightgbm.train", "catboost.train", "xgboost.cv", "lightgbm.cv"})
# CLI and orchestrator decorators whose function is an entry point (last name
# of the decorator): click/typer commands, hydra.main, Airflow/Prefect/ZenML/
# Dagster tasks and flows.
CLI_DECORATORS = frozenset({"command", "main", "callback", "task", "flow", "step", "op", "asset", "pipeline"})
# Keywords that hand a function to an orchestrator as a task (Airflow's PythonOperator).
ENTRY_CALLABLE_KEYWORDS = frozenset({"python_callable"})

# -- MLD701 untested-model-code -------------------------------------------------

# CamelCase words of building-block class names: not models by themselves
# (``FocalLoss``, ``CrossLayer``, ``BatchNorm2dReimpl``, ``ChurnDataset``).
NON_MODEL_CLASS_WORDS = frozenset(
    {
        "loss",
        "layer",
        "block",
        "attention",
        "embedding",
        "embeddings",
        "norm",
        "head",
        "metric",
        "callback",
        "dataset",
        "data",
        "cell",
        "activation",
        "pooling",
        "adapter",
    }
)
# Keras layers are building blocks even though they derive a framework base.
LAYER_BASE_SUFFIXES = ("layers.Layer", "keras.layers.Layer")
# Custom feature transformers (sklearn ``TransformerMixin``) are feature code, not models.
TRANSFORMER_BASE_SUFFIXES = ("TransformerMixin",)
# Receivers whose ``fit`` fits a preprocessing step, not a model (``scaler.fit(X)``).
PREPROCESSOR_WORDS = frozenset(
    {
        "scaler",
        "encoder",
        "imputer",
        "vectorizer",
        "tokenizer",
        "pca",
        "selector",
        "transformer",
        "binarizer",
        "le",
        "ohe",
    }
)
# Load calls (last name) that show a file serves a loaded model.
MODEL_LOAD_NAMES = frozenset({"load_model", "from_pretrained", "load_from_checkpoint", "load_learner"})
# Function-name words of predict/serve code (a predict call elsewhere needs a loaded model).
PREDICTING_FUNCTION_WORDS = frozenset(
    {"predict", "prediction", "predictions", "infer", "inference", "serve", "score", "scoring", "forecast", "recommend"}
)
# Methods that show a function serves a model's predictions.
MODEL_PREDICT_METHODS = frozenset({"predict", "predict_proba", "predict_log_proba", "decision_function"})

# -- MLD702 unmonitored-prediction ----------------------------------------------

# Route decorators: last attribute of ``@app.post(...)`` / ``@bp.route(...)``.
ROUTE_DECORATOR_METHODS = frozenset({"get", "post", "put", "patch", "delete", "route", "api_route", "websocket"})
# Web frameworks whose import makes those decorators routes.
WEB_FRAMEWORK_ROOTS = frozenset(
    {"fastapi", "flask", "starlette", "quart", "sanic", "aiohttp", "litestar", "bottle", "falcon", "django", "tornado"}
)
# Serving frameworks' handler decorators (qualified name or last name).
SERVING_DECORATORS = frozenset({"bentoml.api", "api", "serve.deployment", "ray.serve.deployment", "batch"})
SERVING_FRAMEWORK_ROOTS = frozenset({"bentoml", "ray", "kserve", "grpc", "triton_python_backend_utils", "mlserver"})
# Classes whose methods handle requests: base-name endings -> handler methods.
HANDLER_CLASS_METHODS: dict[str, frozenset[str]] = {
    "Servicer": frozenset(),  # every public method of a gRPC servicer
    "View": frozenset({"get", "post", "put", "patch"}),
    "APIView": frozenset({"get", "post", "put", "patch"}),
    "ViewSet": frozenset({"list", "create", "retrieve"}),
    "Model": frozenset({"predict", "__call__"}),  # kserve.Model / mlserver.MLModel
    "MLModel": frozenset({"predict"}),
}
TRITON_CLASS = "TritonPythonModel"
TRITON_METHOD = "execute"
# Calls whose result is a prediction (method names on any receiver).
PREDICTION_METHODS = frozenset(
    {"predict", "predict_proba", "predict_log_proba", "decision_function", "recommend", "kneighbors", "async_run"}
)
# Names of callables that are a model when called directly: ``model(x)``.
MODEL_CALLABLE_NAMES = frozenset({"model", "classifier", "clf", "predictor", "pipe", "estimator", "net"})
# Words that make a prediction-like name something else: a check of the input,
# an explanation, a plot, a business rule (``validate_prediction_input``).
NOT_PREDICTION_WORDS = frozenset(
    {
        "validate",
        "validation",
        "check",
        "explain",
        "explanation",
        "format",
        "parse",
        "log",
        "save",
        "store",
        "record",
        "input",
        "inputs",
        "schema",
        "histogram",
        "plot",
        "rule",
        "rules",
        "load",
        "get_model",
    }
)
# Recording calls: logging, metrics, tracing, experiment trackers, stores.
LOGGING_ROOTS = frozenset({"logging", "structlog", "loguru", "absl.logging"})
LOGGER_NAMES = frozenset({"logger", "log", "logging", "_logger", "_log", "LOGGER", "LOG", "app_logger", "structlog"})
LOG_METHODS = frozenset({"info", "debug", "warning", "warn", "log", "msg", "bind", "success", "trace"})
METRIC_ROOTS = frozenset(
    {
        "prometheus_client",
        "statsd",
        "datadog",
        "opentelemetry",
        "mlflow",
        "wandb",
        "evidently",
        "whylogs",
        "neptune",
        "comet_ml",
        "sentry_sdk",
        "ddtrace",
        "newrelic",
        "arize",
        "fiddler",
    }
)
METRIC_METHODS = frozenset(
    {"inc", "observe", "labels", "increment", "gauge", "timing", "histogram", "set_attribute", "add_event", "record"}
)
STORE_METHODS = frozenset(
    {
        "insert_one",
        "insert_many",
        "put_item",
        "add",
        "add_all",
        "to_sql",
        "send",
        "produce",
        "publish",
        "xadd",
        "lpush",
        "rpush",
        "write_points",
    }
)
SQL_EXECUTE_METHODS = frozenset({"execute", "executemany"})
# Words in a helper's name that say it records (``log_prediction``, ``track_request``).
RECORDING_WORDS = frozenset({"log", "logs", "record", "track", "monitor", "audit", "emit", "store", "persist", "save"})
# Batch scoring: file or table writes of predictions (method names).
PREDICTION_WRITE_METHODS = frozenset(
    {"to_csv", "to_parquet", "to_json", "to_sql", "to_feather", "saveAsTable", "insertInto"}
)
# Words in a written file's name or variable that mark a one-off competition submission.
SUBMISSION_WORDS = frozenset({"submission", "submit", "sub", "oof", "sample"})
# Words of an evaluation (its function name or the file it writes): predictions
# written next to labels for a report are not a scoring job's output.
EVALUATION_WORDS = frozenset(
    {"eval", "evaluate", "evaluation", "holdout", "report", "reports", "metrics", "validation", "backtest", "test"}
)

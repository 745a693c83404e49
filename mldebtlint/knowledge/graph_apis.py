"""The APIs the model-graph facts collector recognises, as data.

Function tables hold fully qualified names (after import-alias resolution);
method tables hold method names called on a tracked variable. Keeping them
here means the collector's logic never spells an API name itself.
"""

from __future__ import annotations

# Functions returning a loaded model: qualified name -> index of the path
# argument and keyword names that may carry it.
MODEL_LOAD_FUNCTIONS: dict[str, tuple[int, tuple[str, ...]]] = {
    "torch.load": (0, ("f",)),
    "torch.jit.load": (0, ("f",)),
    "joblib.load": (0, ("filename",)),
    "sklearn.externals.joblib.load": (0, ("filename",)),
    "pickle.load": (0, ("file",)),
    "cloudpickle.load": (0, ("file",)),
    "dill.load": (0, ("file",)),
    "keras.models.load_model": (0, ("filepath",)),
    "keras.saving.load_model": (0, ("filepath",)),
    "tensorflow.keras.models.load_model": (0, ("filepath",)),
    "tf_keras.models.load_model": (0, ("filepath",)),
    "tensorflow.saved_model.load": (0, ("export_dir",)),
    "onnxruntime.InferenceSession": (0, ("path_or_bytes",)),
    "onnx.load": (0, ("f",)),
    "xgboost.Booster": (-1, ("model_file",)),
    "lightgbm.Booster": (-1, ("model_file",)),
    "catboost.CatBoost": (-1, ("model_file",)),
    "sentence_transformers.SentenceTransformer": (0, ("model_name_or_path",)),
    "sentence_transformers.CrossEncoder": (0, ("model_name",)),
    # ``pipeline("text-classification", model=path)``: the model is the second argument.
    "transformers.pipeline": (1, ("model",)),
    "transformers.pipelines.pipeline": (1, ("model",)),
}

# Of those, the ones that unpickle any object: what they return is a model only
# when it is then used as one (predict, load_state_dict, called on inputs).
GENERIC_LOAD_FUNCTIONS = frozenset(
    {
        "torch.load",
        "joblib.load",
        "sklearn.externals.joblib.load",
        "pickle.load",
        "cloudpickle.load",
        "dill.load",
    }
)

# Not models, whatever they load, save or fit: by constructor (qualified
# prefix, or a marker in the class name) or by variable name.
NON_MODEL_CTOR_PREFIXES = (
    "torch.optim.",
    "torch.cuda.amp.",
    "torch.amp.",
    "transformers.optimization.",
    "sklearn.preprocessing.",
    "sklearn.feature_extraction.",
    "sklearn.impute.",
    "keras.callbacks.",
    "tensorflow.keras.callbacks.",
    "pytorch_lightning.callbacks.",
    "lightning.pytorch.callbacks.",
    "lightning.pytorch.loggers.",
    "pytorch_lightning.loggers.",
    "tensorflow.train.Checkpoint",
    "detectron2.checkpoint.",
    "fvcore.common.checkpoint.",
    "accelerate.Accelerator",
    "torch.utils.data.",
    "torch.Tensor",
    "torch.tensor",
    "numpy.",
)
NON_MODEL_CTOR_MARKERS = (
    "Optimizer",
    "Scheduler",
    "LRScheduler",
    "GradScaler",
    "Checkpoint",
    "Checkpointer",
    "Callback",
    "EarlyStopping",
    "Logger",
    "Writer",
    "DataLoader",
    "Dataset",
    "Scaler",
    "LabelEncoder",
    "OneHotEncoder",
    "OrdinalEncoder",
    "Vectorizer",
    "Imputer",
    "Tokenizer",
    # Isotonic regression fitted on a model's scores calibrates that model: part of it
    # (``sklearn.isotonic`` / ``sklearn.calibration`` both export it).
    "IsotonicRegression",
)
NON_MODEL_NAMES = frozenset(
    {
        "optimizer",
        "optimizers",
        "opt",
        "optim",
        "scheduler",
        "lr_scheduler",
        "sched",
        "scaler",
        "grad_scaler",
        "checkpointer",
        "checkpoint",
        "ckpt",
        "state",
        "state_dict",
        "resume",
        "callback",
        "callbacks",
        "early_stopping",
        "logger",
        "writer",
        "tokenizer",
        "vectorizer",
        "encoder_state",
        "embeddings",
        "embedding_matrix",
        "save",
    }
)

# ``mlflow.<flavor>.load_model(uri)``: matched by prefix and suffix.
MLFLOW_PREFIX = "mlflow."
MLFLOW_LOAD_SUFFIX = ".load_model"
MLFLOW_SAVE_SUFFIXES = (".log_model", ".save_model")

# Class methods that load a model: ``Cls.from_pretrained(path)``.
CLASS_LOAD_METHODS = frozenset({"from_pretrained", "load_from_checkpoint"})
# ... unless the class is one of these (they load no model).
NON_MODEL_CLASS_MARKERS = (
    "Tokenizer",
    "Config",
    "Processor",
    "FeatureExtractor",
    "ImageProcessor",
    "GenerationConfig",
)

# Functions saving an object: qualified name -> (object index, path index).
SAVE_FUNCTIONS: dict[str, tuple[int, int]] = {
    "torch.save": (0, 1),
    "torch.jit.save": (0, 1),
    "joblib.dump": (0, 1),
    "sklearn.externals.joblib.dump": (0, 1),
    "pickle.dump": (0, 1),
    "cloudpickle.dump": (0, 1),
    "dill.dump": (0, 1),
    "torch.onnx.export": (0, 2),
    "tensorflow.saved_model.save": (0, 1),
    "onnx.save": (0, 1),
    "onnx.save_model": (0, 1),
}

# Methods on a model variable that save it; the path is the first argument
# or one of these keywords.
MODEL_SAVE_METHODS = frozenset({"save_pretrained", "save", "save_model", "save_weights", "export"})
# Of those, the ones only models have (the others need other evidence of a model).
MODEL_ONLY_SAVE_METHODS = frozenset({"save_model", "save_weights"})
SAVE_PATH_KEYWORDS = ("save_directory", "filepath", "fname", "path", "output_dir", "filename", "f")

# Methods on a model variable that load weights into it.
MODEL_LOAD_METHODS = frozenset({"load_model", "load_weights", "load_state_dict"})

# Methods whose result is a model's output.
PREDICT_METHODS = frozenset(
    {
        "predict",
        "predict_proba",
        "predict_log_proba",
        "decision_function",
        "kneighbors",
        "forward",
        "generate",
        "encode",
        "embed",
        "run",
        "transform_scores",
        "infer",
        "score_samples",
    }
)
# The subset that by itself shows the receiver is a model.
MODEL_EVIDENCE_METHODS = frozenset(
    {
        "predict",
        "predict_proba",
        "predict_log_proba",
        "decision_function",
        "kneighbors",
        "score_samples",
    }
)

# Methods that train the receiver (or, on a trainer, its model).
FIT_METHODS = frozenset({"fit", "partial_fit", "train_on_batch", "fit_generator"})
# Functions that return a trained booster: name -> keywords of the training data.
TRAIN_FUNCTIONS = frozenset({"xgboost.train", "lightgbm.train", "catboost.train"})
# A trainer object: its constructor's last name component ends with this.
TRAINER_SUFFIX = "Trainer"
TRAINER_MODEL_KEYWORDS = ("model",)
# ``fit(..., init_model=pre_model)`` (LightGBM, CatBoost) / ``xgb_model=`` (XGBoost): the
# fit continues that booster, so both names hold one model (a warm start, not a chain).
WARM_START_KEYWORDS = ("init_model", "xgb_model")

# Methods showing a variable's parameters are optimised in this scope.
PARAMETER_METHODS = frozenset({"parameters", "named_parameters"})

# Context managers under which model outputs carry no gradient: a model
# called only there (a DQN target network, a distillation teacher) feeds a
# loss without being trained by its ``backward()``.
NO_GRAD_CONTEXTS = frozenset(
    {"torch.no_grad", "torch.inference_mode", "torch.autograd.no_grad", "torch.autograd.grad_mode.no_grad"}
)

# Methods returning a tensor's values cut from the autograd graph.
DETACH_METHODS = frozenset({"detach", "detach_"})

# DB-API / SQLAlchemy methods running a SQL statement (INSERT writes a table, SELECT reads it).
SQL_EXECUTE_METHODS = frozenset({"execute", "executemany", "exec_driver_sql"})

# Methods that store their arguments into the receiver.
MUTATING_METHODS = frozenset({"append", "extend", "update", "insert", "add", "put", "setdefault", "__setitem__"})

# Data reads: qualified function -> path argument index and keywords.
DATA_READ_FUNCTIONS: dict[str, tuple[int, tuple[str, ...]]] = {
    **{
        f"pandas.read_{kind}": (0, ("filepath_or_buffer", "path", "path_or_buf", "io"))
        for kind in ("csv", "parquet", "json", "feather", "pickle", "excel", "table", "orc", "hdf")
    },
    **{f"polars.read_{kind}": (0, ("source",)) for kind in ("csv", "parquet", "json", "ndjson", "ipc")},
    **{f"polars.scan_{kind}": (0, ("source",)) for kind in ("csv", "parquet", "ndjson", "ipc")},
    "numpy.load": (0, ("file",)),
    "numpy.loadtxt": (0, ("fname",)),
    "numpy.genfromtxt": (0, ("fname",)),
    "json.load": (0, ("fp",)),
    "pyarrow.parquet.read_table": (0, ("source",)),
    "datasets.load_from_disk": (0, ("dataset_path",)),
}
# SQL reads: the table name or the query text.
SQL_READ_FUNCTIONS = frozenset({"pandas.read_sql", "pandas.read_sql_table", "pandas.read_sql_query"})

# Data writes: qualified function -> (object index, path index).
DATA_WRITE_FUNCTIONS: dict[str, tuple[int, int]] = {
    "numpy.save": (1, 0),
    "numpy.savetxt": (1, 0),
    "numpy.savez": (1, 0),
    "numpy.savez_compressed": (1, 0),
    "json.dump": (0, 1),
    "pyarrow.parquet.write_table": (0, 1),
}
# Data-frame methods writing the receiver: method -> path keywords.
DATA_WRITE_METHODS = frozenset(
    {
        "to_csv",
        "to_parquet",
        "to_json",
        "to_feather",
        "to_pickle",
        "to_excel",
        "to_hdf",
        "to_orc",
        "write_csv",
        "write_parquet",
        "write_json",
        "write_ndjson",
        "save_to_disk",
    }
)
# ``df.write.parquet(path)`` (Spark) and ``spark.read.parquet(path)``.
SPARK_FORMATS = frozenset({"parquet", "csv", "json", "orc", "saveAsTable", "save", "table"})

# Names whose attributes / subscripts are configuration keys (``cfg.ranker_path``).
CONFIG_ROOT_NAMES = frozenset(
    {
        "cfg",
        "config",
        "conf",
        "configs",
        "settings",
        "params",
        "hparams",
        "hp",
        "opts",
        "options",
        "args",
    }
)
# Of those, the names that hold parsed command-line arguments.
ARGUMENT_ROOT_NAMES = frozenset({"args", "opts", "options", "flags", "opt", "cli_args"})
# Functions returning their first argument's path unchanged.
PATH_PASSTHROUGH = frozenset(
    {"str", "os.fspath", "os.path.abspath", "os.path.expanduser", "os.path.normpath", "os.path.realpath"}
)
# Functions returning the folder of their path argument.
PATH_DIRNAME_FUNCTIONS = frozenset({"os.path.dirname", "posixpath.dirname"})
PATH_METHOD_PASSTHROUGH = frozenset({"resolve", "expanduser", "absolute", "as_posix"})
PATH_JOIN_FUNCTIONS = frozenset(
    {"os.path.join", "pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "posixpath.join", "Path"}
)
ENV_FUNCTIONS = frozenset({"os.getenv", "os.environ.get"})

# A model under another name: ``model = model.to(device)``, ``DDP(model)``.
MODEL_PASSTHROUGH_METHODS = frozenset(
    {
        "to",
        "cuda",
        "cpu",
        "eval",
        "half",
        "float",
        "double",
        "bfloat16",
        "requires_grad_",
        "share_memory",
    }
)
MODEL_WRAPPERS = frozenset({"DistributedDataParallel", "DataParallel", "compile", "FullyShardedDataParallel"})
# Constructors of plain data containers (never models), by import root.
DATA_CONSTRUCTOR_ROOTS = frozenset(
    {
        "pandas",
        "numpy",
        "polars",
        "pyarrow",
        "collections",
        "datetime",
        "pathlib",
        "dict",
        "list",
        "set",
        "tuple",
        "DataFrame",
        "Series",
        "Path",
    }
)

# Kaggle kernels: a kernel writes its outputs into its working folder; another
# kernel that adds it as a data source reads them under the input folder, in a
# sub-folder named after the kernel's slug (the kernel file's stem).
KAGGLE_WORKING_ROOTS = ("/kaggle/working/",)
KAGGLE_INPUT_ROOTS = ("../input/", "/kaggle/input/")

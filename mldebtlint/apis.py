"""Known ML APIs, as data: the one place detectors look names up.

Qualified names are matched after import-alias resolution
(``mldebtlint.names.ImportResolver``). Each table can be extended from
config through the option of the rule that reads it.
"""

from __future__ import annotations

# ML frameworks whose presence marks a file/manifest as ML code
# (import roots, lower-case).
ML_IMPORT_ROOTS = frozenset({
    "torch", "tensorflow", "keras", "jax", "flax", "optax", "haiku", "sklearn",
    "xgboost", "lightgbm", "catboost", "transformers", "lightning",
    "pytorch_lightning", "onnxruntime", "onnx", "mlflow", "datasets", "accelerate",
    "peft", "trl", "timm", "statsmodels", "prophet", "sentence_transformers",
    "torchvision", "torchaudio", "joblib", "pandas", "numpy", "scipy",
})

# Base classes whose subclasses are "models" (fully qualified).
MODEL_BASE_CLASSES = frozenset({
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
})

# Local spellings seen after ``from torch import nn`` etc.; matched against the
# resolved name's last two components when the import cannot be resolved.
MODEL_BASE_SUFFIXES = frozenset({
    "nn.Module", "keras.Model", "layers.Layer", "LightningModule", "PreTrainedModel",
    "BaseEstimator", "linen.Module",
})

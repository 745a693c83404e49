"""Per-file facts for MLD701 untested-model-code: what a module imports, whether
it is a test, and the first model code it defines.

``CoverageFacts.facts()`` returns plain data::

    {
      "module": "pkg.model",             # dotted name from the path
      "package": false,                  # an __init__.py (its imports re-export)
      "test": false,                     # test_*.py, *_test.py, under tests/
      "imports": ["pkg.data", ...],      # absolute dotted names (relative ones resolved)
      "scripts": ["train.py"],           # test files: scripts a test runs by name
      "model": {"name": "Net", "kind": "model class", "line": 3, ...} | null,
    }

Like the model graph, these are gathered in the per-file pass and cached, so a
single staged file is judged against the whole repo's tests.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

import libcst as cst
from libcst.metadata import PositionProvider

from mldebtlint.graph.facts import module_name
from mldebtlint.knowledge import debt_apis as api
from mldebtlint.knowledge.apis import MODEL_BASE_CLASSES, MODEL_BASE_SUFFIXES
from mldebtlint.knowledge.graph_apis import MODEL_LOAD_FUNCTIONS
from mldebtlint.rule import FactCollector, FileContext
from mldebtlint.syntax.flow import last_name, string_value
from mldebtlint.syntax.identifiers import words
from mldebtlint.syntax.names import dotted_name


def resolve_relative(module: str, is_package: bool, target: str) -> str:
    """``..data`` imported from ``pkg.sub.model`` -> ``pkg.data``."""
    dots = len(target) - len(target.lstrip("."))
    if not dots:
        return target
    parts = module.split(".")
    if not is_package:
        parts = parts[:-1]
    if dots > 1:
        parts = parts[: len(parts) - (dots - 1)]
    rest = target[dots:]
    return ".".join([*parts, rest] if rest else parts)


# ``norm2d`` -> ``norm``: layer names carry their dimensionality.
_DIGIT_SUFFIX = re.compile(r"[0-9]+[a-z]*$")


class CoverageFacts(FactCollector):
    """Imports, test-ness and the first model definition of one file."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.module = module_name(context.path)
        self.package = PurePosixPath(context.path).name == "__init__.py"
        self.imports: set[str] = set()
        self.scripts: set[str] = set()
        # Candidate definitions: (position, name, kind); classes another model
        # class of the file builds (``CrossNetwork`` inside ``DCNRanker``) are components.
        self.candidates: list[dict[str, Any]] = []
        self.model_classes: set[str] = set()
        self.components: set[str] = set()
        self.loads_model = False
        self._classes: list[str] = []
        self._function: list[cst.FunctionDef] = []

    # -- imports ----------------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            name = dotted_name(alias.name)
            if name:
                self.imports.add(name)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        base = dotted_name(node.module) if node.module is not None else ""
        target = resolve_relative(self.module, self.package, "." * len(node.relative) + (base or ""))
        if target:
            self.imports.add(target)
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = dotted_name(alias.name)
            if name:
                self.imports.add(f"{target}.{name}" if target else name)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if not self.context.is_test:
            return
        value = string_value(node) or ""
        if value.endswith(".py") and "\n" not in value:
            self.scripts.add(PurePosixPath(value).name)
        elif value.count(".") and value.replace(".", "").replace("_", "").isalnum() and " " not in value:
            self.scripts.add(value)  # ``python -m pkg.train``

    # -- model definitions ----------------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._classes.append(node.name.value)
        if self._is_model_class(node):
            self.model_classes.add(node.name.value)
            self._record(node, node.name.value, "model class")

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._classes.pop()

    def _is_model_class(self, node: cst.ClassDef) -> bool:
        name = node.name.value
        if name.startswith("_") or {_DIGIT_SUFFIX.sub("", word) for word in words(name)} & api.NON_MODEL_CLASS_WORDS:
            return False
        bases = [self.context.names.qualified_or_local(base.value) or "" for base in node.bases]
        if any(base.endswith(api.LAYER_BASE_SUFFIXES + api.TRANSFORMER_BASE_SUFFIXES) for base in bases):
            return False
        return any(
            base in MODEL_BASE_CLASSES
            or ".".join(base.split(".")[-2:]) in MODEL_BASE_SUFFIXES
            or base in self.model_classes
            for base in bases
        )

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._function.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._function.pop()

    def visit_Call(self, node: cst.Call) -> None:
        if self.context.is_test:
            return
        qualified = self.context.names.call_name(node) or ""
        if qualified in MODEL_LOAD_FUNCTIONS or last_name(qualified) in api.MODEL_LOAD_NAMES:
            self.loads_model = True
        if self._classes and isinstance(node.func, cst.Name):
            self.components.add(node.func.value)  # built inside a class body
        if not self._function:
            return
        function = self._function[0]
        method = node.func.attr.value if isinstance(node.func, cst.Attribute) else ""
        receiver = dotted_name(node.func.value) if isinstance(node.func, cst.Attribute) else None
        if qualified in api.TRAINING_FUNCTIONS or (method in api.TRAINING_METHODS and not _preprocessor(receiver)):
            self._record(function, function.name.value, "training function")
        elif method in api.MODEL_PREDICT_METHODS:
            self._record(function, function.name.value, "predict function")

    def _record(self, node: cst.FunctionDef | cst.ClassDef, name: str, kind: str) -> None:
        if self.context.is_test or any(item["name"] == name for item in self.candidates):
            return
        span = self.context.get_metadata(PositionProvider, node.name)
        if span is None:
            return
        self.candidates.append(
            {
                "name": name,
                "kind": kind,
                "line": span.start.line,
                "column": span.start.column + 1,
                "end_line": span.end.line,
                "end_column": span.end.column + 1,
            }
        )

    def model(self) -> dict[str, Any] | None:
        """The first model definition: not a component of another model class, and a
        predict function only where the file loads a model or the name says it predicts."""
        chosen = [
            item
            for item in self.candidates
            if not (item["kind"] == "model class" and item["name"] in self.components)
            and (item["kind"] != "predict function" or self.loads_model or _predicting_name(item["name"]))
        ]
        return min(chosen, key=lambda item: item["line"]) if chosen else None

    def facts(self) -> dict[str, Any]:
        return {
            "module": self.module,
            "package": self.package,
            "test": self.context.is_test,
            "imports": sorted(self.imports),
            "scripts": sorted(self.scripts),
            "model": self.model(),
        }


def _preprocessor(receiver: str | None) -> bool:
    """``scaler.fit(X)``: fitting a preprocessing step is not training a model."""
    return bool(set(words((receiver or "").replace(".", "_"))) & api.PREPROCESSOR_WORDS)


def _predicting_name(name: str) -> bool:
    return bool(set(words(name)) & api.PREDICTING_FUNCTION_WORDS)


def is_imported(module: str, imported: set[str]) -> bool:
    """Whether ``module`` matches an imported name, allowing for a source root
    prefix on either side (``src.pkg.model`` vs ``pkg.model``)."""
    if module in imported:
        return True
    parts = module.split(".")
    return any(".".join(parts[index:]) in imported for index in range(1, len(parts))) or any(
        name.endswith("." + module) for name in imported
    )

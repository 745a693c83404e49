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

from pathlib import PurePosixPath
from typing import Any

import libcst as cst
from libcst.metadata import PositionProvider

from mldebtlint.graph.facts import module_name
from mldebtlint.knowledge import debt_apis as api
from mldebtlint.knowledge.apis import MODEL_BASE_CLASSES, MODEL_BASE_SUFFIXES
from mldebtlint.rule import FactCollector, FileContext
from mldebtlint.syntax.flow import string_value
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


class CoverageFacts(FactCollector):
    """Imports, test-ness and the first model definition of one file."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.module = module_name(context.path)
        self.package = PurePosixPath(context.path).name == "__init__.py"
        self.imports: set[str] = set()
        self.scripts: set[str] = set()
        self.model: dict[str, Any] | None = None
        self.model_classes: set[str] = set()
        self._class_depth = 0
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
        self._class_depth += 1
        if self._is_model_class(node):
            self.model_classes.add(node.name.value)
            self._record(node, node.name.value, "model class")

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._class_depth -= 1

    def _is_model_class(self, node: cst.ClassDef) -> bool:
        if node.name.value.endswith(api.NON_MODEL_CLASS_SUFFIXES):
            return False
        for base in node.bases:
            qualified = self.context.names.qualified_or_local(base.value) or ""
            tail = ".".join(qualified.split(".")[-2:])
            if qualified.endswith(api.LAYER_BASE_SUFFIXES):
                return False
            if qualified in MODEL_BASE_CLASSES or tail in MODEL_BASE_SUFFIXES or qualified in self.model_classes:
                return True
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._function.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._function.pop()

    def visit_Call(self, node: cst.Call) -> None:
        if not self._function or self.context.is_test:
            return
        function = self._function[0]
        qualified = self.context.names.call_name(node) or ""
        method = node.func.attr.value if isinstance(node.func, cst.Attribute) else ""
        if qualified in api.TRAINING_FUNCTIONS or method in api.TRAINING_METHODS:
            self._record(function, function.name.value, "training function")
        elif method in api.MODEL_PREDICT_METHODS:
            self._record(function, function.name.value, "predict function")

    def _record(self, node: cst.FunctionDef | cst.ClassDef, name: str, kind: str) -> None:
        if self.context.is_test:
            return
        span = self.context.get_metadata(PositionProvider, node.name)
        if span is None:
            return
        if self.model is not None and self.model["line"] <= span.start.line:
            return
        self.model = {
            "name": name,
            "kind": kind,
            "line": span.start.line,
            "column": span.start.column + 1,
            "end_line": span.end.line,
            "end_column": span.end.column + 1,
        }

    def facts(self) -> dict[str, Any]:
        return {
            "module": self.module,
            "package": self.package,
            "test": self.context.is_test,
            "imports": sorted(self.imports),
            "scripts": sorted(self.scripts),
            "model": self.model,
        }


def is_imported(module: str, imported: set[str]) -> bool:
    """Whether ``module`` matches an imported name, allowing for a source root
    prefix on either side (``src.pkg.model`` vs ``pkg.model``)."""
    if module in imported:
        return True
    parts = module.split(".")
    return any(".".join(parts[index:]) in imported for index in range(1, len(parts))) or any(
        name.endswith("." + module) for name in imported
    )

"""The package's shape is a test: no import cycle, no import that climbs a layer.

The import graph is built from the source with ``ast`` (every ``import`` and
``from ... import`` of an ``mldebtlint`` module, lazy ones inside functions
included), so a cycle hidden behind a function-level import still fails.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "mldebtlint"

# Lowest first. A module may import modules of its own layer or of a lower one.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("mldebtlint", "mldebtlint.core"),
    ("mldebtlint.syntax", "mldebtlint.knowledge"),
    ("mldebtlint.manifests",),
    ("mldebtlint.rule",),
    ("mldebtlint.graph",),
    ("mldebtlint.detectors",),
    ("mldebtlint.engine",),
    ("mldebtlint.adoption",),
    ("mldebtlint.fixes", "mldebtlint.output"),
    ("mldebtlint.report",),
    ("mldebtlint.server",),
    ("mldebtlint.commands",),
    ("mldebtlint.cli", "mldebtlint.__main__"),
)
TOP_LEVEL_FILES = {"__init__.py", "__main__.py", "cli.py", "rule.py"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int:
    best, best_len = -1, -1
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            matches = module == prefix or (prefix != "mldebtlint" and module.startswith(prefix + "."))
            if matches and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    if best < 0 and module == "mldebtlint":
        return 0
    return best


def imported_modules(path: Path, known: set[str]) -> set[str]:
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("mldebtlint"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("mldebtlint"):
                continue
            # ``from mldebtlint.x import y`` imports the module x.y when y is one.
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if candidate in known else target)
    return {name for name in found if name in known and name != module}


def import_graph() -> nx.DiGraph:
    files = sorted(PACKAGE.rglob("*.py"))
    known = {module_name(path) for path in files}
    graph = nx.DiGraph()
    for path in files:
        source = module_name(path)
        graph.add_node(source)
        for target in imported_modules(path, known):
            # Importing a package's own __init__ (``mldebtlint`` for __version__) is not a cycle.
            if source.startswith(target + ".") or target == "mldebtlint":
                continue
            graph.add_edge(source, target)
    return graph


def test_every_module_has_a_layer():
    graph = import_graph()
    assert [module for module in graph if layer_of(module) < 0] == []


def test_no_import_cycle():
    graph = import_graph()
    assert list(nx.simple_cycles(graph)) == []


def test_no_import_climbs_a_layer():
    graph = import_graph()
    upward = [
        f"{source} (layer {layer_of(source)}) imports {target} (layer {layer_of(target)})"
        for source, target in graph.edges
        if layer_of(target) > layer_of(source)
    ]
    assert upward == []


def test_top_level_holds_only_entry_points_and_folders():
    files = {path.name for path in PACKAGE.iterdir() if path.is_file() and path.suffix == ".py"}
    assert files <= TOP_LEVEL_FILES, sorted(files - TOP_LEVEL_FILES)


def test_every_folder_says_what_it_may_import():
    for folder in sorted(path for path in PACKAGE.iterdir() if path.is_dir() and not path.name.startswith("_")):
        if folder.name == "__pycache__":
            continue
        init = folder / "__init__.py"
        assert init.exists(), folder
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert docstring and "import" in docstring.lower(), f"{init} needs a docstring saying what it may import"


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        ("mldebtlint.core.config", "mldebtlint.engine.runner", False),
        ("mldebtlint.detectors.glue_code", "mldebtlint.report.model", False),
        ("mldebtlint.engine.runner", "mldebtlint.detectors", True),
        ("mldebtlint.commands.check", "mldebtlint.core.config", True),
    ],
)
def test_layer_order_is_what_the_docstrings_say(source, target, allowed):
    # Guards the table itself: a reordering that lets core import the engine fails here.
    assert (layer_of(target) <= layer_of(source)) is allowed

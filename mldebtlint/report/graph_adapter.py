"""Bridge to the repo-wide model graph package (``mldebtlint.graph``).

Raises ImportError when that package (or its ``build_model_graph``) is not
installed, so the report falls back to the graph implied by the
MLD401/MLD402 findings.
"""

from __future__ import annotations

from typing import Any

from mldebtlint.core.config import Settings
from mldebtlint.core.types import CheckResult

try:
    from mldebtlint.graph import build_model_graph
except ImportError:
    from mldebtlint.graph.build import build_model_graph

GRAPH_RULES = ("MLD401", "MLD402")


def collector_name() -> str | None:
    """The FactCollector whose facts the model-graph rules read."""
    from mldebtlint.detectors import registry

    for code in GRAPH_RULES:
        collector = getattr(registry().get(code), "collector", None)
        if collector is not None:
            return collector.__name__
    return None


def graph_data(result: CheckResult, settings: Settings) -> dict[str, Any] | None:
    """``{"nodes": [{"id", "kind"}], "edges": [{"source", "target"}]}``, or None
    when no file carries model-graph facts (the graph rules did not run)."""
    name = collector_name()
    if name is None:
        return None
    facts = {file.path: file.facts[name] for file in result.files if file.facts and name in file.facts}
    if not facts:
        return None
    graph = build_model_graph(facts)
    label = {node: str(attrs.get("label") or node) for node, attrs in graph.nodes(data=True)}
    nodes = [{"id": label[node], "kind": str(attrs.get("kind", "model"))} for node, attrs in graph.nodes(data=True)]
    edges = [{"source": label[a], "target": label[b]} for a, b in graph.edges()]
    return {"nodes": nodes, "edges": edges}

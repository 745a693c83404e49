"""The model graph of a run, for the report: built from the per-file facts
of the collector the model-graph rules (MLD401/MLD402) read.
"""

from __future__ import annotations

from mldebtlint.core.types import CheckResult
from mldebtlint.graph import build_model_graph
from mldebtlint.graph.facts import ModelGraphFacts

COLLECTOR = ModelGraphFacts.__name__


def graph_data(result: CheckResult) -> dict[str, list[dict[str, str]]]:
    """``{"nodes": [{"id", "kind"}], "edges": [{"source", "target"}]}``; both
    empty when no file carries model-graph facts (the graph rules did not run)."""
    facts = {file.path: file.facts[COLLECTOR] for file in result.files if file.facts and COLLECTOR in file.facts}
    if not facts:
        return {"nodes": [], "edges": []}
    graph = build_model_graph(facts)
    label = {node: str(attrs.get("label") or node) for node, attrs in graph.nodes(data=True)}
    nodes = [{"id": label[node], "kind": str(attrs.get("kind", "model"))} for node, attrs in graph.nodes(data=True)]
    edges = [{"source": label[a], "target": label[b]} for a, b in graph.edges()]
    return {"nodes": nodes, "edges": edges}

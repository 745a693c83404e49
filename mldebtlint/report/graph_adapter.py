"""The model graph of a run, for the report: built from the per-file facts
of the collector the model-graph rules (MLD401/MLD402) read.
"""

from __future__ import annotations

from typing import Any

from mldebtlint.core.types import CheckResult
from mldebtlint.graph import build_model_graph
from mldebtlint.graph.export import annotate, display_label
from mldebtlint.graph.facts import ModelGraphFacts

COLLECTOR = ModelGraphFacts.__name__


def graph_data(result: CheckResult) -> dict[str, list[dict[str, Any]]]:
    """``{"nodes": [{"id", "kind", "label"}], "edges": [{"source", "target", "cycle", "chain"}]}``:
    ids are the graph's unique node ids (two models named ``model`` stay two nodes),
    labels ``module:name`` or a data store's path; edges on an offending cycle or
    chain are flagged. Both lists are empty when no file carries model-graph facts."""
    facts = {file.path: file.facts[COLLECTOR] for file in result.files if file.facts and COLLECTOR in file.facts}
    if not facts:
        return {"nodes": [], "edges": []}
    graph = annotate(build_model_graph(facts))
    nodes = [
        {"id": node, "kind": str(attrs.get("kind", "model")), "label": display_label(attrs, node)}
        for node, attrs in graph.nodes(data=True)
    ]
    edges = [
        {"source": a, "target": b, "cycle": bool(attrs.get("cycle")), "chain": bool(attrs.get("chain"))}
        for a, b, attrs in graph.edges(data=True)
    ]
    return {"nodes": nodes, "edges": edges}

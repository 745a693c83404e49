"""Bridge to the repo-wide model graph package (``mldebtlint.graph``).

Raises ImportError when that package is not installed, so the report falls
back to the graph implied by the MLD401/MLD402 findings.
"""

from __future__ import annotations

from typing import Any

from mldebtlint.config import Settings
from mldebtlint.types import CheckResult

import mldebtlint.graph as graph_package  # noqa: F401  (ImportError -> fallback)


def graph_data(result: CheckResult, settings: Settings) -> dict[str, Any] | None:
    """``{"nodes": [{"id", "kind"}], "edges": [{"source", "target"}]}`` or None."""
    build = getattr(graph_package, "build_model_graph", None)
    if build is None:
        return None
    facts = {file.path: file.facts for file in result.files if file.facts}
    graph = build(facts)
    nodes = [{"id": str(node), "kind": str(attrs.get("kind", "model"))} for node, attrs in graph.nodes(data=True)]
    edges = [{"source": str(a), "target": str(b)} for a, b in graph.edges()]
    return {"nodes": nodes, "edges": edges}

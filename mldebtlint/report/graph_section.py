"""The report's model dependency graph section: models, edges, chains, cycles.

The chains and cycles come from the MLD401/MLD402 findings (their ``data``
names the models, else their message does). When the repo-wide graph
package (``mldebtlint.graph``) is importable its nodes and edges are used too;
without it the graph is rebuilt from the chains and cycles alone.
"""

from __future__ import annotations

import re
from typing import Any

from mldebtlint.core.config import Settings
from mldebtlint.core.types import CheckResult, Finding

CHAIN_CODE = "MLD401"
CYCLE_CODE = "MLD402"
# Keys a graph finding may use in its data for the ordered model names.
_MODEL_LIST_KEYS = ("chain", "cycle", "models", "nodes", "path")
_NAME = r"[`'\"]?[\w.:/\\-]+[`'\"]?"
_ARROW_CHAIN = re.compile(_NAME + r"(?:\s*(?:->|→)\s*" + _NAME + ")+")


def models_of(finding: Finding) -> list[str]:
    """The ordered model names of a chain/cycle finding (may be empty)."""
    data = dict(finding.data)
    for key in _MODEL_LIST_KEYS:
        value = data.get(key)
        if isinstance(value, (list, tuple)) and value and all(isinstance(item, str) for item in value):
            return list(value)
    match = _ARROW_CHAIN.search(finding.message)
    if match is None:
        return []
    parts = (part.strip().strip("`'\"") for part in re.split(r"->|→", match.group(0)))
    return [part for part in parts if part]


def _entry(finding: Finding, models: list[str]) -> dict[str, Any]:
    return {"models": models, "path": finding.path, "line": finding.line, "message": finding.message}


def _edges_from(sequences: list[list[str]], closed: list[bool]) -> list[tuple[str, str]]:
    edges: list[tuple[str, str]] = []
    for models, is_cycle in zip(sequences, closed):
        pairs = list(zip(models, models[1:]))
        if is_cycle and len(models) > 1 and models[0] != models[-1]:
            pairs.append((models[-1], models[0]))
        for pair in pairs:
            if pair not in edges:
                edges.append(pair)
    return edges


def _from_graph_package(result: CheckResult, settings: Settings) -> dict[str, Any] | None:
    """Nodes and edges from ``mldebtlint.graph`` if it is installed and usable."""
    try:
        from mldebtlint.report import graph_adapter
    except ImportError:
        return None
    try:
        return graph_adapter.graph_data(result, settings)
    except Exception:  # the graph is an optional enrichment; never break the report
        return None


def model_graph_section(result: CheckResult, settings: Settings) -> dict[str, Any]:
    chains = [(f, models_of(f)) for f in result.findings if f.code == CHAIN_CODE]
    cycles = [(f, models_of(f)) for f in result.findings if f.code == CYCLE_CODE]
    section: dict[str, Any] = {
        "source": "findings",
        "chains": [_entry(f, models) for f, models in chains],
        "cycles": [_entry(f, models) for f, models in cycles],
    }
    graph = _from_graph_package(result, settings)
    if graph is not None:
        section.update(source="graph", nodes=graph["nodes"], edges=graph["edges"])
        return section
    sequences = [models for _, models in chains] + [models for _, models in cycles]
    closed = [False] * len(chains) + [True] * len(cycles)
    edges = _edges_from(sequences, closed)
    names: list[str] = []
    for source, target in edges:
        for name in (source, target):
            if name not in names:
                names.append(name)
    section["nodes"] = [{"id": name, "kind": "model"} for name in names]
    section["edges"] = [{"source": source, "target": target} for source, target in edges]
    return section

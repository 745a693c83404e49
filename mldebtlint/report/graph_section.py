"""The report's model dependency graph section: models, edges, chains, cycles.

Nodes and edges come from the model graph built from the run's per-file graph
facts (``report.graph_adapter``); the chains and cycles from the MLD401/MLD402
findings' ``data`` (``chain`` / ``cycle``: the ordered model names).
"""

from __future__ import annotations

from typing import Any

from mldebtlint.core.types import CheckResult, Finding
from mldebtlint.report.graph_adapter import graph_data

CHAIN_CODE = "MLD401"
CYCLE_CODE = "MLD402"
_MODELS_KEY = {CHAIN_CODE: "chain", CYCLE_CODE: "cycle"}


def models_of(finding: Finding) -> list[str]:
    """The ordered model names of a chain/cycle finding."""
    return [str(name) for name in dict(finding.data)[_MODELS_KEY[finding.code]]]


def _entry(finding: Finding) -> dict[str, Any]:
    entry = {"models": models_of(finding), "path": finding.path, "line": finding.line, "message": finding.message}
    if finding.cell is not None:
        entry["cell"] = finding.cell
    return entry


def model_graph_section(result: CheckResult) -> dict[str, Any]:
    graph = graph_data(result)
    return {
        # Kept for the schema: older reports also said "findings" (no graph facts).
        "source": "graph",
        "chains": [_entry(f) for f in result.findings if f.code == CHAIN_CODE],
        "cycles": [_entry(f) for f in result.findings if f.code == CYCLE_CODE],
        "nodes": graph["nodes"],
        "edges": graph["edges"],
    }

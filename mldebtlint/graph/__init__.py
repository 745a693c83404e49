"""The repo-wide model dependency graph (MLD401, MLD402, ``mldebtlint graph``).

Per file, ``facts.ModelGraphFacts`` (a FactCollector run in the engine's
batched pass) records models, artifacts and data flow as JSON-friendly
facts. The repo phase only reads those facts:

``build_model_graph(facts_by_path) -> networkx.DiGraph``
    ``facts_by_path`` maps a path (root-relative or display) to that file's
    ``ModelGraphFacts`` facts. Nodes: ``"model:<identity>"`` with attrs
    ``kind="model"``, ``label`` (e.g. "churn_model"), ``identities``
    (artifact paths/keys naming it), ``path``/``line`` (where first seen);
    ``"data:<identity>"`` with ``kind="data"``, ``label``, ``identities``.
    Edges A -> B: B (a model trained/served, or a data artifact written)
    consumes A's outputs; attr ``sites`` = sorted list of
    ``{path, line, column, end_line, end_column, kind}`` with kind in
    "trains" | "serves" | "writes"; ``sites[0]`` is the primary site.
``model_projection(graph) -> networkx.DiGraph``
    Models only; edge attrs ``sites`` and ``via`` (data nodes passed through).
``find_chains(graph, max_len=1) -> list[Chain]``
    Per consumer model, its longest chain when longer than ``max_len`` edges.
    ``Chain.nodes``, ``.labels``, ``.length``, ``.site``, ``.text()``.
``find_cycles(graph, explicit=False) -> list[Cycle]``
    One loop per strongly connected component: ``.nodes``, ``.labels``,
    ``.via``, ``.site`` (closing edge's consuming site), ``.persisted``,
    ``.members``, ``.text()``. In-memory loops only when ``explicit``.
``evidence(graph, pairs) -> list[(path, line, note)]``
    The load/save/write/train sites a chain or loop rests on.
``graph_for_result(result) -> networkx.DiGraph``
    The graph of a ``CheckResult`` (its files' facts, keyed by display path).
``annotate(graph, max_len=1) -> networkx.DiGraph``
    Marks offending chains and cycles on nodes/edges (``chain``/``cycle`` attrs).

Names are loaded lazily so the per-file phase never imports networkx.

May import core, syntax, knowledge and ``rule`` (the collector API);
never detectors, engine or anything above.
"""

from __future__ import annotations

import importlib
from typing import Any

COLLECTOR_NAME = "ModelGraphFacts"

_EXPORTS = {
    "build_model_graph": "mldebtlint.graph.build",
    "model_projection": "mldebtlint.graph.analysis",
    "find_chains": "mldebtlint.graph.analysis",
    "find_cycles": "mldebtlint.graph.analysis",
    "Chain": "mldebtlint.graph.analysis",
    "Cycle": "mldebtlint.graph.analysis",
    "evidence": "mldebtlint.graph.analysis",
    "graph_for_result": "mldebtlint.graph.export",
    "annotate": "mldebtlint.graph.export",
}

__all__ = ["COLLECTOR_NAME", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(name)
    return getattr(importlib.import_module(module), name)

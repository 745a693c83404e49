"""MLD402 model-dependency-cycle: a model whose outputs feed back into its own training."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from mldebtlint.detectors.model_dependency_chain import site_report
from mldebtlint.graph.facts import ModelGraphFacts
from mldebtlint.rule import Report, RepoRule


class ModelDependencyCycle(RepoRule):
    code = "MLD402"
    collector = ModelGraphFacts

    def check(self, facts_by_path: Mapping[str, Any]) -> Iterator[tuple[str, Report]]:
        from mldebtlint.graph import build_model_graph, evidence, find_cycles

        explicit = bool(self.options["report-explicit-loops"])
        graph = build_model_graph(facts_by_path)
        for cycle in find_cycles(graph, explicit):
            closing = cycle.labels[0]
            kind = "feedback loop" if cycle.persisted else "in-memory loop within one run"
            message = f"{kind}: {cycle.text()}; {closing} is trained on outputs that depend on itself"
            yield site_report(
                self.code,
                message,
                cycle.site,
                closing,
                evidence(graph, list(cycle.edges)),
                cycle=list(cycle.labels),
                nodes=list(cycle.nodes),
            )

"""MLD401 model-dependency-chain: a model consuming a chain of other models' outputs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from mldebtlint.core.types import Related
from mldebtlint.graph.facts import ModelGraphFacts
from mldebtlint.rule import Report, RepoRule


def site_report(
    code: str,
    message: str,
    site: Mapping[str, Any],
    scope: str,
    related: list[tuple[str, int, str]] | None = None,
    **data: Any,
) -> tuple[str, Report]:
    report = Report(
        code,
        message,
        line=site["line"],
        column=site["column"],
        end_line=site["end_line"],
        end_column=site["end_column"],
        data=data,
        scope=scope,
        related=tuple(Related(path, line, note) for path, line, note in related or ()),
    )
    return site["path"], report


class ModelDependencyChain(RepoRule):
    code = "MLD401"
    collector = ModelGraphFacts

    def check(self, facts_by_path: Mapping[str, Any]) -> Iterator[tuple[str, Report]]:
        from mldebtlint.graph import build_model_graph, evidence, find_chains

        max_len = self.options["max-chain-length"]
        graph = build_model_graph(facts_by_path)
        for chain in find_chains(graph, max_len):
            consumer = chain.labels[-1]
            message = (
                f"{consumer} consumes a {chain.length}-model chain of outputs: {chain.text()} "
                f"(max-chain-length {max_len}); a change upstream silently shifts every model downstream"
            )
            related = evidence(graph, list(zip(chain.nodes, chain.nodes[1:])))
            yield site_report(
                self.code, message, chain.site, consumer, related, chain=list(chain.labels), nodes=list(chain.nodes)
            )

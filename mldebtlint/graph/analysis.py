"""Chains and cycles in the model graph.

Both work on the *model projection*: models only, with an edge A -> B when
B consumes A's outputs directly or through data artifacts (``via`` lists
those data nodes). A chain's length is its number of model-to-model edges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx

_MAX_CYCLES = 200


@dataclass(frozen=True)
class Chain:
    nodes: tuple[str, ...]
    labels: tuple[str, ...]
    site: dict[str, Any]  # the consuming site of the last edge

    @property
    def length(self) -> int:
        return len(self.nodes) - 1

    def text(self) -> str:
        return " -> ".join(self.labels)


@dataclass(frozen=True)
class Cycle:
    nodes: tuple[str, ...]  # starts just after the closing edge's source
    labels: tuple[str, ...]
    via: tuple[tuple[str, ...], ...]  # data labels on each edge, in order
    site: dict[str, Any]  # the consuming site of the closing edge
    edges: tuple[tuple[str, str], ...] = field(default=())
    # Whether the loop closes through something persisted (a file, a table, the
    # same checkpoint reloaded) rather than in memory within one run.
    persisted: bool = True
    # Every model of the strongly connected component the loop belongs to.
    members: tuple[str, ...] = field(default=())

    def text(self) -> str:
        pieces = [self.labels[0]]
        for index, via in enumerate(self.via):
            for label in via:
                pieces.append(f"[{label}]")
            pieces.append(self.labels[(index + 1) % len(self.labels)])
        return " -> ".join(pieces)


def model_projection(graph: nx.DiGraph) -> nx.DiGraph:
    """Models only; data artifacts folded into the edges' ``via``."""
    if graph.graph.get("projection"):
        return graph
    projection = nx.DiGraph()
    for node, attrs in graph.nodes(data=True):
        if attrs.get("kind") == "model":
            projection.add_node(node, **attrs)
    for node in list(projection.nodes):
        _project_from(graph, projection, node)
    projection.graph["projection"] = True
    projection.graph["data_labels"] = {
        node: attrs.get("label", node) for node, attrs in graph.nodes(data=True) if attrs.get("kind") != "model"
    }
    return projection


def _project_from(graph: nx.DiGraph, projection: nx.DiGraph, start: str) -> None:
    stack: list[tuple[str, tuple[str, ...]]] = [(start, ())]
    seen: set[str] = set()
    while stack:
        node, via = stack.pop()
        for successor in sorted(graph.successors(node)):
            attrs = graph.edges[node, successor]
            if graph.nodes[successor].get("kind") == "model":
                _merge_edge(projection, start, successor, via, attrs["sites"])
            elif successor not in seen:
                seen.add(successor)
                stack.append((successor, via + (successor,)))


def _merge_edge(projection: nx.DiGraph, source: str, target: str, via: tuple[str, ...], sites: list) -> None:
    if projection.has_edge(source, target):
        edge = projection.edges[source, target]
        edge["sites"] = sorted({_key(s): s for s in [*edge["sites"], *sites]}.values(), key=_site_order)
        if via and (not edge["via"] or len(via) < len(edge["via"])):
            edge["via"] = list(via)
    else:
        projection.add_edge(source, target, sites=sorted(sites, key=_site_order), via=list(via))


def _key(site: dict) -> tuple:
    return (site["path"], site["line"], site["column"], site["kind"])


def _site_order(site: dict) -> tuple:
    return (site["kind"] != "trains", site["path"], site["line"], site["column"])


def _label(graph: nx.DiGraph, node: str) -> str:
    if node in graph.nodes:
        return graph.nodes[node].get("label", node)
    return graph.graph.get("data_labels", {}).get(node, node)


def find_chains(graph: nx.DiGraph, max_len: int = 1) -> list[Chain]:
    """The longest chain into each model whose chain has more than ``max_len`` edges.

    Edges inside cycles are left to ``find_cycles`` (a loop is not a chain).
    """
    projection = model_projection(graph)
    acyclic = nx.DiGraph()
    acyclic.add_nodes_from(projection.nodes)
    component_of = {}
    for index, component in enumerate(nx.strongly_connected_components(projection)):
        for node in component:
            component_of[node] = index
    acyclic.add_edges_from((a, b) for a, b in projection.edges if a != b and component_of[a] != component_of[b])
    best: dict[str, tuple[str, ...]] = {}
    for node in nx.lexicographical_topological_sort(acyclic):
        candidates = [best[p] + (node,) for p in acyclic.predecessors(node)] or [(node,)]
        best[node] = max(candidates, key=lambda path: (len(path), [_label(projection, n) for n in path][::-1]))
    chains = []
    for _node, path in sorted(best.items()):
        if len(path) - 1 > max_len:
            site = projection.edges[path[-2], path[-1]]["sites"][0]
            chains.append(Chain(path, tuple(_label(projection, n) for n in path), site))
    return chains


def persisted_edge(projection: nx.DiGraph, edge: tuple[str, str]) -> bool:
    """Through stored data, or from a model instance loaded from its artifact."""
    attrs = projection.edges[edge]
    return bool(attrs["via"]) or any(site.get("stored") for site in attrs["sites"])


def find_cycles(graph: nx.DiGraph, explicit: bool = False) -> list[Cycle]:
    """One loop per strongly connected component of the model projection,
    starting after its closing edge.

    The closing edge is where the loop's outputs come back: preferably an
    edge through stored data, then a training site, then the first by path.
    Loops that close in memory within one run (no edge through storage) are
    deliberate and reported only when ``explicit`` is set.
    """
    projection = model_projection(graph)
    cycles = []
    for component in nx.strongly_connected_components(projection):
        members = sorted(component)
        if len(members) == 1 and not projection.has_edge(members[0], members[0]):
            continue
        cycle = _component_loop(projection, projection.subgraph(members), explicit)
        if cycle is not None:
            cycles.append(Cycle(*cycle, members=tuple(members)))  # type: ignore[misc]
    cycles.sort(key=lambda cycle: cycle.nodes)
    return cycles


def _component_loop(projection: nx.DiGraph, component: nx.DiGraph, explicit: bool) -> tuple | None:
    best = None
    for count, nodes in enumerate(nx.simple_cycles(component)):
        if count >= _MAX_CYCLES:
            break
        edges = [(nodes[i], nodes[(i + 1) % len(nodes)]) for i in range(len(nodes))]
        if _exclusive_branches(projection, edges):
            continue
        persisted = any(persisted_edge(projection, edge) for edge in edges)
        if not persisted and not explicit:
            continue
        closing = min(edges, key=lambda edge: _closing_order(projection, edge))
        rank = (not persisted, _closing_order(projection, closing), len(nodes))
        if best is None or rank < best[0]:
            best = (rank, nodes, closing, persisted)
    if best is None:
        return None
    _, nodes, closing, persisted = best
    start = nodes.index(closing[1])
    ordered = tuple(nodes[start:] + nodes[:start])
    ring = [(ordered[i], ordered[(i + 1) % len(ordered)]) for i in range(len(ordered))]
    via = tuple(tuple(_label(projection, d) for d in projection.edges[edge]["via"]) for edge in ring)
    return (
        ordered,
        tuple(_label(projection, n) for n in ordered),
        via,
        projection.edges[closing]["sites"][0],
        tuple(ring),
        persisted,
    )


def _closing_order(projection: nx.DiGraph, edge: tuple[str, str]) -> tuple:
    attrs = projection.edges[edge]
    site = attrs["sites"][0]
    return (
        not attrs["via"],
        not persisted_edge(projection, edge),
        site["kind"] != "trains",
        site["path"],
        site["line"],
        edge,
    )


def _exclusive_branches(projection: nx.DiGraph, edges: list[tuple[str, str]]) -> bool:
    """Two edges of the loop exist only under different values of one subject
    (``if method == "a":`` vs ``if method == "b":``): no run goes round it."""
    guards = [[dict(map(tuple, site.get("guards", []))) for site in projection.edges[edge]["sites"]] for edge in edges]
    for index, first in enumerate(guards):
        for second in guards[index + 1 :]:
            if all(_conflict(a, b) for a in first for b in second):
                return True
    return False


def _conflict(a: dict, b: dict) -> bool:
    return any(subject in b and b[subject] != value for subject, value in a.items())


_NOTES = {
    "writes": "{target} written from {source}'s outputs",
    "trains": "{target} trained on {source}",
    "serves": "{target} run on {source}",
}
_MAX_RELATED = 24


def evidence(graph: nx.DiGraph, pairs: list[tuple[str, str]]) -> list[tuple[str, int, str]]:
    """``(path, line, note)`` of every site a chain or loop rests on, in order:
    where each model is loaded or saved, where its outputs are written to data,
    and where the next model is trained or run on them."""
    projection = model_projection(graph)
    out: list[tuple[str, int, str]] = []

    def add(path: str, line: int, note: str) -> None:
        entry = (path, line, note)
        if entry not in out and len(out) < _MAX_RELATED:
            out.append(entry)

    def persist_sites(node: str) -> None:
        attrs = graph.nodes[node] if node in graph.nodes else {}
        for site in attrs.get("sites", ()):
            verb = "loaded from" if site["kind"] == "loads" else "saved to"
            add(site["path"], site["line"], f"{_label(projection, node)} {verb} {site['identity']}")

    for source, target in pairs:
        hops = [source, *projection.edges[source, target]["via"], target]
        persist_sites(source)
        for a, b in zip(hops, hops[1:]):
            sites = graph.edges[a, b]["sites"] if graph.has_edge(a, b) else projection.edges[source, target]["sites"]
            for site in sites:
                note = _NOTES.get(site["kind"], "{target} uses {source}")
                add(site["path"], site["line"], note.format(source=_label(graph, a), target=_label(graph, b)))
        persist_sites(target)
    return out

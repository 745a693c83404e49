"""The model graph for people and tools: DOT, Mermaid and JSON (node-link).

Offending chains and cycles are marked by ``annotate``: nodes and edges on
one get ``chain=True`` / ``cycle=True``; the graph attribute ``mldebtlint``
lists them (labels, nodes and the consuming site).

DOT and Mermaid label a model ``module:name`` and group models by the file
that defines them (DOT clusters, Mermaid subgraphs); data stores (files,
tables) are cylinders outside any file, labelled by their path or table.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import networkx as nx

from mldebtlint.graph import COLLECTOR_NAME
from mldebtlint.graph.analysis import find_chains, find_cycles, model_projection
from mldebtlint.graph.build import build_model_graph

if TYPE_CHECKING:
    from mldebtlint.core.types import CheckResult

GRAPH_CODES = ("MLD401", "MLD402")
FORMATS = ("dot", "mermaid", "json")


def facts_of_result(result: CheckResult) -> dict[str, Any]:
    return {
        file.path: file.facts[COLLECTOR_NAME] for file in result.files if file.facts and COLLECTOR_NAME in file.facts
    }


def graph_for_result(result: CheckResult) -> nx.DiGraph:
    graph = build_model_graph(facts_of_result(result))
    cells = {file.path: file.cells for file in result.files if file.cells}
    if cells:
        for _, _, attrs in graph.edges(data=True):
            _sites_in_cells(attrs, cells)
        for _, attrs in graph.nodes(data=True):
            _sites_in_cells(attrs, cells)
    return graph


def _sites_in_cells(value: Any, cells: Mapping[str, tuple[tuple[int, ...], ...]]) -> None:
    """Notebook sites (module lines of the code cells) moved to ``cell`` + the line in that cell."""
    if isinstance(value, list):
        for item in value:
            _sites_in_cells(item, cells)
    elif isinstance(value, dict):
        path = value.get("path")
        table = cells.get(path) if isinstance(path, str) else None
        line = value.get("line")
        if table and "cell" not in value and isinstance(line, int) and 0 < line <= len(table):
            cell, cell_line = table[line - 1][:2]
            end = value.get("end_line")
            value["cell"], value["line"] = cell, cell_line
            if isinstance(end, int) and 0 < end <= len(table) and table[end - 1][0] == cell:
                value["end_line"] = table[end - 1][1]
            elif isinstance(end, int):
                value["end_line"] = cell_line
            return
        for item in value.values():
            _sites_in_cells(item, cells)


def annotate(graph: nx.DiGraph, max_len: int = 1) -> nx.DiGraph:
    projection = model_projection(graph)
    chains = find_chains(projection, max_len)
    cycles = find_cycles(projection)
    for node in graph.nodes:
        graph.nodes[node].setdefault("chain", False)
        graph.nodes[node].setdefault("cycle", False)
    for _, _, attrs in graph.edges(data=True):
        attrs.setdefault("chain", False)
        attrs.setdefault("cycle", False)
    for chain in chains:
        pairs = list(zip(chain.nodes, chain.nodes[1:]))
        _mark(graph, projection, pairs, "chain")
    for cycle in cycles:
        _mark(graph, projection, list(cycle.edges), "cycle")
    graph.graph["mldebtlint"] = {
        "max_chain_length": max_len,
        "chains": [{"labels": list(c.labels), "nodes": list(c.nodes), "site": c.site} for c in chains],
        "cycles": [
            {"labels": list(c.labels), "nodes": list(c.nodes), "text": c.text(), "site": c.site} for c in cycles
        ],
    }
    return graph


def _mark(graph: nx.DiGraph, projection: nx.DiGraph, pairs: list[tuple[str, str]], flag: str) -> None:
    for source, target in pairs:
        hops = [source, *projection.edges[source, target]["via"], target]
        for a, b in zip(hops, hops[1:]):
            graph.nodes[a][flag] = graph.nodes[b][flag] = True
            if graph.has_edge(a, b):
                graph.edges[a, b][flag] = True


def _edge_label(attrs: Mapping[str, Any]) -> str:
    return "/".join(sorted({site["kind"] for site in attrs.get("sites", [])}))


def _dot_quote(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def display_label(attrs: Mapping[str, Any], node: str = "") -> str:
    """``module:name`` for a model, the path or table for a data store."""
    label = str(attrs.get("label", node))
    if attrs.get("kind") == "model":
        module = attrs.get("module")
        return f"{module}:{label}" if module else label
    identities = attrs.get("identities") or []
    return str(identities[0]) if identities else label


def _groups(graph: nx.DiGraph) -> tuple[dict[str, list[str]], list[str]]:
    """Model nodes by the file that defines them, and the data nodes."""
    files: dict[str, list[str]] = {}
    data: list[str] = []
    for node, attrs in sorted(graph.nodes(data=True)):
        if attrs.get("kind") == "model":
            files.setdefault(str(attrs.get("path", "")), []).append(node)
        else:
            data.append(node)
    return dict(sorted(files.items())), data


def _style(attrs: Mapping[str, Any]) -> str:
    if attrs.get("cycle"):
        return ", color=red, penwidth=2"
    return ", color=orange, penwidth=2" if attrs.get("chain") else ""


def to_dot(graph: nx.DiGraph) -> str:
    lines = ["digraph model_graph {", "  rankdir=LR;", "  node [fontname=Helvetica];"]

    def node_line(node: str, indent: str) -> str:
        attrs = graph.nodes[node]
        shape = "box" if attrs.get("kind") == "model" else "cylinder"
        label = _dot_quote(display_label(attrs, node))
        return f"{indent}{_dot_quote(node)} [label={label}, shape={shape}{_style(attrs)}];"

    files, data = _groups(graph)
    for index, (path, nodes) in enumerate(files.items()):
        lines.append(f"  subgraph cluster_{index} {{")
        lines.append(f"    label={_dot_quote(path)}; style=rounded; color=gray;")
        lines.extend(node_line(node, "    ") for node in nodes)
        lines.append("  }")
    lines.extend(node_line(node, "  ") for node in data)
    for source, target, attrs in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1])):
        label = _dot_quote(_edge_label(attrs))
        lines.append(f"  {_dot_quote(source)} -> {_dot_quote(target)} [label={label}{_style(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    return str(text).replace('"', "#quot;").replace("\n", " ")


def to_mermaid(graph: nx.DiGraph) -> str:
    ids = {node: f"n{index}" for index, node in enumerate(sorted(graph.nodes))}
    lines = ["flowchart LR"]

    def node_line(node: str, indent: str) -> str:
        attrs = graph.nodes[node]
        label = _mermaid_text(display_label(attrs, node))
        shape = f'["{label}"]' if attrs.get("kind") == "model" else f'[("{label}")]'
        return f"{indent}{ids[node]}{shape}"

    files, data = _groups(graph)
    for index, (path, nodes) in enumerate(files.items()):
        lines.append(f'  subgraph f{index}["{_mermaid_text(path)}"]')
        lines.extend(node_line(node, "    ") for node in nodes)
        lines.append("  end")
    lines.extend(node_line(node, "  ") for node in data)
    marked: dict[str, list[int]] = {"cycle": [], "chain": []}
    edges = sorted(graph.edges(data=True), key=lambda e: (e[0], e[1]))
    for index, (source, target, attrs) in enumerate(edges):
        lines.append(f"  {ids[source]} -->|{_edge_label(attrs) or 'uses'}| {ids[target]}")
        for flag in marked:
            if attrs.get(flag):
                marked[flag].append(index)
                break
    lines += ["  classDef chain stroke:#e69500,stroke-width:3px", "  classDef cycle stroke:#d33,stroke-width:3px"]
    for flag in ("chain", "cycle"):
        members = [
            ids[n]
            for n in sorted(graph.nodes)
            if graph.nodes[n].get(flag) and (flag == "cycle" or not graph.nodes[n].get("cycle"))
        ]
        if members:
            lines.append(f"  class {','.join(members)} {flag}")
    colours = {"chain": "#e69500", "cycle": "#d33"}
    for flag, indexes in marked.items():
        if indexes:
            lines.append(f"  linkStyle {','.join(map(str, indexes))} stroke:{colours[flag]},stroke-width:3px")
    return "\n".join(lines) + "\n"


def to_json(graph: nx.DiGraph) -> str:
    return json.dumps(nx.node_link_data(graph), indent=2, sort_keys=True, default=str) + "\n"


def render(graph: nx.DiGraph, output_format: str) -> str:
    return {"dot": to_dot, "mermaid": to_mermaid, "json": to_json}[output_format](graph)

"""``mldebtlint graph`` in each format: DOT parses, Mermaid has the expected
structure, JSON loads back into networkx with the mldebtlint attributes."""

from __future__ import annotations

import json
import re

import networkx as nx
import pytest
from clirunner import invoke
from conftest import FIXTURES

CASCADE = FIXTURES / "churn_cascade"
LOOP = FIXTURES / "feedback_loop"


def graph_output(folder, fmt: str, *extra: str) -> str:
    result = invoke(["graph", folder, "--format", fmt, *extra])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_dot_parses_with_pydot_and_marks_the_chain():
    pydot = pytest.importorskip("pydot")
    (dot,) = pydot.graph_from_dot_data(graph_output(CASCADE, "dot"))
    graph = nx.nx_pydot.from_pydot(dot)
    declared = [*dot.get_nodes(), *(node for sub in dot.get_subgraphs() for node in sub.get_nodes())]
    attributes = {node.get_name().strip('"'): node.get_attributes() for node in declared}
    labels = {name: attrs["label"].strip('"') for name, attrs in attributes.items() if "label" in attrs}
    edges = {(labels[a], labels[b]) for a, b, _ in graph.edges}
    # Models are module:name, data stores their path.
    assert edges == {
        ("cascade.train_churn:churn_model", "cascade.train_upsell:upsell_model"),
        ("cascade.train_upsell:upsell_model", "artifacts/data/upsell_scores.parquet"),
        ("artifacts/data/upsell_scores.parquet", "cascade.train_offer_ranker:offer_ranker"),
    }
    shapes = {labels[name]: attrs["shape"] for name, attrs in attributes.items() if name in labels}
    assert shapes["artifacts/data/upsell_scores.parquet"] == "cylinder"
    assert shapes["cascade.train_offer_ranker:offer_ranker"] == "box"
    # One cluster per file defining models; the data store in none.
    clusters = {
        sub.get_label().strip('"'): [n.get_name().strip('"') for n in sub.get_nodes()] for sub in dot.get_subgraphs()
    }
    assert clusters == {
        "fixtures/churn_cascade/cascade/train_churn.py": ["model:artifacts/models/churn_model.joblib"],
        "fixtures/churn_cascade/cascade/train_offer_ranker.py": ["model:artifacts/models/offer_ranker.txt"],
        "fixtures/churn_cascade/cascade/train_upsell.py": ["model:artifacts/models/upsell_model.joblib"],
    }
    assert all(attrs.get("color") == "orange" for _, _, attrs in graph.edges(data=True))


def test_dot_without_offending_chain_is_unmarked():
    pydot = pytest.importorskip("pydot")
    (dot,) = pydot.graph_from_dot_data(graph_output(CASCADE, "dot", "--max-chain-length", "2"))
    assert not any("color" in edge.get_attributes() for edge in dot.get_edges())


def test_mermaid_structure():
    text = graph_output(LOOP, "mermaid")
    lines = text.strip().splitlines()
    assert lines[0] == "flowchart LR"
    nodes = dict(re.findall(r"^\s+(n\d+)\[\(?\"([^\"]+)\"\)?\]$", text, re.MULTILINE))
    log = "logs/predictions/predictions_*.parquet"
    assert sorted(nodes.values()) == [log, "training.retrain:model_path"]
    by_label = {label: node for node, label in nodes.items()}
    edges = re.findall(r"^\s+(n\d+) -->\|(\w+)\| (n\d+)$", text, re.MULTILINE)
    assert sorted(edges) == sorted(
        [
            (by_label["training.retrain:model_path"], "writes", by_label[log]),
            (by_label[log], "trains", by_label["training.retrain:model_path"]),
        ]
    )
    assert f'  n0[("{log}")]' in lines  # data artifacts are cylinders, outside any file
    # The model sits in the subgraph of the file that trains it.
    start = lines.index('  subgraph f0["fixtures/feedback_loop/training/retrain.py"]')
    assert lines[start + 1 : start + 3] == ['    n1["training.retrain:model_path"]', "  end"]
    assert re.search(r"^\s+class n0,n1 cycle$", text, re.MULTILINE)
    assert re.search(r"^\s+linkStyle 0,1 stroke:#d33", text, re.MULTILINE)


def test_json_round_trips_through_node_link_graph():
    data = json.loads(graph_output(CASCADE, "json"))
    graph = nx.node_link_graph(data)
    assert graph.is_directed()
    assert graph.nodes["model:artifacts/models/offer_ranker.txt"]["label"] == "offer_ranker"
    assert graph.nodes["model:artifacts/models/offer_ranker.txt"]["chain"] is True
    site = graph.edges["data:artifacts/data/upsell_scores.parquet", "model:artifacts/models/offer_ranker.txt"]["sites"][
        0
    ]
    assert (site["kind"], site["line"], site["path"].endswith("train_offer_ranker.py")) == ("trains", 23, True)
    meta = graph.graph["mldebtlint"]
    assert [chain["labels"] for chain in meta["chains"]] == [["churn_model", "upsell_model", "offer_ranker"]]
    assert meta["cycles"] == [] and meta["max_chain_length"] == 1


def test_json_of_a_loop_lists_the_cycle():
    graph = nx.node_link_graph(json.loads(graph_output(LOOP, "json")))
    assert [cycle["text"] for cycle in graph.graph["mldebtlint"]["cycles"]] == [
        "model_path -> [predictions_*.parquet] -> model_path"
    ]
    assert all(attrs["cycle"] for _, attrs in graph.nodes(data=True))


def test_graph_writes_to_output_file(tmp_path):
    target = tmp_path / "graph.json"
    result = invoke(["graph", CASCADE, "--format", "json", "--output", target])
    assert result.exit_code == 0 and result.stdout == ""
    assert nx.node_link_graph(json.loads(target.read_text())).number_of_nodes() == 4


def test_graph_of_missing_path_is_a_usage_error(tmp_path):
    result = invoke(["graph", tmp_path / "nope"])
    assert result.exit_code == 2
    assert "no such file or directory" in result.stderr


def test_graph_of_project_without_models_is_empty(tmp_path):
    (tmp_path / "util.py").write_text("def add(a, b):\n    return a + b\n")
    (tmp_path / "broken.py").write_text("def f(:\n")
    graph = nx.node_link_graph(json.loads(graph_output(tmp_path, "json")))
    assert graph.number_of_nodes() == 0

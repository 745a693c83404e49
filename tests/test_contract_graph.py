"""Contract of the model-graph analysis (mldebtlint/graph/analysis.py) on
hand-built graphs: data-to-data loops, two loops, alternative routes, loops
that no run can go round, and shapes that must not make it hang.

Shapes that could hang a broken analysis run in a subprocess with a generous
time limit: the limit only turns a hang into a failure, it measures nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import networkx as nx
import pytest

from mldebtlint.graph.analysis import find_chains, find_cycles, model_projection

TESTS = Path(__file__).resolve().parent
HANG_LIMIT_SECONDS = 60


def site(line: int, kind: str = "trains", path: str = "train.py", guards: list | None = None) -> dict:
    where = {"path": path, "line": line, "column": 1, "end_line": line, "end_column": 2, "kind": kind}
    if guards:
        where["guards"] = guards
    return where


class Builder:
    """``model("A")``, ``data("d")``, ``edge("A", "d", line)``: graph nodes as build.py makes them."""

    def __init__(self) -> None:
        self.graph = nx.DiGraph()
        self.line = 0

    def model(self, *names: str) -> Builder:
        for name in names:
            self.graph.add_node(f"model:{name}", kind="model", label=name)
        return self

    def data(self, *names: str) -> Builder:
        for name in names:
            self.graph.add_node(f"data:{name}", kind="data", label=name)
        return self

    def edge(self, source: str, target: str, kind: str = "trains", line: int | None = None, **extra) -> Builder:
        self.line += 1
        sites = [site(line or self.line, kind, **extra)]
        self.graph.add_edge(self._node(source), self._node(target), sites=sites)
        return self

    def route(self, *names: str) -> Builder:
        for source, target in zip(names, names[1:]):
            self.edge(source, target, kind="writes" if self._node(target).startswith("data:") else "trains")
        return self

    def _node(self, name: str) -> str:
        for prefix in ("model:", "data:"):
            if prefix + name in self.graph:
                return prefix + name
        raise KeyError(name)


# -- shapes (also run in a subprocess by name) ------------------------------------------------


def data_to_data_loop() -> nx.DiGraph:
    """A writes d1; d1 and d2 are derived from each other (a refresh job); B trains on d2."""
    return Builder().model("A", "B").data("d1", "d2").route("A", "d1", "d2", "d1").route("d2", "B").graph


def data_loop_without_exit() -> nx.DiGraph:
    """Data that only feeds itself: no model edge at all."""
    return Builder().model("A", "B").data("d1", "d2", "d3").route("A", "d1", "d2", "d3", "d1").graph


def dense_data() -> nx.DiGraph:
    """Every data node feeds every other one (a shared warehouse), models at the rim."""
    builder = Builder().model("A", "B", "C")
    names = [f"t{i}" for i in range(14)]
    builder.data(*names)
    for source in names:
        for target in names:
            if source != target:
                builder.edge(source, target, kind="writes")
    return builder.route("A", "t0").route("t13", "B").route("t7", "C").graph


def all_to_all_models() -> nx.DiGraph:
    """Twelve models, each trained on the stored predictions of every other one."""
    builder = Builder()
    names = [f"m{i:02d}" for i in range(12)]
    builder.model(*names)
    for source in names:
        builder.data(f"out_{source}")
        builder.route(source, f"out_{source}")
        for target in names:
            if target != source:
                builder.route(f"out_{source}", target)
    return builder.graph


def summary(graph: nx.DiGraph) -> dict:
    projection = model_projection(graph)
    return {
        "edges": sorted([a, b, list(attrs["via"])] for a, b, attrs in projection.edges(data=True)),
        "chains": [list(chain.labels) for chain in find_chains(graph, 1)],
        "cycles": [sorted(cycle.labels) for cycle in find_cycles(graph)],
    }


def in_subprocess(shape: str) -> dict:
    """``summary(shape())`` computed in a child process that must finish in time."""
    code = textwrap.dedent(
        f"""\
        import json, sys
        sys.path.insert(0, {str(TESTS)!r})
        import test_contract_graph as contract
        print(json.dumps(contract.summary(contract.{shape}())))
        """
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=HANG_LIMIT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"the analysis of {shape} did not finish in {HANG_LIMIT_SECONDS} s")
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


# -- data artifacts between models ----------------------------------------------------------------


def test_a_loop_among_data_nodes_ends_and_keeps_the_model_edge():
    result = in_subprocess("data_to_data_loop")
    assert result["edges"] == [["model:A", "model:B", ["data:d1", "data:d2"]]]
    assert result["cycles"] == [] and result["chains"] == []


def test_a_data_loop_without_a_model_downstream_adds_no_edge():
    result = in_subprocess("data_loop_without_exit")
    assert result["edges"] == [] and result["cycles"] == []


def test_a_dense_data_graph_ends_with_one_edge_per_reachable_model():
    result = in_subprocess("dense_data")
    assert [(a, b) for a, b, _ in result["edges"]] == [("model:A", "model:B"), ("model:A", "model:C")]
    assert result["cycles"] == []


def test_twelve_models_feeding_each_other_end_with_a_bounded_report():
    result = in_subprocess("all_to_all_models")
    assert len(result["edges"]) == 12 * 11
    assert 1 <= len(result["cycles"]) <= 200
    assert result["chains"] == []  # every edge is inside the loop


def test_the_shortest_data_route_is_kept_as_the_evidence():
    graph = Builder().model("A", "B").data("d1", "d2", "d3").route("A", "d1", "d2", "d3", "B").route("A", "d3").graph
    projection = model_projection(graph)
    assert list(projection.edges) == [("model:A", "model:B")]
    assert projection.edges["model:A", "model:B"]["via"] == ["data:d3"]


def test_a_route_through_data_is_preferred_to_a_direct_one_and_sites_are_merged():
    builder = Builder().model("A", "B").data("d").edge("A", "B", line=50)
    graph = builder.route("A", "d").edge("d", "B", line=7).graph
    edge = model_projection(graph).edges["model:A", "model:B"]
    assert edge["via"] == ["data:d"]
    assert [s["line"] for s in edge["sites"]] == [7, 50]


def test_the_same_site_reached_twice_is_listed_once():
    builder = Builder().model("A", "B").data("d1", "d2").route("A", "d1").route("A", "d2")
    graph = builder.edge("d1", "B", line=9).edge("d2", "B", line=9).graph
    assert [s["line"] for s in model_projection(graph).edges["model:A", "model:B"]["sites"]] == [9]


def test_a_training_site_comes_before_a_serving_site():
    builder = Builder().model("A", "B").data("d").route("A", "d")
    graph = builder.edge("d", "B", kind="serves", line=1).edge("A", "B", kind="trains", line=99).graph
    sites = model_projection(graph).edges["model:A", "model:B"]["sites"]
    assert [s["kind"] for s in sites] == ["trains", "serves"]


def test_a_projection_is_not_projected_again():
    projection = model_projection(data_to_data_loop())
    assert model_projection(projection) is projection


# -- chains ---------------------------------------------------------------------------------------


def chain_labels(graph: nx.DiGraph, max_len: int = 1) -> list[list[str]]:
    return [list(chain.labels) for chain in find_chains(graph, max_len)]


def test_the_longest_of_two_alternative_routes_is_the_chain():
    graph = Builder().model("A", "B", "C").data("a", "b").route("A", "a", "B", "b", "C").route("a", "C").graph
    assert chain_labels(graph) == [["A", "B", "C"]]
    (chain,) = find_chains(graph, 1)
    assert chain.length == 2 and chain.text() == "A -> B -> C"
    assert chain.site["line"] == 4  # b -> C, where C consumes B's outputs


def test_max_len_is_a_strict_bound():
    graph = Builder().model("A", "B", "C", "D").data("a", "b", "c").route("A", "a", "B", "b", "C", "c", "D").graph
    assert chain_labels(graph, 1) == [["A", "B", "C"], ["A", "B", "C", "D"]]
    assert chain_labels(graph, 2) == [["A", "B", "C", "D"]]
    assert chain_labels(graph, 3) == []


def test_edges_inside_a_loop_are_not_a_chain_but_the_exit_is():
    builder = Builder().model("A", "B", "C", "D").data("a", "b", "c", "e")
    graph = builder.route("A", "a", "B", "b", "A").route("B", "c", "C", "e", "D").graph
    assert chain_labels(graph) == [["B", "C", "D"]]


def test_two_models_in_a_row_are_not_a_chain_at_the_default_bound():
    graph = Builder().model("A", "B").data("d").route("A", "d", "B").graph
    assert chain_labels(graph) == []


# -- cycles ---------------------------------------------------------------------------------------


def test_a_model_retrained_on_its_own_stored_predictions_is_a_loop():
    graph = Builder().model("A").data("preds").route("A", "preds", "A").graph
    (cycle,) = find_cycles(graph)
    assert cycle.nodes == ("model:A",)
    assert cycle.via == (("preds",),)
    assert cycle.text() == "A -> [preds] -> A"


def test_two_separate_loops_are_two_findings():
    builder = Builder().model("A", "B", "C", "D").data("a", "b", "c", "d")
    graph = builder.route("A", "a", "B", "b", "A").route("C", "c", "D", "d", "C").graph
    assert sorted(sorted(cycle.labels) for cycle in find_cycles(graph)) == [["A", "B"], ["C", "D"]]


def test_a_loop_starts_after_the_edge_through_stored_data():
    builder = Builder().model("A", "B").data("scores")
    graph = builder.edge("A", "B", line=3).edge("B", "scores", "writes", line=8).edge("scores", "A", line=9).graph
    (cycle,) = find_cycles(graph)
    assert cycle.nodes == ("model:A", "model:B")  # closing edge B -> [scores] -> A
    assert cycle.via == ((), ("scores",))
    assert cycle.text() == "A -> B -> [scores] -> A"
    assert cycle.site["line"] == 9  # scores -> A: where A is trained on B's outputs


def test_among_data_edges_the_training_site_closes_the_loop():
    builder = Builder().model("A", "B").data("x", "y")
    graph = builder.route("A", "x").edge("x", "B", kind="serves", line=1).route("B", "y").edge("y", "A", line=40).graph
    (cycle,) = find_cycles(graph)
    assert cycle.site["kind"] == "trains" and cycle.site["line"] == 40
    assert cycle.nodes[0] == "model:A"


def test_branches_that_exclude_each_other_are_not_a_loop():
    """``if method == "distil":`` trains B on A; ``elif method == "self":`` trains A on B."""
    distil, self_train = [["method", "distil"]], [["method", "self"]]
    builder = Builder().model("A", "B").data("a", "b").route("A", "a").route("B", "b")
    graph = builder.edge("a", "B", guards=distil).edge("b", "A", guards=self_train).graph
    assert find_cycles(graph) == []


def test_branches_under_the_same_value_are_a_loop():
    """The twin: both edges exist when ``method == "distil"``."""
    distil = [["method", "distil"]]
    builder = Builder().model("A", "B").data("a", "b").route("A", "a").route("B", "b")
    graph = builder.edge("a", "B", guards=distil).edge("b", "A", guards=distil).graph
    assert [sorted(cycle.labels) for cycle in find_cycles(graph)] == [["A", "B"]]


def test_one_unguarded_site_keeps_the_loop_possible():
    distil, self_train = [["method", "distil"]], [["method", "self"]]
    builder = Builder().model("A", "B").data("a", "b").route("A", "a").route("B", "b")
    graph = builder.edge("a", "B", guards=distil).edge("b", "A", guards=self_train).graph
    graph.edges["data:b", "model:A"]["sites"].append(site(77))  # an unconditional retrain as well
    assert [sorted(cycle.labels) for cycle in find_cycles(graph)] == [["A", "B"]]


def test_guards_on_other_subjects_do_not_exclude():
    builder = Builder().model("A", "B").data("a", "b").route("A", "a").route("B", "b")
    graph = builder.edge("a", "B", guards=[["method", "x"]]).edge("b", "A", guards=[["stage", "y"]]).graph
    assert len(find_cycles(graph)) == 1


def test_a_chain_finding_names_its_last_model_as_the_consumer():
    from conftest import FIXTURES, lint_folder

    (finding,) = [f for f in lint_folder(FIXTURES / "two_stage_recsys").findings if f.code == "MLD401"]
    chain = finding.message.split("chain of outputs: ", 1)[1].split(" (max-chain-length", 1)[0].split(" -> ")
    assert len(chain) == 3
    assert finding.message.startswith(f"{chain[-1]} consumes a 2-model chain")
    assert finding.related  # the save/load/train sites the chain rests on


def test_a_shorter_route_found_before_a_longer_one_is_kept():
    graph = Builder().model("A", "B").data("a1", "a2", "b1").route("A", "b1", "B").route("A", "a1", "a2", "B").graph
    assert model_projection(graph).edges["model:A", "model:B"]["via"] == ["data:b1"]


def test_the_default_bound_reports_chains_of_two_models_after_the_first():
    graph = Builder().model("A", "B", "C").data("a", "b").route("A", "a", "B", "b", "C").graph
    assert [list(chain.labels) for chain in find_chains(graph)] == [["A", "B", "C"]]


def test_evidence_lists_each_site_of_a_chain_once_in_order():
    from mldebtlint.graph.analysis import evidence

    builder = Builder().model("A", "B", "C").data("a", "b").route("A", "a", "B", "b", "C")
    graph = builder.graph
    graph.nodes["model:A"]["sites"] = [{"path": "train_a.py", "line": 9, "kind": "saves", "identity": "a.pt"}]
    graph.nodes["model:B"]["sites"] = [
        {"path": "train_b.py", "line": 3, "kind": "loads", "identity": "a.pt"},
        {"path": "train_b.py", "line": 3, "kind": "loads", "identity": "a.pt"},  # the same site twice
    ]
    found = evidence(graph, [("model:A", "model:B"), ("model:B", "model:C")])
    assert found == [
        ("train_a.py", 9, "A saved to a.pt"),
        ("train.py", 1, "a written from A's outputs"),
        ("train.py", 2, "B trained on a"),
        ("train_b.py", 3, "B loaded from a.pt"),
        ("train.py", 3, "b written from B's outputs"),
        ("train.py", 4, "C trained on b"),
    ]


def test_evidence_is_capped():
    from mldebtlint.graph.analysis import evidence

    names = [f"m{i:02d}" for i in range(30)]
    builder = Builder().model(*names)
    for index, (source, target) in enumerate(zip(names, names[1:])):
        builder.data(f"d{index:02d}").route(source, f"d{index:02d}", target)
    pairs = [(f"model:{a}", f"model:{b}") for a, b in zip(names, names[1:])]
    assert len(evidence(builder.graph, pairs)) == 24


def test_a_loop_closes_at_the_edge_from_a_stored_model_when_no_edge_goes_through_data():
    builder = Builder().model("A", "B").edge("A", "B", line=1).edge("B", "A", line=2)
    builder.graph.edges["model:B", "model:A"]["sites"][0]["stored"] = True  # A is trained on B loaded from disk
    (cycle,) = find_cycles(builder.graph)
    assert cycle.site["line"] == 2
    assert cycle.nodes == ("model:A", "model:B")


def test_in_one_component_the_loop_through_storage_is_the_one_reported():
    """A <-> B in memory, and A -> B -> [scores] -> C -> A through storage: one finding, the stored loop."""
    builder = Builder().model("A", "B", "C").data("scores")
    builder.edge("A", "B", line=1).edge("B", "A", line=2).route("B", "scores", "C").edge("C", "A", line=9)
    for explicit in (False, True):
        (cycle,) = find_cycles(builder.graph, explicit=explicit)
        assert sorted(cycle.labels) == ["A", "B", "C"], explicit
        assert "scores" in {label for hop in cycle.via for label in hop}


def test_in_one_component_the_loop_with_the_earliest_closing_site_is_reported():
    builder = Builder().model("A", "B", "C").data("a", "b", "c", "e")
    graph = builder.route("A", "a", "B", "b", "A").route("B", "c", "C", "e", "B").graph
    (cycle,) = find_cycles(graph)
    assert sorted(cycle.labels) == ["A", "B"]
    assert cycle.site["line"] == 2  # a -> B, the first training site of the loop


def test_a_loop_through_storage_is_called_a_feedback_loop():
    from conftest import FIXTURES, lint_folder

    (finding,) = [f for f in lint_folder(FIXTURES / "feedback_loop").findings if f.code == "MLD402"]
    assert "feedback loop" in finding.message and "in-memory" not in finding.message

"""The model graph of each fixture project: exact edges, chains, cycles and
where MLD401/MLD402 report them (also when only one file is checked)."""

from __future__ import annotations

import json

import pytest
from clirunner import invoke
from conftest import FIXTURES, lint_folder

from mldebtlint.engine.runner import graph_for_paths
from mldebtlint.graph import find_chains, find_cycles, model_projection


def labelled_edges(graph) -> set[tuple[str, str]]:
    label = lambda node: graph.nodes[node]["label"]  # noqa: E731
    return {(label(a), label(b)) for a, b in graph.edges}


def model_graph(name: str):
    return graph_for_paths([FIXTURES / name])


def relative_findings(name: str):
    from pathlib import Path

    root = (FIXTURES / name).resolve()
    out = []
    for finding in lint_folder(FIXTURES / name).findings:
        path = Path(finding.path)
        path = path if path.is_absolute() else Path.cwd() / path
        out.append((path.resolve().relative_to(root).as_posix(), finding.line, finding.column, finding.code, finding))
    return sorted(out, key=lambda item: item[:4])


def test_churn_cascade_graph_and_chain():
    graph = model_graph("churn_cascade")
    assert labelled_edges(graph) == {
        ("churn_model", "upsell_model"),
        ("upsell_model", "upsell_scores.parquet"),
        ("upsell_scores.parquet", "offer_ranker"),
    }
    assert graph.nodes["model:artifacts/models/churn_model.joblib"]["kind"] == "model"
    assert graph.nodes["data:artifacts/data/upsell_scores.parquet"]["kind"] == "data"
    assert "model:artifacts/models/offer_ranker.txt" in graph
    projection = model_projection(graph)
    assert labelled_edges(projection) == {("churn_model", "upsell_model"), ("upsell_model", "offer_ranker")}
    assert projection.edges["model:artifacts/models/upsell_model.joblib", "model:artifacts/models/offer_ranker.txt"][
        "via"
    ] == ["data:artifacts/data/upsell_scores.parquet"]
    chains = find_chains(graph, 1)
    assert [chain.labels for chain in chains] == [("churn_model", "upsell_model", "offer_ranker")]
    assert (chains[0].site["path"].endswith("cascade/train_offer_ranker.py"), chains[0].site["line"]) == (True, 23)
    assert find_chains(graph, 2) == []
    assert find_cycles(graph) == []


def test_churn_cascade_finding_location_and_message():
    found = relative_findings("churn_cascade")
    assert [item[:4] for item in found] == [("cascade/train_offer_ranker.py", 23, 5, "MLD401")]
    finding = found[0][4]
    assert "churn_model -> upsell_model -> offer_ranker" in finding.message
    assert dict(finding.data)["chain"] == ["churn_model", "upsell_model", "offer_ranker"]


def test_feedback_loop_is_one_cycle_closed_at_the_training_site():
    graph = model_graph("feedback_loop")
    assert labelled_edges(graph) == {("model_path", "predictions_*.parquet"), ("predictions_*.parquet", "model_path")}
    cycles = find_cycles(graph)
    assert len(cycles) == 1
    assert cycles[0].labels == ("model_path",)
    assert cycles[0].text() == "model_path -> [predictions_*.parquet] -> model_path"
    assert find_chains(graph, 1) == []
    found = relative_findings("feedback_loop")
    assert [item[:4] for item in found] == [("training/retrain.py", 15, 5, "MLD402")]
    assert "model_path -> [predictions_*.parquet] -> model_path" in found[0][4].message


def test_distillation_teacher_feeds_student_without_finding():
    graph = model_graph("distillation")
    assert labelled_edges(graph) == {("teacher", "student")}
    edge = graph.edges["model:checkpoints/teacher", "model:checkpoints/student/student.pt"]
    assert [(site["kind"], site["line"]) for site in edge["sites"]] == [("trains", 34)]
    assert find_chains(graph, 1) == [] and find_cycles(graph) == []
    assert relative_findings("distillation") == []


def test_two_stage_recsys_chain_through_embeddings_and_candidates():
    graph = model_graph("two_stage_recsys")
    assert labelled_edges(graph) == {
        ("item_encoder", "item_embeddings.npy"),
        ("item_embeddings.npy", "retriever"),
        ("retriever", "candidates.parquet"),
        ("candidates.parquet", "ranker"),
        ("retriever", "ranker"),  # serve time: retrieved candidates are ranked
    }
    serve_edge = graph.edges["model:artifacts/retriever.joblib", "model:artifacts/ranker.txt"]
    assert [site["kind"] for site in serve_edge["sites"]] == ["serves"]
    assert [chain.labels for chain in find_chains(graph, 1)] == [("item_encoder", "retriever", "ranker")]
    assert [item[:4] for item in relative_findings("two_stage_recsys")] == [("train_ranker.py", 15, 5, "MLD401")]


def test_negatives_resume_eval_export_and_ensemble_make_no_edges():
    graph = model_graph("graph_negatives")
    assert graph.number_of_edges() == 0
    labels = {attrs["label"]: attrs for _, attrs in graph.nodes(data=True)}
    assert set(labels) == {"final", "gbm", "rf", "lr"}
    # Checkpoint, final weights and the ONNX export are one model.
    assert labels["final"]["identities"] == ["checkpoints/last.pt", "models/final.onnx", "models/final.pt"]
    assert relative_findings("graph_negatives") == []


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("cascade/train_offer_ranker.py", [("train_offer_ranker.py", 23, "MLD401")]),
        ("cascade/train_upsell.py", []),
        ("cascade/train_churn.py", []),
    ],
)
def test_checking_one_file_reports_only_findings_located_in_it(relative, expected):
    result = invoke(["check", FIXTURES / "churn_cascade" / relative, "--format", "json", "--exit-zero"])
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(row["path"].rsplit("/", 1)[-1], row["line"], row["code"]) for row in rows] == expected
    assert all(row["path"].endswith(relative) for row in rows)


def test_checking_the_closing_file_of_a_loop_reports_the_cycle():
    result = invoke(["check", FIXTURES / "feedback_loop" / "training" / "retrain.py", "--format", "json"])
    assert result.exit_code == 1
    assert [(row["line"], row["code"]) for row in json.loads(result.stdout)] == [(15, "MLD402")]
    serving = invoke(["check", FIXTURES / "feedback_loop" / "serving" / "app.py", "--format", "json"])
    assert serving.exit_code == 0 and json.loads(serving.stdout) == []

"""The report data (``mldebtlint.report.model``): numbers, sections, schema, trend.

``sample_result()`` is a hand-made CheckResult with known debt; the format
and browser tests import it too.
"""

from __future__ import annotations

import copy
import datetime as dt
import json

import jsonschema
import libcst as cst
import pytest
from conftest import REPO
from libcst.metadata import MetadataWrapper

from mldebtlint.core.catalog import load_catalog
from mldebtlint.core.config import Settings
from mldebtlint.core.errors import ConfigError
from mldebtlint.core.types import CheckResult, FileResult, Finding, Location
from mldebtlint.engine.batched import BatchedVisitor
from mldebtlint.engine.runner import RunOptions, run
from mldebtlint.graph.facts import ModelGraphFacts
from mldebtlint.report.graph_section import models_of
from mldebtlint.report.model import SCHEMA_VERSION, build_report, one_line
from mldebtlint.report.trend import load_previous
from mldebtlint.rule import FileContext

SCHEMA_PATH = REPO / "schemas" / "report.schema.json"
NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)


def make(code, rule, category, path, line, debt, priority, fingerprint, message="debt here", **data) -> Finding:
    return Finding(
        code,
        rule,
        category,
        "warning",
        message,
        path,
        Location(line, 1, line, 9),
        debt,
        priority,
        fingerprint,
        (),
        tuple(sorted(data.items())),
    )


def sample_findings() -> list[Finding]:
    return [
        make(
            "MLD000", "parse-error", "tooling", "src/broken.py", 2, 5, 0.33, "f-parse", "syntax error: invalid syntax"
        ),
        make(
            "MLD101",
            "hardcoded-threshold",
            "configuration",
            "src/serve.py",
            12,
            10,
            1.5,
            "f-thr1",
            "threshold 0.7 compared with model output `proba`",
            literals=[0.7],
            subject="proba",
        ),
        make(
            "MLD101",
            "hardcoded-threshold",
            "configuration",
            "src/serve.py",
            30,
            10,
            1.5,
            "f-thr2",
            literals=[0.3],
            subject="margin",
        ),
        make("MLD201", "glue-code", "integration", "src/features.py", 5, 60, 9.0, "f-glue"),
        make(
            "MLD301",
            "unpinned-framework",
            "dependency",
            "requirements.txt",
            3,
            15,
            4.0,
            "f-pin",
            "torch is not pinned to an exact version",
            package="torch",
            specifier=">=2.0",
        ),
        make(
            "MLD401",
            "model-dependency-chain",
            "model",
            "src/offers.py",
            20,
            120,
            32.0,
            "f-chain",
            "offer_ranker is trained on a chain",
            chain=["churn_model", "upsell_model", "offer_ranker"],
        ),
        make(
            "MLD402",
            "model-dependency-cycle",
            "model",
            "src/retrain.py",
            9,
            240,
            100.0,
            "f-cycle",
            "feedback loop: ranker -> clicks -> ranker",
            cycle=["ranker", "clicks", "ranker"],
        ),
    ]


# Model-graph facts of two small files: a churn -> upsell -> offer_ranker chain
# and a ranker trained on the clicks its own scores produced.
GRAPH_SOURCES = {
    "src/offers.py": """
import joblib
from sklearn.linear_model import LogisticRegression


def train(frame):
    churn = joblib.load("churn_model.joblib")
    frame["churn"] = churn.predict(frame)
    upsell = LogisticRegression().fit(frame, frame["label"])
    joblib.dump(upsell, "upsell_model.joblib")


def rank(frame):
    upsell = joblib.load("upsell_model.joblib")
    frame["upsell"] = upsell.predict(frame)
    ranker = LogisticRegression().fit(frame, frame["label"])
    joblib.dump(ranker, "offer_ranker.joblib")
""",
    "src/retrain.py": """
import joblib
import pandas as pd
from sklearn.linear_model import LogisticRegression


def serve(frame):
    ranker = joblib.load("ranker.joblib")
    frame["score"] = ranker.predict(frame)
    frame.to_parquet("clicks.parquet")


def retrain():
    frame = pd.read_parquet("clicks.parquet")
    ranker = LogisticRegression().fit(frame, frame["label"])
    joblib.dump(ranker, "ranker.joblib")
""",
}


def graph_facts(path: str) -> dict | None:
    source = GRAPH_SOURCES.get(path)
    if source is None:
        return None
    module = cst.parse_module(source)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    collector = ModelGraphFacts(FileContext(path, module, Settings(), wrapper))
    wrapper.resolve_many(set(collector.METADATA_DEPENDENCIES))
    module.visit(BatchedVisitor(collector.context, [collector]))
    return {ModelGraphFacts.__name__: collector.facts()}


def sample_result(findings: list[Finding] | None = None) -> CheckResult:
    files = (
        FileResult("src/broken.py", lines=40),
        FileResult("src/serve.py", lines=120),
        FileResult("src/features.py", lines=90),
        FileResult("requirements.txt", is_python=False),
        FileResult("src/offers.py", lines=150, facts=graph_facts("src/offers.py")),
        FileResult("src/retrain.py", lines=60, facts=graph_facts("src/retrain.py")),
        FileResult("src/clean.py", lines=40),
    )
    return CheckResult(tuple(sample_findings() if findings is None else findings), files, suppressed=2)


SQALE = Settings(ratio_model="sqale")


def sample_report(**kwargs) -> dict:
    """The sample under the SQALE ratio (all lines, 5/10/20/50%): round numbers."""
    return build_report(sample_result(), SQALE, target="demo", now=NOW, **kwargs)


def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def validate(report: dict) -> None:
    jsonschema.validate(json.loads(json.dumps(report)), schema(), cls=jsonschema.Draft202012Validator)


# -- numbers ---------------------------------------------------------------------


def test_headline_numbers():
    summary = sample_report()["summary"]
    # 460 min of debt over 500 lines x 30 min = 15000 min
    assert summary["debt_minutes"] == 460
    assert summary["lines"] == 500
    assert summary["development_minutes"] == 15000
    assert summary["debt_ratio"] == round(460 / 15000, 6)
    assert summary["rating"] == "A"
    assert summary["remediation"] == "7h 40min"
    assert (summary["findings"], summary["files"], summary["files_with_findings"]) == (7, 7, 6)
    assert summary["suppressed"] == 2


def test_minutes_per_line_from_settings_changes_ratio_and_rating():
    report = build_report(sample_result(), Settings(minutes_per_line=1.0, ratio_model="sqale"), now=NOW)
    assert report["summary"]["debt_ratio"] == 0.92
    assert report["summary"]["rating"] == "E"


def test_categories_and_rules_sum_to_total():
    report = sample_report()
    assert [c["category"] for c in report["categories"]] == [
        "model",
        "integration",
        "configuration",
        "dependency",
        "tooling",
    ]
    assert sum(c["debt_minutes"] for c in report["categories"]) == 460
    assert sum(r["debt_minutes"] for r in report["rules"]) == 460
    model = report["categories"][0]
    assert model["debt_minutes"] == 360 and model["findings"] == 2 and model["share"] == round(360 / 460, 4)
    mld101 = next(r for r in report["rules"] if r["code"] == "MLD101")
    assert (mld101["findings"], mld101["debt_minutes"], mld101["rule"]) == (2, 20, "hardcoded-threshold")


def test_hotspot_files_with_their_own_ratio():
    report = sample_report(hotspots=3)
    assert [f["path"] for f in report["files"]][:3] == ["src/retrain.py", "src/offers.py", "src/features.py"]
    retrain = report["files"][0]
    assert retrain["debt_ratio"] == round(240 / 1800, 6) and retrain["rating"] == "C"
    requirements = next(f for f in report["files"] if f["path"] == "requirements.txt")
    assert requirements["debt_ratio"] is None and requirements["lines"] == 0
    assert requirements["rating"] is None and requirements["kind"] == "manifest"
    assert requirements["rules"] == [{"code": "MLD301", "findings": 1}]
    assert retrain["kind"] == "code" and retrain["rules"] == [{"code": "MLD402", "findings": 1}]
    assert report["hotspot_limit"] == 3


def test_items_ranked_by_risk_weighted_debt_with_fix_advice():
    report = sample_report(top=3)
    items = report["items"]
    # The 4-hour feedback loop first, the 5-minute parse error last.
    assert [(i["rank"], i["code"], i["priority"]) for i in items] == [
        (1, "MLD402", 100.0),
        (2, "MLD401", 32.0),
        (3, "MLD201", 9.0),
    ]
    assert report["items_total"] == 7
    entry = load_catalog()["MLD402"]
    assert items[0]["fix"] == one_line(entry.fix) and items[0]["fix"]
    assert (items[0]["impact"], items[0]["risk"]) == (entry.impact, entry.risk)
    assert [i["code"] for i in sample_report(top=10)["items"]][-3:] == ["MLD101", "MLD101", "MLD000"]


def test_identical_items_of_one_policy_are_merged():
    literal = "literal hyperparameter {}={} passed to `Ridge`; take it from config"
    findings = [
        make(
            "MLD102",
            "hardcoded-hyperparameter",
            "configuration",
            "src/train.py",
            line,
            15,
            2.25,
            f"h{line}",
            literal.format(name, value),
            hyperparameters=name,
        )
        for line, name, value in ((10, "alpha", "1.0"), (11, "max_iter", "500"), (30, "alpha", "0.5"))
    ]
    # The same policy in another file, and another rule's policy in the same file: kept apart.
    findings.append(
        make(
            "MLD102",
            "hardcoded-hyperparameter",
            "configuration",
            "src/other.py",
            3,
            15,
            2.25,
            "o3",
            literal.format("alpha", "2"),
            hyperparameters="alpha",
        )
    )
    findings.append(
        make(
            "MLD101",
            "hardcoded-threshold",
            "configuration",
            "src/train.py",
            50,
            15,
            2.25,
            "x50",
            "literal 0.9 used as threshold on 'val_auc'",
            literals=[0.9],
            subject="val_auc",
        )
    )
    findings.append(
        make("MLD402", "model-dependency-cycle", "model", "src/loop.py", 9, 480, 200.0, "cyc", cycle=["a", "b", "a"])
    )
    report = build_report(sample_result(findings), SQALE, now=NOW)
    items = report["items"]
    assert [(i["code"], i["path"], i["count"]) for i in items] == [
        ("MLD402", "src/loop.py", 1),
        ("MLD102", "src/train.py", 3),
        ("MLD102", "src/other.py", 1),
        ("MLD101", "src/train.py", 1),
    ]
    merged = items[1]
    assert merged["lines"] == [10, 11, 30] and merged["line"] == 10
    assert merged["debt_minutes"] == 45 and merged["priority"] == 6.75
    assert merged["fingerprints"] == ["h10", "h11", "h30"]
    assert report["items_total"] == 4
    validate(report)


def test_items_grouped_per_category_in_order_of_their_most_urgent_item():
    from mldebtlint.report.model import items_by_category

    groups = items_by_category(sample_report(top=10))
    assert [category for category, _ in groups] == ["model", "integration", "dependency", "configuration", "tooling"]
    assert [i["rank"] for i in groups[0][1]] == [1, 2]
    assert [i["line"] for i in groups[3][1]] == [12, 30]


def test_ml_code_ratio_weighs_the_ml_code_only():
    settings = Settings()  # default: ml-code
    report = build_report(sample_result(), settings, now=NOW, ml_paths=frozenset({"src/clean.py"}))
    summary = report["summary"]
    # broken.py (a parse error only) is not ML code; the manifest has no lines.
    assert (summary["ratio_model"], summary["lines"], summary["ml_lines"]) == ("ml-code", 500, 460)
    assert summary["ratio_lines"] == 460 and summary["development_minutes"] == 460 * 30
    assert summary["debt_ratio"] == round(460 / 13800, 6) and summary["rating"] == "E"
    assert report["thresholds"] == {"A": 0.0005, "B": 0.001, "C": 0.0025, "D": 0.005}
    validate(report)
    less = build_report(
        sample_result([f for f in sample_findings() if f.code not in ("MLD401", "MLD402")]), settings, now=NOW
    )
    assert less["summary"]["rating"] == "E" and less["summary"]["debt_ratio"] < summary["debt_ratio"]


def test_one_line_fix_advice_is_the_first_sentence():
    assert one_line("Name it.\nThen move it to config. Later more.") == "Name it."
    assert one_line("  Pin the version\n  exactly  ") == "Pin the version exactly"
    assert one_line("") == ""


def test_unknown_rule_in_findings_does_not_break_the_report():
    report = build_report(
        sample_result([make("MLD999", "from-the-future", "misc", "a.py", 1, 5, 1.0, "x")]), Settings(), now=NOW
    )
    assert report["items"][0]["fix"] == "" and report["items"][0]["impact"] is None
    validate(report)


# -- sections --------------------------------------------------------------------


def test_model_graph_chains_and_cycles_from_finding_data_nodes_and_edges_from_graph_facts():
    graph = sample_report()["model_graph"]
    assert [c["models"] for c in graph["chains"]] == [["churn_model", "upsell_model", "offer_ranker"]]
    assert [c["models"] for c in graph["cycles"]] == [["ranker", "clicks", "ranker"]]
    assert graph["chains"][0]["path"] == "src/offers.py" and graph["chains"][0]["line"] == 20
    # Nodes by the graph's unique ids, labelled module:name (models) or path (data).
    edges = {(e["source"], e["target"]): e["cycle"] for e in graph["edges"]}
    assert edges == {
        ("model:churn_model.joblib", "model:upsell_model.joblib"): False,
        ("model:upsell_model.joblib", "model:offer_ranker.joblib"): False,
        ("model:ranker.joblib", "data:clicks.parquet"): True,
        ("data:clicks.parquet", "model:ranker.joblib"): True,
    }
    assert {n["id"]: n["label"] for n in graph["nodes"]} == {
        "model:churn_model.joblib": "src.offers:churn_model",
        "model:upsell_model.joblib": "src.offers:upsell_model",
        "model:offer_ranker.joblib": "src.offers:offer_ranker",
        "model:ranker.joblib": "src.retrain:ranker",
        "data:clicks.parquet": "clicks.parquet",
    }


def test_model_graph_is_empty_without_graph_facts():
    result = sample_result()
    bare = CheckResult(result.findings, tuple(FileResult(f.path, lines=f.lines) for f in result.files))
    graph = build_report(bare, Settings(), now=NOW)["model_graph"]
    assert graph["nodes"] == [] and graph["edges"] == []
    assert len(graph["chains"]) == 1 and len(graph["cycles"]) == 1


def test_models_of_reads_data_not_the_message():
    finding = make("MLD402", "c", "model", "a.py", 1, 1, 1.0, "x", "loop a -> b -> a", cycle=["x", "y"])
    assert models_of(finding) == ["x", "y"]
    chain = make("MLD401", "c", "model", "a.py", 1, 1, 1.0, "x", "a -> b -> c", chain=["a", "b", "c"])
    assert models_of(chain) == ["a", "b", "c"]


def test_dependency_health_lists_flagged_framework():
    frameworks = sample_report()["dependencies"]["frameworks"]
    torch = next(f for f in frameworks if f["name"] == "torch")
    assert torch["flagged"] == 1
    assert torch["requirements"][0] == {
        "path": "requirements.txt",
        "line": 3,
        "specifier": ">=2.0",
        "status": "range",
        "flagged": True,
    }


def test_dependency_health_includes_pinned_requirements_from_manifests(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "requirements.txt").write_text("torch==2.1.0\nrequests\n", encoding="utf-8")
    # The engine parses the manifest once and keeps its requirements as facts,
    # even when MLD301 is not selected; the report reads only those facts.
    settings = Settings(root=str(tmp_path), select=("MLD101",))
    result = run(RunOptions(paths=[tmp_path], settings=settings))
    (tmp_path / "requirements.txt").unlink()
    frameworks = build_report(result, settings, now=NOW)["dependencies"]["frameworks"]
    assert frameworks == [
        {
            "name": "torch",
            "flagged": 0,
            "requirements": [
                {"path": "requirements.txt", "line": 1, "specifier": "==2.1.0", "status": "exact", "flagged": False}
            ],
        }
    ]


# -- JSON schema -----------------------------------------------------------------


def test_schema_is_valid_and_versioned():
    document = schema()
    jsonschema.Draft202012Validator.check_schema(document)
    assert "schema_version" in document["required"]
    assert document["properties"]["schema_version"]["pattern"].startswith("^" + SCHEMA_VERSION.split(".")[0])


def test_report_validates_against_schema():
    report = sample_report()
    assert report["schema_version"] == SCHEMA_VERSION
    assert report["generated_at"] == "2026-01-02T03:04:05Z"
    validate(report)


def test_schema_rejects_a_report_missing_a_section():
    report = sample_report()
    del report["summary"]["rating"]
    with pytest.raises(jsonschema.ValidationError):
        validate(report)


def test_empty_result_validates():
    report = build_report(CheckResult(()), Settings(), now=NOW)
    assert report["summary"]["rating"] == "A" and report["summary"]["debt_ratio"] == 0.0
    validate(report)


# -- trend -----------------------------------------------------------------------


def test_trend_new_and_fixed_by_fingerprint_and_deltas():
    previous = sample_report()
    findings = [f for f in sample_findings() if f.fingerprint != "f-glue"]  # glue code fixed
    findings.append(make("MLD101", "hardcoded-threshold", "configuration", "src/serve.py", 40, 10, 1.5, "f-thr3"))
    # An unrelated edit moved a finding: same fingerprint, other line -> neither new nor fixed.
    findings = [
        make("MLD000", "parse-error", "tooling", "src/broken.py", 7, 5, 0.33, "f-parse", "syntax error: invalid syntax")
        if f.fingerprint == "f-parse"
        else f
        for f in findings
    ]
    report = build_report(sample_result(findings), SQALE, now=NOW, previous=previous, previous_label="old.json")
    trend = report["trend"]
    assert trend["previous"]["label"] == "old.json"
    assert [f["fingerprint"] for f in trend["new"]] == ["f-thr3"]
    assert [f["fingerprint"] for f in trend["fixed"]] == ["f-glue"]
    assert (trend["new_count"], trend["fixed_count"]) == (1, 1)
    assert trend["debt_delta"] == -50 and trend["findings_delta"] == 0
    categories = {row["category"]: row for row in trend["categories"]}
    assert categories["integration"]["debt_delta"] == -60 and categories["integration"]["debt_after"] == 0
    assert categories["configuration"]["debt_delta"] == 10 and categories["configuration"]["findings_delta"] == 1
    assert "model" not in categories  # unchanged rows are left out
    assert {row["code"]: row["debt_delta"] for row in trend["rules"]} == {"MLD201": -60, "MLD101": 10}
    assert {row["path"]: row["debt_delta"] for row in trend["files"]} == {"src/features.py": -60, "src/serve.py": 10}
    validate(report)


def test_load_previous_rejects_non_reports(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(sample_report()), encoding="utf-8")
    assert load_previous(good)["summary"]["findings"] == 7
    for name, content in (
        ("list.json", "[]"),
        ("broken.json", "{"),
        ("other.json", '{"a": 1}'),
        ("future.json", json.dumps(dict(copy.deepcopy(sample_report()), schema_version="2.0"))),
    ):
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        with pytest.raises(ConfigError, match=name):
            load_previous(path)
    with pytest.raises(ConfigError, match="cannot read"):
        load_previous(tmp_path / "missing.json")


def test_items_of_one_policy_merge_by_their_data_not_their_message():
    from mldebtlint.core.types import Finding, Location
    from mldebtlint.report.model import merged_items

    def threshold(line: int, literal: float, subject: str, message: str) -> Finding:
        return Finding(
            code="MLD101",
            rule="hardcoded-threshold",
            category="configuration",
            severity="warning",
            message=message,
            path="serve.py",
            location=Location(line, 5, line, 8),
            debt_minutes=10,
            priority=1.0,
            fingerprint=f"f{line}",
            data=(("literals", [literal]), ("subject", subject)),
        )

    band_high = threshold(10, 0.7, "risk", "literal 0.7 used as threshold on 'risk'")
    band_medium = threshold(12, 0.4, "risk", "literal 0.4 used as threshold on 'risk'")
    # Same message shape, another subject: another policy.
    other = threshold(20, 0.4, "fraud_score", "literal 0.4 used as threshold on 'risk'")
    groups = merged_items([band_high, band_medium, other])
    assert sorted(len(group) for group in groups) == [1, 2]
    merged = next(group for group in groups if len(group) == 2)
    assert {finding.line for finding in merged} == {10, 12}

"""Findings carry typed ``data``: the JSON output has it for MLD101, MLD102,
MLD301, MLD401 and MLD402, and the report reads it (never the message). Fixes
travel with the finding: the rule attaches the edits, ``--fix`` applies them."""

from __future__ import annotations

import json
import textwrap
from dataclasses import replace
from pathlib import Path

from clirunner import invoke

from mldebtlint.core.config import Settings
from mldebtlint.core.types import Edit, Finding, Fix, Location
from mldebtlint.fixes import fix_text
from mldebtlint.manifests import pins
from mldebtlint.report.dependencies import requirement_of

PROJECT = {
    "mldebtlint.toml": 'select = ["MLD101", "MLD102", "MLD301", "MLD401", "MLD402"]\n',
    "requirements.txt": "torch>=2.0\nrequests\n",
    "serve.py": """
        def decide(model, X):
            proba = model.predict_proba(X)[:, 1]
            cutoff = 0.4
            return proba > 0.7, proba >= cutoff
    """,
    "train.py": """
        import joblib
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.linear_model import LogisticRegression


        def train(frame):
            churn = joblib.load("churn_model.joblib")
            frame["churn"] = churn.predict(frame)
            upsell = RandomForestClassifier(n_estimators=500, max_depth=12).fit(frame, frame["label"])
            joblib.dump(upsell, "upsell_model.joblib")


        def rank(frame):
            upsell = joblib.load("upsell_model.joblib")
            frame["upsell"] = upsell.predict(frame)
            ranker = LogisticRegression().fit(frame, frame["label"])
            joblib.dump(ranker, "offer_ranker.joblib")
    """,
    "loop.py": """
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


def write_project(folder: Path) -> Path:
    for name, text in PROJECT.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def test_json_output_carries_data_for_each_typed_rule(tmp_path, monkeypatch):
    monkeypatch.chdir(write_project(tmp_path))
    result = invoke(["check", "--no-cache", "--format", "json", "."])
    assert result.exit_code == 1
    data = {(f["code"], f["path"], f["line"], f["column"]): f.get("data") for f in json.loads(result.stdout)}
    assert data == {
        ("MLD101", "serve.py", 5, 12): {"literals": [0.7], "subject": "proba"},
        ("MLD101", "serve.py", 5, 25): {"literals": [0.4], "subject": "proba", "local": "cutoff"},
        ("MLD102", "train.py", 10, 14): {"hyperparameters": "n_estimators,max_depth"},
        ("MLD301", "requirements.txt", 1, 1): {"package": "torch", "specifier": ">=2.0"},
        ("MLD401", "train.py", 17, 14): {
            "chain": ["churn_model", "upsell_model", "offer_ranker"],
            "nodes": ["model:churn_model.joblib", "model:upsell_model.joblib", "model:offer_ranker.joblib"],
        },
        ("MLD402", "loop.py", 15, 14): {"cycle": ["ranker"], "nodes": ["model:ranker.joblib"]},
    }


def finding(code: str, line: int, column: int, message: str, **data) -> Finding:
    return Finding(
        code,
        "rule",
        "configuration",
        "warning",
        message,
        "serve.py",
        Location(line, column, line, column + 1),
        data=tuple(sorted(data.items())),
    )


SERVE = """\
def decide(model, X):
    proba = model.predict_proba(X)[:, 1]
    cutoff = 0.4
    return proba > 0.7, proba > 0.9, proba >= cutoff
"""


def test_the_hoist_fix_is_attached_by_the_rule_from_what_it_found(tmp_path, monkeypatch):
    (tmp_path / "mldebtlint.toml").write_text('select = ["MLD101"]\n', encoding="utf-8")
    (tmp_path / "serve.py").write_text(SERVE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke(["check", "--no-cache", "--format", "json", "."])
    fixes = {(f["line"], f["column"]): f["fix"] for f in json.loads(result.stdout)}
    assert [fix["message"] for fix in fixes.values()] == [
        "Hoist 0.7 into PROBA_THRESHOLD",
        "Hoist 0.9 into PROBA_THRESHOLD_2",
        "Hoist 0.4 into CUTOFF",
    ]
    cutoff = fixes[(4, 38)]
    assert cutoff["applicability"] == "unsafe"
    # The local's one literal is replaced where it is assigned (line 3), the constant goes on top.
    assert {"content": "CUTOFF", "location": {"row": 3, "column": 14}, "end_location": {"row": 3, "column": 17}} in (
        cutoff["edits"]
    )


def test_fixes_apply_the_edits_whatever_the_message_and_data_say(tmp_path):
    path = tmp_path / "serve.py"
    hoist = Fix("unsafe", "Hoist 0.7", (Edit(1, 1, 1, 1, "LIMIT = 0.7\n"), Edit(4, 20, 4, 23, "LIMIT")))
    misleading = replace(finding("MLD101", 4, 12, "literal 0.9", literals=[0.9], subject="x"), fix=hoist)
    result = fix_text(path, SERVE, [misleading], Settings(root=str(tmp_path)), unsafe=True)
    assert result.fixed == 1
    assert result.text == "LIMIT = 0.7\n" + SERVE.replace("proba > 0.7,", "proba > LIMIT,")


def test_a_finding_without_a_fix_fixes_nothing_and_says_so(tmp_path):
    findings = [finding("MLD101", 4, 12, "literal 0.7 used as threshold on 'proba'", literals=[0.7])]
    result = fix_text(tmp_path / "serve.py", SERVE, findings, Settings(root=str(tmp_path)), unsafe=True)
    assert (result.fixed, result.text) == (0, SERVE)
    assert result.skipped == ("serve.py:4: MLD101 not fixed: no literal to hoist found",)


def test_the_pin_fix_names_the_package_of_its_requirement(tmp_path, monkeypatch):
    monkeypatch.setattr(pins, "installed_version", lambda key: {"torch": "2.1.0", "numpy": "1.26.0"}.get(key))
    (tmp_path / "mldebtlint.toml").write_text('select = ["MLD301"]\n', encoding="utf-8")
    (tmp_path / "requirements.txt").write_text("numpy>=1.0\ntorch>=2.0\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke(["check", "--no-cache", "--format", "json", "."])
    (torch,) = json.loads(result.stdout)
    assert torch["data"] == {"package": "torch", "specifier": ">=2.0"}
    assert torch["fix"] == {
        "applicability": "safe",
        "message": "Pin torch==2.1.0",
        "edits": [
            {"content": "torch==2.1.0", "location": {"row": 2, "column": 1}, "end_location": {"row": 2, "column": 11}}
        ],
    }


def test_dependency_row_from_data_not_message():
    row = requirement_of(finding("MLD301", 3, 1, "`numpy` is fine", package="Scikit_Learn", specifier=">=1.4"))
    assert (row["framework"], row["specifier"], row["status"]) == ("scikit-learn", ">=1.4", "range")
    row = requirement_of(finding("MLD301", 3, 1, "`numpy` is fine", package="torch", specifier=""))
    assert (row["framework"], row["status"]) == ("torch", "unpinned")

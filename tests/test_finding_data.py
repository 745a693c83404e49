"""Findings carry typed ``data``: the JSON output has it for MLD101, MLD102,
MLD301, MLD401 and MLD402, and the fixers and the report read it (never the
message)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from clirunner import invoke

from mldebtlint.core.config import Settings
from mldebtlint.core.types import Finding, Location
from mldebtlint.fixes import hoist_literal, pin_framework
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


def test_hoisting_follows_the_data_whatever_the_message_says(tmp_path):
    path = tmp_path / "serve.py"
    # The messages are noise: the literal to hoist is only in ``data``.
    findings = [
        finding("MLD101", 4, 12, "literal 0.9 and 0.4 (local 'x')", literals=[0.7], subject="proba"),
        finding("MLD101", 4, 38, "something else", literals=[0.4], subject="proba", local="cutoff"),
    ]
    result = hoist_literal.fix(path, SERVE, findings, Settings(root=str(tmp_path)))
    assert result.fixed == 2
    assert "proba > PROBA_THRESHOLD, proba > 0.9," in result.text
    assert "cutoff = CUTOFF\n" in result.text and "PROBA_THRESHOLD = 0.7\nCUTOFF = 0.4\n" in result.text


def test_hoisting_without_data_fixes_nothing(tmp_path):
    findings = [finding("MLD101", 4, 12, "literal 0.7 used as threshold on 'proba'")]
    result = hoist_literal.fix(tmp_path / "serve.py", SERVE, findings, Settings(root=str(tmp_path)))
    assert (result.fixed, result.text) == (0, SERVE)
    assert result.skipped == ("serve.py:4: MLD101 not fixed: no literal to hoist found",)


def test_pinning_follows_the_package_in_data(tmp_path, monkeypatch):
    monkeypatch.setattr(pin_framework, "installed_version", lambda key: {"torch": "2.1.0"}.get(key))
    text = "numpy>=1.0\ntorch>=2.0\n"
    other = finding("MLD301", 2, 1, "torch is not pinned", package="numpy", specifier=">=1.0")
    path = tmp_path / "requirements.txt"
    assert pin_framework.fix(path, text, [other], Settings(root=str(tmp_path))).fixed == 0
    right = finding("MLD301", 2, 1, "numpy is not pinned", package="torch", specifier=">=2.0")
    assert pin_framework.fix(path, text, [right], Settings(root=str(tmp_path))).text == "numpy>=1.0\ntorch==2.1.0\n"


def test_dependency_row_from_data_not_message():
    row = requirement_of(finding("MLD301", 3, 1, "`numpy` is fine", package="Scikit_Learn", specifier=">=1.4"))
    assert (row["framework"], row["specifier"], row["status"]) == ("scikit-learn", ">=1.4", "range")
    row = requirement_of(finding("MLD301", 3, 1, "`numpy` is fine", package="torch", specifier=""))
    assert (row["framework"], row["status"]) == ("torch", "unpinned")

"""Per-file facts and artifact identities (the collector and path helpers)."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper

from mldebtlint.core.config import Settings
from mldebtlint.engine.batched import BatchedVisitor
from mldebtlint.graph.facts import ModelGraphFacts, module_name
from mldebtlint.graph.paths import ConstantResolver, absolute_name, identities_match, label_for, normalize
from mldebtlint.rule import FileContext


def facts_of(source: str, path: str = "pkg/train.py") -> dict:
    module = cst.parse_module(textwrap.dedent(source))
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    context = FileContext(path, module, Settings(), wrapper)
    collector = ModelGraphFacts(context)
    wrapper.resolve_many(set(collector.METADATA_DEPENDENCIES))
    visitor = BatchedVisitor(context, [collector])
    module.visit(visitor)
    assert visitor.errors == []
    return collector.facts()


def resolve(facts_list: list[dict], parts) -> str | None:
    return ConstantResolver({f["module"]: f["constants"] for f in facts_list}).identity(parts)


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("train.py", "train"),
        ("src/pkg/train.py", "src.pkg.train"),
        ("pkg/__init__.py", "pkg"),
    ],
)
def test_module_name(relative, expected):
    assert module_name(relative) == expected


def test_absolute_name_of_relative_imports():
    assert absolute_name(".constants.X", "pkg.train") == "pkg.constants.X"
    assert absolute_name("..shared.X", "pkg.sub.train") == "pkg.shared.X"
    assert absolute_name("constants.X", "pkg.train") == "constants.X"


def test_constants_resolve_across_modules():
    constants = facts_of(
        """
        import os
        from pathlib import Path
        BASE = Path("artifacts")
        MODEL = BASE / "models" / "ranker.pt"
        LOG = os.path.join("logs", "served.csv")
        NAMED = "{}/{}.json".format("reports", "metrics")
        PATHS = {"a": f"{BASE}/a.pkl"}
        NOT_A_PATH = 3
    """,
        "pkg/constants.py",
    )
    user = facts_of("""
        import torch
        from .constants import MODEL, PATHS
        m = torch.load(MODEL)
        n = torch.load(PATHS["a"])
    """)
    assert "NOT_A_PATH" not in constants["constants"]
    both = [constants, user]
    loads = [instance["loads"][0]["path"] for instance in user["instances"]]
    assert [resolve(both, parts) for parts in loads] == ["artifacts/models/ranker.pt", "artifacts/a.pkl"]
    assert resolve(both, constants["constants"]["LOG"]) == "logs/served.csv"
    assert resolve(both, constants["constants"]["NAMED"]) == "reports/metrics.json"


def test_config_keys_and_unknown_parts():
    facts = facts_of("""
        import joblib
        def main(cfg, args, out_dir):
            a = joblib.load(cfg["paths"]["ranker"])
            b = joblib.load(args.model_path)
            c = joblib.load(f"{out_dir}/model.joblib")
            d = joblib.load(out_dir)
    """)
    loads = {instance["name"]: resolve([facts], instance["loads"][0]["path"]) for instance in facts["instances"]}
    # A parameter is a named hole of its function (``<out_dir@...>``); alone it names nothing.
    assert loads == {
        "a": "{paths.ranker}",
        "b": None,  # a command-line argument: resolved in the repo phase (argparse default)
        "c": "<out_dir@pkg.train.main>/model.joblib",
        "d": None,
    }


def test_instances_record_training_serving_and_saving():
    facts = facts_of("""
        import joblib
        import pandas as pd
        from sklearn.linear_model import LogisticRegression

        def train():
            frame = pd.read_csv("data/train.csv")
            upstream = joblib.load("models/upstream.joblib")
            frame["score"] = upstream.predict(frame)
            model = LogisticRegression()
            model.fit(frame, frame["y"])
            joblib.dump(model, "models/model.joblib")
            frame.to_parquet("data/scored.parquet")
    """)
    by_name = {instance["name"]: instance for instance in facts["instances"]}
    model = by_name["model"]
    assert model["ctor"] == "sklearn.linear_model.LogisticRegression"
    assert model["saves"] == [{"path": [["s", "models/model.joblib"]], "line": 12}]
    (site,) = model["trains"]
    assert site["line"] == 11
    assert {"model": "pkg.train.train:upstream"} in site["inputs"]
    assert {"data": [["s", "data/train.csv"]]} in site["inputs"]
    assert by_name["upstream"]["evidence"] is True
    (write,) = facts["writes"]
    assert write["path"] == [["s", "data/scored.parquet"]]
    assert {"model": "pkg.train.train:upstream"} in write["sources"]


def test_function_summaries_carry_returns_and_loads():
    facts = facts_of("""
        import joblib
        def load_ranker():
            return joblib.load("models/ranker.joblib")
        def scores(frame):
            ranker = load_ranker()
            return ranker.predict(frame)
    """)
    assert facts["functions"]["pkg.train.load_ranker"]["loads"] == [
        {"path": [["s", "models/ranker.joblib"]], "line": 4, "generic": True}
    ]
    assert facts["functions"]["pkg.train.scores"]["returns"] == [{"model": "pkg.train.scores:ranker"}]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("./models//a.pkl", "models/a.pkl"),
        ("models/", "models"),
        ("*", None),
        ("*/*.pkl", None),
        ("{model_path}", "{model_path}"),
    ],
)
def test_normalize(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        # An unknown part explains nothing: no match, unless a whole folder is read.
        ("logs/p_*.parquet", "logs/p_20240101.parquet", False),
        ("logs", "logs/p_*.parquet", True),
        ("*/models/a.pkl", "models/a.pkl", False),
        ("*/models/a.pkl", "other/models/a.pkl", False),
        # Named holes match only the same hole: the same variable, or a loop over the same values.
        ("out/<fold@a.main>/m.pkl", "out/<fold@a.main>/m.pkl", True),
        ("out/<fold@a.main>/m.pkl", "out/<fold@b.main>/m.pkl", False),
        ("out/<in:0..5>/m.pkl", "out/<in:0..5>/m.pkl", True),
        ("out/<fold@a.main>/m.pkl", "out/3/m.pkl", False),
        # A container's absolute path ending in the relative one.
        ("/opt/airflow/model/model.pkl", "model/model.pkl", True),
        ("/opt/airflow/model.pkl", "model.pkl", False),
        ("models/a.pkl", "models/b.pkl", False),
        ("*/a.pkl", "models/ab.pkl", False),
    ],
)
def test_identities_match(a, b, same):
    assert identities_match(a, b) is same


def test_labels():
    assert label_for("artifacts/models/churn_model.joblib") == "churn_model"
    assert label_for("{paths.ranker}") == "ranker"
    assert label_for("checkpoints/teacher") == "teacher"

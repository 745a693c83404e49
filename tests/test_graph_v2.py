"""Model graph v2: the failure shapes found on real applications, each with its
near-identical positive twin, and the evidence findings carry."""

from __future__ import annotations

import json
from pathlib import Path

from clirunner import invoke
from conftest import FIXTURES
from test_graph_rules import check, edges, project

from mldebtlint.core.config import Settings
from mldebtlint.engine.runner import graph_for_paths
from mldebtlint.graph import find_cycles

EXPLICIT = (("MLD402", (("report-explicit-loops", True),)),)

# rsna-style stacking: the level-1 script reads every base model's per-fold test
# predictions by name, and writes its own per-fold files under its stacking name.
RSNA_STACKING = """
    import pickle
    import pandas as pd
    import torch
    import yaml
    from nets import StackingCNNModel

    def make_feature(ref_df, model_name, mode="train"):
        for n_fold in range(5):
            df = pd.read_pickle(f"./intermediate_output/{model_name}/fold{n_fold}_test.pkl")
            ref_df = ref_df.merge(df, on="ID")
        return ref_df

    def main(train_df):
        with open("./cnn_stacking_2.yaml", "r") as f:
            config = yaml.safe_load(f)
        model_names = config["model_names"]
        train_df = [make_feature(train_df, model_name) for model_name in model_names]
        stacking_name = "cnn_stacking_2"
        for fold in range(5):
            model = StackingCNNModel(10)
            model.fit(train_df, train_df["y"])
            test_df = pd.DataFrame({"pred": model.predict(train_df)})
            with open(f"./intermediate_output/{stacking_name}/stacking_test_pred_fold{fold}.pkl", "wb") as f:
                pickle.dump(test_df, f)
"""

NETS = {
    "nets.py": """
        from torch import nn
        class StackingCNNModel(nn.Module):
            def __init__(self, dim):
                super().__init__()
                self.fc = nn.Linear(dim, 6)
            def forward(self, x):
                return self.fc(x)
    """
}

BASE = """
    import pandas as pd
    from sklearn.ensemble import RandomForestClassifier

    def main(train):
        base = RandomForestClassifier()
        base.fit(train, train["y"])
        for fold in range(5):
            pd.DataFrame({"p": base.predict(train)}).to_pickle({path})
"""


def test_fstring_paths_with_unexplained_holes_do_not_match(tmp_path):
    # Base models write fold files under a literal name; the stacker reads
    # {model_name}/fold{n}_test.pkl with model_name from a YAML list: no edge, no loop.
    folder = project(
        tmp_path / "rsna",
        {
            **NETS,
            "cnn_stacking_2.py": RSNA_STACKING,
            "base.py": BASE.replace("{path}", 'f"./intermediate_output/seresnext/fold{fold}_test.pkl"'),
        },
    )
    assert check(folder)[0] == []
    assert check(folder, rule_options=EXPLICIT)[0] == []
    assert edges(folder) == set()


def test_fstring_paths_with_the_same_loop_holes_match(tmp_path):
    # Twin: the stacker reads the base model's files by the same literal name and
    # the same literal loop, and the next level reads the stacker's files: a chain.
    stacking = RSNA_STACKING.replace("{model_name}/fold{n_fold}", "seresnext/fold{n_fold}")
    level2 = """
        import pandas as pd
        from sklearn.linear_model import Ridge

        def main(y):
            for fold in range(5):
                x = pd.read_pickle(f"intermediate_output/cnn_stacking_2/stacking_test_pred_fold{fold}.pkl")
                final = Ridge()
                final.fit(x, y)
    """
    folder = project(
        tmp_path / "rsna",
        {
            **NETS,
            "cnn_stacking_2.py": stacking,
            "base.py": BASE.replace("{path}", 'f"./intermediate_output/seresnext/fold{fold}_test.pkl"'),
            "level2.py": level2,
        },
    )
    found, _ = check(folder)
    assert [(name, code) for name, _, code in found] == [("level2.py", "MLD401")]


TWO_TOWER = """
    import torch
    import torch.nn.functional as F
    from towers import Tower

    def train(users, items):
        user_tower = Tower()
        item_tower = Tower()
        {optimizers}
        user_vec = user_tower(users)
        item_vec = item_tower(items)
        {losses}
"""
TOWERS = {
    "towers.py": """
        from torch import nn
        class Tower(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(8, 8)
            def forward(self, x):
                return self.fc(x)
    """
}
JOINT = TWO_TOWER.replace(
    "{optimizers}", "opt = torch.optim.Adam(list(user_tower.parameters()) + list(item_tower.parameters()))"
).replace("{losses}", "loss = F.cross_entropy(user_vec @ item_vec.T, torch.arange(8))\n        loss.backward()")
# Twin: each tower trained by its own loss on the other's (attached) outputs.
ALTERNATING = TWO_TOWER.replace(
    "{optimizers}",
    "u_opt = torch.optim.Adam(user_tower.parameters())\n        i_opt = torch.optim.Adam(item_tower.parameters())",
).replace(
    "{losses}",
    "u_loss = F.mse_loss(user_vec, item_tower(users).detach())\n        u_loss.backward()\n"
    "        i_loss = F.mse_loss(item_vec, user_tower(items).detach())\n        i_loss.backward()",
)


def test_two_towers_trained_by_one_loss_are_one_model(tmp_path):
    folder = project(tmp_path / "joint", {**TOWERS, "train.py": JOINT})
    assert check(folder, rule_options=EXPLICIT)[0] == []
    graph = graph_for_paths([folder], Settings(root=str(folder)))
    (node,) = [n for n, a in graph.nodes(data=True) if a["kind"] == "model"]
    assert node.endswith("train.py::train.train:user_tower")


def test_towers_trained_by_separate_losses_on_each_other_are_a_loop(tmp_path):
    folder = project(tmp_path / "alternating", {**TOWERS, "train.py": ALTERNATING})
    assert check(folder)[0] == []  # in memory, one run: deliberate
    found, _ = check(folder, rule_options=EXPLICIT)
    assert [code for _, _, code in found] == ["MLD402"]


RESUME = """
    import os
    import torch
    import torch.nn.functional as F
    from towers import Tower

    CKPT = "checkpoints/last.pt"

    def train(x, y):
        model = Tower()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 10)
        if os.path.exists(CKPT):
            checkpoint = torch.load(CKPT)
            model.load_state_dict(checkpoint["model"])
            optimizer.load_state_dict(checkpoint["optimizer"])
            scheduler.load_state_dict(checkpoint["scheduler"])
        {targets}
        loss = F.mse_loss(model(x), targets)
        loss.backward()
        optimizer.step()
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, CKPT)
"""


def test_resuming_from_the_models_own_checkpoint_is_no_loop(tmp_path):
    folder = project(tmp_path / "resume", {**TOWERS, "train.py": RESUME.replace("{targets}", "targets = y")})
    assert check(folder, rule_options=EXPLICIT)[0] == []
    graph = graph_for_paths([folder], Settings(root=str(folder)))
    # One model node: neither the optimizer, the scheduler nor the loaded state dict.
    assert [a["label"] for _, a in graph.nodes(data=True) if a["kind"] == "model"] == ["last"]


def test_pseudo_labels_from_the_resumed_checkpoint_overwriting_it_are_a_loop(tmp_path):
    # Twin: the targets are what the checkpoint about to be overwritten predicts.
    teacher = "teacher = Tower()\n        teacher.load_state_dict(torch.load(CKPT))\n        targets = teacher(x)"
    folder = project(tmp_path / "pseudo", {**TOWERS, "train.py": RESUME.replace("{targets}", teacher)})
    found, result = check(folder)
    assert [code for _, _, code in found] == ["MLD402"]
    (finding,) = result.findings
    assert "feedback loop" in finding.message
    notes = [item.note for item in finding.related]
    assert "last loaded from checkpoints/last.pt" in notes
    assert "last saved to checkpoints/last.pt" in notes


ROUNDS = """
    import numpy as np
    from lightgbm import LGBMClassifier
    from xgboost import XGBClassifier
    from catboost import CatBoostClassifier

    def rounds(X, y, X_test):
        a, b, c = LGBMClassifier(), XGBClassifier(), CatBoostClassifier()
        for _ in range(3):
            a.fit(np.vstack([X, X_test]), np.concatenate([y, (b.predict(X_test) + c.predict(X_test)) / 2]))
            b.fit(np.vstack([X, X_test]), np.concatenate([y, (a.predict(X_test) + c.predict(X_test)) / 2]))
            c.fit(np.vstack([X, X_test]), np.concatenate([y, (a.predict(X_test) + b.predict(X_test)) / 2]))
"""


def test_in_memory_pseudo_label_rounds_are_one_loop_and_only_on_request(tmp_path):
    folder = project(tmp_path / "rounds", {"rounds.py": ROUNDS})
    assert check(folder)[0] == []
    found, result = check(folder, rule_options=EXPLICIT)
    # Three models, five simple cycles, one strongly connected component: one finding.
    assert [code for _, _, code in found] == ["MLD402"]
    assert "in-memory loop" in result.findings[0].message
    graph = graph_for_paths([folder], Settings(root=str(folder)))
    (cycle,) = find_cycles(graph, explicit=True)
    assert len(cycle.members) == 3 and cycle.persisted is False


def test_persisted_pseudo_label_rounds_are_reported(tmp_path):
    # Twin: the rounds go through a file that the next run reads.
    persisted = ROUNDS.replace(
        "np.concatenate([y, (b.predict(X_test) + c.predict(X_test)) / 2])",
        'np.load("pseudo/labels.npy")',
    ).replace(
        "            c.fit(",
        '            np.save("pseudo/labels.npy", a.predict(X_test))\n            c.fit(',
    )
    folder = project(tmp_path / "rounds", {"rounds.py": persisted})
    found, result = check(folder)
    assert [code for _, _, code in found] == ["MLD402"]
    assert "[labels.npy]" in result.findings[0].message


SERVE = """
    import sqlite3
    import joblib

    model = joblib.load("model/model.pkl")

    def predict(f1, f2):
        prediction = model.predict([[f1, f2]])[0]
        conn = sqlite3.connect("db/predictions.db")
        cur = conn.cursor()
        cur.execute("INSERT INTO {table} (f1, f2, pred) VALUES (?, ?, ?)", (f1, f2, int(prediction)))
        conn.commit()
        return prediction
"""
RETRAIN = """
    import sqlite3
    import joblib
    import pandas as pd
    from sklearn.ensemble import RandomForestClassifier

    def retrain():
        conn = sqlite3.connect("/opt/airflow/db/predictions.db")
        cur = conn.cursor()
        cur.execute("SELECT f1, f2, label FROM predictions p JOIN feedback f ON p.id = f.id")
        rows = pd.DataFrame(cur.fetchall())
        clf = RandomForestClassifier()
        clf.fit(rows[[0, 1]], rows[2])
        joblib.dump(clf, "/opt/airflow/model/model.pkl")
"""


def test_sql_insert_of_served_predictions_retrained_on_is_a_loop(tmp_path):
    folder = project(tmp_path / "loop", {"api.py": SERVE.replace("{table}", "predictions"), "retrain.py": RETRAIN})
    found, result = check(folder)
    assert [(name, code) for name, _, code in found] == [("retrain.py", "MLD402")]
    notes = [(Path(item.path).name, item.line, item.note) for item in result.findings[0].related]
    assert ("api.py", 11, "sql:predictions written from model's outputs") in notes
    assert ("retrain.py", 13, "model trained on sql:predictions") in notes


def test_sql_insert_into_another_table_is_no_loop(tmp_path):
    folder = project(tmp_path / "other", {"api.py": SERVE.replace("{table}", "audit_log"), "retrain.py": RETRAIN})
    assert check(folder)[0] == []


def test_related_locations_in_text_json_and_sarif():
    folder = FIXTURES / "stacking_levels"
    text = invoke(["check", str(folder), "--no-cache", "--show-related", "--exit-zero"]).output
    assert "final.py:13:15: MLD401" in text
    assert "level1/stacker.py:21: level1_oof written from stacker's outputs" in text
    plain = invoke(["check", str(folder), "--no-cache", "--exit-zero"]).output
    assert "written from" not in plain
    payload = json.loads(invoke(["check", str(folder), "--no-cache", "--exit-zero", "--format", "json"]).output)
    findings = payload["findings"] if isinstance(payload, dict) else payload
    assert {"line": 13, "note": "final trained on level1_oof"}.items() <= findings[0]["related"][4].items()
    sarif = json.loads(invoke(["check", str(folder), "--no-cache", "--exit-zero", "--format", "sarif"]).output)
    (result,) = sarif["runs"][0]["results"]
    related = result["relatedLocations"]
    assert related[0]["physicalLocation"]["artifactLocation"]["uri"].endswith("base_models.py")
    assert related[0]["message"]["text"] == "oof written from base's outputs"


def test_report_graph_keeps_two_models_of_one_name_apart(tmp_path):
    from mldebtlint.engine.runner import RunOptions, run
    from mldebtlint.report.graph_adapter import graph_data

    source = """
        import pandas as pd
        from sklearn.linear_model import LogisticRegression

        def churn(X, y):
            model = LogisticRegression()
            model.fit(X, y)
            pd.DataFrame({"p": model.predict(X)}).to_parquet("scores/churn.parquet")

        def fraud(X, y):
            model = LogisticRegression()
            model.fit(pd.read_parquet("scores/churn.parquet"), y)
    """
    folder = project(tmp_path / "two", {"train.py": source})
    result = run(RunOptions(paths=[folder], settings=Settings(root=str(folder), select=("MLD4",))))
    graph = graph_data(result)
    models = sorted((n["id"], n["label"]) for n in graph["nodes"] if n["kind"] == "model")
    # One label, two models: the old report keyed nodes by label and drew one box with a self-loop.
    assert [label for _, label in models] == ["train:LogisticRegression", "train:LogisticRegression"]
    assert models[0][0] != models[1][0]
    assert {(e["source"], e["target"]) for e in graph["edges"]} == {
        (models[0][0], "data:scores/churn.parquet"),
        ("data:scores/churn.parquet", models[1][0]),
    }


FEEDBACK_HANDLER = """
    import json
    import os
    import joblib

    FEEDBACK_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "feedback_data.json")
    MODEL_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "feedback_model.joblib")

    def load_feedback_model():
        return joblib.load(MODEL_FILE)

    model = load_feedback_model()

    def save_feedback(belief, strategy, feedback=None):
        if not feedback:
            vectorizer = model["vectorizer"]
            clf = {component}
            feedback = "good" if clf.predict(vectorizer.transform([belief]))[0] == 1 else "bad"
        with open(FEEDBACK_FILE) as f:
            data = json.load(f)
        data.append({"belief": belief, "strategy": strategy, "result": feedback})
        with open(FEEDBACK_FILE, "w") as f:
            json.dump(data, f)
"""
FEEDBACK_TRAINER = """
    import json
    import joblib
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    def train():
        with open("backend/feedback_data.json") as f:
            rows = json.load(f)
        frame = pd.DataFrame(rows)
        classifier = LogisticRegression()
        classifier.fit(frame[["belief"]], frame["result"])
        joblib.dump({"classifier": classifier}, "backend/feedback_model.joblib")
"""


def test_a_component_of_a_loaded_bundle_is_that_model(tmp_path):
    # market-playground style: the served bundle's classifier labels the feedback it
    # is then retrained on (paths from __file__ and from the repo root).
    handler = FEEDBACK_HANDLER.replace("{component}", 'model["classifier"]')
    folder = project(tmp_path / "loop", {"backend/handler.py": handler, "backend/trainer.py": FEEDBACK_TRAINER})
    found, result = check(folder)
    assert [(name, code) for name, _, code in found] == [("trainer.py", "MLD402")]
    assert "feedback_model -> [feedback_data] -> feedback_model" in result.findings[0].message


def test_a_freshly_built_classifier_is_not_the_loaded_bundle(tmp_path):
    # Twin: the labelling classifier is a new, untrained object, not the served bundle's.
    handler = FEEDBACK_HANDLER.replace("{component}", "Fallback()")
    folder = project(tmp_path / "fresh", {"backend/handler.py": handler, "backend/trainer.py": FEEDBACK_TRAINER})
    assert check(folder)[0] == []


def test_an_optional_models_none_fallback_keeps_the_model(tmp_path):
    # ``try: model = load() / except: model = None`` (market-playground) is still the loaded model.
    handler = FEEDBACK_HANDLER.replace("{component}", 'model["classifier"]').replace(
        "    model = load_feedback_model()\n",
        "    try:\n        model = load_feedback_model()\n    except Exception:\n        model = None\n",
    )
    folder = project(tmp_path / "optional", {"backend/handler.py": handler, "backend/trainer.py": FEEDBACK_TRAINER})
    assert [code for _, _, code in check(folder)[0]] == ["MLD402"]
    # Twin: a model rebound to another object (not None) is that other object.
    rebound = handler.replace("        model = None\n", "        model = {}\n")
    folder = project(tmp_path / "rebound", {"backend/handler.py": rebound, "backend/trainer.py": FEEDBACK_TRAINER})
    assert check(folder)[0] == []


# tps-aug-2021 style: Kaggle kernels. Each level-1 kernel saves its out-of-fold
# predictions in its working folder; the next level adds those kernels as data
# sources and reads the files under ../input/<kernel slug>/.
KERNEL_LEVEL1 = """
    import numpy as np
    import pandas as pd
    from xgboost import XGBRegressor

    train = pd.read_csv("../input/tabular-playground-series-aug-2021/train.csv")
    oof = np.zeros(len(train))
    model = XGBRegressor(n_estimators=500)
    model.fit(train.drop(columns=["loss"]), train["loss"])
    oof[:] = model.predict(train.drop(columns=["loss"]))
    np.save("xgb_oof.npy", oof)
"""
KERNEL_LEVEL2 = """
    import numpy as np
    import pandas as pd
    from sklearn.ensemble import RandomForestRegressor

    train = pd.read_csv("../input/tabular-playground-series-aug-2021/train.csv")
    train["xgb_pred"] = np.load("../input/{level1}/xgb_oof.npy")
    stacker = RandomForestRegressor(max_depth=6)
    stacker.fit(train.drop(columns=["loss"]), train["loss"])
    rr_oof = stacker.predict(train.drop(columns=["loss"]))
    np.save("rr_oof.npy", rr_oof)
"""
KERNEL_LEVEL3 = """
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import Ridge

    train = pd.read_csv("../input/tabular-playground-series-aug-2021/train.csv")
    train["rr_pred"] = np.load("/kaggle/input/{level2}/rr_oof.npy")
    final = Ridge(alpha=3.5)
    final.fit(train[["rr_pred"]], train["loss"])
"""


def _kernels(folder: Path, level1: str, level2: str) -> Path:
    from notebooks import code, write_notebook

    write_notebook(folder / "tree models/xgb/tps-aug-2021-xgb.ipynb", [code(KERNEL_LEVEL1)])
    write_notebook(
        folder / "stacking/rf/tps-aug-2021-stacking-rf.ipynb", [code(KERNEL_LEVEL2.replace("{level1}", level1))]
    )
    write_notebook(folder / "lv3/ridge/tps-aug-2021-ridge-lv3.ipynb", [code(KERNEL_LEVEL3.replace("{level2}", level2))])
    return folder


def test_kernel_outputs_read_under_the_kernels_input_folder_are_a_chain(tmp_path):
    folder = _kernels(tmp_path / "tps", "tps-aug-2021-xgb", "tps-aug-2021-stacking-rf")
    found, result = check(folder)
    assert [(name, code) for name, _, code in found] == [("tps-aug-2021-ridge-lv3.ipynb", "MLD401")]
    (finding,) = result.findings
    assert dict(finding.data)["chain"] == ["XGBRegressor", "stacker", "final"]
    written = [item for item in finding.related if "written from" in item.note]
    assert [Path(item.path).name for item in written] == ["tps-aug-2021-xgb.ipynb", "tps-aug-2021-stacking-rf.ipynb"]


def test_input_folders_of_other_kernels_or_datasets_are_no_chain(tmp_path):
    # Twin: the same files read from a dataset (or a kernel) that is not in the repo.
    folder = _kernels(tmp_path / "tps", "tps-aug-2021-xgb-pred", "tps-aug-2021-stacking-rf-v2")
    assert check(folder)[0] == []
    assert edges(folder) == set()


LOOSE = (("MLD401", (("max-chain-length", 0),)),)

# tps-aug-2021 style level-2 stacker: a first booster, then a second one that
# continues it (init_model=) on the same level-1 predictions.
WARM_START = """
    import numpy as np
    import lightgbm as lgb
    import pandas as pd

    train = pd.read_csv("train.csv")
    train["lgb_pred"] = np.load("level1/lgb_oof.npy")
    X, y = train.drop(columns=["loss"]), train["loss"]
    pre_model = lgb.LGBMRegressor(learning_rate=0.06)
    pre_model.fit(X, y)
    model = lgb.LGBMRegressor(learning_rate=0.006)
    model.fit({second})
    np.save("lgb_oof.npy", model.predict(X))
"""
LEVEL1 = """
    import numpy as np
    import pandas as pd
    from xgboost import XGBRegressor

    train = pd.read_csv("train.csv")
    base = XGBRegressor(n_estimators=500)
    base.fit(train.drop(columns=["loss"]), train["loss"])
    np.save("level1/lgb_oof.npy", base.predict(train.drop(columns=["loss"])))
"""


def test_a_booster_continued_with_init_model_is_one_model(tmp_path):
    folder = project(
        tmp_path / "warm",
        {"level1.py": LEVEL1, "stack.py": WARM_START.replace("{second}", "X, y, init_model=pre_model")},
    )
    found, result = check(folder, rule_options=LOOSE)
    assert found == [("stack.py", 10, "MLD401")]
    assert [dict(f.data)["chain"] for f in result.findings] == [["base", "LGBMRegressor"]]


def test_a_booster_trained_on_another_boosters_predictions_is_a_chain(tmp_path):
    # Twin: the second booster is trained on the first one's predictions.
    folder = project(
        tmp_path / "warm", {"level1.py": LEVEL1, "stack.py": WARM_START.replace("{second}", "pre_model.predict(X), y")}
    )
    found, result = check(folder, rule_options=LOOSE)
    assert ("stack.py", 12, "MLD401") in found
    assert ["base", "pre_model", "LGBMRegressor"] in [dict(f.data)["chain"] for f in result.findings]


# kkbox-churn style: an isotonic calibrator fitted on the model's own scores.
CALIBRATION = """
    from sklearn.calibration import IsotonicRegression
    from sklearn.linear_model import LogisticRegression

    def calibrate_model(model, X_cal, y_cal):
        raw_cal = model.predict_proba(X_cal)[:, 1]
        isotonic = {second}
        isotonic.fit(raw_cal.reshape(-1, 1), y_cal)
        return isotonic
"""


def test_an_isotonic_calibrator_of_a_models_scores_is_part_of_it(tmp_path):
    folder = project(
        tmp_path / "cal", {"calibrate.py": CALIBRATION.replace("{second}", 'IsotonicRegression(out_of_bounds="clip")')}
    )
    assert check(folder, rule_options=LOOSE)[0] == []


def test_a_classifier_fitted_on_a_models_scores_is_a_chain(tmp_path):
    # Twin: a second classifier on the scores is a 1-model chain.
    folder = project(tmp_path / "cal", {"calibrate.py": CALIBRATION.replace("{second}", "LogisticRegression(C=0.5)")})
    assert check(folder, rule_options=LOOSE)[0] == [("calibrate.py", 8, "MLD401")]


# A served model logs its predictions through the repo's own helper, which takes the
# frame and the path as parameters (mlops-churn's log_prediction shape); a nightly job
# retrains the model on that log.
LOG_HELPER = """
    import pandas as pd

    def append_log(frame, path):
        frame.to_parquet(path)
"""
SERVE_WITH_HELPER = """
    import joblib
    import pandas as pd
    from monitoring import append_log

    model = joblib.load("model/churn.pkl")

    def predict(features):
        scored = pd.DataFrame(features)
        scored["churn"] = model.predict_proba(features)[:, 1]
        append_log(scored, {log})
        return scored
"""
RETRAIN_FROM_LOG = """
    import joblib
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    def main():
        log = pd.read_parquet("logs/served.parquet")
        model = LogisticRegression(C=0.3)
        model.fit(log.drop(columns=["churned"]), log["churn"] > 0.5)
        joblib.dump(model, "model/churn.pkl")
"""


def test_predictions_written_by_a_helper_at_the_callers_path_are_a_loop(tmp_path):
    files = {
        "monitoring.py": LOG_HELPER,
        "api.py": SERVE_WITH_HELPER.replace("{log}", '"logs/served.parquet"'),
        "retrain.py": RETRAIN_FROM_LOG,
    }
    found, result = check(project(tmp_path / "helper", files))
    assert [(name, code) for name, _, code in found] == [("retrain.py", "MLD402")]
    notes = [(Path(item.path).name, item.line, item.note) for item in result.findings[0].related]
    assert ("api.py", 11, "served.parquet written from churn's outputs") in notes
    assert ("retrain.py", 9, "churn trained on served.parquet") in notes


def test_a_helper_writing_another_path_or_an_unknown_one_is_no_loop(tmp_path):
    # Twins: the caller names another log file; the caller's path is not known; the
    # helper writes a fixed file of its own (left out on purpose: see _helper_writes).
    fixed = LOG_HELPER.replace("frame.to_parquet(path)", 'frame.to_parquet("logs/served.parquet")')
    for name, log, helper in (
        ("other", '"logs/audit.parquet"', LOG_HELPER),
        ("unknown", "features.attrs['log']", LOG_HELPER),
        ("fixed", '"logs/ignored.parquet"', fixed),
    ):
        files = {
            "monitoring.py": helper,
            "api.py": SERVE_WITH_HELPER.replace("{log}", log),
            "retrain.py": RETRAIN_FROM_LOG,
        }
        folder = project(tmp_path / name, files)
        assert check(folder)[0] == []
        assert edges(folder) == set()

"""MLD401/MLD402 and the graph on small multi-file projects: identity
resolution, training idioms, option handling and negatives."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from mldebtlint.core.config import Settings
from mldebtlint.engine.runner import RunOptions, graph_for_paths, run
from mldebtlint.graph import find_chains, find_cycles


def project(folder: Path, files: dict[str, str]) -> Path:
    for name, source in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(source), encoding="utf-8")
    return folder


def check(folder: Path, rule_options: tuple = (), paths: list[Path] | None = None):
    settings = Settings(root=str(folder), select=("MLD401", "MLD402"), rule_options=rule_options)
    result = run(RunOptions(paths=paths or [folder], settings=settings))
    return [(Path(f.path).name, f.line, f.code) for f in result.findings], result


def edges(folder: Path) -> set[tuple[str, str]]:
    graph = graph_for_paths([folder], Settings(root=str(folder)))
    label = lambda node: graph.nodes[node]["label"]  # noqa: E731
    return {(label(a), label(b)) for a, b in graph.edges}


CHAIN = {
    "conf.py": """
        import os
        ROOT = "store"
        A_PATH = os.path.join(ROOT, "a_model.pkl")
        B_PATH = f"{ROOT}/b_model.pkl"
    """,
    "train_a.py": """
        import pickle
        from sklearn.linear_model import LogisticRegression
        from conf import A_PATH

        model = LogisticRegression()
        model.fit(X, y)
        with open(A_PATH, "wb") as handle:
            pickle.dump(model, handle)
    """,
    "train_b.py": """
        import pickle
        import joblib
        from sklearn.tree import DecisionTreeClassifier
        from conf import A_PATH, B_PATH

        def main(frame):
            with open(A_PATH, "rb") as handle:
                upstream = pickle.load(handle)
            frame["a_score"] = upstream.predict(frame)
            model = DecisionTreeClassifier()
            model.fit(frame, frame["label"])
            joblib.dump(model, B_PATH)
    """,
    "train_c.py": """
        import joblib
        from sklearn.svm import SVC
        import conf

        def main(frame, cfg):
            b = joblib.load(conf.B_PATH)
            scores = b.predict_proba(frame)
            c = SVC()
            c.fit(scores, frame["label"])
            joblib.dump(c, cfg["c_model_path"])
    """,
}


def test_identities_resolve_through_joins_fstrings_handles_and_module_attributes(tmp_path):
    folder = project(tmp_path, CHAIN)
    assert edges(folder) == {("a_model", "b_model"), ("b_model", "c_model_path")}
    found, _ = check(folder)
    assert found == [("train_c.py", 10, "MLD401")]


def test_max_chain_length_option(tmp_path):
    folder = project(tmp_path, CHAIN)
    found, _ = check(folder, rule_options=(("MLD401", (("max-chain-length", 2),)),))
    assert found == []
    found, _ = check(folder, rule_options=(("MLD401", (("max-chain-length", 0),)),))
    assert found == [("train_b.py", 12, "MLD401"), ("train_c.py", 10, "MLD401")]


def test_incremental_check_uses_other_files_facts_but_reports_only_given_file(tmp_path):
    folder = project(tmp_path, CHAIN)
    found, result = check(folder, paths=[folder / "train_c.py"])
    assert found == [("train_c.py", 10, "MLD401")]
    assert [Path(f.path).name for f in result.files] == ["train_c.py"]
    found, _ = check(folder, paths=[folder / "train_b.py", folder / "conf.py"])
    assert found == []


def test_facts_are_json_serialisable(tmp_path):
    folder = project(tmp_path, CHAIN)
    _, result = check(folder)
    for file in result.files:
        assert json.loads(json.dumps(file.facts)) == file.facts


def test_pseudo_label_loop_is_a_cycle_reported_once_at_the_closing_edge(tmp_path):
    folder = project(
        tmp_path,
        {
            "teacher.py": """
            import joblib
            import pandas as pd
            from sklearn.ensemble import RandomForestClassifier

            def train():
                labelled = pd.read_csv("data/labelled.csv")
                pseudo = pd.read_csv("data/pseudo_labels.csv")
                frame = pd.concat([labelled, pseudo])
                teacher = RandomForestClassifier()
                teacher.fit(frame[["x1", "x2"]], frame["y"])
                joblib.dump(teacher, "models/teacher.joblib")
        """,
            "student.py": """
            import joblib
            import pandas as pd
            from sklearn.linear_model import LogisticRegression

            def train(unlabelled):
                teacher = joblib.load("models/teacher.joblib")
                unlabelled["y"] = teacher.predict(unlabelled[["x1", "x2"]])
                student = LogisticRegression().fit(unlabelled[["x1", "x2"]], unlabelled["y"])
                joblib.dump(student, "models/student.joblib")

            def label_pool():
                student = joblib.load("models/student.joblib")
                pool = pd.read_csv("data/pool.csv")
                pool["y"] = student.predict(pool[["x1", "x2"]])
                pool.to_csv("data/pseudo_labels.csv")
        """,
        },
    )
    graph = graph_for_paths([folder], Settings(root=str(folder)))
    cycles = find_cycles(graph)
    assert [cycle.text() for cycle in cycles] == ["teacher -> student -> [pseudo_labels.csv] -> teacher"]
    assert find_chains(graph, 1) == []
    found, _ = check(folder)
    assert found == [("teacher.py", 11, "MLD402")]


def test_trainer_idioms_make_edges(tmp_path):
    folder = project(
        tmp_path,
        {
            "lit.py": """
            import lightning as L
            import torch
            from models import Ranker, Scorer

            def train(loader):
                scorer = Scorer.load_from_checkpoint("ckpt/scorer.ckpt")
                ranker = Ranker()
                features = []
                for batch in loader:
                    features.append(scorer(batch))
                trainer = L.Trainer(max_epochs=3)
                trainer.fit(ranker, train_dataloaders=torch.utils.data.DataLoader(features))
                trainer.save_checkpoint("ckpt/ranker.ckpt")
                torch.save(ranker.state_dict(), "weights/ranker.pt")
        """,
            "models.py": """
            import lightning as L

            class Scorer(L.LightningModule):
                pass

            class Ranker(L.LightningModule):
                pass
        """,
        },
    )
    assert edges(folder) == {("scorer", "ranker")}


def test_preprocessing_transforms_and_finetuning_from_weights_are_not_edges(tmp_path):
    folder = project(
        tmp_path,
        {
            "train.py": """
            import joblib
            from sklearn.preprocessing import StandardScaler
            from sklearn.decomposition import PCA
            from sklearn.linear_model import LogisticRegression
            from transformers import AutoModelForSequenceClassification, AutoTokenizer, Trainer

            def tabular(X, y):
                scaler = StandardScaler().fit(X)
                pca = PCA(n_components=8).fit(scaler.transform(X))
                model = LogisticRegression().fit(pca.transform(scaler.transform(X)), y)
                joblib.dump(scaler, "models/scaler.joblib")
                joblib.dump(model, "models/model.joblib")

            def finetune(dataset):
                tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
                model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased")
                trainer = Trainer(model=model, train_dataset=dataset.map(lambda row: tokenizer(row["text"])))
                trainer.train()
                trainer.save_model("models/finetuned")
        """,
        },
    )
    assert edges(folder) == set()
    assert check(folder)[0] == []


def test_wildcard_paths_do_not_merge_models(tmp_path):
    folder = project(
        tmp_path,
        {
            "util.py": """
            import joblib

            def save(model, name):
                joblib.dump(model, f"models/{name}.joblib")

            def load(name):
                return joblib.load(f"models/{name}.joblib")
        """,
            "pipeline.py": """
            from util import load, save

            def run(frame):
                first = load("first")
                frame["s"] = first.predict(frame)
                second = load("second")
                second.fit(frame, frame["y"])
                save(second, "second")
        """,
        },
    )
    graph = graph_for_paths([folder], Settings(root=str(folder)))
    assert find_cycles(graph) == []


def test_broken_and_odd_files_do_not_crash_the_collector(tmp_path):
    folder = project(
        tmp_path,
        {
            "broken.py": "def f(:\n",
            "odd.py": """
            import torch
            model = torch.load()
            torch.save()
            x = y = joblib.load(*paths)
            open().write()
            a.b.c.predict()(1)
            for (i, j) in zip(a, b):
                del i
            lambda: model(1)
            class K:
                self_model = None
                def f(self):
                    self.m = torch.load(self.path)
                    return self.m.predict(self.helper())
        """,
        },
    )
    found, result = check(folder)
    assert found == []
    assert all(not file.errors for file in result.files)


def test_script_imports_prefer_the_module_beside_them(tmp_path):
    project(tmp_path, {f"one/{name}": source for name, source in CHAIN.items()})
    project(tmp_path, {"two/conf.py": 'ROOT = "elsewhere"\nA_PATH = "x/a.pkl"\nB_PATH = "x/b.pkl"\n'})
    found, _ = check(tmp_path)
    assert found == [("train_c.py", 10, "MLD401")]


def test_sql_tables_inline_frames_and_open_handles_carry_predictions(tmp_path):
    folder = project(
        tmp_path,
        {
            "score.py": """
            import pickle
            import pandas as pd

            def score(engine, frame):
                model = pickle.load(open("models/propensity.pkl", "rb"))
                pd.DataFrame({"id": frame["id"], "p": model.predict_proba(frame)[:, 1]}).to_sql("propensity", engine)
        """,
            "train_bid.py": """
            import joblib
            import pandas as pd
            from sklearn.linear_model import Ridge

            def train(engine):
                frame = pd.read_sql("SELECT id, p, bid FROM propensity", engine)
                model = Ridge().fit(frame[["p"]], frame["bid"])
                joblib.dump(model, "models/bidder.joblib")
        """,
        },
    )
    assert edges(folder) == {("propensity", "sql:propensity"), ("sql:propensity", "bidder")}


def test_no_grad_target_network_is_consumed_not_trained(tmp_path):
    # DQN: the target network's outputs feed the loss under no_grad, and it is
    # synced from the online network; only the online network is trained.
    project(
        tmp_path,
        {
            "dqn.py": """
        import torch
        import torch.nn.functional as F

        class QNetwork(torch.nn.Module):
            def forward(self, obs):
                return self.net(obs)

        class Agent:
            def __init__(self, obs_dim, n_actions):
                self.q_net = QNetwork(obs_dim, n_actions)
                self.q_target = QNetwork(obs_dim, n_actions)
                self.q_target.load_state_dict(self.q_net.state_dict())

            def sync(self):
                polyak(self.q_net.parameters(), self.q_target.parameters(), 0.005)

            def learn(self, batch, optimizer):
                with torch.no_grad():
                    target = batch.rewards + 0.99 * self.q_target(batch.next_obs).max(dim=1)[0]
                current = self.q_net(batch.obs)
                loss = F.smooth_l1_loss(current, target)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
    """
        },
    )
    findings, _ = check(tmp_path)
    assert findings == []
    assert edges(tmp_path) == {("q_target", "q_net")}


def test_test_files_add_no_flow_to_the_graph(tmp_path):
    # An integration test chaining exported pre-processor, predictor and
    # post-processor checks the export; it is not a production pipeline.
    project(
        tmp_path,
        {
            "tests/test_export.py": """
        import torch

        def test_exported_pipeline_matches(batch):
            pre = torch.jit.load("export/preprocessor.pt")
            predictor = torch.jit.load("export/predictor.pt")
            post = torch.jit.load("export/postprocessor.pt")
            features = pre(batch)
            scores = predictor(features)
            assert post(scores) is not None
    """,
            "serve.py": """
        import torch

        pre = torch.jit.load("export/preprocessor.pt")
        predictor = torch.jit.load("export/predictor.pt")
        post = torch.jit.load("export/postprocessor.pt")

        def handle(batch):
            return post(predictor(pre(batch)))
    """,
        },
    )
    findings, _ = check(tmp_path)
    assert findings == [("serve.py", 9, "MLD401")]


def test_transformers_pipeline_loads_the_model_it_serves(tmp_path):
    project(
        tmp_path,
        {
            "train_teacher.py": """
            import pandas as pd
            from datasets import Dataset
            from transformers import AutoModelForSequenceClassification, Trainer, TrainingArguments

            def main():
                dataset = Dataset.from_pandas(pd.read_parquet("data/labeled.parquet"))
                teacher = AutoModelForSequenceClassification.from_pretrained("roberta-large", num_labels=2)
                trainer = Trainer(model=teacher, args=TrainingArguments(output_dir="out"), train_dataset=dataset)
                trainer.train()
                trainer.save_model("models/teacher")
        """,
            "label_unlabeled.py": """
            import pandas as pd
            from transformers import pipeline

            PSEUDO_PATH = "data/pseudo_labels.parquet"

            def main():
                classifier = pipeline("text-classification", model="models/teacher")
                texts = pd.read_parquet("data/unlabeled.parquet")["text"].tolist()
                outputs = classifier(texts, batch_size=64)
                pd.DataFrame({"text": texts, "label": [o["label"] for o in outputs]}).to_parquet(PSEUDO_PATH)
        """,
            "train_student.py": """
            import pandas as pd
            from datasets import Dataset
            from transformers import AutoModelForSequenceClassification, Trainer, TrainingArguments
            from label_unlabeled import PSEUDO_PATH

            def main():
                dataset = Dataset.from_pandas(pd.read_parquet(PSEUDO_PATH))
                student = AutoModelForSequenceClassification.from_pretrained("distilbert-base-uncased")
                trainer = Trainer(model=student, args=TrainingArguments(output_dir="out"), train_dataset=dataset)
                trainer.train()
        """,
        },
    )
    assert edges(tmp_path) == {
        ("teacher", "pseudo_labels.parquet"),
        ("pseudo_labels.parquet", "distilbert-base-uncased"),
    }


UPLIFT = """
    import numpy as np

    class TwoModels:
        def __init__(self, estimator_trmnt, estimator_ctrl, method="vanilla"):
            self.estimator_trmnt = estimator_trmnt
            self.estimator_ctrl = estimator_ctrl
            self.method = method

        def fit(self, X_trmnt, y_trmnt, X_ctrl, y_ctrl):
            if self.method == "ddr_control":
                self.estimator_ctrl.fit(X_ctrl, y_ctrl)
                ddr = self.estimator_ctrl.predict_proba(X_trmnt)[:, 1]
                self.estimator_trmnt.fit(np.column_stack((X_trmnt, ddr)), y_trmnt)
            {branch}
                self.estimator_trmnt.fit(X_trmnt, y_trmnt)
                ddr = self.estimator_trmnt.predict_proba(X_ctrl)[:, 1]
                self.estimator_ctrl.fit(np.column_stack((X_ctrl, ddr)), y_ctrl)
"""


def test_edges_under_different_values_of_one_subject_are_not_a_loop(tmp_path):
    # sklift-style: each method trains one model on the other's output, never both in one run.
    exclusive = UPLIFT.replace("{branch}", 'if self.method == "ddr_treatment":')
    project(tmp_path / "exclusive", {"uplift.py": exclusive})
    findings, _ = check(tmp_path / "exclusive")
    assert findings == []
    # Under an unrelated condition both directions can happen in one run: a loop, in memory,
    # so reported only on request (report-explicit-loops).
    project(tmp_path / "loop", {"uplift.py": UPLIFT.replace("{branch}", "if self.refit:")})
    findings, _ = check(tmp_path / "loop")
    assert findings == []
    findings, _ = check(tmp_path / "loop", rule_options=(("MLD402", (("report-explicit-loops", True),)),))
    assert [code for _, _, code in findings] == ["MLD402"]
    findings, _ = check(
        tmp_path / "exclusive", rule_options=(("MLD402", (("report-explicit-loops", True),)),), paths=None
    )
    assert findings == []

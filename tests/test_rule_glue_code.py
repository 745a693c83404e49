"""MLD201 glue-code on feature, training and serving code in the style of real projects."""

from __future__ import annotations

import pytest

SELECT = ("MLD201",)

# (source, expected function name, expected libraries)
POSITIVES = [
    (
        """
        import json
        import numpy as np
        import pandas as pd
        import torch

        def to_model_input(payload):
            records = json.loads(payload)
            frame = pd.DataFrame(records)
            matrix = np.asarray(frame[["age", "income"]].values, dtype=np.float32)
            return torch.from_numpy(matrix)
        """,
        "to_model_input",
        "json, numpy, pandas, torch",
    ),
    (
        """
        import numpy as np
        import pandas as pd
        import torch

        def predictions_frame(model, features):
            inputs = torch.tensor(features.to_numpy(), dtype=torch.float32)
            scores = model(inputs).detach().cpu().numpy()
            frame = pd.DataFrame({"score": scores.ravel()})
            return frame.to_dict(orient="records")
        """,
        "predictions_frame",
        "numpy, pandas, torch",
    ),
    (
        """
        import json
        import numpy as np
        import tensorflow as tf

        def serve(request_body, model):
            rows = json.loads(request_body)["instances"]
            batch = tf.convert_to_tensor(np.array(rows, dtype="float32"))
            probs = model(batch).numpy()
            return json.dumps({"predictions": probs.tolist()})
        """,
        "serve",
        "json, numpy, tensorflow",
    ),
    (
        """
        import numpy as np
        import pandas as pd

        def user_vectors(events):
            frame = pd.DataFrame(events)
            ids = frame["user_id"].to_numpy()
            vectors = np.stack(frame["embedding"].tolist())
            return {uid: vec.tolist() for uid, vec in zip(ids, vectors)}
        """,
        "user_vectors",
        "numpy, pandas",
    ),
    (
        """
        import pandas as pd
        import torch

        class Collator:
            def __call__(self, rows):
                frame = pd.DataFrame(rows)
                dense = torch.tensor(frame[["x1", "x2"]].values)
                labels = torch.as_tensor(frame["y"].to_numpy())
                weights = torch.tensor(frame["w"].tolist())
                return {"dense": dense, "labels": labels}
        """,
        "__call__",
        "numpy, pandas, torch",
    ),
    (
        """
        import jax.numpy as jnp
        import numpy as np
        import pandas as pd

        def batch_to_jax(frame: pd.DataFrame):
            x = jnp.asarray(frame.drop(columns=["y"]).values)
            y = jnp.asarray(frame["y"].to_numpy())
            w = np.asarray(frame["weight"].tolist())
            return x, y, jnp.array(w)
        """,
        "batch_to_jax",
        "jax, numpy, pandas",
    ),
    (
        """
        import json
        import pandas as pd

        def export_scores(frame):
            rows = frame.to_dict(orient="records")
            cleaned = [{"id": row["id"], "score": float(row["score"])} for row in rows]
            body = json.dumps(cleaned)
            return json.loads(body)
        """,
        "export_scores",
        "json",  # json + pandas? to_dict counts as python only
    ),
    (
        """
        import numpy as np
        import torch

        def embed_texts(model, texts):
            tokens = [model.tokenize(t) for t in texts]
            batch = torch.tensor(np.array(tokens))
            out = model(batch).cpu().numpy()
            norms = np.linalg.norm(out, axis=1).tolist()
            return out.tolist(), norms
        """,
        "embed_texts",
        "numpy, torch",
    ),
    (
        """
        import numpy as np
        import pandas as pd
        import torch

        def score_frame(model, df):
            x = torch.from_numpy(df[FEATURES].values.astype(np.float32))
            logits = model(x)
            df["p"] = logits.sigmoid().detach().numpy()
            df["rank"] = np.asarray(df["p"].rank().tolist())
            return df
        """,
        "score_frame",
        "numpy, pandas, torch",
    ),
    (
        """
        import numpy as np
        import torch

        def to_numpy_dict(outputs):
            logits = outputs["logits"].detach().cpu().numpy()
            hidden = outputs["hidden"].detach().cpu().numpy()
            mask = np.asarray(outputs["mask"].tolist())
            lengths = outputs["lengths"].tolist()
            return {"logits": logits, "hidden": hidden, "mask": mask}
        """,
        "to_numpy_dict",
        "numpy, torch",
    ),
    (
        """
        import json
        import numpy as np

        def load_vectors(path):
            with open(path) as handle:
                raw = json.loads(handle.read())
            ids = np.array(raw["ids"])
            vecs = np.asarray(raw["vectors"])
            return {int(i): v for i, v in zip(ids.tolist(), vecs)}
        """,
        "load_vectors",
        "json, numpy",
    ),
    (
        """
        import pandas as pd
        import tensorflow as tf

        def make_dataset(frame):
            features = tf.convert_to_tensor(frame[COLUMNS].values)
            labels = tf.convert_to_tensor(frame["label"].to_numpy())
            weights = tf.convert_to_tensor(frame["w"].to_list())
            return tf.data.Dataset.from_tensor_slices((features, labels, weights))
        """,
        "make_dataset",
        "numpy, pandas, tensorflow",
    ),
    (
        """
        import numpy as np
        import pandas as pd

        async def handle(request):
            payload = await request.json()
            frame = pd.DataFrame(payload["rows"])
            preds = MODEL.predict(np.asarray(frame.values))
            return {"predictions": preds.tolist(), "ids": frame["id"].to_list()}
        """,
        "handle",
        "numpy, pandas",
    ),
    (
        """
        import numpy as np
        import pandas as pd
        import torch

        def build_features(users, items):
            users_df = pd.DataFrame.from_records(users)
            items_df = pd.DataFrame(items)
            u = torch.tensor(users_df[["age"]].to_numpy())
            i = torch.tensor(np.stack(items_df["vec"].tolist()))
            joined = torch.cat([u, i], dim=1)
            return joined
        """,
        "build_features",
        "numpy, pandas, torch",
    ),
    (
        """
        import torch
        import numpy as np

        def postprocess(boxes, scores):
            boxes_np = boxes.detach().cpu().numpy()
            scores_np = scores.detach().cpu().numpy()
            keep = np.asarray([i for i, s in enumerate(scores_np.tolist()) if s > 0])
            return boxes_np[keep].tolist()
        """,
        "postprocess",
        "numpy, torch",
    ),
]

NEGATIVES = [
    # pure pandas feature engineering
    """
    import numpy as np
    import pandas as pd

    def add_ratios(frame):
        frame = frame.copy()
        frame["debt_ratio"] = frame["debt"] / frame["income"].clip(lower=1)
        frame["log_income"] = np.log1p(frame["income"])
        return frame
    """,
    # a training step
    """
    import torch

    def train_step(model, batch, optimizer, loss_fn):
        optimizer.zero_grad()
        loss = loss_fn(model(batch["x"]), batch["y"])
        loss.backward()
        optimizer.step()
        return loss.item()
    """,
    # evaluation loop with a couple of conversions among much other work
    """
    import numpy as np
    import torch

    def evaluate(model, loader):
        preds, labels = [], []
        model.eval()
        with torch.no_grad():
            for x, y in loader:
                logits = model(x)
                preds.append(logits.argmax(1).cpu().numpy())
                labels.append(y.cpu().numpy())
        preds = np.concatenate(preds)
        labels = np.concatenate(labels)
        accuracy = (preds == labels).mean()
        return accuracy
    """,
    # torch named tuples, not pandas
    """
    import pandas as pd
    import torch

    def top_values(logits, k):
        best = logits.max(dim=-1).values
        top = torch.topk(logits, k).values
        values = logits.sort(dim=-1).values
        return best, top, values
    """,
    # dict .values() and .values on a non-pandas file
    """
    import torch

    def merge_metrics(metrics):
        totals = {k: sum(v) for k, v in metrics.items()}
        values = list(totals.values())
        means = [m.values for m in MEASUREMENTS]
        return values, means, torch.stack(list(metrics.values()))
    """,
    # many conversions but one library (numpy only)
    """
    import numpy as np

    def stack_all(a, b, c, d):
        a = np.asarray(a)
        b = np.asarray(b)
        c = np.array(c)
        d = np.array(d)
        return np.stack([a, b, c, d])
    """,
    # a dedicated two-statement adapter is the recommended fix
    """
    import numpy as np
    import pandas as pd
    import torch

    def frame_to_tensor(frame):
        values = np.asarray(frame.values, dtype=np.float32)
        return torch.from_numpy(values).to(DEVICE), torch.tensor(frame.index.to_numpy())
    """,
    # torch.tensor of a literal is construction, not conversion
    """
    import numpy as np
    import torch

    def init_buffers(module):
        module.register_buffer("scale", torch.tensor(1.0))
        module.register_buffer("shift", torch.tensor(0.0))
        module.weights = np.array([0.5, 0.5])
        module.bias = torch.tensor([0.0, 0.0])
    """,
    # .numpy() in a file that imports neither torch nor tensorflow
    """
    import json

    def describe(result):
        a = result.numpy()
        b = result.tolist()
        c = result.numpy()
        return json.dumps({"a": a, "b": b, "c": c})
    """,
    # model.cpu() moves are not conversions
    """
    import numpy as np
    import torch

    def export(model, path):
        model = model.cpu()
        model.eval()
        example = torch.zeros(1, 3, 224, 224)
        traced = torch.jit.trace(model, example)
        traced.save(path)
        return np.zeros(1)
    """,
    # conversions spread across a long function
    """
    import numpy as np
    import pandas as pd

    def clean(frame, config):
        frame = frame.dropna(subset=config.required)
        frame = frame[frame["amount"] > 0]
        frame["ts"] = pd.to_datetime(frame["ts"])
        frame = frame.sort_values("ts")
        frame["hour"] = frame["ts"].dt.hour
        frame["dow"] = frame["ts"].dt.dayofweek
        frame["amount_log"] = np.log1p(frame["amount"])
        ids = frame["id"].to_numpy()
        frame = frame.drop_duplicates("id")
        labels = frame["label"].values
        return frame, ids, labels
    """,
    # test files are skipped (see test below); here: a module-level script body
    """
    import numpy as np
    import pandas as pd
    import torch

    frame = pd.DataFrame(rows)
    x = torch.tensor(frame.values)
    y = np.asarray(frame["y"].tolist())
    z = torch.from_numpy(y)
    """,
    # a class whose methods each do a little
    """
    import numpy as np
    import pandas as pd

    class Scaler:
        def fit(self, frame):
            self.mean_ = frame.mean().to_numpy()
            self.std_ = frame.std().to_numpy()
            return self

        def transform(self, frame):
            return (frame.to_numpy() - self.mean_) / self.std_
    """,
    # self.values is an attribute of the class, not pandas
    """
    import numpy as np
    import pandas as pd

    class Buffer:
        def snapshot(self):
            a = np.asarray(self.values)
            b = np.asarray(self.values)
            c = pd.Series(self.values)
            return a, b, c
    """,
    # transformers-style output handling: dict comprehension and device moves
    """
    import torch

    def prepare(batch, device):
        batch = {k: v.to(device) for k, v in batch.items()}
        outputs = MODEL(**batch)
        loss = outputs.loss
        loss.backward()
        return {k: v.detach() for k, v in outputs.items()}
    """,
    # numpy/jnp only with literals
    """
    import jax.numpy as jnp
    import numpy as np

    def defaults():
        a = jnp.array([1.0, 2.0])
        b = np.array([0, 1])
        c = jnp.asarray(0.5)
        return a, b, c
    """,
]


@pytest.mark.parametrize(("source", "name", "libraries"), POSITIVES)
def test_glue_functions_are_reported(lint, source, name, libraries):
    findings = lint(source, select=SELECT)
    assert len(findings) == 1, [f.message for f in findings]
    finding = findings[0]
    assert f"`{name}`" in finding.message
    data = dict(finding.data)
    assert data["conversions"] >= 4
    if libraries != "json":
        assert data["libraries"] == libraries.replace(" ", "")


@pytest.mark.parametrize("source", NEGATIVES)
def test_clean_code_is_not_reported(lint, source):
    assert lint(source, select=SELECT) == []


def test_message_gives_counts_and_libraries(lint):
    findings = lint(POSITIVES[0][0], select=SELECT)
    message = findings[0].message
    assert "4 conversions in 4 of 4 statements (100%)" in message
    assert "across json, numpy, pandas, torch" in message


def test_test_files_are_skipped(lint):
    assert lint(POSITIVES[0][0], select=SELECT, filename="tests/test_io.py") == []


def test_thresholds_are_options(lint):
    source = POSITIVES[0][0]
    assert lint(source, select=SELECT, rule_options={"glue-code": {"min-conversions": 5}}) == []
    assert lint(source, select=SELECT, rule_options={"glue-code": {"min-libraries": 5}}) == []
    evaluate = NEGATIVES[2]
    loose = {"glue-code": {"min-conversions": 2, "min-share": 0.1}}
    assert len(lint(evaluate, select=SELECT, rule_options=loose)) == 1


def test_chain_counts_once(lint):
    source = """
    import numpy as np
    import torch

    def f(a, b, c, d):
        a = a.detach().cpu().numpy()
        b = b.detach().cpu().numpy()
        c = c.detach().cpu().numpy()
        return a, b, c
    """
    loose = {"glue-code": {"min-conversions": 3}}
    findings = lint(source, select=SELECT, rule_options=loose)
    assert dict(findings[0].data)["conversions"] == 3
    assert lint(source, select=SELECT) == []


def test_extra_conversions_option(lint):
    source = """
    import numpy as np
    from feature_store.client import to_frame, from_frame

    def fetch(client, ids):
        frame = to_frame(client.get(ids))
        raw = from_frame(frame)
        arr = np.asarray(raw)
        return np.array(arr.tolist())
    """
    assert lint(source, select=SELECT) == []
    options = {
        "glue-code": {
            "extra-conversions": [
                "feature_store.client.to_frame:pandas",
                "feature_store.client.from_frame:pandas",
            ]
        }
    }
    findings = lint(source, select=SELECT, rule_options=options)
    assert len(findings) == 1
    assert dict(findings[0].data)["libraries"] == "numpy,pandas"


def test_the_same_conversion_in_alternative_branches_counts_once(lint):
    source = """
    import numpy as np
    import torch
    from torch.utils.data import TensorDataset

    def train_eval_split(X, X_val=None, val_split=None):
        if X_val is not None:
            train_set = TensorDataset(torch.from_numpy(X))
            eval_set = TensorDataset(torch.from_numpy(X_val))
        elif val_split is not None:
            X_tr, X_val = split(X, val_split)
            train_set = TensorDataset(torch.from_numpy(X_tr))
            eval_set = TensorDataset(torch.from_numpy(X_val))
        else:
            train_set = TensorDataset(torch.from_numpy(X))
            eval_set = None
        return train_set, eval_set
    """
    assert lint(source, select=SELECT) == []
    findings = lint(source, select=SELECT, rule_options={"glue-code": {"min-conversions": 3}})
    assert dict(findings[0].data)["conversions"] == 3


def test_an_adapter_converting_each_of_its_arguments_once_is_the_boundary(lint):
    source = """
    import numpy as np
    import torch

    class Standardize:
        def __init__(self, mean: np.ndarray, std: np.ndarray, lo: np.ndarray, hi: np.ndarray, eps=1e-8):
            self.mean, self.std = torch.from_numpy(mean), torch.from_numpy(std)
            self.lo, self.hi = torch.from_numpy(lo), torch.from_numpy(hi)
            self.eps = eps

        def decode(self, mean, std, lo, hi):
            self.mean, self.std = torch.from_numpy(mean), torch.tensor(std)
            self.lo, self.hi = torch.from_numpy(lo).cpu().numpy(), torch.from_numpy(hi)
            self.eps = None
    """
    findings = lint(source, select=SELECT)
    assert [f.message.split("`")[1] for f in findings] == ["decode"]


def test_image_serving_glue_between_pil_numpy_and_torch_is_reported(lint):
    source = """
    import io
    import numpy as np
    import torch
    from PIL import Image

    def overlay_response(model, raw: bytes):
        image = np.asarray(Image.open(io.BytesIO(raw)).convert("RGB"))
        batch = torch.from_numpy(image).permute(2, 0, 1)[None].float() / 255
        mask = model(batch)[0, 0].sigmoid().detach().cpu().numpy()
        blended = Image.fromarray((image * mask[..., None]).astype(np.uint8))
        return blended
    """
    findings = lint(source, select=SELECT)
    assert len(findings) == 1
    assert dict(findings[0].data)["libraries"] == "numpy,pil,torch"


def test_arrow_tables_to_pandas_count_as_conversions(lint):
    source = """
    import json
    import datasets
    import pandas as pd

    def export_predictions(split: datasets.Dataset, scores):
        frame: pd.DataFrame = split.to_pandas()
        frame["score"] = scores.tolist()
        payload = frame.to_json(orient="records")
        return json.loads(payload)
    """
    findings = lint(source, select=SELECT)
    assert len(findings) == 1
    assert dict(findings[0].data)["libraries"] == "json,pandas"


# Shapes met in real ML applications: (id, clean code, its near-identical twin
# across the guard, the name of the function reported in the twin).
APPLICATION_TWINS = [
    (
        "values-as-lookup-vs-values-as-conversion",
        """
        import numpy as np
        import pandas as pd

        def seat_limit(plan, plans, add_ons):
            if plan in plans.index.values:
                limit_col = plans.columns.values[2]
                return limit_col, plans.loc[plan, limit_col]
            if plan in add_ons["plan"].values:
                row = add_ons[add_ons["plan"] == plan]
                return "seats", row["seats"].values[0]
            return None, None
        """,
        """
        import numpy as np
        import pandas as pd

        def seat_limit(plan, plans, add_ons):
            if plan in plans.index.values:
                limit_col = plans.columns.values
                return limit_col, plans.loc[plan].values
            if plan in add_ons["plan"].values:
                row = add_ons[add_ons["plan"] == plan].to_numpy()
                return "seats", np.asarray(row.tolist())
            return None, None
        """,
        "seat_limit",
    ),
    (
        "rolling-features-within-pandas-vs-into-torch",
        """
        import pandas as pd
        import torch

        def rolling_features(frame, cols):
            short = frame.groupby("study")[cols].rolling(3, min_periods=1).mean().values
            long = frame.groupby("study")[cols].rolling(7, min_periods=1).mean().values
            base = frame[cols].to_numpy()
            out = pd.DataFrame(short - base, columns=[c + "_d3" for c in cols])
            return pd.concat([out, pd.DataFrame(long - base, columns=[c + "_d7" for c in cols])], axis=1)
        """,
        """
        import pandas as pd
        import torch

        def rolling_features(frame, cols):
            short = frame.groupby("study")[cols].rolling(3, min_periods=1).mean().values
            long = frame.groupby("study")[cols].rolling(7, min_periods=1).mean().values
            base = frame[cols].to_numpy()
            out = torch.from_numpy(short - base)
            return torch.cat([out, torch.as_tensor(long - base)], dim=1)
        """,
        "rolling_features",
    ),
    (
        "handler-that-logs-and-stores-vs-thin-handler",
        """
        import numpy as np
        import torch
        from flask import Flask, jsonify, request

        app = Flask(__name__)

        @app.route("/score", methods=["POST"])
        def score():
            features = np.array(request.get_json()["features"], dtype=np.float32)
            audit.record(features)
            scores = MODEL(torch.from_numpy(features))
            audit.store(scores)
            audit.flush()
            log.info("scored %d rows", len(features))
            return jsonify({"scores": scores.detach().numpy().tolist()})
        """,
        """
        import numpy as np
        import torch
        from flask import Flask, jsonify, request

        app = Flask(__name__)

        @app.route("/score", methods=["POST"])
        def score():
            features = np.array(request.get_json()["features"], dtype=np.float32)
            scores = MODEL(torch.from_numpy(features))
            return jsonify({"scores": scores.detach().numpy().tolist()})
        """,
        "score",
    ),
]


@pytest.mark.parametrize("clean, twin, name", [t[1:] for t in APPLICATION_TWINS], ids=[t[0] for t in APPLICATION_TWINS])
def test_application_shapes(lint, clean, twin, name):
    clean_findings = lint(clean, select=SELECT)
    assert clean_findings == [], [f"{f.line}: {f.message}" for f in clean_findings]
    findings = lint(twin, select=SELECT)
    assert [f"`{name}`" in f.message for f in findings] == [True], [f.message for f in findings]

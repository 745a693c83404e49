"""MLD702 unmonitored-prediction: serving handlers and scoring jobs, each with a recording twin."""

from __future__ import annotations

import pytest
from conftest import lint_source
from rule_twins import check_twin

CODE = "MLD702"

FASTAPI = """
import logging
from fastapi import FastAPI
logger = logging.getLogger(__name__)
app = FastAPI()
"""

TWINS = [
    (
        "fastapi route",
        FASTAPI
        + """
@app.post("/predict")
def predict(features: dict):
    score = model.predict_proba([list(features.values())])[0, 1]  # <- MLD702
    return {"score": float(score)}
""",
        FASTAPI
        + """
@app.post("/predict")
def predict(features: dict):
    score = model.predict_proba([list(features.values())])[0, 1]
    logger.info("prediction %s -> %s", features, score)
    return {"score": float(score)}
""",
    ),
    (
        "flask route with model(x)",
        """
        from flask import Flask, jsonify, request
        app = Flask(__name__)
        @app.route("/embed", methods=["POST"])
        def embed():
            vector = model(request.json["text"])  # <- MLD702
            return jsonify(vector.tolist())
        """,
        """
        import structlog
        from flask import Flask, jsonify, request
        log = structlog.get_logger()
        app = Flask(__name__)
        @app.route("/embed", methods=["POST"])
        def embed():
            vector = model(request.json["text"])
            log.info("embedded", n=len(vector))
            return jsonify(vector.tolist())
        """,
    ),
    (
        "helper that records is followed",
        FASTAPI
        + """
def score(x):
    return model.predict(x)
@app.post("/score")
def route(x: list):
    return {"y": score(x).tolist()}  # <- MLD702
""",
        FASTAPI
        + """
def score(x):
    y = model.predict(x)
    logger.info("scored %d rows", len(y))
    return y
@app.post("/score")
def route(x: list):
    return {"y": score(x).tolist()}
""",
    ),
    (
        "error-only logging does not count",
        FASTAPI
        + """
@app.post("/predict")
def predict(x: list):
    try:
        y = model.predict(x)  # <- MLD702
    except ValueError:
        logger.exception("bad input")
        raise
    return {"y": y.tolist()}
""",
        FASTAPI
        + """
@app.post("/predict")
def predict(x: list):
    try:
        y = model.predict(x)
    except ValueError:
        logger.exception("bad input")
        raise
    logger.info("predicted %s", y)
    return {"y": y.tolist()}
""",
    ),
    (
        "print does not count, a prometheus metric does",
        """
        from fastapi import FastAPI
        from prometheus_client import Histogram
        app = FastAPI()
        SCORES = Histogram("score", "model score")
        @app.post("/predict")
        def predict(x: list):
            y = float(model.predict_proba([x])[0, 1])  # <- MLD702
            print(y)
            return {"y": y}
        """,
        """
        from fastapi import FastAPI
        from prometheus_client import Histogram
        app = FastAPI()
        SCORES = Histogram("score", "model score")
        @app.post("/predict")
        def predict(x: list):
            y = float(model.predict_proba([x])[0, 1])
            SCORES.observe(y)
            return {"y": y}
        """,
    ),
    (
        "health route does not predict",
        FASTAPI
        + """
@app.get("/recommend/{user_id}")
def recommend(user_id: str):
    return {"items": recommender.recommend(user_id, n=10)}  # <- MLD702
""",
        FASTAPI
        + """
@app.get("/health")
def health():
    return {"status": "ok", "model": model_version}
""",
    ),
    (
        "imported helper named for recording",
        FASTAPI
        + """
@app.post("/recommend")
def recommend(user_id: str):
    items = get_recommendations(user_id)  # <- MLD702
    return {"items": items}
""",
        FASTAPI
        + """
from monitoring import log_prediction
@app.post("/recommend")
def recommend(user_id: str):
    items = get_recommendations(user_id)
    log_prediction(user_id, items)
    return {"items": items}
""",
    ),
    (
        "background task stores the prediction",
        """
        from fastapi import BackgroundTasks, FastAPI
        app = FastAPI()
        @app.post("/predict")
        async def predict(x: dict, tasks: BackgroundTasks):
            y = model.predict([x])[0]  # <- MLD702
            return {"y": y}
        """,
        """
        from fastapi import BackgroundTasks, FastAPI
        app = FastAPI()
        @app.post("/predict")
        async def predict(x: dict, tasks: BackgroundTasks):
            y = model.predict([x])[0]
            tasks.add_task(save_prediction, x, y)
            return {"y": y}
        """,
    ),
    (
        "prediction row inserted into a table",
        """
        import sqlite3
        from flask import Flask, request
        app = Flask(__name__)
        @app.post("/predict")
        def predict():
            y = int(model.predict([request.json["x"]])[0])  # <- MLD702
            return {"y": y}
        """,
        """
        import sqlite3
        from flask import Flask, request
        app = Flask(__name__)
        @app.post("/predict")
        def predict():
            y = int(model.predict([request.json["x"]])[0])
            with sqlite3.connect("predictions.db") as conn:
                conn.execute("INSERT INTO predictions (x, y) VALUES (?, ?)", (str(request.json["x"]), y))
            return {"y": y}
        """,
    ),
    (
        "bentoml api",
        """
        import bentoml
        svc = bentoml.Service("fraud", runners=[runner])
        @svc.api(input=input_spec, output=output_spec)
        async def is_fraud(frame):
            return await runner.predict_proba.async_run(frame)  # <- MLD702
        """,
        """
        import bentoml
        import logging
        logger = logging.getLogger("bentoml")
        svc = bentoml.Service("fraud", runners=[runner])
        @svc.api(input=input_spec, output=output_spec)
        async def is_fraud(frame):
            result = await runner.predict_proba.async_run(frame)
            logger.info("fraud scores %s", result)
            return result
        """,
    ),
    (
        "grpc servicer",
        """
        import grpc
        import scorer_pb2_grpc
        class Scorer(scorer_pb2_grpc.ScorerServicer):
            def Score(self, request, context):
                return Reply(score=self.model.predict([request.features])[0])  # <- MLD702
        """,
        """
        import grpc
        import scorer_pb2_grpc
        from opentelemetry import trace
        tracer = trace.get_tracer(__name__)
        class Scorer(scorer_pb2_grpc.ScorerServicer):
            def Score(self, request, context):
                with tracer.start_as_current_span("score") as span:
                    score = self.model.predict([request.features])[0]
                    span.set_attribute("score", float(score))
                return Reply(score=score)
        """,
    ),
    (
        "ray serve deployment",
        """
        from ray import serve
        @serve.deployment
        class Classifier:
            async def __call__(self, request):
                return {"label": self.model.predict([await request.json()])[0]}  # <- MLD702
        """,
        """
        import mlflow
        from ray import serve
        @serve.deployment
        class Classifier:
            async def __call__(self, request):
                label = self.model.predict([await request.json()])[0]
                mlflow.log_metric("served", 1)
                return {"label": label}
        """,
    ),
    (
        "batch scoring job",
        """
        import joblib
        import pandas as pd
        model = joblib.load("models/churn.pkl")
        customers = pd.read_parquet("data/customers.parquet")
        customers["churn_score"] = model.predict_proba(customers[FEATURES])[:, 1]  # <- MLD702
        customers[["customer_id", "churn_score"]].to_parquet("exports/churn_scores.parquet")
        """,
        """
        import joblib
        import logging
        import pandas as pd
        model = joblib.load("models/churn.pkl")
        customers = pd.read_parquet("data/customers.parquet")
        customers["churn_score"] = model.predict_proba(customers[FEATURES])[:, 1]
        logging.info("scored %d customers, mean %.3f", len(customers), customers["churn_score"].mean())
        customers[["customer_id", "churn_score"]].to_parquet("exports/churn_scores.parquet")
        """,
    ),
    (
        "a competition submission is not a scoring job",
        """
        import joblib
        import pandas as pd
        model = joblib.load("models/model.pkl")
        rows = pd.read_csv("accounts.csv")
        rows["pred"] = model.predict(rows[FEATURES])  # <- MLD702
        rows[["id", "pred"]].to_csv("scores/daily_scores.csv", index=False)
        """,
        """
        import joblib
        import pandas as pd
        model = joblib.load("models/model.pkl")
        rows = pd.read_csv("accounts.csv")
        rows["pred"] = model.predict(rows[FEATURES])
        rows[["id", "pred"]].to_csv("submission.csv", index=False)
        """,
    ),
    (
        "an evaluation report is not a scoring job",
        """
        import joblib
        import pandas as pd
        def score_accounts():
            model = joblib.load("models/model.pkl")
            frame = pd.read_parquet("accounts.parquet")
            frame["p"] = model.predict_proba(frame[FEATURES])[:, 1]  # <- MLD702
            frame.to_parquet("exports/account_scores.parquet")
        """,
        """
        import joblib
        import pandas as pd
        def evaluate():
            model = joblib.load("models/model.pkl")
            frame = pd.read_parquet("holdout.parquet")
            frame["p"] = model.predict_proba(frame[FEATURES])[:, 1]
            frame.to_parquet("reports/holdout_scores.parquet")
        """,
    ),
    (
        "a business-rule call is not a prediction",
        FASTAPI
        + """
@app.get("/member/{member_id}")
def member(member_id: str):
    score = churn_model.predict_proba(features_of(member_id))[0, 1]  # <- MLD702
    return {"action": rules.get_recommendation(score)}
""",
        FASTAPI
        + """
@app.get("/member/{member_id}")
def member(member_id: str):
    row = store.lookup(member_id)
    return {"action": rules.get_recommendation(row["risk_score"])}
""",
    ),
]


@pytest.mark.parametrize("positive, negative", [case[1:] for case in TWINS], ids=[case[0] for case in TWINS])
def test_unmonitored_prediction_twins(tmp_path, positive, negative):
    check_twin(tmp_path, CODE, positive, negative, filename="service.py")


def test_demo_folders_are_skipped(tmp_path):
    source = (
        "from fastapi import FastAPI\napp = FastAPI()\n"
        "@app.post('/p')\ndef p(x: list):\n    return model.predict(x).tolist()\n"
    )
    assert len(lint_source(tmp_path / "a", source, select=(CODE,), filename="api/service.py").findings) == 1
    assert lint_source(tmp_path / "b", source, select=(CODE,), filename="benchmark/service.py").findings == ()


def test_related_points_at_the_handler(tmp_path):
    source = (
        "from fastapi import FastAPI\napp = FastAPI()\n"
        "@app.post('/p')\ndef p(x: list):\n    return model.predict(x).tolist()\n"
    )
    (finding,) = lint_source(tmp_path, source, select=(CODE,), filename="service.py").findings
    assert finding.line == 5
    assert [(item.line, item.note) for item in finding.related] == [(4, "route p() returns predictions here")]

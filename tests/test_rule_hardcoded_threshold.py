"""MLD101 hardcoded-threshold: targeted cases in the style of real training
and serving code. Each positive names the line that must be flagged; each
negative is clean, idiomatic code that must produce no finding."""

from __future__ import annotations

import textwrap

import pytest

SELECT = ("MLD101",)

# (id, source, expected 1-based lines of findings)
POSITIVES = [
    (
        "sklearn-predict-proba-astype",
        """
        def predict(clf, X):
            proba = clf.predict_proba(X)[:, 1]
            return (proba >= 0.5).astype(int)
        """,
        [3],
    ),
    (
        "sklearn-inline-predict-proba",
        """
        def flag_fraud(model, frame):
            frame["is_fraud"] = model.predict_proba(frame[FEATURES])[:, 1] > 0.83
            return frame
        """,
        [2],
    ),
    (
        "numpy-where-generic-name",
        """
        import numpy as np

        def to_labels(p):
            return np.where(p > 0.7, "churn", "stay")
        """,
        [4],
    ),
    (
        "torch-sigmoid-method",
        """
        import torch

        @torch.no_grad()
        def infer(model, batch):
            return (model(batch).sigmoid() > 0.4).long()
        """,
        [5],
    ),
    (
        "torch-softmax-max-values",
        """
        import torch

        def confident_mask(logits):
            probs = torch.softmax(logits, dim=-1)
            return probs.max(dim=-1).values >= 0.95
        """,
        [5],
    ),
    (
        "keras-predict",
        """
        def classify(model, images):
            preds = model.predict(images, verbose=0)
            return [int(p[0] > 0.6) for p in preds]
        """,
        [3],
    ),
    (
        "early-stopping-on-val-loss",
        """
        def fit(model, train_loader, val_loader, optimizer):
            for epoch in range(cfg.epochs):
                train_one_epoch(model, train_loader, optimizer)
                val_loss = evaluate(model, val_loader)
                if val_loss < 0.015:
                    break
        """,
        [5],
    ),
    (
        "loss-item-divergence",
        """
        def training_step(model, batch):
            loss = model(**batch).loss
            if loss.item() > 25.0:
                raise RuntimeError("diverged")
            return loss
        """,
        [3],
    ),
    (
        "metric-dict-gate",
        """
        def maybe_promote(metrics, registry):
            if metrics["roc_auc"] >= 0.78 and metrics.get("f1") > 0.6:
                registry.promote("churn-model")
        """,
        [2, 2],
    ),
    (
        "local-literal-cutoff",
        """
        def decide(scores):
            cutoff = 0.62
            return [s >= cutoff for s in scores]
        """,
        [3],
    ),
    (
        "chained-band",
        """
        def route(prediction_score):
            if 0.4 < prediction_score < 0.6:
                return "manual_review"
            return "auto"
        """,
        [2],
    ),
    (
        "xgboost-booster-predict",
        """
        import xgboost as xgb

        def predict(booster, frame):
            dmatrix = xgb.DMatrix(frame)
            y_pred = booster.predict(dmatrix)
            return y_pred > 0.3
        """,
        [6],
    ),
    (
        "fastapi-handler-threshold-keyword",
        """
        from fastapi import APIRouter

        router = APIRouter()

        @router.post("/moderate")
        async def moderate(request):
            return toxicity.filter(request.text, threshold=0.85)
        """,
        [7],
    ),
    (
        "torch-gt-function",
        """
        import torch

        def binarize(logits):
            return torch.gt(torch.sigmoid(logits), 0.3)
        """,
        [4],
    ),
    (
        "similarity-threshold",
        """
        from sentence_transformers import util

        def find_duplicates(model, questions):
            embeddings = model.encode(questions, convert_to_tensor=True)
            cos_scores = util.cos_sim(embeddings, embeddings)
            return (cos_scores > 0.9).nonzero()
        """,
        [6],
    ),
    (
        "outputs-logits-attribute",
        """
        def detect_toxic(model, tokenizer, text):
            outputs = model(**tokenizer(text, return_tensors="pt"))
            return outputs.logits[0, 1] > 2.5
        """,
        [3],
    ),
    (
        "script-level-code",
        """
        import pandas as pd
        from joblib import load

        model = load("model.joblib")
        frame = pd.read_csv("customers.csv")
        frame["proba"] = model.predict_proba(frame)[:, 1]
        frame[frame["proba"] > 0.65].to_csv("targets.csv")
        """,
        [7],
    ),
    (
        "tensor-gt-method",
        """
        def multilabel(model, batch):
            probs = model(batch).sigmoid()
            return probs.gt(0.35).float()
        """,
        [3],
    ),
    (
        "lightning-callback-metrics",
        """
        import lightning as L

        class StopWhenGoodEnough(L.Callback):
            def on_validation_end(self, trainer, pl_module):
                if trainer.callback_metrics["val_acc"] > 0.97:
                    trainer.should_stop = True
        """,
        [5],
    ),
    (
        "torchvision-nms-in-predict",
        """
        from torchvision.ops import nms

        def predict(model, images):
            boxes, scores = model(images)
            keep = nms(boxes, scores, iou_threshold=0.45)
            return boxes[keep], scores[keep]
        """,
        [5],
    ),
    (
        "serve-module-threshold-keyword",
        """
        def build_detector():
            return ObjectDetector(weights="detector.pt", score_threshold=0.45)
        """,
        [2],
    ),
    (
        "low-confidence-rejected-in-handler",
        """
        from fastapi import HTTPException

        def classify(model, image):
            confidence = model.predict_proba(image).max()
            if confidence < 0.6:
                raise HTTPException(status_code=422, detail="not confident enough")
            return confidence
        """,
        [5],
    ),
    (
        "any-score-over-level-is-a-decision",
        """
        def needs_review(scores):
            return any(score > 0.92 for score in scores)
        """,
        [2],
    ),
    (
        "ultralytics-style-predict-call-in-script",
        """
        from ultralytics import YOLO

        model = YOLO("yolov8n.pt")
        results = model.predict("bus.jpg", conf=0.35, iou=0.6, imgsz=640)
        """,
        [4, 4],
    ),
    (
        "conf-thres-keyword-to-detect",
        """
        def run(detector, frames):
            return [detector.detect(frame, conf_thres=0.4) for frame in frames]
        """,
        [2],
    ),
    (
        "yolov5-hub-model-attributes",
        """
        import yolov5

        model = yolov5.load("best.pt")
        model.conf = 0.80  # NMS confidence threshold
        model.iou = 0.45
        model.max_det = 12
        results = model(img, size=640)
        """,
        [4, 5],
    ),
    (
        "script-level-threshold-used-in-handler",
        """
        import joblib
        from fastapi import FastAPI

        threshold = 0.78
        model = joblib.load("final_model.joblib")
        app = FastAPI()

        @app.post("/predict")
        def predict(data):
            y_proba = model.predict_proba(data)[:, 1]
            return (y_proba >= threshold).astype(int)
        """,
        [11],
    ),
]

NEGATIVES = [
    (
        "module-constant",
        """
        DECISION_THRESHOLD = 0.7

        def predict(model, X):
            return model.predict_proba(X)[:, 1] >= DECISION_THRESHOLD
        """,
    ),
    (
        "config-attribute",
        """
        def predict(model, X, cfg):
            proba = model.predict_proba(X)[:, 1]
            return proba > cfg.serving.threshold
        """,
    ),
    (
        "argparse-default",
        """
        import argparse

        def parse_args():
            parser = argparse.ArgumentParser()
            parser.add_argument("--threshold", type=float, default=0.5)
            parser.add_argument("--lr", type=float, default=3e-4)
            return parser.parse_args()
        """,
    ),
    (
        "dataclass-field",
        """
        from dataclasses import dataclass

        @dataclass
        class ServingConfig:
            threshold: float = 0.5
            min_confidence: float = 0.8
        """,
    ),
    (
        "len-and-shape-checks",
        """
        def collate(scores, logits):
            if len(scores) > 0 and logits.dim() > 2 and logits.shape[-1] > 1:
                return logits.squeeze(1)
            return logits
        """,
    ),
    (
        "loop-bounds-and-layer-sizes",
        """
        import torch
        from torch import nn

        torch.manual_seed(42)

        class Classifier(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))

            def forward(self, x):
                for _ in range(3):
                    x = x + 0
                return self.body(x)
        """,
    ),
    (
        "range-assert",
        """
        def check_probs(probs):
            assert 0 <= probs.min() and probs.max() <= 1
            assert 0.0 <= probs.sum(-1).mean() <= 1.0
        """,
    ),
    (
        "assert-is-invariant",
        """
        def sanity(loss):
            assert loss.item() < 100.0, "loss exploded"
        """,
    ),
    (
        "clip-and-clamp",
        """
        import numpy as np

        def calibrate(scores):
            scores = np.clip(scores, 0, 1)
            return scores.clamp(min=1e-7, max=1 - 1e-7)
        """,
    ),
    (
        "sign-checks-logits",
        """
        def positive_class(logits):
            return (logits > 0).long(), logits.argmax(-1) == 1
        """,
    ),
    (
        "dropout-probability-config",
        """
        from torch import nn

        class Block(nn.Module):
            def __init__(self, hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1):
                super().__init__()
                self.dropout = nn.Dropout(hidden_dropout_prob) if hidden_dropout_prob > 0.05 else nn.Identity()
        """,
    ),
    (
        "tolerance-on-difference",
        """
        import numpy as np

        def calibrated(probs, expected):
            return abs(probs.mean() - expected) < 0.02 and np.abs(probs - 0.5).max() < 0.5
        """,
    ),
    (
        "parameter-default-is-configurable",
        """
        def predict(model, X, threshold=0.5):
            proba = model.predict_proba(X)[:, 1]
            return proba >= threshold
        """,
    ),
    (
        "compare-with-best-score",
        """
        def on_validation_end(self, metrics):
            score = metrics["val_f1"]
            if score > self.best_score:
                self.best_score = score
        """,
    ),
    (
        "numeric-epsilon",
        """
        def positive_triplets(triplet_loss):
            return triplet_loss[triplet_loss > 1e-16]
        """,
    ),
    (
        "clamp-assignment",
        """
        import numpy as np

        def stable(logits):
            logits[logits < -88.7] = -88.7
            return 1 / (1 + np.exp(-logits))
        """,
    ),
    (
        "epoch-and-step-counters",
        """
        def should_log(step, epoch, num_scores, loss_weight):
            return step % 50 == 0 or epoch > 3 or num_scores > 10 or loss_weight > 0.5
        """,
    ),
    (
        "random-augmentation",
        """
        import random

        def augment(image):
            if random.random() < 0.5:
                image = image.flip(-1)
            return image
        """,
    ),
    (
        "threshold-keyword-outside-serving",
        """
        import numpy as np

        def summarize(values):
            np.set_printoptions(threshold=10)
            return binarize_features(values, threshold=0.2)
        """,
    ),
    (
        "keyword-into-config-object",
        """
        def predict_config():
            return ServingSettings(threshold=0.5)
        """,
    ),
    (
        "generic-name-without-cast",
        """
        def normalize(x):
            if x > 0.5:
                x = x / 2
            return x
        """,
    ),
    (
        "generation-config-checks",
        """
        def sampling_processors(generation_config, loss_scale, cfg):
            processors = []
            if generation_config.top_p is not None and generation_config.top_p < 0.95:
                processors.append(generation_config.top_p)
            if loss_scale > 1024 or cfg["score_threshold"] > 0.5:
                processors.append(loss_scale)
            return processors
        """,
    ),
    (
        "attention-mask-binarisation",
        """
        import torch

        def prepare(attention_mask, pixel_values):
            attention_mask = (attention_mask > 0.5).float()
            return torch.where(pixel_values > 0.5, 1.0, 0.0), attention_mask
        """,
    ),
    (
        "argument-validation-raises",
        """
        def prediction_interval(predictor, X, confidence_level=0.9):
            if confidence_level <= 0.5 or confidence_level >= 1.0:
                raise ValueError("confidence_level must lie between 0.5 and 1.0")
            if predictor.min_score < 0.05:
                raise TypeError("min_score too small")
            return predictor.predict_interval(X, confidence_level)
        """,
    ),
    (
        "counting-scores-per-level",
        """
        import numpy as np

        def confidence_report(scores, attempted):
            return {
                "p50": float(np.median(scores)),
                "share_gte_025": sum(score >= 0.25 for score in scores) / max(1, attempted),
                "share_gte_050": sum([score >= 0.5 for score in scores]) / max(1, attempted),
            }
        """,
    ),
    (
        "prediction-variance-noise-floor",
        """
        import numpy as np

        def informative_features(test_preds):
            for i in range(test_preds.shape[1]):
                preds_var = np.var(test_preds[:, i])
                if preds_var < 1e-4:
                    continue
                yield i
        """,
    ),
    (
        "conf-words-in-non-threshold-keywords",
        """
        def predict_step(model, batch):
            loss_fn = FocalLoss(conf_weight=0.5, iou_head_depth=3)
            return model.predict(batch, conf=False, verbose=False), loss_fn
        """,
    ),
    (
        "predict-call-with-configured-threshold",
        """
        def main(args):
            model = load(args.weights)
            return model.predict(args.source, conf=args.conf, iou=args.iou, max_det=300)
        """,
    ),
    (
        "coco-map-summary-of-predictions",
        """
        def summarize_predictions(evaluator):
            return [
                evaluator.summarize(use_ap=True, iou_thr=0.5),
                evaluator.summarize(use_ap=True, iou_thr=0.75),
            ]
        """,
    ),
    (
        "threshold-attributes-on-self-and-config",
        """
        class Detector:
            def __init__(self, cfg):
                self.conf = 0.25
                self.score_threshold = 0.5
                cfg.MODEL.ROI_HEADS.SCORE_THRESH_TEST = 0.7
                self.args.conf = 0.25
                self.model_config.iou_thres = 0.45
        """,
    ),
    (
        "script-level-threshold-replaced-at-startup",
        """
        import json

        threshold = 0.5
        with open("threshold.json") as handle:
            threshold = json.load(handle)["best"]

        def predict(model, X):
            return model.predict_proba(X)[:, 1] >= threshold
        """,
    ),
    (
        "parameter-shadows-script-level-value",
        """
        threshold = 0.5

        def predict(model, X, threshold):
            return model.predict_proba(X)[:, 1] >= threshold
        """,
    ),
    (
        "reassigned-local-is-not-a-literal",
        """
        def predict(model, X, overrides):
            cutoff = 0.5
            if overrides:
                cutoff = overrides["cutoff"]
            return model.predict_proba(X)[:, 1] > cutoff
        """,
    ),
]


@pytest.mark.parametrize(
    "source, lines", [(s, expected) for _, s, expected in POSITIVES], ids=[i for i, _, _ in POSITIVES]
)
def test_flags_hardcoded_threshold(lint, source, lines):
    filename = "serve.py" if "score_threshold" in source else "train.py"
    # Line numbers count from the snippet's first code line.
    findings = lint(textwrap.dedent(source).lstrip("\n"), select=SELECT, filename=filename)
    assert [f.line for f in findings] == lines, [f.message for f in findings]
    assert all(f.code == "MLD101" for f in findings)


@pytest.mark.parametrize("source", [s for _, s in NEGATIVES], ids=[i for i, _ in NEGATIVES])
def test_does_not_flag_clean_code(lint, source):
    findings = lint(source, select=SELECT)
    assert findings == [], [f"{f.line}: {f.message}" for f in findings]


def test_message_names_literal_and_what_it_gates(lint):
    findings = lint(POSITIVES[0][1], select=SELECT)
    assert len(findings) == 1
    message = findings[0].message
    assert "0.5" in message and "'proba'" in message and "predict_proba output" in message
    assert "config" in message


def test_message_names_local_variable(lint):
    (finding,) = lint(dict((i, s) for i, s, _ in POSITIVES)["local-literal-cutoff"], select=SELECT)
    assert "local 'cutoff'" in finding.message and "0.62" in finding.message


def test_chained_comparison_names_both_literals(lint):
    (finding,) = lint(dict((i, s) for i, s, _ in POSITIVES)["chained-band"], select=SELECT)
    assert "literals 0.4 and 0.6" in finding.message


def test_test_files_are_not_checked(lint):
    source = "def test_model(model, X):\n    assert_frac(model.predict_proba(X)[:, 1] > 0.5)\n"
    assert lint(source, select=SELECT, filename="tests/test_model.py") == []
    assert len(lint(source, select=SELECT, filename="model_eval.py")) == 1


def test_allowed_literals_option(lint):
    source = "def predict(model, X):\n    return model.predict_proba(X)[:, 1] > 0.5\n"
    options = {"hardcoded-threshold": {"allowed-literals": [0.0, 0.5, 1.0]}}
    assert lint(source, select=SELECT, rule_options=options) == []


def test_score_words_option(lint):
    source = "def rank(model, X):\n    risk = model.risk(X)\n    return risk > 0.8\n"
    assert lint(source, select=SELECT) == []
    options = {"hardcoded-threshold": {"score-words": ["risk"]}}
    assert [f.line for f in lint(source, select=SELECT, rule_options=options)] == [3]


def test_suppression_comment(lint):
    source = "def predict(model, X):\n    return model.predict_proba(X)[:, 1] > 0.5  # noqa: MLD101\n"
    assert lint(source, select=SELECT) == []


def test_cutoff_in_nested_function_is_scoped(lint):
    source = textwrap.dedent("""
        def outer(model, X):
            cutoff = 0.5

            def inner(scores):
                cutoff = load_cutoff()
                return scores > cutoff
            return inner
        """)
    assert lint(source, select=SELECT) == []


# Shapes met in real ML applications: (id, clean code, its near-identical twin
# across the guard, the twin's expected finding lines).
APPLICATION_TWINS = [
    (
        "drift-severity-level-vs-drift-score",
        """
        def should_retrain(report):
            severity_score = report.get("severity_score", 0)
            if severity_score >= 3:
                return True
            return False
        """,
        """
        def should_retrain(report):
            drift_score = report.get("drift_score", 0)
            if drift_score >= 0.3:
                return True
            return False
        """,
        [3],
    ),
    (
        "offline-metrics-labels-vs-served-labels",
        """
        def compare(model, X_test, y_test):
            y_score = model.predict_proba(X_test)[:, 1]
            y_pred = (y_score > 0.5).astype(int)
            return compute_classification_metrics(y_test, y_score, y_pred)
        """,
        """
        def compare(model, X_test, y_test):
            y_score = model.predict_proba(X_test)[:, 1]
            y_pred = (y_score > 0.5).astype(int)
            return y_pred
        """,
        [3],
    ),
    (
        "training-step-accuracy-vs-training-step-mask",
        """
        import torch

        def training_step(self, batch, batch_idx):
            x, y = batch
            prob = torch.sigmoid(self(x))
            hard = (prob >= 0.5).int()
            self.log("train_acc", accuracy(hard, y))
        """,
        """
        import torch

        def training_step(self, batch, batch_idx):
            x, y = batch
            prob = torch.sigmoid(self(x))
            hard = (prob >= 0.5).int()
            return self.loss(x[hard], y)
        """,
        [6],
    ),
    (
        "error-analysis-bucket-vs-selected-rows",
        """
        def confident_mistakes(y_prob, wrong):
            confident_wrong = (y_prob >= 0.85) & wrong
            return {"confident_wrong": int(confident_wrong.sum())}
        """,
        """
        def confident_mistakes(y_prob, wrong):
            confident_wrong = (y_prob >= 0.85) & wrong
            return wrong[confident_wrong]
        """,
        [2],
    ),
    (
        "advice-printed-vs-action-taken",
        """
        def review(recall, notes):
            if recall < 0.45:
                notes.append(f"recall is low ({recall:.2f}): rebalance classes")
        """,
        """
        def review(recall, notes):
            if recall < 0.45:
                notes.append(rebalance_classes())
        """,
        [2],
    ),
    (
        "advice-with-its-own-locals-vs-action",
        """
        def review(segment_acc, notes):
            if segment_acc.max() - segment_acc.min() > 0.12:
                worst = segment_acc.idxmin()
                notes.append(f"accuracy varies by segment; worst is {worst}")
        """,
        """
        def review(segment_acc, notes):
            if segment_acc.max() - segment_acc.min() > 0.12:
                worst = segment_acc.idxmin()
                notes.append(f"accuracy varies by segment; worst is {segment_acc.name}")
        """,
        [2],
    ),
    (
        "scorecard-count-vs-gate",
        """
        def scorecard(recall, auc):
            passed = sum([recall >= 0.55, auc >= 0.92])
            print(f"{passed}/2 targets met")
        """,
        """
        def scorecard(recall, auc):
            passed = all([recall >= 0.55, auc >= 0.92])
            return passed
        """,
        [2, 2],
    ),
    (
        "share-of-scores-vs-any-score",
        """
        def summary(scores):
            return {"low_share": (scores < 0.6).mean()}
        """,
        """
        def summary(scores):
            return {"alert": (scores < 0.6).any()}
        """,
        [2],
    ),
    (
        "printed-drift-rows-vs-returned-drift-rows",
        """
        def drift_report(result_df):
            high_drift = result_df[result_df["psi"] > 0.25]
            print(f"high drift features: {len(high_drift)}")
            for _, row in high_drift.iterrows():
                print(row["feature"], row["psi"])
        """,
        """
        def drift_report(result_df):
            high_drift = result_df[result_df["psi"] > 0.25]
            print(f"high drift features: {len(high_drift)}")
            for _, row in high_drift.iterrows():
                retrain(row["feature"])
        """,
        [2],
    ),
    (
        "evaluation-labels-vs-served-labels-conditional",
        """
        def evaluate(model, X_val, y_val):
            preds = model.predict(X_val)
            preds = (preds > 0.45).astype(int) if preds.dtype == float else preds
            return f1_score(y_val, preds)
        """,
        """
        def evaluate(model, X_val, y_val):
            preds = model.predict(X_val)
            preds = (preds > 0.45).astype(int) if preds.dtype == float else preds
            return preds
        """,
        [3],
    ),
    (
        "threshold-from-saved-state-vs-module-literal",
        """
        decision_threshold = 0.5

        def load(state):
            global decision_threshold
            decision_threshold = state.get("decision_threshold", decision_threshold)

        def predict_one(features):
            return run_pipeline(features, decision_threshold=decision_threshold)
        """,
        """
        decision_threshold = 0.5

        def load(state):
            model = state.get("model")

        def predict_one(features):
            return run_pipeline(features, decision_threshold=decision_threshold)
        """,
        [7],
    ),
]


@pytest.mark.parametrize(
    "clean, twin, lines", [t[1:] for t in APPLICATION_TWINS], ids=[t[0] for t in APPLICATION_TWINS]
)
def test_application_shapes(lint, clean, twin, lines):
    clean_findings = lint(textwrap.dedent(clean).lstrip("\n"), select=SELECT)
    assert clean_findings == [], [f"{f.line}: {f.message}" for f in clean_findings]
    findings = lint(textwrap.dedent(twin).lstrip("\n"), select=SELECT)
    assert [f.line for f in findings] == lines, [f.message for f in findings]


def test_band_ladder_is_one_finding_listing_every_literal(lint):
    source = textwrap.dedent("""
        def risk_band(churn_probability):
            if churn_probability >= 0.8:
                return "critical"
            elif churn_probability >= 0.6:
                return "high"
            elif churn_probability >= 0.35:
                return "medium"
            return "low"
        """).lstrip("\n")
    (finding,) = lint(source, select=SELECT)
    assert finding.line == 2
    assert "0.8, 0.6 and 0.35" in finding.message and "band ladder" in finding.message
    # Two subjects in one chain stay two findings.
    twin = source.replace("elif churn_probability >= 0.6", "elif fraud_probability >= 0.6")
    assert [f.line for f in lint(twin, select=SELECT)] == [2, 4]


@pytest.mark.parametrize(
    "source",
    [
        'tier = "High" if prob > 0.7 else ("Medium" if prob > 0.4 else "Low")\n',
        'tier = np.where(prob >= 0.7, "High", np.where(prob >= 0.4, "Medium", "Low"))\n',
        "if prob > 0.7:\n    tier = 2\nif prob > 0.4:\n    tier = 1\n",
    ],
    ids=["ternary", "nested-where", "run-of-ifs"],
)
def test_band_ladder_spellings(lint, source):
    (finding,) = lint("import numpy as np\n" + source, select=SELECT)
    assert "0.7 and 0.4" in finding.message


@pytest.mark.parametrize(
    "gate",
    [
        "ndcg_at_10 >= 0.08",
        "lift > 0.02",
        "baseline_ndcg - ndcg > 0.02",
        "win_rate > 0.55",
        "delta_ndcg > 0.005",
        "metrics['precision@10'] > 0.3",
        "p_value < 0.05",
    ],
)
def test_ranking_and_experiment_gates(lint, gate):
    source = f"def decide(metrics, ndcg, baseline_ndcg, lift, win_rate, delta_ndcg, p_value):\n    if {gate}:\n"
    source += '        return "DEPLOY"\n    return "HOLD"\n'
    assert [f.line for f in lint(source, select=SELECT)] == [2]
    configured = source.replace(gate.split()[-1] + ":", "config.min_gain:", 1)
    assert lint(configured, select=SELECT) == []


def test_tolerance_on_a_difference_is_not_a_gate(lint):
    source = "def converged(loss, previous_loss):\n    return abs(loss - previous_loss) < 0.001\n"
    assert lint(source, select=SELECT) == []
    assert len(lint(source.replace("abs(loss - previous_loss)", "abs(loss)"), select=SELECT)) == 1

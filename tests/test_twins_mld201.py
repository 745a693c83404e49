"""MLD201 twins, run with every threshold at its loosest (one conversion, one
library, one statement, any share), so that what silences a negative is the
guard it is about and not a count below ``min-conversions``; the realistic
positives are also reported with the defaults."""

from __future__ import annotations

import pytest

LOOSEST = {"glue-code": {"min-conversions": 1, "min-share": 0.0, "min-libraries": 0, "min-statements": 1}}
IMPORTS = "import json\nimport numpy as np\nimport pandas as pd\nimport torch\n\n\n"

TWINS = [
    (
        "frame-values-vs-self-values",
        "def to_array(self, store):\n    frame = store.load()\n    return frame.values\n",
        "frame.values",
        "self.values",
    ),
    (
        "frame-values-vs-named-tuple-values",
        "def top(store):\n    scores = store.load()\n    best = scores.head(5).values\n    return best\n",
        "scores.head(5).values",
        "scores.max(dim=1).values",
    ),
    (
        "frame-values-vs-torch-call-values",
        "def top(store):\n    scores = store.load()\n    best = pd.Series(scores).values\n    return best\n",
        "pd.Series(scores).values",
        "torch.sort(scores).values",
    ),
    (
        "tensor-from-data-vs-from-a-literal",
        "def batch(store):\n    rows = store.load()\n    return torch.tensor(rows)\n",
        "torch.tensor(rows)",
        "torch.tensor([0.0, 1.0])",
    ),
    (
        "to-numpy-chain-vs-device-move",
        "def back(model, x):\n    y = model(x).cpu().numpy()\n    return y\n",
        "model(x).cpu().numpy()",
        "model(x).cpu()",
    ),
    (
        "conversion-vs-a-module-attribute",
        "def flat(store):\n    values = store.load()\n    return values.tolist()\n",
        "values.tolist()",
        "np.tolist",
    ),
    (
        "values-fancy-indexed-vs-one-element",
        "def best(store):\n    scores = store.load()\n    ranked = scores.values[ORDER]\n    return ranked\n",
        "scores.values[ORDER]",
        "scores.values[0]",
    ),
    (
        "values-sliced-vs-one-element",
        "def best(store):\n    scores = store.load()\n    ranked = scores.values[:10]\n    return ranked\n",
        "scores.values[:10]",
        "scores.values[0]",
    ),
    (
        "values-first-row-vs-one-element",
        "def best(store):\n    scores = store.load()\n    ranked = scores.values[0, :]\n    return ranked\n",
        "scores.values[0, :]",
        "scores.values[0]",
    ),
    (
        "values-compared-elementwise-vs-membership",
        "def hits(store, preds):\n    labels = store.load()\n    correct = preds == labels.values\n    return correct\n",
        "preds == labels.values",
        "preds in labels.values",
    ),
    (
        "records-rebuilt-as-dicts-vs-as-tuples",
        "def records(store):\n    rows = store.load()\n    out = [dict(zip(COLUMNS, row)) for row in rows]\n    return out\n",
        "dict(zip(COLUMNS, row))",
        "tuple(row)",
    ),
    (
        "values-of-a-pandas-call-vs-of-a-torch-function-imported-by-name",
        "from torch import topk\n\n\ndef top(store):\n    scores = store.load()\n    best = pd.Series(scores).values\n"
        "    return best\n",
        "pd.Series(scores).values",
        "topk(scores, 5).values",
    ),
    (
        "one-statement-conversion-vs-a-copy",
        "def features(store):\n    return store.load().values\n",
        "store.load().values",
        "store.load().copy()",
    ),
    (
        "conversion-in-a-default-argument-vs-a-none-default",
        "def weighted_loss(logits, labels, weights=torch.tensor(CLASS_WEIGHTS)):\n"
        "    return F.cross_entropy(logits, labels, weight=weights)\n",
        "torch.tensor(CLASS_WEIGHTS)",
        "None",
    ),
    (
        "record-comprehension-in-a-function-vs-at-module-level",
        "def labels():\n    return {i: name for i, name in enumerate(NAMES)}\n",
        "def labels():\n    return {i: name for i, name in enumerate(NAMES)}\n",
        "LABELS = {i: name for i, name in enumerate(NAMES)}\n\n\ndef labels():\n    return LABELS\n",
    ),
]


@pytest.mark.parametrize(("name", "positive", "old", "new"), TWINS, ids=[twin[0] for twin in TWINS])
def test_twin_at_the_loosest_thresholds(lint, name, positive, old, new):
    assert old in positive
    source = IMPORTS + positive
    found = lint(source, select=("MLD201",), rule_options=LOOSEST)
    assert [f.code for f in found] == ["MLD201"], f"{name}: the positive twin must be reported"
    assert lint(source.replace(old, new), select=("MLD201",), rule_options=LOOSEST) == [], name


def test_methods_count_only_where_their_library_is_imported(lint):
    source = "def back(x):\n    y = x.detach().cpu().numpy()\n    return y\n"
    assert len(lint("import torch\n\n\n" + source, select=("MLD201",), rule_options=LOOSEST)) == 1
    assert lint("import os\n\n\n" + source, select=("MLD201",), rule_options=LOOSEST) == []


BOUNDARY = """\
class Normalizer:
    def __init__(self, mean, std):
        self.mean = torch.from_numpy(mean)
        self.std = torch.from_numpy(std)
"""


def test_a_constructor_converting_its_own_arguments_once_is_the_boundary(lint):
    assert lint(IMPORTS + BOUNDARY, select=("MLD201",), rule_options=LOOSEST) == []
    twin = BOUNDARY.replace("torch.from_numpy(std)", "torch.from_numpy(np.load('std.npy'))")
    assert len(lint(IMPORTS + twin, select=("MLD201",), rule_options=LOOSEST)) == 1
    twin = BOUNDARY.replace("torch.from_numpy(std)", "torch.tensor(std.tolist())")
    assert len(lint(IMPORTS + twin, select=("MLD201",), rule_options=LOOSEST)) == 1


HANDLER = """\
def handle(payload, model):
    records = json.loads(payload)
    frame = pd.DataFrame(records)
    features = torch.tensor(frame.values, dtype=torch.float32)
    scores = model(features).detach().numpy()
    return json.dumps(scores.tolist())
"""


def test_a_conversion_handler_is_reported_with_defaults_and_thresholds_decide(lint):
    assert [f.line for f in lint(IMPORTS + HANDLER, select=("MLD201",))] == [7]
    strict = {"glue-code": {"min-conversions": 9}}
    assert lint(IMPORTS + HANDLER, select=("MLD201",), rule_options=strict) == []
    strict = {"glue-code": {"min-statements": 9}}
    assert lint(IMPORTS + HANDLER, select=("MLD201",), rule_options=strict) == []
    strict = {"glue-code": {"min-libraries": 5}}
    assert lint(IMPORTS + HANDLER, select=("MLD201",), rule_options=strict) == []
    strict = {"glue-code": {"min-share": 1.0}}
    padded = HANDLER.replace("    return", "    model.eval()\n    return")
    assert lint(IMPORTS + padded, select=("MLD201",), rule_options=strict) == []
    assert len(lint(IMPORTS + padded, select=("MLD201",))) == 1


def test_a_repeated_conversion_in_alternative_branches_counts_once(lint):
    source = IMPORTS + (
        "def prepare(store, gpu):\n"
        "    x = store.load()\n"
        "    if gpu:\n"
        "        t = torch.from_numpy(x)\n"
        "    else:\n"
        "        t = torch.from_numpy(x)\n"
        "    return t\n"
    )
    once = {"glue-code": {**LOOSEST["glue-code"], "min-conversions": 1}}
    twice = {"glue-code": {**LOOSEST["glue-code"], "min-conversions": 2}}
    assert len(lint(source, select=("MLD201",), rule_options=once)) == 1
    assert lint(source, select=("MLD201",), rule_options=twice) == []


NUMPY_FROM_TORCH = """\
def to_numpy(model, batch):
    logits = model(batch)
    probs = logits.softmax(-1)
    a = logits.numpy()
    b = probs.numpy()
    c = batch.numpy()
    d = model.weight.numpy()
    return a, b, c, d
"""


def test_numpy_method_converts_from_the_one_tensor_library_imported(lint):
    (finding,) = lint("import torch\n\n\n" + NUMPY_FROM_TORCH, select=("MLD201",))
    assert dict(finding.data)["libraries"] == "numpy,torch"
    # With two tensor libraries imported the source is unknown: numpy alone is one library.
    assert lint("import tensorflow as tf\nimport torch\n\n\n" + NUMPY_FROM_TORCH, select=("MLD201",)) == []


PANDAS_EXPORT = """\
def export(store):
    table = store.load()
    ids = table["id"].tolist()
    matrix = np.asarray(table.values)
    rows = table.to_dict("records")
    return json.dumps({"ids": ids, "rows": rows, "n": len(matrix)})
"""


def test_other_methods_do_not_gain_the_tensor_library(lint):
    (finding,) = lint(IMPORTS + PANDAS_EXPORT, select=("MLD201",), rule_options=LOOSEST)
    assert "torch" not in dict(finding.data)["libraries"].split(",")


THIN = '''\
import json
import numpy as np
import torch
from fastapi import FastAPI

app = FastAPI()


@app.post("/predict")
def predict(payload: str):
    """Score one request."""
    MODEL.eval()
    x = torch.tensor(np.asarray(json.loads(payload)))
    y = MODEL(x)
    return json.dumps(y.detach().numpy().tolist())
'''


def test_a_thin_handler_with_a_docstring_is_glue_and_one_more_plain_line_is_not(lint):
    assert [f.line for f in lint(THIN, select=("MLD201",))] == [10]
    busier = THIN.replace("    MODEL.eval()\n", "    MODEL.eval()\n    log(payload)\n")
    assert lint(busier, select=("MLD201",)) == []


NESTED = '''\
def make_loader(store):
    def collate(batch):
        """Stack one batch."""
        features = torch.tensor(np.stack(batch))
        return features

    rows = store.load()
    return DataLoader(rows, collate_fn=collate)
'''


def test_a_nested_function_is_judged_on_its_own_statements(lint):
    (finding,) = lint(IMPORTS + NESTED, select=("MLD201",), rule_options=LOOSEST)
    # The inner function, with its own two statements (the docstring is not one); the factory
    # around it has no conversion of its own.
    assert (finding.line, dict(finding.data)["statements"]) == (8, 2)
    assert "1 conversions in 1 of 2 statements" in finding.message
    twin = NESTED.replace("torch.tensor(np.stack(batch))", "default_collate(batch)")
    assert lint(IMPORTS + twin, select=("MLD201",), rule_options=LOOSEST) == []


LOOP = """\
def to_tensors(store):
    batches = store.load()
    for batch in batches:
        x = torch.from_numpy(batch.features)
        y = torch.from_numpy(batch.labels)
    return x, y
"""


def test_conversions_inside_a_loop_count_the_statements_that_hold_them(lint):
    (finding,) = lint(IMPORTS + LOOP, select=("MLD201",), rule_options=LOOSEST)
    assert "2 conversions in 2 of 5 statements" in finding.message
    twin = LOOP.replace("torch.from_numpy(batch.labels)", "batch.labels")
    (finding,) = lint(IMPORTS + twin, select=("MLD201",), rule_options=LOOSEST)
    assert "1 conversions in 1 of 5 statements" in finding.message


ROUTE = THIN.replace("predict", "churn")


@pytest.mark.parametrize(
    ("decorators", "reported"),
    [
        ('@app.post("/churn")', True),
        ('@app.post("/churn")\n@login_required', True),
        ("@torch.no_grad()", False),
        ("@torch.no_grad()\n@login_required", False),
    ],
)
def test_a_route_decorator_makes_a_handler_whatever_its_name(lint, decorators, reported):
    """``churn`` has no serving word: only a route decorator (a call of ``.post``/``.get``/...)
    makes it a request handler; ``@torch.no_grad()`` is a call of another attribute."""
    source = ROUTE.replace('@app.post("/churn")', decorators)
    found = lint(source, select=("MLD201",))
    assert [f.message.split(":")[0] for f in found] == (["`churn` is a thin handler made of glue"] if reported else [])


SKLEARN_HANDLER = """\
from fastapi import FastAPI

app = FastAPI()


@app.post("/churn")
def churn(payload: str):
    x = np.asarray(json.loads(payload))
    y = MODEL.predict(x)
    return json.dumps(y.tolist())
"""


def test_a_thin_handler_needs_three_representations(lint):
    """json -> numpy -> Python list -> json is three representations (a thin handler); returning
    one number from numpy is two."""
    assert [f.line for f in lint(IMPORTS + SKLEARN_HANDLER, select=("MLD201",))] == [13]
    twin = SKLEARN_HANDLER.replace("json.dumps(y.tolist())", '{"churn": float(y[0])}')
    assert lint(IMPORTS + twin, select=("MLD201",)) == []


ONE_LINER = """\
def predict(payload: str):
    return json.dumps(MODEL.predict(np.asarray(json.loads(payload))).tolist())
"""


def test_a_one_statement_handler_is_a_thin_handler(lint):
    (finding,) = lint(IMPORTS + ONE_LINER, select=("MLD201",))
    assert finding.message.startswith("`predict` is a thin handler made of glue")
    assert lint(IMPORTS + ONE_LINER.replace("def predict", "def parse"), select=("MLD201",)) == []


EMPTY_FRAME = """\
def to_features(payload, names):
    table = pd.DataFrame(json.loads(payload), columns=names)
    features = torch.tensor(table.values)
    return features
"""


def test_a_frame_built_from_data_converts_and_an_empty_frame_with_columns_does_not(lint):
    """Only positional data makes ``pd.DataFrame(...)`` a conversion: with ``min-conversions = 2``
    the parsed frame plus the tensor is reported, the empty frame plus the tensor is not."""
    two = {"glue-code": {**LOOSEST["glue-code"], "min-conversions": 2}}
    (finding,) = lint(IMPORTS + EMPTY_FRAME, select=("MLD201",), rule_options=two)
    assert dict(finding.data)["conversions"] == 2
    empty = EMPTY_FRAME.replace("pd.DataFrame(json.loads(payload), columns=names)", "pd.DataFrame(columns=names)")
    assert lint(IMPORTS + empty, select=("MLD201",), rule_options=two) == []

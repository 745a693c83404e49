"""MLD101 twins: each negative differs from a reported positive only in what
one guard decides (the receiver, the error raised, the callee, the binding).

Every pair runs twice: with the default options and with the thresholds at
their loosest (no allowed literals, no tolerance), so that each negative is
silenced by its guard and not by a threshold that happens to sit below it.
"""

from __future__ import annotations

import pytest

LOOSEST = {"hardcoded-threshold": {"allowed-literals": [], "max-tolerance": 0.0}}
OPTIONS = [None, LOOSEST]
OPTION_IDS = ["defaults", "loosest"]

# (id, positive source, the text replaced, its replacement for the negative twin)
TWINS = [
    (
        "attribute-on-a-model-vs-self",
        "def load(detector):\n    detector.conf = 0.35\n    return detector\n",
        "detector.conf",
        "self.conf",
    ),
    (
        "attribute-on-a-model-vs-a-config-root",
        "def load(detector):\n    detector.conf = 0.35\n    return detector\n",
        "detector.conf",
        "config.conf",
    ),
    (
        "attribute-on-a-model-vs-a-config-named-object",
        "def load(detector):\n    detector.conf = 0.35\n    return detector\n",
        "detector.conf",
        "detector_settings.conf",
    ),
    (
        "score-attribute-vs-config-attribute",
        "def gate(result):\n    if result.proba > 0.7:\n        return 'approve'\n    return 'review'\n",
        "result.proba",
        "cfg.proba",
    ),
    (
        "score-key-vs-config-key",
        "def gate(metrics):\n    if metrics['f1'] > 0.8:\n        return 'deploy'\n    return 'hold'\n",
        "metrics['f1']",
        "config['f1']",
    ),
    (
        "score-get-vs-config-get",
        "def gate(metrics):\n    if metrics.get('f1') > 0.8:\n        return 'deploy'\n    return 'hold'\n",
        "metrics.get",
        "hparams.get",
    ),
    (
        "gate-error-vs-validation-error",
        "def check(val_loss):\n    if val_loss > 0.3:\n        raise ModelRejected('too weak to deploy')\n    return True\n",
        "ModelRejected",
        "ValueError",
    ),
    (
        "gate-error-vs-type-error",
        "def check(val_loss):\n    if val_loss > 0.3:\n        raise ModelRejected('too weak to deploy')\n    return True\n",
        "ModelRejected",
        "TypeError",
    ),
    (
        "branch-vs-assert",
        "def check(val_loss):\n    if val_loss < 0.3: return True\n    return False\n",
        "if val_loss < 0.3: return True",
        "assert val_loss < 0.3",
    ),
    (
        "serving-keyword-vs-printoptions",
        "import numpy as np\n\n\ndef predict(model, x):\n    np.set_printoptions(precision=3)\n    model.detect(x, threshold=0.35)\n    return x\n",
        "model.detect(x, threshold=0.35)",
        "np.set_printoptions(threshold=0.35)",
    ),
    (
        "serving-keyword-vs-softplus",
        "import torch\n\n\ndef predict(model, x):\n    head = model.decide(x, threshold=20.5)\n    return head\n",
        "model.decide(x, threshold=20.5)",
        "torch.nn.Softplus(beta=2, threshold=20.5)",
    ),
    (
        "serving-keyword-vs-config-call",
        "def predict(head, x):\n    return head.apply(x, threshold=0.35)\n",
        "head.apply(",
        "load_settings(",
    ),
    (
        "serving-keyword-vs-training-code",
        "def predict(head, x):\n    return head.apply(x, threshold=0.35)\n",
        "def predict(",
        "def fit_model(",
    ),
    (
        "local-literal-vs-local-reassigned",
        "def gate(proba, cfg):\n    cut = 0.7\n    if proba > cut:\n        return 1\n    return 0\n",
        "    if proba > cut:",
        "    cut = cfg.cut\n    if proba > cut:",
    ),
    (
        "local-literal-vs-parameter-default",
        "def gate(proba):\n    limit = 0.7\n    if proba > limit:\n        return 1\n    return 0\n",
        "(proba):\n    limit = 0.7\n",
        "(proba, limit=0.7):\n",
    ),
    (
        "literal-vs-constant",
        "CUT = 0.7\n\n\ndef gate(proba):\n    if proba > 0.7:\n        return 1\n    return 0\n",
        "proba > 0.7",
        "proba > CUT",
    ),
    (
        "filter-vs-clamp",
        "def clean(logits):\n    logits[logits < -88.7] = 0.5\n    return logits\n",
        "= 0.5",
        "= -88.7",
    ),
    (
        "score-vs-count-of-scores",
        "def gate(probs):\n    kept = [p >= 0.25 for p in probs]\n    return kept\n",
        "kept = [p >= 0.25 for p in probs]",
        "kept = sum(p >= 0.25 for p in probs)",
    ),
    (
        "score-name-vs-upper-case-name",
        "def gate(proba, PROBA):\n    if proba > 0.7:\n        return 1\n    return 0\n",
        "if proba",
        "if PROBA",
    ),
    (
        "score-five-hops-away-vs-a-transform",
        "def gate(model, X, baseline):\n    raw = model.predict_proba(X)\n    out = raw\n"
        "    if float(out[:, 1].data) - baseline > 0.1:\n        return 'ship'\n    return 'hold'\n",
        "model.predict_proba(X)",
        "model.transform(X)",
    ),
    (
        "keyword-in-a-helper-nested-in-predict-vs-in-another-function",
        "def predict(model, x):\n    def post(boxes):\n        return model.nms(boxes, threshold=0.45)\n\n"
        "    return post(model(x))\n",
        "def predict",
        "def build",
    ),
    (
        "branch-doing-work-vs-config-cut",
        "def gate(proba, batch):\n    if proba > 0.7:\n        for item in batch:\n            approve(item)\n    return batch\n",
        "proba > 0.7",
        "proba > cfg.cut",
    ),
    (
        "drop-of-a-metric-vs-of-a-count",
        "def gate(previous, auc):\n    if previous - auc > 0.02:\n        return 'rollback'\n    return 'keep'\n",
        "auc",
        "n_rows",
    ),
    (
        "mean-of-a-slice-of-scores-vs-of-ages",
        "def gate(probs, n):\n    if probs[:n].mean() > 0.5:\n        return 'flag'\n    return 'ok'\n",
        "probs",
        "ages",
    ),
    (
        "score-key-vs-other-key",
        "def gate(features):\n    if features['proba'] > 0.7:\n        return 'flag'\n    return 'ok'\n",
        "'proba'",
        "'age'",
    ),
    (
        "metric-key-vs-latency-key",
        "def gate(metrics):\n    if metrics['f1'] > 0.8:\n        return 'deploy'\n    return 'hold'\n",
        "'f1'",
        "'latency_ms'",
    ),
    (
        "get-of-a-score-key-vs-other-key",
        "def gate(features):\n    if features.get('proba') > 0.7:\n        return 'flag'\n    return 'ok'\n",
        "'proba'",
        "'age'",
    ),
    (
        "metric-function-vs-call-of-a-built-scorer",
        "from sklearn.metrics import f1_score, get_scorer\n\n\ndef gate(model, X, y):\n"
        "    if f1_score(y, model.predict(X)) > 0.8:\n        return 'deploy'\n    return 'hold'\n",
        "f1_score(y, model.predict(X))",
        "get_scorer('f1')(model, X, y)",
    ),
    (
        "score-method-vs-config-method",
        "def gate(self, X):\n    if self.evaluator.compute_auc(X) > 0.8:\n        return 'deploy'\n    return 'hold'\n",
        "self.evaluator.compute_auc",
        "config.compute_auc",
    ),
    (
        "at-least-vs-a-tie-check",
        "def gate(proba):\n    if proba >= 0.5:\n        return 'pos'\n    return 'neg'\n",
        "proba >= 0.5",
        "proba == 0.5",
    ),
    (
        "compare-function-on-scores-vs-on-weights",
        "import numpy as np\n\n\ndef gate(proba):\n    return np.greater(proba, 0.7)\n",
        "np.greater(proba",
        "np.greater(weights",
    ),
    (
        "cut-on-a-score-call-vs-level-of-a-generic-name",
        "def gate(model, x):\n    if model.risk_score(x) >= 4:\n        return 'flag'\n    return 'ok'\n",
        "model.risk_score(x) >= 4",
        "risk >= 4",
    ),
    *[
        (
            f"generic-{subject}-cut-{cut}-vs-level-{level}",
            f"def gate(result, row, score):\n    if {subject} >= {cut}:\n        return 'flag'\n    return 'ok'\n",
            f">= {cut}",
            f">= {level}",
        )
        for subject, cut, level in [
            ("score", "0.7", "4"),
            ("score", "11", "4"),
            ("score", "50", "4"),
            ("score", "0.7", "2"),
            ("score", "0.7", "10"),
            ("row['score']", "0.7", "4"),
            ("result.score", "0.7", "4"),
        ]
    ],
    (
        "decision-kept-vs-only-scored-in-a-script",
        "proba = model.predict_proba(X)[:, 1]\npred = (proba > 0.5).astype(int)\nprint(accuracy_score(y, pred))\n"
        "if pred.any():\n    alert()\n",
        "if pred.any():\n    alert()\n",
        "",
    ),
    (
        "module-literal-used-vs-shadowed-by-an-unpacked-local",
        "threshold = 0.45\n\n\ndef predict(model, x, cfg):\n    return model.nms(x, threshold=threshold)\n",
        "    return model",
        "    conf, threshold = cfg.conf, cfg.threshold\n    return model",
    ),
    (
        "local-literal-keyword-vs-rebound-after-use",
        "def predict(model, x):\n    threshold = 0.45\n    boxes = model.nms(x, threshold=threshold)\n    return boxes\n",
        "    return boxes\n",
        "    threshold = model.tuned_threshold\n    return boxes\n",
    ),
]


@pytest.mark.parametrize("options", OPTIONS, ids=OPTION_IDS)
@pytest.mark.parametrize(("name", "positive", "old", "new"), TWINS, ids=[twin[0] for twin in TWINS])
def test_twin(lint, name, positive, old, new, options):
    assert old in positive
    negative = positive.replace(old, new)
    filename = "model_utils.py"  # neither serving nor test code: the function's name decides
    found = lint(positive, select=("MLD101",), filename=filename, rule_options=options)
    assert [f.code for f in found] == ["MLD101"], f"{name}: the positive twin must be reported"
    assert lint(negative, select=("MLD101",), filename=filename, rule_options=options) == [], name


@pytest.mark.parametrize(
    ("source", "found_with_defaults"),
    [
        ("def gate(proba):\n    if proba > 1:\n        return 1\n    return 0\n", False),
        ("def gate(loss):\n    if loss < 1e-6:\n        return 1\n    return 0\n", False),
        ("def gate(loss):\n    if loss < 1e-4:\n        return 1\n    return 0\n", True),
    ],
)
def test_allowed_literals_and_tolerance_are_options(lint, source, found_with_defaults):
    """The negatives above are silenced by a threshold; at the loosest they are reported."""
    assert bool(lint(source, select=("MLD101",))) is found_with_defaults
    assert [f.code for f in lint(source, select=("MLD101",), rule_options=LOOSEST)] == ["MLD101"]


def test_test_files_are_not_checked_but_their_twin_is(lint):
    source = "def gate(proba):\n    if proba > 0.7:\n        return 1\n    return 0\n"
    assert lint(source, select=("MLD101",), filename="tests/test_gate.py", rule_options=LOOSEST) == []
    assert len(lint(source, select=("MLD101",), filename="gate.py", rule_options=LOOSEST)) == 1


def test_a_star_parameter_shadows_a_module_level_literal(lint):
    positive = "cut = 0.7\n\n\ndef decide(proba, *others):\n    if proba > cut:\n        return 1\n    return 0\n"
    assert [f.line for f in lint(positive, select=("MLD101",))] == [5]
    for shadowing in ("*cut", "**cut"):
        negative = positive.replace("*others", shadowing)
        assert lint(negative, select=("MLD101",), rule_options=LOOSEST) == [], shadowing


def test_an_annotated_local_literal_is_followed(lint):
    source = "def decide(proba):\n    cut: float = 0.7\n    if proba > cut:\n        return 1\n    return 0\n"
    assert [f.line for f in lint(source, select=("MLD101",))] == [3]
    twin = source.replace("cut: float = 0.7", "cut: float")
    assert lint(twin, select=("MLD101",), rule_options=LOOSEST) == []


def test_a_bare_validation_error_class_exempts_and_a_bare_gate_error_does_not(lint):
    source = "def check(val_loss):\n    if val_loss > 0.3:\n        raise ModelRejected\n    return True\n"
    assert len(lint(source, select=("MLD101",))) == 1
    assert lint(source.replace("ModelRejected", "ValueError"), select=("MLD101",), rule_options=LOOSEST) == []


def test_a_slice_assignment_of_a_literal_is_not_a_clamp_and_does_not_crash(lint):
    source = "def clean(scores):\n    scores[1:] = 0.5\n    if scores.max() > 0.9:\n        return 1\n    return 0\n"
    assert [(f.code, f.line) for f in lint(source, select=("MLD000", "MLD101"))] == [("MLD101", 3)]


def test_a_validation_error_exempts_every_comparison_of_its_condition(lint):
    gate = "def check(val_loss, ok):\n    if val_loss > 0.3 or not val_loss > 0.1 and ok:\n        raise ModelRejected('no')\n    return True\n"
    assert len(lint(gate, select=("MLD101",))) == 2
    validation = gate.replace("ModelRejected", "ValueError")
    assert lint(validation, select=("MLD101",), rule_options=LOOSEST) == []


def errors_and_findings(tmp_path, source: str) -> tuple[tuple[str, ...], list[int]]:
    from conftest import lint_source

    result = lint_source(tmp_path, source, ("MLD101",))
    return tuple(error for file in result.files for error in file.errors), [f.line for f in result.findings]


def test_a_raise_under_a_plain_flag_is_read_without_error(tmp_path):
    source = (
        "def check(proba, strict):\n"
        "    if strict:\n"
        "        raise ValueError('strict mode')\n"
        "    if proba > 0.7:\n"
        "        return 1\n"
        "    return 0\n"
    )
    assert errors_and_findings(tmp_path, source) == ((), [4])


def test_locals_assigned_from_each_other_end_the_search(tmp_path):
    source = (
        "def check(model, x):\n"
        "    a = model.predict_proba(x)\n"
        "    for _ in range(3):\n"
        "        b = a\n"
        "        a = b\n"
        "    if a > 0.7:\n"
        "        return 1\n"
        "    return 0\n"
    )
    errors, lines = errors_and_findings(tmp_path, source)
    assert errors == () and lines == [6]


def test_a_compare_method_is_a_threshold_and_another_method_is_not(lint):
    source = "import torch\n\n\ndef keep(probs):\n    mask = probs.gt(0.9)\n    return mask\n"
    assert [f.line for f in lint(source, select=("MLD101",))] == [5]
    for other in ("probs.append(0.9)", "probs.fill_(0.9)", "probs.mul(0.9)"):
        twin = source.replace("probs.gt(0.9)", other)
        assert lint(twin, select=("MLD101",), rule_options=LOOSEST) == [], other


def test_a_score_through_a_value_preserving_module_call(lint):
    source = (
        "def decide(model, x):\n    if float(model.predict_proba(x)[0, 1]) > 0.7:\n        return 1\n    return 0\n"
    )
    assert [f.line for f in lint(source, select=("MLD101",))] == [2]
    twin = source.replace("float(model.predict_proba(x)[0, 1])", "float(len(x))")
    assert lint(twin, select=("MLD101",), rule_options=LOOSEST) == []


# Issue 13, a miss found by reading made-with-ml completely: a notebook binds its Ray Serve
# deployment with a literal cut-off for the 'other' class.
DEPLOYMENT = """from ray import serve


@serve.deployment(num_replicas="1", ray_actor_options={"num_cpus": 8})
class ModelDeploymentRobust:
    def __init__(self, run_id, threshold=0.9):
        self.run_id = run_id
        self.threshold = threshold


serve.run(ModelDeploymentRobust.bind(run_id=run_id, threshold=0.9), route_prefix="/")
"""


@pytest.mark.parametrize("options", OPTIONS, ids=OPTION_IDS)
@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("threshold=0.9), route", "threshold=args.threshold), route"),  # configured
        ('@serve.deployment(num_replicas="1", ray_actor_options={"num_cpus": 8})\n', ""),  # not deployed
        ("ModelDeploymentRobust.bind(", "ModelDeploymentRobust.options("),  # not the bound arguments
    ],
    ids=["configured", "plain-class", "other-method"],
)
def test_a_deployment_bound_with_a_literal_threshold(lint, old, new, options):
    (finding,) = lint(DEPLOYMENT, select=("MLD101",), filename="explore.py", rule_options=options)
    assert finding.line == 11 and "'threshold' to bind()" in finding.message
    assert lint(DEPLOYMENT.replace(old, new), select=("MLD101",), filename="explore.py", rule_options=options) == []


def test_methods_of_a_deployed_class_are_serving_code(lint):
    source = (
        "import bentoml\n\n\n@bentoml.service\nclass Scorer:\n"
        "    def rank(self, items):\n        return self.model.rerank(items, min_score=0.35)\n"
    )
    (finding,) = lint(source, select=("MLD101",), filename="scoring.py")
    assert "min_score" in finding.message
    plain = source.replace("@bentoml.service\n", "")
    assert lint(plain, select=("MLD101",), filename="scoring.py") == []


# Issue 13 leftover (made-with-ml notebook, cell 189): low-confidence examples collected for a
# person to look at decide nothing; the same list acted on afterwards does.
ERROR_ANALYSIS = """low_confidence = []
for i in indices:
    prob = y_prob[i][index]
    if prob <= 0.4:
        low_confidence.append({"text": f"{test_df.iloc[i].text}", "true": test_df.tag[i], "prob": prob})
{after}
"""


@pytest.mark.parametrize("options", OPTIONS, ids=OPTION_IDS)
@pytest.mark.parametrize(
    "shown",
    ["low_confidence[0:3]", "print(low_confidence)", "display(low_confidence[:5])"],
    ids=["cell", "print", "display"],
)
def test_examples_collected_only_to_be_shown_decide_nothing(lint, shown, options):
    assert lint(ERROR_ANALYSIS.replace("{after}", shown), select=("MLD101",), rule_options=options) == []


@pytest.mark.parametrize("options", OPTIONS, ids=OPTION_IDS)
@pytest.mark.parametrize(
    "acted",
    [
        "relabel_queue.extend(low_confidence)",
        "for row in low_confidence:\n    send_for_review(row)",
        "n = len(low_confidence)",
    ],
    ids=["queued", "acted-on", "counted-for-later"],
)
def test_the_same_list_acted_on_is_a_decision(lint, acted, options):
    (finding,) = lint(ERROR_ANALYSIS.replace("{after}", acted), select=("MLD101",), rule_options=options)
    assert finding.line == 4


@pytest.mark.parametrize("options", OPTIONS, ids=OPTION_IDS)
def test_a_serving_folder_makes_its_modules_serving_code(lint, options):
    source = "def run(model, x):\n    return model.apply(x, threshold=0.35)\n"
    found = lint(source, select=("MLD101",), filename="serving/pipeline.py", rule_options=options)
    assert [(f.line, dict(f.data)["literals"]) for f in found] == [(2, [0.35])]
    assert lint(source, select=("MLD101",), filename="training/pipeline.py", rule_options=options) == []


def test_the_same_cut_off_on_two_rungs_is_two_findings_not_a_ladder(lint):
    source = (
        "def label(proba):\n    if proba > 0.5:\n        return 'pos'\n    elif proba <= 0.5:\n        return 'neg'\n"
        "    return 'none'\n"
    )
    found = lint(source, select=("MLD101",))
    assert [f.message for f in found] == [
        "literal 0.5 used as threshold on 'proba'; move it to config or a named constant"
    ] * 2
    ladder = lint(source.replace("<= 0.5", "<= 0.3"), select=("MLD101",))
    assert [f.message.split(" used")[0] for f in ladder] == ["literals 0.5 and 0.3"]


def test_two_decisions_unpacked_from_one_tuple(lint):
    source = "def decide(proba):\n    pred, confident = proba > 0.5, proba > 0.9\n    return pred, confident\n"
    assert [dict(f.data)["literals"] for f in lint(source, select=("MLD101",))] == [[0.5], [0.9]]


def test_messages_name_the_subject_shortened_and_the_keyword_s_literal(lint):
    def messages(source: str, filename: str = "train.py") -> list[str]:
        return [f.message for f in lint(source, select=("MLD101",), filename=filename)]

    subject = "scores['customer_churn_probability_next_30_day']"
    assert len(subject) == 48
    assert messages(f"def gate(scores):\n    return {subject} > 0.7\n") == [
        f"literal 0.7 used as threshold on '{subject}'; move it to config or a named constant"
    ]
    longer = subject.replace("30_day", "30_days")
    assert messages(f"def gate(scores):\n    return {longer} > 0.7\n") == [
        f"literal 0.7 used as threshold on '{longer[:45]}...'; move it to config or a named constant"
    ]
    (finding,) = lint("def predict(model, x):\n    return model.apply(x, threshold=0.35)\n", select=("MLD101",))
    assert dict(finding.data) == {"literals": [0.35], "subject": "threshold", "call": "apply"}

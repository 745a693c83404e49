"""MLD202 twins: model code with a business rule, and the same code where one
guard decides it is not one (an estimator's own parameter, a sentinel id, an
option value, a key check, an ML-internal name, code that is not model code).
"""

from __future__ import annotations

import pytest

HEAD = "import numpy as np\nfrom torch import nn\n\n\nclass Pricer(nn.Module):\n    def forward(self, x, row):\n"


def model(*body: str) -> str:
    return HEAD + "".join(f"        {line}\n" for line in body)


TWINS = [
    (
        "row-field-vs-estimator-parameter",
        model("if row.segment == 'north':", "    x = x * 2", "return x"),
        "row.segment",
        "self.segment",
    ),
    (
        "category-id-vs-sentinel-minus-one",
        model("if row.category_id == 42:", "    x = x * 2", "return x"),
        "== 42",
        "== -1",
    ),
    ("category-id-vs-sentinel-zero", model("if row.category_id == 42:", "    x = x * 2", "return x"), "== 42", "== 0"),
    ("category-id-vs-sentinel-one", model("if row.category_id == 42:", "    x = x * 2", "return x"), "== 42", "== 1"),
    (
        "category-value-vs-option-value",
        model("if row.segment == 'north':", "    x = x * 2", "return x"),
        "'north'",
        "'all'",
    ),
    ("business-literal-vs-none", model("if row.tier == 'gold':", "    x = x * 2", "return x"), "== 'gold'", "== None"),
    (
        "business-literal-vs-identity",
        model("if row.tier == 'gold':", "    x = x * 2", "return x"),
        "== 'gold'",
        "is 'gold'",
    ),
    (
        "field-membership-vs-key-check",
        model("if price in row:", "    x = x * 2", "return x"),
        "if price in row",
        "if 'price' in row",
    ),
    ("price-vs-price-embedding", model("y = row.price * 1.19", "return x + y"), "row.price", "row.price_embedding"),
    ("price-vs-price-mean", model("y = row.price * 1.19", "return x + y"), "row.price", "row.price_mean"),
    ("literal-factor-vs-learned-factor", model("y = row.price * 1.19", "return x + y"), "1.19", "self.scale"),
    ("price-floor-vs-zero-floor", model("y = np.clip(row.price, 9.99, None)", "return x + y"), "9.99", "0"),
    ("tier-rule-vs-assert", model("flag = row.tier == 'gold'", "return x"), "flag = row.tier", "assert row.tier"),
    (
        "lookup-table-vs-one-entry",
        model("rate = {'DE': 0.19, 'FR': 0.2}[row.country]", "return x * rate"),
        ", 'FR': 0.2}",
        "}",
    ),
    (
        "forward-of-a-model-vs-a-helper",
        model("if row.tier == 'gold':", "    x = x * 2", "return x"),
        "(nn.Module):\n    def forward",
        "(Helper):\n    def adjust",
    ),
]


@pytest.mark.parametrize(("name", "positive", "old", "new"), TWINS, ids=[twin[0] for twin in TWINS])
def test_twin(lint, name, positive, old, new):
    assert old in positive
    negative = positive.replace(old, new)
    found = lint(positive, select=("MLD202",), filename="pricing.py")
    assert [f.code for f in found] == ["MLD202"], f"{name}: the positive twin must be reported"
    assert lint(negative, select=("MLD202",), filename="pricing.py") == [], name


FUNCTION = """\
def {name}(model, row):
    score = model.predict(row)
    if row["tier"] == "gold":
        score = score * 0.9
    return score
"""


@pytest.mark.parametrize("name", ["predict", "predict_churn", "score_customer", "serve", "infer"])
def test_an_inference_entry_point_is_model_code(lint, name):
    assert [f.line for f in lint(FUNCTION.format(name=name), select=("MLD202",), filename="service.py")] == [3]


@pytest.mark.parametrize("name", ["build_report", "export_rows", "load_customers"])
def test_the_same_body_outside_model_code_is_not_reported(lint, name):
    assert lint(FUNCTION.format(name=name), select=("MLD202",), filename="service.py") == []


def test_one_finding_per_statement_and_test_files_are_not_checked(lint):
    source = model("if row.tier == 'gold' and row.country == 'DE':", "    x = x * 2", "return x")
    assert len(lint(source, select=("MLD202",), filename="pricing.py")) == 1
    assert lint(source, select=("MLD202",), filename="tests/test_pricing.py") == []


def test_a_business_field_through_a_value_preserving_method(lint):
    source = model("y = row.price.float() * 1.19", "return x + y")
    assert [f.line for f in lint(source, select=("MLD202",), filename="pricing.py")] == [7]
    twin = model("y = row.price_embedding.float() * 1.19", "return x + y")
    assert lint(twin, select=("MLD202",), filename="pricing.py") == []


def test_a_business_quantity_computed_with_a_magic_factor(lint):
    source = model("final_price = x * 1.19", "return final_price")
    assert [f.line for f in lint(source, select=("MLD202",), filename="pricing.py")] == [7]
    for twin in ("final_price = x * self.vat", "embedding_scale = x * 1.19"):
        assert lint(model(twin, "return x"), select=("MLD202",), filename="pricing.py") == [], twin


def test_a_factor_of_two_is_magic_and_a_factor_of_one_is_not(lint):
    assert len(lint(model("final_price = x * 2", "return final_price"), select=("MLD202",), filename="pricing.py")) == 1
    assert lint(model("final_price = x * 1", "return final_price"), select=("MLD202",), filename="pricing.py") == []


def test_a_negated_branch_on_a_business_field(lint):
    source = model("if not row.discount:", "    x = x * 2", "return x")
    assert [f.line for f in lint(source, select=("MLD202",), filename="pricing.py")] == [7]
    twin = model("if not row.dropout:", "    x = x * 2", "return x")
    assert lint(twin, select=("MLD202",), filename="pricing.py") == []


# Issue 13, a miss found by reading two-tower-movielens completely: the serving function
# takes a user_id but feeds the user tower a hand-written id.
RECOMMEND = """import torch


def get_recommendations(user_id, k=10):
    with torch.no_grad():
        user_emb = model.user_tower(torch.tensor([196]), torch.tensor([features[user_id - 1]]))
    scores, item_ids = index.search(user_emb.numpy(), k=k)
    return item_ids[0], scores[0]
"""


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("torch.tensor([196])", "torch.tensor([user_id - 1])"),  # the request's id
        ("def get_recommendations(user_id, k=10)", "def get_recommendations(query, k=10)"),  # no id taken
        ("torch.tensor([196])", "torch.tensor([0])"),  # 0 is a position, not an entity
    ],
    ids=["request-id", "no-id-parameter", "zero"],
)
def test_a_hand_written_id_in_place_of_the_id_parameter(lint, old, new):
    (finding,) = lint(RECOMMEND, select=("MLD202",), filename="serve.py")
    assert finding.line == 6 and "hard-coded id 196 where the parameter 'user_id' belongs" in finding.message
    assert lint(RECOMMEND.replace(old, new), select=("MLD202",), filename="serve.py") == []


@pytest.mark.parametrize(
    ("positive", "negative"),
    [
        ("model.predict(uid, iid=302)", "model.predict(uid, iid=item)"),
        ("model.score(customer_id=1042)", "model.score(customer_id=request.customer_id)"),
        ("model.predict(uid, iid=302)", "model.generate(uid, pad_token_id=302)"),  # a token id, not an entity
    ],
)
def test_an_entity_id_keyword_with_a_literal_in_serving_code(lint, positive, negative):
    source = "def predict_for(request, uid):\n    return {call}\n"
    assert len(lint(source.format(call=positive), select=("MLD202",), filename="serve.py")) == 1
    assert lint(source.format(call=negative), select=("MLD202",), filename="serve.py") == []

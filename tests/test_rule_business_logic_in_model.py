"""MLD202 business-logic-in-model: business rules inside model code.

Positive cases are serving/model code that mixes pricing, market or customer
rules into forward/predict; negative cases are idiomatic model code that
merely uses business features as inputs, or business rules kept outside the
model.
"""

from __future__ import annotations

import pytest

SELECT = ("MLD202",)

TORCH_HEADER = """
import torch
from torch import nn
import torch.nn.functional as F
"""

POSITIVE = {
    "vat_for_country_in_forward": TORCH_HEADER
    + """
class PriceRegressor(nn.Module):
    def __init__(self, n_features):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(n_features, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, x, country):
        out = self.mlp(x).squeeze(-1)
        if country == "DE":  # expect
            out = out * 1.19
        return out
""",
    "price_threshold_on_feature": TORCH_HEADER
    + """
class DemandModel(nn.Module):
    def forward(self, batch):
        h = self.encoder(batch["features"])
        if batch["price"] > 100:  # expect
            h = h * 0.5
        return self.head(h)
""",
    "discount_arithmetic": TORCH_HEADER
    + """
class BasketValueModel(nn.Module):
    def forward(self, x, price, discount):
        value = self.net(x)
        net_price = price * (1 - discount)  # expect
        return value + self.proj(net_price)
""",
    "vectorised_where_on_price": TORCH_HEADER
    + """
class ConversionModel(nn.Module):
    def forward(self, features, unit_price):
        logits = self.backbone(features)
        return torch.where(unit_price > 49.99, logits - 1.0, logits)  # expect
""",
    "hard_coded_category_set": TORCH_HEADER
    + """
RESTRICTED_CATEGORIES = {1012, 2210, 3307}


class RankingModel(nn.Module):
    def forward(self, item_features, category_id):
        scores = self.scorer(item_features)
        if category_id in RESTRICTED_CATEGORIES:  # expect
            return torch.zeros_like(scores)
        return scores
""",
    "inline_category_set_in_predict": """
from sklearn.base import BaseEstimator, ClassifierMixin


class FraudClassifier(BaseEstimator, ClassifierMixin):
    def predict(self, X):
        labels = self.model_.predict(X)
        return [0 if category in {17, 23, 42} else y for category, y in zip(X["product_category"], labels)]  # expect
""",
    "customer_tier_literal": """
from sklearn.base import BaseEstimator, RegressorMixin


class ChurnRegressor(BaseEstimator, RegressorMixin):
    def predict(self, X):
        risk = self.booster_.predict(X)
        if X.iloc[0]["plan"] == "enterprise":  # expect
            risk = risk * 0.8
        return risk
""",
    "ternary_on_tier": TORCH_HEADER
    + """
class CreditModel(nn.Module):
    def forward(self, x, customer_tier):
        limit = self.net(x)
        return limit * 2 if customer_tier == "gold" else limit  # expect
""",
    "match_on_region": TORCH_HEADER
    + """
class FeeModel(nn.Module):
    def forward(self, x, region):
        base = self.net(x)
        match region:  # expect
            case "EU":
                return base + 0.25
            case _:
                return base
""",
    "tax_lookup_table": TORCH_HEADER
    + """
TAX_RATES = {"DE": 0.19, "FR": 0.20, "IT": 0.22}


class GrossPriceModel(nn.Module):
    def forward(self, x, market):
        net = self.net(x)
        return net * self.adjust(TAX_RATES[market])  # expect
""",
    "date_cutoff_in_predict": """
from datetime import date

from sklearn.base import BaseEstimator


class EligibilityModel(BaseEstimator):
    def predict(self, X, signup_date):
        scores = self.clf_.predict_proba(X)[:, 1]
        if signup_date < date(2023, 1, 1):  # expect
            scores = scores + 0.1
        return scores
""",
    "lightning_module_margin_rule": """
import lightning as L


class RevenueForecaster(L.LightningModule):
    def predict_step(self, batch, batch_idx):
        revenue = self(batch["x"])
        return revenue - batch["refunds"]  # expect
""",
    "keras_model_call": """
import tensorflow as tf


class PricingModel(tf.keras.Model):
    def call(self, inputs, training=False):
        price = self.dense(inputs["features"])
        price *= 1.2  # expect
        return price
""",
    "local_base_class": TORCH_HEADER
    + """
class BaseRecommender(nn.Module):
    def encode(self, x):
        return self.encoder(x)


class PromoRecommender(BaseRecommender):
    def rerank(self, scores, promo_flags):
        if promo_flags.any():  # no finding here: promo_flags is only tested for truth
            pass
        return scores + promo_flags * 0.3  # expect
""",
    "standalone_serve_function": """
def serve_quote(model, request):
    price = float(model.predict(request.features)[0])
    if request.customer.is_vip:  # expect
        price = price * 0.9  # expect
    return {"price": price}
""",
    "business_value_in_membership": """
def predict_limit(model, user):
    limit = model.predict(user.features)
    if user.kind in ("vip", "platinum"):  # expect
        limit = limit + 500
    return limit
""",
    "truthiness_branch_on_coupon": TORCH_HEADER
    + """
class CheckoutModel(nn.Module):
    def forward(self, x, has_coupon):
        out = self.net(x)
        if has_coupon:  # expect
            out = out - 0.05
        return out
""",
    "price_floor_with_clamp": TORCH_HEADER
    + """
class QuoteModel(nn.Module):
    def forward(self, x):
        price = self.head(self.body(x)).squeeze(-1)
        return price.clamp(min=9.99)  # expect
""",
    "price_cap_with_np_clip": """
import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin


class RentEstimator(BaseEstimator, RegressorMixin):
    def predict(self, X):
        rent_price = self.model_.predict(X)
        return np.clip(rent_price, 350, 12000)  # expect
""",
    "pandas_isin_on_country": """
from sklearn.base import BaseEstimator, ClassifierMixin


class EligibilityClassifier(BaseEstimator, ClassifierMixin):
    def predict(self, X):
        labels = self.clf_.predict(X)
        labels[X["country"].isin(["DE", "AT", "CH"]).to_numpy()] = 0  # expect
        return labels
""",
    "market_switch_in_predict": """
def predict(model, image, market):
    out = model(image)
    if market == "us":  # expect
        out = out * 2
    return out
""",
}


NEGATIVE = {
    "business_features_only_indexed": TORCH_HEADER
    + """
class TabularNet(nn.Module):
    def forward(self, batch):
        x = torch.cat([batch["price"], batch["discount"], batch["revenue_7d"]], dim=-1)
        return self.mlp(x)
""",
    "embedding_of_country_ids": TORCH_HEADER
    + """
class CountryAwareModel(nn.Module):
    def __init__(self, n_countries, dim):
        super().__init__()
        self.country_embedding = nn.Embedding(n_countries, dim)

    def forward(self, x, country_ids):
        return self.mlp(torch.cat([x, self.country_embedding(country_ids)], dim=-1))
""",
    "feature_normalisation": TORCH_HEADER
    + """
class PriceModel(nn.Module):
    def forward(self, price):
        z = (price - self.price_mean) / self.price_std
        return self.net(z)
""",
    "shape_training_device_checks": TORCH_HEADER
    + """
class Classifier(nn.Module):
    def forward(self, x, labels=None):
        if x.dim() == 2:
            x = x.unsqueeze(1)
        if self.training and labels is not None:
            x = F.dropout(x, p=0.1)
        if x.device.type == "cuda":
            x = x.contiguous()
        logits = self.head(x)
        return logits if labels is None else F.cross_entropy(logits, labels)
""",
    "none_checks_on_business_inputs": TORCH_HEADER
    + """
class DemandModel(nn.Module):
    def forward(self, x, price=None):
        if price is None:
            price = torch.zeros(x.shape[0])
        return self.net(torch.cat([x, price.unsqueeze(-1)], dim=-1))
""",
    "business_rule_outside_model": """
def apply_vat(price, country):
    if country == "DE":
        return price * 1.19
    return price
""",
    "postprocessing_class_not_model": """
class PricingPolicy:
    def adjust(self, price, customer_tier):
        if customer_tier == "gold":
            return price * 0.9
        return price
""",
    "triplet_margin_loss": TORCH_HEADER
    + """
class TripletLoss(nn.Module):
    def __init__(self, margin=0.5):
        super().__init__()
        self.margin = margin

    def forward(self, anchor, positive, negative):
        d_pos = (anchor - positive).pow(2).sum(1)
        d_neg = (anchor - negative).pow(2).sum(1)
        return F.relu(d_pos - d_neg + self.margin).mean()
""",
    "segment_ids_padding": TORCH_HEADER
    + """
class Encoder(nn.Module):
    def forward(self, input_ids, segment, region_to_phrase_position):
        mask = segment != 0
        valid = region_to_phrase_position != -1
        return self.layers(input_ids, mask & valid)
""",
    "channel_and_category_sizes": TORCH_HEADER
    + """
class ConvNet(nn.Module):
    def forward(self, x):
        if self.num_categories > 2:
            x = self.multi_head(x)
        if x.shape[1] == 3:
            x = x.mean(1, keepdim=True)
        return x
""",
    "key_presence_check": TORCH_HEADER
    + """
class MultiInputModel(nn.Module):
    def forward(self, batch):
        extra = batch["price"] if "price" in batch else torch.zeros(1)
        return self.net(batch["x"]) + self.price_head(extra)
""",
    "config_switch_named_after_feature": TORCH_HEADER
    + """
class Model(nn.Module):
    def forward(self, x, price):
        if self.use_price_features:
            x = torch.cat([x, price], dim=-1)
        return self.net(x)
""",
    "assert_input_validation": TORCH_HEADER
    + """
class Model(nn.Module):
    def forward(self, x, price):
        assert (price >= 0).all(), "prices must be non-negative"
        return self.net(torch.cat([x, price], dim=-1))
""",
    "sklearn_score_method": """
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.metrics import r2_score


class Wrapper(BaseEstimator, RegressorMixin):
    def score(self, X, y, sample_weight=None):
        if sample_weight is not None and len(sample_weight) != len(y):
            raise ValueError("bad weights")
        return r2_score(y, self.predict(X), sample_weight=sample_weight)
""",
    "prediction_denormalisation": TORCH_HEADER
    + """
class HousePriceModel(nn.Module):
    def forward(self, x):
        price_pred = self.net(x).squeeze(-1)
        return price_pred * self.target_std + self.target_mean
""",
    "test_file_is_not_checked": None,
    "estimator_parameter_values": """
from sklearn.base import BaseEstimator, TransformerMixin


class CategoricalEncoder(BaseEstimator, TransformerMixin):
    def __init__(self, categories="auto", handle_unknown="error"):
        self.categories = categories
        self.handle_unknown = handle_unknown

    def fit(self, X, y=None):
        if self.categories != "auto" and len(self.categories) != X.shape[1]:
            raise ValueError("one category list per column")
        return self
""",
    "punctuation_checks_on_text_segments": """
def predict_spans(tagger, sentence):
    spans = []
    for segment in sentence.split():
        if segment[0] == "(" or segment[-1] == ")":
            spans.append(segment.strip("()"))
    return tagger(spans)
""",
    "non_negative_clamp_and_logit_clipping": TORCH_HEADER
    + """
class PriceHead(nn.Module):
    def forward(self, h, price):
        logits = torch.clamp(self.proj(h), -10.0, 10.0)
        return logits, price.clamp(min=0)
""",
    "text_normaliser_currency_symbols": """
def predict_transcript(model, audio, currency_symbols):
    words = model.transcribe(audio).split()
    out = []
    for word in words:
        currency_symbol = currency_symbols.get(word[0])
        if currency_symbol:
            word = word[1:] + " " + currency_symbol
        out.append(word)
    return " ".join(out)
""",
    "mode_switches_and_option_values": TORCH_HEADER
    + """
class RegionEncoder(nn.Module):
    def forward(self, x, region_pooling="mean", segment="full", category="all", plan="greedy"):
        if region_pooling == "mean":
            x = x.mean(1)
        if segment == "full":
            x = x + 1
        if category == "all":
            x = x * 2
        if plan == "greedy":
            x = x.argmax(-1)
        return x
""",
    "detector_internals_with_category_and_region_words": TORCH_HEADER
    + """
class Detector(nn.Module):
    def forward(self, x, targets=None, segment_ids=None):
        if self.task == "segment":
            x = self.seg_head(x)
        regions = self.rpn(x)
        if len(regions) > 1000:
            regions = regions[:1000]
        for target in targets:
            if target["category_id"] == 0:
                continue
        product = x * x.sum(-1, keepdim=True)
        return product, regions
""",
    "label_mapping_dict": TORCH_HEADER
    + """
ID2LABEL = {0: "negative", 1: "positive"}


class SentimentModel(nn.Module):
    def forward(self, x):
        logits = self.head(self.encoder(x))
        return [ID2LABEL[i] for i in logits.argmax(-1).tolist()]
""",
}


def _expected_lines(source: str) -> list[int]:
    import textwrap

    lines = textwrap.dedent(source).splitlines()
    return [number for number, line in enumerate(lines, start=1) if line.rstrip().endswith("# expect")]


@pytest.mark.parametrize("name", sorted(POSITIVE))
def test_business_rule_in_model_code_is_flagged(lint, name):
    source = POSITIVE[name]
    findings = lint(source, select=SELECT, filename="serving/model.py")
    assert [f.line for f in findings] == _expected_lines(source)
    assert all(f.code == "MLD202" for f in findings)


@pytest.mark.parametrize("name", sorted(n for n in NEGATIVE if NEGATIVE[n] is not None))
def test_clean_model_code_is_not_flagged(lint, name):
    assert lint(NEGATIVE[name], select=SELECT, filename="serving/model.py") == []


def test_test_files_are_not_checked(lint):
    source = POSITIVE["vat_for_country_in_forward"]
    assert lint(source, select=SELECT, filename="tests/test_model.py") == []
    assert lint(source, select=SELECT, filename="serving/model.py")


def test_one_finding_per_statement(lint):
    source = (
        TORCH_HEADER
        + """
class PriceModel(nn.Module):
    def forward(self, x, price, discount, country):
        if country == "DE" and price * (1 - discount) > 100 and price > 10:
            return x
        return x
"""
    )
    findings = lint(source, select=SELECT, filename="model.py")
    assert len(findings) == 1


def test_message_names_term_and_scope(lint):
    findings = lint(POSITIVE["vat_for_country_in_forward"], select=SELECT, filename="model.py")
    assert "'country'" in findings[0].message
    assert "PriceRegressor.forward" in findings[0].message


def test_domain_vocabulary_is_configurable(lint):
    source = (
        TORCH_HEADER
        + """
class ClaimModel(nn.Module):
    def forward(self, x, deductible):
        return self.net(x) - deductible * 0.5
"""
    )
    assert lint(source, select=SELECT, filename="model.py") == []
    options = {"business-logic-in-model": {"domain-terms": ["deductible"]}}
    findings = lint(source, select=SELECT, filename="model.py", rule_options=options)
    assert [f.line for f in findings] == [8]


def test_extra_model_base_from_config(lint):
    source = """
from mycompany.ml import BaseModel


class QuoteModel(BaseModel):
    def adjust(self, price):
        return price * 1.05
"""
    assert lint(source, select=SELECT, filename="model.py") == []
    options = {"business-logic-in-model": {"model-bases": ["mycompany.ml.BaseModel"]}}
    assert len(lint(source, select=SELECT, filename="model.py", rule_options=options)) == 1


# Shapes met in real ML applications: (id, clean code, its near-identical twin
# across the guard, the twin's expected finding lines).
APPLICATION_TWINS = [
    (
        "nested-clamp-on-discount-vs-on-model-output",
        """
        def predict_markdown(row):
            score = MODEL.predict([row["features"]])[0]
            return min(max(round(score), 0), 70)
        """,
        """
        def predict_markdown(row):
            discount = MODEL.predict([row["features"]])[0]
            return min(max(round(discount), 0), 70)
        """,
        [4],
    ),
    (
        "row-category-vs-row-flag",
        """
        def predict_markdown(row):
            markdown = MODEL.predict([row["features"]])[0]
            if row["stock_status"] == "unknown":
                return markdown
            return markdown
        """,
        """
        def predict_markdown(row):
            markdown = MODEL.predict([row["features"]])[0]
            if row["stock_status"] == "slow":
                return markdown
            return markdown
        """,
        [4],
    ),
    (
        "recommend-function-vs-helper",
        """
        def rank_helper(user, candidates):
            return [c for c in candidates if c["category"] != "adult"]
        """,
        """
        def recommend_items(user, candidates):
            return [c for c in candidates if c["category"] != "adult"]
        """,
        [3],
    ),
]


APPLICATION_TWINS.append(
    (
        "hard-coded-item-id-vs-requested-item-id",
        """
        @app.route("/", methods=["GET"])
        def get_recommendation():
            uid = request.args.get("uid")
            iid = request.args.get("iid")
            return str(model.predict(uid, iid, r_ui=None))
        """,
        """
        @app.route("/", methods=["GET"])
        def get_recommendation():
            uid = request.args.get("uid")
            iid = str(417)
            return str(model.predict(uid, iid, r_ui=None))
        """,
        [5],
    )
)


@pytest.mark.parametrize(
    "clean, twin, lines", [t[1:] for t in APPLICATION_TWINS], ids=[t[0] for t in APPLICATION_TWINS]
)
def test_application_shapes(lint, clean, twin, lines):
    clean_findings = lint(clean, select=SELECT, filename="model.py")
    assert clean_findings == [], [f"{f.line}: {f.message}" for f in clean_findings]
    findings = lint(twin, select=SELECT, filename="model.py")
    assert [f.line for f in findings] == lines, [f.message for f in findings]


def test_field_read_with_get_is_a_field(lint):
    source = """
    def predict(customer):
        score = MODEL.predict_proba([customer["x"]])[0, 1]
        if customer.get("tier") == "gold":
            score = score - 0.05
        return score
    """
    assert [f.line for f in lint(source, select=SELECT, filename="serve.py")] == [4]
    clean = source.replace('customer.get("tier") == "gold"', 'customer.get("source") == "batch"')
    assert lint(clean, select=SELECT, filename="serve.py") == []

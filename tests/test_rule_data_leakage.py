"""MLD501 data-leakage: preprocessing fitted before the split, each with its clean twin."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import lint_source, without_internal_errors
from rule_twins import check_twin

CODE = "MLD501"

TWINS = [
    (
        "scaler before train_test_split",
        """
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler
        X_scaled = StandardScaler().fit_transform(X)  # <- MLD501
        X_train, X_test, y_train, y_test = train_test_split(X_scaled, y, random_state=0)
        """,
        """
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        X_train = StandardScaler().fit_transform(X_train)
        """,
    ),
    (
        "fitted object, then split of the fitted data",
        """
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import MinMaxScaler
        scaler = MinMaxScaler()
        scaler.fit(features)  # <- MLD501
        X_train, X_test = train_test_split(features, test_size=0.2, random_state=1)
        X_train = scaler.transform(X_train)
        """,
        """
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import MinMaxScaler
        scaler = MinMaxScaler()
        X_train, X_test = train_test_split(features, test_size=0.2, random_state=1)
        scaler.fit(X_train)
        X_train = scaler.transform(X_train)
        """,
    ),
    (
        "imputer then cross_val_score",
        """
        from sklearn.impute import SimpleImputer
        from sklearn.model_selection import cross_val_score
        X_filled = SimpleImputer(strategy="median").fit_transform(X)  # <- MLD501
        scores = cross_val_score(model, X_filled, y, cv=5)
        """,
        """
        from sklearn.impute import SimpleImputer
        from sklearn.model_selection import cross_val_score
        from sklearn.pipeline import make_pipeline
        pipe = make_pipeline(SimpleImputer(strategy="median"), model)
        scores = cross_val_score(pipe, X, y, cv=5)
        """,
    ),
    (
        "selector before GridSearchCV",
        """
        from sklearn.feature_selection import SelectKBest
        from sklearn.model_selection import GridSearchCV
        X_best = SelectKBest(k=20).fit_transform(X, y)  # <- MLD501
        search = GridSearchCV(model, grid, cv=5)
        search.fit(X_best, y)
        """,
        """
        from sklearn.feature_selection import SelectKBest
        from sklearn.model_selection import GridSearchCV
        from sklearn.pipeline import Pipeline
        pipe = Pipeline([("select", SelectKBest(k=20)), ("model", model)])
        search = GridSearchCV(pipe, grid, cv=5)
        search.fit(X, y)
        """,
    ),
    (
        "SMOTE before KFold",
        """
        from imblearn.over_sampling import SMOTE
        from sklearn.model_selection import StratifiedKFold
        X_res, y_res = SMOTE(random_state=0).fit_resample(X, y)  # <- MLD501
        folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
        for train_idx, test_idx in folds.split(X_res, y_res):
            model.fit(X_res[train_idx], y_res[train_idx])
        """,
        """
        from imblearn.over_sampling import SMOTE
        from sklearn.model_selection import StratifiedKFold
        folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
        for train_idx, test_idx in folds.split(X, y):
            X_res, y_res = SMOTE(random_state=0).fit_resample(X[train_idx], y[train_idx])
            model.fit(X_res, y_res)
        """,
    ),
    (
        "fillna with the mean of all rows",
        """
        from sklearn.model_selection import train_test_split
        df = df.fillna(df.mean())  # <- MLD501
        train, test = train_test_split(df, random_state=0)
        """,
        """
        from sklearn.model_selection import train_test_split
        df = df.fillna(0)
        train, test = train_test_split(df, random_state=0)
        """,
    ),
    (
        "column selection keeps the taint",
        """
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import RobustScaler
        df[num_cols] = RobustScaler().fit_transform(df[num_cols])  # <- MLD501
        X = df[num_cols + cat_cols]
        y = df["target"]
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=2)
        """,
        """
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import RobustScaler
        X = df[num_cols + cat_cols]
        y = df["target"]
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=2)
        X_train[num_cols] = RobustScaler().fit_transform(X_train[num_cols])
        """,
    ),
    (
        "the file's own helper fits",
        """
        from sklearn.decomposition import PCA
        from sklearn.model_selection import train_test_split
        def reduce(frame):
            return PCA(n_components=10).fit_transform(frame)  # <- MLD501
        components = reduce(X)
        X_train, X_test = train_test_split(components, random_state=0)
        """,
        """
        from sklearn.decomposition import PCA
        from sklearn.model_selection import train_test_split
        def reduce(frame):
            return PCA(n_components=10).fit(frame)
        X_train, X_test = train_test_split(X, random_state=0)
        pca = reduce(X_train)
        """,
    ),
    (
        "the file's own helper splits",
        """
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler
        def holdout(features, labels):
            return train_test_split(features, labels, test_size=0.3, random_state=0)
        scaled = StandardScaler().fit_transform(X)  # <- MLD501
        parts = holdout(scaled, y)
        """,
        """
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler
        def holdout(features, labels):
            return train_test_split(features, labels, test_size=0.3, random_state=0)
        X_train, X_test, y_train, y_test = holdout(X, y)
        scaled = StandardScaler().fit_transform(X_train)
        """,
    ),
    (
        "fit on the test split",
        """
        from sklearn.preprocessing import StandardScaler
        scaler = StandardScaler()
        X_train = scaler.fit_transform(X_train)
        X_test = scaler.fit_transform(X_test)  # <- MLD501
        """,
        """
        from sklearn.preprocessing import StandardScaler
        scaler = StandardScaler()
        X_train = scaler.fit_transform(X_train)
        X_test = scaler.transform(X_test)
        """,
    ),
    (
        "fit on a validation fold appended to X_valid",
        """
        from sklearn.preprocessing import StandardScaler
        X_train, X_valid = [], []
        std = StandardScaler()
        for frame in frames:
            X_train.append(std.fit_transform(frame.query("fold != 0")))
            X_valid.append(std.fit_transform(frame.query("fold == 0")))  # <- MLD501
        """,
        """
        from sklearn.preprocessing import StandardScaler
        X_train, X_valid = [], []
        std = StandardScaler()
        for frame in frames:
            X_train.append(std.fit_transform(frame.query("fold != 0")))
            X_valid.append(std.transform(frame.query("fold == 0")))
        """,
    ),
    (
        "tf-idf on all documents",
        """
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.model_selection import train_test_split
        vectorizer = TfidfVectorizer(ngram_range=(1, 2))
        X_vec = vectorizer.fit_transform(texts)  # <- MLD501
        X_train, X_test, y_train, y_test = train_test_split(X_vec, labels, random_state=0)
        """,
        """
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.model_selection import train_test_split
        vectorizer = TfidfVectorizer(ngram_range=(1, 2))
        X_train, X_test, y_train, y_test = train_test_split(texts, labels, random_state=0)
        X_vec = vectorizer.fit_transform(X_train)
        """,
    ),
    (
        "column transformer fitted outside CV",
        """
        from sklearn.compose import ColumnTransformer
        from sklearn.model_selection import cross_val_score
        from sklearn.preprocessing import StandardScaler
        prep = ColumnTransformer([("num", StandardScaler(), numeric)])
        X_prep = prep.fit_transform(X)  # <- MLD501
        scores = cross_val_score(model, X_prep, y, cv=5)
        """,
        """
        from sklearn.compose import ColumnTransformer
        from sklearn.model_selection import cross_val_score
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler
        prep = ColumnTransformer([("num", StandardScaler(), numeric)])
        pipe = Pipeline([("prep", prep), ("model", model)])
        scores = cross_val_score(pipe, X, y, cv=5)
        """,
    ),
    (
        "label encoder on the target is not a leak",
        """
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import LabelEncoder, QuantileTransformer
        y_enc = LabelEncoder().fit_transform(y)
        X_q = QuantileTransformer().fit_transform(X)  # <- MLD501
        X_train, X_test, y_train, y_test = train_test_split(X_q, y_enc, random_state=0)
        """,
        """
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import LabelEncoder
        y_enc = LabelEncoder().fit_transform(y)
        X_train, X_test, y_train, y_test = train_test_split(X, y_enc, random_state=0)
        """,
    ),
    (
        "stateless get_dummies is not a leak",
        """
        import pandas as pd
        from sklearn.model_selection import train_test_split
        from category_encoders import TargetEncoder
        X = pd.get_dummies(df[cols])
        X["city"] = TargetEncoder().fit_transform(df["city"], df["target"])  # <- MLD501
        train, test = train_test_split(X, random_state=0)
        """,
        """
        import pandas as pd
        from sklearn.model_selection import train_test_split
        X = pd.get_dummies(df[cols])
        X["log_amount"] = np.log1p(df["amount"])
        train, test = train_test_split(X, random_state=0)
        """,
    ),
    (
        "a function scope is analysed on its own",
        """
        from sklearn.model_selection import KFold
        from sklearn.preprocessing import StandardScaler
        def evaluate(model, X, y):
            X = StandardScaler().fit_transform(X)  # <- MLD501
            for train_idx, test_idx in KFold(n_splits=5).split(X):
                model.fit(X[train_idx], y[train_idx])
        """,
        """
        from sklearn.model_selection import KFold
        from sklearn.preprocessing import StandardScaler
        def evaluate(model, X, y):
            for train_idx, test_idx in KFold(n_splits=5).split(X):
                scaler = StandardScaler().fit(X[train_idx])
                model.fit(scaler.transform(X[train_idx]), y[train_idx])
        """,
    ),
]


@pytest.mark.parametrize("positive, negative", [case[1:] for case in TWINS], ids=[case[0] for case in TWINS])
def test_data_leakage_twins(tmp_path, positive, negative):
    check_twin(tmp_path, CODE, positive, negative)


def test_related_points_at_the_split(tmp_path):
    source = (
        "from sklearn.model_selection import train_test_split\n"
        "from sklearn.preprocessing import StandardScaler\n"
        "X_scaled = StandardScaler().fit_transform(X)\n"
        "\n"
        "X_train, X_test = train_test_split(X_scaled, random_state=0)\n"
    )
    (finding,) = lint_source(tmp_path, source, select=(CODE,)).findings
    assert finding.line == 3
    assert [(item.line, item.note) for item in finding.related] == [(5, "split afterwards: train_test_split")]
    assert finding.to_dict()["related"][0]["line"] == 5


def test_a_chain_of_fits_reports_each_fit(tmp_path):
    source = (
        "from sklearn.feature_selection import SelectKBest\n"
        "from sklearn.model_selection import cross_val_score\n"
        "from sklearn.preprocessing import StandardScaler\n"
        "scaled = StandardScaler().fit_transform(X)\n"
        "best = SelectKBest(k=5).fit_transform(scaled, y)\n"
        "scores = cross_val_score(model, best, y)\n"
    )
    lines = [finding.line for finding in lint_source(tmp_path, source, select=(CODE,)).findings]
    assert lines == [4, 5]


def _lint_repo(root, files):
    from mldebtlint.core.config import Settings
    from mldebtlint.engine.runner import RunOptions, run

    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    result = without_internal_errors(run(RunOptions(paths=[root], settings=Settings(root=str(root), select=(CODE,)))))
    return sorted((Path(f.path).name, f.line) for f in result.findings)


HELPERS = (
    "from sklearn.decomposition import PCA\n"
    "from sklearn.model_selection import train_test_split\n"
    "\n"
    "def compress(frame):\n"
    "    return PCA(n_components=4).fit_transform(frame)\n"
    "\n"
    "def holdout(features, labels):\n"
    "    return train_test_split(features, labels, random_state=0)\n"
)


def test_a_fit_in_a_helper_module_and_the_split_in_a_script(tmp_path):
    leaky = "from pkg.helpers import compress\nfrom sklearn.model_selection import train_test_split\nparts = train_test_split(compress(X), y)\n"
    clean = "from pkg.helpers import compress\nfrom sklearn.model_selection import train_test_split\nparts = train_test_split(X, y)\nZ = compress(parts[0])\n"
    assert _lint_repo(tmp_path / "bad", {"pkg/__init__.py": "", "pkg/helpers.py": HELPERS, "train.py": leaky}) == [
        ("helpers.py", 5)
    ]
    assert _lint_repo(tmp_path / "good", {"pkg/__init__.py": "", "pkg/helpers.py": HELPERS, "train.py": clean}) == []


def test_a_fit_in_a_script_and_the_split_in_a_helper_module(tmp_path):
    leaky = "from pkg.helpers import holdout\nfrom sklearn.preprocessing import StandardScaler\nS = StandardScaler().fit_transform(X)\nparts = holdout(S, y)\n"
    clean = "from pkg.helpers import holdout\nfrom sklearn.preprocessing import StandardScaler\nparts = holdout(X, y)\nS = StandardScaler().fit_transform(parts[0])\n"
    assert _lint_repo(tmp_path / "bad", {"pkg/__init__.py": "", "pkg/helpers.py": HELPERS, "train.py": leaky}) == [
        ("train.py", 3)
    ]
    assert _lint_repo(tmp_path / "good", {"pkg/__init__.py": "", "pkg/helpers.py": HELPERS, "train.py": clean}) == []


def test_the_fingerprint_survives_lines_added_above(tmp_path):
    source = (
        "from sklearn.model_selection import train_test_split\n"
        "from sklearn.preprocessing import StandardScaler\n"
        "X_scaled = StandardScaler().fit_transform(X)\n"
        "X_train, X_test = train_test_split(X_scaled, random_state=0)\n"
    )
    (before,) = lint_source(tmp_path / "a", source, select=(CODE,)).findings
    (after,) = lint_source(tmp_path / "b", "import os\n\n\n" + source, select=(CODE,)).findings
    assert after.line == before.line + 3
    assert after.fingerprint == before.fingerprint

"""MLD701 untested-model-code: small repos, each positive with a twin whose test imports the module."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import without_internal_errors

from mldebtlint.core.config import Settings
from mldebtlint.engine.runner import RunOptions, run

CODE = "MLD701"

NET = """
import torch.nn as nn

class ChurnNet(nn.Module):  # <- MLD701
    def forward(self, x):
        return x
"""

TRAIN = """
from sklearn.linear_model import LogisticRegression

def train(X, y):  # <- MLD701
    return LogisticRegression().fit(X, y)
"""

SERVE = """
import joblib

model = joblib.load("model.pkl")

def score(rows):  # <- MLD701
    return model.predict_proba(rows)[:, 1]
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def lint_repo(root: Path, paths: list[Path] | None = None):
    settings = Settings(root=str(root), select=(CODE,))
    return without_internal_errors(run(RunOptions(paths=paths or [root], settings=settings))).findings


def expected(files: dict[str, str]) -> list[tuple[str, int]]:
    out = []
    for name, text in files.items():
        for number, line in enumerate(textwrap.dedent(text).splitlines(), 1):
            if f"# <- {CODE}" in line:
                out.append((name, number))
    return sorted(out)


def found(root: Path, findings) -> list[tuple[str, int]]:
    return sorted((Path(f.path).resolve().relative_to(root.resolve()).as_posix(), f.line) for f in findings)


def clean(text: str) -> str:
    return text.replace(f"  # <- {CODE}", "")


# (id, repo with untested model code, the same repo with the test that covers it)
TWINS = [
    (
        "model class, test imports it",
        {"churn/__init__.py": "", "churn/model.py": NET, "tests/test_data.py": "from churn import data\n"},
        {
            "churn/__init__.py": "",
            "churn/model.py": clean(NET),
            "tests/test_model.py": "from churn.model import ChurnNet\n",
        },
    ),
    (
        "training function, test imports the module",
        {"churn/__init__.py": "", "churn/train.py": TRAIN, "tests/test_x.py": "import churn.features\n"},
        {"churn/__init__.py": "", "churn/train.py": clean(TRAIN), "tests/test_x.py": "import churn.train\n"},
    ),
    (
        "predict function of a file that loads a model",
        {"serve.py": SERVE, "tests/test_api.py": "import api\n"},
        {"serve.py": clean(SERVE), "tests/test_api.py": "from serve import score\n"},
    ),
    (
        "package __init__ re-exports the model",
        {"churn/__init__.py": "", "churn/model.py": NET, "tests/test_pkg.py": "import churn\n"},
        {
            "churn/__init__.py": "from .model import ChurnNet\n",
            "churn/model.py": clean(NET),
            "tests/test_pkg.py": "import churn\n",
        },
    ),
    (
        "from package import submodule",
        {"churn/__init__.py": "", "churn/train.py": TRAIN, "tests/test_pkg.py": "from churn import utils\n"},
        {"churn/__init__.py": "", "churn/train.py": clean(TRAIN), "tests/test_pkg.py": "from churn import train\n"},
    ),
    (
        "a test runs the script in a subprocess",
        {"train.py": TRAIN, "tests/test_cli.py": "import subprocess\nsubprocess.run(['python', 'evaluate.py'])\n"},
        {"train.py": clean(TRAIN), "tests/test_cli.py": "import subprocess\nsubprocess.run(['python', 'train.py'])\n"},
    ),
    (
        "python -m in a test",
        {"churn/__init__.py": "", "churn/train.py": TRAIN, "tests/test_cli.py": "ARGS = ['-m', 'churn.evaluate']\n"},
        {
            "churn/__init__.py": "",
            "churn/train.py": clean(TRAIN),
            "tests/test_cli.py": "ARGS = ['-m', 'churn.train']\n",
        },
    ),
    (
        "src layout: tests import without the src prefix",
        {"src/churn/__init__.py": "", "src/churn/model.py": NET, "tests/test_m.py": "from churn.data import load\n"},
        {
            "src/churn/__init__.py": "",
            "src/churn/model.py": clean(NET),
            "tests/test_m.py": "from churn.model import ChurnNet\n",
        },
    ),
    (
        "relative import inside the tests package",
        {"pkg/__init__.py": "", "pkg/model.py": NET, "pkg/tests/test_model.py": "from ..data import load\n"},
        {
            "pkg/__init__.py": "",
            "pkg/model.py": clean(NET),
            "pkg/tests/test_model.py": "from ..model import ChurnNet\n",
        },
    ),
    (
        "a loss alone is not model code",
        {
            "losses.py": "import torch.nn as nn\n\nclass FocalLoss(nn.Module):\n    pass\n\n\nclass Ranker(nn.Module):  # <- MLD701\n    pass\n",
        },
        {"losses.py": "import torch.nn as nn\n\nclass FocalLoss(nn.Module):\n    pass\n"},
    ),
    (
        "a layer built by the model is a component",
        {
            "dcn.py": "import torch.nn as nn\n\nclass CrossNetwork(nn.Module):\n    pass\n\n\nclass DCN(nn.Module):  # <- MLD701\n    def __init__(self):\n        super().__init__()\n        self.cross = CrossNetwork()\n",
        },
        {
            "dcn.py": "import torch.nn as nn\n\nclass CrossNetwork(nn.Module):\n    pass\n\n\nclass DCN(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.cross = CrossNetwork()\n",
            "tests/test_dcn.py": "from dcn import DCN\n",
        },
    ),
    (
        "a feature transformer is not a model",
        {
            "features.py": "from sklearn.base import BaseEstimator, TransformerMixin, ClassifierMixin\n\nclass Adder(BaseEstimator, TransformerMixin):\n    pass\n\n\nclass Voter(BaseEstimator, ClassifierMixin):  # <- MLD701\n    pass\n",
        },
        {
            "features.py": "from sklearn.base import BaseEstimator, TransformerMixin\n\nclass Adder(BaseEstimator, TransformerMixin):\n    pass\n"
        },
    ),
    (
        "fitting a scaler is not training",
        {"prep.py": "def fit_model(model, X, y):  # <- MLD701\n    model.fit(X, y)\n    return model\n"},
        {"prep.py": "def fit_scaler(scaler, X):\n    scaler.fit(X)\n    return scaler\n"},
    ),
    (
        "a predict call without a loaded model or a predicting name",
        {
            "report.py": "import joblib\nmodel = joblib.load('m.pkl')\n\ndef summary(X):  # <- MLD701\n    return model.predict(X).mean()\n"
        },
        {"report.py": "def summary(model, X):\n    return model.predict(X).mean()\n"},
    ),
    (
        "a notebook is not an importable module",
        {"train.py": TRAIN},
        {
            "train.ipynb": '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null, '
            '"source": ["from sklearn.linear_model import LogisticRegression\\n", "def train(X, y):\\n", '
            '"    return LogisticRegression().fit(X, y)\\n"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
        },
    ),
    (
        "a module imported by a tested module is not tested itself (only a package re-exports)",
        {
            "churn/__init__.py": "",
            "churn/model.py": NET,
            "churn/train.py": "from churn import model\n",
            "tests/test_train.py": "import churn.train\n",
        },
        {
            "churn/__init__.py": "from churn import model\n",
            "churn/model.py": clean(NET),
            "tests/test_train.py": "import churn\n",
        },
    ),
    (
        "a requirements file and a README beside the code are read without error",
        {"requirements.txt": "torch==2.3.0\n", "README.md": "# churn\n", "train.py": TRAIN},
        {
            "requirements.txt": "torch==2.3.0\n",
            "README.md": "# churn\n",
            "train.py": clean(TRAIN),
            "tests/test_t.py": "import train\n",
        },
    ),
    (
        "demo folders are not expected to have tests",
        {"app/train.py": TRAIN},
        {"demo/train.py": clean(TRAIN)},
    ),
]


@pytest.mark.parametrize("positive, negative", [case[1:] for case in TWINS], ids=[case[0] for case in TWINS])
def test_untested_model_code_twins(tmp_path, positive, negative):
    bad, good = tmp_path / "bad", tmp_path / "good"
    write(bad, positive)
    write(good, negative)
    assert found(bad, lint_repo(bad)) == expected(positive)
    assert found(good, lint_repo(good)) == []


def test_a_repo_without_tests_says_so(tmp_path):
    write(tmp_path, {"train.py": TRAIN})
    (finding,) = lint_repo(tmp_path)
    assert "the repo has no tests at all" in finding.message
    assert dict(finding.data)["repo_has_tests"] is False
    write(tmp_path, {"tests/test_other.py": "import other\n"})
    (finding,) = lint_repo(tmp_path)
    assert "no tests at all" not in finding.message


def test_a_single_file_run_sees_the_repos_tests(tmp_path):
    write(
        tmp_path, {"churn/__init__.py": "", "churn/train.py": clean(TRAIN), "tests/test_t.py": "import churn.train\n"}
    )
    assert lint_repo(tmp_path, [tmp_path / "churn" / "train.py"]) == ()
    write(tmp_path, {"tests/test_t.py": "import churn.other\n"})
    assert found(tmp_path, lint_repo(tmp_path, [tmp_path / "churn" / "train.py"])) == [("churn/train.py", 4)]


@pytest.mark.parametrize(("tests", "has_tests"), [({}, False), ({"tests/test_data.py": "import data\n"}, True)])
def test_the_finding_says_whether_the_repo_has_any_test(tmp_path, tests, has_tests):
    write(tmp_path, {"train.py": TRAIN, **tests})
    (finding,) = lint_repo(tmp_path)
    assert dict(finding.data)["repo_has_tests"] is has_tests
    assert finding.message.endswith(
        "(a smoke test that trains on a few rows or predicts on a fixed input is enough to start)"
    )
    assert ("the repo has no tests at all" in finding.message) is not has_tests

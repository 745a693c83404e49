"""``check --fix`` / ``--unsafe-fixes`` / ``--diff``: each fix parses back, the
finding is gone afterwards and a second ``--fix`` changes nothing."""

from __future__ import annotations

import ast
import json
import sys
from importlib import metadata
from pathlib import Path

import pytest
import yaml

from mldebtlint.cli import main
from mldebtlint.detectors import unpinned_framework
from mldebtlint.manifests.reading import parse_manifest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CLICK = metadata.version("click")
CONFIG = """\
[tool.mldebtlint]
select = ["{select}"]

[tool.mldebtlint.rules.unpinned-framework]
frameworks = ["torch", "click", "pyyaml", "transformers"]
"""
REQUIREMENTS = """\
# runtime
numpy
click[extra]>=8.0 ; python_version >= "3.9"  # the CLI
torch>=2.0
pyyaml<6  # an old API
"""


def cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


def codes(capsys, *args: str) -> list[tuple[str, int, str]]:
    _, out, _ = cli(capsys, "check", "--no-cache", "--format", "json", *args)
    return sorted((f["path"], f["line"], f["code"]) for f in json.loads(out))


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(CONFIG.format(select="MLD301"), encoding="utf-8")
    (tmp_path / "service").mkdir()
    (tmp_path / "service" / "requirements.txt").write_text(REQUIREMENTS, encoding="utf-8")
    # A lock file above the manifest: its version wins over the installed one.
    (tmp_path / "poetry.lock").write_text('[[package]]\nname = "torch"\nversion = "2.1.2"\n', encoding="utf-8")
    return tmp_path


def test_pin_fix_uses_lock_then_installed_version_and_keeps_the_rest(project, capsys):
    manifest = project / "service" / "requirements.txt"
    assert [line for _, line, _ in codes(capsys, ".")] == [3, 4, 5]
    code, _, err = cli(capsys, "check", "--no-cache", "--fix", ".")
    assert code == 1  # pyyaml stays: the installed version does not satisfy <6
    assert "does not satisfy '<6'" in err and "Fixed 2 findings in 1 files." in err
    assert manifest.read_text(encoding="utf-8") == REQUIREMENTS.replace(
        "click[extra]>=8.0 ;", f"click[extra]=={CLICK} ;"
    ).replace("torch>=2.0", "torch==2.1.2")
    assert not parse_manifest("requirements.txt", manifest.read_text(encoding="utf-8")).problems
    assert codes(capsys, ".") == [("service/requirements.txt", 5, "MLD301")]
    before = manifest.read_text(encoding="utf-8")
    code, _, err = cli(capsys, "check", "--no-cache", "--fix", ".")
    assert "Fixed 0 findings" in err and manifest.read_text(encoding="utf-8") == before


def test_diff_shows_the_pins_and_writes_nothing(project, capsys):
    manifest = project / "service" / "requirements.txt"
    code, out, err = cli(capsys, "check", "--no-cache", "--diff", ".")
    assert code == 1 and "Would fix 2 findings" in err
    assert "--- a/service/requirements.txt\n+++ b/service/requirements.txt\n" in out
    assert "\n-torch>=2.0\n" in out and "\n+torch==2.1.2\n" in out
    assert manifest.read_text(encoding="utf-8") == REQUIREMENTS
    manifest.write_text("numpy\n", encoding="utf-8")
    code, out, _ = cli(capsys, "check", "--no-cache", "--diff", ".")
    assert code == 0 and out == ""


@pytest.mark.parametrize(
    "name, text, expected, load",
    [
        (
            "pyproject.toml",
            '[project]\nname = "svc"\ndependencies = [\n  "torch>=2.0",  # gpu\n  "numpy",\n]\n',
            '[project]\nname = "svc"\ndependencies = [\n  "torch==2.1.2",  # gpu\n  "numpy",\n]\n',
            tomllib.loads,
        ),
        (
            "pyproject.toml",
            '[tool.poetry.dependencies]\npython = "^3.10"\ntorch = "^2.0"\n',
            '[tool.poetry.dependencies]\npython = "^3.10"\ntorch = "2.1.2"\n',
            tomllib.loads,
        ),
        (
            "environment.yml",
            "dependencies:\n  - python=3.11\n  - pytorch>=2.0  # conda\n  - pip:\n    - click>=8\n",
            f"dependencies:\n  - python=3.11\n  - pytorch==2.1.2  # conda\n  - pip:\n    - click=={CLICK}\n",
            yaml.safe_load,
        ),
        (
            "Pipfile",
            '[packages]\ntorch = "*"\nrequests = "*"\n',
            '[packages]\ntorch = "==2.1.2"\nrequests = "*"\n',
            tomllib.loads,
        ),
        (
            "setup.cfg",
            "[options]\ninstall_requires =\n    torch>=2\n    numpy\n",
            "[options]\ninstall_requires =\n    torch==2.1.2\n    numpy\n",
            None,
        ),
    ],
)
def test_pin_fix_in_other_manifest_formats(project, capsys, name, text, expected, load):
    folder = project / "service"
    (folder / "requirements.txt").unlink()
    target = folder / name
    target.write_text(text, encoding="utf-8")
    (project / "pyproject.toml").write_text(CONFIG.format(select="MLD301"), encoding="utf-8")
    assert codes(capsys, "service")
    cli(capsys, "check", "--no-cache", "--fix", "service")
    assert target.read_text(encoding="utf-8") == expected
    if load is not None:
        load(expected)
    assert codes(capsys, "service") == []


def test_a_pin_that_would_not_parse_back_is_not_written(project, capsys, monkeypatch):
    # The rule computes the pin when it reports; a wrong one is caught when --fix parses the result back.
    monkeypatch.setattr(unpinned_framework, "pin_text", lambda entry, written, version: "torch==")
    manifest = project / "service" / "requirements.txt"
    code, _, err = cli(capsys, "check", "--no-cache", "--fix", ".")
    assert "did not parse back" in err and "Fixed 0 findings" in err
    assert manifest.read_text(encoding="utf-8") == REQUIREMENTS


TRAIN = '''\
"""Training."""
import numpy as np
import torch
from sklearn.ensemble import RandomForestClassifier

LR = 0.01
MAX_DEPTH = 12


def fit(model, X, y):
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-4, weight_decay=0.01)
    forest = RandomForestClassifier(n_estimators=500, max_depth=12)
    return optimizer, forest


def decide(model, X):
    proba = model.predict_proba(X)[:, 1]
    labels = np.where(proba > 0.7, 1, 0)
    cutoff = 0.4
    flagged = proba >= cutoff
    return labels, flagged
'''

TRAIN_FIXED = '''\
"""Training."""
import numpy as np
import torch
from sklearn.ensemble import RandomForestClassifier

LR_2 = 3e-4
WEIGHT_DECAY = 0.01
N_ESTIMATORS = 500
PROBA_THRESHOLD = 0.7
CUTOFF = 0.4

LR = 0.01
MAX_DEPTH = 12


def fit(model, X, y):
    optimizer = torch.optim.Adam(model.parameters(), lr=LR_2, weight_decay=WEIGHT_DECAY)
    forest = RandomForestClassifier(n_estimators=N_ESTIMATORS, max_depth=MAX_DEPTH)
    return optimizer, forest


def decide(model, X):
    proba = model.predict_proba(X)[:, 1]
    labels = np.where(proba > PROBA_THRESHOLD, 1, 0)
    cutoff = CUTOFF
    flagged = proba >= cutoff
    return labels, flagged
'''


@pytest.fixture
def training(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        CONFIG.format(select="MLD101").replace('"MLD101"', '"MLD101", "MLD102"'), encoding="utf-8"
    )
    (tmp_path / "train.py").write_text(TRAIN, encoding="utf-8")
    return tmp_path


def test_hoisting_needs_the_unsafe_opt_in(training, capsys):
    assert len(codes(capsys, ".")) == 4
    code, _, err = cli(capsys, "check", "--no-cache", "--fix", ".")
    assert code == 1 and "Fixed 0 findings" in err
    assert (training / "train.py").read_text(encoding="utf-8") == TRAIN


def test_hoisting_literals_into_named_constants(training, capsys):
    code, _, err = cli(capsys, "check", "--no-cache", "--fix", "--unsafe-fixes", ".")
    assert code == 0 and "Fixed 4 findings in 1 files." in err
    fixed = (training / "train.py").read_text(encoding="utf-8")
    assert fixed == TRAIN_FIXED
    ast.parse(fixed)
    assert codes(capsys, ".") == []
    code, _, err = cli(capsys, "check", "--no-cache", "--fix", "--unsafe-fixes", ".")
    assert "Fixed 0 findings" in err and (training / "train.py").read_text(encoding="utf-8") == TRAIN_FIXED


def test_unsafe_diff_writes_nothing(training, capsys):
    code, out, _ = cli(capsys, "check", "--no-cache", "--diff", "--unsafe-fixes", ".")
    assert code == 1
    assert "+PROBA_THRESHOLD = 0.7\n" in out and "-    labels = np.where(proba > 0.7, 1, 0)\n" in out
    assert (training / "train.py").read_text(encoding="utf-8") == TRAIN


def test_a_fixer_result_that_does_not_parse_is_refused(training, capsys, monkeypatch):
    from mldebtlint.core.types import Edit, Fix
    from mldebtlint.syntax.hoist import HoistPlanner

    broken = Fix("unsafe", "break the file", (Edit(1, 1, 1, 1, "def (:\n"),))
    monkeypatch.setattr(HoistPlanner, "fix", lambda self, literals: broken)
    code, _, err = cli(capsys, "check", "--no-cache", "--fix", "--unsafe-fixes", ".")
    assert "the result would not parse" in err and "Fixed 0 findings" in err
    assert (training / "train.py").read_text(encoding="utf-8") == TRAIN


def test_fix_cannot_be_combined_with_stdin(training, capsys, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("x = 1\n"))
    code, _, err = cli(capsys, "check", "--fix", "--stdin-filename", "a.py")
    assert code == 2 and "--fix cannot be combined with --stdin-filename" in err

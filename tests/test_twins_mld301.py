"""MLD301 twins: the same unpinned framework in an application manifest and in a
distributable package's, where ``library-policy`` decides for the package only."""

from __future__ import annotations

import pytest

APP = ("requirements.txt", "torch>=2.0\n")
LIBRARY = (
    "pyproject.toml",
    '[build-system]\nrequires = ["hatchling"]\n\n[project]\nname = "x"\nversion = "1"\ndependencies = ["torch>=2.0"]\n',
)
APP_PYPROJECT = ("pyproject.toml", '[project]\nname = "x"\nversion = "1"\ndependencies = ["torch>=2.0"]\n')


@pytest.mark.parametrize("manifest", [APP, APP_PYPROJECT], ids=["requirements", "pyproject-without-build-system"])
def test_library_policy_does_not_apply_to_an_application(lint, manifest):
    name, text = manifest
    for options in (None, {"unpinned-framework": {"library-policy": "ignore"}}):
        assert [f.code for f in lint(text, select=("MLD301",), filename=name, rule_options=options)] == ["MLD301"]


def test_library_policy_applies_to_a_package(lint):
    name, text = LIBRARY
    assert [f.code for f in lint(text, select=("MLD301",), filename=name)] == ["MLD301"]
    ignore = {"unpinned-framework": {"library-policy": "ignore"}}
    assert lint(text, select=("MLD301",), filename=name, rule_options=ignore) == []
    bounded = {"unpinned-framework": {"library-policy": "upper-bound"}}
    assert [f.code for f in lint(text, select=("MLD301",), filename=name, rule_options=bounded)] == ["MLD301"]
    within = text.replace("torch>=2.0", "torch>=2.0,<3")
    assert lint(within, select=("MLD301",), filename=name, rule_options=bounded) == []


@pytest.mark.parametrize(
    ("sibling", "locked"), [("requirements-lock.txt", True), ("notes.md", False), ("hashes.txt", False)]
)
def test_only_a_requirements_file_with_hashes_beside_it_is_a_lock(lint, tmp_path, sibling, locked):
    name, text = APP_PYPROJECT
    (tmp_path / sibling).write_text("torch==2.3.1 --hash=sha256:" + "0" * 64 + "\n")
    found = lint(text, select=("MLD301",), filename=name)
    assert found == [] if locked else [f.code for f in found] == ["MLD301"]


def test_the_hint_follows_the_policy(lint):
    (exact,) = lint(APP[1], select=("MLD301",), filename=APP[0])
    assert "pin it with == or commit a lock file" in exact.message and "an exact pin" in exact.message
    bounded = {"unpinned-framework": {"policy": "upper-bound"}}
    (upper,) = lint(APP[1], select=("MLD301",), filename=APP[0], rule_options=bounded)
    assert "add a < bound" in upper.message and "an upper bound" in upper.message


def test_a_notebook_install_command_says_installed(lint):
    import json

    cell = {
        "cell_type": "code",
        "metadata": {},
        "execution_count": None,
        "outputs": [],
        "source": ["%pip install torch\n"],
    }
    notebook = json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    (finding,) = lint(notebook, select=("MLD301",), filename="explore.ipynb")
    assert "is installed without an exact pin" in finding.message and "in the command" in finding.message
    (manifest,) = lint(APP[1], select=("MLD301",), filename=APP[0])
    assert "is required without" in manifest.message


def test_a_requirements_file_with_hashes_is_its_own_lock(lint):
    hashed = "torch>=2.0 --hash=sha256:" + "0" * 64 + "\n"
    assert lint(hashed, select=("MLD301",), filename="requirements.txt") == []
    assert len(lint("torch>=2.0\n", select=("MLD301",), filename="requirements.txt")) == 1


def test_an_optional_group_is_named_in_the_message(lint):
    text = '[project]\nname = "x"\nversion = "1"\n\n[project.optional-dependencies]\nboosting = ["xgboost>=2.0"]\n'
    (finding,) = lint(text, select=("MLD301",), filename="pyproject.toml")
    assert "in [optional-dependencies.boosting]" in finding.message
    (plain,) = lint(APP[1], select=("MLD301",), filename=APP[0])
    assert "in [" not in plain.message


# Issue 13 (read completely: bentoml-fraud-serving): a prefixed requirements file and a
# BentoML build file are where the app's training and serving environments are declared.


@pytest.mark.parametrize("name", ["dev-requirements.txt", "benchmark-requirements.txt", "test_requirements.in"])
def test_a_prefixed_requirements_file_is_a_manifest(tmp_path, name):
    from conftest import lint_folder

    (tmp_path / name).write_text("notebook\nnumpy\nxgboost\nscikit-learn==1.5.2\nnbconvert\n")
    found = lint_folder(tmp_path, select=("MLD301",)).findings
    assert [(f.path.rsplit("/", 1)[-1], f.line) for f in found] == [(name, 3)]
    (tmp_path / name).write_text("notebook\nnumpy\nxgboost==2.0.3\nscikit-learn==1.5.2\nnbconvert\n")
    assert lint_folder(tmp_path, select=("MLD301",)).findings == ()


@pytest.mark.parametrize("name", ["requirements_notes.md", "prerequisites.txt", "my-requirementsfile.json"])
def test_other_files_that_mention_requirements_are_not_manifests(tmp_path, name):
    from conftest import lint_folder

    (tmp_path / name).write_text("xgboost\n")
    assert lint_folder(tmp_path, select=("MLD301",)).findings == ()
    (tmp_path / "dev-requirements.txt").write_text("xgboost\n")
    assert len(lint_folder(tmp_path, select=("MLD301",)).findings) == 1


BENTOFILE = """service: "service:svc"
include:
- "service.py"
python:
  packages:
  - numpy
  - pandas
  - xgboost
  - scikit-learn==1.5.2
"""


@pytest.mark.parametrize("name", ["bentofile.yaml", "bentofile-gpu.yaml"])
def test_a_bentofile_python_packages_list_is_read(lint, name):
    (finding,) = lint(BENTOFILE, select=("MLD301",), filename=name)
    assert (finding.line, finding.column) == (8, 5) and "'xgboost'" in finding.message
    assert "python.packages" in finding.message
    pinned = BENTOFILE.replace("  - xgboost\n", "  - xgboost==2.0.3\n")
    assert lint(pinned, select=("MLD301",), filename=name) == []


def test_a_bentofile_conda_section_reads_like_an_environment_file(lint):
    text = 'service: "service:svc"\nconda:\n  dependencies:\n  - pytorch>=2.1\n  - pip:\n    - lightgbm\n'
    found = lint(text, select=("MLD301",), filename="bentofile.yaml")
    assert [f.line for f in found] == [4, 6]
    pinned = 'service: "service:svc"\nconda:\n  dependencies:\n  - pytorch=2.1.0\n  - pip:\n    - lightgbm==4.3.0\n'
    assert lint(pinned, select=("MLD301",), filename="bentofile.yaml") == []


def test_packages_in_other_yaml_files_are_not_a_bentofile(tmp_path):
    from conftest import lint_folder

    (tmp_path / "docker-compose.yml").write_text(BENTOFILE)
    assert lint_folder(tmp_path, select=("MLD301",)).findings == ()
    (tmp_path / "bentofile.yaml").write_text(BENTOFILE)
    assert len(lint_folder(tmp_path, select=("MLD301",)).findings) == 1


def test_a_broken_bentofile_is_one_parse_error(lint):
    found = lint("python:\n  packages: [xgboost\n", select=("MLD301", "MLD000"), filename="bentofile.yaml")
    assert [f.code for f in found] == ["MLD000"]


def test_faiss_serving_an_index_is_a_framework(lint):
    # two-tower-v2: the FAISS index built offline is read by the API with whatever faiss is installed
    (finding,) = lint("fastapi>=0.104.0\nfaiss-cpu>=1.7.4\n", select=("MLD301",), filename="requirements.txt")
    assert "'faiss-cpu'" in finding.message
    assert lint("fastapi>=0.104.0\nfaiss-cpu==1.8.0\n", select=("MLD301",), filename="requirements.txt") == []


def test_fastai_is_a_framework(lint):
    # mnist-fastapi-fastai: the trained learner is exported and loaded by whatever fastai is installed
    (finding,) = lint("fastapi\nfastai>=2.7\n", select=("MLD301",), filename="requirements.txt")
    assert "'fastai'" in finding.message
    assert lint("fastapi\nfastai==2.7.14\n", select=("MLD301",), filename="requirements.txt") == []

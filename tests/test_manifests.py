"""The manifest parsers: entries, spans (for a future pinning autofix),
constraint translation and tolerance of broken input."""

from __future__ import annotations

from pathlib import Path

import pytest

from mldebtlint.manifests.reading import manifest_kind, parse_manifest
from mldebtlint.manifests.specs import (
    EXACT,
    UNBOUNDED,
    UPPER_BOUND,
    canonical_key,
    conda_to_pep440,
    poetry_to_pep440,
    strength_of,
)


def span_text(text: str, entry) -> str:
    """The source text an entry's single-line span covers."""
    line = text.splitlines()[entry.span.line - 1]
    return line[entry.span.column - 1 : entry.span.end_column - 1]


def test_requirements_entries_and_spans(tmp_path):
    text = "numpy==1.26.4\n  torch>=2.1 ; python_version >= '3.10'  # gpu box\ntransformers[torch]~=4.46\n"
    manifest = parse_manifest("requirements.txt", text, tmp_path)
    keys = [(e.key, e.specifier, e.span.line) for e in manifest.entries]
    assert keys == [("numpy", "==1.26.4", 1), ("torch", ">=2.1", 2), ("transformers", "~=4.46", 3)]
    assert [span_text(text, e) for e in manifest.entries] == [
        "numpy==1.26.4",
        "torch>=2.1 ; python_version >= '3.10'",
        "transformers[torch]~=4.46",
    ]
    assert manifest.entries[1].marker == 'python_version >= "3.10"'
    assert manifest.entries[2].extras == ("torch",)


def test_requirements_includes_and_constraints(tmp_path):
    (tmp_path / "base.txt").write_text("torch>=2\n-r nested.txt\n")
    (tmp_path / "nested.txt").write_text("xgboost\n-r base.txt\n")  # a cycle must not loop
    (tmp_path / "pins.txt").write_text("torch==2.3.1\n")
    text = "-r base.txt\n--constraint pins.txt\nlightgbm>=4\n"
    manifest = parse_manifest("requirements.txt", text, tmp_path)
    assert [(e.key, e.via_line, Path(e.origin).name if e.origin else "") for e in manifest.entries] == [
        ("torch", 1, "base.txt"),
        ("xgboost", 1, "nested.txt"),
        ("lightgbm", 0, ""),
    ]
    assert [(e.key, e.strength) for e in manifest.constraints] == [("torch", "exact")]


def test_missing_include_is_ignored(tmp_path):
    manifest = parse_manifest("requirements.txt", "-r does-not-exist.txt\ntorch\n", tmp_path)
    assert [e.key for e in manifest.entries] == ["torch"]
    assert manifest.problems == []


def test_hashes_urls_and_options(tmp_path):
    text = (
        "--index-url https://pypi.org/simple\n"
        "torch==2.3.1 --hash=sha256:aa --hash=sha256:bb\n"
        "git+https://github.com/org/repo.git@v1.2.0#egg=peft\n"
        "-e ./local\n"
    )
    manifest = parse_manifest("requirements.txt", text, tmp_path)
    assert manifest.hashed
    assert [(e.key, e.strength) for e in manifest.entries] == [("torch", EXACT), ("peft", EXACT)]
    assert span_text(text, manifest.entries[0]) == "torch==2.3.1"


def test_pyproject_spans_and_groups():
    text = (
        "[build-system]\nrequires = ['hatchling']\n"
        "[project]\nname = 'x'\ndependencies = ['torch>=2.1', \"numpy\"]\n"
        '[project.optional-dependencies]\ncpu = ["torch>=2.1"]\n'
        "[dependency-groups]\ndev = ['pytest', {include-group = 'lint'}]\n"
    )
    manifest = parse_manifest("pyproject.toml", text)
    assert manifest.is_library
    entries = [(e.key, e.group, e.span.line) for e in manifest.entries]
    assert entries == [
        ("torch", "project.dependencies", 5),
        ("numpy", "project.dependencies", 5),
        ("torch", "optional-dependencies.cpu", 7),
        ("pytest", "dependency-groups.dev", 9),
    ]
    assert [span_text(text, e) for e in manifest.entries] == ["torch>=2.1", "numpy", "torch>=2.1", "pytest"]


def test_poetry_tables():
    text = (
        "[tool.poetry.dependencies]\npython = '^3.11'\ntorch = '^2.3'\n"
        "xgboost = {version = '2.0.3', optional = true}\n"
        "peft = {git = 'https://github.com/huggingface/peft.git', rev = 'abc1234'}\n"
        "local = {path = '../local'}\n"
    )
    manifest = parse_manifest("pyproject.toml", text)
    assert [(e.key, e.strength, e.span.line) for e in manifest.entries] == [
        ("torch", UPPER_BOUND, 3),
        ("xgboost", EXACT, 4),
        ("peft", EXACT, 5),
    ]
    assert not manifest.is_library


def test_environment_yml_positions_and_aliases(tmp_path):
    text = "name: x\ndependencies:\n  - pytorch::pytorch=2.3\n  - py-xgboost>=2\n  - pip:\n      - jax==0.4.30\n"
    manifest = parse_manifest("environment.yml", text, tmp_path)
    assert [(e.key, e.specifier, e.span.line, e.span.column) for e in manifest.entries] == [
        ("torch", "==2.3.*", 3, 5),
        ("xgboost", ">=2", 4, 5),
        ("jax", "==0.4.30", 6, 9),
    ]
    assert [e.group for e in manifest.entries] == ["conda", "conda", "pip"]


def test_setup_cfg_and_setup_py():
    cfg = "[options]\ninstall_requires =\n    torch>=2\n    numpy\n[options.extras_require]\nhf = transformers\n"
    assert [(e.key, e.span.line) for e in parse_manifest("setup.cfg", cfg).entries] == [
        ("torch", 3),
        ("numpy", 4),
        ("transformers", 6),
    ]
    py = "import setuptools\nsetuptools.setup(\n    install_requires=['torch>=2', r'numpy'],\n)\n"
    manifest = parse_manifest("setup.py", py)
    assert [(e.key, e.span.line, span_text(py, e)) for e in manifest.entries] == [
        ("torch", 3, "torch>=2"),
        ("numpy", 3, "numpy"),
    ]


@pytest.mark.parametrize(
    "name,text",
    [
        ("pyproject.toml", "[project\n"),
        ("Pipfile", "torch = \n"),
        ("environment.yml", "dependencies: [\n"),
        ("setup.cfg", "no section header\n"),
    ],
)
def test_broken_files_become_problems(name, text):
    manifest = parse_manifest(name, text)
    assert manifest.entries == [] and len(manifest.problems) == 1


def test_setup_py_syntax_error_yields_nothing():
    manifest = parse_manifest("setup.py", "setup(install_requires=['torch'\n")
    assert manifest.entries == [] and manifest.problems == []


@pytest.mark.parametrize(
    "spec,expected",
    [
        ("pytorch=2.1.0", ("pytorch", "==2.1.0")),
        ("pytorch==2.1.0", ("pytorch", "==2.1.0")),
        ("pytorch=2.1", ("pytorch", "==2.1.*")),
        ("scikit-learn>=1.3", ("scikit-learn", ">=1.3")),
        ("conda-forge::xgboost=2.0.3=cuda118_py311h", ("xgboost", "==2.0.3")),
        ("lightgbm 4.3.0", ("lightgbm", "==4.3.0")),
        ("numpy", ("numpy", "")),
        ("pytorch>=2.0,<2.2", ("pytorch", ">=2.0,<2.2")),
    ],
)
def test_conda_specs(spec, expected):
    assert conda_to_pep440(spec) == expected


@pytest.mark.parametrize(
    "constraint,strength",
    [
        ("^2.1", UPPER_BOUND),
        ("~2.1", UPPER_BOUND),
        ("2.1.0", EXACT),
        ("2.1.*", UPPER_BOUND),
        (">=2.1,<3", UPPER_BOUND),
        (">= 2.1", UNBOUNDED),
        ("*", UNBOUNDED),
        ("2.1.0 || >=3", UNBOUNDED),
    ],
)
def test_poetry_constraints(constraint, strength):
    assert strength_of(poetry_to_pep440(constraint)) == strength


def test_poetry_caret_upper_bounds():
    assert poetry_to_pep440("^2.1.3") == ">=2.1.3,<3"
    assert poetry_to_pep440("^0.4.2") == ">=0.4.2,<0.5"
    assert poetry_to_pep440("~1.2.3") == ">=1.2.3,<1.3"
    assert poetry_to_pep440("^not-a-version") is None


def test_names_are_normalised():
    assert canonical_key("Scikit_Learn") == "scikit-learn"
    assert canonical_key("pytorch", conda=True) == "torch"
    assert canonical_key("pytorch") == "pytorch"


@pytest.mark.parametrize(
    "name,kind",
    [
        ("requirements-gpu.txt", "requirements"),
        ("constraints.txt", "requirements"),
        ("requirements.in", "requirements"),
        ("pyproject.toml", "pyproject"),
        ("Pipfile", "pipfile"),
        ("environment.yaml", "environment.yml"),
        ("setup.cfg", "setup.cfg"),
        ("setup.py", "setup.py"),
        ("README.md", None),
    ],
)
def test_manifest_kind(name, kind):
    assert manifest_kind(name) == kind


def test_same_requirement_in_two_extras_gets_two_spans():
    text = (
        "[project]\nname = 'x'\n[project.optional-dependencies]\n"
        "all = [\n  'statsmodels',\n]\ntuning = [\n  'statsmodels',\n]\n"
    )
    manifest = parse_manifest("pyproject.toml", text)
    assert [(e.group, e.span.line) for e in manifest.entries] == [
        ("optional-dependencies.all", 5),
        ("optional-dependencies.tuning", 8),
    ]


def test_per_requirement_options_are_not_part_of_the_requirement(tmp_path):
    text = "lightgbm>=4 -C cmake.define.USE_GPU=ON\nxgboost>=2 --config-settings editable_mode=compat\n"
    manifest = parse_manifest("requirements.txt", text, tmp_path)
    assert [(e.key, e.specifier) for e in manifest.entries] == [("lightgbm", ">=4"), ("xgboost", ">=2")]
    assert manifest.problems == [] and not manifest.hashed

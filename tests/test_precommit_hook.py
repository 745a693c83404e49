"""The pre-commit hook, driven through the real ``pre-commit`` tool.

A temporary git repository gets a ``.pre-commit-config.yaml`` that names this
checkout as the hook repository at a pinned ``rev`` and ``pre-commit install``
puts the real git hook in place, so a real ``git commit`` is rejected while it
adds a hard-coded threshold and accepted once the threshold is a named
constant — the way a user's project runs the hook. The hook repository is a
clone of this checkout with its tracked local changes committed on top (what
``pre-commit try-repo`` would use), and every test of the module shares one
pre-commit store, so the hook's environment is built once (``try-repo`` builds
a fresh store, and so a fresh environment, on every commit).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from clirunner import THRESHOLD_FIXED, THRESHOLD_SOURCE

REPO = Path(__file__).resolve().parents[1]
THRESHOLD_FILES = ("mldebtlint/detectors/hardcoded_threshold.py", "rules/hardcoded-threshold.toml")

pytestmark = [
    # pre-commit builds the hook's environment with pip from the package index:
    # run by `pytest -m slow` (.ci/run does), not by the quick default run.
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("pre_commit") is None, reason="pre-commit is not installed"),
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
    pytest.mark.skipif(not (REPO / ".git").exists(), reason="needs a git checkout of mldebtlint"),
]


def git_env(home: Path, store: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update(
        GIT_AUTHOR_NAME="Test",
        GIT_AUTHOR_EMAIL="test@example.invalid",
        GIT_COMMITTER_NAME="Test",
        GIT_COMMITTER_EMAIL="test@example.invalid",
        GIT_CONFIG_NOSYSTEM="1",
        HOME=str(home),
        PRE_COMMIT_HOME=str(store),
    )
    return env


def tracked_by_checkout(path: str) -> bool:
    """try-repo sees committed and tracked files only, not untracked ones."""
    result = subprocess.run(["git", "ls-files", "--error-unmatch", path], cwd=REPO, capture_output=True, check=False)
    return result.returncode == 0


@pytest.fixture(scope="module")
def scenario() -> tuple[str, str, str]:
    """(bad source, fixed source, expected text in the diagnostic)."""
    assert all(tracked_by_checkout(path) for path in THRESHOLD_FILES)
    # "[*]": the finding has a fix (hoisting the literal, --unsafe-fixes), as ruff marks them.
    return THRESHOLD_SOURCE, THRESHOLD_FIXED, "MLD101 [*] [hardcoded-threshold]"


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> tuple[Path, str, Path]:
    """(hook repository, its rev, the shared pre-commit store).

    A clone of this checkout with the tracked, uncommitted changes committed
    on top, so the hook runs the code under test, not only what HEAD holds."""
    base = tmp_path_factory.mktemp("hook")
    env = git_env(base, base / "store")
    shadow = base / "mldebtlint"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(REPO), str(shadow)], check=True, env=env)
    diff = subprocess.run(["git", "diff", "HEAD", "--binary"], cwd=REPO, capture_output=True, check=True).stdout
    if diff.strip():
        subprocess.run(["git", "apply", "--whitespace=nowarn", "-"], cwd=shadow, input=diff, check=True, env=env)
        subprocess.run(["git", "commit", "-qam", "local changes under test"], cwd=shadow, check=True, env=env)
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=shadow, capture_output=True, text=True, check=True)
    return shadow, rev.stdout.strip(), base / "store"


@pytest.fixture
def work_repo(tmp_path, hook_repo):
    shadow, rev, store = hook_repo
    home = tmp_path / "home"
    home.mkdir()
    work = tmp_path / "work"
    env = git_env(home, store)
    subprocess.run(["git", "init", "-q", str(work)], check=True, env=env)
    (work / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {shadow}\n    rev: {rev}\n    hooks:\n      - id: mldebtlint\n        verbose: true\n",
        encoding="utf-8",
    )
    installed = subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"], cwd=work, env=env, capture_output=True, text=True
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    (work / "README.md").write_text("demo\n", encoding="utf-8")

    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["git", *args],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )

    assert git("add", "README.md", ".pre-commit-config.yaml").returncode == 0
    assert git("commit", "-q", "--no-verify", "-m", "init").returncode == 0
    return work, git


def commit_count(git) -> int:
    return int(git("rev-list", "--count", "HEAD").stdout.strip())


def test_commit_with_debt_is_rejected_then_accepted_after_the_fix(work_repo, scenario):
    work, git = work_repo
    bad, fixed, diagnostic = scenario
    (work / "serve.py").write_text(bad, encoding="utf-8")
    git("add", "serve.py")

    rejected = git("commit", "-m", "add serving")
    output = rejected.stdout + rejected.stderr
    assert rejected.returncode != 0, output
    assert "mldebtlint" in output and "Failed" in output
    assert diagnostic in output and "serve.py:" in output
    assert commit_count(git) == 1

    (work / "serve.py").write_text(fixed, encoding="utf-8")
    git("add", "serve.py")
    accepted = git("commit", "-m", "add serving")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "Passed" in accepted.stdout + accepted.stderr
    assert commit_count(git) == 2


def test_a_staged_file_in_an_excluded_folder_passes(work_repo, scenario):
    """The project excludes legacy/: a debt-laden file staged there does not block
    the commit (--force-exclude), while the same file staged elsewhere does."""
    work, git = work_repo
    bad, _, diagnostic = scenario
    (work / "pyproject.toml").write_text('[tool.mldebtlint]\nextend-exclude = ["legacy/"]\n', encoding="utf-8")
    (work / "legacy").mkdir()
    (work / "legacy" / "old_serve.py").write_text(bad, encoding="utf-8")
    git("add", "pyproject.toml", "legacy/old_serve.py")
    accepted = git("commit", "-m", "vendor the legacy service")
    output = accepted.stdout + accepted.stderr
    assert accepted.returncode == 0, output
    assert "Passed" in output and diagnostic not in output
    assert commit_count(git) == 2

    # The twin: the same source outside the excluded folder is rejected.
    (work / "serve.py").write_text(bad, encoding="utf-8")
    git("add", "serve.py")
    rejected = git("commit", "-m", "add serving")
    output = rejected.stdout + rejected.stderr
    assert rejected.returncode != 0 and diagnostic in output and "serve.py:" in output
    assert "legacy/old_serve.py" not in output
    assert commit_count(git) == 2


def test_a_notebook_with_debt_is_rejected_with_its_cell_location(work_repo, scenario):
    from notebooks import code, markdown, write_notebook

    work, git = work_repo
    bad, fixed, diagnostic = scenario
    cells = [markdown("# Serving"), code("%matplotlib inline\nimport numpy as np"), code(bad)]
    write_notebook(work / "serve.ipynb", cells)
    git("add", "serve.ipynb")
    rejected = git("commit", "-m", "add a notebook")
    output = rejected.stdout + rejected.stderr
    assert rejected.returncode != 0, output
    flagged = next(n for n, line in enumerate(bad.splitlines(), 1) if "0.7" in line or "= =" in line)
    assert f"serve.ipynb:cell 3:{flagged}:" in output and diagnostic in output
    assert commit_count(git) == 1

    write_notebook(work / "serve.ipynb", [*cells[:2], code(fixed)])
    git("add", "serve.ipynb")
    accepted = git("commit", "-m", "add a notebook")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert commit_count(git) == 2


def test_hook_manifest_declares_the_mldebtlint_hook():
    import yaml

    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = [item for item in hooks if item["id"] == "mldebtlint"]
    assert hook["entry"] == "mldebtlint check --force-exclude" and hook["language"] == "python"
    assert hook["require_serial"] is True and "python" in hook["types_or"]
    import re

    pattern = re.compile(hook["files"])
    for name in (
        "train.py",
        "pkg/stub.pyi",
        "requirements.txt",
        "sub/requirements-dev.txt",
        "pyproject.toml",
        "setup.cfg",
        "setup.py",
        "environment.yml",
        "Pipfile",
        "constraints.txt",
        "notebooks/explore.ipynb",
    ):
        assert pattern.search(name), name
    assert "jupyter" in hook["types_or"]
    for name in ("README.md", "Pipfile.lock", "data.csv", "notes/pyproject.toml.bak"):
        assert not pattern.search(name), name

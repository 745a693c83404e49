"""``report --history`` on a generated git repository: each commit's numbers are
those of ``report`` run on a checkout of that commit (a ``git worktree`` in
tmp), and the walk never reads or writes the work tree or the index."""

from __future__ import annotations

import io
import json
import os
import subprocess
from pathlib import Path

import jsonschema
import pytest
from clirunner import invoke, write
from conftest import REPO

from mldebtlint.commands.report import CommitProgress, want_progress

SCHEMA = json.loads((REPO / "schemas" / "history.schema.json").read_text(encoding="utf-8"))

TRAIN = """\
import torch
from sklearn.linear_model import Ridge


def fit(x, y):
    model = Ridge(alpha=0.5)
    return model.fit(x, y)
"""
DECIDE = """

def decide(model, x):
    proba = torch.sigmoid(model(x))
    return proba > 0.8
"""
TRAIN_FIXED = TRAIN.replace("Ridge(alpha=0.5)", "Ridge(alpha=ALPHA)").replace(
    "\n\n\ndef fit", "\nALPHA = 0.5\n\n\ndef fit"
)
NOTEBOOK = json.dumps(
    {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# explore"]},
            {
                "cell_type": "code",
                "metadata": {},
                "execution_count": 1,
                "outputs": [],
                "source": ["import torch\n", "scores = torch.rand(10)\n", "keep = scores > 0.9\n"],
            },
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
)
UTIL = "".join(f"CONSTANT_{index} = {index}\n" for index in range(30))


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def commit(repo: Path, message: str, files: dict[str, str | bytes] | None = None, remove: tuple[str, ...] = ()) -> str:
    write(repo, files or {})
    for name in remove:
        git(repo, "rm", "-q", name)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """Eight first-parent commits that add and remove debt, with a rename, a binary and a broken
    file, an excluded folder, a side branch merged in, and a manifest."""
    repo = tmp_path_factory.mktemp("history") / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "start", {"mldebtlint.toml": "", "train.py": TRAIN, "util.py": UTIL})
    commit(repo, "serve with a threshold", {"train.py": TRAIN + DECIDE, "requirements.txt": "torch>=2.0\n"})
    commit(
        repo,
        "vendored env and a notebook",
        {"venv/lib/x.py": "import torch\nx = 0.5 > torch.rand(1)\n", "explore.ipynb": NOTEBOOK},
    )
    (repo / "blob.py").write_bytes(b"import torch\x00\x01\x02")
    commit(repo, "binary blob")
    git(repo, "mv", "train.py", "model.py")
    commit(repo, "rename train.py to model.py")
    git(repo, "checkout", "-q", "-b", "side")
    commit(repo, "side: broken file", {"broken.py": "import torch\ndef f(:\n"})
    git(repo, "checkout", "-q", "main")
    commit(repo, "pin torch", {"requirements.txt": "torch==2.1.0\n"})
    git(repo, "merge", "-q", "--no-ff", "-m", "merge side", "side")
    commit(repo, "name the hyperparameter", {"model.py": TRAIN_FIXED + DECIDE}, remove=("blob.py",))
    return repo


def history_json(repo: Path, *args: str) -> dict:
    result = invoke(["report", repo, "--history", "--format", "json", *args])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)
    return data


def report_at(repo: Path, sha: str, tmp_path: Path) -> dict:
    """``report --format json`` on a separate checkout of ``sha``."""
    checkout = tmp_path / f"checkout-{sha[:8]}"
    git(repo, "worktree", "add", "-q", "--detach", str(checkout), sha)
    try:
        result = invoke(["report", checkout, "--format", "json", "--no-cache"])
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)
    finally:
        git(repo, "worktree", "remove", "--force", str(checkout))


def test_each_commit_matches_report_on_a_checkout_of_it(repo, tmp_path):
    data = history_json(repo)
    rows = data["commits"]
    shas = git(repo, "rev-list", "--first-parent", "--reverse", "HEAD").split()
    assert [row["commit"] for row in rows] == shas  # first parent only: the side commit is not a step
    assert len(rows) == 8
    for index in (2, 3, 7):  # a notebook; a binary blob; the hyperparameter named after the merge
        row, report = rows[index], report_at(repo, shas[index], tmp_path)
        summary = report["summary"]
        assert row["debt_minutes"] == summary["debt_minutes"], row["subject"]
        assert row["debt_ratio"] == summary["debt_ratio"] and row["rating"] == summary["rating"]
        assert (row["findings"], row["lines"], row["ratio_lines"]) == (
            summary["findings"],
            summary["lines"],
            summary["ratio_lines"],
        )
        assert row["categories"] == {c["category"]: c["debt_minutes"] for c in report["categories"]}
        assert row["rules"] == {r["code"]: r["debt_minutes"] for r in report["rules"]}
        assert summary["debt_minutes"] > 0


def test_new_and_fixed_findings_by_fingerprint(repo):
    rows = {row["subject"]: row for row in history_json(repo)["commits"]}
    assert rows["start"]["new_count"] is None  # nothing to compare the first commit with
    threshold = rows["serve with a threshold"]
    assert {f["code"] for f in threshold["new"]} == {"MLD101", "MLD301"} and threshold["fixed_count"] == 0
    grown = {Path(row["path"]).name: (row["debt_before"], row["debt_after"]) for row in threshold["files_grown"]}
    assert grown == {"requirements.txt": (0, 15), "train.py": (15, 25)}  # most growth first
    assert Path(threshold["files_grown"][0]["path"]).name == "requirements.txt"
    # The vendored virtualenv folder is excluded as in discovery; the notebook is linted.
    notebook = rows["vendored env and a notebook"]
    assert [(f["code"], Path(f["path"]).name) for f in notebook["new"]] == [("MLD101", "explore.ipynb")]
    assert [f["code"] for f in rows["binary blob"]["new"]] == ["MLD000"]
    # A renamed file's findings moved with it: neither new nor fixed.
    renamed = rows["rename train.py to model.py"]
    assert (renamed["new_count"], renamed["fixed_count"]) == (0, 0)
    assert [f["code"] for f in rows["pin torch"]["fixed"]] == ["MLD301"]
    merge = rows["merge side"]
    assert merge["merge"] and [f["code"] for f in merge["new"]] == ["MLD000"]
    last = rows["name the hyperparameter"]
    assert sorted(f["code"] for f in last["fixed"]) == ["MLD000", "MLD102"]
    assert last["debt_minutes"] < merge["debt_minutes"]


def test_hotspots_are_change_frequency_times_debt(repo):
    data = history_json(repo)
    assert data["hotspots"][0]["path"].endswith("model.py")
    spot = data["hotspots"][0]
    # Changed by "serve with a threshold" and by the last commit; the rename kept its count.
    assert spot["changes"] == 2 and spot["score"] == 2 * spot["debt_minutes"] > 0
    assert "merge commits are measured as one step of the first-parent line" in data["notes"]


def test_each_blob_is_analysed_once(repo):
    data = history_json(repo)
    # train.py x2, model.py x2 (the renamed bytes under their new path, then the fix), util.py,
    # explore.ipynb, blob.py, broken.py, and requirements.txt x3: its two versions, and again
    # when a non-Python file (the notebook) joined its folder, as the engine's cache does
    # (lock files there change its findings). mldebtlint.toml is not lintable.
    assert data["stats"]["blobs_analysed"] == 11
    assert data["stats"]["commits"] == 8


def test_limits_and_branch(repo):
    assert [row["subject"] for row in history_json(repo, "--max-commits", "2")["commits"]] == [
        "merge side",
        "name the hyperparameter",
    ]
    side = history_json(repo, "--branch", "side")["commits"]
    assert side[-1]["subject"] == "side: broken file" and len(side) == 6
    assert history_json(repo, "--since", "2090-01-01")["commits"] == []
    result = invoke(["report", repo, "--history", "--branch", "no-such-branch"])
    assert result.exit_code == 2 and "no-such-branch" in result.stderr and len(result.stderr.splitlines()) == 1


def test_dirty_work_tree_is_ignored_and_the_index_untouched(repo):
    index = repo / ".git" / "index"
    before = (index.read_bytes(), index.stat().st_mtime_ns)
    clean = history_json(repo)["commits"][-1]
    (repo / "model.py").write_text(TRAIN + DECIDE + "\nTHRESHOLD_USE = torch.rand(1) > 0.3\n", encoding="utf-8")
    try:
        result = invoke(["report", repo, "--history", "--format", "json"])
        assert (index.read_bytes(), index.stat().st_mtime_ns) == before  # read only, no index refresh
        assert "uncommitted changes" in result.stderr
        dirty = json.loads(result.stdout)
        assert dirty["commits"][-1]["debt_minutes"] == clean["debt_minutes"]
        assert any("uncommitted" in note for note in dirty["notes"])
    finally:
        git(repo, "checkout", "-q", "--", "model.py")


def test_shallow_clone_says_where_history_starts(repo, tmp_path):
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "3", repo.as_uri(), str(clone)], check=True, capture_output=True, text=True
    )
    data = history_json(clone)
    assert any("shallow" in note for note in data["notes"])
    assert len(data["commits"]) == 3
    assert data["commits"][-1]["debt_minutes"] == history_json(repo)["commits"][-1]["debt_minutes"]


def test_not_a_git_repository_is_a_usage_error(tmp_path):
    project = write(tmp_path / "plain", {"mldebtlint.toml": "", "a.py": "x = 1\n"})
    result = invoke(["report", project, "--history"])
    assert result.exit_code == 2 and "not inside a git repository" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_history_options_need_history(repo):
    result = invoke(["report", repo, "--max-commits", "3"])
    assert result.exit_code == 2 and "--history" in result.stderr


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_history_formats(repo, fmt, tmp_path):
    target = tmp_path / f"history.{fmt}"
    result = invoke(["report", repo, "--history", "--format", fmt, "-o", target])
    assert result.exit_code == 0, result.stderr
    text = target.read_text(encoding="utf-8")
    assert "merge side" in text and "name the hyperparameter" in text
    if fmt == "text":
        assert max(len(line) for line in text.splitlines()) <= 100
        assert "Hotspots (changes x debt" in text and "Where debt grew" in text
    if fmt == "html":
        assert text.count("<svg") == 2 and "class='band'" in text and "<script" not in text


def test_commit_progress_bar_shows_commits_per_second(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    bar = CommitProgress(stream, delay=0, width=10)
    bar(5, 10)
    assert "[#####.....] 5/10 commits" in stream.getvalue() and "commits/s" in stream.getvalue()
    monkeypatch.delenv("CI", raising=False)
    assert want_progress("text", Terminal())
    monkeypatch.setenv("CI", "true")
    assert not want_progress("text", Terminal())  # silent in CI

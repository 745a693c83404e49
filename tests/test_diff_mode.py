"""``check --diff-from REV``: only findings on lines changed since REV are reported."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from mldebtlint.adoption.diffmode import parse_diff
from mldebtlint.cli import main

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

ORIGINAL = """\
import numpy as np


def decide(model, X):
    proba = model.predict_proba(X)[:, 1]
    labels = np.where(proba > 0.7, 1, 0)
    return labels


def review(model, X):
    cutoff = 0.4
    scores = model.predict_proba(X)[:, 1]
    return scores
"""

# Line 6 untouched (its old finding is not reported); line 13 changed to use the
# local literal bound on line 11 (found only because the whole function is analysed).
CHANGED = ORIGINAL.replace("    return scores\n", "    flagged = scores >= cutoff\n    return flagged\n")


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    for key, value in (
        ("GIT_AUTHOR_NAME", "t"),
        ("GIT_AUTHOR_EMAIL", "t@example.com"),
        ("GIT_COMMITTER_NAME", "t"),
        ("GIT_COMMITTER_EMAIL", "t@example.com"),
    ):
        monkeypatch.setenv(key, value)
    git(tmp_path, "init", "-q")
    (tmp_path / "pyproject.toml").write_text('[tool.mldebtlint]\nselect = ["MLD101"]\n', encoding="utf-8")
    (tmp_path / "predict.py").write_text(ORIGINAL, encoding="utf-8")
    (tmp_path / "stable.py").write_text(ORIGINAL, encoding="utf-8")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "initial")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check_json(capsys, *args: str) -> tuple[int, list[tuple[str, int]]]:
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--format", "json", *args])
    out = capsys.readouterr().out
    return exit_info.value.code, [(f["path"], f["line"]) for f in json.loads(out)]


def test_without_changes_nothing_is_reported(repo, capsys):
    assert check_json(capsys, ".")[1] == [("predict.py", 6), ("stable.py", 6)]
    assert check_json(capsys, "--diff-from", "HEAD", ".") == (0, [])


def test_only_findings_on_changed_lines_staged_unstaged_and_untracked(repo, capsys):
    (repo / "predict.py").write_text(CHANGED, encoding="utf-8")
    (repo / "new_module.py").write_text(ORIGINAL, encoding="utf-8")  # untracked: every line is new
    assert check_json(capsys, "--diff-from", "HEAD", ".")[1] == [("new_module.py", 6), ("predict.py", 13)]
    git(repo, "add", "predict.py")  # staged changes count too
    # A bare --diff-from (last, or before another option) means HEAD.
    assert check_json(capsys, ".", "--diff-from")[1] == [("new_module.py", 6), ("predict.py", 13)]


def test_diff_from_an_older_revision(repo, capsys):
    (repo / "predict.py").write_text(CHANGED, encoding="utf-8")
    git(repo, "commit", "-q", "-am", "second")
    assert check_json(capsys, "--diff-from", "HEAD", ".") == (0, [])
    code, found = check_json(capsys, "--diff-from", "HEAD~1", ".")
    assert code == 1 and found == [("predict.py", 13)]


def test_diff_mode_respects_the_given_paths(repo, capsys):
    (repo / "predict.py").write_text(CHANGED, encoding="utf-8")
    (repo / "stable.py").write_text(CHANGED, encoding="utf-8")
    assert check_json(capsys, "--diff-from", "HEAD", "stable.py")[1] == [("stable.py", 13)]


def test_bad_revision_is_a_one_line_error(repo, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--diff-from", "no-such-rev", "."])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert "unknown git revision 'no-such-rev'" in err and len(err.strip().splitlines()) == 1


def test_a_revision_that_looks_like_an_option_is_refused(repo):
    from mldebtlint.adoption.diffmode import changed_lines
    from mldebtlint.core.errors import ConfigError

    with pytest.raises(ConfigError, match="not a revision"):
        changed_lines(repo, "--output=/tmp/x")


def test_outside_a_git_work_tree_is_a_one_line_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    (tmp_path / "a.py").write_text("x = 1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--diff-from", "HEAD", "."])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and "needs a git work tree" in err


def test_parse_diff_hunks_renames_deletions_and_quoted_names():
    text = "\n".join(
        [
            "diff --git a/a.py b/a.py",
            "--- a/a.py",
            "+++ b/a.py",
            "@@ -3 +3 @@ def f():",
            "-x",
            "+y",
            "@@ -10,0 +11,3 @@",
            "@@ -20,2 +23,0 @@",
            "diff --git a/gone.py b/gone.py",
            "--- a/gone.py",
            "+++ /dev/null",
            "@@ -1,2 +0,0 @@",
            'diff --git "a/we\\tird.py" "b/we\\tird.py"',
            '+++ "b/we\\tird.py"',
            "@@ -0,0 +1 @@",
        ]
    )
    assert parse_diff(text) == {"a.py": {3, 11, 12, 13}, "we\tird.py": {1}}


def test_repo_wide_findings_on_a_changed_line_still_see_the_whole_graph(tmp_path, monkeypatch, capsys):
    """MLD401 needs facts from three files; only the file holding the finding changed."""
    from conftest import FIXTURES

    for key, value in (
        ("GIT_AUTHOR_NAME", "t"),
        ("GIT_AUTHOR_EMAIL", "t@example.com"),
        ("GIT_COMMITTER_NAME", "t"),
        ("GIT_COMMITTER_EMAIL", "t@example.com"),
    ):
        monkeypatch.setenv(key, value)
    shutil.copytree(
        FIXTURES / "churn_cascade", tmp_path / "repo", ignore=shutil.ignore_patterns(".mldebtlint_cache", "__pycache__")
    )
    repo = tmp_path / "repo"
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "initial")
    monkeypatch.chdir(repo)
    ranker = repo / "cascade" / "train_offer_ranker.py"
    lines = ranker.read_text(encoding="utf-8").splitlines(keepends=True)
    assert "ranker.fit(" in lines[22]
    lines[22] = lines[22].rstrip("\n") + "  # retrained weekly\n"
    ranker.write_text("".join(lines), encoding="utf-8")
    assert check_json(capsys, "--no-cache", "--diff-from", "HEAD", ".") == (1, [("cascade/train_offer_ranker.py", 23)])
    git(repo, "checkout", "--", "cascade/train_offer_ranker.py")
    upsell = repo / "cascade" / "train_upsell.py"
    upsell.write_text("# upstream model\n" + upsell.read_text(encoding="utf-8"), encoding="utf-8")
    assert check_json(capsys, "--no-cache", "--diff-from", "HEAD", ".") == (0, [])


def test_a_notebook_reports_only_findings_on_changed_cell_lines(repo, capsys):
    from notebooks import code, markdown, write_notebook

    scoring = "proba = model.predict_proba(X)[:, 1]\nlabels = np.where(proba > 0.7, 1, 0)"
    write_notebook(repo / "nb.ipynb", [markdown("# Scoring"), code("import numpy as np"), code(scoring, 1)])
    git(repo, "add", "nb.ipynb")
    git(repo, "commit", "-q", "-m", "notebook")
    assert check_json(capsys, "--diff-from", "HEAD", ".") == (0, [])
    # Re-running the notebook (new execution counts) and adding a cell below changes other lines only.
    changed = [markdown("# Scoring"), code("import numpy as np", 5), code(scoring, 6), code("flag = proba >= 0.4", 7)]
    write_notebook(repo / "nb.ipynb", changed)
    assert check_json(capsys, "--diff-from", "HEAD", ".")[1] == [("nb.ipynb", 1)]

"""Baselines: ``mldebtlint baseline`` + ``check --baseline`` + ``baseline --update``,
and the fingerprint recipe they rely on."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from mldebtlint.adoption.baseline import load_baseline, write_baseline
from mldebtlint.cli import main
from mldebtlint.engine.fingerprint import make_fingerprint, normalize_snippet

PREDICT = """\
import numpy as np


def decide(model, X):
    proba = model.predict_proba(X)[:, 1]
    labels = np.where(proba > 0.7, 1, 0)
    if proba.mean() >= 0.55:
        labels[:] = 1
    return labels


class Scorer:
    def score(self, model, X, y):
        loss = model.evaluate(X, y)
        return loss < 0.25
"""

# The same module after unrelated edits: lines inserted above, reformatted
# (spacing, line breaks, quotes, parentheses, comments) and the class moved
# above the function.
PREDICT_EDITED = '''\
"""Serving helpers."""
import logging

import numpy as np

LOG = logging.getLogger(__name__)


class Scorer:
    """Scores a model."""

    def score(self, model, X, y):
        loss = model.evaluate(X, y)
        return (
            loss<0.25  # lower is better
        )


def decide(model, X):
    LOG.info("deciding")
    proba = model.predict_proba(X)[:, 1]
    labels = np.where(
        proba   >   0.7,
        1,
        0,
    )
    if proba.mean() >= 0.55:
        labels[:] = 1
    return labels
'''

NEW_THRESHOLD = """

def flag(model, X):
    scores = model.predict_proba(X)[:, 1]
    return scores > 0.9
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    (tmp_path / "pyproject.toml").write_text('[tool.mldebtlint]\nselect = ["MLD101"]\n', encoding="utf-8")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "predict.py").write_text(PREDICT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


def reported(capsys, *args: str) -> list[dict]:
    code, out, err = cli(capsys, "check", "--format", "json", *args)
    assert code in (0, 1), err
    return json.loads(out)


def test_check_reports_the_fixture_findings_without_baseline(project, capsys):
    assert [f["line"] for f in reported(capsys, ".")] == [6, 7, 15]


def test_baseline_survives_inserted_lines_reformatting_and_moves(project, capsys):
    code, _, err = cli(capsys, "baseline", ".", "-o", "base.json")
    assert code == 0 and "3 findings" in err
    (project / "src" / "predict.py").write_text(PREDICT_EDITED, encoding="utf-8")
    assert len(reported(capsys, ".")) == 3  # still found, on other lines

    code, out, _ = cli(capsys, "check", "--baseline", "base.json", ".")
    assert code == 0, out
    assert "MLD101" not in out
    assert "Found 0 findings" in out and "(3 in baseline)" in out

    with (project / "src" / "predict.py").open("a", encoding="utf-8") as handle:
        handle.write(NEW_THRESHOLD)
    new = reported(capsys, "--baseline", "base.json", ".")
    assert [(f["code"], f["path"], f["line"]) for f in new] == [("MLD101", "src/predict.py", 34)]
    assert "0.9" in new[0]["message"]


def test_a_changed_literal_is_a_new_finding_and_the_old_one_counts_as_fixed(project, capsys):
    cli(capsys, "baseline", ".", "-o", "base.json")
    source = project / "src" / "predict.py"
    source.write_text(PREDICT.replace("proba > 0.7", "proba > 0.8"), encoding="utf-8")
    code, out, _ = cli(capsys, "check", "--baseline", "base.json", ".")
    assert code == 1
    assert out.count("MLD101") == 1 and "0.8" in out
    assert "2 in baseline, 1 baselined findings fixed" in out


def test_update_drops_fixed_findings_and_never_adds(project, capsys):
    cli(capsys, "baseline", ".", "-o", "base.json")
    before = load_baseline(project / "base.json")
    source = project / "src" / "predict.py"
    source.write_text(PREDICT.replace("loss < 0.25", "loss < self.limit") + NEW_THRESHOLD, encoding="utf-8")
    code, _, err = cli(capsys, "baseline", "--update", "-o", "base.json", ".")
    assert code == 0 and "dropped 1 fixed finding" in err
    after = load_baseline(project / "base.json")
    assert len(after) == 2
    assert {e.fingerprint for e in after} < {e.fingerprint for e in before}
    # The new finding was not added: check still reports it.
    assert [f["line"] for f in reported(capsys, "--baseline", "base.json", ".")] == [20]


def test_baseline_from_config_is_applied_and_paths_are_root_relative(project, capsys):
    (project / "pyproject.toml").write_text(
        '[tool.mldebtlint]\nselect = ["MLD101"]\nbaseline = "debt-baseline.json"\n', encoding="utf-8"
    )
    code, _, _ = cli(capsys, "baseline", "src")  # default output: the configured file
    assert code == 0
    entries = load_baseline(project / "debt-baseline.json")
    assert {entry.path for entry in entries} == {"src/predict.py"}
    os.chdir(project / "src")
    code, out, _ = cli(capsys, "check", ".")
    assert code == 0 and "MLD101" not in out and "(3 in baseline)" in out


def test_checking_a_subset_does_not_count_other_files_as_fixed(project, capsys):
    (project / "src" / "other.py").write_text(PREDICT, encoding="utf-8")
    cli(capsys, "baseline", ".", "-o", "base.json")
    (project / "src" / "predict.py").write_text(PREDICT.replace("proba > 0.7", "proba > 0.8"), encoding="utf-8")
    code, out, _ = cli(capsys, "check", "--baseline", "base.json", "src/predict.py")
    assert code == 1 and out.count("MLD101") == 1
    assert "(2 in baseline, 1 baselined findings fixed)" in out
    # Baselined findings of rules that did not run are not 'fixed' either.
    code, out, _ = cli(capsys, "check", "--baseline", "base.json", "--select", "MLD102", ".")
    assert code == 0 and "fixed" not in out


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "baseline file not found"),
        ("{not json", "not a valid baseline file"),
        ('{"findings": [{"path": "a.py"}]}', "bad entry"),
        ("[1, 2]", "not a valid baseline file"),
    ],
)
def test_a_missing_or_broken_baseline_is_a_one_line_usage_error(project, capsys, content, message):
    if content is not None:
        (project / "base.json").write_text(content, encoding="utf-8")
    code, _, err = cli(capsys, "check", "--baseline", "base.json", ".")
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_baseline_write_is_atomic(project, monkeypatch):
    target = project / "base.json"
    target.write_text("original", encoding="utf-8")

    def failing_replace(source, destination):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError):
        write_baseline(target, [])
    assert target.read_text(encoding="utf-8") == "original"
    assert [p.name for p in project.iterdir() if p.name.startswith(".base.json")] == []


def test_normal_form_ignores_formatting_but_not_values():
    one_line = normalize_snippet("Adam(model.parameters(), lr=1e-3)")
    reformatted = normalize_snippet(
        textwrap.dedent("""\
        Adam(
            model.parameters(),  # weights
            lr=1E-3,
        )""")
    )
    assert one_line == reformatted
    assert normalize_snippet("(p > 0.5)") == normalize_snippet("p>0.5")
    assert normalize_snippet("f('a')") == normalize_snippet('f("a")')
    assert normalize_snippet("p > 0.5") != normalize_snippet("p > 0.6")
    assert normalize_snippet("p > 0.5") != normalize_snippet("q > 0.5")


def test_fingerprint_changes_with_rule_scope_path_and_occurrence():
    base = make_fingerprint("MLD101", "a.py", "f", "p > 0.5", 0)
    assert base == make_fingerprint("MLD101", "a.py", "f", "p>0.5", 0)
    others = {
        make_fingerprint("MLD102", "a.py", "f", "p > 0.5", 0),
        make_fingerprint("MLD101", "b.py", "f", "p > 0.5", 0),
        make_fingerprint("MLD101", "a.py", "g", "p > 0.5", 0),
        make_fingerprint("MLD101", "a.py", "f", "p > 0.5", 1),
    }
    assert base not in others and len(others) == 4


def test_call_fingerprints_survive_black_style_reformatting_and_moves(lint):
    before = """\
import torch


def fit(model):
    return torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=0.01)


def other():
    pass
"""
    after = """\
import torch


def other():
    pass


def fit(model):
    # the optimiser
    return torch.optim.Adam(
        model.parameters(),
        lr=1e-3,  # small
        weight_decay=0.01,
    )
"""
    changed = after.replace("weight_decay=0.01", "weight_decay=0.02")
    (first,) = lint(before, select=("MLD102",))
    (second,) = lint(after, select=("MLD102",))
    (third,) = lint(changed, select=("MLD102",))
    assert first.line != second.line
    assert first.fingerprint == second.fingerprint
    assert third.fingerprint != first.fingerprint


def test_a_baselined_syntax_error_stays_baselined_when_lines_are_inserted_above(project, capsys):
    broken = project / "src" / "broken.py"
    broken.write_text("x = 1\ndef f(:\n    pass\n", encoding="utf-8")
    cli(capsys, "baseline", ".", "-o", "base.json", "--select", "MLD000")
    broken.write_text("import os\n\nx = 1\ndef f(:\n    pass\n", encoding="utf-8")
    code, out, _ = cli(capsys, "check", "--select", "MLD000", "--baseline", "base.json", ".")
    assert code == 0 and "(1 in baseline)" in out


# -- a file that does not parse now was not checked: its entries are not "fixed" -------------


def test_a_syntax_error_does_not_count_baselined_findings_as_fixed(project, capsys):
    cli(capsys, "baseline", ".", "-o", "base.json")
    source = project / "src" / "predict.py"
    source.write_text(PREDICT + "\ndef broken(:\n    pass\n", encoding="utf-8")
    code, out, err = cli(capsys, "check", "--baseline", "base.json", ".")
    assert code == 0 and "fixed" not in out  # (MLD000 is not selected in this project)
    assert "mldebtlint: warning: 3 baselined findings not checked (parse error): 3 in src/predict.py" in err

    # --update keeps them, and says why; once the file parses again, nothing is new.
    code, _, err = cli(capsys, "baseline", "--update", "-o", "base.json", ".")
    assert code == 0
    assert "dropped 0 fixed findings, 3 remain (3 not checked (parse error): 3 in src/predict.py)" in err
    assert len(load_baseline(project / "base.json")) == 3
    source.write_text(PREDICT, encoding="utf-8")
    code, out, err = cli(capsys, "check", "--baseline", "base.json", ".")
    assert code == 0 and "(3 in baseline)" in out and "not checked" not in err


def test_a_syntax_error_is_still_unchecked_when_mld000_is_ignored(project, capsys):
    cli(capsys, "baseline", ".", "-o", "base.json")
    (project / "src" / "predict.py").write_text("def broken(:\n", encoding="utf-8")
    code, out, err = cli(capsys, "baseline", "--update", "-o", "base.json", "--ignore", "MLD000", ".")
    assert "dropped 0 fixed findings, 3 remain" in err
    # The twin: the same findings really removed from a parsing file are dropped.
    (project / "src" / "predict.py").write_text("def fine():\n    pass\n", encoding="utf-8")
    code, out, err = cli(capsys, "baseline", "--update", "-o", "base.json", "--ignore", "MLD000", ".")
    assert "dropped 3 fixed findings, 0 remain." in err


def test_a_write_error_names_the_baseline_not_its_temp_file(project, capsys):
    (project / "blocker").write_text("a file, not a folder\n", encoding="utf-8")
    code, out, err = cli(capsys, "baseline", ".", "-o", "blocker/base.json")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert err.startswith("mldebtlint: error: blocker/base.json: ") and ".tmp" not in err


def test_report_compare_lists_findings_of_an_unparsable_file_as_not_checked(project, capsys, tmp_path):
    old = tmp_path / "old.json"
    code, _, err = cli(capsys, "report", ".", "--output-format", "json", "-o", str(old))
    assert code == 0, err
    source = project / "src" / "predict.py"
    (project / "src" / "fixed.py").write_text("def fine():\n    pass\n", encoding="utf-8")
    source.write_text(PREDICT + "\ndef broken(:\n    pass\n", encoding="utf-8")
    code, out, err = cli(capsys, "report", ".", "--output-format", "json", "--compare", str(old))
    trend = json.loads(out)["trend"]
    assert trend["fixed_count"] == 0 and trend["fixed"] == []
    assert trend["unchecked_count"] == 3
    assert {(f["path"], f["code"]) for f in trend["unchecked"]} == {("src/predict.py", "MLD101")}
    code, out, err = cli(capsys, "report", ".", "--compare", str(old))
    assert "(0 new, 0 fixed, 3 not checked" in out  # (shortened to the terminal width)
    assert out.count("not checked  MLD101  src/predict.py:") == 3
    code, out, err = cli(capsys, "report", ".", "--output-format", "markdown", "--compare", str(old))
    assert "**Not checked (parse error)**" in out

    # The twin: the same findings gone from a file that parses are fixed.
    source.write_text("def fine():\n    pass\n", encoding="utf-8")
    code, out, err = cli(capsys, "report", ".", "--output-format", "json", "--compare", str(old))
    trend = json.loads(out)["trend"]
    assert trend["fixed_count"] == 3 and trend["unchecked_count"] == 0 and trend["unchecked"] == []

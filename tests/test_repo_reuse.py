"""The repo phase is reused when files changed only in positions, and its
findings are moved with them: a cached run equals an uncached one."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest
from speed_project import check, comparable

import mldebtlint.engine.runner
from mldebtlint.core.types import Related
from mldebtlint.engine.repo_reuse import RepoReport, position_map, remap

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
REPO_CODES = ("MLD4", "MLD5", "MLD7")


@pytest.fixture
def rebuilt(monkeypatch) -> list[int]:
    """One entry per run of the repo rules (not answered from the cache)."""
    calls: list[int] = []
    original = mldebtlint.engine.runner.repo_reports

    def spy(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(mldebtlint.engine.runner, "repo_reports", spy)
    return calls


def _copy(name: str, tmp_path: Path) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root, ignore=shutil.ignore_patterns(".mldebtlint_cache"))
    return root


def _repo_files(root: Path) -> list[str]:
    """The Python files a repo finding of the fixture is in or rests on."""
    findings = [f for f in check(root).findings if f.code.startswith(REPO_CODES)]
    paths = {f.path for f in findings} | {item.path for f in findings for item in f.related}
    return sorted(path for path in paths if path.endswith(".py"))


def _insert(path: Path, at: int, text: str) -> None:
    lines = path.read_text().splitlines(keepends=True)
    lines.insert(at, text)
    path.write_text("".join(lines))


# Fixtures whose repo rules report something (MLD401/402, MLD501, MLD701/702).
WITH_REPO_FINDINGS = [
    "feedback_loop",
    "churn_cascade",
    "leaky_features",
    "prediction_logs",
    "serving_monitoring",
    "stacking_levels",
    "two_stage_recsys",
]


@pytest.mark.parametrize("name", WITH_REPO_FINDINGS)
def test_a_line_inserted_on_top_reuses_the_repo_phase_and_moves_its_findings(name, tmp_path, monkeypatch, rebuilt):
    root = _copy(name, tmp_path)
    monkeypatch.chdir(root)
    files = _repo_files(root)
    assert files
    check(root, cache=True)
    reused = 0
    for relative in files:
        _insert(root / relative, 0, "# a comment on top\n")
        rebuilt.clear()
        cached = comparable(check(root, cache=True))
        reused += not rebuilt
        assert cached == comparable(check(root)), relative
        assert any(f["code"].startswith(REPO_CODES) for f in cached)
    assert reused, "a comment on top changes no fact but positions"


@pytest.mark.parametrize("name", WITH_REPO_FINDINGS)
def test_a_blank_line_in_the_middle_moves_only_the_findings_below_it(name, tmp_path, monkeypatch):
    root = _copy(name, tmp_path)
    monkeypatch.chdir(root)
    check(root, cache=True)
    for relative in _repo_files(root):
        target = root / relative
        middle = len(target.read_text().splitlines()) // 2
        _insert(target, middle, "\n")
        assert comparable(check(root, cache=True)) == comparable(check(root)), relative


def _edit_and_check(root: Path, edit, rebuilt: list[int]) -> list[dict]:
    retrain = root / "training" / "retrain.py"
    retrain.write_text(edit(retrain.read_text()))
    rebuilt.clear()
    cached = comparable(check(root, cache=True))
    runs = len(rebuilt)
    assert cached == comparable(check(root))
    return cached, runs


def test_a_changed_fact_runs_the_repo_rules_again(tmp_path, monkeypatch, rebuilt):
    root = _copy("feedback_loop", tmp_path)
    monkeypatch.chdir(root)
    before = comparable(check(root, cache=True))
    # The retrained model is saved somewhere serving does not load from: no loop.
    after, runs = _edit_and_check(
        root, lambda text: text.replace('dump(model, cfg["model_path"])', 'dump(model, "x.pkl")'), rebuilt
    )
    assert runs == 1
    assert [f["code"] for f in before if f["code"] == "MLD402"] == ["MLD402"]
    assert not [f for f in after if f["code"] == "MLD402"]


def test_a_comment_above_the_save_does_not_run_them_again(tmp_path, monkeypatch, rebuilt):
    root = _copy("feedback_loop", tmp_path)
    monkeypatch.chdir(root)
    before = comparable(check(root, cache=True))
    after, runs = _edit_and_check(
        root, lambda text: text.replace("    joblib.dump", "    # saved\n    joblib.dump"), rebuilt
    )
    assert runs == 0
    assert [f["line"] for f in before if f["code"] == "MLD402"] == [15]
    moved = [f for f in after if f["code"] == "MLD402"]
    assert [f["line"] for f in moved] == [15]
    before_related = [
        r["line"] for f in before if f["code"] == "MLD402" for r in f["related"] if r["path"].endswith("retrain.py")
    ]
    after_related = [r["line"] for f in moved for r in f["related"] if r["path"].endswith("retrain.py")]
    assert after_related == [line + (line >= 16) for line in before_related] and 16 in before_related


# -- the position map itself ---------------------------------------------------------

SITE = {"line": 10, "column": 5, "end_line": 10, "end_column": 20}


def _facts(shift: int = 0, name: str = "model.pkl", extra: int = 3) -> dict:
    def moved(site: dict) -> dict:
        return {**site, "line": site["line"] + shift, "end_line": site["end_line"] + shift}

    return {
        "writes": [{"path": [["s", name]], **moved(SITE)}],
        "instances": [{"id": "m:x", "line": 12 + shift, "count": extra, "saves": [{"line": 14 + shift}]}],
        "related": [[20 + shift, "split afterwards"]],
    }


def test_positions_that_moved_together_are_mapped():
    found = position_map(_facts(), _facts(shift=2))
    assert found is not None
    assert found.lines == {10: 12, 12: 14, 14: 16, 20: 22}
    assert found.points == {(10, 5): (12, 5), (10, 20): (12, 20)}


def test_a_changed_value_beside_the_positions_is_not_mapped():
    assert position_map(_facts(), _facts(shift=2, name="other.pkl")) is None
    assert position_map(_facts(), _facts(shift=0, name="other.pkl")) is None


def test_a_number_outside_the_position_keys_that_is_a_moved_line_forbids_the_map():
    # "count": 12 may be a line the keys do not know: line 12 moved, so no map.
    assert position_map(_facts(extra=12), _facts(shift=2, extra=12)) is None
    assert position_map(_facts(extra=11), _facts(shift=2, extra=11)) is not None


def test_positions_that_changed_order_are_not_mapped():
    old = {"a": [{"line": 3}, {"line": 5}]}
    assert position_map(old, {"a": [{"line": 6}, {"line": 4}]}) is None
    assert position_map(old, {"a": [{"line": 4}, {"line": 6}]}) is not None


def test_one_old_line_going_to_two_new_lines_is_not_mapped():
    old = {"a": [{"line": 3}, {"line": 3}]}
    assert position_map(old, {"a": [{"line": 3}, {"line": 4}]}) is None
    assert position_map(old, {"a": [{"line": 4}, {"line": 4}]}) is not None


def _report(path: str = "a.py", line: int = 10, message: str = "a loop", related_line: int = 20) -> RepoReport:
    return RepoReport(
        "MLD402",
        path,
        message,
        line,
        5,
        line,
        20,
        {},
        "scope",
        (Related("b.py", 7, "n"), Related("a.py", related_line, "m")),
        "",
    )


def test_reports_are_moved_with_their_file_and_others_stay():
    table = position_map(_facts(), _facts(shift=2))
    assert table is not None
    (moved,) = remap([_report()], {"a.py": table})
    assert (moved.line, moved.column, moved.end_line, moved.end_column) == (12, 5, 12, 20)
    assert moved.related == (Related("b.py", 7, "n"), Related("a.py", 22, "m"))
    (other,) = remap([_report(path="c.py")], {"a.py": table})
    assert (other.line, other.related[1].line) == (10, 22)


def test_a_report_position_the_facts_do_not_account_for_is_not_moved():
    table = position_map(_facts(), _facts(shift=2))
    assert table is not None
    assert remap([_report(line=11)], {"a.py": table}) is None
    assert remap([_report(related_line=21)], {"a.py": table}) is None
    assert remap([_report(line=10, related_line=20)], {"a.py": table}) is not None


def test_a_message_naming_a_moved_line_is_not_reused():
    table = position_map(_facts(), _facts(shift=2))
    assert table is not None
    assert remap([_report(message="saved at line 14")], {"a.py": table}) is None
    assert remap([_report(message="saved at line 15")], {"a.py": table}) is not None


def test_an_editor_buffer_that_moved_positions_reuses_the_repo_phase(tmp_path, monkeypatch, rebuilt):
    from mldebtlint.core.config import load_settings
    from mldebtlint.engine.runner import RunOptions, run

    root = _copy("feedback_loop", tmp_path)
    monkeypatch.chdir(root)
    check(root, cache=True)
    retrain = root / "training" / "retrain.py"
    settings = load_settings(root)

    def buffer(text: str, cache: bool) -> tuple[list[dict], int]:
        rebuilt.clear()
        result = run(RunOptions(paths=[retrain], settings=settings, stdin=(str(retrain), text), cache=cache))
        return comparable(result), len(rebuilt)

    def stored_reports() -> object:
        (index,) = (root / ".mldebtlint_cache").glob("results-*.pickle")
        return pickle.loads(index.read_bytes())["\0repo-reports"]

    before = stored_reports()
    moved, runs = buffer("# unsaved comment\n" + retrain.read_text(), True)
    assert runs == 0 and moved == buffer("# unsaved comment\n" + retrain.read_text(), False)[0]
    assert [f["line"] for f in moved if f["code"] == "MLD402"] == [16]
    changed, runs = buffer(retrain.read_text().replace('dump(model, cfg["model_path"])', 'dump(model, "x.pkl")'), True)
    assert runs == 1 and not [f for f in changed if f["code"] == "MLD402"]
    assert stored_reports() == before  # the files on disk stay the reference

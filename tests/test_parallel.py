"""The process pool: same findings and the same order with 1 or 2 jobs, cached or not."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from speed_project import check, comparable, write_project

import mldebtlint.engine.concurrency
from mldebtlint.core.config import Settings
from mldebtlint.engine.concurrency import MIN_FILES_FOR_POOL, analyze_many, plan_jobs
from mldebtlint.engine.filepass import FileTask
from mldebtlint.engine.runner import rule_set


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "project", copies=4)


def test_findings_identical_with_one_or_two_jobs_and_with_or_without_cache(project, tmp_path):
    serial = comparable(check(project, jobs=1))
    parallel = comparable(check(project, jobs=2))
    cached_cold = comparable(check(project, jobs=2, cache=True, cache_dir=tmp_path / "c"))
    cached_warm = comparable(check(project, jobs=1, cache=True, cache_dir=tmp_path / "c"))
    assert len(serial) > 5
    assert serial == parallel == cached_cold == cached_warm


def test_the_pool_really_runs_with_two_jobs(project, monkeypatch):
    started = []
    original = mldebtlint.engine.concurrency.ProcessPoolExecutor

    def recording(*args, **kwargs):
        started.append(kwargs.get("max_workers"))
        return original(*args, **kwargs)

    monkeypatch.setattr(mldebtlint.engine.concurrency, "ProcessPoolExecutor", recording)
    check(project, jobs=2)
    assert started == [2]
    started.clear()
    check(project, jobs=1)
    assert started == []


def test_results_come_back_in_task_order_although_largest_files_go_first(tmp_path):
    tasks = []
    for index in range(12):
        path = tmp_path / f"m{index:02d}.py"
        path.write_text(f"x{index} = 1\n" * (index * 7 % 12 + 1))
        tasks.append(FileTask(str(path), path.name, path.name, True, False))
    settings = Settings(root=str(tmp_path))
    outcomes = analyze_many(tasks, settings, rule_set(settings), jobs=2)
    assert [result.path for result, _ in outcomes] == [task.display for task in tasks]
    assert [result.lines for result, _ in outcomes] == [index * 7 % 12 + 1 for index in range(12)]
    assert all(digest and len(digest) == 64 for _, digest in outcomes)


def test_a_handful_of_files_is_not_worth_a_pool():
    assert plan_jobs(2, MIN_FILES_FOR_POOL - 1) == 1
    assert plan_jobs(2, 100) == 2
    assert plan_jobs(8, 3 * MIN_FILES_FOR_POOL) == 8
    assert plan_jobs(None, 100) >= 1


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# Projects whose source expects findings (``# expect:`` comments, see test_oracles.py):
# parity on a project without findings would compare nothing with nothing.
WITH_FINDINGS = sorted(
    p.name
    for p in FIXTURES.iterdir()
    if p.is_dir() and any("# expect: MLD" in f.read_text(errors="replace") for f in p.rglob("*") if f.is_file())
)


@pytest.mark.parametrize("name", WITH_FINDINGS)
def test_fixture_projects_same_findings_serial_parallel_cached(name, tmp_path, monkeypatch):
    import shutil

    project = tmp_path / name
    shutil.copytree(FIXTURES / name, project)
    (project / ".git").mkdir(exist_ok=True)  # marks the project root, as in a real checkout
    # Fixture projects are small: let the pool start anyway.
    monkeypatch.setattr(mldebtlint.engine.concurrency, "MIN_FILES_FOR_POOL", 1)
    serial = comparable(check(project, jobs=1))
    assert serial, f"{name}: the fixture expects findings"
    assert serial == comparable(check(project, jobs=2))
    assert serial == comparable(check(project, jobs=2, cache=True))
    assert serial == comparable(check(project, jobs=1, cache=True))
    # A single file with findings: checked alone (repo facts from the rest), cold and warm.
    flagged = sorted({Path(finding["path"]).resolve() for finding in serial})
    one = flagged[0]
    single = comparable(check(project, paths=[one]))
    assert single, f"{one} has findings in the whole-project run"
    assert single == [finding for finding in serial if Path(finding["path"]).resolve() == one]
    assert single == comparable(check(project, paths=[one], cache=True))
    assert single == comparable(check(project, paths=[one], cache=True))


def _live_modules() -> int:
    import libcst as cst

    return sum(isinstance(item, cst.Module) for item in gc.get_objects())


def test_each_files_syntax_tree_is_freed_when_its_analysis_ends(project):
    # Trees end up in reference cycles; the per-file collection frees each one
    # at once instead of carrying it into the older generations.
    tasks = [
        FileTask(str(path), path.name, path.relative_to(project).as_posix(), True, False)
        for path in sorted(project.rglob("*.py"))
    ]
    settings = Settings(root=str(project), select=("ALL",))
    gc.collect()
    before = _live_modules()
    outcomes = analyze_many(tasks, settings, rule_set(settings), jobs=1)
    assert len(outcomes) == len(tasks) > 10
    assert _live_modules() == before
    gc.disable()
    try:  # its twin: the same analysis without the per-file collection leaves them behind
        for task in tasks:
            mldebtlint.engine.concurrency.analyze_file_digest(task, settings, rule_set(settings))
        assert _live_modules() > before
    finally:
        gc.enable()
        gc.collect()

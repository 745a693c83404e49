"""The results cache: same findings warm or cold, re-analyses only what changed."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from speed_project import check, comparable, write_project

import mldebtlint.engine.concurrency
from mldebtlint.cli import main
from mldebtlint.core.types import FileResult
from mldebtlint.engine.cache import CACHE_DIR_NAME, CACHEDIR_TAG, Probe, ResultCache, clear, content_digest


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "project")


@pytest.fixture
def analysed(monkeypatch) -> list[str]:
    """Relative paths of the files the per-file phase really analyses."""
    seen: list[str] = []
    original = mldebtlint.engine.concurrency.analyze_many

    def spy(tasks, *args, **kwargs):
        seen.extend(task.relative for task in tasks)
        return original(tasks, *args, **kwargs)

    monkeypatch.setattr(mldebtlint.engine.concurrency, "analyze_many", spy)
    return seen


def age(path: Path, seconds: float = 60) -> None:
    """Pretend the file was written a while ago (its stat is then trusted)."""
    stamp = path.stat().st_mtime - seconds
    os.utime(path, (stamp, stamp))


def age_all(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file() and CACHE_DIR_NAME not in path.parts:
            age(path)


def test_warm_run_gives_the_same_findings_and_analyses_nothing(project, analysed):
    cold = comparable(check(project))
    assert cold, "the project has known debt"
    first = comparable(check(project, cache=True))
    analysed.clear()
    warm = comparable(check(project, cache=True))
    assert cold == first == warm
    assert analysed == []


def test_only_the_changed_file_is_analysed_again(project, analysed):
    age_all(project)
    check(project, cache=True)
    serve = project / "pkg1" / "serve.py"
    serve.write_text(serve.read_text().replace("0.7", "0.8"))
    analysed.clear()
    result = check(project, cache=True)
    assert analysed == ["pkg1/serve.py"]
    assert any("0.8" in finding.message for finding in result.findings if finding.path.endswith("pkg1/serve.py"))
    assert comparable(result) == comparable(check(project))


def test_same_bytes_with_a_new_mtime_is_a_hit_by_hash(project, analysed):
    age_all(project)
    check(project, cache=True)
    train = project / "pkg0" / "train.py"
    os.utime(train, None)  # touched: new mtime, same content
    analysed.clear()
    check(project, cache=True)
    assert analysed == []


def test_other_settings_use_another_index(project, analysed):
    check(project, cache=True)
    (project / "mldebtlint.toml").write_text('select = ["MLD101"]\n')
    analysed.clear()
    result = check(project, cache=True)
    assert {finding.code for finding in result.findings} == {"MLD101"}
    assert len(analysed) > 10
    # Pruned on write: only the current settings' index is kept.
    indexes = list((project / CACHE_DIR_NAME).glob("results-*.pickle"))
    assert len(indexes) == 1
    (project / "mldebtlint.toml").unlink()
    analysed.clear()
    check(project, cache=True)
    assert len(analysed) > 10  # the first settings' results were pruned, not kept


def test_a_write_prunes_stale_indexes_of_its_root_only(project):
    check(project, cache=True)
    folder = project / CACHE_DIR_NAME
    (current,) = folder.glob("results-*.pickle")
    tag = current.name.split("-")[1]
    older_version = folder / f"results-{tag}-{'0' * 20}.pickle"
    older_layout = folder / f"results-{'1' * 20}.pickle"
    other_root = folder / f"results-{'2' * 8}-{'3' * 20}.pickle"
    for index in (older_version, older_layout, other_root):
        index.write_bytes(current.read_bytes())
    serve = project / "pkg1" / "serve.py"
    serve.write_text(serve.read_text().replace("0.7", "0.8"))
    check(project, cache=True)
    assert sorted(path.name for path in folder.glob("results-*.pickle")) == sorted([current.name, other_root.name])


def test_each_path_is_cached_under_its_own_project_root(tmp_path, analysed, monkeypatch):
    first = write_project(tmp_path / "ex1", copies=1)
    second = write_project(tmp_path / "ex2", copies=1)
    monkeypatch.chdir(tmp_path)
    expected = comparable(check(first, paths=[first, second]))
    assert {finding.path.split("/")[0] for finding in check(first, paths=[first, second]).findings} == {"ex1", "ex2"}
    assert comparable(check(first, paths=[first, second], cache=True)) == expected
    # ex2's results live in ex2's cache, not in ex1's.
    assert (second / CACHE_DIR_NAME / "CACHEDIR.TAG").exists()
    for folder, own, other in ((first, "ex1", "ex2"), (second, "ex2", "ex1")):
        (index,) = (folder / CACHE_DIR_NAME).glob("results-*.pickle")
        keys = [key for key in pickle.loads(index.read_bytes()) if not key.startswith("\0")]
        assert keys and all(other not in key for key in keys), (own, keys)
    analysed.clear()
    assert comparable(check(first, paths=[first, second], cache=True)) == expected
    assert analysed == []


def test_nothing_to_cache_creates_no_cache_and_warns(tmp_path, monkeypatch, capsys):
    empty = tmp_path / "empty"
    (empty / ".git").mkdir(parents=True)
    (empty / "notes.md").write_text("no code here\n")
    monkeypatch.chdir(empty)
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "."])
    assert exit_info.value.code == 0
    assert not (empty / CACHE_DIR_NAME).exists()
    assert "mldebtlint: warning: no Python files or manifests to check in ." in capsys.readouterr().err
    # The twin: one Python file is something to cache, and no warning.
    (empty / "m.py").write_text("x = 1\n")
    with pytest.raises(SystemExit):
        main(["check", "."])
    assert (empty / CACHE_DIR_NAME).is_dir()
    assert "warning" not in capsys.readouterr().err


def test_a_cache_write_error_names_the_index_not_a_temp_file(project, monkeypatch, capsys):
    (project / "blocker").write_text("a file where the cache folder should be\n")
    (project / "mldebtlint.toml").write_text(
        (project / "mldebtlint.toml").read_text() + 'cache-dir = "blocker/cache"\n'
    )
    monkeypatch.chdir(project)
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "-q", "."])
    assert exit_info.value.code == 1  # the lint run itself goes on
    warnings = [line for line in capsys.readouterr().err.splitlines() if "cache" in line]
    assert len(warnings) == 1
    assert warnings[0].startswith(
        f"mldebtlint: warning: cannot write the cache {project / 'blocker' / 'cache'}/results-"
    )
    assert warnings[0].split(":")[2].strip().endswith(".pickle") and ".tmp" not in warnings[0]


def test_cache_folder_is_tagged_and_ignored_by_git(project):
    check(project, cache=True)
    folder = project / CACHE_DIR_NAME
    assert (folder / "CACHEDIR.TAG").read_text() == CACHEDIR_TAG
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "*"
    assert not [path for path in folder.iterdir() if path.name.startswith(".tmp-")]


def test_no_cache_writes_nothing_and_cache_dir_is_honoured(project, tmp_path):
    check(project)
    assert not (project / CACHE_DIR_NAME).exists()
    elsewhere = tmp_path / "elsewhere"
    check(project, cache=True, cache_dir=elsewhere)
    assert list(elsewhere.glob("results-*.pickle"))
    assert not (project / CACHE_DIR_NAME).exists()


@pytest.mark.parametrize("damage", [b"", b"not a pickle", pickle.dumps(["a list"])])
def test_a_damaged_index_is_a_miss_and_is_rewritten(project, analysed, damage):
    expected = comparable(check(project, cache=True))
    for index in (project / CACHE_DIR_NAME).glob("results-*.pickle"):
        index.write_bytes(damage)
    analysed.clear()
    assert comparable(check(project, cache=True)) == expected
    assert len(analysed) > 10
    analysed.clear()
    check(project, cache=True)
    assert analysed == []


def test_findings_follow_the_working_directory(project, monkeypatch):
    check(project, cache=True)
    monkeypatch.chdir(project / "pkg0")
    paths = {finding.path for finding in check(project, cache=True).findings}
    assert "train.py" in paths and "../pkg1/serve.py" not in paths
    assert all(not path.startswith("/") or path.startswith(str(project)) for path in paths)
    monkeypatch.chdir(project)
    assert comparable(check(project, cache=True)) == comparable(check(project))


def test_concurrent_writers_merge_and_the_last_one_wins(tmp_path):
    folder = tmp_path / "cache"
    target = tmp_path / "a.py"
    target.write_text("x = 1\n")
    age(target)
    first, second = ResultCache(folder, "key"), ResultCache(folder, "key")
    probe = Probe(None, target.stat().st_size, target.stat().st_mtime_ns)
    first.store("a.py", str(target), probe, "d1", True, False, FileResult(path="a.py", lines=1))
    second.store("b.py", str(target), probe, "d2", True, False, FileResult(path="b.py", lines=2))
    first.save()
    second.save()
    merged = ResultCache(folder, "key")
    assert set(merged.entries) == {"a.py", "b.py"}


def test_a_manifest_entry_depends_on_the_files_beside_it(tmp_path):
    manifest = tmp_path / "requirements.txt"
    manifest.write_text("torch>=2.0\n")
    age(manifest)
    cache = ResultCache(tmp_path / "cache", "key")
    probe = cache.probe("requirements.txt", str(manifest), True, True)
    digest = content_digest(manifest.read_bytes())
    cache.store("requirements.txt", str(manifest), probe, digest, True, True, FileResult(path="requirements.txt"))
    assert cache.probe("requirements.txt", str(manifest), True, True).hit is not None
    (tmp_path / "poetry.lock").write_text("")
    assert cache.probe("requirements.txt", str(manifest), True, True).hit is None


def test_a_facts_only_entry_does_not_answer_a_full_request(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("x = 1\n")
    age(source)
    cache = ResultCache(tmp_path / "cache", "key")
    probe = cache.probe("m.py", str(source), False, False)
    cache.store("m.py", str(source), probe, content_digest(source.read_bytes()), False, False, FileResult(path="m.py"))
    assert cache.probe("m.py", str(source), False, False).hit is not None
    assert cache.probe("m.py", str(source), True, False).hit is None


def test_cache_clear_command(project, monkeypatch, capsys):
    check(project, cache=True)
    monkeypatch.chdir(project)
    with pytest.raises(SystemExit) as exit_info:
        main(["cache", "clear"])
    assert exit_info.value.code == 0
    assert "removed 1 cache file" in capsys.readouterr().out
    assert not (project / CACHE_DIR_NAME).exists()


def test_clear_keeps_foreign_files_in_a_user_folder(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    (folder / "results-abc.pickle").write_bytes(b"x")
    assert clear(folder) == 1
    assert (folder / "keep.txt").exists()


def test_check_cli_cache_options(project, monkeypatch, tmp_path):
    monkeypatch.chdir(project)
    for args in (["--no-cache"], ["--cache-dir", str(tmp_path / "c")]):
        with pytest.raises(SystemExit):
            main(["check", "-q", *args, "."])
    assert not (project / CACHE_DIR_NAME).exists()
    assert list((tmp_path / "c").glob("results-*.pickle"))
    with pytest.raises(SystemExit):
        main(["check", "-q", "."])
    assert (project / CACHE_DIR_NAME / "CACHEDIR.TAG").exists()


def test_facts_are_stored_as_a_blob_and_decoded_only_when_read(tmp_path):
    import pickle

    from mldebtlint.core.types import FileResult
    from mldebtlint.engine.cache import LazyFacts, ResultCache

    source = tmp_path / "train.py"
    source.write_text("x = 1\n", encoding="utf-8")
    facts = {"ModelGraphFacts": {"saves": [{"path": "model.pt", "line": 3}]}}
    cache = ResultCache(tmp_path / "cache", "k")
    probe = cache.probe("train.py", str(source), True, False)
    cache.store("train.py", str(source), probe, "d" * 64, True, False, FileResult("train.py", facts=facts))
    cache.save()

    from mldebtlint.engine import cache as cache_module

    cache_module._REMEMBERED.clear()  # as a new process would see it
    reloaded = ResultCache(tmp_path / "cache", "k")
    stored = reloaded.entries["train.py"].result.facts
    assert isinstance(stored, LazyFacts)
    assert stored._value is None  # loading the index decoded nothing
    assert bool(stored) and stored._value is None  # nor does a truthiness check
    assert stored == facts and stored["ModelGraphFacts"]["saves"][0]["path"] == "model.pt"
    assert pickle.loads(pickle.dumps(stored)) == facts


def test_a_long_lived_process_rereads_the_index_only_when_it_changed(tmp_path, monkeypatch):
    from mldebtlint.core.types import FileResult
    from mldebtlint.engine import cache as cache_module

    source = tmp_path / "train.py"
    source.write_text("x = 1\n", encoding="utf-8")
    writer = cache_module.ResultCache(tmp_path / "cache", "k")
    probe = writer.probe("train.py", str(source), True, False)
    writer.store("train.py", str(source), probe, "d" * 64, True, False, FileResult("train.py"))
    writer.save()

    loads = []
    real_load = cache_module._load
    monkeypatch.setattr(cache_module, "_load", lambda path: loads.append(path) or real_load(path))
    first = cache_module.ResultCache(tmp_path / "cache", "k")
    assert "train.py" in first.entries and loads == []  # remembered from the save above

    # Another process replaces the index: the next open reads it from disk.
    other = {"other.py": first.entries["train.py"]}
    import pickle

    temp = tmp_path / "cache" / "replacement"
    temp.write_bytes(pickle.dumps(other))
    temp.replace(first.index_path)
    second = cache_module.ResultCache(tmp_path / "cache", "k")
    assert loads == [first.index_path] and set(second.entries) == {"other.py"}

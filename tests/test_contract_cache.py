"""Contract of the results cache: it never answers with results of other bytes.

Each test changes a file in a way a real user does (an editor rewriting a
file within one clock tick, a tool restoring the mtime, a ``git checkout``,
an upgrade of mldebtlint itself) and checks that the next run sees the new
content, or that an unchanged file is really not analysed again.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from speed_project import check, comparable, write_project

import mldebtlint
import mldebtlint.engine.cache as cache_module
import mldebtlint.engine.concurrency
from mldebtlint.core.types import FileResult
from mldebtlint.engine.cache import (
    CACHE_DIR_NAME,
    RACY_SECONDS,
    ResultCache,
    clear,
    code_signature,
    prepare_folder,
    run_key,
)

THRESHOLD = "def decide(proba):\n    return proba > 0.7\n"
SAME_SIZE = "def decide(proba):\n    return proba > 0.8\n"
LONGER = "def decide(proba):\n    return proba > 0.75\n"


@pytest.fixture
def analysed(monkeypatch) -> list[str]:
    seen: list[str] = []
    original = mldebtlint.engine.concurrency.analyze_many

    def spy(tasks, *args, **kwargs):
        seen.extend(task.relative for task in tasks)
        return original(tasks, *args, **kwargs)

    monkeypatch.setattr(mldebtlint.engine.concurrency, "analyze_many", spy)
    return seen


@pytest.fixture
def an_hour_later(monkeypatch) -> None:
    """The cache runs an hour after the files last changed (mtime and ctime): their stat is trusted.

    ``os.utime`` can age an mtime but not a ctime, and a stat is trusted only
    once both are older than RACY_SECONDS.
    """
    real = time.time
    monkeypatch.setattr(cache_module, "time", SimpleNamespace(time=lambda: real() + 3600))


def set_mtime_ns(path: Path, mtime_ns: int) -> None:
    os.utime(path, ns=(mtime_ns, mtime_ns))


def aged(path: Path, seconds: float = 3600) -> int:
    """Set the file's mtime well in the past; returns it (ns)."""
    stamp = path.stat().st_mtime_ns - int(seconds * 1e9)
    set_mtime_ns(path, stamp)
    return stamp


def literals(result) -> list[str]:
    return sorted(finding.message for finding in result.findings if finding.code == "MLD101")


def one_file_project(tmp_path: Path, text: str = THRESHOLD) -> tuple[Path, Path]:
    root = tmp_path / "project"
    root.mkdir()
    (root / "mldebtlint.toml").write_text('select = ["MLD101"]\n')
    target = root / "serve.py"
    target.write_text(text)
    return root, target


def store_result(cache: ResultCache, relative: str, path: Path, lines: int = 1) -> None:
    probe = cache.probe(relative, str(path), True, False)
    assert probe.hit is None
    digest = cache_module.content_digest(path.read_bytes())
    cache.store(relative, str(path), probe, digest, True, False, FileResult(path=relative, lines=lines))


# -- the stat check -------------------------------------------------------------------


def test_an_unchanged_old_file_is_answered_from_its_stat_without_reading_it(tmp_path, monkeypatch, an_hour_later):
    target = tmp_path / "m.py"
    target.write_text(THRESHOLD)
    aged(target)
    cache = ResultCache(tmp_path / "c", "k")
    store_result(cache, "m.py", target, lines=7)
    cache.save()
    monkeypatch.setattr(cache_module, "content_digest", lambda raw: pytest.fail("hashed a file with a trusted stat"))
    again = ResultCache(tmp_path / "c", "k")
    assert again.probe("m.py", str(target), True, False).hit == FileResult(path="m.py", lines=7)


def test_a_different_size_with_the_mtime_put_back_is_a_miss(tmp_path, an_hour_later):
    target = tmp_path / "m.py"
    target.write_text(THRESHOLD)
    stamp = aged(target)
    cache = ResultCache(tmp_path / "c", "k")
    store_result(cache, "m.py", target)
    target.write_text(LONGER)
    set_mtime_ns(target, stamp)
    assert cache.probe("m.py", str(target), True, False).hit is None


def test_a_same_size_rewrite_with_the_mtime_put_back_is_a_miss(tmp_path, an_hour_later):
    """``os.utime`` restores an mtime but the ctime still moves: the stat differs."""
    target = tmp_path / "m.py"
    target.write_text(THRESHOLD)
    stamp = aged(target)
    cache = ResultCache(tmp_path / "c", "k")
    store_result(cache, "m.py", target)
    target.write_text(SAME_SIZE)
    set_mtime_ns(target, stamp)
    assert target.stat().st_size == len(THRESHOLD)
    probe = cache.probe("m.py", str(target), True, False)
    assert probe.hit is None
    assert probe.digest == cache_module.content_digest(SAME_SIZE.encode())


def test_a_same_size_rewrite_within_one_mtime_tick_is_a_miss(tmp_path):
    """A file stored right after it was written keeps no trusted stat (racily clean)."""
    target = tmp_path / "m.py"
    target.write_text(THRESHOLD)
    stamp = target.stat().st_mtime_ns
    cache = ResultCache(tmp_path / "c", "k")
    store_result(cache, "m.py", target)
    assert cache.entries["m.py"].mtime_ns == -1
    target.write_text(SAME_SIZE)
    set_mtime_ns(target, stamp)  # same tick: the clock did not move
    assert cache.probe("m.py", str(target), True, False).hit is None


def test_a_racy_entry_becomes_trusted_once_the_file_is_old(tmp_path, monkeypatch):
    target = tmp_path / "m.py"
    target.write_text(THRESHOLD)
    cache = ResultCache(tmp_path / "c", "k")
    store_result(cache, "m.py", target)
    assert cache.entries["m.py"].mtime_ns == -1
    now = time.time()
    monkeypatch.setattr(cache_module, "time", SimpleNamespace(time=lambda: now + RACY_SECONDS + 1))
    assert cache.probe("m.py", str(target), True, False).hit is not None  # by hash
    entry = cache.entries["m.py"]
    assert entry.mtime_ns == target.stat().st_mtime_ns
    assert entry.ctime_ns == target.stat().st_ctime_ns


def test_a_touched_file_with_the_same_bytes_is_a_hit_by_hash(tmp_path, an_hour_later):
    target = tmp_path / "m.py"
    target.write_text(THRESHOLD)
    aged(target)
    cache = ResultCache(tmp_path / "c", "k")
    store_result(cache, "m.py", target, lines=3)
    aged(target, seconds=60)  # another mtime, same bytes
    probe = cache.probe("m.py", str(target), True, False)
    assert probe.hit == FileResult(path="m.py", lines=3)
    assert cache.entries["m.py"].mtime_ns == target.stat().st_mtime_ns


def test_a_deleted_file_is_a_miss(tmp_path):
    target = tmp_path / "m.py"
    target.write_text(THRESHOLD)
    aged(target)
    cache = ResultCache(tmp_path / "c", "k")
    store_result(cache, "m.py", target)
    target.unlink()
    probe = cache.probe("m.py", str(target), True, False)
    assert probe.hit is None and probe.size == -1


# -- end to end: the findings follow the bytes ------------------------------------------


def test_end_to_end_same_size_edit_in_the_same_tick_shows_the_new_literal(tmp_path):
    root, target = one_file_project(tmp_path)
    stamp = target.stat().st_mtime_ns
    assert "0.7" in " ".join(literals(check(root, cache=True)))
    target.write_text(SAME_SIZE)
    set_mtime_ns(target, stamp)
    warm = check(root, cache=True)
    assert literals(warm) == literals(check(root)) and "0.8" in " ".join(literals(warm))


def test_end_to_end_edit_of_an_old_file_with_its_mtime_restored(tmp_path):
    root, target = one_file_project(tmp_path)
    stamp = aged(target)
    check(root, cache=True)
    target.write_text(SAME_SIZE)
    set_mtime_ns(target, stamp)
    assert "0.8" in " ".join(literals(check(root, cache=True)))


# -- what the index is keyed by ----------------------------------------------------------


def copy_of_the_package(tmp_path: Path, monkeypatch) -> Path:
    """A private copy of mldebtlint's sources that code_signature() looks at."""
    package = Path(mldebtlint.__file__).resolve().parent
    copy = tmp_path / "pkg" / "mldebtlint"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache_module, "__file__", str(copy / "engine" / "cache.py"))
    return copy


def test_editing_any_module_of_the_package_changes_the_code_signature(tmp_path, monkeypatch):
    copy = copy_of_the_package(tmp_path, monkeypatch)
    before = code_signature()
    assert before == code_signature()
    detector = copy / "detectors" / "hardcoded_threshold.py"
    stamp = detector.stat().st_mtime_ns
    detector.write_text(detector.read_text() + "\n# edited\n")
    edited = code_signature()
    assert edited != before
    set_mtime_ns(detector, stamp)  # an edit that keeps the mtime still changes the size
    assert code_signature() not in (before,)
    (copy / "detectors" / "new_rule.py").write_text("")
    assert code_signature() not in (before, edited)


def test_editing_the_package_invalidates_every_cached_result(tmp_path, monkeypatch, analysed):
    root, target = one_file_project(tmp_path)
    aged(target)
    copy = copy_of_the_package(tmp_path, monkeypatch)
    check(root, cache=True)
    analysed.clear()
    check(root, cache=True)
    assert analysed == []
    rule = copy / "rule.py"
    rule.write_text(rule.read_text() + "\n")
    check(root, cache=True)
    assert analysed == ["serve.py"]


def test_the_run_key_depends_on_settings_rules_and_root(tmp_path):
    base = run_key("settings", frozenset({"MLD101"}), str(tmp_path))
    assert base == run_key("settings", frozenset({"MLD101"}), str(tmp_path))
    assert base != run_key("other", frozenset({"MLD101"}), str(tmp_path))
    assert base != run_key("settings", frozenset({"MLD101", "MLD102"}), str(tmp_path))
    assert base != run_key("settings", frozenset({"MLD101"}), str(tmp_path / "sub"))


# -- what is stored -----------------------------------------------------------------------


def test_a_result_with_a_crashed_rule_is_never_stored(tmp_path):
    target = tmp_path / "m.py"
    target.write_text(THRESHOLD)
    aged(target)
    cache = ResultCache(tmp_path / "c", "k")
    probe = cache.probe("m.py", str(target), True, False)
    crashed = FileResult(path="m.py", errors=("MLD101 crashed: boom",))
    cache.store("m.py", str(target), probe, "digest", True, False, crashed)
    cache.save()
    assert "m.py" not in cache.entries
    assert ResultCache(tmp_path / "c", "k").probe("m.py", str(target), True, False).hit is None


def test_a_crashing_rule_is_run_again_on_the_next_run(tmp_path, monkeypatch, analysed):
    from mldebtlint.detectors.hardcoded_threshold import HardcodedThreshold

    root, target = one_file_project(tmp_path)
    aged(target)

    def boom(self, node):
        raise RuntimeError("boom")

    with monkeypatch.context() as patch:
        patch.setattr(HardcodedThreshold, "visit_Comparison", boom, raising=False)
        crashed = check(root, cache=True)
    assert any(result.errors for result in crashed.files)
    analysed.clear()
    healed = check(root, cache=True)
    assert analysed == ["serve.py"]
    assert literals(healed) == literals(check(root)) != []


def test_an_unreadable_file_is_not_stored(tmp_path):
    cache = ResultCache(tmp_path / "c", "k")
    probe = cache.probe("gone.py", str(tmp_path / "gone.py"), True, False)
    cache.store("gone.py", str(tmp_path / "gone.py"), probe, "digest", True, False, FileResult(path="gone.py"))
    assert "gone.py" not in cache.entries


def test_a_full_entry_is_not_replaced_by_a_facts_only_one_of_the_same_bytes(tmp_path):
    target = tmp_path / "m.py"
    target.write_text(THRESHOLD)
    aged(target)
    cache = ResultCache(tmp_path / "c", "k")
    store_result(cache, "m.py", target, lines=5)
    digest = cache.entries["m.py"].digest
    probe = cache.probe("m.py", str(target), False, False)
    cache.store("m.py", str(target), probe, digest, False, False, FileResult(path="m.py", lines=1))
    assert cache.entries["m.py"].full and cache.entries["m.py"].result.lines == 5


def test_nothing_is_written_when_nothing_changed(tmp_path, an_hour_later):
    target = tmp_path / "m.py"
    target.write_text(THRESHOLD)
    aged(target)
    cache = ResultCache(tmp_path / "c", "k")
    store_result(cache, "m.py", target)
    cache.save()
    index = cache.index_path
    before = index.stat().st_mtime_ns
    set_mtime_ns(index, before - 10**9)
    again = ResultCache(tmp_path / "c", "k")
    assert again.probe("m.py", str(target), True, False).hit is not None
    again.save()
    assert index.stat().st_mtime_ns == before - 10**9


# -- cache clear ---------------------------------------------------------------------------


def test_clear_removes_our_files_and_the_folder_it_created(tmp_path):
    root, _ = one_file_project(tmp_path)
    check(root, cache=True)
    folder = root / CACHE_DIR_NAME
    assert clear(folder) == 1
    assert not folder.exists()


def test_clear_in_a_tagged_folder_keeps_foreign_files(tmp_path):
    folder = tmp_path / "cache"
    prepare_folder(folder)
    (folder / "results-abc.pickle").write_bytes(b"x")
    (folder / ".tmp-123").write_bytes(b"x")
    (folder / "notes.txt").write_text("mine")
    (folder / "results-2024.csv").write_text("mine too")
    (folder / "sub").mkdir()
    assert clear(folder) == 2
    assert sorted(path.name for path in folder.iterdir()) == ["notes.txt", "results-2024.csv", "sub"]


def test_clear_in_an_untagged_folder_keeps_it_and_its_markers(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "CACHEDIR.TAG").write_text("someone else's tag\n")
    (folder / ".gitignore").write_text("*.log\n")
    (folder / "results-k.pickle").write_bytes(b"x")
    assert clear(folder) == 1
    assert (folder / "CACHEDIR.TAG").read_text() == "someone else's tag\n"
    assert (folder / ".gitignore").read_text() == "*.log\n"


def test_clear_of_a_missing_folder_removes_nothing(tmp_path):
    assert clear(tmp_path / "absent") == 0


def test_a_warm_project_run_equals_a_cold_one(tmp_path):
    project = write_project(tmp_path / "project", copies=2)
    cold = comparable(check(project))
    assert cold
    assert comparable(check(project, cache=True)) == cold
    assert comparable(check(project, cache=True)) == cold


def stored_manifest(folder: Path) -> tuple[Path, ResultCache]:
    """A requirements.txt in ``folder`` whose (empty) result the cache has stored."""
    manifest = folder / "requirements.txt"
    manifest.write_text("torch>=2.0\n")
    cache = ResultCache(folder / ".cache", "k")
    probe = cache.probe("requirements.txt", str(manifest), True, True)
    digest = cache_module.content_digest(manifest.read_bytes())
    cache.store("requirements.txt", str(manifest), probe, digest, True, True, FileResult(path="requirements.txt"))
    return manifest, cache


def test_a_manifest_entry_ignores_new_scripts_and_hidden_files_but_not_setup_py(tmp_path, an_hour_later):
    manifest, cache = stored_manifest(tmp_path)
    (tmp_path / "train.py").write_text("x = 1\n")
    (tmp_path / ".hidden").write_text("")
    assert cache.probe("requirements.txt", str(manifest), True, True).hit is not None
    (tmp_path / "setup.py").write_text("")
    assert cache.probe("requirements.txt", str(manifest), True, True).hit is None


def test_a_file_changed_one_second_ago_is_still_racy(tmp_path, monkeypatch):
    target = tmp_path / "m.py"
    target.write_text(THRESHOLD)
    changed = max(target.stat().st_mtime_ns, target.stat().st_ctime_ns) / 1e9
    monkeypatch.setattr(cache_module, "time", SimpleNamespace(time=lambda: changed + RACY_SECONDS / 2))
    cache = ResultCache(tmp_path / "c", "k")
    store_result(cache, "m.py", target)
    assert cache.entries["m.py"].mtime_ns == -1
    monkeypatch.setattr(cache_module, "time", SimpleNamespace(time=lambda: changed + RACY_SECONDS * 1.5))
    fresh = ResultCache(tmp_path / "e", "k")
    store_result(fresh, "m.py", target)
    assert fresh.entries["m.py"].mtime_ns == target.stat().st_mtime_ns


def test_a_warm_run_does_not_rewrite_the_index(tmp_path, an_hour_later):
    root = write_project(tmp_path / "project", copies=1)  # every rule, repo rules included
    check(root, cache=True)
    check(root, cache=True)
    (index,) = (root / CACHE_DIR_NAME).glob("results-*.pickle")
    stamp = index.stat().st_mtime_ns - 10**9
    set_mtime_ns(index, stamp)
    check(root, cache=True)
    assert index.stat().st_mtime_ns == stamp


def test_the_file_digests_need_every_file_seen_this_run(tmp_path):
    cache = ResultCache(tmp_path / "c", "k")
    cache.digests["a.py"] = "da"
    assert cache.file_digests(["a.py", "b.py"]) is None
    cache.digests["b.py"] = "db"
    both = cache.file_digests(["b.py", "a.py"])
    assert both == {"a.py": "da", "b.py": "db"} and list(both) == ["a.py", "b.py"]
    cache.digests["b.py"] = "other"
    assert cache.file_digests(["a.py", "b.py"]) != both


def test_preparing_a_folder_keeps_its_own_gitignore_and_tag(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / ".gitignore").write_text("*.log\n")
    prepare_folder(folder)
    assert (folder / ".gitignore").read_text() == "*.log\n"
    assert (folder / "CACHEDIR.TAG").read_text() == cache_module.CACHEDIR_TAG


def _mld301(result) -> list[tuple[str, int]]:
    return sorted((Path(finding.path).name, finding.line) for finding in result.findings if finding.code == "MLD301")


def test_an_edited_constraints_include_invalidates_the_manifest_that_names_it(tmp_path, an_hour_later):
    """The include's *content* decides: a pin in ``-c`` silences, dropping it reports."""
    root = tmp_path / "project"
    (root / "deploy").mkdir(parents=True)
    (root / "mldebtlint.toml").write_text('select = ["MLD301"]\n')
    (root / "requirements.txt").write_text("-c deploy/pins.txt\ntorch>=2.0\n")
    pins = root / "deploy" / "pins.txt"
    pins.write_text("torch==2.3.1\n")
    assert _mld301(check(root, cache=True)) == []
    pins.write_text("numpy==1.26\n")  # another project's pin: torch is unpinned now
    assert _mld301(check(root, cache=True)) == [("requirements.txt", 2)]
    assert _mld301(check(root, cache=True)) == _mld301(check(root)) == [("requirements.txt", 2)]


def test_a_sibling_lock_keeps_its_name_but_not_its_bytes(tmp_path, an_hour_later):
    manifest = tmp_path / "requirements.in"
    manifest.write_text("torch>=2.0\n")
    lock = tmp_path / "requirements.txt"
    lock.write_text("torch==2.3.1\n")
    before = cache_module.siblings_signature(str(manifest))
    (tmp_path / "notes.md").write_text("x")  # a name: changes the signature as before
    with_notes = cache_module.siblings_signature(str(manifest))
    assert with_notes != before
    lock.write_text("torch==2.3.1 --hash=sha256:00\n")
    assert cache_module.siblings_signature(str(manifest)) != with_notes
    # A data file's bytes do not matter, only its name.
    stable = cache_module.siblings_signature(str(manifest))
    (tmp_path / "notes.md").write_text("changed again, longer")
    assert cache_module.siblings_signature(str(manifest)) == stable


def test_includes_are_followed_transitively_and_a_cycle_ends(tmp_path):
    (tmp_path / "a").mkdir()
    manifest = tmp_path / "requirements.txt"
    manifest.write_text("--requirement a/base.txt\n")
    base = tmp_path / "a" / "base.txt"
    base.write_text("--constraint=../c.txt\n-r ../requirements.txt\n")
    constraint = tmp_path / "c.txt"
    constraint.write_text("torch==2.3.1\n")
    assert cache_module._included_files(str(manifest)) == [str(base), os.path.normpath(str(constraint))]
    before = cache_module.siblings_signature(str(manifest))
    constraint.write_text("torch==2.4.0 \n")
    assert cache_module.siblings_signature(str(manifest)) != before


def test_a_touched_manifest_with_the_same_bytes_is_still_a_hit(tmp_path, an_hour_later):
    """Its own stat is not a sibling's: a checkout that rewrites the same bytes re-uses the entry."""
    manifest, cache = stored_manifest(tmp_path)
    aged(manifest, seconds=120)
    assert cache.probe("requirements.txt", str(manifest), True, True).hit is not None

"""Contract of baseline files: what is read, what is refused, what a rewrite keeps.

A baseline is a file teams commit; a file this version does not understand
must stop the run with one clear line (exit 2), never be half-read, and a
rewrite must not change its permissions.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from mldebtlint.adoption.baseline import (
    BASELINE_VERSION,
    BaselineEntry,
    Scope,
    apply_baseline,
    load_baseline,
    update_entries,
    write_baseline,
)
from mldebtlint.cli import main
from mldebtlint.core.errors import ConfigError
from mldebtlint.core.types import CheckResult, Finding, Location

SERVE = "def decide(proba):\n    if proba > 0.7:\n        return 1\n    return proba > 0.9\n"
GOOD_ENTRY = {"path": "serve.py", "line": 2, "code": "MLD101", "fingerprint": "c277f9888b2f5dad", "message": "m"}


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    (tmp_path / "mldebtlint.toml").write_text('select = ["MLD101"]\n', encoding="utf-8")
    (tmp_path / "serve.py").write_text(SERVE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


def write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data), encoding="utf-8")


# -- refused -----------------------------------------------------------------------------


@pytest.mark.parametrize("version", [2, 0, -1, "1", "2", None, 1.0, 1.5, True, [1], {"v": 1}])
def test_an_unknown_version_is_a_one_line_error(project, capsys, version):
    write_json(project / "base.json", {"version": version, "findings": [GOOD_ENTRY]})
    code, out, err = cli(capsys, "check", "--baseline", "base.json", ".")
    assert code == 2, out
    assert len(err.strip().splitlines()) == 1
    assert "base.json" in err and "version" in err


BAD_ENTRIES = [
    "serve.py:2: MLD101",  # a string, not an object
    ["serve.py", 2, "MLD101", "c277f9888b2f5dad"],
    42,
    None,
    {k: v for k, v in GOOD_ENTRY.items() if k != "fingerprint"},
    {k: v for k, v in GOOD_ENTRY.items() if k != "path"},
    {k: v for k, v in GOOD_ENTRY.items() if k != "code"},
    {**GOOD_ENTRY, "fingerprint": None},
    {**GOOD_ENTRY, "fingerprint": 123},
    {**GOOD_ENTRY, "fingerprint": ""},
    {**GOOD_ENTRY, "path": ["serve.py"]},
    {**GOOD_ENTRY, "code": {"MLD101": True}},
    {**GOOD_ENTRY, "line": "two"},
    {**GOOD_ENTRY, "line": 2.5},
    {**GOOD_ENTRY, "line": True},
    {**GOOD_ENTRY, "message": ["m"]},
]


@pytest.mark.parametrize("bad", BAD_ENTRIES, ids=range(len(BAD_ENTRIES)))
def test_a_malformed_entry_is_a_one_line_error_naming_it(project, capsys, bad):
    write_json(project / "base.json", {"version": BASELINE_VERSION, "findings": [GOOD_ENTRY, bad]})
    code, out, err = cli(capsys, "check", "--baseline", "base.json", ".")
    assert code == 2, out
    assert len(err.strip().splitlines()) == 1
    assert "base.json" in err and "bad entry" in err


@pytest.mark.parametrize(
    "data",
    [[GOOD_ENTRY], {"version": 1}, {"version": 1, "findings": {"a": GOOD_ENTRY}}, {"findings": None}, "findings"],
)
def test_a_file_that_is_not_a_baseline_object_is_refused(tmp_path, data):
    write_json(tmp_path / "base.json", data)
    with pytest.raises(ConfigError, match="not a valid baseline file"):
        load_baseline(tmp_path / "base.json")


def test_a_binary_file_is_refused_not_crashed_on(tmp_path):
    (tmp_path / "base.json").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ConfigError, match="base.json") as error:
        load_baseline(tmp_path / "base.json")
    assert "utf-8" in str(error.value) and "None" not in str(error.value)


def test_a_folder_given_as_baseline_names_the_reason(tmp_path):
    (tmp_path / "base.json").mkdir()
    with pytest.raises(ConfigError, match="base.json") as error:
        load_baseline(tmp_path / "base.json")
    assert "directory" in str(error.value).lower()


# -- read ----------------------------------------------------------------------------------


def test_a_minimal_entry_is_read_with_defaults(tmp_path):
    write_json(tmp_path / "base.json", {"findings": [{"path": "a.py", "code": "MLD101", "fingerprint": "ab"}]})
    assert load_baseline(tmp_path / "base.json") == [BaselineEntry("a.py", 0, "MLD101", "ab", "")]


def test_written_then_read_gives_the_same_entries_sorted(tmp_path):
    entries = [
        BaselineEntry("b.py", 3, "MLD101", "ff00", "later"),
        BaselineEntry("a.py", 9, "MLD102", "00ff", "earlier"),
        BaselineEntry("a.py", 9, "MLD102", "00ff", "earlier"),  # duplicates are kept
    ]
    write_baseline(tmp_path / "base.json", entries)
    data = json.loads((tmp_path / "base.json").read_text(encoding="utf-8"))
    assert data["version"] == BASELINE_VERSION == 1
    assert [item["path"] for item in data["findings"]] == ["a.py", "a.py", "b.py"]
    assert load_baseline(tmp_path / "base.json") == sorted(entries)
    assert (tmp_path / "base.json").read_text(encoding="utf-8").endswith("}\n")


# -- file mode -------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664])
def test_update_keeps_the_file_mode(project, capsys, mode):
    code, _, err = cli(capsys, "baseline", ".", "-o", "base.json")
    assert code == 0, err
    os.chmod(project / "base.json", mode)
    (project / "serve.py").write_text(SERVE.replace("proba > 0.9", "proba > limit"), encoding="utf-8")
    code, _, err = cli(capsys, "baseline", "--update", "-o", "base.json", ".")
    assert code == 0 and "dropped 1" in err
    assert stat.S_IMODE((project / "base.json").stat().st_mode) == mode
    assert len(load_baseline(project / "base.json")) == 1


def test_rewriting_an_existing_file_keeps_its_mode(tmp_path):
    target = tmp_path / "base.json"
    target.write_text("{}", encoding="utf-8")
    os.chmod(target, 0o600)
    write_baseline(target, [BaselineEntry("a.py", 1, "MLD101", "ab")])
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert load_baseline(target) == [BaselineEntry("a.py", 1, "MLD101", "ab")]


def test_a_new_file_is_readable_by_others(tmp_path):
    write_baseline(tmp_path / "base.json", [])
    assert stat.S_IMODE((tmp_path / "base.json").stat().st_mode) == 0o644


# -- matching ----------------------------------------------------------------------------------


def finding(fingerprint: str, path: str = "a.py", line: int = 1) -> Finding:
    return Finding(
        code="MLD101",
        rule="hardcoded-threshold",
        category="configuration",
        severity="warning",
        message="m",
        path=path,
        location=Location(line, 1, line, 2),
        fingerprint=fingerprint,
    )


def entry(fingerprint: str, path: str = "a.py", code: str = "MLD101") -> BaselineEntry:
    return BaselineEntry(path, 1, code, fingerprint)


EVERYTHING = Scope(frozenset({"a.py", "b.py"}), frozenset({"MLD101"}))


def test_each_entry_absorbs_one_finding_only():
    result = CheckResult(findings=(finding("f1"), finding("f1", line=5), finding("f2")))
    applied = apply_baseline(result, [entry("f1")], EVERYTHING)
    assert [(f.fingerprint, f.line) for f in applied.findings] == [("f1", 5), ("f2", 1)]
    assert applied.baselined == 1 and applied.baseline_fixed == 0


def test_entries_no_longer_found_count_as_fixed_only_in_scope():
    result = CheckResult(findings=(finding("f1"),))
    entries = [entry("f1"), entry("gone"), entry("gone2", path="c.py"), entry("gone3", code="MLD102")]
    applied = apply_baseline(result, entries, EVERYTHING)
    assert applied.findings == () and applied.baselined == 1
    assert applied.baseline_fixed == 1  # only "gone": c.py was not checked, MLD102 did not run


def test_a_finding_without_fingerprint_is_never_baselined():
    applied = apply_baseline(CheckResult(findings=(finding(""),)), [entry("")], EVERYTHING)
    assert len(applied.findings) == 1 and applied.baselined == 0


def test_update_drops_each_fixed_entry_once_and_never_adds():
    entries = [entry("f1"), entry("f1"), entry("gone"), entry("out", path="c.py")]
    kept = update_entries(entries, [finding("f1"), finding("new")], EVERYTHING)
    assert kept == [entry("f1"), entry("out", path="c.py")]
    assert update_entries(entries, [finding("f1"), finding("f1"), finding("gone")], EVERYTHING) == [
        entry("f1"),
        entry("f1"),
        entry("gone"),
        entry("out", path="c.py"),
    ]


def test_identical_entries_absorb_as_many_identical_findings():
    result = CheckResult(findings=(finding("f1"), finding("f1", line=2), finding("f1", line=3)))
    applied = apply_baseline(result, [entry("f1"), entry("f1")], EVERYTHING)
    assert [f.line for f in applied.findings] == [3]
    assert applied.baselined == 2 and applied.baseline_fixed == 0


def test_update_keeps_as_many_identical_entries_as_findings_remain():
    entries = [entry("f1"), entry("f1"), entry("f1")]
    assert update_entries(entries, [finding("f1")], EVERYTHING) == [entry("f1")]
    assert update_entries(entries, [finding("f1"), finding("f1")], EVERYTHING) == [entry("f1"), entry("f1")]

"""No input crashes a run: broken, undecodable, binary, empty, huge and odd
files become MLD000 findings (or nothing) and the rest is still linted."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from clirunner import BROKEN_SOURCE, CLEAN_SOURCE, THRESHOLD_SOURCE, invoke, write

LATIN1 = "# Modèle de scoring\nlabel = 'élevé'\n".encode("latin-1")
BINARY = bytes(range(256)) * 4


@pytest.fixture
def messy(tmp_path, monkeypatch):
    write(
        tmp_path,
        {
            "project/syntax_error.py": BROKEN_SOURCE,
            "project/latin1.py": LATIN1,
            "project/blob.py": BINARY,
            "project/empty.py": "",
            "project/clean.py": CLEAN_SOURCE,
            "project/serve.py": THRESHOLD_SOURCE,
        },
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def by_path(findings: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for item in findings:
        grouped.setdefault(item["path"].rsplit("/", 1)[-1], []).append(item)
    return grouped


def test_messy_folder_is_linted_to_the_end_in_a_real_process(messy):
    process = subprocess.run(
        [sys.executable, "-m", "mldebtlint", "check", "project", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 1
    assert "Traceback" not in process.stderr and "internal error" not in process.stderr
    grouped = by_path(json.loads(process.stdout))
    assert [f["code"] for f in grouped["syntax_error.py"]] == ["MLD000"]
    assert grouped["syntax_error.py"][0]["message"].startswith("syntax error")
    assert grouped["syntax_error.py"][0]["line"] == 2
    latin1 = grouped["latin1.py"][0]
    assert latin1["code"] == "MLD000" and "cannot decode" in latin1["message"] and "UTF-8" in latin1["message"]
    blob = grouped["blob.py"][0]
    assert blob["code"] == "MLD000" and "binary" in blob["message"]
    assert "empty.py" not in grouped and "clean.py" not in grouped
    assert "MLD101" in {f["code"] for f in grouped["serve.py"]}


def test_text_output_names_every_broken_file(messy):
    result = invoke(["check", "project"])
    assert result.exit_code == 1
    for name in ("syntax_error.py", "latin1.py", "blob.py"):
        assert f"project/{name}:" in result.stdout
    assert "6 files checked" in result.stdout


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"print 'hello'\n", "syntax error"),
        (b"# -*- coding: klingon -*-\nx = 1\n", "cannot decode"),
        (b"\xff\xfe\x00x\x00 = 1", "binary"),
        (b"x = 1\n" + b"\xe9\n", "cannot decode"),
        (b"def f():\n\treturn 1\n        return 2\n", "syntax error"),
    ],
    ids=["python2", "unknown-codec", "utf16", "bad-utf8-tail", "mixed-indent"],
)
def test_odd_files_become_mld000(tmp_path, content, fragment):
    target = tmp_path / "odd.py"
    target.write_bytes(content)
    result = invoke(["check", str(target), "--format", "json"])
    assert result.exit_code == 1, result.stderr
    (finding,) = json.loads(result.stdout)
    assert finding["code"] == "MLD000" and fragment in finding["message"]


@pytest.mark.parametrize(
    "content",
    [
        "# -*- coding: latin-1 -*-\nlabel = 'élevé'\n".encode("latin-1"),
        "\ufeffx = 1\n".encode("utf-8"),
        b"x = 1\r\ny = 2\r\n",
        b"x = 1",
        b"\n\n\n",
        b"#!/usr/bin/env python\n# only a comment\n",
    ],
    ids=["latin1-with-cookie", "utf8-bom", "crlf", "no-final-newline", "blank", "comment-only"],
)
def test_valid_but_unusual_files_are_clean(tmp_path, content):
    target = tmp_path / "fine.py"
    target.write_bytes(content)
    result = invoke(["check", str(target), "--format", "json"])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == []


def test_huge_file_is_skipped_with_mld000(tmp_path):
    target = tmp_path / "generated_weights.py"
    target.write_text("W = [\n" + "    0.123456789,\n" * 180_000 + "]\n", encoding="utf-8")
    result = invoke(["check", str(target), "--format", "json"])
    (finding,) = json.loads(result.stdout)
    assert finding["code"] == "MLD000" and "larger than" in finding["message"]


def test_deeply_nested_code_does_not_crash(tmp_path):
    target = tmp_path / "nested.py"
    target.write_text("x = " + "[" * 150 + "]" * 150 + "\n", encoding="utf-8")
    result = invoke(["check", str(target), "--format", "json"])
    assert result.exit_code in (0, 1) and "Traceback" not in result.stderr
    assert all(item["code"] == "MLD000" for item in json.loads(result.stdout))


def test_broken_manifests_do_not_stop_the_run(tmp_path):
    write(
        tmp_path,
        {
            "requirements.txt": "torch>=\n--weird-flag ???\n\x00\n",
            "pyproject.toml": "[project\nname=",
            "environment.yml": "dependencies: [unclosed\n",
            "Pipfile": "[packages\n",
            "setup.py": "from setuptools import setup\nsetup(install_requires=[\n",
            "broken.py": BROKEN_SOURCE,
        },
    )
    result = invoke(["check", str(tmp_path), "--format", "json"])
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert any(item["path"].endswith("broken.py") for item in json.loads(result.stdout))


def test_unreadable_path_in_the_middle_of_a_run(tmp_path):
    write(tmp_path, {"a.py": BROKEN_SOURCE, "b.py": CLEAN_SOURCE})
    (tmp_path / "dangling.py").symlink_to(tmp_path / "missing-target.py")
    result = invoke(["check", str(tmp_path), "--format", "json"])
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert any(item["path"].endswith("a.py") for item in json.loads(result.stdout))


def test_syntax_error_message_is_pythons_own(tmp_path):
    """libcst's parser lists expected tokens; the MLD000 message quotes CPython's instead."""
    from conftest import lint_source

    result = lint_source(tmp_path, "def f(x):\n    return foo(x\n\ny = 2\n", select=("MLD000", "MLD101"))
    (finding,) = result.findings
    assert finding.code == "MLD000"
    assert "'(' was never closed" in finding.message
    assert (finding.line, finding.column) == (2, 15)

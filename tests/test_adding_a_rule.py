"""The README's "Adding a rule" recipe, followed to the letter.

Every fenced block of that section starts with a comment naming its file; the
blocks are written into a copy of this checkout, the README's rule table is
regenerated with ``mldebtlint rules --format markdown`` (step 5), and the tests
that guard a rule (catalog, registration, examples, fixture oracles, README)
run in the copy against the new rule.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
SECTION = README.split("\n## Adding a rule\n", 1)[1].split("\n## ", 1)[0]
BLOCK = re.compile(r"^```(?:toml|python|text)\n(.*?)^```$", re.M | re.S)
GUARD_TESTS = (
    "tests/test_catalog.py",
    "tests/test_catalog_examples.py",
    "tests/test_registration.py",
    "tests/test_fixture_projects.py",
    "tests/test_oracles.py",
    "tests/test_readme.py",
)


def recipe_files() -> dict[str, str]:
    """``{relative path: text}`` of every block in the section."""
    files = {}
    for block in BLOCK.findall(SECTION):
        first = block.splitlines()[0]
        assert first.startswith("# "), f"a recipe block must start with '# <path>': {first!r}"
        files[first[2:].strip()] = block
    return files


def python(copy: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(copy))
    return subprocess.run([sys.executable, *args], cwd=copy, env=env, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    """A copy of the package, catalog, tests and README with the recipe applied
    (the other fixture projects are left out: only the new one is under test)."""
    copy = tmp_path_factory.mktemp("recipe")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".mldebtlint_cache")
    for folder in ("mldebtlint", "rules", "tests"):
        shutil.copytree(REPO / folder, copy / folder, ignore=ignore)
    for name in ("README.md", "pyproject.toml"):
        shutil.copy2(REPO / name, copy / name)
    (copy / ".ci").mkdir()
    shutil.copy2(REPO / ".ci" / "run", copy / ".ci" / "run")
    for relative, text in recipe_files().items():
        target = copy / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return copy


def test_the_recipe_names_each_file_of_a_rule():
    assert sorted(recipe_files()) == [
        "fixtures/device_pinning/expected-findings.txt",
        "fixtures/device_pinning/mldebtlint.toml",
        "fixtures/device_pinning/train.py",
        "mldebtlint/detectors/hardcoded_device.py",
        "rules/hardcoded-device.toml",
    ]


def test_the_new_rule_reports_its_fixture_with_data(checkout):
    result = python(checkout, "-m", "mldebtlint", "check", "fixtures/device_pinning", "--format", "json")
    assert result.returncode == 1, result.stderr
    findings = [(f["path"], f["line"], f["code"], f["rule"], f["data"]) for f in json.loads(result.stdout)]
    assert findings == [
        ("fixtures/device_pinning/train.py", 4, "MLD109", "hardcoded-device", {"device": "cuda:0"}),
    ]


def test_the_guard_tests_pass_once_the_table_is_regenerated(checkout):
    table = python(checkout, "-m", "mldebtlint", "rules", "--format", "markdown")
    assert table.returncode == 0 and "| MLD109 | hardcoded-device | configuration |" in table.stdout
    readme = checkout / "README.md"
    text = readme.read_text(encoding="utf-8")
    start = text.index("| code | name | category |")
    end = text.index("\n\n", start) + 1
    stale = text.replace(text[start:end], text[start:end].replace("| MLD000 ", "| MLD999 ", 1))
    readme.write_text(stale, encoding="utf-8")
    before = python(checkout, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_readme.py")
    assert before.returncode == 1, "a stale README table must fail tests/test_readme.py"
    readme.write_text(text[:start] + table.stdout + text[end:], encoding="utf-8")
    # Only the new fixture project is in the copy: the check that the fixtures
    # cover every rule family is left to the real checkout.
    family = "--deselect=tests/test_oracles.py::test_fixtures_hold_expectations_for_every_rule_family"
    result = python(checkout, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:warnings", family, *GUARD_TESTS)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "MLD109" in python(checkout, "-m", "pytest", "-q", "--co", "tests/test_catalog_examples.py").stdout

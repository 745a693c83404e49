"""Which files a run looks at: recursive walk, default skips, exclude
patterns, .gitignore (in a real git repository) and explicit files."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from clirunner import BROKEN_SOURCE, invoke, write

from mldebtlint.core.config import load_settings
from mldebtlint.engine.discovery import discover


def found(folder: Path, paths: list[Path] | None = None) -> set[str]:
    settings = load_settings(folder)
    files = discover(
        paths or [folder], Path(settings.root), settings.exclude, settings.extend_exclude, settings.respect_gitignore
    )
    return {f.path.relative_to(folder).as_posix() for f in files}


def checked_files(*args: str) -> set[str]:
    """The files the CLI checked, read from its JUnit report (one suite per file)."""
    result = invoke(["check", *args, "--format", "junit", "--exit-zero"])
    assert result.exit_code == 0, result.stderr
    return {suite.get("name") for suite in ET.fromstring(result.stdout).iter("testsuite")}


@pytest.fixture
def tree(tmp_path):
    write(
        tmp_path,
        {
            "train.py": "x = 1\n",
            "pkg/models/deep/net.py": "x = 1\n",
            "pkg/stub.pyi": "x: int\n",
            "requirements-dev.txt": "torch\n",
            "pyproject.toml": '[project]\nname = "demo"\n',
            "environment.yml": "dependencies: []\n",
            "notes.md": "# not code\n",
            "data/table.csv": "a,b\n",
            ".hidden/secret.py": "x = 1\n",
            "myenv/pyvenv.cfg": "home = /usr\n",
            "myenv/lib/site.py": "x = 1\n",
            ".venv/lib/x.py": "x = 1\n",
            "pkg/__pycache__/net.py": "x = 1\n",
            "build/lib/gen.py": "x = 1\n",
            "dist/pkg/gen.py": "x = 1\n",
            "node_modules/tool/x.py": "x = 1\n",
        },
    )
    return tmp_path


def test_recursive_walk_finds_python_and_manifests(tree):
    assert found(tree) == {
        "train.py",
        "pkg/models/deep/net.py",
        "pkg/stub.pyi",
        "requirements-dev.txt",
        "pyproject.toml",
        "environment.yml",
    }


def test_explicit_file_in_a_skipped_folder_is_linted(tree):
    assert found(tree, [tree / "build" / "lib" / "gen.py"]) == {"build/lib/gen.py"}
    assert found(tree, [tree / "myenv" / "lib" / "site.py"]) == {"myenv/lib/site.py"}


def test_explicit_file_without_python_suffix_is_linted_as_python(tree, monkeypatch):
    write(tree, {"bin/run-training": BROKEN_SOURCE})
    monkeypatch.chdir(tree)
    result = invoke(["check", "bin/run-training", "--format", "json"])
    assert result.exit_code == 1 and '"MLD000"' in result.stdout


def test_extend_exclude_adds_to_the_defaults(tree):
    write(tree, {"mldebtlint.toml": 'extend-exclude = ["pkg/models/", "requirements-*.txt"]\n'})
    assert found(tree) == {"train.py", "pkg/stub.pyi", "pyproject.toml", "environment.yml"}


def test_exclude_replaces_the_defaults(tree):
    write(tree, {"mldebtlint.toml": 'exclude = ["/pkg/"]\n'})
    result = found(tree)
    assert "build/lib/gen.py" in result and "dist/pkg/gen.py" in result
    assert not any(path.startswith("pkg/") for path in result)
    # Hidden folders and virtualenvs stay skipped whatever the patterns say.
    assert not any(path.startswith((".hidden/", "myenv/", ".venv/")) for path in result)


def test_exclude_glob_by_name(tree):
    write(tree, {"mldebtlint.toml": 'extend-exclude = ["net.py"]\n'})
    assert "pkg/models/deep/net.py" not in found(tree)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_gitignored_files_are_skipped_in_a_git_repo(tree, monkeypatch):
    subprocess.run(["git", "init", "-q", str(tree)], check=True)
    write(
        tree,
        {
            ".gitignore": "generated_*.py\nscratch/\n",
            "generated_model.py": BROKEN_SOURCE,
            "scratch/try.py": BROKEN_SOURCE,
            "pkg/.gitignore": "local_*.py\n",
            "pkg/local_settings.py": BROKEN_SOURCE,
            "pkg/kept.py": "x = 1\n",
        },
    )
    result = found(tree)
    assert "pkg/kept.py" in result and "train.py" in result
    assert not {"generated_model.py", "scratch/try.py", "pkg/local_settings.py"} & result
    monkeypatch.chdir(tree)
    checked = checked_files(".")
    assert "pkg/kept.py" in checked and "generated_model.py" not in checked
    # Named explicitly, an ignored file is still linted.
    assert checked_files("generated_model.py") == {"generated_model.py"}


def test_respect_gitignore_can_be_turned_off(tree):
    subprocess.run(["git", "init", "-q", str(tree)], check=True)
    write(
        tree,
        {
            ".gitignore": "generated_*.py\n",
            "generated_model.py": "x = 1\n",
            "mldebtlint.toml": "respect-gitignore = false\n",
        },
    )
    assert "generated_model.py" in found(tree)


def test_cli_checks_the_discovered_files(tree, monkeypatch):
    monkeypatch.chdir(tree)
    checked = checked_files(".")
    assert {"train.py", "pkg/models/deep/net.py", "requirements-dev.txt"} <= checked
    assert not any(path.startswith(("build/", ".hidden/", "myenv/")) for path in checked)


def test_the_same_file_given_twice_is_linted_once(tree, monkeypatch):
    write(tree, {"broken.py": BROKEN_SOURCE})
    monkeypatch.chdir(tree)
    result = invoke(["check", "broken.py", ".", "broken.py", "--format", "jsonl", "--select", "MLD000"])
    assert len(result.stdout.splitlines()) == 1


def test_requirement_folders_and_conda_variants_are_manifests(tmp_path):
    from mldebtlint.engine.discovery import discover

    (tmp_path / "requirements").mkdir()
    (tmp_path / "requirements" / "base.txt").write_text("torch>=2\n")
    (tmp_path / "environment-gpu.yml").write_text("dependencies:\n  - pytorch>=2\n")
    (tmp_path / "conda.yaml").write_text("dependencies:\n  - scikit-learn\n")
    (tmp_path / "notes.txt").write_text("not a manifest\n")
    found = {f.relative: f.manifest for f in discover([tmp_path], tmp_path)}
    assert found == {"requirements/base.txt": True, "environment-gpu.yml": True, "conda.yaml": True}

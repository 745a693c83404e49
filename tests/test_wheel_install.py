"""The wheel works on its own: build it, install it into a fresh virtualenv
(dependencies from the package index) and use it from another directory.
The rule catalog must ship inside the wheel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from mldebtlint.core.catalog import load_catalog

REPO = Path(__file__).resolve().parents[1]
# Builds a wheel and installs it with its dependencies from the package index:
# run by `pytest -m slow` (.ci/run does), not by the quick default run.
pytestmark = pytest.mark.slow


def run(args: list[str], cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        [str(arg) for arg in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """(the wheel file, the fresh venv's bin folder)."""
    work = tmp_path_factory.mktemp("wheel")
    built = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", work / "dist", REPO], cwd=work)
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = (work / "dist").glob("mldebtlint-*.whl")
    venv.EnvBuilder(with_pip=True).create(work / "venv")
    bin_dir = work / "venv" / "bin"
    install = run([bin_dir / "python", "-m", "pip", "install", "-q", wheel], cwd=work)
    assert install.returncode == 0, install.stderr[-3000:]
    return wheel, bin_dir


def test_wheel_ships_the_catalog(installed):
    wheel, _ = installed
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {Path(name).name for name in names if name.startswith("mldebtlint/_catalog/")}
    assert {Path(entry.source).name for entry in load_catalog().values()} <= shipped
    assert not any(name.startswith(("tests/", "fixtures/")) for name in names)


def test_installed_cli_lists_and_explains_rules_from_any_directory(installed, tmp_path):
    _, bin_dir = installed
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    rules = run([bin_dir / "mldebtlint", "rules", "--format", "json"], cwd=elsewhere)
    assert rules.returncode == 0, rules.stderr
    assert [item["code"] for item in json.loads(rules.stdout)] == list(load_catalog())
    explain = run([bin_dir / "mldebtlint", "explain", "MLD000"], cwd=elsewhere)
    assert explain.returncode == 0 and explain.stdout.startswith("MLD000 [parse-error]")
    assert load_catalog()["MLD000"].summary in explain.stdout
    by_name = run([bin_dir / "mldebtlint", "explain", "hardcoded-threshold"], cwd=elsewhere)
    assert by_name.returncode == 0 and by_name.stdout.startswith("MLD101 [hardcoded-threshold]")


def test_installed_cli_checks_files(installed, tmp_path):
    _, bin_dir = installed
    (tmp_path / "broken.py").write_text("import torch\nloss = = torch.tensor(0.0)\n", encoding="utf-8")
    (tmp_path / "clean.py").write_text("def add(a, b):\n    return a + b\n", encoding="utf-8")
    broken = run([bin_dir / "mldebtlint", "check", "broken.py", "--format", "json"], cwd=tmp_path)
    assert broken.returncode == 1, broken.stderr
    assert [item["code"] for item in json.loads(broken.stdout)] == ["MLD000"]
    clean = run([bin_dir / "mldebtlint", "check", "clean.py"], cwd=tmp_path)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    (tmp_path / "mldebtlint.toml").write_text("colour = true\n", encoding="utf-8")
    bad_config = run([bin_dir / "mldebtlint", "check", "clean.py"], cwd=tmp_path)
    assert bad_config.returncode == 2 and len(bad_config.stderr.strip().splitlines()) == 1
    assert "colour" in bad_config.stderr and "mldebtlint.toml" in bad_config.stderr


def fixture_projects() -> list[Path]:
    folder = REPO / "fixtures"
    return sorted(p for p in folder.iterdir() if (p / "expected-findings.txt").is_file()) if folder.is_dir() else []


def test_installed_cli_reports_the_fixture_findings(installed):
    projects = fixture_projects()
    assert projects, "fixtures/ must hold projects with expected-findings.txt"
    _, bin_dir = installed
    for project in projects:
        result = run([bin_dir / "mldebtlint", "check", ".", "--format", "json"], cwd=project)
        expected = sorted(
            line.split("#", 1)[0].strip()
            for line in (project / "expected-findings.txt").read_text(encoding="utf-8").splitlines()
            if line.split("#", 1)[0].strip()
        )
        findings = json.loads(result.stdout or "[]")
        actual = sorted(f"{item['path']}:{_cell(item)}{item['line']}: {item['code']}" for item in findings)
        assert actual == expected, project.name
        assert result.returncode == (1 if expected else 0)


def _cell(item: dict) -> str:
    return f"cell {item['cell']}:" if "cell" in item else ""

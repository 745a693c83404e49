"""Fault tests: hostile files and trees, broken config and manifests, races with
the file system, concurrent runs sharing a cache and runs killed mid-way.
Every case ends as a diagnostic or a one-line message, and the run finishes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import mldebtlint.engine.filepass as engine
import mldebtlint.engine.runner as runner
from mldebtlint.cli import main
from mldebtlint.core.config import Settings
from mldebtlint.engine.runner import RunOptions, run

THRESHOLD = """\
import numpy as np


def decide(model, X):
    proba = model.predict_proba(X)[:, 1]
    return np.where(proba > {cutoff}, 1, 0)
"""

HYPERPARAMETERS = """\
import torch


def fit(model):
    return torch.optim.Adam(model.parameters(), lr={lr})
"""


def mldebtlint(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the CLI in a child process: a crash (even SIGSEGV) fails the test, not the session."""
    return subprocess.run(
        [sys.executable, "-m", "mldebtlint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def findings_of(process: subprocess.CompletedProcess) -> list[tuple[str, int, str, str]]:
    assert process.returncode in (0, 1), process.stderr
    assert "Traceback" not in process.stderr and "internal error" not in process.stderr
    return sorted((f["path"], f["line"], f["code"], f["message"]) for f in json.loads(process.stdout))


def lint(folder: Path, **options) -> list:
    settings = Settings(root=str(folder))
    return list(run(RunOptions(paths=[folder], settings=settings, **options)).findings)


def test_deeply_nested_expressions_become_mld000_without_crashing(tmp_path):
    files = {
        "parens.py": "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n",
        "terms.py": "x = " + "+".join(["1"] * 100_000) + "\n",
        "multiline.py": "x = (\n" + "    1 +\n" * 5000 + "    1\n)\n",
        "black_style.py": "x = (\n    a\n" + "    + b\n" * 5000 + ")\n",
        "calls.py": "x = f" + "()" * 5000 + "\n",
        "serve.py": THRESHOLD.format(cutoff=0.7),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    found = findings_of(mldebtlint("check", "--no-cache", "--format", "json", ".", cwd=tmp_path))
    by_file = {path: (code, message) for path, _, code, message in found}
    for name in files:
        if name != "serve.py":
            code, message = by_file[name]
            assert code == "MLD000" and ("nested" in message), (name, message)
    assert by_file["serve.py"][0] == "MLD101"  # the rest of the tree is still linted


def test_a_5_mb_generated_file_is_skipped_with_mld000(tmp_path):
    rows = "    [" + ", ".join(["0.123456789"] * 16) + "],\n"
    (tmp_path / "weights.py").write_text("W = [\n" + rows * (5_000_000 // len(rows) + 1) + "]\n", encoding="utf-8")
    assert (tmp_path / "weights.py").stat().st_size > 5_000_000
    (tmp_path / "serve.py").write_text(THRESHOLD.format(cutoff=0.7), encoding="utf-8")
    found = {(f.path.rsplit("/", 1)[-1], f.code, f.message) for f in lint(tmp_path)}
    assert ("weights.py", "MLD000", "file skipped: larger than 2 MB") in found
    assert any(name == "serve.py" and code == "MLD101" for name, code, _ in found)


def test_symlink_loops_and_dangling_links_do_not_hang_or_crash(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "serve.py").write_text(THRESHOLD.format(cutoff=0.7), encoding="utf-8")
    (tmp_path / "pkg" / "up").symlink_to(tmp_path)  # a directory loop
    (tmp_path / "pkg" / "again").symlink_to(tmp_path / "pkg")
    (tmp_path / "self.py").symlink_to(tmp_path / "self.py")  # a file loop
    (tmp_path / "dangling.py").symlink_to(tmp_path / "missing.py")
    found = {(f.path.rsplit("/", 1)[-1], f.code) for f in lint(tmp_path)}
    assert ("serve.py", "MLD101") in found
    for name in ("self.py", "dangling.py"):
        assert (name, "MLD000") in found or all(path != name for path, _ in found)


def test_a_file_without_read_permission_becomes_mld000(tmp_path, monkeypatch):
    secret = tmp_path / "secret.py"
    secret.write_text(THRESHOLD.format(cutoff=0.7), encoding="utf-8")
    (tmp_path / "serve.py").write_text(THRESHOLD.format(cutoff=0.8), encoding="utf-8")
    if os.geteuid() != 0:
        secret.chmod(0)
    else:  # root reads everything: make the kernel's answer for this one file a refusal
        real_open = open

        def refusing_open(path, *args, **kwargs):
            if str(path) == str(secret):
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(engine, "open", refusing_open, raising=False)
    try:
        found = {(f.path.rsplit("/", 1)[-1], f.code, f.message) for f in lint(tmp_path, cache=False)}
    finally:
        secret.chmod(0o644)
    assert ("secret.py", "MLD000", "cannot read file: Permission denied") in found
    assert any(name == "serve.py" and code == "MLD101" for name, code, _ in found)


@pytest.mark.parametrize("cache", [False, True], ids=["no-cache", "cache"])
def test_a_file_deleted_between_discovery_and_read(tmp_path, monkeypatch, cache):
    (tmp_path / "gone.py").write_text(THRESHOLD.format(cutoff=0.7), encoding="utf-8")
    (tmp_path / "serve.py").write_text(THRESHOLD.format(cutoff=0.8), encoding="utf-8")
    real_discover = runner.discover

    def discover_then_delete(*args, **kwargs):
        files = list(real_discover(*args, **kwargs))
        (tmp_path / "gone.py").unlink(missing_ok=True)
        return iter(files)

    monkeypatch.setattr(runner, "discover", discover_then_delete)
    options = {"cache": cache}
    found = {(f.path.rsplit("/", 1)[-1], f.code, f.message) for f in lint(tmp_path, **options)}
    assert ("gone.py", "MLD000", "cannot read file: No such file or directory") in found
    assert any(name == "serve.py" and code == "MLD101" for name, code, _ in found)


def cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


@pytest.mark.parametrize(
    "content, message",
    [
        (b'[project]\nname = "caf\xe9"\ndependencies = ["torch>=2"]\n', "cannot decode file"),
        (b'[project\nname = "x"\n', "invalid TOML"),
    ],
)
def test_a_broken_pyproject_of_another_tool_is_a_manifest_diagnostic(tmp_path, monkeypatch, capsys, content, message):
    (tmp_path / "pyproject.toml").write_bytes(content)
    (tmp_path / "serve.py").write_text(THRESHOLD.format(cutoff=0.7), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli(capsys, "check", "--no-cache", "--format", "json", ".")
    found = {(f["path"], f["code"]) for f in json.loads(out)}
    assert code == 1 and ("serve.py", "MLD101") in found
    (diagnostic,) = [f for f in json.loads(out) if f["path"] == "pyproject.toml"]
    assert diagnostic["code"] == "MLD000" and message in diagnostic["message"]


@pytest.mark.parametrize(
    "content, message",
    [
        (b'[tool.mldebtlint]\nselect = ["MLD1"]\n# caf\xe9\n', "not valid UTF-8"),
        (b"[tool.mldebtlint]\nselect = [\n", "invalid TOML"),
    ],
)
def test_a_broken_pyproject_with_our_table_is_a_one_line_config_error(tmp_path, monkeypatch, capsys, content, message):
    (tmp_path / "pyproject.toml").write_bytes(content)
    (tmp_path / "serve.py").write_text(THRESHOLD.format(cutoff=0.7), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, "check", "--no-cache", ".")
    assert code == 2 and out == ""
    assert message in err and "pyproject.toml" in err and len(err.strip().splitlines()) == 1


def test_a_garbage_line_in_requirements_is_a_diagnostic_and_the_rest_is_checked(tmp_path, monkeypatch, capsys):
    (tmp_path / "requirements.txt").write_text(
        "numpy==1.26.0\n!!! garbage &&& line\ntorch>=2.0  # the framework\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli(capsys, "check", "--no-cache", "--format", "json", ".")
    found = sorted((f["line"], f["code"]) for f in json.loads(out))
    assert code == 1 and found == [(2, "MLD000"), (3, "MLD301")]


# -- the cache under concurrency and SIGKILL ------------------------------------------


@pytest.fixture(scope="module")
def busy_project(tmp_path_factory) -> Path:
    """Enough files that a cold run takes a while and uses the process pool."""
    root = tmp_path_factory.mktemp("busy")
    (root / "pyproject.toml").write_text("[tool.mldebtlint]\njobs = 2\n", encoding="utf-8")
    for index in range(160):
        package = root / f"pkg{index % 12}"
        package.mkdir(exist_ok=True)
        source = THRESHOLD.format(cutoff=round(0.5 + index / 1000, 3)) + "\n\n" + HYPERPARAMETERS.format(lr=index)
        (package / f"module_{index}.py").write_text(source * 3, encoding="utf-8")
    (root / "requirements.txt").write_text("torch>=2.0\nnumpy\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def clean_findings(busy_project) -> list:
    found = findings_of(mldebtlint("check", "--no-cache", "--format", "json", ".", cwd=busy_project))
    assert len(found) > 160
    return found


def test_two_concurrent_runs_sharing_one_cache_dir(busy_project, clean_findings, tmp_path):
    cache_dir = tmp_path / "shared-cache"
    args = [sys.executable, "-m", "mldebtlint", "check", "--cache-dir", str(cache_dir), "--format", "json", "."]
    first = subprocess.Popen(args, cwd=busy_project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(args, cwd=busy_project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for process in (first, second):
        out, err = process.communicate(timeout=180)
        assert findings_of(subprocess.CompletedProcess(args, process.returncode, out, err)) == clean_findings
    # What they left behind is a sound cache: a warm run agrees.
    warm = mldebtlint("check", "--cache-dir", str(cache_dir), "--format", "json", ".", cwd=busy_project)
    assert findings_of(warm) == clean_findings


@pytest.mark.parametrize("delay", [0.3, 0.9, 1.6])
def test_a_run_killed_mid_way_leaves_no_corrupt_cache(busy_project, clean_findings, tmp_path, delay):
    cache_dir = tmp_path / "cache"
    args = [sys.executable, "-m", "mldebtlint", "check", "--cache-dir", str(cache_dir), "--format", "json", "."]
    victim = subprocess.Popen(
        args, cwd=busy_project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    time.sleep(delay)
    try:
        os.killpg(victim.pid, signal.SIGKILL)  # the run and its pool workers
    except ProcessLookupError:
        pass  # it had already finished: the runs below must still agree
    victim.wait(timeout=30)
    after = mldebtlint("check", "--cache-dir", str(cache_dir), "--format", "json", ".", cwd=busy_project)
    assert findings_of(after) == clean_findings
    warm = mldebtlint("check", "--cache-dir", str(cache_dir), "--format", "json", ".", cwd=busy_project)
    assert findings_of(warm) == clean_findings

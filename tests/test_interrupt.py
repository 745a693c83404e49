"""Ctrl-C in the middle of a parallel run over a 500-file project: exit 130
with one line and no traceback, the worker processes gone, nothing
half-written (no temp files, no output file), and the next run's cache gives
the same findings as an uncached run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="watches workers through /proc (Linux)")

FILES = 500
MODULE = """\
from sklearn.ensemble import RandomForestClassifier


def approve_{index}(model, features):
    score = model.predict_proba(features)[:, 1]
    if score > 0.{digit}:
        return "approve"
    return "review"


def train_{index}(features, labels):
    return RandomForestClassifier(n_estimators=500, max_depth=12).fit(features, labels)
"""


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(item) for item in text.split()]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def mldebtlint(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mldebtlint", *args], cwd=cwd, capture_output=True, text=True, timeout=900, check=False
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)  # the project root
    for index in range(FILES):
        package = root / f"pkg{index // 50}"
        package.mkdir(exist_ok=True)
        (package / f"model_{index}.py").write_text(MODULE.format(index=index, digit=index % 9 + 1), encoding="utf-8")
    return root


def leftovers(root: Path) -> list[str]:
    """Temp files any mldebtlint write would leave behind if cut short."""
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.name.startswith(".tmp-") or path.name.endswith(".tmp")
    )


def findings(result: subprocess.CompletedProcess) -> list[tuple]:
    return sorted((f["path"], f["line"], f["code"], f["fingerprint"]) for f in json.loads(result.stdout))


def test_sigint_mid_run_exits_130_cleanly_and_the_cache_stays_consistent(project):
    process = subprocess.Popen(
        [sys.executable, "-m", "mldebtlint", "check", ".", "--jobs", "2", "--output-format", "json", "-o", "out.json"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 300
    while not children(process.pid) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    workers = children(process.pid)
    assert workers, "the pool never started"
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)

    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and stderr.strip().splitlines() == ["mldebtlint: interrupted"]
    assert stdout == ""
    for _ in range(100):  # reaped by now; allow the kernel a moment to tear them down
        if not any(alive(pid) for pid in workers):
            break
        time.sleep(0.05)
    assert not any(alive(pid) for pid in workers)
    assert leftovers(project) == [] and not (project / "out.json").exists()

    cached = mldebtlint("check", ".", "--jobs", "2", "--output-format", "json", cwd=project)
    uncached = mldebtlint("check", ".", "--no-cache", "--output-format", "json", cwd=project)
    warm = mldebtlint("check", ".", "--output-format", "json", cwd=project)
    assert cached.returncode == uncached.returncode == warm.returncode == 1, cached.stderr
    assert len(findings(uncached)) >= FILES
    assert findings(cached) == findings(uncached) == findings(warm)
    assert leftovers(project) == []
    assert os.listdir(project / ".mldebtlint_cache")

"""MLD402 says which kind of loop it found: a feedback loop through something
persisted, or (only with report-explicit-loops) an in-memory loop within one run."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def loops(project: Path) -> list[dict]:
    done = subprocess.run(
        [sys.executable, "-m", "mldebtlint", "check", "--select", "MLD402", "--no-cache", "--output-format", "json"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def test_in_memory_rounds_are_named_as_such_when_reported(tmp_path: Path):
    project = tmp_path / "rounds"
    project.mkdir()
    shutil.copy(FIXTURES / "self_training" / "rounds.py", project / "rounds.py")
    (project / "mldebtlint.toml").write_text("", encoding="utf-8")
    assert loops(project) == []  # deliberate, not hidden: silent by default
    (project / "mldebtlint.toml").write_text(
        "[rules.model-dependency-cycle]\nreport-explicit-loops = true\n", encoding="utf-8"
    )
    (finding,) = loops(project)
    assert finding["message"].startswith("in-memory loop within one run: ")


def test_a_persisted_loop_is_a_feedback_loop():
    (finding,) = loops(FIXTURES / "feedback_loop")
    assert finding["message"].startswith("feedback loop: ")

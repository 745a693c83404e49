"""Run the real ``mldebtlint`` entry point in-process, as a user would.

``invoke(args)`` goes through ``mldebtlint.cli.main`` (the console script's
function), so usage and configuration errors exit 2 with one stderr line
exactly as from a shell; click's CliRunner captures stdout and stderr apart.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import click
from click.testing import CliRunner, Result

from mldebtlint.cli import main

# A serving function with a hard-coded decision threshold (MLD101).
THRESHOLD_SOURCE = textwrap.dedent(
    """\
    def approve(model, features):
        score = model.predict_proba(features)[:, 1]
        if score > 0.7:
            return "approve"
        return "review"
    """
)
THRESHOLD_FIXED = textwrap.dedent(
    """\
    APPROVAL_THRESHOLD = 0.7


    def approve(model, features):
        score = model.predict_proba(features)[:, 1]
        if score > APPROVAL_THRESHOLD:
            return "approve"
        return "review"
    """
)
CLEAN_SOURCE = "def add(a, b):\n    return a + b\n"
BROKEN_SOURCE = "import torch\nloss = = torch.tensor(0.0)\n"
BROKEN_LINE = 2  # the line both parsers blame


class _Main(click.Command):
    """Adapter so CliRunner drives ``mldebtlint.cli.main`` itself."""

    def __init__(self) -> None:
        super().__init__("mldebtlint")

    def main(self, args=None, prog_name=None, **extra):  # noqa: D102 - click API
        main(list(args or ()))


def invoke(args: list[str], input: str | bytes | None = None) -> Result:
    return CliRunner().invoke(_Main(), [str(arg) for arg in args], input=input, catch_exceptions=False)


def write(folder: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return folder


def sample_project(folder: Path) -> Path:
    """A tiny project with findings: a broken file (MLD000), a clean one and a
    hard-coded threshold (MLD101)."""
    files: dict[str, str] = {
        "src/broken.py": BROKEN_SOURCE,
        "src/clean.py": CLEAN_SOURCE,
        "src/odd, name:v2.py": "def f(:\n",
        "src/serve.py": THRESHOLD_SOURCE,
    }
    return write(folder, files)

"""Dockerfiles and Containerfiles as manifests: the ``RUN`` instructions are
install commands (``pip install``, ``conda install``, the ``-r``/``-c`` files they
name), read by the shared install-command parser."""

from __future__ import annotations

import re
from pathlib import Path

from mldebtlint.manifests.install_commands import parse_install_commands
from mldebtlint.manifests.requirements import ParsedManifest

_RUN = re.compile(r"^(\s*RUN\s+)", re.IGNORECASE)


def run_commands(text: str) -> list[list[tuple[int, int, str]]]:
    """Each ``RUN`` instruction as physical segments ``(line, column, text)``:
    continuation lines joined, comment lines inside it skipped."""
    commands: list[list[tuple[int, int, str]]] = []
    current: list[tuple[int, int, str]] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if current is None:
            match = _RUN.match(line)
            if match is None:
                continue
            current, column, body = [], len(match.group(1)) + 1, line[match.end() :]
        elif line.lstrip().startswith("#"):
            continue
        else:
            column, body = 1, line
        continues = body.rstrip().endswith("\\")
        if continues:
            body = body.rstrip()[:-1]
        current.append((number, column, _shell_form(body)))
        if not continues:
            commands.append(current)
            current = None
    if current:
        commands.append(current)
    return commands


def _shell_form(body: str) -> str:
    """``["pip", "install", "torch"]`` (exec form) read as the words it holds."""
    stripped = body.strip()
    if stripped.startswith("[") and stripped.endswith("]"):
        return re.sub(r'[\[\],"]', " ", body)
    return body


def parse_dockerfile(text: str, folder: Path | None) -> ParsedManifest:
    manifest = parse_install_commands(run_commands(text), folder)
    manifest.kind = "dockerfile"
    return manifest

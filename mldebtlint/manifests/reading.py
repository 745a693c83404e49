"""Which manifest a file is, and one entry point that parses any of them.

Sits above ``requirements`` and ``formats`` so that neither imports the other
through it.
"""

from __future__ import annotations

from pathlib import Path

from mldebtlint.manifests.names import MANIFEST_PATTERNS, REQUIREMENTS_FOLDERS, is_manifest
from mldebtlint.manifests.requirements import ParsedManifest, parse_requirement_lines

__all__ = ["MANIFEST_PATTERNS", "REQUIREMENTS_FOLDERS", "is_manifest", "manifest_kind", "parse_manifest"]


def manifest_kind(name: str) -> str | None:
    """The parser for a manifest file name, or None."""
    lowered = name.lower()
    if lowered == "pyproject.toml":
        return "pyproject"
    if name == "Pipfile":
        return "pipfile"
    if lowered.startswith(("dockerfile", "containerfile")) or lowered.endswith(".dockerfile"):
        return "dockerfile"
    if lowered == "setup.cfg":
        return "setup.cfg"
    if lowered == "setup.py":
        return "setup.py"
    if lowered.startswith("bentofile") and lowered.endswith((".yml", ".yaml")):
        return "bentofile"
    if lowered.endswith((".yml", ".yaml")) and (
        lowered.startswith(("environment", "conda")) or "environment" in lowered
    ):
        return "environment.yml"
    if lowered.endswith((".txt", ".in")):
        return "requirements"
    return None


def parse_manifest(name: str, text: str, folder: Path | None = None) -> ParsedManifest:
    """Parse any supported manifest; unknown kinds give an empty result."""
    from mldebtlint.manifests.formats import (
        parse_bentofile,
        parse_environment_yml,
        parse_pipfile,
        parse_pyproject,
        parse_setup_cfg,
        parse_setup_py,
    )

    kind = manifest_kind(name)
    if kind == "pyproject":
        return parse_pyproject(text)
    if kind == "pipfile":
        return parse_pipfile(text)
    if kind == "dockerfile":
        from mldebtlint.manifests.dockerfile import parse_dockerfile

        return parse_dockerfile(text, folder)
    if kind == "setup.cfg":
        return parse_setup_cfg(text)
    if kind == "setup.py":
        return parse_setup_py(text)
    if kind == "environment.yml":
        return parse_environment_yml(text, folder)
    if kind == "bentofile":
        return parse_bentofile(text, folder)
    if kind == "requirements":
        seen = frozenset({(folder / name).resolve()}) if folder is not None else frozenset()
        return parse_requirement_lines(text, folder, "requirements", seen)
    return ParsedManifest(kind or "unknown")

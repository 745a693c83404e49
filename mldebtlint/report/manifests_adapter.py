"""Bridge to the manifest parser (``mldebtlint.manifests``) for the report's
dependency health section: every ML framework requirement, pinned or not.

Raises ImportError when the parser is missing, so the section falls back to
the MLD301 findings alone.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Any

from mldebtlint import apis
from mldebtlint.catalog import load_catalog
from mldebtlint.config import Settings
from mldebtlint.discovery import is_manifest
from mldebtlint.manifests import parse_manifest
from mldebtlint.types import CheckResult

UNPINNED_CODE = "MLD301"


def normalize(name: str) -> str:
    """PEP 503 project-name normalisation."""
    return re.sub(r"[-_.]+", "-", name).lower()


def framework_keys(settings: Settings) -> frozenset[str]:
    """The ML frameworks MLD301 watches (its list option), else the known import roots."""
    if UNPINNED_CODE in load_catalog():
        for name, value in settings.options_for(UNPINNED_CODE).items():
            if "framework" in name and isinstance(value, list) and value:
                return frozenset(normalize(str(item)) for item in value)
    return frozenset(normalize(root) for root in apis.ML_IMPORT_ROOTS)


def status_of(strength: str, specifier: str) -> str:
    if strength in ("exact", "upper-bound"):
        return strength
    return "range" if specifier else "unpinned"


def framework_requirements(result: CheckResult, settings: Settings) -> list[dict[str, Any]]:
    frameworks = framework_keys(settings)
    rows = []
    for file in result.files:
        name = PurePosixPath(file.path).name
        if not is_manifest(name, PurePosixPath(file.path).parent.name):
            continue
        path = Path(file.path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for entry in parse_manifest(name, text, path.parent).entries:
            # Entries reached through ``-r other.txt`` are listed at their own file.
            if getattr(entry, "origin", "") or normalize(entry.key) not in frameworks:
                continue
            specifier = entry.specifier or entry.url
            rows.append({"framework": normalize(entry.key), "path": file.path, "line": entry.span.line,
                         "specifier": specifier, "status": status_of(entry.strength, specifier)})
    return rows

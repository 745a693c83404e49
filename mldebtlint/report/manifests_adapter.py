"""The report's dependency health section: every ML framework requirement,
pinned or not, read from the manifests' per-file facts (the engine parses
each manifest once, in the per-file phase, and the cache keeps the facts).
"""

from __future__ import annotations

from typing import Any

from packaging.utils import canonicalize_name

from mldebtlint.core.config import Settings
from mldebtlint.core.types import CheckResult
from mldebtlint.engine.filepass import MANIFEST_FACTS

UNPINNED_CODE = "MLD301"


def normalize(name: str) -> str:
    """PEP 503 project-name normalisation."""
    return str(canonicalize_name(name))


def framework_keys(settings: Settings) -> frozenset[str]:
    """The ML frameworks MLD301 watches (its ``frameworks`` option)."""
    return frozenset(normalize(name) for name in settings.options_for(UNPINNED_CODE)["frameworks"])


def status_of(strength: str, specifier: str) -> str:
    if strength in ("exact", "upper-bound"):
        return strength
    return "range" if specifier else "unpinned"


def framework_requirements(result: CheckResult, settings: Settings) -> list[dict[str, Any]]:
    """Framework requirements from the manifests' per-file facts (no file is read again)."""
    frameworks = framework_keys(settings)
    rows = []
    for file in result.files:
        for entry in (file.facts or {}).get(MANIFEST_FACTS, ()):
            # Entries reached through ``-r other.txt`` are listed at their own file.
            if entry["origin"] or normalize(entry["key"]) not in frameworks:
                continue
            specifier = entry["specifier"]
            rows.append(
                {
                    "framework": normalize(entry["key"]),
                    "path": file.path,
                    "line": entry["line"],
                    "specifier": specifier,
                    "status": status_of(entry["strength"], specifier),
                }
            )
    return rows

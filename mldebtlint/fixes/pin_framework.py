"""What ``--fix`` checks again before writing an MLD301 pin the rule computed.

The pin's version came from a lock file or the environment when the manifest
was checked, and a cached result outlives both (the cache key covers the
manifest's bytes and the names beside it, not a lock file's content further
up nor ``pip install``). So the version is looked up again here from the same
sources, without parsing the manifest, and a fix whose version changed is not
applied. After the edits, the manifest is parsed back: no requirement may be
lost or become unreadable, and each rewritten one must now be an exact pin.
"""

from __future__ import annotations

from pathlib import Path

from mldebtlint.core.config import Settings
from mldebtlint.core.types import Fix
from mldebtlint.manifests import pins
from mldebtlint.manifests.pins import LockIndex
from mldebtlint.manifests.reading import parse_manifest
from mldebtlint.manifests.specs import EXACT


def pinned(fix: Fix) -> tuple[str, str] | None:
    """(package, version) a pin fix writes, or None for another fix."""
    inputs = dict(fix.inputs)
    if "package" in inputs and "version" in inputs:
        return inputs["package"], inputs["version"]
    return None


def stale(path: Path, fix: Fix, settings: Settings, locks: dict[Path, LockIndex]) -> str:
    """Why the pin of ``fix`` is stale ("" when its version is still the one to write)."""
    found = pinned(fix)
    if found is None:
        return ""
    package, version = found
    folder = path.parent
    if folder not in locks:
        locks[folder] = LockIndex(folder, Path(settings.root))
    now = locks[folder].version(package) or pins.installed_version(package)
    if now == version:
        return ""
    return f"the version of '{package}' changed since the check ({version}, now {now or 'none'}); run the check again"


def parses_back(path: Path, old: str, new: str, rewritten: dict[int, str]) -> bool:
    """Same entries and no more problems than before, and each rewritten ``{line: package}`` now pinned."""
    try:
        before, after = parse_manifest(path.name, old, path.parent), parse_manifest(path.name, new, path.parent)
    except Exception:
        return False
    if len(after.problems) > len(before.problems) or len(after.entries) != len(before.entries):
        return False
    exact = {(e.span.line, e.key) for e in after.entries if e.strength == EXACT and not e.origin}
    return all((line, key) in exact for line, key in rewritten.items())

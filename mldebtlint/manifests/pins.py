"""The exact pin the MLD301 fix writes: which version, and how the requirement reads pinned.

The version comes from a lock or constraints file in the manifest's folder or
above it (up to the project root: poetry.lock, uv.lock, pdm.lock,
Pipfile.lock, conda-lock.yml, a hashed requirements file, constraints*.txt),
else from the version installed in the running environment
(``importlib.metadata``). It must satisfy the range already written, or the
requirement is left alone. (A constraints file the manifest uses with ``-c``
needs no fix: an exact pin there already satisfies the rule.)

Only the requirement's own text is rewritten (its span from the manifest
parser), in its own notation: extras, environment markers and comments stay.
"""

from __future__ import annotations

import json
import re
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from mldebtlint.manifests.requirements import RequirementEntry

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TOML_LOCKS = ("poetry.lock", "uv.lock", "pdm.lock")
_KEY_VALUE = re.compile(
    r"""^(?P<key>["']?[A-Za-z0-9][\w.-]*["']?\s*=\s*)(?P<quote>["'])(?P<value>[^"'\n]*)(?P=quote)$"""
)
_CONDA_NAME = re.compile(r"^(?P<name>(?:[\w.-]+::)?[A-Za-z0-9][\w.-]*)(?P<rest>.*)$")
_PINNED_LINE = re.compile(r"^\s*([A-Za-z0-9][\w.-]*)(?:\[[^\]]*\])?\s*===?\s*([\w.!+-]+)")


def _toml_lock(path: Path) -> dict[str, str]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {
        canonicalize_name(p["name"]): str(p["version"])
        for p in data.get("package", [])
        if isinstance(p, dict) and "name" in p and "version" in p
    }


def _pipfile_lock(path: Path) -> dict[str, str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    versions: dict[str, str] = {}
    for section in ("default", "develop"):
        for name, info in (data.get(section) or {}).items():
            if isinstance(info, dict) and str(info.get("version", "")).startswith("=="):
                versions.setdefault(canonicalize_name(name), info["version"][2:])
    return versions


def _conda_lock(path: Path) -> dict[str, str]:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        canonicalize_name(p["name"]): str(p["version"])
        for p in data.get("package", [])
        if isinstance(p, dict) and "name" in p and "version" in p
    }


def _hashed_requirements(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    if "--hash" not in text:
        return {}
    return {canonicalize_name(m.group(1)): m.group(2) for m in map(_PINNED_LINE.match, text.splitlines()) if m}


def _constraint_pins(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    return {canonicalize_name(m.group(1)): m.group(2) for m in map(_PINNED_LINE.match, text.splitlines()) if m}


def _lock_readers(folder: Path):
    for name in TOML_LOCKS:
        yield folder / name, _toml_lock
    yield folder / "Pipfile.lock", _pipfile_lock
    yield folder / "conda-lock.yml", _conda_lock
    for candidate in sorted(folder.glob("requirements*.lock")) + sorted(folder.glob("requirements*.txt")):
        yield candidate, _hashed_requirements
    for candidate in sorted(folder.glob("constraints*.txt")):
        yield candidate, _constraint_pins


def installed_version(key: str) -> str | None:
    try:
        return metadata.version(key)
    except metadata.PackageNotFoundError:
        return None


def pin_text(entry: RequirementEntry, written: str, version: str) -> str | None:
    """The requirement text of ``entry`` pinned to ``version``, in its own notation."""
    if entry.url:
        return None
    if entry.group.startswith(("tool.poetry", "packages", "dev-packages")) or _KEY_VALUE.match(written):
        match = _KEY_VALUE.match(written)
        if match is None:
            return None  # an inline table: not rewritten
        value = version if entry.group.startswith("tool.poetry") else f"=={version}"
        return f"{match.group('key')}{match.group('quote')}{value}{match.group('quote')}"
    if entry.group == "conda":
        match = _CONDA_NAME.match(written)
        return f"{match.group('name')}=={version}" if match else None
    head, separator, tail = written.partition(";")
    try:
        requirement = Requirement(head.strip())
    except InvalidRequirement:
        return None
    leading = re.match(r"[A-Za-z0-9][\w.-]*", head.strip())
    if leading is None:
        return None
    name = leading.group(0)
    extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
    marker = (" " if head.endswith(" ") else "") + separator + tail if separator else ""
    return f"{name}{extras}=={version}{marker}"


class LockIndex:
    """Lock files from a manifest's folder up to the root, each read at most once."""

    def __init__(self, folder: Path, root: Path) -> None:
        self.folder, self.root = folder.resolve(), root.resolve()
        self._read: dict[Path, dict[str, str]] = {}

    def _versions(self, path: Path, reader) -> dict[str, str]:
        if path not in self._read:
            try:
                self._read[path] = reader(path) if path.is_file() else {}
            except Exception:  # a broken lock file is no source of truth
                self._read[path] = {}
        return self._read[path]

    def version(self, key: str) -> str | None:
        """The version of ``key`` in the nearest lock file, from the folder up to the root."""
        folder, root = self.folder, self.root
        for current in (folder, *folder.parents):
            for path, reader in _lock_readers(current):
                version = self._versions(path, reader).get(key)
                if version:
                    return version
            if current == root or root not in current.parents:
                break
        return None


def version_for(key: str, name: str, specifier: str, locks: LockIndex) -> tuple[str | None, str]:
    """The version to pin ``key`` to (lock file, else installed), or None and why not."""
    version = locks.version(key) or installed_version(key)
    if version is None:
        return None, f"no version of '{name}' in a constraints or lock file, and it is not installed here"
    try:
        allowed = SpecifierSet(specifier).contains(Version(version), prereleases=True)
    except (InvalidSpecifier, InvalidVersion):
        allowed = False
    if not allowed:
        return None, f"version {version} of '{name}' does not satisfy '{specifier}'"
    return version, ""

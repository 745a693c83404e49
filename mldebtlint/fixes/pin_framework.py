"""Fix MLD301: pin an unpinned ML framework to an exact version.

The version comes from a constraints file the manifest uses (``-c``), else from
a lock or constraints file in the manifest's folder or above it (up
to the project root: poetry.lock, uv.lock, pdm.lock, Pipfile.lock,
conda-lock.yml, a hashed requirements file), else from the version installed
in the running environment (``importlib.metadata``). It must satisfy the
range already written, or the requirement is left alone.

Only the requirement's own text is rewritten (its span from the manifest
parser): extras, environment markers, comments, other lines and their order
stay as they were. The result is parsed back with the same manifest parser
and kept only if the requirement now counts as pinned and no line became
unreadable.
"""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from mldebtlint.core.config import Settings
from mldebtlint.core.types import Finding
from mldebtlint.fixes import FixResult
from mldebtlint.manifests.reading import parse_manifest
from mldebtlint.manifests.requirements import RequirementEntry
from mldebtlint.manifests.specs import EXACT

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


def locked_version(key: str, folder: Path, root: Path) -> str | None:
    """The version of ``key`` in the nearest lock file, from ``folder`` up to ``root``."""
    folder, root = folder.resolve(), root.resolve()
    for current in (folder, *folder.parents):
        for path, reader in _lock_readers(current):
            if not path.is_file():
                continue
            try:
                version = reader(path).get(key)
            except Exception:  # a broken lock file is no source of truth
                continue
            if version:
                return version
        if current == root or root not in current.parents:
            break
    return None


def installed_version(key: str) -> str | None:
    try:
        return metadata.version(key)
    except metadata.PackageNotFoundError:
        return None


def _pin_text(entry: RequirementEntry, written: str, version: str) -> str | None:
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


def _constrained_version(entry: RequirementEntry, constraints: Sequence[RequirementEntry]) -> str | None:
    """The exact pin of ``entry`` in a constraints file the manifest uses (``-c``)."""
    for constraint in constraints:
        if constraint.key == entry.key and constraint.strength == EXACT:
            pinned = constraint.specifier.lstrip("=")
            return pinned or None
    return None


def _version_for(
    entry: RequirementEntry,
    path: Path,
    settings: Settings,
    constraints: list[RequirementEntry] = (),  # type: ignore[assignment]
) -> tuple[str | None, str]:
    version = (
        _constrained_version(entry, constraints)
        or locked_version(entry.key, path.parent, Path(settings.root))
        or installed_version(entry.key)
    )
    if version is None:
        return None, f"no version of '{entry.name}' in a constraints or lock file, and it is not installed here"
    try:
        allowed = SpecifierSet(entry.specifier).contains(Version(version), prereleases=True)
    except (InvalidSpecifier, InvalidVersion):
        allowed = False
    if not allowed:
        return None, f"version {version} of '{entry.name}' does not satisfy '{entry.specifier}'"
    return version, ""


def fix(path: Path, text: str, findings: list[Finding], settings: Settings) -> FixResult:
    manifest = parse_manifest(path.name, text, path.parent)
    lines = io.StringIO(text).readlines()
    skipped, fixed = [], {}
    for finding in findings:
        key = dict(finding.data).get("package", "")
        entry = next(
            (
                e
                for e in manifest.entries
                if e.key == key and not e.origin and e.span.line == finding.line and e.span.end_line == finding.line
            ),
            None,
        )
        where = f"{finding.path}:{finding.line}"
        if entry is None:
            skipped.append(f"{where}: {finding.code} not fixed: the requirement comes from another file")
            continue
        version, reason = _version_for(entry, path, settings, manifest.constraints)
        line = lines[entry.span.line - 1]
        written = line[entry.span.column - 1 : entry.span.end_column - 1]
        pinned = _pin_text(entry, written, version) if version else None
        if pinned is None:
            skipped.append(f"{where}: {finding.code} not fixed: {reason or 'this requirement form is not rewritten'}")
            continue
        lines[entry.span.line - 1] = line[: entry.span.column - 1] + pinned + line[entry.span.end_column - 1 :]
        fixed[entry.span.line] = entry.key
    new_text = "".join(lines)
    if fixed and not _parses_back(path, text, new_text, fixed):
        return FixResult(text, 0, (f"{path}: MLD301 fix skipped: the result did not parse back as pinned",))
    return FixResult(new_text, len(fixed), tuple(skipped))


def _parses_back(path: Path, old: str, new: str, fixed: dict[int, str]) -> bool:
    """Same entries and problems as before, and every rewritten one now pinned."""
    try:
        before, after = parse_manifest(path.name, old, path.parent), parse_manifest(path.name, new, path.parent)
    except Exception:
        return False
    if len(after.problems) > len(before.problems) or len(after.entries) != len(before.entries):
        return False
    pinned = {(e.span.line, e.key) for e in after.entries if e.strength == EXACT and not e.origin}
    return all((line, key) in pinned for line, key in fixed.items())

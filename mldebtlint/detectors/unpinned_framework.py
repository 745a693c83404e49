"""MLD301 unpinned-framework: an ML framework required without an exact pin
(or, with ``policy = "upper-bound"``, without an upper bound) in a
dependency manifest, unless a lock file or a constraint pins it.

Parsing lives in ``mldebtlint.manifests.requirements``; this module only decides. A line
the parser cannot read is reported as MLD000 on that line and the rest of
the manifest is still checked.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path, PurePosixPath

from packaging.utils import canonicalize_name

from mldebtlint.core.types import PARSE_ERROR_CODE, SAFE, Edit, Fix
from mldebtlint.manifests.install_commands import INSTALL_GROUP
from mldebtlint.manifests.names import is_manifest
from mldebtlint.manifests.pins import LockIndex, pin_text, version_for
from mldebtlint.manifests.requirements import ParsedManifest, RequirementEntry
from mldebtlint.manifests.specs import EXACT, UPPER_BOUND
from mldebtlint.rule import ManifestRule, Report

POLICIES = {"exact": (EXACT,), "upper-bound": (EXACT, UPPER_BOUND)}
HASHED_SIBLING_PATTERNS = ("requirements*.txt", "requirements*.lock")
# Manifests that install an application (not a distributable package's metadata).
APPLICATION_MANIFESTS = (
    "requirements*.txt",
    "*[-_.]requirements*.txt",
    "environment*.yml",
    "environment*.yaml",
    "Pipfile",
    "Dockerfile*",
    "bentofile*.yaml",
    "bentofile*.yml",
)


class UnpinnedFramework(ManifestRule):
    code = "MLD301"

    _locks: LockIndex | None = None

    def check(self) -> None:
        context = self.context
        folder = self._folder()
        manifest = context.parsed
        for problem in manifest.problems:
            context.reports.append(
                Report(
                    PARSE_ERROR_CODE,
                    f"{context.name}: {problem.message}",
                    line=problem.line,
                    column=problem.column,
                    end_line=problem.line,
                    end_column=problem.column,
                )
            )
        accepted = self._accepted_strengths(manifest)
        if accepted is None or self._lock_file(manifest, folder):
            return
        frameworks = {canonicalize_name(name) for name in self.options["frameworks"]}
        satisfied = {e.key for e in manifest.entries + manifest.constraints if e.strength in accepted}
        for entry in manifest.entries:
            if entry.key not in frameworks or entry.key in satisfied:
                continue
            if any(
                is_manifest(PurePosixPath(path).name, PurePosixPath(path).parent.name) for path in entry.include_chain
            ):
                continue  # that included manifest is linted (and reported) on its own
            self._report(entry, accepted)

    # -- policy -------------------------------------------------------------
    def _accepted_strengths(self, manifest: ParsedManifest) -> tuple[str, ...] | None:
        """Strengths that satisfy the policy; None turns the rule off here."""
        policy = self.options["policy"]
        if manifest.is_library:
            if not self.options["library-policy"] and self._application_manifest_beside():
                # A package's install_requires ranges are right for a library; the
                # application's pins belong (and are checked) in the manifest beside it.
                return None
            policy = self.options["library-policy"] or policy
        if policy == "ignore":
            return None
        return POLICIES[policy]

    def _application_manifest_beside(self) -> bool:
        return any(
            fnmatch.fnmatch(name, pattern) for name in self.context.sibling_names for pattern in APPLICATION_MANIFESTS
        )

    def _folder(self) -> Path | None:
        return Path(self.context.folder) if self.context.folder else None

    def _lock_file(self, manifest: ParsedManifest, folder: Path | None) -> str | None:
        """A lock file in the manifest's folder pins whatever ranges it allows."""
        if manifest.hashed:
            return self.context.name
        siblings = sorted(self.context.sibling_names - {self.context.name})
        patterns = self.options["lock-files"]
        for name in siblings:
            if any(fnmatch.fnmatch(name, pattern) for pattern in patterns):
                return name
        stem = self.context.name.rsplit(".", 1)[0]
        if self.context.name.endswith(".in") and f"{stem}.txt" in siblings:
            return f"{stem}.txt"  # pip-tools: requirements.in compiled to requirements.txt
        for name in siblings:
            if folder is not None and any(fnmatch.fnmatch(name, p) for p in HASHED_SIBLING_PATTERNS):
                if _has_hashes(folder / name):
                    return name
        return None

    # -- reporting ----------------------------------------------------------
    def _report(self, entry: RequirementEntry, accepted: tuple[str, ...]) -> None:
        want = "an exact pin" if UPPER_BOUND not in accepted else "an upper bound"
        where = f" in [{entry.group}]" if entry.group not in ("requirements", "") else ""
        if entry.origin:
            where = f" (from {PurePosixPath(entry.origin).name}, included here)"
            line, column, end_column = entry.via_line, 1, 0
        else:
            line, column, end_column = entry.span.line, entry.span.column, entry.span.end_column
        hint = "pin it with == or commit a lock file" if want == "an exact pin" else "add a < bound or pin it with =="
        message = f"ML framework '{entry.name}' is required without {want} ({entry.text}{where}); {hint}"
        if entry.group == INSTALL_GROUP:  # a notebook's %pip line or a Dockerfile's RUN: no lock file applies
            hint = "pin it with == in the command" if want == "an exact pin" else "add a < bound or pin it with =="
            message = f"ML framework '{entry.name}' is installed without {want} ({entry.text}); {hint}"
        # The pin rewrites this file's own line: a Dockerfile's RUN too (a notebook's %pip line
        # is an IPython line the notebook fix leaves alone: mldebtlint.engine.filepass drops it).
        fix = None if entry.origin or entry.url else self._pin(entry)
        self.report_at(
            line, column, message, end_column=end_column, fix=fix, package=entry.key, specifier=entry.specifier
        )

    def _pin(self, entry: RequirementEntry) -> Fix:
        """The edit pinning ``entry`` (its own line of this manifest) to the locked or installed version."""
        title = f"Pin {entry.name} to an exact version"
        span = entry.span
        if span.end_line != span.line:
            return Fix(SAFE, title, reason="the requirement comes from another file")
        if self._locks is None:
            folder = Path(self.context.folder) if self.context.folder else Path(".")
            self._locks = LockIndex(folder, Path(self.context.settings.root))
        version, reason = version_for(entry.key, entry.name, entry.specifier, self._locks)
        lines = self.context.text.split("\n")
        written = lines[span.line - 1][span.column - 1 : span.end_column - 1] if span.line <= len(lines) else ""
        pinned = pin_text(entry, written, version) if version else None
        if version is None or pinned is None:
            return Fix(SAFE, title, reason=reason or "this requirement form is not rewritten")
        edit = Edit(span.line, span.column, span.line, span.end_column, pinned)
        # --fix checks the version again: a cached fix must not write a version the lock
        # file or the environment no longer has (see mldebtlint.fixes.pin_framework).
        return Fix(SAFE, f"Pin {entry.name}=={version}", (edit,), inputs=(("package", entry.key), ("version", version)))


def _has_hashes(path: Path) -> bool:
    try:
        with path.open("r", encoding="utf-8", errors="replace") as handle:
            return "--hash" in handle.read(200_000)
    except OSError:
        return False

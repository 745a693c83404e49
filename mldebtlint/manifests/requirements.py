"""Dependency manifests -> requirement entries with source spans.

One ``parse_*`` function per manifest kind (requirements files here, the
others in ``mldebtlint.manifests.formats``); ``parse_manifest`` picks by file
name. Every entry keeps the 1-based span of the requirement as written, so
a rule can point at it and a fixer can rewrite exactly that text.

Requirement strings and specifiers go through ``packaging``; conda match
specs and Poetry constraints are translated to PEP 440 first
(``mldebtlint.manifests.specs``). A line that cannot be understood is
skipped and recorded as a ``Problem``; only a file whose syntax is broken
as a whole (invalid TOML/YAML) yields no entries.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from mldebtlint.core.types import Location
from mldebtlint.manifests.lines import INCLUDE_OPTIONS, logical_lines, option_value
from mldebtlint.manifests.specs import canonical_key, requirement_from_url_line, strength_of

MAX_INCLUDE_DEPTH = 10


@dataclass(frozen=True)
class RequirementEntry:
    """One requirement of a manifest, as written."""

    name: str  # the project name as written
    key: str  # PEP 503 normalised, conda aliases resolved (pytorch -> torch)
    text: str  # the requirement text as written
    span: Location
    specifier: str = ""  # PEP 440 specifier set ("" when none)
    url: str = ""  # direct URL or VCS reference
    marker: str = ""
    extras: tuple[str, ...] = ()
    hashed: bool = False
    group: str = ""  # where it sits: "project.dependencies", "conda", "pip", ...
    origin: str = ""  # the file it came from (and its span is in) when reached through -r/-c
    via_line: int = 0  # line of the -r/-c in this manifest that reached it
    include_chain: tuple[str, ...] = ()  # included files from this manifest's -r/-c to origin

    @property
    def strength(self) -> str:
        """EXACT, UPPER_BOUND or UNBOUNDED (see manifest_specs)."""
        return strength_of(self.specifier, self.url)


@dataclass(frozen=True)
class Problem:
    """A line (or file) the parser could not understand."""

    line: int
    column: int
    message: str


@dataclass
class ParsedManifest:
    kind: str
    entries: list[RequirementEntry] = field(default_factory=list)
    # Pins that constrain but do not require (-c files, uv constraint-dependencies).
    constraints: list[RequirementEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Packaging metadata of a distributable project (setup.py, setup.cfg,
    # pyproject with [build-system]): ranges are normal there.
    is_library: bool = False
    hashed: bool = False


class SourceText:
    """Offset <-> (line, column) conversions and literal lookup in a file."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines()
        self.starts = [0]
        for line in text.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1

    def span(self, start: int, end: int) -> Location:
        return Location(*self.position(start), *self.position(end))

    def header_offset(self, table: str) -> int:
        """Offset of a ``[table]`` header (or 0 when absent)."""
        for index, line in enumerate(self.lines):
            stripped = line.split("#", 1)[0].strip()
            if stripped in (f"[{table}]", f"[[{table}]]"):
                return self.starts[index]
        return 0

    def find_literal(self, value: str, start: int) -> tuple[int, int] | None:
        """Offsets of a quoted ``value`` (TOML basic or literal string)."""
        best = None
        for quote in ('"', "'"):
            at = self.text.find(f"{quote}{value}{quote}", start)
            if at >= 0 and (best is None or at < best):
                best = at
        return (best + 1, best + 1 + len(value)) if best is not None else None

    def find_key(self, key: str, start: int) -> tuple[int, int] | None:
        """Offsets of the line ``key = ...`` at or after ``start`` (same table)."""
        line_index = bisect.bisect_right(self.starts, start) - 1
        for index in range(max(line_index, 0), len(self.lines)):
            stripped = self.lines[index].strip()
            if index > line_index and stripped.startswith("["):
                break
            name = stripped.split("=", 1)[0].strip().strip("\"'")
            if "=" in stripped and name == key:
                begin = self.starts[index] + len(self.lines[index]) - len(self.lines[index].lstrip())
                return begin, self.starts[index] + len(self.lines[index].rstrip())
        return None


# -- requirement lines (requirements files, environment.yml pip: lists) -------


def _parse_requirement(text: str, hashed: bool, span: Location, group: str) -> RequirementEntry | Problem | None:
    """One requirement (PEP 508, or a bare/egg URL); None for local paths."""
    stripped = text.strip()
    if stripped.startswith((".", "/", "~", "file:")) or stripped in ("",):
        return None
    try:
        requirement = Requirement(stripped)
    except InvalidRequirement as exc:
        from_url = requirement_from_url_line(stripped)
        if from_url is not None:
            name, url = from_url
            return RequirementEntry(name, canonical_key(name), stripped, span, url=url, hashed=hashed, group=group)
        if "${" in stripped:  # pip expands environment variables at install time
            return None
        reason = str(exc).splitlines()[0] if str(exc) else "invalid requirement"
        return Problem(span.line, span.column, f"cannot parse requirement {stripped!r}: {reason}")
    return RequirementEntry(
        requirement.name,
        canonical_key(requirement.name),
        stripped,
        span,
        specifier=str(requirement.specifier),
        url=requirement.url or "",
        marker=str(requirement.marker or ""),
        extras=tuple(sorted(requirement.extras)),
        hashed=hashed,
        group=group,
    )


def parse_requirement_lines(
    text: str, folder: Path | None, group: str = "requirements", _seen: frozenset[Path] = frozenset(), _depth: int = 0
) -> ParsedManifest:
    """A requirements file: -r/-c includes are read relative to ``folder``."""
    doc, manifest = SourceText(text), ParsedManifest("requirements")
    for start, end, content in logical_lines(text):
        body = content.strip()
        if not body:
            continue
        lead = start + content.index(body[0])
        span = doc.span(lead, max(end, lead + len(body)))
        tokens = body.split()
        if body.startswith("-") and not body.startswith(("-e", "--editable")):
            for kind, long, short in INCLUDE_OPTIONS:
                target = option_value(tokens, long, short)
                if target is not None:
                    _include(manifest, folder, target, kind, span.line, _seen, _depth)
            continue
        if body.startswith(("-e", "--editable")):
            body = option_value(tokens, "--editable", "-e") or ""
        requirement_text, options = _split_options(body)
        hashed = "--hash" in options
        manifest.hashed |= hashed
        item = _parse_requirement(requirement_text, hashed, span, group)
        if isinstance(item, Problem):
            manifest.problems.append(item)
        elif item is not None:
            end_col = span.column + len(requirement_text.rstrip())
            manifest.entries.append(_with_span(item, Location(span.line, span.column, span.line, end_col)))
    return manifest


def _split_options(body: str) -> tuple[str, str]:
    """``torch==2.3 --hash=sha256:.. -C k=v`` -> requirement, per-requirement options.
    Options are whitespace-separated tokens starting with "-" after the first token."""
    position = 0
    for index, token in enumerate(body.split()):
        position = body.index(token, position)
        if index and token.startswith("-"):
            return body[:position].rstrip(), body[position:]
        position += len(token)
    return body, ""


def _with_span(entry: RequirementEntry, span: Location) -> RequirementEntry:
    return replace(entry, span=span)


def _include(
    manifest: ParsedManifest, folder: Path | None, target: str, kind: str, line: int, seen: frozenset[Path], depth: int
) -> None:
    if folder is None or depth >= MAX_INCLUDE_DEPTH or "://" in target:
        return
    path = (folder / target).resolve()
    if path in seen:
        return
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return  # a missing include is pip's error to report; nothing to check here
    included = parse_requirement_lines(text, path.parent, "requirements", seen | {path}, depth + 1)

    # Reports go on the including file, so via_line is always the line here.
    def move(entry: RequirementEntry) -> RequirementEntry:
        return replace(
            entry, origin=entry.origin or str(path), via_line=line, include_chain=(str(path), *entry.include_chain)
        )

    moved = [move(e) for e in included.entries]
    if kind == "r":
        manifest.entries.extend(moved)
        manifest.constraints.extend(move(e) for e in included.constraints)
    else:
        manifest.constraints.extend(moved + included.constraints)


# -- dispatch -------------------------------------------------------------

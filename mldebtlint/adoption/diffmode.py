"""Diff mode: report only findings on lines changed since a git revision.

``check --diff-from REV`` still analyses whole files (a rule needs the whole
function) and the repo-wide model graph (the runner collects facts from every
file); only the *reporting* is limited to the changed files and, in them, to
findings whose span touches a changed line. ``REV`` defaults to ``HEAD``:
staged plus unstaged changes. Files git does not track yet count as wholly
changed. Changed lines come from ``git diff -U0 REV`` hunk headers.
"""

from __future__ import annotations

import codecs
import os
import re
import subprocess
from dataclasses import replace
from pathlib import Path

from mldebtlint.core.config import Settings
from mldebtlint.core.errors import ConfigError
from mldebtlint.core.types import CheckResult, Finding
from mldebtlint.engine.discovery import discover

# realpath -> changed 1-based line numbers, or None for "every line" (untracked).
ChangedLines = dict[str, "set[int] | None"]

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


def _git(args: list[str], cwd: Path) -> str:
    command = ["git", "-c", "core.quotepath=off", *args]
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise ConfigError("--diff-from needs git, which is not installed") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ConfigError(f"git {args[0]} failed: {message[0] if message else 'exit ' + str(done.returncode)}")
    return done.stdout.decode("utf-8", "surrogateescape")


def git_toplevel(start: Path) -> Path:
    folder = start if start.is_dir() else start.parent
    try:
        return Path(_git(["rev-parse", "--show-toplevel"], folder).strip())
    except ConfigError:
        raise ConfigError(f"{start}: --diff-from needs a git work tree") from None


def _unquote(name: str) -> str:
    """git quotes odd file names C-style: "a\\tb" -> a<TAB>b."""
    if len(name) >= 2 and name[0] == name[-1] == '"':
        raw = codecs.escape_decode(name[1:-1].encode("utf-8", "surrogateescape"))[0]
        return raw.decode("utf-8", "surrogateescape")
    return name


def parse_diff(text: str) -> dict[str, set[int]]:
    """Changed lines of the new side of a ``git diff -U0`` per file (git-relative path)."""
    changed: dict[str, set[int]] = {}
    current: set[int] | None = None
    for line in text.splitlines():
        if line.startswith("+++ "):
            name = _unquote(line[4:].rstrip("\t"))
            if name == "/dev/null":
                current = None  # the file was deleted
                continue
            current = changed.setdefault(name[2:] if name.startswith("b/") else name, set())
        elif line.startswith("@@") and current is not None:
            match = _HUNK.match(line)
            if match:
                start, count = int(match.group(1)), int(match.group(2) or 1)
                current.update(range(start, start + count))
    return changed


def changed_lines(start: Path, rev: str) -> ChangedLines:
    """Lines changed in the work tree (staged or not) since ``rev``, plus untracked files."""
    top = git_toplevel(start.resolve())
    if rev.startswith("-"):
        raise ConfigError(f"--diff-from: '{rev}' is not a revision")
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], top)
    except ConfigError:
        raise ConfigError(f"--diff-from: unknown git revision '{rev}' in {top}") from None
    diff = _git(["diff", "--no-color", "--no-ext-diff", "--no-textconv", "-U0", rev, "--"], top)
    result: ChangedLines = {os.path.realpath(top / name): lines for name, lines in parse_diff(diff).items()}
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], top)
    for name in filter(None, untracked.split("\0")):
        result[os.path.realpath(top / name)] = None
    return result


def restrict_paths(paths: list[Path], settings: Settings, changed: ChangedLines) -> list[Path]:
    """The files to report on: the discovered files under ``paths`` that changed."""
    files = discover(paths, Path(settings.root), settings.exclude, settings.extend_exclude, settings.respect_gitignore)
    return [file.path for file in files if os.path.realpath(file.path) in changed]


def on_changed_line(finding: Finding, changed: ChangedLines) -> bool:
    key = os.path.realpath(finding.path)
    if key not in changed:
        return False
    lines = changed[key]
    if lines is None:
        return True
    location = finding.location
    # git diffs a notebook's JSON text: compare with the lines of that text.
    start, end = finding.file_lines or (location.line, location.end_line)
    return any(line in lines for line in range(start, max(start, end) + 1))


def filter_changed(result: CheckResult, changed: ChangedLines) -> CheckResult:
    kept = tuple(finding for finding in result.findings if on_changed_line(finding, changed))
    return replace(result, findings=kept)

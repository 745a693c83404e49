"""Baselines: adopt mldebtlint on a legacy repo and fail only on new debt.

A baseline file records today's findings by fingerprint (see
``mldebtlint/fingerprint.py``). ``check --baseline FILE`` drops the findings
whose fingerprint is recorded and counts the recorded ones that are gone, so
the file can be tightened with ``baseline --update`` (drops fixed findings,
never adds). Writes are atomic: a temp file in the same folder, then
``os.replace``, so a killed run never leaves half a baseline.

A file that does not parse now (MLD000) was not checked: its recorded
findings are neither reproduced nor fixed. They stay in the baseline and are
reported as "not checked (parse error)", so a syntax error never drops
entries that would come back as new once it is fixed.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from mldebtlint import __version__
from mldebtlint.core.errors import ConfigError
from mldebtlint.core.types import PARSE_ERROR_CODE, CheckResult, Finding

BASELINE_VERSION = 1
DEFAULT_BASELINE = ".mldebtlint-baseline.json"


@dataclass(frozen=True, order=True)
class BaselineEntry:
    """One recorded finding. Only the fingerprint matches; the rest helps humans."""

    path: str  # relative to the project root
    line: int
    code: str
    fingerprint: str
    message: str = ""


@dataclass(frozen=True)
class Scope:
    """What a run could have reproduced: only these entries can count as fixed."""

    paths: frozenset[str]  # root-relative paths of the files checked
    codes: frozenset[str]  # rules enabled
    unparsed: frozenset[str] = frozenset()  # of ``paths``, those that failed to parse (MLD000)

    def covers(self, entry: BaselineEntry) -> bool:
        return entry.path in self.paths and entry.path not in self.unparsed and entry.code in self.codes

    def unchecked(self, entries: Iterable[BaselineEntry]) -> list[BaselineEntry]:
        """Entries of files that failed to parse: kept, shown as "not checked (parse error)"."""
        return [entry for entry in entries if entry.path in self.unparsed]


def relative_path(display: str, root: str | Path) -> str:
    """A finding's (display) path relative to the project root, POSIX style."""
    absolute = Path(os.path.abspath(display))
    for base in (Path(os.path.abspath(root)), Path(root).resolve()):
        try:
            return absolute.relative_to(base).as_posix()
        except ValueError:
            continue
    try:
        return absolute.resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return absolute.as_posix()


def entries_for(findings: Iterable[Finding], root: str | Path) -> list[BaselineEntry]:
    entries = [BaselineEntry(relative_path(f.path, root), f.line, f.code, f.fingerprint, f.message) for f in findings]
    return sorted(entries)


def unparsed_files(result: CheckResult) -> list[str]:
    """Paths (as displayed) of the files whose analysis ended in a parse error."""
    return sorted(
        file.path for file in result.files if any(finding.code == PARSE_ERROR_CODE for finding in file.findings)
    )


def scope_of(result: CheckResult, codes: Iterable[str], root: str | Path) -> Scope:
    unparsed = frozenset(relative_path(path, root) for path in unparsed_files(result))
    return Scope(frozenset(relative_path(f.path, root) for f in result.files), frozenset(codes), unparsed)


def unchecked_summary(entries: Iterable[BaselineEntry]) -> str:
    """``3 in train.py, 1 in serve.py`` for the entries not checked."""
    counts = Counter(entry.path for entry in entries)
    return ", ".join(f"{count} in {path}" for path, count in sorted(counts.items()))


def load_baseline(path: Path) -> list[BaselineEntry]:
    """Read a baseline file; a missing or malformed one is a ConfigError (exit 2)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: baseline file not found (create it with 'mldebtlint baseline -o {path}')") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read baseline: {getattr(exc, 'strerror', None) or exc}") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: not a valid baseline file: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise ConfigError(f"{path}: not a valid baseline file: expected an object with a 'findings' list")
    version = data.get("version", BASELINE_VERSION)
    if type(version) is not int or version != BASELINE_VERSION:
        raise ConfigError(
            f"{path}: baseline version {version!r:.40} is not supported (this mldebtlint reads version {BASELINE_VERSION})"
        )
    entries = []
    for item in data["findings"]:
        entry = _entry(item)
        if entry is None:
            raise ConfigError(f"{path}: not a valid baseline file: bad entry {item!r:.80}")
        entries.append(entry)
    return entries


def _entry(item: object) -> BaselineEntry | None:
    """An entry: path, code and fingerprint non-empty strings; line an int; message a string."""
    if not isinstance(item, dict):
        return None
    fields = [value for value in (item.get(name) for name in ("path", "code", "fingerprint")) if isinstance(value, str)]
    if len(fields) != 3 or not all(fields):
        return None
    line, message = item.get("line", 0), item.get("message", "")
    if type(line) is not int or not isinstance(message, str):
        return None
    return BaselineEntry(fields[0], line, fields[1], fields[2], message)


def write_baseline(path: Path, entries: Iterable[BaselineEntry]) -> None:
    """Write atomically: temp file beside the target, fsync, rename over it."""
    payload = {
        "version": BASELINE_VERSION,
        "generator": f"mldebtlint {__version__}",
        "findings": [
            {"path": e.path, "line": e.line, "code": e.code, "fingerprint": e.fingerprint, "message": e.message}
            for e in sorted(entries)
        ],
    }
    text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    atomic_write_text(path, text)


def atomic_write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` through a temp file beside it; an OSError names ``path``."""
    atomic_write_bytes(path, text.encode(encoding))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """``atomic_write_text`` for bytes (a notebook is rewritten byte for byte)."""
    path = Path(path)
    try:
        if path.exists() and not path.is_file():  # /dev/stdout, a named pipe: nothing to replace
            with open(path, "wb") as handle:
                handle.write(data)
            return
        _atomic_write(path, data)
    except OSError as exc:
        # The user asked for ``path``; the temp file's name would only confuse.
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None


def _atomic_write(path: Path, data: bytes) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    descriptor, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(temp, path.stat().st_mode & 0o7777)
        else:
            os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def apply_baseline(result: CheckResult, entries: list[BaselineEntry], scope: Scope) -> CheckResult:
    """Drop baselined findings; count the baselined ones the run no longer finds."""
    remaining = Counter(entry.fingerprint for entry in entries)
    kept: list[Finding] = []
    for finding in result.findings:
        if finding.fingerprint and remaining[finding.fingerprint] > 0:
            remaining[finding.fingerprint] -= 1
        else:
            kept.append(finding)
    fixed = _fixed(entries, result.findings, scope)
    return replace(result, findings=tuple(kept), baselined=len(result.findings) - len(kept), baseline_fixed=len(fixed))


def update_entries(entries: list[BaselineEntry], findings: Iterable[Finding], scope: Scope) -> list[BaselineEntry]:
    """The baseline minus the entries that are fixed; never adds one."""
    fixed = Counter(entry for entry in _fixed(entries, findings, scope))
    kept = []
    for entry in entries:
        if fixed[entry] > 0:
            fixed[entry] -= 1
        else:
            kept.append(entry)
    return kept


def _fixed(entries: list[BaselineEntry], findings: Iterable[Finding], scope: Scope) -> list[BaselineEntry]:
    """Entries in scope whose fingerprint the current findings do not reproduce."""
    available = Counter(finding.fingerprint for finding in findings)
    fixed = []
    for entry in entries:
        if not scope.covers(entry):
            continue
        if available[entry.fingerprint] > 0:
            available[entry.fingerprint] -= 1
        else:
            fixed.append(entry)
    return fixed

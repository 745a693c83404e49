"""The results cache: per file, so a warm run re-analyses nothing.

One index file per run key (mldebtlint version + a signature of the installed
package and catalog + the enabled rules + the settings' ``key()`` + the
project root) maps each file's root-relative path to its last ``FileResult``
plus what identifies the content it was computed from: size, mtime and ctime
(the cheap first check; ``os.utime`` can put an mtime back but not a ctime)
and a SHA-256 of the bytes (the fallback when the stat differs, e.g. after a
``git checkout``). A stat taken within ``RACY_SECONDS`` of the file's last
change is not trusted: such an entry is always checked by hash. A manifest's entry also records the
file names beside it, since a lock file there changes its results.

Writes are atomic (a temporary file, then ``os.replace``): a killed run leaves
the old index, and concurrent runs never corrupt it (the last writer wins,
merged with what it finds on disk). Any unreadable index is simply a miss.
Importing this module does not import libcst.

Where: ``.mldebtlint_cache`` in the project root, and for a path named on
the command line that lies outside that root, in that path's own project
root (``check ex1 ex2`` keeps ex2's results under ex2). Each write prunes the
folder to the current run key of its project root (an older version or other
settings leave no index behind), and a run with nothing to cache creates no
folder at all.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import re
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mldebtlint import __version__
from mldebtlint.core.types import FileResult
from mldebtlint.manifests.lines import include_targets

CACHE_DIR_NAME = ".mldebtlint_cache"
# Index keys that are not file paths (a path is never empty).
META_PREFIX = "\0"
INDEX_PREFIX = "results-"
# results-<project root tag>-<run key>.pickle; anything else is a stale format.
_INDEX_NAME = re.compile(r"results-[0-9a-f]{8}-[0-9a-f]{20}\.pickle")
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by mldebtlint.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
# A file modified this recently may change again within the same mtime tick:
# its stat is not trusted, only its hash (git's "racily clean" problem).
RACY_SECONDS = 2.0


def default_cache_dir(root: str | Path, configured: str | None = None) -> Path:
    return Path(configured) if configured else Path(root) / CACHE_DIR_NAME


def content_digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def code_signature() -> str:
    """Changes whenever mldebtlint's code or catalog changes (editable installs too)."""
    from mldebtlint.core.catalog import catalog_dir

    package = Path(__file__).resolve().parent.parent  # the whole mldebtlint package
    digest = hashlib.sha256(__version__.encode())
    for folder, pattern in ((package, "**/*.py"), (catalog_dir(), "*.toml")):
        for path in sorted(folder.glob(pattern)):
            try:
                stat = path.stat()
            except OSError:
                continue
            digest.update(f"{path.relative_to(folder)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def root_tag(root: str | Path) -> str:
    """Names the project root in an index file's name (pruning stays within one root)."""
    return hashlib.sha256(os.path.abspath(root).encode("utf-8", "surrogatepass")).hexdigest()[:8]


def run_key(settings_key: str, codes: frozenset[str], root: str) -> str:
    payload = "\0".join([code_signature(), settings_key, ",".join(sorted(codes)), os.path.abspath(root)])
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


# Sibling names whose *content* can change a manifest's results (a lock file
# gaining hashes, an included requirements file, a constraints file): their
# stat is part of the signature, not only their presence.
_CONTENT_SIBLING = re.compile(
    r"(requirement|constraint|lock|pipfile|environment)|\.(txt|in|toml|cfg|ya?ml)$", re.IGNORECASE
)
_MAX_INCLUDES = 64


def _stat_token(path: str) -> str:
    try:
        stat = os.stat(path)
    except OSError:
        return "-"
    return f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}"


def _included_files(path: str) -> list[str]:
    """Files reached from ``path`` through ``-r``/``-c`` lines, transitively (bounded)."""
    seen: list[str] = []
    pending = [path]
    while pending and len(seen) < _MAX_INCLUDES:
        current = pending.pop()
        try:
            with open(current, "rb") as handle:
                text = handle.read(1 << 20).decode("utf-8", "replace")
        except OSError:
            continue
        for written in include_targets(text):
            target = os.path.normpath(os.path.join(os.path.dirname(current), written))
            if target != path and target not in seen:
                seen.append(target)
                pending.append(target)
    return seen


def siblings_signature(path: str) -> str:
    """What beside a manifest can change its results: the names in its folder
    (lock files...), the stat of those that are manifests or locks themselves
    (a lock gaining hashes), and the stat of every ``-r``/``-c`` include.

    Hidden entries (this cache folder among them) and Python modules other
    than setup.py cannot, so adding a script does not invalidate the manifest.
    """
    folder = os.path.dirname(path) or "."
    try:
        names = sorted(
            name
            for name in os.listdir(folder)
            if not name.startswith(".") and (not name.endswith(".py") or name == "setup.py")
        )
    except OSError:
        names = []
    own = os.path.basename(path)
    parts = [
        f"{name}\x1f{_stat_token(os.path.join(folder, name))}"
        if name != own and _CONTENT_SIBLING.search(name)
        else name
        for name in names
    ]
    parts.extend(f"include\x1f{target}\x1f{_stat_token(target)}" for target in _included_files(path))
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:16]


class LazyFacts(Mapping[str, Any]):
    """A file's repo-rule facts kept as one pickled blob until someone reads them.

    A warm run that reuses the repo findings never decodes the facts (most of
    the index's bytes), so loading the index stays cheap; truthiness does not
    decode either (only non-empty facts are wrapped).
    """

    __slots__ = ("_blob", "_value")

    def __init__(self, value: Mapping[str, Any] | None = None, blob: bytes | None = None) -> None:
        self._value = dict(value) if value is not None else None
        self._blob = blob if blob is not None else pickle.dumps(self._value, protocol=pickle.HIGHEST_PROTOCOL)

    def _decoded(self) -> dict[str, Any]:
        if self._value is None:
            self._value = pickle.loads(self._blob)
        return self._value

    def __getitem__(self, key: str) -> Any:
        return self._decoded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())

    def __bool__(self) -> bool:
        return True

    def __reduce__(self) -> tuple[Any, ...]:
        return (_lazy_from_blob, (self._blob,))

    def __repr__(self) -> str:
        return f"LazyFacts({self._decoded()!r})"


def _lazy_from_blob(blob: bytes) -> LazyFacts:
    return LazyFacts(blob=blob)


def _packed(result: FileResult) -> FileResult:
    """``result`` with its facts as a ``LazyFacts`` blob (what the index stores)."""
    if not result.facts or isinstance(result.facts, LazyFacts):
        return result
    return replace(result, facts=LazyFacts(result.facts))


@dataclass(frozen=True)
class Entry:
    size: int
    mtime_ns: int  # -1 when the stat is not trusted
    digest: str
    full: bool  # False: a facts-only result (a context file of a repo rule)
    siblings: str  # siblings_signature for manifests, else ""
    result: FileResult
    ctime_ns: int = -1  # -1 when the stat is not trusted


@dataclass(frozen=True)
class Probe:
    """What the cache knows about a file before analysis."""

    hit: FileResult | None
    size: int = -1
    mtime_ns: int = -1
    digest: str | None = None
    ctime_ns: int = -1


def with_display(result: FileResult, display: str) -> FileResult:
    """A cached result as seen from the current working directory."""
    if result.path == display:
        return result
    findings = tuple(replace(finding, path=display) for finding in result.findings)
    return replace(result, path=display, findings=findings)


class ResultCache:
    """The index of one run key, loaded once and saved once per run."""

    def __init__(self, folder: Path, key: str, scope: str = "") -> None:
        """``scope``: the project root's ``root_tag``; on save, the folder's other
        indexes of that scope (other settings, other versions) are removed."""
        self.folder = folder
        self.scope = scope
        self.index_path = folder / (f"{INDEX_PREFIX}{scope}-{key}.pickle" if scope else f"{INDEX_PREFIX}{key}.pickle")
        self.loaded_stat = _stat_key(self.index_path)
        self.entries: dict[str, Any] = _load_remembered(self.index_path, self.loaded_stat)
        self.updated: dict[str, Any] = {}
        # relative path -> the entry a new result of this run replaced.
        self.replaced: dict[str, Entry] = {}
        # relative path -> content digest of every file answered or stored this run.
        self.digests: dict[str, str] = {}

    def probe(self, relative: str, path: str, full: bool, manifest: bool) -> Probe:
        try:
            stat = os.stat(path)
        except OSError:
            return Probe(None)
        size, mtime_ns, ctime_ns = stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns
        entry = self.entries.get(relative)
        if entry is None or (full and not entry.full) or entry.size != size:
            return Probe(None, size, mtime_ns, ctime_ns=ctime_ns)
        if manifest and entry.siblings != siblings_signature(path):
            return Probe(None, size, mtime_ns, ctime_ns=ctime_ns)
        if entry.mtime_ns == mtime_ns and entry.ctime_ns == ctime_ns:
            self.digests[relative] = entry.digest
            return Probe(entry.result, size, mtime_ns, entry.digest, ctime_ns)
        try:
            with open(path, "rb") as handle:
                digest = content_digest(handle.read())
        except OSError:
            return Probe(None, size, mtime_ns, ctime_ns=ctime_ns)
        if digest != entry.digest:
            return Probe(None, size, mtime_ns, digest, ctime_ns)
        # Same bytes, new stat (a checkout, a touch, a chmod): refresh the stat.
        trusted = _trusted(mtime_ns, ctime_ns)
        self._put(relative, replace(entry, mtime_ns=trusted, ctime_ns=ctime_ns if trusted >= 0 else -1))
        self.digests[relative] = digest
        return Probe(entry.result, size, mtime_ns, digest, ctime_ns)

    def store(
        self, relative: str, path: str, probe: Probe, digest: str, full: bool, manifest: bool, result: FileResult
    ) -> None:
        """Record a freshly computed result (``probe``: the stat taken before reading)."""
        self.digests[relative] = digest
        if probe.size < 0 or result.errors:
            return  # unreadable file, or a rule crashed: try again next time
        old = self.entries.get(relative)
        if not full and old is not None and old.full and old.digest == digest:
            return  # keep the richer entry
        if old is not None and old.digest != digest:
            self.replaced[relative] = old
        siblings = siblings_signature(path) if manifest else ""
        trusted = _trusted(probe.mtime_ns, probe.ctime_ns)
        ctime_ns = probe.ctime_ns if trusted >= 0 else -1
        self._put(relative, Entry(probe.size, trusted, digest, full, siblings, _packed(result), ctime_ns))

    # -- the repo phase: which rules it has, and its findings for a given set of files

    def get_meta(self, name: str) -> Any:
        return self.entries.get(META_PREFIX + name)

    def set_meta(self, name: str, value: Any) -> None:
        if self.entries.get(META_PREFIX + name) != value:
            self._put(META_PREFIX + name, value)

    def file_digests(self, relatives: Iterable[str]) -> dict[str, str] | None:
        """The content digest of each of ``relatives``, in order (None if one was not seen this run)."""
        digests = {}
        for relative in sorted(relatives):
            content = self.digests.get(relative)
            if content is None:
                return None
            digests[relative] = content
        return digests

    def previous_result(self, relative: str, digest: str) -> FileResult | None:
        """The result this index held for ``relative`` when its content had ``digest``
        (before this run replaced it), if it still knows it."""
        for entry in (self.replaced.get(relative), self.entries.get(relative)):
            if isinstance(entry, Entry) and entry.digest == digest:
                return entry.result
        return None

    def _put(self, relative: str, entry: Any) -> None:
        self.entries[relative] = entry
        self.updated[relative] = entry

    def save(self) -> str | None:
        """Merge our updates into the index on disk and replace it atomically.

        Returns a one-line warning naming the index when it cannot be written
        (a read-only or full disk must not fail the lint run), else None.
        """
        if not self.updated:
            return None
        if self.loaded_stat is None and all(key.startswith(META_PREFIX) for key in self.updated):
            self.updated = {}
            return None  # no file result to keep: do not create a cache for bookkeeping alone
        try:
            prepare_folder(self.folder)
            if _stat_key(self.index_path) == self.loaded_stat:
                merged = self.entries  # nobody wrote the index since we read it
            else:
                merged = _load(self.index_path)
                merged.update(self.updated)
            handle, temp = tempfile.mkstemp(prefix=".tmp-", dir=self.folder)
            try:
                with os.fdopen(handle, "wb") as out:
                    pickle.dump(merged, out, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(temp, self.index_path)
                self.entries, self.loaded_stat = merged, _stat_key(self.index_path)
                _remember(self.index_path, self.loaded_stat, merged)
            except BaseException:
                _unlink(temp)
                raise
        except OSError as exc:
            self.updated = {}
            return f"cannot write the cache {self.index_path}: {exc.strerror or exc}"
        self.updated = {}
        self._prune()
        return None

    def _prune(self) -> None:
        """Remove this root's indexes of other run keys, and indexes of an older layout."""
        if not self.scope:
            return
        own = f"{INDEX_PREFIX}{self.scope}-"
        try:
            names = os.listdir(self.folder)
        except OSError:
            return
        for name in names:
            if not name.startswith(INDEX_PREFIX) or name == self.index_path.name:
                continue
            if name.startswith(own) or not _INDEX_NAME.fullmatch(name):
                _unlink(str(self.folder / name))


class CacheSet:
    """The caches of one run: the project root's, plus one per other project root
    that a path named on the command line lies under. Per-run bookkeeping (the
    repo phase's meta entries) lives in the project root's cache."""

    def __init__(self, main: ResultCache, others: Iterable[tuple[str, ResultCache]] = ()) -> None:
        self.main = main
        # (absolute path named on the command line, the cache of its project root)
        self.others = list(others)
        for _, cache in self.others:
            cache.digests = main.digests  # one view of what this run has seen

    def for_path(self, path: str) -> ResultCache:
        for prefix, cache in self.others:
            if path == prefix or path.startswith(prefix.rstrip(os.sep) + os.sep):
                return cache
        return self.main

    def probe(self, relative: str, path: str, full: bool, manifest: bool) -> Probe:
        return self.for_path(path).probe(relative, path, full, manifest)

    def store(
        self, relative: str, path: str, probe: Probe, digest: str, full: bool, manifest: bool, result: FileResult
    ) -> None:
        self.for_path(path).store(relative, path, probe, digest, full, manifest, result)

    def get_meta(self, name: str) -> Any:
        return self.main.get_meta(name)

    def set_meta(self, name: str, value: Any) -> None:
        self.main.set_meta(name, value)

    def file_digests(self, relatives: Iterable[str]) -> dict[str, str] | None:
        return self.main.file_digests(relatives)

    def previous_result(self, relative: str, digest: str) -> FileResult | None:
        caches = [self.main] + [cache for _, cache in self.others]
        return next((found for cache in caches if (found := cache.previous_result(relative, digest))), None)

    def save(self) -> list[str]:
        """Save every cache; the warnings of those that could not be written."""
        caches = [self.main] + [cache for _, cache in self.others]
        unique = list({id(cache): cache for cache in caches}.values())
        return [warning for warning in (cache.save() for cache in unique) if warning]


def _trusted(mtime_ns: int, ctime_ns: int) -> int:
    """``mtime_ns``, or -1 when the file changed too recently for its stat to be trusted."""
    return -1 if time.time() - max(mtime_ns, ctime_ns) / 1e9 < RACY_SECONDS else mtime_ns


def _stat_key(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


# Indexes this process has loaded or written, by path: a long-lived process
# (``mldebtlint server``) re-reads an index only when its stat changed.
_REMEMBERED: dict[Path, tuple[tuple[int, int, int] | None, dict[str, Any]]] = {}


def _load_remembered(path: Path, stat: tuple[int, int, int] | None) -> dict[str, Any]:
    remembered = _REMEMBERED.get(path)
    if stat is not None and remembered is not None and remembered[0] == stat:
        return dict(remembered[1])
    entries = _load(path)
    _remember(path, stat, entries)
    return entries


def _remember(path: Path, stat: tuple[int, int, int] | None, entries: dict[str, Any]) -> None:
    if stat is not None:
        _REMEMBERED[path] = (stat, dict(entries))


def _load(path: Path) -> dict[str, Entry]:
    # The index is millions of small objects: the cyclic garbage collector
    # would walk them again and again while they are created (3x the load).
    enabled = gc.isenabled()
    gc.disable()
    try:
        with open(path, "rb") as handle:
            data: Any = pickle.load(handle)
    except Exception:  # missing, truncated, from another version: a miss
        return {}
    finally:
        if enabled:
            gc.enable()
    return data if isinstance(data, dict) else {}


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def prepare_folder(folder: Path) -> None:
    """Create the cache folder with CACHEDIR.TAG and a .gitignore of '*'."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("CACHEDIR.TAG", CACHEDIR_TAG), (".gitignore", "# created by mldebtlint\n*\n")):
        marker = folder / name
        if not marker.exists():
            marker.write_text(text)


def is_cache_folder(folder: Path) -> bool:
    try:
        return (folder / "CACHEDIR.TAG").read_text() == CACHEDIR_TAG
    except OSError:
        return False


def clear(folder: Path) -> int:
    """Delete the index files of a cache folder; returns how many were removed.

    A folder that mldebtlint created (tagged) is removed once empty; any
    other folder given as --cache-dir keeps everything but our index files.
    """
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.iterdir():
        ours = (path.name.startswith(INDEX_PREFIX) and path.name.endswith(".pickle")) or path.name.startswith(".tmp-")
        if ours and path.is_file():
            _unlink(str(path))
            removed += 1
    if is_cache_folder(folder):
        for name in ("CACHEDIR.TAG", ".gitignore"):
            _unlink(str(folder / name))
        try:
            folder.rmdir()
        except OSError:
            pass  # something else lives there: leave it
    return removed

"""``report --history``: the debt of every first-parent commit, from git objects.

How (the wily approach, on git plumbing, ``report.gitread``):

* the commits are ``git log --first-parent`` of ``--branch`` (default HEAD),
  limited by ``--since`` / ``--max-commits``, walked oldest first; a merge
  counts as one step of its first parent's line (the branch as it was seen);
* each commit's files come from ``git ls-tree -r``, filtered like discovery
  (the project root's files, default and configured excludes, hidden and
  virtualenv folders); symlinks and submodules are skipped;
* each blob is read once with ``git cat-file --batch`` and analysed once
  (``engine.filepass.analyze_bytes``, keyed by blob id and path), so a commit
  costs only its changed files; a manifest is analysed beside a scratch copy
  of its folder (lock files and ``-r`` includes of the same folder count);
* the repo-wide rules (model graph) are recomputed per commit from the cached
  per-blob facts, and only when a file with facts changed;
* suppressions, per-file-ignores and scores are applied exactly as ``report``
  does, with today's configuration for every commit (so the series compares
  like with like).

The work tree and the index are never read for content or written: a dirty
work tree is ignored (the notes say so). Binary and undecodable blobs are
MLD000 findings as in ``report``; blobs missing from a shallow or partial
clone are skipped and counted.
"""

from __future__ import annotations

import datetime as _dt
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pathspec

from mldebtlint import __version__
from mldebtlint.core import scoring
from mldebtlint.core.config import Settings
from mldebtlint.core.types import CheckResult, FileResult, Finding
from mldebtlint.engine.discovery import DEFAULT_EXCLUDE, display_path, is_python
from mldebtlint.engine.filepass import FileTask, RuleSet, analyze_bytes
from mldebtlint.manifests.reading import is_manifest
from mldebtlint.report.gitread import SUBMODULE_MODE, SYMLINK_MODE, BlobReader, Commit, Git, TreeEntry
from mldebtlint.report.mlcode import imports_ml

SCHEMA_VERSION = "1.0"
MAX_LISTED = 50
MAX_GROWN = 10
DEFAULT_HOTSPOTS = 10
# Below this many files to analyse in one commit, a process pool costs more than it saves.
MIN_FILES_FOR_POOL = 8
# Scratch copies of a manifest's folder: files bigger than this are left out.
MAX_SIBLING_BYTES = 2_000_000


@dataclass(frozen=True)
class HistoryOptions:
    path: Path
    settings: Settings
    ref: str = "HEAD"
    since: str | None = None
    max_commits: int | None = None
    hotspots: int = DEFAULT_HOTSPOTS
    # (done, total, unit): unit "blobs" while analysing, then "commits".
    progress: Callable[[int, int, str], None] | None = None


@dataclass(frozen=True)
class _File:
    entry: TreeEntry
    relative: str  # to the project root
    display: str
    python: bool
    manifest: bool


@dataclass(frozen=True)
class _Snapshot:
    """One commit's lintable files, every blob of its tree, and its manifests' sibling signatures."""

    commit: Commit
    files: list[_File]
    entries: list[TreeEntry]
    siblings: dict[str, str]


class _TreeFilter:
    """Discovery's choices (``engine.discovery.discover``) applied to a list of tree paths."""

    def __init__(self, settings: Settings, prefix: str) -> None:
        patterns = list(DEFAULT_EXCLUDE if settings.exclude is None else settings.exclude)
        self.excluded = pathspec.GitIgnoreSpec.from_lines(patterns + list(settings.extend_exclude))
        self.prefix = prefix
        self._folders: dict[str, bool] = {}

    def folder_skipped(self, relative_folder: str, venvs: set[str]) -> bool:
        if relative_folder in self._folders:
            return self._folders[relative_folder]
        parent = PurePosixPath(relative_folder).parent.as_posix()
        skipped = (parent not in (".", "") and self.folder_skipped(parent, venvs)) or (
            PurePosixPath(relative_folder).name.startswith(".")
            or relative_folder in venvs
            or self.excluded.match_file(relative_folder + "/")
        )
        self._folders[relative_folder] = skipped
        return skipped

    def select(self, entries: list[TreeEntry], top: Path) -> list[_File]:
        self._folders = {}
        inside = [e for e in entries if e.path.startswith(self.prefix)]
        venvs = {
            PurePosixPath(e.path[len(self.prefix) :]).parent.as_posix()
            for e in inside
            if PurePosixPath(e.path).name == "pyvenv.cfg"
        }
        files = []
        for entry in inside:
            if entry.mode in (SYMLINK_MODE, SUBMODULE_MODE):
                continue
            relative = entry.path[len(self.prefix) :]
            pure = PurePosixPath(relative)
            python, manifest = is_python(pure.name), is_manifest(pure.name, pure.parent.name)
            if not (python or manifest):
                continue
            folder = pure.parent.as_posix()
            if folder != "." and self.folder_skipped(folder, venvs):
                continue
            if self.excluded.match_file(relative):
                continue
            files.append(_File(entry, relative, display_path(top / entry.path), python, manifest))
        return files


def _manifest_sibling(entry: TreeEntry) -> bool:
    """A file beside a manifest that can change its results (as ``engine.cache.siblings_signature``)."""
    name = PurePosixPath(entry.path).name
    if entry.mode in (SYMLINK_MODE, SUBMODULE_MODE):
        return False
    return not name.startswith(".") and (not name.endswith(".py") or name == "setup.py")


def sibling_signatures(entries: list[TreeEntry], manifests: list[_File]) -> dict[str, str]:
    """{folder: digest of its manifest-relevant files (name and blob id)} for the folders holding manifests."""
    import hashlib

    wanted = {PurePosixPath(file.entry.path).parent.as_posix() for file in manifests}
    wanted = {"" if folder == "." else folder for folder in wanted}
    parts: dict[str, list[str]] = {}
    for entry in entries:
        parent = PurePosixPath(entry.path).parent.as_posix()
        parent = "" if parent == "." else parent
        if parent in wanted and _manifest_sibling(entry):
            parts.setdefault(parent, []).append(f"{PurePosixPath(entry.path).name}\0{entry.sha}")
    return {
        folder: hashlib.sha256("\n".join(sorted(items)).encode()).hexdigest()[:20] for folder, items in parts.items()
    }


_worker_state: tuple[Settings, RuleSet] | None = None


def _init_worker(settings: Settings, rules: RuleSet) -> None:
    global _worker_state
    _worker_state = (settings, rules)


def _work(item: tuple[FileTask, bytes]) -> FileResult:
    assert _worker_state is not None
    return analyze_bytes(item[0], item[1], *_worker_state)


class _Analyser:
    """Per-blob results (cached by blob id and path) and per-commit CheckResults."""

    def __init__(self, git: Git, settings: Settings, rules: RuleSet, scratch: Path) -> None:
        from mldebtlint.engine.runner import _repo_codes

        self.git = git
        self.settings = settings
        self.rules = rules
        self.scratch = scratch
        self.results: dict[tuple[str, str, str], tuple[FileResult, bool]] = {}
        self.repo_cache: dict[tuple, list[Finding]] = {}
        self.repo_codes = _repo_codes(rules)
        self.analysed = 0
        self.missing: set[str] = set()
        self.reader = BlobReader(git)
        self.queued: set[tuple[str, str, str]] = set()

    def close(self) -> None:
        self.reader.close()

    def _key(self, file: _File, siblings: dict[str, str]) -> tuple[str, str, str]:
        """A manifest's results also depend on its folder's other files (not on Python modules)."""
        if not file.manifest:
            return (file.entry.sha, file.relative, "")
        folder = PurePosixPath(file.entry.path).parent.as_posix()
        return (file.entry.sha, file.relative, siblings.get("" if folder == "." else folder, ""))

    def _manifest_folder(self, file: _File, entries_by_folder: dict[str, list[TreeEntry]], signature: str) -> Path:
        """A scratch copy of the manifest's folder at this commit (its siblings and includes)."""
        target = self.scratch / "folders" / signature
        if not target.is_dir():
            target.mkdir(parents=True)
            folder = PurePosixPath(file.entry.path).parent.as_posix()
            for sibling in entries_by_folder.get("" if folder == "." else folder, []):
                name = PurePosixPath(sibling.path).name
                if not _manifest_sibling(sibling):
                    continue
                raw = self.reader.read(sibling.sha)
                if raw is not None and len(raw) <= MAX_SIBLING_BYTES:
                    (target / name).write_bytes(raw)
        return target / PurePosixPath(file.entry.path).name

    def analyse(self, snapshots: list[_Snapshot], progress: Callable[[int, int], None] | None = None) -> None:
        """Analyse every blob of every commit once: one batch over the whole range,
        so the process pool keeps every core busy even when each commit changes one file."""
        todo: list[tuple[tuple[str, str, str], FileTask, bytes]] = []
        for snapshot in snapshots:
            by_folder: dict[str, list[TreeEntry]] = {}
            for file in snapshot.files:
                key = self._key(file, snapshot.siblings)
                if key in self.results or key in self.queued or file.entry.sha in self.missing:
                    continue
                raw = self.reader.read(file.entry.sha)
                if raw is None:
                    self.missing.add(file.entry.sha)
                    continue
                if file.manifest:
                    if not by_folder:
                        for entry in snapshot.entries:
                            parent = PurePosixPath(entry.path).parent.as_posix()
                            by_folder.setdefault("" if parent == "." else parent, []).append(entry)
                    path = str(self._manifest_folder(file, by_folder, key[2]))
                else:
                    path = str(self.scratch / "blobs" / file.relative)  # never read: the bytes are given
                self.queued.add(key)
                todo.append((key, FileTask(path, file.display, file.relative, file.python, file.manifest), raw))
        if not todo:
            return
        if len(todo) >= MIN_FILES_FOR_POOL and (self.settings.jobs or os.cpu_count() or 1) > 1:
            outcomes = self._pooled([(task, raw) for _, task, raw in todo], progress)
        else:
            outcomes = []
            for index, (_, task, raw) in enumerate(todo, start=1):
                outcomes.append(analyze_bytes(task, raw, self.settings, self.rules))
                if progress is not None:
                    progress(index, len(todo))
        for (key, task, raw), result in zip(todo, outcomes):
            self.results[key] = (result, task.python and imports_ml(raw))
        self.analysed += len(todo)

    def _pooled(
        self, items: list[tuple[FileTask, bytes]], progress: Callable[[int, int], None] | None
    ) -> list[FileResult]:
        from concurrent.futures import ProcessPoolExecutor

        self.rules.python_rules()  # forked workers inherit the imported rules
        import mldebtlint.engine.batched  # noqa: F401

        jobs = min(self.settings.jobs or os.cpu_count() or 1, len(items))
        order = sorted(range(len(items)), key=lambda index: -len(items[index][1]))
        chunksize = max(1, min(8, len(items) // (jobs * 16)))
        results: list[FileResult | None] = [None] * len(items)
        # Shut down before cat-file is closed: forked workers hold a copy of its stdin.
        with ProcessPoolExecutor(
            max_workers=jobs, initializer=_init_worker, initargs=(self.settings, self.rules)
        ) as pool:
            outcomes = pool.map(_work, (items[i] for i in order), chunksize=chunksize)
            for done, (index, result) in enumerate(zip(order, outcomes), start=1):
                results[index] = result
                if progress is not None:
                    progress(done, len(items))
        return results  # type: ignore[return-value]

    def check_result(self, snapshot: _Snapshot) -> tuple[CheckResult, frozenset[str]]:
        """What ``report`` would compute on a checkout of this commit, and its ML files."""
        from mldebtlint.engine.runner import _finish, run_repo_rules

        present = [
            (file, self.results[self._key(file, snapshot.siblings)])
            for file in snapshot.files
            if file.entry.sha not in self.missing
        ]
        tasks = [
            FileTask(file.relative, file.display, file.relative, file.python, file.manifest) for file, _ in present
        ]
        results = [result for _, (result, _) in present]
        by_relative = {file.relative: result for file, (result, _) in present}
        display_of = {file.relative: file.display for file, _ in present}
        repo_findings: list[Finding] = []
        if self.repo_codes:
            key = tuple(sorted((file.relative, file.entry.sha) for file, (result, _) in present if result.facts))
            if key not in self.repo_cache:
                self.repo_cache[key] = run_repo_rules(self.rules, self.settings, by_relative, display_of)
            repo_findings = self.repo_cache[key]
        result = _finish(results, repo_findings, by_relative, display_of, self.settings, tasks)
        ml_paths = frozenset(file.display for file, (_, is_ml) in present if is_ml)
        return result, ml_paths


def _brief(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "path": finding.path,
        "line": finding.line,
        "message": finding.message,
        "debt_minutes": finding.debt_minutes,
        "fingerprint": finding.fingerprint,
    }


def _iso(timestamp: int) -> str:
    return _dt.datetime.fromtimestamp(timestamp, _dt.timezone.utc).isoformat().replace("+00:00", "Z")


class _Step:
    """One commit's numbers, and what changed since the commit before it."""

    def __init__(self, commit: Commit, result: CheckResult, ml_paths: frozenset[str], settings: Settings) -> None:
        self.commit = commit
        self.basis = scoring.basis_for(result, settings.minutes_per_line, settings.ratio_model, ml_paths)
        self.repo = scoring.repo_score(result, self.basis)
        self.lines = result.total_lines
        self.categories = {s.key: s.debt_minutes for s in scoring.by_category(result, self.basis)}
        self.rules = {s.key: s.debt_minutes for s in scoring.by_rule(result, self.basis)}
        self.files = {s.key: s.debt_minutes for s in scoring.by_file(result, self.basis)}
        self.findings = {f.fingerprint: f for f in result.findings}

    def row(self, before: _Step | None, renamed: dict[str, str]) -> dict[str, Any]:
        new, fixed = self._changes(before, renamed)
        grown: list[dict[str, Any]] = []
        if before is not None:
            old_path = {new_path: old for old, new_path in renamed.items()}
            for path, debt in self.files.items():
                previous = before.files.get(old_path.get(path, path), 0)
                if debt > previous:
                    grown.append({"path": path, "debt_before": previous, "debt_after": debt})
            grown.sort(key=lambda row: (-(row["debt_after"] - row["debt_before"]), row["path"]))
        order = lambda f: (f["path"], f["line"], f["code"])  # noqa: E731
        return {
            "commit": self.commit.sha,
            "short": self.commit.sha[:8],
            "date": _iso(self.commit.timestamp),
            "author": self.commit.author,
            "subject": self.commit.subject,
            "merge": len(self.commit.parents) > 1,
            "rating": self.repo.rating,
            "debt_ratio": None if self.repo.ratio is None else round(self.repo.ratio, 6),
            "debt_minutes": self.repo.debt_minutes,
            "findings": self.repo.findings,
            "lines": self.lines,
            "ratio_lines": self.basis.lines,
            "categories": dict(sorted(self.categories.items())),
            "rules": dict(sorted(self.rules.items())),
            "new_count": None if before is None else len(new),
            "fixed_count": None if before is None else len(fixed),
            "new": sorted((_brief(f) for f in new), key=order)[:MAX_LISTED],
            "fixed": sorted((_brief(f) for f in fixed), key=order)[:MAX_LISTED],
            "files_grown": grown[:MAX_GROWN],
        }

    def _changes(self, before: _Step | None, renamed: dict[str, str]) -> tuple[list[Finding], list[Finding]]:
        if before is None:
            return [], []
        new = [f for key, f in self.findings.items() if key not in before.findings]
        fixed = [f for key, f in before.findings.items() if key not in self.findings]
        if renamed and new and fixed:
            # A finding that moved with its file (same rule, line and message) is neither new nor fixed.
            moved = {(renamed.get(f.path, f.path), f.code, f.line, f.message) for f in fixed}
            kept = {(f.path, f.code, f.line, f.message) for f in new} & moved
            new = [f for f in new if (f.path, f.code, f.line, f.message) not in kept]
            fixed = [f for f in fixed if (renamed.get(f.path, f.path), f.code, f.line, f.message) not in kept]
        return new, fixed


def history(options: HistoryOptions, now: _dt.datetime | None = None) -> dict[str, Any]:
    """The history series of ``options.path``'s project (JSON-ready, ``schemas/history.schema.json``)."""
    from mldebtlint.engine.runner import rule_set

    started = time.perf_counter()
    settings = options.settings
    root = Path(settings.root).resolve()
    git = Git(root if root.is_dir() else options.path)
    top = git.toplevel()
    notes: list[str] = []
    if top is None:  # a bare repository: paths are the tree's own
        top, prefix = root, ""
    else:
        top = top.resolve()
        try:
            prefix = root.relative_to(top).as_posix()
        except ValueError:
            prefix = ""
        prefix = "" if prefix in ("", ".") else prefix + "/"
        if git.dirty():
            notes.append("the work tree has uncommitted changes: they are ignored (only commits are read)")
    if git.is_shallow():
        notes.append("shallow clone: the history starts at the oldest commit fetched")
    commits = git.commits(options.ref, options.since, options.max_commits)
    rules = rule_set(settings)
    tree_filter = _TreeFilter(settings, prefix)
    rows: list[dict[str, Any]] = []
    changes: dict[str, int] = {}
    previous_blobs: dict[str, str] = {}
    before: _Step | None = None
    with tempfile.TemporaryDirectory(prefix="mldebtlint-history-") as scratch:
        analyser = _Analyser(git, settings, rules, Path(scratch))
        try:
            snapshots = []
            for commit in commits:
                entries = git.tree(commit.sha)
                files = tree_filter.select(entries, top)
                siblings = sibling_signatures(entries, [file for file in files if file.manifest])
                snapshots.append(_Snapshot(commit, files, entries, siblings))
            blob_progress = None
            if options.progress is not None:
                blob_progress = lambda done, total: options.progress(done, total, "blobs")  # noqa: E731
            analyser.analyse(snapshots, blob_progress)
            for index, snapshot in enumerate(snapshots, start=1):
                commit, files = snapshot.commit, snapshot.files
                result, ml_paths = analyser.check_result(snapshot)
                blobs = {file.display: file.entry.sha for file in files}
                renamed: dict[str, str] = {}
                if before is not None:
                    gone, added = set(previous_blobs) - set(blobs), set(blobs) - set(previous_blobs)
                    if gone and added:
                        renamed = _renames(git, before.commit.sha, commit.sha, top, gone, added)
                    was = {new: old for old, new in renamed.items()}
                    for old, new in renamed.items():  # a renamed file keeps its change count
                        changes[new] = changes.pop(old, 0)
                    for display, sha in blobs.items():
                        if previous_blobs.get(was.get(display, display)) != sha:
                            changes[display] = changes.get(display, 0) + 1
                step = _Step(commit, result, ml_paths, settings)
                rows.append(step.row(before, renamed))
                before, previous_blobs = step, blobs
                if options.progress is not None:
                    options.progress(index, len(snapshots), "commits")
        finally:
            analyser.close()
    if analyser.missing:
        notes.append(
            f"{len(analyser.missing)} blobs are missing from the clone (partial clone): their files are skipped"
        )
    if any(row["merge"] for row in rows):
        notes.append("merge commits are measured as one step of the first-parent line")
    model = scoring.ratio_model(settings.ratio_model)
    timestamp = (now or _dt.datetime.now(_dt.timezone.utc)).replace(microsecond=0)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "mldebtlint", "version": __version__},
        "generated_at": timestamp.isoformat().replace("+00:00", "Z"),
        "target": options.path.as_posix(),
        "branch": options.ref,
        "ratio_model": model.name,
        "thresholds": {letter: float(limit) for letter, limit in model.thresholds},
        "notes": notes,
        "commits": rows,
        "hotspots": _hotspots(before, changes, options.hotspots),
        "stats": {
            "commits": len(rows),
            "blobs_analysed": analyser.analysed,
            "seconds": round(time.perf_counter() - started, 2),
        },
    }


def _renames(git: Git, old: str, new: str, top: Path, gone: set[str], added: set[str]) -> dict[str, str]:
    """{old display path: new display path} of the lintable files renamed between two commits."""
    renamed = {}
    for old_path, new_path in git.renames(old, new).items():
        before, after = display_path(top / old_path), display_path(top / new_path)
        if before in gone and after in added:
            renamed[before] = after
    return renamed


def _hotspots(last: _Step | None, changes: dict[str, int], limit: int) -> list[dict[str, Any]]:
    """Change frequency x debt (debt where people keep working is what costs), at the last
    commit; files no commit of the range changed are left out (their score is 0)."""
    if last is None:
        return []
    rows: list[dict[str, Any]] = [
        {"path": path, "changes": changes[path], "debt_minutes": debt, "score": changes[path] * debt}
        for path, debt in last.files.items()
        if debt > 0 and changes.get(path, 0) > 0
    ]
    rows.sort(key=lambda row: (-row["score"], -row["debt_minutes"], row["path"]))
    return rows[: max(0, limit)]

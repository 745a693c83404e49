"""Read a repository's history with git plumbing only: ``git log``, ``git ls-tree``,
``git cat-file --batch`` and ``git diff-tree``.

Nothing here writes: the work tree and the index are never read or touched
(``--no-optional-locks`` keeps even ``git status`` from refreshing the index),
so ``report --history`` is safe on a repository someone is working in.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from mldebtlint.core.errors import ConfigError

SYMLINK_MODE = "120000"
SUBMODULE_MODE = "160000"


@dataclass(frozen=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    timestamp: int  # committer date, seconds since the epoch
    author: str
    subject: str


@dataclass(frozen=True)
class TreeEntry:
    path: str  # relative to the repository's top level, POSIX
    mode: str
    sha: str


class Git:
    """One repository: ``cwd`` is any folder inside its work tree (or a bare git dir)."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}

    def run(self, *args: str, check: bool = True) -> str:
        try:
            done = subprocess.run(
                ["git", "--no-optional-locks", *args],
                cwd=self.cwd,
                env=self.env,
                capture_output=True,
                check=False,
            )
        except FileNotFoundError:
            raise ConfigError("--history needs git on PATH") from None
        if check and done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise ConfigError(f"git {args[0]}: {message[-1] if message else 'failed'}")
        return done.stdout.decode("utf-8", "surrogateescape")

    def toplevel(self) -> Path | None:
        """The work tree's top folder; None for a bare repository."""
        inside = self.run("rev-parse", "--is-inside-work-tree", check=False).strip()
        if inside != "true":
            if self.run("rev-parse", "--git-dir", check=False).strip():
                return None
            raise ConfigError(f"{self.cwd}: not inside a git repository (--history reads git history)")
        return Path(self.run("rev-parse", "--show-toplevel").strip())

    def is_shallow(self) -> bool:
        return self.run("rev-parse", "--is-shallow-repository", check=False).strip() == "true"

    def dirty(self) -> bool:
        """Tracked files changed in the work tree or the index (never refreshes the index)."""
        return bool(self.run("status", "--porcelain", "--untracked-files=no", check=False).strip())

    def resolve(self, ref: str) -> str:
        sha = self.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False).strip()
        if not sha:
            raise ConfigError(f"--branch {ref}: no such commit")
        return sha

    def commits(self, ref: str, since: str | None = None, max_count: int | None = None) -> list[Commit]:
        """First-parent commits reachable from ``ref``, oldest first."""
        args = ["log", "--first-parent", "--format=%H%x1f%P%x1f%ct%x1f%an%x1f%s%x1e"]
        if since:
            args.append(f"--since={since}")
        if max_count is not None:
            args.append(f"--max-count={max_count}")
        out = self.run(*args, self.resolve(ref), "--")
        commits = []
        for record in out.split("\x1e"):
            fields = record.strip("\n").split("\x1f")
            if len(fields) < 5:
                continue
            sha, parents, timestamp, author, subject = fields[:5]
            commits.append(Commit(sha, tuple(parents.split()), int(timestamp), author, subject))
        return commits[::-1]

    def tree(self, commit: str) -> list[TreeEntry]:
        """Every blob (and submodule) of ``commit``, recursively."""
        out = self.run("ls-tree", "-r", "-z", "--full-tree", commit)
        entries = []
        for record in out.split("\0"):
            if not record:
                continue
            meta, _, path = record.partition("\t")
            mode, kind, sha = meta.split(" ")
            if kind in ("blob", "commit"):
                entries.append(TreeEntry(path, mode, sha))
        return entries

    def renames(self, old_commit: str, new_commit: str) -> dict[str, str]:
        """{old path: new path} between two commits, git's rename detection (-M)."""
        out = self.run("diff-tree", "-r", "-M", "--name-status", "-z", "--diff-filter=R", old_commit, new_commit)
        fields = [field for field in out.split("\0") if field]
        renames = {}
        for index in range(0, len(fields) - 2, 3):
            if fields[index].startswith("R"):
                renames[fields[index + 1]] = fields[index + 2]
        return renames


class BlobReader:
    """One ``git cat-file --batch`` process: blob bytes by id."""

    def __init__(self, git: Git) -> None:
        self.process = subprocess.Popen(
            ["git", "--no-optional-locks", "cat-file", "--batch"],
            cwd=git.cwd,
            env=git.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )

    def read(self, sha: str) -> bytes | None:
        """The blob's bytes; None when the object is missing (a partial or shallow clone)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(sha.encode() + b"\n")
        self.process.stdin.flush()
        header = self.process.stdout.readline().split()
        if len(header) != 3 or header[1] != b"blob":
            return None
        size = int(header[2])
        data = self.process.stdout.read(size)
        self.process.stdout.read(1)  # the newline after the content
        return data

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait()

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

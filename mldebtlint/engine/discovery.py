"""Find the files to lint: Python sources and dependency manifests.

Directories are walked recursively, skipping hidden folders, virtualenvs,
caches and build output, ``exclude``/``extend-exclude`` patterns (gitignore
syntax) and ``.gitignore``d files. A file named explicitly on the command line
is always linted, as in ruff.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pathspec

from mldebtlint.manifests.reading import is_manifest

DEFAULT_EXCLUDE = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".hg",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
    "__pycache__",
    ".ipynb_checkpoints",
)

PYTHON_SUFFIXES = (".py", ".pyi")


def is_python(name: str) -> bool:
    return name.endswith(PYTHON_SUFFIXES)


@dataclass(frozen=True)
class SourceFile:
    path: Path  # absolute
    display: str  # what users see (relative to cwd when possible)
    relative: str  # relative to the project root, POSIX separators
    python: bool
    manifest: bool


def display_path(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


def relative_to_root(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


class _GitIgnores:
    """.gitignore files found while walking, applied to their subtrees."""

    def __init__(self) -> None:
        self.specs: dict[Path, pathspec.GitIgnoreSpec | None] = {}

    def _spec(self, folder: Path) -> pathspec.GitIgnoreSpec | None:
        if folder not in self.specs:
            spec = None
            ignore_file = folder / ".gitignore"
            try:
                lines = ignore_file.read_text(encoding="utf-8", errors="replace").splitlines()
                spec = pathspec.GitIgnoreSpec.from_lines(lines)
            except OSError:
                pass
            self.specs[folder] = spec
        return self.specs[folder]

    def ignored(self, path: Path, is_dir: bool, top: Path) -> bool:
        folder = path.parent
        while True:
            spec = self._spec(folder)
            if spec is not None:
                relative = path.relative_to(folder).as_posix() + ("/" if is_dir else "")
                if spec.match_file(relative):
                    return True
            if folder == top or folder.parent == folder or (folder / ".git").exists():
                return False
            folder = folder.parent


def discover(
    paths: list[Path],
    root: Path,
    exclude: tuple[str, ...] | None = None,
    extend_exclude: tuple[str, ...] = (),
    respect_gitignore: bool = True,
) -> Iterator[SourceFile]:
    """Yield each lintable file once, in a stable order."""
    patterns = list(DEFAULT_EXCLUDE if exclude is None else exclude) + list(extend_exclude)
    excluded = pathspec.GitIgnoreSpec.from_lines(patterns)
    gitignores = _GitIgnores()
    root = root.resolve()
    seen: set[Path] = set()

    def make(path: Path) -> SourceFile | None:
        name = path.name
        python, manifest = is_python(name), is_manifest(name, path.parent.name)
        if not (python or manifest) or path in seen:
            return None
        seen.add(path)
        return SourceFile(path, display_path(path), relative_to_root(path, root), python, manifest)

    def skip(path: Path, is_dir: bool) -> bool:
        name = path.name
        if is_dir and (name.startswith(".") or (path / "pyvenv.cfg").exists()):
            return True
        relative = relative_to_root(path, root)
        if Path(relative).is_absolute():
            # Outside the project root: only un-anchored patterns can apply.
            relative = name
        if excluded.match_file(relative + ("/" if is_dir else "")):
            return True
        return respect_gitignore and gitignores.ignored(path, is_dir, root)

    for given in paths:
        absolute = Path(os.path.abspath(given))
        if absolute.is_file() or (absolute.exists() and not absolute.is_dir()):
            found = make(absolute)
            if found is None and absolute not in seen:
                # An explicitly named file of another suffix is linted as Python.
                seen.add(absolute)
                found = SourceFile(absolute, display_path(absolute), relative_to_root(absolute, root), True, False)
            if found:
                yield found
            continue
        if not absolute.is_dir():
            continue
        for folder, dirnames, filenames in os.walk(absolute, followlinks=False):
            current = Path(folder)
            dirnames[:] = sorted(d for d in dirnames if not skip(current / d, True))
            for filename in sorted(filenames):
                path = current / filename
                if not (is_python(filename) or is_manifest(filename, current.name)):
                    continue
                if skip(path, False):
                    continue
                found = make(path)
                if found:
                    yield found

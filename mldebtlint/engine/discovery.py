"""Find the files to lint: Python sources and dependency manifests.

Directories are walked recursively, skipping hidden folders, virtualenvs,
caches and build output, ``exclude``/``extend-exclude`` patterns (gitignore
syntax) and ``.gitignore``d files. A file named explicitly on the command line
is always linted, as in ruff, unless ``force_exclude`` (ruff's
``--force-exclude``, what the pre-commit hook passes): then a named path that
the walk would have skipped, or that lies in a folder it would have skipped,
is skipped too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pathspec

from mldebtlint.manifests.names import is_manifest

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

PYTHON_SUFFIXES = (".py", ".pyi", ".ipynb")  # notebooks are linted as Python (engine.notebook)


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
    return _display(str(path), os.getcwd())


def relative_to_root(path: Path, root: Path) -> str:
    return _relative(str(path), str(root))


def _display(absolute: str, cwd: str) -> str:
    """``absolute`` relative to the working directory when under it (POSIX separators)."""
    return _relative(absolute, cwd)


def _relative(absolute: str, base: str) -> str:
    if absolute == base:
        return "."
    prefix = base if base.endswith(os.sep) else base + os.sep
    if absolute.startswith(prefix):
        absolute = absolute[len(prefix) :]
    return absolute.replace(os.sep, "/") if os.sep != "/" else absolute


def _read_gitignore(folder: str) -> pathspec.GitIgnoreSpec | None:
    try:
        with open(os.path.join(folder, ".gitignore"), encoding="utf-8", errors="replace") as handle:
            return pathspec.GitIgnoreSpec.from_lines(handle.read().splitlines())
    except OSError:
        return None


# The .gitignore files that apply inside a folder: (folder, spec) pairs, nearest first.
IgnoreChain = tuple[tuple[str, pathspec.GitIgnoreSpec], ...]


def _chain_by_climbing(folder: str, top: str) -> IgnoreChain:
    """The chain of a walk's starting folder: it and its parents up to ``top`` or a git root."""
    chain = []
    while True:
        spec = _read_gitignore(folder)
        if spec is not None:
            chain.append((folder, spec))
        parent = os.path.dirname(folder)
        if folder == top or parent == folder or os.path.exists(os.path.join(folder, ".git")):
            return tuple(chain)
        folder = parent


def _skipped_folder(folder: str, name: str) -> bool:
    """Folders a walk never enters: hidden ones and virtualenvs (as ``discover``'s walk)."""
    return name.startswith(".") or os.path.exists(os.path.join(folder, "pyvenv.cfg"))


def _ignored(chain: IgnoreChain, absolute: str, is_dir: bool) -> bool:
    suffix = "/" if is_dir else ""
    for folder, spec in chain:
        if spec.match_file(_relative(absolute, folder) + suffix):
            return True
    return False


def discover(
    paths: list[Path],
    root: Path,
    exclude: tuple[str, ...] | None = None,
    extend_exclude: tuple[str, ...] = (),
    respect_gitignore: bool = True,
    force_exclude: bool = False,
) -> Iterator[SourceFile]:
    """Yield each lintable file once, in a stable order.

    One ``os.scandir`` walk per given folder, on strings; each folder's
    ``.gitignore`` is read once, when the walk enters it, and applies to its
    subtree (the folders above the walk's start are read once, up to the
    project root or the enclosing git repository).
    """
    patterns = list(DEFAULT_EXCLUDE if exclude is None else exclude) + list(extend_exclude)
    excluded = pathspec.GitIgnoreSpec.from_lines(patterns)
    top = str(root.resolve())
    cwd = os.getcwd()
    seen: set[str] = set()

    def source(absolute: str, python: bool, manifest: bool) -> SourceFile:
        seen.add(absolute)
        return SourceFile(Path(absolute), _display(absolute, cwd), _relative(absolute, top), python, manifest)

    def excluded_path(absolute: str, name: str, is_dir: bool) -> bool:
        relative = _relative(absolute, top)
        if os.path.isabs(relative):
            relative = name  # outside the project root: only un-anchored patterns can apply
        return excluded.match_file(relative + ("/" if is_dir else ""))

    def walk(folder: str, chain: IgnoreChain) -> Iterator[SourceFile]:
        try:
            with os.scandir(folder) as scan:
                entries = list(scan)
        except OSError:
            return
        names = {entry.name for entry in entries}
        if respect_gitignore and folder != start:
            spec = _read_gitignore(folder) if ".gitignore" in names else None
            inherited = () if folder == top or ".git" in names else chain
            chain = (((folder, spec),) if spec is not None else ()) + inherited
        folder_name = os.path.basename(folder)
        files: list[os.DirEntry[str]] = []
        folders: list[os.DirEntry[str]] = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                continue
            (folders if is_dir else files).append(entry)
        for entry in sorted(files, key=lambda item: item.name):
            name = entry.name
            python, manifest = is_python(name), is_manifest(name, folder_name)
            if not (python or manifest) or entry.path in seen:
                continue
            if excluded_path(entry.path, name, False):
                continue
            if respect_gitignore and _ignored(chain, entry.path, False):
                continue
            yield source(entry.path, python, manifest)
        for entry in sorted(folders, key=lambda item: item.name):
            name = entry.name
            if name.startswith(".") or entry.is_symlink():
                continue
            if os.path.exists(os.path.join(entry.path, "pyvenv.cfg")):
                continue
            if excluded_path(entry.path, name, True):
                continue
            if respect_gitignore and _ignored(chain, entry.path, True):
                continue
            yield from walk(entry.path, chain)

    def force_excluded(absolute: str) -> bool:
        """A path named on the command line that the walk would skip, or that lies in a folder it would skip."""
        resolved = os.path.realpath(absolute)
        if resolved == top:
            return False
        relative = _relative(resolved, top)
        current = top
        for part in [] if os.path.isabs(relative) else relative.split("/")[:-1]:
            current = os.path.join(current, part)
            if _skipped_folder(current, part) or excluded_path(current, part, True):
                return True
        name, is_dir = os.path.basename(resolved), os.path.isdir(resolved)
        if (is_dir and _skipped_folder(resolved, name)) or excluded_path(resolved, name, is_dir):
            return True
        if not respect_gitignore:
            return False
        return _ignored(_chain_by_climbing(resolved if is_dir else os.path.dirname(resolved), top), resolved, is_dir)

    for given in paths:
        absolute = os.path.abspath(given)
        if force_exclude and force_excluded(absolute):
            continue
        if os.path.isfile(absolute) or (os.path.exists(absolute) and not os.path.isdir(absolute)):
            if absolute in seen:
                continue
            name = os.path.basename(absolute)
            python, manifest = is_python(name), is_manifest(name, os.path.basename(os.path.dirname(absolute)))
            # An explicitly named file of another suffix is linted as Python.
            yield source(absolute, python or not manifest, manifest)
            continue
        if not os.path.isdir(absolute):
            continue
        start = absolute
        chain = _chain_by_climbing(absolute, top) if respect_gitignore else ()
        yield from walk(absolute, chain)

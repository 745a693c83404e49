"""Reading files for fixing, and the 'does it still parse' guard."""

from __future__ import annotations

import io
import sys
import tokenize
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def read_source(path: Path) -> tuple[str, str] | None:
    """(text, encoding) of a file, keeping its line endings; None if unreadable."""
    try:
        raw = path.read_bytes()
        encoding = "utf-8"
        if path.suffix in (".py", ".pyi"):
            encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        return raw.decode(encoding), encoding
    except (OSError, SyntaxError, UnicodeDecodeError, LookupError):
        return None


def _bad_requirement_lines(text: str) -> set[str]:
    from packaging.requirements import InvalidRequirement, Requirement

    bad = set()
    for line in text.splitlines():
        body = line.split(" #", 1)[0].strip()
        if not body or body.startswith(("#", "-", "git+", "http:", "https:", "file:", ".", "/")):
            continue
        try:
            Requirement(body.split(";", 1)[0].strip() if "@" in body else body)
        except InvalidRequirement:
            bad.add(body)
    return bad


def parses(path: Path, old: str, new: str) -> bool:
    """Whether ``new`` is still a valid file of ``path``'s kind (no worse than ``old``)."""
    name = path.name
    try:
        if path.suffix in (".py", ".pyi", ".ipynb"):  # a notebook is fixed through its module text
            import libcst as cst

            cst.parse_module(new)
        elif name.endswith(".toml") or name == "Pipfile":
            tomllib.loads(new)
        elif name.endswith((".yml", ".yaml")):
            import yaml

            yaml.safe_load(new)
        elif name.endswith((".txt", ".in")):
            return _bad_requirement_lines(new) <= _bad_requirement_lines(old)
        elif name == "setup.cfg":
            import configparser

            configparser.ConfigParser(interpolation=None).read_string(new)
    except Exception:
        return False
    return True

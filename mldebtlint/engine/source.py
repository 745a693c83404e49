"""What every stage of the per-file phase shares: the task, finding construction,
decoding and the cheap syntax check. Imports only ``core`` (libcst on first use)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from mldebtlint.core.catalog import CatalogEntry, load_catalog
from mldebtlint.core.config import Settings
from mldebtlint.core.scoring import priority_of
from mldebtlint.core.types import PARSE_ERROR_CODE, Finding, Fix, Location, Related

MAX_FILE_BYTES = 2_000_000
# A notebook's size is mostly outputs, which are skipped unread; its code is
# still held to MAX_FILE_BYTES.
MAX_NOTEBOOK_BYTES = 512_000_000
NOTEBOOK_SUFFIX = ".ipynb"


def is_notebook(name: str) -> bool:
    return name.endswith(NOTEBOOK_SUFFIX)


@dataclass(frozen=True)
class FileTask:
    path: str  # absolute
    display: str
    relative: str
    python: bool
    manifest: bool
    facts_only: bool = False


def make_fingerprint(code: str, relative: str, scope: str, snippet: str, occurrence: int) -> str:
    """``mldebtlint.engine.fingerprint.make_fingerprint``, imported on first use (it needs libcst)."""
    from mldebtlint.engine.fingerprint import make_fingerprint as fingerprint

    return fingerprint(code, relative, scope, snippet, occurrence)


def build_finding(
    entry: CatalogEntry,
    settings: Settings,
    message: str,
    display: str,
    location: Location,
    fingerprint: str,
    suppress_lines: Iterable[int] = (),
    data: dict[str, Any] | None = None,
    related: Iterable[Related] = (),
    fix: Fix | None = None,
) -> Finding:
    effort, impact, risk = settings.score_for(entry.code)
    priority = priority_of(effort, impact, risk)
    return Finding(
        code=entry.code,
        rule=entry.name,
        category=entry.category,
        severity=entry.severity,
        message=message,
        path=display,
        location=location,
        debt_minutes=effort,
        priority=priority,
        fingerprint=fingerprint,
        suppress_lines=tuple(sorted(set(suppress_lines))),
        data=tuple(sorted((data or {}).items())),
        related=tuple(related),
        fix=fix,
    )


def parse_error(task: FileTask, settings: Settings, message: str, line: int = 1, column: int = 1) -> Finding:
    entry = load_catalog()[PARSE_ERROR_CODE]
    fingerprint = make_fingerprint(PARSE_ERROR_CODE, task.relative, "", message, 0)
    return build_finding(entry, settings, message, task.display, Location(line, column, line, column), fingerprint)


def decode_source(raw: bytes) -> str:
    """Decode like Python does (PEP 263 cookie, BOM), or raise UnicodeDecodeError."""
    import io
    import tokenize

    encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    return raw.decode(encoding)


def syntax_error(text: str, filename: str) -> tuple[str, int, int] | None:
    import ast

    try:
        compile(text, filename, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        return f"syntax error: {exc.msg}", max(exc.lineno or 1, 1), max(exc.offset or 1, 1)
    except (ValueError, RecursionError, MemoryError) as exc:
        return f"cannot parse: {exc}", 1, 1
    return None


def count_lines(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.strip())

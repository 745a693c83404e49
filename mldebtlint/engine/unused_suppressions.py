"""MLD001 unused-suppression: a runner-level check, after every finding of the
run has met the suppressions (only then is it known which directive was used).

Candidates come from the per-file results (``FileResult.noqa``, cached like
everything else); each is confirmed against the file's comments with
``tokenize`` (a ``# noqa`` inside a string is not a directive), which also
gives the directive's column. Files that were skipped, failed to parse, or
are not Python sources are not judged.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace

from mldebtlint.core.catalog import load_catalog
from mldebtlint.core.config import Settings
from mldebtlint.core.types import PARSE_ERROR_CODE, SAFE, Edit, FileResult, Finding, Fix, Location
from mldebtlint.engine.source import build_finding, make_fingerprint
from mldebtlint.engine.suppressions import (
    BARE_IGNORE,
    comment_spans,
    directive_column,
    strip_tokens,
    unused_tokens,
)

CODE = "MLD001"
LINE_BREAK = re.compile(r"\r\n|\r|\n")
PYTHON_SUFFIXES = (".py", ".pyi")


def judged(result: FileResult) -> bool:
    """Whether a file's directives can be judged: a Python source that was really checked."""
    return (
        result.is_python
        and bool(result.noqa)
        and not result.skip_file
        and result.path.endswith(PYTHON_SUFFIXES)
        and not any(finding.code == PARSE_ERROR_CODE for finding in result.findings)
    )


def _message(unused: tuple[str, ...], unknown: tuple[str, ...]) -> str:
    parts = []
    codes = [token for token in unused if token != BARE_IGNORE]
    if BARE_IGNORE in unused:
        parts.append("bare 'mldebtlint: ignore' suppresses nothing here")
    if codes:
        parts.append(f"{', '.join(codes)} {'suppresses' if len(codes) == 1 else 'suppress'} nothing here")
    if unknown:
        names = ", ".join(f"'{token}'" for token in unknown)
        parts.append(f"{names} {'is not a rule code or name' if len(unknown) == 1 else 'are not rule codes or names'}")
    kind = "malformed" if unknown and not unused else "unused"
    return f"{kind} suppression: {'; '.join(parts)}"


def unused_suppression_findings(
    result: FileResult,
    relative: str,
    used: set[tuple[int, str]],
    enabled: Iterable[str],
    settings: Settings,
    read_text: Callable[[], str | None],
) -> list[Finding]:
    """MLD001 findings of one file (``used``: the ``(line, token)`` pairs that silenced a finding)."""
    if not judged(result):
        return []
    candidates = unused_tokens(result.noqa, used, enabled)
    if not candidates:
        return []
    text = read_text()
    if text is None:
        return []
    comments = comment_spans(text)
    lines = text.splitlines()
    code_lines = LINE_BREAK.split(text)  # the lines tokenize and the fixes count
    entry = load_catalog()[CODE]
    occurrences: Counter[str] = Counter()
    findings = []
    for candidate in candidates:
        comment = comments.get(candidate.line)
        offset = directive_column(comment[1]) if comment else None
        if comment is None or offset is None:
            continue  # the marker sits in a string, not in a comment
        column = comment[0] + offset + 1
        line_text = lines[candidate.line - 1] if candidate.line <= len(lines) else ""
        occurrence = occurrences[line_text.strip()]
        occurrences[line_text.strip()] += 1
        location = Location(candidate.line, column, candidate.line, comment[0] + len(comment[1]) + 1)
        finding = build_finding(
            entry,
            settings,
            _message(candidate.unused, candidate.unknown),
            result.path,
            location,
            make_fingerprint(CODE, relative, "", line_text, occurrence),
            (candidate.line,),
            {"unused": candidate.unused, "unknown": candidate.unknown},
        )
        removal = _removal(code_lines, candidate.line, comment, (*candidate.unused, *candidate.unknown))
        findings.append(replace(finding, fix=removal))  # check --fix removes what suppresses nothing
    return findings


def _removal(lines: list[str], line: int, comment: tuple[int, str], remove: tuple[str, ...]) -> Fix:
    """The edit removing ``remove`` from the directive in ``comment`` on ``line`` (the whole
    line when it held nothing but the directive). The rest of the comment (other tools'
    codes, ``# type: ignore``, an explanation) stays."""
    column, old = comment
    new = strip_tokens(old, remove)
    title = f"Remove {', '.join(remove)} from the suppression" if new else "Remove the unused suppression"
    if new == old or line > len(lines):
        return Fix(SAFE, title)  # nothing to strip
    body = lines[line - 1]
    code = body[:column].rstrip()
    if not new and not code:
        edit = Edit(line, 1, line + 1, 1, "")  # the line held only the directive
    elif code:
        edit = Edit(line, len(code) + 1, line, len(body) + 1, f"  {new}" if new else "")
    else:
        edit = Edit(line, column + 1, line, len(body) + 1, new)
    return Fix(SAFE, title, (edit,))

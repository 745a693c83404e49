"""Fix MLD001: remove the codes of a suppression directive that suppress
nothing, and the directive itself when none is left (a safe fix).

The finding's data names the tokens (``unused``, ``unknown``); only the
comment token on the finding's line is edited, found with ``tokenize`` so a
look-alike inside a string is never touched. The rest of the comment (other
tools' codes, ``# type: ignore``, an explanation) stays; a line that held
nothing but the directive is removed.
"""

from __future__ import annotations

from pathlib import Path

from mldebtlint.core.config import Settings
from mldebtlint.core.types import Finding
from mldebtlint.engine.suppressions import comment_spans, strip_tokens
from mldebtlint.fixes import FixResult


def fix(path: Path, text: str, findings: list[Finding], settings: Settings) -> FixResult:
    comments = comment_spans(text)
    lines = text.splitlines(keepends=True)
    removed_lines: set[int] = set()
    fixed, skipped = 0, []
    for finding in findings:
        data = dict(finding.data)
        remove = set(data.get("unused", ())) | set(data.get("unknown", ()))
        comment = comments.get(finding.line)
        if comment is None or not remove or finding.line > len(lines):
            skipped.append(f"{finding.path}:{finding.line}: MLD001 directive not found; not fixed")
            continue
        column, old = comment
        new = strip_tokens(old, remove)
        if new == old:
            continue
        line = lines[finding.line - 1]
        body = line.rstrip("\r\n")
        ending = line[len(body) :]
        code = body[:column].rstrip()
        if not new and not code:
            removed_lines.add(finding.line)  # the line held only the directive
        else:
            lines[finding.line - 1] = (f"{code}  {new}" if code and new else code or body[:column] + new) + ending
        fixed += 1
    kept = [line for number, line in enumerate(lines, start=1) if number not in removed_lines]
    return FixResult("".join(kept), fixed, tuple(skipped))

"""``check --add-noqa``: silence every current finding with an inline comment.

Each finding gets ``# mldebtlint: ignore[CODE]`` on a line where the engine
honours it (one of ``Finding.suppress_lines``: its own line, preferred, else
the first/last line of its statement) *and* where a comment is legal: not
inside a multi-line string, not after a backslash continuation. Codes are
merged into an existing ``mldebtlint: ignore[...]`` comment; any other comment
on the line (``# type: ignore``, ``# noqa: E501``) is kept and the directive is
appended after it. Running it twice changes nothing: the second run finds no
unsuppressed finding. Files that do not tokenize are left alone. In a notebook
the directive goes on the cell's line; only those cell sources change.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mldebtlint.adoption.baseline import atomic_write_bytes, atomic_write_text
from mldebtlint.core.types import PARSE_ERROR_CODE, Finding

_DIRECTIVE = re.compile(r"(#\s*mldebtlint\s*:\s*ignore)\b(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)


@dataclass
class NoqaOutcome:
    added: int = 0  # findings newly silenced
    files: set[str] = field(default_factory=set)
    skipped: list[str] = field(default_factory=list)  # "path:line: CODE (why)"


def _comment_lines(text: str) -> tuple[set[int], dict[int, tuple[int, str]]]:
    """Lines that may end with a comment, and the existing comment of each line."""
    legal: set[int] = set()
    comments: dict[int, tuple[int, str]] = {}
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type in (tokenize.NEWLINE, tokenize.NL):
            legal.add(token.start[0])
        elif token.type == tokenize.COMMENT:
            legal.add(token.start[0])
            comments[token.start[0]] = (token.start[1], token.string)
    return legal, comments


def _merge_directive(comment: str, codes: set[str]) -> str | None:
    """The comment with ``codes`` merged into its ignore directive; None if it has none."""
    match = _DIRECTIVE.search(comment)
    if match is None:
        return None
    if match.group("codes") is None:
        return comment  # a bare ignore already silences everything
    present = [item.strip() for item in re.split(r"[,\s]+", match.group("codes")) if item.strip()]
    merged = present + sorted(code for code in codes if code not in present)
    return f"{comment[: match.start()]}{match.group(1)}[{', '.join(merged)}]{comment[match.end() :]}"


def _edit_line(line: str, comment: tuple[int, str] | None, codes: set[str]) -> str:
    body = line.rstrip("\r\n")
    ending = line[len(body) :]
    directive = f"# mldebtlint: ignore[{', '.join(sorted(codes))}]"
    if comment is None:
        return f"{body.rstrip()}  {directive}{ending}"
    column, text = comment
    merged = _merge_directive(text, codes)
    if merged is not None:
        return body[:column] + merged + body[column + len(text) :] + ending
    return f"{body.rstrip()}  {directive}{ending}"


def _target_line(finding: Finding, legal: set[int]) -> int | None:
    candidates = [finding.line] + sorted(set(finding.suppress_lines) - {finding.line}, reverse=True)
    return next((line for line in candidates if line in legal), None)


def add_noqa_to_file(path: Path, findings: list[Finding], outcome: NoqaOutcome) -> None:
    try:
        raw = path.read_bytes()
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        text = raw.decode(encoding)
        legal, comments = _comment_lines(text)
    except (OSError, SyntaxError, UnicodeDecodeError, LookupError, tokenize.TokenError) as exc:
        outcome.skipped.extend(f"{f.path}:{f.line}: {f.code} (cannot edit the file: {exc})" for f in findings)
        return
    # Split exactly as the tokenizer does, so line numbers agree.
    lines = io.StringIO(text).readlines()
    wanted: dict[int, set[str]] = defaultdict(set)
    for finding in findings:
        target = _target_line(finding, legal)
        if target is None or target > len(lines):
            outcome.skipped.append(f"{finding.path}:{finding.line}: {finding.code} (no line can hold a comment)")
            continue
        wanted[target].add(finding.code)
        outcome.added += 1
    if not wanted:
        return
    for number, codes in wanted.items():
        lines[number - 1] = _edit_line(lines[number - 1], comments.get(number), codes)
    atomic_write_text(path, "".join(lines), encoding=encoding)
    outcome.files.add(str(path))


def add_noqa(findings: Iterable[Finding], python_paths: set[str]) -> NoqaOutcome:
    """Add directives for ``findings`` in the Python files among ``python_paths``."""
    outcome = NoqaOutcome()
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.code == PARSE_ERROR_CODE:
            continue  # a file that does not parse cannot be annotated safely
        if finding.path not in python_paths:
            outcome.skipped.append(f"{finding.path}:{finding.line}: {finding.code} (not a Python file)")
            continue
        by_file[finding.path].append(finding)
    for path, file_findings in sorted(by_file.items()):
        if path.endswith(".ipynb"):
            add_noqa_to_notebook(Path(path), file_findings, outcome)
        else:
            add_noqa_to_file(Path(path), file_findings, outcome)
    return outcome


def add_noqa_to_notebook(path: Path, findings: list[Finding], outcome: NoqaOutcome) -> None:
    """The directives go into the cells' sources; the rest of the file stays byte-identical.

    Legal lines come from the module the rules saw (IPython lines are masked
    there), the edit is made on the cells' own lines (so ``!pip install torch``
    keeps its text and gains the comment).
    """
    from mldebtlint.engine.notebook import NotebookError, build_module, read_notebook
    from mldebtlint.engine.notebook_edit import cell_sources, module_findings, write_sources

    def skip_all(why: str) -> None:
        outcome.skipped.extend(f"{f.path}:cell {f.cell}:{f.line}: {f.code} ({why})" for f in findings)

    try:
        notebook = read_notebook(path.read_bytes())
        module = build_module(notebook)
        legal, comments = _comment_lines(module.text)
    except (OSError, NotebookError, SyntaxError, tokenize.TokenError) as exc:
        skip_all(f"cannot edit the notebook: {exc}")
        return
    lines = list(module.original)
    wanted: dict[int, set[str]] = defaultdict(set)
    added = 0
    for finding, located in zip(findings, module_findings(findings, module)):
        target = _target_line(located, legal)
        if target is None or target > len(lines) or located.cell is not None:
            outcome.skipped.append(
                f"{finding.path}:cell {finding.cell}:{finding.line}: {finding.code} (no line can hold a comment)"
            )
            continue
        wanted[target].add(finding.code)
        added += 1
    if not wanted:
        return
    for number, codes in wanted.items():
        # IPython and dedented lines: the comment's column in the module is not the cell's.
        comment = comments.get(number) if number not in module.masked | module.shifted else None
        lines[number - 1] = _edit_line(lines[number - 1], comment, codes)
    sources = cell_sources(notebook, module, module.original_text, "".join(line + "\n" for line in lines), True)
    edit = write_sources(notebook, sources) if sources else None
    if edit is None:
        skip_all("the notebook could not be rewritten safely")
        return
    atomic_write_bytes(path, edit.data)
    outcome.added += added
    outcome.files.add(str(path))

"""Inline suppressions, and which of them were used (MLD001).

* ``# mldebtlint: ignore[MLD101]`` / ``[hardcoded-threshold]`` / bare
  ``# mldebtlint: ignore`` and ``# noqa: MLD101`` / bare ``# noqa`` on a
  finding's line (or the first/last line of its statement);
* ``# mldebtlint: skip-file`` anywhere in the file skips it.

A line's directives become a set of tokens: rule codes (upper case) and rule
names (lower case) as written, ``*`` for a bare directive (it silences
everything), plus ``*ignore`` when that bare directive is ``mldebtlint: ignore``
(MLD001 may report it; a bare ``noqa`` usually belongs to another linter). In a ``noqa`` list only
what looks like ours is kept (``MLD...`` and our rule names): ``E501`` belongs
to another linter. The runner records which ``(line, token)`` silenced a
finding; ``unused_tokens`` then tells MLD001 what suppressed nothing.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from mldebtlint.core.types import Finding

_IGNORE = re.compile(r"#\s*mldebtlint\s*:\s*ignore\b(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)
_NOQA = re.compile(r"#\s*noqa\b(?::\s*(?P<codes>[A-Za-z0-9_\-]+(?:[,\s]+[A-Za-z0-9_\-]+)*))?", re.IGNORECASE)
_SKIP_FILE = re.compile(r"#\s*mldebtlint\s*:\s*skip-file\b", re.IGNORECASE)
DIRECTIVES = (("ignore", _IGNORE), ("noqa", _NOQA))

ALL = "*"  # any bare directive: silences everything; by itself never reported as unused
BARE_IGNORE = "*ignore"  # also carried by a bare ``# mldebtlint: ignore``, which can be
_SILENCE_ALL = frozenset({ALL, BARE_IGNORE})
UNUSED_SUPPRESSION = ("MLD001", "unused-suppression")


def normalize(token: str) -> str:
    token = token.strip()
    return token.upper() if token.upper().startswith("MLD") else token.lower()


def split_codes(raw: str) -> list[str]:
    """The items of a directive's code list, as written."""
    return [item for item in re.split(r"[,\s]+", raw) if item.strip()]


@functools.cache
def _rule_names() -> frozenset[str]:
    from mldebtlint.core.catalog import load_catalog

    return frozenset(entry.name for entry in load_catalog().values())


def _known_name(token: str) -> bool:
    return token in _rule_names()


def directive_tokens(kind: str, raw: str | None) -> frozenset[str]:
    """The tokens of one directive (``raw``: its code list, None when bare)."""
    items = [normalize(item) for item in split_codes(raw or "")]
    if kind == "noqa":
        items = [item for item in items if item.startswith("MLD") or _known_name(item)]
        return frozenset(items) if raw and raw.strip() else frozenset({ALL})
    return frozenset(items) if items else frozenset({ALL, BARE_IGNORE})


@dataclass(frozen=True)
class Suppressions:
    # line -> tokens of the directives there (see the module docstring)
    by_line: dict[int, frozenset[str]]
    skip_file: bool = False

    def silencing(self, finding: Finding) -> list[tuple[int, str]]:
        """Every ``(line, token)`` that silences ``finding`` (empty: it is reported).

        All of them count as used, not only the first: which of two matching
        directives is redundant is a matter of taste, not something to report.
        """
        hits = []
        for line in finding.suppress_lines or (finding.location.line,):
            for token in self.by_line.get(line, ()):
                if token in _SILENCE_ALL or token in (finding.code, finding.rule):
                    hits.append((line, token))
        return hits

    def silences(self, finding: Finding) -> bool:
        return bool(self.silencing(finding))


def parse_suppressions(source: str) -> Suppressions:
    """Scan comments cheaply (only lines that mention a marker)."""
    lowered = source.lower()
    if "noqa" not in lowered and "mldebtlint" not in lowered:
        return Suppressions({})
    by_line: dict[int, frozenset[str]] = {}
    skip_file = False
    for number, line in enumerate(source.splitlines(), start=1):
        if "#" not in line:
            continue
        if _SKIP_FILE.search(line):
            skip_file = True
        tokens: frozenset[str] = frozenset()
        for kind, pattern in DIRECTIVES:
            match = pattern.search(line)
            if match:
                tokens = tokens | directive_tokens(kind, match.group("codes"))
        if tokens:
            by_line[number] = tokens
    return Suppressions(by_line, skip_file)


# -- MLD001: what suppressed nothing -------------------------------------------


@dataclass(frozen=True)
class UnusedTokens:
    line: int
    unused: tuple[str, ...]  # known codes/names (or "*") that silenced nothing
    unknown: tuple[str, ...]  # not a rule code or name: never silenced anything


def unused_tokens(
    by_line: Iterable[tuple[int, Iterable[str]]], used: set[tuple[int, str]], enabled: Iterable[str]
) -> list[UnusedTokens]:
    """Per directive line, the tokens that silenced nothing in this run.

    A code of a rule that did not run (``enabled`` is the run's codes) cannot
    be judged; a bare ``noqa`` is never reported; a line that suppresses
    MLD001 itself is left alone.
    """
    from mldebtlint.core.catalog import load_catalog

    catalog = load_catalog()
    names = {entry.name: entry for entry in catalog.values()}
    enabled = set(enabled)
    found = []
    for line, line_tokens in by_line:
        tokens = set(line_tokens)
        if tokens & set(UNUSED_SUPPRESSION):
            continue
        unused, unknown = [], []
        for token in sorted(tokens - {ALL}):
            if (line, token) in used:
                continue
            if token == BARE_IGNORE:
                unused.append(token)
                continue
            entry = catalog.get(token) or names.get(token)
            if entry is None:
                unknown.append(token)
            elif entry.code in enabled:
                unused.append(token)
        if unused or unknown:
            found.append(UnusedTokens(line, tuple(unused), tuple(unknown)))
    return found


def comment_spans(text: str) -> dict[int, tuple[int, str]]:
    """Line -> (0-based column, text) of the comment token on it; {} if ``text`` does not tokenize."""
    import io
    import tokenize

    comments: dict[int, tuple[int, str]] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                comments[token.start[0]] = (token.start[1], token.string)
    except (tokenize.TokenError, SyntaxError):
        return {}
    return comments


def directive_column(comment: str) -> int | None:
    """0-based offset in ``comment`` of its first mldebtlint directive, if any."""
    starts = [match.start() for _, pattern in DIRECTIVES if (match := pattern.search(comment))]
    return min(starts) if starts else None


def strip_tokens(comment: str, remove: Iterable[str]) -> str:
    """``comment`` without the directive tokens in ``remove`` (normalised).

    A directive left with no token is removed entirely, so an emptied
    ``# noqa: MLD101`` does not become a bare ``# noqa`` that silences all;
    other tools' codes (``E501``) and the rest of the comment stay.
    """
    remove = set(remove)
    for kind, pattern in DIRECTIVES:
        match = pattern.search(comment)
        if match is None:
            continue
        raw = match.group("codes")
        if raw is None or not raw.strip():
            if kind == "ignore" and BARE_IGNORE in remove:
                comment = _cut(comment, match.start(), match.end())
            continue
        items = split_codes(raw)
        kept = [item for item in items if normalize(item) not in remove]
        if not kept:
            comment = _cut(comment, match.start(), match.end())
        elif len(kept) < len(items):
            comment = comment[: match.start("codes")] + ", ".join(kept) + comment[match.end("codes") :]
    return comment.rstrip()


def _cut(comment: str, start: int, end: int) -> str:
    """Remove ``comment[start:end]`` (a directive), keeping what surrounds it a comment."""
    head, tail = comment[:start].rstrip(), comment[end:].strip()
    if not tail:
        return head
    if not head:
        return tail if tail.startswith("#") else f"# {tail}"
    return f"{head}  {tail}" if tail.startswith("#") else f"{head} {tail}"

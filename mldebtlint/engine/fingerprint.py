"""Finding fingerprints: an identity for a finding that survives unrelated edits.

Baselines and GitLab Code Quality match findings across runs by fingerprint,
so it must not depend on line numbers or on formatting, and it must change
when the flagged code itself changes (another literal, another rule).

Recipe (``make_fingerprint``): the first 16 hex digits of the sha256 of the
UTF-8 bytes of these five parts joined by U+001F (the occurrence in decimal):

1. the rule code;
2. the file path relative to the project root (POSIX separators);
3. the enclosing class/function names (``Model.forward``; empty at module level);
4. the flagged code in a normal form (``normalize_snippet``): Python tokens
   joined by one space, with comments, line breaks and indentation dropped,
   trailing commas before a closing bracket dropped, redundant parentheses
   around the whole snippet dropped, plain string literals in one quote style
   and numbers in lower case. A flagged ``def``/``class`` counts as its header
   only (``def train``) and an ``if``/``while``/``for``/``with`` as its header,
   so edits inside the body do not renew it;
5. the occurrence index of that same (code, scope, normal form) in the file,
   so two identical findings in one function stay distinct.

For MLD000 (a file that cannot be read or parsed) the flagged code is the
error message with every run of digits replaced by ``#``, since parser
messages name a line; it then takes the normal form like any snippet
(tests/test_contract_fingerprints.py pins a few values computed by hand).

What keeps it: lines inserted or deleted above, the file reformatted (black,
ruff format: line breaks, indentation, quotes, magic trailing commas,
parentheses), comments added, the function moved within the file.
What renews it: another literal or expression, another rule, a rename of the
enclosing function or class, a move to another file.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import io
import re
import tokenize

import libcst as cst

from mldebtlint.core.types import PARSE_ERROR_CODE

_WHITESPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")
_DROPPED = frozenset(
    {
        tokenize.COMMENT,
        tokenize.NL,
        tokenize.NEWLINE,
        tokenize.INDENT,
        tokenize.DEDENT,
        tokenize.ENDMARKER,
    }
)
_CLOSERS = frozenset({")", "]", "}"})


def make_fingerprint(code: str, relative: str, scope: str, snippet: str, occurrence: int) -> str:
    if code == PARSE_ERROR_CODE:
        # Its "snippet" is the parser's message, which names a line and column.
        snippet = _DIGITS.sub("#", snippet)
    payload = "\x1f".join((code, relative, scope, normalize_snippet(snippet), str(occurrence)))
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@functools.lru_cache(maxsize=4096)
def normalize_snippet(snippet: str) -> str:
    """The formatting-independent normal form of a piece of code (see module doc)."""
    try:
        tokens = [
            token
            for token in tokenize.generate_tokens(io.StringIO(snippet.strip()).readline)
            if token.type not in _DROPPED
        ]
    except (tokenize.TokenError, SyntaxError, ValueError):
        # Not tokenizable as Python (a manifest line, a partial snippet).
        return _WHITESPACE.sub("", snippet)
    parts = [_token_text(token) for token in tokens]
    parts = [
        part
        for index, part in enumerate(parts)
        if not (part == "," and index + 1 < len(parts) and parts[index + 1] in _CLOSERS)
    ]
    while len(parts) >= 2 and parts[0] == "(" and parts[-1] == ")" and _closes_at_end(parts):
        parts = parts[1:-1]
    return " ".join(parts)


def _token_text(token: tokenize.TokenInfo) -> str:
    if token.type == tokenize.NUMBER:
        return token.string.lower()
    if token.type == tokenize.STRING and "f" not in token.string.split("'")[0].split('"')[0].lower():
        try:
            return repr(ast.literal_eval(token.string))
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return token.string
    return token.string


def _closes_at_end(parts: list[str]) -> bool:
    """Whether the opening parenthesis at parts[0] is closed by parts[-1]."""
    depth = 0
    for index, part in enumerate(parts):
        if part in ("(", "[", "{"):
            depth += 1
        elif part in _CLOSERS:
            depth -= 1
            if depth == 0:
                return index == len(parts) - 1
    return False


_HEADER_FIELDS: dict[type, tuple[str, tuple[str, ...]]] = {
    cst.If: ("if", ("test",)),
    cst.While: ("while", ("test",)),
    cst.For: ("for", ("target", "iter")),
    cst.With: ("with", ("items",)),
}


def node_snippet(module: cst.Module, node: cst.CSTNode) -> str:
    """The code that identifies a flagged node: compound statements by their header."""
    if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
        return f"{'class' if isinstance(node, cst.ClassDef) else 'def'} {node.name.value}"
    header = _HEADER_FIELDS.get(type(node))
    if header is not None:
        keyword, fields = header
        pieces = [keyword]
        for name in fields:
            value = getattr(node, name)
            items = value if isinstance(value, (list, tuple)) else (value,)
            pieces.extend(module.code_for_node(item) for item in items)
        return " ".join(pieces)
    if isinstance(node, cst.BaseCompoundStatement):
        return type(node).__name__
    return module.code_for_node(node)

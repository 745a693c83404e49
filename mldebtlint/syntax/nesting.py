"""Guard against pathologically nested code before libcst sees it.

libcst's native parser recurses without a limit: a few thousand nested
parentheses, or a chain like ``1+1+...`` of ~8000 terms, overflow the C stack
and kill the process with SIGSEGV (no exception to catch), and chains of a
few thousand terms already take it seconds to minutes (its time grows
quadratically). CPython's own parser has hard limits (200 nested brackets,
about 3000 nested expression levels) and fails fast with SyntaxError or
RecursionError, so it is the gate: a file CPython refuses for nesting becomes
an MLD000 finding and libcst never sees it.

The gate costs a C-speed parse, so it runs only on files that could hold such
nesting: one with a long line, deep brackets or a long run of continued lines
(a statement needs thousands of operator tokens to get there).
"""

from __future__ import annotations

import ast
import re
import warnings
from itertools import accumulate

# Bracket depth, over the brackets only (strings and comments included: a
# rough count is enough for a screen). CPython itself refuses depth 200.
_NOT_BRACKET = re.compile(rb"[^()\[\]{}]+")
_DELTA = [0] * 256
for _open, _close in (b"()", b"[]", b"{}"):
    _DELTA[_open], _DELTA[_close] = 1, -1
_MAX_BRACKETS = 100
_LONG_LINE = 2000
# Lines that start or end inside an unfinished expression (an operator, comma,
# open bracket or backslash): 400 in a row may hold a multi-line 1+1+... .
_OPEN_STARTS = frozenset(b"-+*/%&|^@<>=.,")
_OPEN_ENDS = frozenset(b"-+*/%&|^@<>=.,([{\\:")
_CONTINUED_RUN = 400
_NESTING_MESSAGES = ("too many nested", "nested too deeply")


def bracket_depth(raw: bytes) -> int:
    return max(accumulate(map(_DELTA.__getitem__, _NOT_BRACKET.sub(b"", raw))), default=0)


def _long_continued_run(lines: list[bytes]) -> bool:
    run = 0
    for line in lines:
        stripped = line.strip()
        if stripped and (stripped[0] in _OPEN_STARTS or stripped[-1] in _OPEN_ENDS):
            run += 1
            if run >= _CONTINUED_RUN:
                return True
        else:
            run = 0
    return False


def could_be_deep(raw: bytes) -> bool:
    """Cheap screen: False means the file cannot be nested deeply enough to matter."""
    if len(raw) < 600:
        return False
    if bracket_depth(raw) >= _MAX_BRACKETS:
        return True
    lines = raw.split(b"\n")
    return max(map(len, lines)) >= _LONG_LINE or (len(lines) >= _CONTINUED_RUN and _long_continued_run(lines))


def nesting_problem(raw: bytes) -> str | None:
    """Why libcst must not parse ``raw`` (too deeply nested), or None if it may."""
    if not could_be_deep(raw):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for odd escapes
            ast.parse(raw)
    except RecursionError:
        return "file is too deeply nested to parse"
    except MemoryError:
        return "file is too large or deeply nested to parse"
    except SyntaxError as exc:
        message = str(exc.msg or "")
        if any(fragment in message for fragment in _NESTING_MESSAGES):
            return f"syntax error: {message}"
        return None  # an ordinary syntax error: libcst reports it with its position
    except (ValueError, TypeError):
        return None
    return None

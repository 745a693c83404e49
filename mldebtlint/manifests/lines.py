"""Requirements-file lines without parsing requirements (no ``packaging``):
pip's logical lines and its ``-r``/``-c`` include options. Shared by the
requirements parser and the cache, which must know a manifest's includes on
a warm run without importing the parser."""

from __future__ import annotations

# (kind, long option, short option) of the lines that include another file.
INCLUDE_OPTIONS = (("r", "--requirement", "-r"), ("c", "--constraint", "-c"))


def logical_lines(text: str) -> list[tuple[int, int, str]]:
    """(offset, end offset, content) per logical line: comments removed,
    backslash continuations joined (pip's rules)."""
    out: list[tuple[int, int, str]] = []
    offset, pending, pending_start = 0, "", None
    for raw in text.splitlines(keepends=True):
        line = raw.rstrip("\r\n")
        cut = next((i for i, ch in enumerate(line) if ch == "#" and (i == 0 or line[i - 1].isspace())), None)
        content = line if cut is None else line[:cut]
        if pending_start is None:
            pending_start = offset
        if content.endswith("\\") and cut is None:
            pending += content[:-1] + " "
        else:
            pending += content
            out.append((pending_start, offset + len(content.rstrip()), pending))
            pending, pending_start = "", None
        offset += len(raw)
    if pending_start is not None and pending.strip():
        out.append((pending_start, offset, pending))
    return out


def option_value(tokens: list[str], long: str, short: str) -> str | None:
    first = tokens[0]
    if first in (long, short):
        return tokens[1] if len(tokens) > 1 else None
    if first.startswith(long + "="):
        return first[len(long) + 1 :]
    if first.startswith(short) and not first.startswith("--"):
        return first[len(short) :] or None
    return None


def include_targets(text: str) -> list[str]:
    """The files a requirements text includes with ``-r``/``-c``, in order (as written)."""
    targets = []
    for _, _, content in logical_lines(text):
        tokens = content.split()
        if tokens and tokens[0].startswith("-"):
            for _, long, short in INCLUDE_OPTIONS:
                target = option_value(tokens, long, short)
                if target is not None:
                    targets.append(target)
    return targets

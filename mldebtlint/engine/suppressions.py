"""Inline suppressions.

* ``# mldebtlint: ignore[MLD101]`` / ``[hardcoded-threshold]`` / bare
  ``# mldebtlint: ignore`` and ``# noqa: MLD101`` / bare ``# noqa`` on a
  finding's line (or the first/last line of its statement);
* ``# mldebtlint: skip-file`` anywhere in the file skips it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mldebtlint.core.types import Finding

_IGNORE = re.compile(r"#\s*mldebtlint\s*:\s*ignore\b(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)
_NOQA = re.compile(r"#\s*noqa\b(?::\s*(?P<codes>[A-Za-z0-9_\-]+(?:[,\s]+[A-Za-z0-9_\-]+)*))?", re.IGNORECASE)
_SKIP_FILE = re.compile(r"#\s*mldebtlint\s*:\s*skip-file\b", re.IGNORECASE)

ALL = frozenset({"*"})


@dataclass(frozen=True)
class Suppressions:
    # line -> codes/names suppressed there ("*" = everything)
    by_line: dict[int, frozenset[str]]
    skip_file: bool = False

    def silences(self, finding: Finding) -> bool:
        lines = finding.suppress_lines or (finding.location.line,)
        for line in lines:
            codes = self.by_line.get(line)
            if codes is None:
                continue
            if "*" in codes or finding.code in codes or finding.rule in codes:
                return True
        return False


def _codes(raw: str | None) -> frozenset[str]:
    if raw is None or not raw.strip():
        return ALL
    names = {item.strip() for item in re.split(r"[,\s]+", raw) if item.strip()}
    codes = set()
    for name in names:
        codes.add(name.upper() if name.upper().startswith("MLD") else name.lower())
    return frozenset(codes)


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
        codes: frozenset[str] = frozenset()
        for pattern in (_IGNORE, _NOQA):
            match = pattern.search(line)
            if match:
                codes = codes | _codes(match.group("codes"))
        if codes:
            by_line[number] = codes
    return Suppressions(by_line, skip_file)

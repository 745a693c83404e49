"""Debt scores (SPEC section 7): totals, debt ratio, rating A-E, aggregates.

A finding's own ``debt_minutes`` is its rule's effort and its ``priority``
is ``priority_of`` (impact x risk / effort in hours), applied once when the
finding is built (``engine.source.build_finding``).

* development cost = lines of code x minutes per line (default 30);
* debt ratio = remediation minutes / development cost;
* rating: A <= 5%, B <= 10%, C <= 20%, D <= 50%, E above.

Boundaries are compared with exact fractions so that a ratio of exactly 5%
is an A whatever the floating-point rounding of the division.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import PurePosixPath

from mldebtlint.core.types import CheckResult, Finding

# (rating, highest debt ratio it allows); above the last one is E.
RATING_THRESHOLDS: tuple[tuple[str, Fraction], ...] = (
    ("A", Fraction(5, 100)),
    ("B", Fraction(10, 100)),
    ("C", Fraction(20, 100)),
    ("D", Fraction(50, 100)),
)
WORST_RATING = "E"
RATINGS = tuple(letter for letter, _ in RATING_THRESHOLDS) + (WORST_RATING,)


def priority_of(effort_minutes: float, impact: int, risk: int) -> float:
    """Impact x risk per hour of remediation (SPEC section 7), rounded to 2 places."""
    return round(impact * risk / (effort_minutes / 60), 2) if effort_minutes > 0 else 0.0


def development_minutes(lines: int, minutes_per_line: float) -> float:
    return lines * minutes_per_line


def _exact_ratio(debt_minutes: float, lines: int, minutes_per_line: float) -> Fraction | None:
    """The ratio as a fraction; None when there is debt but no code to weigh it against."""
    cost = Fraction(lines) * Fraction(minutes_per_line)
    if cost <= 0:
        return Fraction(0) if debt_minutes <= 0 else None
    return Fraction(debt_minutes) / cost


def debt_ratio(debt_minutes: float, lines: int, minutes_per_line: float) -> float | None:
    """Remediation cost / development cost; None if undefined (no lines, some debt)."""
    exact = _exact_ratio(debt_minutes, lines, minutes_per_line)
    return None if exact is None else float(exact)


def rating_for_ratio(ratio: Fraction | float | None) -> str:
    """The letter for a ratio; an undefined (infinite) ratio is the worst."""
    if ratio is None:
        return WORST_RATING
    exact = Fraction(ratio) if not isinstance(ratio, Fraction) else ratio
    for letter, limit in RATING_THRESHOLDS:
        if exact <= limit:
            return letter
    return WORST_RATING


def rating(debt_minutes: float, lines: int, minutes_per_line: float) -> str:
    return rating_for_ratio(_exact_ratio(debt_minutes, lines, minutes_per_line))


def is_worse_rating(actual: str, limit: str) -> bool:
    """True when ``actual`` is a worse letter than ``limit`` (E is worse than B)."""
    return RATINGS.index(actual.upper()) > RATINGS.index(limit.upper())


def exceeds_ratio(debt_minutes: float, lines: int, minutes_per_line: float, max_ratio: float | str) -> bool:
    """True when the debt ratio is above ``max_ratio`` (read as a decimal, exactly)."""
    exact = _exact_ratio(debt_minutes, lines, minutes_per_line)
    return exact is None or exact > Fraction(str(max_ratio))


@dataclass(frozen=True)
class Score:
    """The debt of one group of findings (a file, folder, category, rule, the repo)."""

    key: str
    findings: int
    debt_minutes: int
    lines: int
    ratio: float | None
    rating: str

    def to_dict(self, key_name: str) -> dict:
        return {
            key_name: self.key,
            "findings": self.findings,
            "debt_minutes": self.debt_minutes,
            "lines": self.lines,
            "debt_ratio": None if self.ratio is None else round(self.ratio, 6),
            "rating": self.rating,
        }


def score(key: str, findings: Iterable[Finding], lines: int, minutes_per_line: float) -> Score:
    items = list(findings)
    debt = sum(finding.debt_minutes for finding in items)
    return Score(
        key, len(items), debt, lines, debt_ratio(debt, lines, minutes_per_line), rating(debt, lines, minutes_per_line)
    )


def repo_score(result: CheckResult, minutes_per_line: float) -> Score:
    return score("", result.findings, result.total_lines, minutes_per_line)


def _group(findings: Iterable[Finding], key: Callable[[Finding], str]) -> dict[str, list[Finding]]:
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(key(finding), []).append(finding)
    return groups


def _ranked(scores: Iterable[Score]) -> list[Score]:
    """Most debt first; ties by more findings, then by name."""
    return sorted(scores, key=lambda s: (-s.debt_minutes, -s.findings, s.key))


def directory_of(path: str) -> str:
    parent = PurePosixPath(path.replace("\\", "/")).parent.as_posix()
    return parent if parent else "."


def by_file(result: CheckResult, minutes_per_line: float) -> list[Score]:
    """Every file with findings; its ratio is against its own lines."""
    lines_of = {file.path: file.lines for file in result.files}
    groups = _group(result.findings, lambda f: f.path)
    return _ranked(score(path, items, lines_of.get(path, 0), minutes_per_line) for path, items in groups.items())


def by_directory(result: CheckResult, minutes_per_line: float) -> list[Score]:
    """Every folder holding files with findings (each file counts in its own folder only)."""
    lines_of: dict[str, int] = {}
    for file in result.files:
        folder = directory_of(file.path)
        lines_of[folder] = lines_of.get(folder, 0) + file.lines
    groups = _group(result.findings, lambda f: directory_of(f.path))
    return _ranked(score(folder, items, lines_of.get(folder, 0), minutes_per_line) for folder, items in groups.items())


def by_category(result: CheckResult, minutes_per_line: float) -> list[Score]:
    """Each category's debt against the whole repo's development cost."""
    groups = _group(result.findings, lambda f: f.category)
    lines = result.total_lines
    return _ranked(score(category, items, lines, minutes_per_line) for category, items in groups.items())


def by_rule(result: CheckResult, minutes_per_line: float) -> list[Score]:
    """Each rule's debt (keyed by code) against the whole repo's development cost."""
    groups = _group(result.findings, lambda f: f.code)
    lines = result.total_lines
    return _ranked(score(code, items, lines, minutes_per_line) for code, items in groups.items())


def by_priority(findings: Iterable[Finding]) -> list[Finding]:
    """Debt items, most urgent first: priority, then debt, then location."""
    return sorted(findings, key=lambda f: (-f.priority, -f.debt_minutes, f.sort_key()))


def format_minutes(minutes: float) -> str:
    """``95`` -> ``1h 35min``; ``0`` -> ``0min``. Hours are not folded into days."""
    total = int(round(minutes))
    hours, rest = divmod(total, 60)
    if hours and rest:
        return f"{hours}h {rest}min"
    if hours:
        return f"{hours}h"
    return f"{rest}min"


def format_ratio(ratio: float | None) -> str:
    return "n/a" if ratio is None else f"{ratio * 100:.1f}%"

"""Debt scores (SPEC section 7, as calibrated in README "Calibration"): totals,
debt ratio, rating A-E, aggregates, priority.

A finding's own ``debt_minutes`` is its rule's effort and its ``priority``
is ``priority_of`` (impact x risk x effort in hours: risk-weighted debt),
applied once when the finding is built (``engine.source.build_finding``).

Two ratio models (``[tool.mldebtlint.score] ratio = ...``):

* ``ml-code`` (default): development cost = non-blank lines of the ML code
  (modules that import an ML framework, files an ML rule reported on,
  notebooks) x minutes per line; boundaries calibrated on real ML
  applications: A <= 0.05%, B <= 0.1%, C <= 0.25%, D <= 0.5%, E above.
* ``sqale``: development cost = every non-blank line x minutes per line;
  A <= 5%, B <= 10%, C <= 20%, D <= 50%, E above (the SQALE defaults).

Boundaries are compared with exact fractions so that a ratio of exactly a
boundary gets the better letter whatever the floating-point rounding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import PurePosixPath

from mldebtlint.core.types import PARSE_ERROR_CODE, CheckResult, FileResult, Finding

NOTEBOOK_SUFFIX = ".ipynb"

Thresholds = tuple[tuple[str, Fraction], ...]

# (rating, highest debt ratio it allows); above the last one is E.
SQALE_THRESHOLDS: Thresholds = (
    ("A", Fraction(5, 100)),
    ("B", Fraction(10, 100)),
    ("C", Fraction(20, 100)),
    ("D", Fraction(50, 100)),
)
# Calibrated on the real-application corpus (README, "Calibration"): each
# grade doubles-to-halves the allowed debt, and the corpus spreads over A-E.
ML_CODE_THRESHOLDS: Thresholds = (
    ("A", Fraction(5, 10000)),
    ("B", Fraction(1, 1000)),
    ("C", Fraction(25, 10000)),
    ("D", Fraction(5, 1000)),
)
WORST_RATING = "E"
RATINGS = tuple(letter for letter, _ in SQALE_THRESHOLDS) + (WORST_RATING,)
# A file without code (a manifest) has no ratio and no rating.
NO_RATING = None


@dataclass(frozen=True)
class RatioModel:
    """How the debt ratio is defined: which lines weigh the debt, which boundaries."""

    name: str
    thresholds: Thresholds
    description: str


RATIO_MODELS = {
    "ml-code": RatioModel(
        "ml-code",
        ML_CODE_THRESHOLDS,
        "remediation time / development cost of the ML code (modules importing an ML framework, "
        "files with ML findings, notebooks)",
    ),
    "sqale": RatioModel("sqale", SQALE_THRESHOLDS, "remediation time / development cost of all the code"),
}
DEFAULT_RATIO_MODEL = "ml-code"
# The thresholds a caller gets when it names none.
RATING_THRESHOLDS = RATIO_MODELS[DEFAULT_RATIO_MODEL].thresholds


def ratio_model(name: str | None) -> RatioModel:
    return RATIO_MODELS[name or DEFAULT_RATIO_MODEL]


def rating_meaning(letter: str, thresholds: Thresholds = RATING_THRESHOLDS) -> str:
    """``"debt ratio at most 0.1%"`` for B (ml-code); E is "above" the last boundary."""
    for name, limit in thresholds:
        if name == letter:
            return f"debt ratio at most {_percent(limit)}"
    return f"debt ratio above {_percent(thresholds[-1][1])}"


def _percent(limit: Fraction) -> str:
    return f"{float(limit) * 100:g}%"


def priority_of(effort_minutes: float, impact: int, risk: int) -> float:
    """Risk-weighted debt: impact x risk x hours of remediation, rounded to 2 places.

    An 8-hour feedback loop (impact 5, risk 5) scores 200; a 15-minute
    literal (3, 3) scores 2.25: the items that hold the most harmful debt
    come first, and merging N identical items multiplies their weight by N.
    """
    return round(impact * risk * effort_minutes / 60, 2) if effort_minutes > 0 else 0.0


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


def rating_for_ratio(ratio: Fraction | float | None, thresholds: Thresholds = RATING_THRESHOLDS) -> str:
    """The letter for a ratio; an undefined (infinite) ratio is the worst."""
    if ratio is None:
        return WORST_RATING
    exact = Fraction(ratio) if not isinstance(ratio, Fraction) else ratio
    for letter, limit in thresholds:
        if exact <= limit:
            return letter
    return WORST_RATING


def rating(debt_minutes: float, lines: int, minutes_per_line: float, thresholds: Thresholds = RATING_THRESHOLDS) -> str:
    return rating_for_ratio(_exact_ratio(debt_minutes, lines, minutes_per_line), thresholds)


def is_worse_rating(actual: str, limit: str) -> bool:
    """True when ``actual`` is a worse letter than ``limit`` (E is worse than B)."""
    return RATINGS.index(actual.upper()) > RATINGS.index(limit.upper())


def exceeds_ratio(debt_minutes: float, lines: int, minutes_per_line: float, max_ratio: float | str) -> bool:
    """True when the debt ratio is above ``max_ratio`` (read as a decimal, exactly)."""
    exact = _exact_ratio(debt_minutes, lines, minutes_per_line)
    return exact is None or exact > Fraction(str(max_ratio))


@dataclass(frozen=True)
class Basis:
    """What a run's debt is weighed against: the repo's weighing lines (ML code
    or all code, by ratio model), minutes per line and the rating boundaries."""

    minutes_per_line: float
    lines: int
    thresholds: Thresholds = RATING_THRESHOLDS
    model: str = DEFAULT_RATIO_MODEL
    ml_lines: int = 0


def is_ml_code(file: FileResult, ml_paths: frozenset[str] | set[str], findings_at: set[str]) -> bool:
    """A Python file counts as ML code when its text imports an ML framework
    (``ml_paths``, found by the caller), an ML rule reported on it (any finding
    but a parse error), or it is a notebook."""
    if not file.is_python or file.lines <= 0:
        return False
    return file.path in ml_paths or file.path in findings_at or file.path.endswith(NOTEBOOK_SUFFIX)


def ml_code_lines(result: CheckResult, ml_paths: frozenset[str] | set[str] = frozenset()) -> int:
    findings_at = {finding.path for finding in result.findings if finding.code != PARSE_ERROR_CODE}
    return sum(file.lines for file in result.files if is_ml_code(file, ml_paths, findings_at))


def basis_for(
    result: CheckResult,
    minutes_per_line: float,
    model_name: str | None = None,
    ml_paths: frozenset[str] | set[str] = frozenset(),
) -> Basis:
    """The weighing of ``result``: with ``ml-code``, the ML code's lines (all lines
    when the repo has no ML code at all); with ``sqale``, every line."""
    model = ratio_model(model_name)
    ml_lines = ml_code_lines(result, ml_paths)
    lines = result.total_lines
    if model.name == "ml-code" and ml_lines > 0:
        lines = ml_lines
    return Basis(minutes_per_line, lines, model.thresholds, model.name, ml_lines)


@dataclass(frozen=True)
class Score:
    """The debt of one group of findings (a file, folder, category, rule, the repo).

    ``rating`` is None (and ``ratio`` None) for a group without any code, such
    as a dependency manifest: its debt is real but has nothing to be weighed against.
    """

    key: str
    findings: int
    debt_minutes: int
    lines: int
    ratio: float | None
    rating: str | None

    def to_dict(self, key_name: str) -> dict:
        return {
            key_name: self.key,
            "findings": self.findings,
            "debt_minutes": self.debt_minutes,
            "lines": self.lines,
            "debt_ratio": None if self.ratio is None else round(self.ratio, 6),
            "rating": self.rating,
        }


def score(key: str, findings: Iterable[Finding], lines: int, basis: Basis, code: bool = True) -> Score:
    """``code=False``: a group of files without code (manifests) gets no ratio and no rating."""
    items = list(findings)
    debt = sum(finding.debt_minutes for finding in items)
    if not code and lines <= 0:
        return Score(key, len(items), debt, 0, None, NO_RATING)
    mpl = basis.minutes_per_line
    return Score(key, len(items), debt, lines, debt_ratio(debt, lines, mpl), rating(debt, lines, mpl, basis.thresholds))


def repo_score(result: CheckResult, basis: Basis) -> Score:
    return score("", result.findings, basis.lines, basis)


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


def by_file(result: CheckResult, basis: Basis) -> list[Score]:
    """Every file with findings; its ratio is against its own lines (none for a manifest)."""
    lines_of = {file.path: file.lines for file in result.files}
    groups = _group(result.findings, lambda f: f.path)
    return _ranked(score(path, items, lines_of.get(path, 0), basis, code=False) for path, items in groups.items())


def by_directory(result: CheckResult, basis: Basis) -> list[Score]:
    """Every folder holding files with findings (each file counts in its own folder only)."""
    lines_of: dict[str, int] = {}
    for file in result.files:
        folder = directory_of(file.path)
        lines_of[folder] = lines_of.get(folder, 0) + file.lines
    groups = _group(result.findings, lambda f: directory_of(f.path))
    return _ranked(score(folder, items, lines_of.get(folder, 0), basis, code=False) for folder, items in groups.items())


def by_category(result: CheckResult, basis: Basis) -> list[Score]:
    """Each category's debt against the whole repo's development cost."""
    groups = _group(result.findings, lambda f: f.category)
    return _ranked(score(category, items, basis.lines, basis) for category, items in groups.items())


def by_rule(result: CheckResult, basis: Basis) -> list[Score]:
    """Each rule's debt (keyed by code) against the whole repo's development cost."""
    groups = _group(result.findings, lambda f: f.code)
    return _ranked(score(code, items, basis.lines, basis) for code, items in groups.items())


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
    return "n/a" if ratio is None else f"{ratio * 100:.2f}%"

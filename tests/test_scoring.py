"""Exact arithmetic of SPEC section 7: debt ratio, rating boundaries, priority."""

from __future__ import annotations

from fractions import Fraction

import pytest

from mldebtlint.core import scoring
from mldebtlint.core.catalog import load_catalog
from mldebtlint.core.config import Settings
from mldebtlint.core.types import CheckResult, FileResult, Finding, Location
from mldebtlint.engine.filepass import build_finding


def finding(code="MLD999", path="a.py", debt=10, priority=1.0, category="configuration", line=1) -> Finding:
    return Finding(code, "some-rule", category, "warning", "msg", path, Location(line, 1, line, 2), debt, priority)


# -- ratio and rating ---------------------------------------------------------------


def test_debt_ratio_is_debt_over_lines_times_minutes_per_line():
    assert scoring.debt_ratio(30, 100, 30) == 0.01
    assert scoring.debt_ratio(150, 10, 30) == 0.5
    assert scoring.debt_ratio(0, 0, 30) == 0.0
    assert scoring.debt_ratio(5, 0, 30) is None  # debt but no code: undefined


def test_development_cost_uses_minutes_per_line():
    assert scoring.development_minutes(120, 30) == 3600
    assert scoring.debt_ratio(60, 120, 0.5) == 1.0


@pytest.mark.parametrize(
    ("debt", "lines", "expected"),
    [
        (0, 100, "A"),
        (150, 100, "A"),  # exactly 5%
        (151, 100, "B"),  # just above 5%
        (300, 100, "B"),  # exactly 10%
        (301, 100, "C"),
        (600, 100, "C"),  # exactly 20%
        (601, 100, "D"),
        (1500, 100, "D"),  # exactly 50%
        (1501, 100, "E"),
        (99999, 100, "E"),
        (1, 0, "E"),  # debt without any line of code
        (0, 0, "A"),
    ],
)
def test_sqale_rating_boundaries_are_inclusive(debt, lines, expected):
    assert scoring.rating(debt, lines, 30, scoring.SQALE_THRESHOLDS) == expected


@pytest.mark.parametrize(
    ("debt", "expected"),
    [
        (0, "A"),
        (15, "A"),  # exactly 0.05% of 1000 lines x 30 min (30000 min)
        (16, "B"),
        (30, "B"),  # exactly 0.1%
        (31, "C"),
        (75, "C"),  # exactly 0.25%
        (76, "D"),
        (150, "D"),  # exactly 0.5%
        (151, "E"),
    ],
)
def test_ml_code_rating_boundaries_are_inclusive(debt, expected):
    assert scoring.rating(debt, 1000, 30) == expected  # the default model: ml-code
    assert scoring.rating(debt, 1000, 30, scoring.ratio_model("ml-code").thresholds) == expected


@pytest.mark.parametrize(("percent", "expected"), [(5, "A"), (10, "B"), (20, "C"), (50, "D")])
def test_boundaries_exact_even_where_floats_round(percent, expected):
    # 7 lines at 3 min/line = 21 min; 21 * percent / 100 of debt is exactly on
    # the boundary although the float division may round either way.
    debt = Fraction(21 * percent, 100)
    sqale = scoring.SQALE_THRESHOLDS
    assert scoring.rating(debt, 7, 3, sqale) == expected
    assert (
        scoring.rating(debt + Fraction(1, 10**9), 7, 3, sqale) == scoring.RATINGS[scoring.RATINGS.index(expected) + 1]
    )


def test_rating_for_ratio_matches_thresholds():
    sqale = scoring.SQALE_THRESHOLDS
    assert [scoring.rating_for_ratio(r, sqale) for r in (0.0, 0.05, 0.0501, 0.1, 0.2, 0.5, 0.51)] == list("ABBCDDE")
    exact = [Fraction(n, 10000) for n in (0, 5, 6, 10, 25, 50, 51)]
    assert [scoring.rating_for_ratio(r) for r in exact] == list("AABBCDE")
    assert scoring.rating_for_ratio(None) == "E"


def test_rating_meaning_follows_the_model():
    assert scoring.rating_meaning("B") == "debt ratio at most 0.1%"
    assert scoring.rating_meaning("E") == "debt ratio above 0.5%"
    assert scoring.rating_meaning("C", scoring.SQALE_THRESHOLDS) == "debt ratio at most 20%"
    with pytest.raises(KeyError):
        scoring.ratio_model("lines")


def test_worse_rating_and_ratio_gate():
    assert scoring.is_worse_rating("C", "B")
    assert not scoring.is_worse_rating("B", "B")
    assert not scoring.is_worse_rating("a", "b")
    assert scoring.is_worse_rating("E", "d")
    # 10% exactly is not above a 0.1 limit; one more minute is.
    assert not scoring.exceeds_ratio(300, 100, 30, 0.1)
    assert scoring.exceeds_ratio(301, 100, 30, 0.1)
    assert scoring.exceeds_ratio(1, 0, 30, 0.5)


# -- priority (computed once per finding by the engine) ---------------------------


def test_priority_is_impact_times_risk_times_debt_hours():
    entry = load_catalog()["MLD000"]
    overrides = (("MLD000", (("effort", 30), ("impact", 4), ("risk", 3))),)
    settings = Settings(score_overrides=overrides)
    made = build_finding(entry, settings, "m", "a.py", Location(1, 1, 1, 1), "fp")
    assert made.debt_minutes == 30
    assert made.priority == 6.0  # 4 * 3 * 0.5 h
    cheap = Settings(score_overrides=(("MLD000", (("effort", 5), ("impact", 5), ("risk", 5))),))
    assert build_finding(entry, cheap, "m", "a.py", Location(1, 1, 1, 1), "fp").priority == 2.08  # 25 * 5/60 h
    default = build_finding(entry, Settings(), "m", "a.py", Location(1, 1, 1, 1), "fp")
    assert default.priority == round(entry.impact * entry.risk * entry.effort / 60, 2)


def test_an_eight_hour_feedback_loop_outranks_a_fifteen_minute_literal():
    loop, literal = scoring.priority_of(480, 5, 5), scoring.priority_of(15, 3, 3)
    assert (loop, literal) == (200.0, 2.25)
    assert scoring.priority_of(0, 5, 5) == 0.0


def test_by_priority_orders_by_priority_then_debt_then_location():
    items = [
        finding(priority=2.0, debt=10, path="b.py"),
        finding(priority=9.0, debt=5),
        finding(priority=2.0, debt=20, path="c.py"),
        finding(priority=2.0, debt=10, path="a.py"),
    ]
    ranked = scoring.by_priority(items)
    assert [(f.priority, f.debt_minutes, f.path) for f in ranked] == [
        (9.0, 5, "a.py"),
        (2.0, 20, "c.py"),
        (2.0, 10, "a.py"),
        (2.0, 10, "b.py"),
    ]


# -- aggregation -------------------------------------------------------------------


def sample() -> CheckResult:
    findings = (
        finding(path="src/a.py", debt=30, category="configuration", code="MLD101"),
        finding(path="src/a.py", debt=15, category="integration", code="MLD201", line=3),
        finding(path="src/sub/b.py", debt=60, category="configuration", code="MLD101"),
        finding(path="requirements.txt", debt=15, category="dependency", code="MLD301"),
    )
    files = (
        FileResult("src/a.py", lines=100),
        FileResult("src/sub/b.py", lines=20),
        FileResult("src/c.py", lines=80),
        FileResult("requirements.txt", is_python=False),
    )
    return CheckResult(findings, files)


SQALE = scoring.Basis(30, 200, scoring.SQALE_THRESHOLDS, "sqale")


def test_repo_score_totals():
    repo = scoring.repo_score(sample(), SQALE)
    assert (repo.findings, repo.debt_minutes, repo.lines) == (4, 120, 200)
    assert repo.ratio == 0.02 and repo.rating == "A"


def test_ml_code_basis_weighs_only_ml_code():
    # src/c.py imports an ML framework (found by the caller); a.py and b.py carry
    # ML findings; the manifest has no lines.
    basis = scoring.basis_for(sample(), 30, "ml-code", frozenset({"src/c.py"}))
    assert (basis.lines, basis.ml_lines, basis.model) == (200, 200, "ml-code")
    basis = scoring.basis_for(sample(), 30, "ml-code")
    assert (basis.lines, basis.ml_lines) == (120, 120)  # c.py has no finding and no ML import
    repo = scoring.repo_score(sample(), basis)
    assert repo.ratio == 120 / 3600 and repo.rating == "E"
    assert scoring.basis_for(sample(), 30, "sqale").lines == 200
    # A parse error alone does not make a file ML code.
    broken = CheckResult((finding(code="MLD000", path="x.py"),), (FileResult("x.py", lines=10),))
    assert scoring.ml_code_lines(broken) == 0
    # No ML code at all: the ratio falls back to every line rather than being undefined.
    assert scoring.basis_for(broken, 30, "ml-code").lines == 10
    notebook = CheckResult((), (FileResult("nb.ipynb", lines=12), FileResult("util.py", lines=5)))
    assert scoring.ml_code_lines(notebook) == 12


def test_by_file_ratio_uses_the_files_own_lines():
    rows = {s.key: s for s in scoring.by_file(sample(), SQALE)}
    assert [s.key for s in scoring.by_file(sample(), SQALE)] == ["src/sub/b.py", "src/a.py", "requirements.txt"]
    assert rows["src/sub/b.py"].ratio == 0.1 and rows["src/sub/b.py"].rating == "B"
    assert rows["src/a.py"].ratio == 0.015 and rows["src/a.py"].findings == 2
    # A manifest has no code to weigh its debt against: no ratio and no rating (not E).
    assert rows["requirements.txt"].ratio is None and rows["requirements.txt"].rating is None
    assert rows["requirements.txt"].debt_minutes == 15
    assert "src/c.py" not in rows


def test_by_directory_counts_each_file_in_its_own_folder():
    rows = {s.key: s for s in scoring.by_directory(sample(), SQALE)}
    assert rows["src"].lines == 180 and rows["src"].debt_minutes == 45
    assert rows["src/sub"].lines == 20 and rows["src/sub"].debt_minutes == 60
    assert rows["."].debt_minutes == 15 and rows["."].rating is None


def test_by_category_and_rule_are_against_the_whole_repo():
    categories = scoring.by_category(sample(), SQALE)
    assert [(s.key, s.debt_minutes, s.findings) for s in categories] == [
        ("configuration", 90, 2),
        ("dependency", 15, 1),
        ("integration", 15, 1),
    ]
    assert categories[0].ratio == 90 / 6000
    rules = scoring.by_rule(sample(), SQALE)
    assert [(s.key, s.debt_minutes) for s in rules] == [("MLD101", 90), ("MLD201", 15), ("MLD301", 15)]
    assert sum(s.debt_minutes for s in rules) == sample().total_debt_minutes


@pytest.mark.parametrize(("minutes", "text"), [(0, "0min"), (45, "45min"), (60, "1h"), (95, "1h 35min"), (1500, "25h")])
def test_format_minutes(minutes, text):
    assert scoring.format_minutes(minutes) == text


def test_format_ratio_keeps_two_decimals():
    assert (scoring.format_ratio(0.00126), scoring.format_ratio(0.5), scoring.format_ratio(None)) == (
        "0.13%",
        "50.00%",
        "n/a",
    )

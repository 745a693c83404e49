"""Contract of inline suppressions (README "Suppressions"): every documented
form silences exactly the codes it names, wherever other tools' codes and
comments share the line, and nothing else."""

from __future__ import annotations

import pytest

from mldebtlint.core.types import Finding, Location
from mldebtlint.engine.suppressions import parse_suppressions


def gate(comment: str) -> str:
    return f"""\
def approve(model, x):
    score = model.predict_proba(x)[:, 1]
    if score > 0.7:  {comment}
        return True
    return False
"""


def codes_found(lint, source: str) -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in lint(source, select=("MLD101",))]


def test_the_unsuppressed_twin_is_reported(lint):
    assert codes_found(lint, gate("# the approval cut-off")) == [(3, "MLD101")]


SILENCING = [
    "# mldebtlint: ignore[MLD101]",
    "# mldebtlint: ignore[hardcoded-threshold]",
    "# mldebtlint: ignore[Hardcoded-Threshold]",
    "# mldebtlint:ignore[mld101]",
    "#mldebtlint: ignore[MLD101]",
    "# MLDEBTLINT: IGNORE[MLD101]",
    "# mldebtlint: ignore[MLD102, MLD101]",
    "# mldebtlint: ignore[MLD102,MLD101]",
    "# mldebtlint: ignore[MLD102 MLD101]",
    "# mldebtlint: ignore",
    "# mldebtlint: ignore  -- reviewed with product",
    "# noqa: MLD101",
    "# noqa:MLD101",
    "# NOQA: MLD101",
    "# noqa: mld101",
    "# noqa: hardcoded-threshold",
    "# noqa",
    "# NoQA",
    # other tools' codes mixed in, in any order and spacing
    "# noqa: E501, MLD101",
    "# noqa: E501,MLD101",
    "# noqa:E501, MLD101",
    "# noqa: E501 MLD101",
    "# noqa: MLD101, E501",
    "# noqa: E501, W291, MLD101, B008",
    "# noqa: E501,  MLD101",
    "# type: ignore  # noqa: MLD101",
    "# noqa: E501  # mldebtlint: ignore[MLD101]",
    "# mldebtlint: ignore[MLD101]  # noqa: E501",
    "# pragma: no cover  # noqa: E501, MLD101",
    "# reviewed with product  # noqa",
]


@pytest.mark.parametrize("comment", SILENCING)
def test_a_documented_form_silences_the_finding(lint, comment):
    assert codes_found(lint, gate(comment)) == []


NOT_SILENCING = [
    "# noqa: E501",
    "# noqa: E501, W291",
    "# noqa: MLD102",
    "# noqa: MLD1",
    "# noqa: MLD1010",
    "# noqa: E501, MLD102",
    "# mldebtlint: ignore[MLD102]",
    "# mldebtlint: ignore[hardcoded-hyperparameter]",
    "# mldebtlint: ignore[E501]",
    "# type: ignore",
    "# mldebtlint: ignored for now",
    "# noqanope",
]


@pytest.mark.parametrize("comment", NOT_SILENCING)
def test_a_comment_naming_other_codes_does_not_silence(lint, comment):
    assert codes_found(lint, gate(comment)) == [(3, "MLD101")]


MULTILINE = """\
def approve(model, x):
    score = model.predict_proba(x)[:, 1]
    return np.where(  {first}
        score > 0.7,  {middle}
        1,
        0,
    )  {last}
"""


@pytest.mark.parametrize(
    ("first", "middle", "last", "silenced"),
    [
        ("", "", "", False),
        ("# noqa: MLD101", "", "", True),  # the first line of the statement
        ("", "# noqa: MLD101", "", True),  # the finding's own line
        ("", "", "# noqa: MLD101", True),  # the last line of the statement
        ("# noqa: E501", "", "# noqa: E501", False),
    ],
)
def test_a_multi_line_statement_is_silenced_from_its_first_own_or_last_line(lint, first, middle, last, silenced):
    source = "import numpy as np\n\n\n" + MULTILINE.format(first=first, middle=middle, last=last)
    found = codes_found(lint, source)
    assert found == ([] if silenced else [(7, "MLD101")])


def test_a_comment_on_another_line_does_not_silence(lint):
    source = """\
def approve(model, x):
    score = model.predict_proba(x)[:, 1]  # noqa: MLD101
    # mldebtlint: ignore[MLD101]
    if score > 0.7:
        return True
    return False  # noqa
"""
    assert codes_found(lint, source) == [(4, "MLD101")]


@pytest.mark.parametrize("where", ["top", "bottom", "indented"])
def test_skip_file_anywhere_skips_the_whole_file(lint, where):
    body = gate("") + "\n\ndef other(proba):\n    return proba > 0.9\n"
    if where == "top":
        source = "# mldebtlint: skip-file\n" + body
    elif where == "bottom":
        source = body + "# mldebtlint: skip-file\n"
    else:
        source = body + "\n\ndef f():\n    pass  # mldebtlint:skip-file\n"
    assert codes_found(lint, source) == []
    assert len(codes_found(lint, body)) == 2


def test_one_suppression_silences_one_line_only(lint):
    source = """\
def approve(model, x, y):
    score = model.predict_proba(x)[:, 1]
    if score > 0.7:  # noqa: MLD101
        return True
    score = score * model.calibration
    if score > 0.9:
        return False
    return None
"""
    assert codes_found(lint, source) == [(6, "MLD101")]


# -- the parser and the filter, directly -------------------------------------------------------


def make(code: str, rule: str, line: int, suppress_lines: tuple[int, ...] = ()) -> Finding:
    return Finding(
        code=code,
        rule=rule,
        category="c",
        severity="warning",
        message="m",
        path="a.py",
        location=Location(line, 1, line, 2),
        suppress_lines=suppress_lines,
    )


def test_parse_reads_codes_names_and_bare_forms_per_line():
    parsed = parse_suppressions(
        "a = 1  # noqa: E501, MLD101\n"
        "b = 2  # mldebtlint: ignore[hardcoded-threshold, mld102]\n"
        "c = 3  # noqa\n"
        "d = 4  # a comment that suppresses nothing\n"
        "e = 5  # mldebtlint: ignore\n"
    )
    assert parsed.by_line[1] >= {"MLD101"}
    assert parsed.by_line[2] == {"hardcoded-threshold", "MLD102"}
    assert "*" in parsed.by_line[3] and "*" in parsed.by_line[5]
    assert 4 not in parsed.by_line
    assert not parsed.skip_file


def test_a_source_without_markers_has_no_suppressions():
    parsed = parse_suppressions("x = 1  # a comment\n# another\n")
    assert parsed.by_line == {} and not parsed.skip_file


def test_silences_each_finding_on_its_own_lines_or_suppress_lines():
    parsed = parse_suppressions("a\nb  # noqa: MLD101\nc  # mldebtlint: ignore[glue-code]\nd\n")
    findings = [
        make("MLD101", "hardcoded-threshold", 2),
        make("MLD102", "hardcoded-hyperparameter", 2),
        make("MLD201", "glue-code", 3),
        make("MLD101", "hardcoded-threshold", 4),
        make("MLD101", "hardcoded-threshold", 9, suppress_lines=(1, 2)),
    ]
    # The runner keeps what no suppression silences (engine.runner._finish).
    kept = [f for f in findings if not parsed.silences(f)]
    assert [(f.code, f.line) for f in kept] == [("MLD102", 2), ("MLD101", 4)]

"""Inline suppressions: ``# mldebtlint: ignore[...]``, ``# noqa``, on the
finding's line or its statement's first/last line, and ``skip-file``."""

from __future__ import annotations

import json
import textwrap

import pytest
from clirunner import invoke

# Only the rules these snippets are about, so new rules cannot change the counts.
SELECT = ["--select", "MLD000,MLD101"]


def lint(tmp_path, source: str, *args: str) -> list[tuple[int, str]]:
    target = tmp_path / "serve.py"
    target.write_text(textwrap.dedent(source), encoding="utf-8")
    result = invoke(["check", str(target), "--format", "json", *SELECT, *args])
    assert result.exit_code in (0, 1), result.stderr
    return [(item["line"], item["code"]) for item in json.loads(result.stdout)]


def threshold_line(comment: str) -> str:
    return f"""\
    def approve(model, x):
        score = model.predict_proba(x)[:, 1]
        if score > 0.7:  {comment}
            return True
        return False
    """


def test_unsuppressed_threshold_is_reported(tmp_path):
    assert lint(tmp_path, threshold_line("# approval cut-off")) == [(3, "MLD101")]


@pytest.mark.parametrize(
    "comment",
    [
        "# mldebtlint: ignore[MLD101]",
        "# mldebtlint: ignore[hardcoded-threshold]",
        "# mldebtlint: ignore[MLD102, MLD101]",
        "# mldebtlint:ignore[mld101]",
        "# mldebtlint: ignore",
        "# noqa: MLD101",
        "# noqa:MLD101,E501",
        "# NOQA: MLD101",
        "# noqa",
        "# reviewed with product  # noqa",
    ],
)
def test_suppression_comment_silences_the_finding(tmp_path, comment):
    assert lint(tmp_path, threshold_line(comment)) == []


@pytest.mark.parametrize(
    "comment",
    [
        "# noqa: E501",
        "# noqa: F401, E501",
        "# mldebtlint: ignore[MLD102]",
        "# mldebtlint: ignore[hardcoded-hyperparameter]",
        "# not a noqa marker: mldebtlint is great",
    ],
)
def test_other_codes_do_not_silence(tmp_path, comment):
    assert lint(tmp_path, threshold_line(comment)) == [(3, "MLD101")]


def test_comment_on_another_line_does_not_silence(tmp_path):
    source = """\
    def approve(model, x):
        score = model.predict_proba(x)[:, 1]  # noqa: MLD101
        # mldebtlint: ignore
        if score > 0.7:
            return True
        return False
    """
    assert lint(tmp_path, source) == [(4, "MLD101")]


MULTILINE = """\
def label(model, x):
    score = model.predict_proba(x)[:, 1]
    labels = np.where({first}
        score > 0.8,
        "fraud",
        "ok",
    ){last}
    return labels
"""


def test_multiline_statement_unsuppressed(tmp_path):
    source = "import numpy as np\n" + MULTILINE.format(first="", last="")
    assert lint(tmp_path, source) == [(5, "MLD101")]


@pytest.mark.parametrize(("first", "last"), [("  # noqa: MLD101", ""), ("", "  # mldebtlint: ignore[MLD101]")])
def test_multiline_statement_first_or_last_line(tmp_path, first, last):
    source = "import numpy as np\n" + MULTILINE.format(first=first, last=last)
    assert lint(tmp_path, source) == []


def test_compound_statement_header_line(tmp_path):
    source = """\
    def approve(model, x):
        score = model.predict_proba(x)[:, 1]
        if (  # noqa: MLD101
            score > 0.7
        ):
            return True
        return False
    """
    assert lint(tmp_path, source) == []


@pytest.mark.parametrize("where", ["top", "bottom"])
def test_skip_file(tmp_path, where):
    body = textwrap.dedent(threshold_line(""))
    marker = "# mldebtlint: skip-file\n"
    source = marker + body if where == "top" else body + marker
    assert lint(tmp_path, source) == []


def test_suppressed_count_in_summary(tmp_path):
    target = tmp_path / "serve.py"
    target.write_text(textwrap.dedent(threshold_line("# noqa")), encoding="utf-8")
    result = invoke(["check", str(target), *SELECT])
    assert result.exit_code == 0 and "1 suppressed" in result.stdout


def test_parse_error_can_be_silenced_on_its_line(tmp_path):
    assert lint(tmp_path, "x = 1\nloss = = 2  # noqa: MLD000\n") == []
    assert lint(tmp_path, "x = 1\nloss = = 2  # noqa: MLD101\n") == [(2, "MLD000")]


def test_skip_file_also_skips_a_broken_file(tmp_path):
    assert lint(tmp_path, "# mldebtlint: skip-file\nloss = = 2\n") == []


# -- MLD001 unused-suppression (opt-in, like ruff's RUF100) ---------------------------------------

WITH_MLD001 = ["--select", "MLD000,MLD001,MLD101"]


def findings(tmp_path, source: str, *args: str, name: str = "serve.py") -> list[dict]:
    target = tmp_path / name
    target.write_text(textwrap.dedent(source), encoding="utf-8")
    result = invoke(["check", str(target), "--no-cache", "--output-format", "json", *args])
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def mld001(tmp_path, source: str, *args: str) -> list[tuple[int, str]]:
    return [
        (item["line"], item["message"])
        for item in findings(tmp_path, source, *(args or WITH_MLD001))
        if item["code"] == "MLD001"
    ]


QUIET_LINE = """\
def approve(model, x):
    score = model.predict_proba(x)[:, 1]
    total = 1  {comment}
    return score
"""


def test_mld001_is_off_by_default_and_on_with_select_all(tmp_path):
    source = QUIET_LINE.format(comment="# noqa: MLD101")
    assert mld001(tmp_path, source, "--select", "MLD000,MLD101") == []
    assert [code for code in ["MLD001"] if code in invoke(["rules"]).stdout] == ["MLD001"]
    assert mld001(tmp_path, source, "--select", "ALL") == [(3, "unused suppression: MLD101 suppresses nothing here")]


@pytest.mark.parametrize(
    "comment",
    [
        "# mldebtlint: ignore[MLD101]",
        "# mldebtlint: ignore[hardcoded-threshold]",
        "# noqa: MLD101",
        "# mldebtlint: ignore",
        "# noqa",
        "# noqa: MLD101, E501",
    ],
)
def test_a_directive_that_silences_a_finding_is_used(tmp_path, comment):
    # (its twin, the same directive on a line without a finding: test_unused_and_malformed_directives_are_reported)
    assert mld001(tmp_path, threshold_line(comment)) == []


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ("# mldebtlint: ignore[MLD101]", "unused suppression: MLD101 suppresses nothing here"),
        ("# noqa: MLD101, E501", "unused suppression: MLD101 suppresses nothing here"),
        ("# mldebtlint: ignore", "unused suppression: bare 'mldebtlint: ignore' suppresses nothing here"),
        ("# noqa: MLD1", "malformed suppression: 'MLD1' is not a rule code or name"),
        ("# mldebtlint: ignore[MLD999]", "malformed suppression: 'MLD999' is not a rule code or name"),
        (
            "# mldebtlint: ignore[hardcoded-treshold]",
            "malformed suppression: 'hardcoded-treshold' is not a rule code or name",
        ),
        (
            "# mldebtlint: ignore[MLD101, MLD1]",
            "unused suppression: MLD101 suppresses nothing here; 'MLD1' is not a rule code or name",
        ),
    ],
)
def test_unused_and_malformed_directives_are_reported(tmp_path, comment, message):
    assert mld001(tmp_path, QUIET_LINE.format(comment=comment)) == [(3, message)]


@pytest.mark.parametrize(
    "comment",
    [
        "# noqa",  # bare noqa usually belongs to another linter
        "# noqa: E501, F401",  # other tools' codes
        "# mldebtlint: ignore[MLD102]",  # a rule that did not run cannot be judged
        "# noqa: MLD101, MLD001",  # a line that suppresses MLD001 itself
        "# mldebtlint: ignore[unused-suppression, MLD101]",
    ],
)
def test_directives_that_cannot_be_judged_are_left_alone(tmp_path, comment):
    assert mld001(tmp_path, QUIET_LINE.format(comment=comment)) == []


def test_a_rule_that_ran_is_judged_its_twin_that_did_not_is_not(tmp_path):
    source = QUIET_LINE.format(comment="# mldebtlint: ignore[MLD102]")
    assert mld001(tmp_path, source, "--select", "MLD001,MLD101") == []
    assert mld001(tmp_path, source, "--select", "MLD001,MLD101,MLD102") == [
        (3, "unused suppression: MLD102 suppresses nothing here")
    ]


def test_a_bare_noqa_keeps_suppressing_with_mld001_on(tmp_path):
    result = findings(tmp_path, threshold_line("# noqa"), *WITH_MLD001)
    assert result == []


def test_a_marker_inside_a_string_is_not_a_directive(tmp_path):
    source = 'HELP = "silence it with  # noqa: MLD1"\n'
    assert mld001(tmp_path, source) == []
    assert mld001(tmp_path, 'HELP = "silence it with"  # noqa: MLD1\n') == [
        (1, "malformed suppression: 'MLD1' is not a rule code or name")
    ]


def test_files_that_do_not_parse_or_are_skipped_are_not_judged(tmp_path):
    broken = "x = 1  # noqa: MLD101\nloss = = 2\n"
    assert mld001(tmp_path, broken) == []
    assert mld001(tmp_path, "# mldebtlint: skip-file\nx = 1  # noqa: MLD101\n") == []
    # The twin: the same directive in a file that parses is judged.
    assert mld001(tmp_path, "x = 1  # noqa: MLD101\n") == [(1, "unused suppression: MLD101 suppresses nothing here")]


def test_mld001_points_at_the_directive_not_the_comment(tmp_path):
    (item,) = findings(tmp_path, "x = 1  # type: ignore  # noqa: MLD101\n", *WITH_MLD001)
    assert (item["line"], item["column"], item["severity"]) == (1, 24, "warning")


FIX_BEFORE = """\
import json  # noqa: F401


def approve(model, x):
    score = model.predict_proba(x)[:, 1]
    if score > 0.7:  # mldebtlint: ignore[MLD101, MLD1]
        return True
    y = 1  # noqa: MLD101, E501
    z = 2  # type: ignore  # mldebtlint: ignore[MLD999]  # reviewed
    w = 3  # noqa
    # mldebtlint: ignore[hardcoded-threshold]
    v = 4  # mldebtlint: ignore approved by the data team
    return json, y, z, w, v
"""
FIX_AFTER = """\
import json  # noqa: F401


def approve(model, x):
    score = model.predict_proba(x)[:, 1]
    if score > 0.7:  # mldebtlint: ignore[MLD101]
        return True
    y = 1  # noqa: E501
    z = 2  # type: ignore  # reviewed
    w = 3  # noqa
    v = 4  # approved by the data team
    return json, y, z, w, v
"""


def test_fix_removes_unused_and_malformed_directives_and_keeps_the_rest(tmp_path):
    target = tmp_path / "serve.py"
    target.write_text(FIX_BEFORE, encoding="utf-8")
    result = invoke(["check", str(target), "--no-cache", "--fix", *WITH_MLD001])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Fixed 5 findings in 1 files." in result.stderr
    assert target.read_text(encoding="utf-8") == FIX_AFTER
    again = invoke(["check", str(target), "--no-cache", "--fix", *WITH_MLD001])
    assert "Fixed 0 findings" in again.stderr and target.read_text(encoding="utf-8") == FIX_AFTER
    # The used directive still silences its finding.
    assert "(1 suppressed)" in invoke(["check", str(target), "--no-cache", *WITH_MLD001]).stdout


def test_fix_leaves_directives_alone_when_mld001_is_off(tmp_path):
    target = tmp_path / "serve.py"
    target.write_text("x = 1  # noqa: MLD1\n", encoding="utf-8")
    invoke(["check", str(target), "--no-cache", "--fix", "--select", "MLD000,MLD101"])
    assert target.read_text(encoding="utf-8") == "x = 1  # noqa: MLD1\n"
    invoke(["check", str(target), "--no-cache", "--fix", *WITH_MLD001])
    assert target.read_text(encoding="utf-8") == "x = 1\n"

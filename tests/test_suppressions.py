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

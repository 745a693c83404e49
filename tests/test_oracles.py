"""Honest oracles: a fixture's expected findings are written in its own source.

Every line where mldebtlint must report carries a comment ``# expect: CODE``
(several codes: ``# expect: MLD101, MLD202``); requirement files, TOML and
YAML manifests take the same comment. A finding the rules are known to miss
today is written ``# expect-missed: CODE (why)``: it stays an expectation
(the rule must find it one day) and the test fails as soon as the rule finds
it, so that the comment is turned into ``# expect:``. Nothing here is
generated from the tool's output: the comments are written by reading the
code, and ``expected-findings.txt`` must agree with them line for line.
"""

from __future__ import annotations

import io
import os
import re
import tokenize
from collections import Counter
from pathlib import Path

import pytest
from conftest import FIXTURES, lint_folder

from mldebtlint.core.config import load_settings

EXPECT = re.compile(r"#\s*expect(?P<missed>-missed)?:\s*(?P<codes>MLD\d{3}(?:\s*,\s*MLD\d{3})*)")
PROJECTS = sorted(p for p in FIXTURES.iterdir() if p.is_dir())
Key = tuple[str, int, str]  # (project-relative POSIX path, line, code)


def _comments(path: Path) -> list[tuple[int, str]]:
    """(line, comment text) of every comment in a file (Python: real comments only)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return []
    if path.suffix == ".py":
        tokens = tokenize.generate_tokens(io.StringIO(text).readline)
        return [(token.start[0], token.string) for token in tokens if token.type == tokenize.COMMENT]
    return [(number, line[line.index("#") :]) for number, line in enumerate(text.splitlines(), 1) if "#" in line]


def _cell_comments(path: Path, relative: str) -> list[tuple[str, int, str]]:
    """(``nb.ipynb:cell N``, line in the cell, text from '#') of a notebook's code cells, read with json."""
    import json

    if ".ipynb_checkpoints" in path.parts:
        return []
    out = []
    for number, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"], start=1):
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        if cell["cell_type"] != "code":
            continue
        for line, text in enumerate(source.splitlines(), start=1):
            if "#" in text:
                out.append((f"{relative}:cell {number}", line, text[text.index("#") :]))
    return out


def annotations(project: Path) -> tuple[Counter[Key], Counter[Key]]:
    """The (expected, known-missed) findings written in a project's files (in a notebook, the
    path is ``nb.ipynb:cell N`` and the line counts in that cell, as mldebtlint reports them)."""
    expected: Counter[Key] = Counter()
    missed: Counter[Key] = Counter()
    for path in sorted(project.rglob("*")):
        if not path.is_file() or path.name == "expected-findings.txt" or ".mldebtlint_cache" in path.parts:
            continue
        relative = path.relative_to(project).as_posix()
        if path.suffix == ".ipynb":
            sites = _cell_comments(path, relative)
        else:
            sites = [(relative, line, comment) for line, comment in _comments(path)]
        for relative, line, comment in sites:
            for match in EXPECT.finditer(comment):
                target = missed if match.group("missed") else expected
                for code in re.split(r"\s*,\s*", match.group("codes")):
                    target[(relative, line, code)] += 1
    return expected, missed


def findings(project: Path) -> Counter[Key]:
    result = lint_folder(project)
    found: Counter[Key] = Counter()
    for finding in result.findings:
        relative = Path(os.path.relpath(Path(finding.path).resolve(), project.resolve())).as_posix()
        if finding.cell is not None:
            relative = f"{relative}:cell {finding.cell}"
        found[(relative, finding.line, finding.code)] += 1
    return found


def expected_file(project: Path) -> Counter[Key] | None:
    path = project / "expected-findings.txt"
    if not path.is_file():
        return None
    listed: Counter[Key] = Counter()
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            where, code = line.rsplit(":", 1)
            file, number = where.rsplit(":", 1)
            listed[(file, int(number), code.strip())] += 1
    return listed


def _selected(project: Path) -> tuple[str, ...]:
    return tuple(sorted(load_settings(project).select or ("ALL",)))


def test_the_comment_parser_reads_python_comments_not_strings(tmp_path):
    (tmp_path / "a.py").write_text(
        'x = "# expect: MLD101"\ny = f(0.5)  # expect: MLD101, MLD202\nz = 1  # expect-missed: MLD102 (why)\n'
    )
    (tmp_path / "requirements.txt").write_text("torch  # expect: MLD301\nnumpy==1.0\n")
    expected, missed = annotations(tmp_path)
    assert expected == Counter(
        {("a.py", 2, "MLD101"): 1, ("a.py", 2, "MLD202"): 1, ("requirements.txt", 1, "MLD301"): 1}
    )
    assert missed == Counter({("a.py", 3, "MLD102"): 1})


def test_fixtures_hold_expectations_for_every_rule_family():
    """Guards against an oracle that compares nothing with nothing."""
    codes = set()
    for project in PROJECTS:
        expected, _ = annotations(project)
        codes |= {code for _, _, code in expected}
    assert {"MLD101", "MLD102", "MLD201", "MLD202", "MLD301", "MLD401", "MLD402"} <= codes


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_tool_findings_are_exactly_the_expect_comments(project: Path):
    expected, missed = annotations(project)
    found = findings(project)
    assert sorted((found - expected).elements()) == [], "reported but not expected (false positives)"
    assert sorted((expected - found).elements()) == [], "expected but not reported (false negatives)"
    now_found = sorted((missed & found).elements())
    assert now_found == [], "a known miss is found now: turn its '# expect-missed:' into '# expect:'"


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_a_project_without_expectations_is_a_negative_twin_of_one_with_them(project: Path):
    expected, missed = annotations(project)
    if expected or missed:
        return
    twins = [
        other
        for other in PROJECTS
        if other != project and _selected(other) == _selected(project) and annotations(other)[0]
    ]
    assert twins, f"{project.name} expects nothing and no project with the same rules expects something"


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name)
def test_expected_findings_file_agrees_with_the_comments(project: Path):
    listed = expected_file(project)
    if listed is None:
        return  # the comments are the oracle; the file is optional
    expected, _ = annotations(project)
    assert sorted(listed.elements()) == sorted(expected.elements())

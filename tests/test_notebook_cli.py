"""Notebooks through the command line: every output format, --add-noqa, --fix and --diff."""

from __future__ import annotations

import difflib
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest
from clirunner import invoke
from notebooks import code, image_output, markdown, write_notebook

SCORING = """
import numpy as np
proba = model.predict_proba(X)[:, 1]
flagged = proba > 0.7
"""
TRAINING = """
%%time
from sklearn.ensemble import RandomForestClassifier
forest = RandomForestClassifier(n_estimators=500, max_depth=12)
forest.fit(X, y)
"""


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    stream = {"name": "stdout", "output_type": "stream", "text": ["CPU times: 1 s\n"]}
    cells = [
        markdown("# Churn model\nExploration, then a model.", id="m1"),
        code("%matplotlib inline\n!pip install -q torch", 1, id="c1"),
        code(SCORING, 2, [image_output(20_000)], id="c2"),
        markdown("## Training", id="m2"),
        code(TRAINING, 3, [stream], id="c3"),
    ]
    write_notebook(tmp_path / "nb.ipynb", cells)
    return tmp_path


def file_line_of(path: Path, text: str) -> int:
    return next(number for number, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_text_and_json_locate_findings_in_cells(project):
    result = invoke(["check", "nb.ipynb", "--select", "MLD101,MLD102,MLD301", "--no-cache"])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:3] == [
        line
        for line in result.stdout.splitlines()
        if line.startswith(("nb.ipynb:cell 2:2:", "nb.ipynb:cell 3:3:", "nb.ipynb:cell 5:3:"))
    ]
    assert "nb.ipynb:cell 3:3:11: MLD101 [*] [hardcoded-threshold]" in result.stdout
    data = json.loads(invoke(["check", "nb.ipynb", "--format", "json", "--no-cache"]).stdout)
    assert [(item["code"], item["cell"], item["line"], item["column"]) for item in data] == [
        ("MLD301", 2, 2, 17),
        ("MLD101", 3, 3, 11),
        ("MLD102", 5, 3, 10),
    ]
    lines = invoke(["check", "nb.ipynb", "--format", "jsonl", "--no-cache"]).stdout.splitlines()
    assert [json.loads(line)["cell"] for line in lines] == [2, 3, 5]


def test_formats_without_cells_point_at_the_line_of_the_notebook_text(project):
    notebook = project / "nb.ipynb"
    threshold_line = file_line_of(notebook, "flagged = proba > 0.7")
    forest_line = file_line_of(notebook, "forest = RandomForestClassifier(")
    install_line = file_line_of(notebook, "!pip install -q torch")
    expected = [install_line, threshold_line, forest_line]

    sarif = json.loads(invoke(["check", "nb.ipynb", "--format", "sarif", "--no-cache"]).stdout)
    results = sarif["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results] == expected
    assert [r["properties"]["cell"] for r in results] == [2, 3, 5]

    github = invoke(["check", "nb.ipynb", "--format", "github", "--no-cache"]).stdout.splitlines()
    assert [f"line={line}," in command for command, line in zip(github, expected)] == [True] * 3
    assert "(cell 3%2C line 3)" in github[1]

    gitlab = json.loads(invoke(["check", "nb.ipynb", "--format", "gitlab", "--no-cache"]).stdout)
    assert [issue["location"]["lines"]["begin"] for issue in gitlab] == expected

    junit = ET.fromstring(invoke(["check", "nb.ipynb", "--format", "junit", "--no-cache"]).stdout)
    cases = junit.findall(".//testcase")
    assert [int(case.get("line")) for case in cases] == expected
    assert "cell 3, line 3, col 11" in cases[1].get("name")
    assert cases[1].find("failure").text.startswith("nb.ipynb:cell 3:3:11: MLD101")


def changed_file_lines(before: str, after: str) -> list[tuple[str, str]]:
    """(old line, new line) pairs of a line-for-line edit; anything else fails the test."""
    matcher = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines(), autojunk=False)
    pairs = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        assert tag == "replace" and i2 - i1 == j2 - j1, (tag, before.splitlines()[i1:i2], after.splitlines()[j1:j2])
        pairs.extend(zip(before.splitlines()[i1:i2], after.splitlines()[j1:j2]))
    return pairs


def test_add_noqa_changes_only_the_flagged_cell_lines_and_the_notebook_stays_valid(project):
    notebook = project / "nb.ipynb"
    before = notebook.read_text()
    result = invoke(["check", "nb.ipynb", "--add-noqa", "--no-cache"])
    assert result.exit_code == 0, result.stderr
    after = notebook.read_text()
    pairs = changed_file_lines(before, after)
    assert [(old.strip(), new.strip()) for old, new in pairs] == [
        ('"!pip install -q torch"', '"!pip install -q torch  # mldebtlint: ignore[MLD301]"'),
        ('"flagged = proba > 0.7"', '"flagged = proba > 0.7  # mldebtlint: ignore[MLD101]"'),
        (
            '"forest = RandomForestClassifier(n_estimators=500, max_depth=12)\\n",',
            '"forest = RandomForestClassifier(n_estimators=500, max_depth=12)  # mldebtlint: ignore[MLD102]\\n",',
        ),
    ]
    nbformat.validate(nbformat.reads(after, as_version=nbformat.NO_CONVERT))
    assert after.endswith("}\n")
    again = invoke(["check", "nb.ipynb", "--no-cache"])
    assert again.exit_code == 0 and "Found 0 findings" in again.stdout and "(3 suppressed)" in again.stdout


def test_fix_unsafe_hoists_literals_inside_the_cells_only(project):
    notebook = project / "nb.ipynb"
    before = notebook.read_text()
    original = json.loads(before)
    result = invoke(["check", "nb.ipynb", "--fix", "--unsafe-fixes", "--no-cache", "--select", "MLD101,MLD102"])
    after = notebook.read_text()
    fixed = json.loads(after)
    nbformat.validate(nbformat.reads(after, as_version=nbformat.NO_CONVERT))
    assert "Fixed 2 findings" in result.stderr
    # Only the sources of the two code cells changed; outputs, ids, counts, metadata did not.
    for index, (old, new) in enumerate(zip(original["cells"], fixed["cells"])):
        assert {k: v for k, v in old.items() if k != "source"} == {k: v for k, v in new.items() if k != "source"}
        if index not in (2, 4):
            assert old["source"] == new["source"]
    assert {k: v for k, v in original.items() if k != "cells"} == {k: v for k, v in fixed.items() if k != "cells"}
    # The constants go to the top of the cell that uses them, after that cell's imports.
    scoring = "".join(fixed["cells"][2]["source"])
    assert scoring.startswith("import numpy as np\n\nPROBA_THRESHOLD = 0.7\n\nproba = ")
    assert scoring.endswith("flagged = proba > PROBA_THRESHOLD")
    training = "".join(fixed["cells"][4]["source"])
    assert training.startswith("%%time\nfrom sklearn.ensemble import RandomForestClassifier\n\nN_ESTIMATORS = 500\n")
    assert "RandomForestClassifier(n_estimators=N_ESTIMATORS, max_depth=MAX_DEPTH)" in training
    # Every line of the file outside the changed sources is byte-identical.
    untouched = [line for line in before.splitlines() if '"source"' not in line and not line.startswith('    "')]
    assert all(line in after.splitlines() for line in untouched)
    assert invoke(["check", "nb.ipynb", "--no-cache", "--select", "MLD101,MLD102"]).exit_code == 0


def test_diff_shows_cell_hunks_and_writes_nothing(project):
    notebook = project / "nb.ipynb"
    before = notebook.read_bytes()
    result = invoke(["check", "nb.ipynb", "--diff", "--unsafe-fixes", "--no-cache", "--select", "MLD102"])
    assert notebook.read_bytes() == before
    assert result.exit_code == 1
    assert "--- a/nb.ipynb:cell 5\n+++ b/nb.ipynb:cell 5\n" in result.stdout
    assert "-forest = RandomForestClassifier(n_estimators=500, max_depth=12)\n" in result.stdout
    assert " %%time\n" in result.stdout


def test_an_install_line_is_not_fixed_but_said_so(project):
    result = invoke(["check", "nb.ipynb", "--fix", "--no-cache", "--select", "MLD301"])
    assert "cell 2:2: MLD301 not fixed" in result.stderr
    assert result.exit_code == 1


def test_the_report_lists_notebooks_and_names_cells(project):
    from test_report_model import validate

    write_notebook(project / "extra.ipynb", [markdown("x", id="e1"), code(SCORING, 1, id="e2")])
    (project / "train.py").write_text("import numpy as np\nx = np.zeros(3)\n", encoding="utf-8")
    report = json.loads(invoke(["report", ".", "--format", "json", "--no-cache"]).stdout)
    validate(report)
    files = {entry["path"]: entry["lines"] for entry in report["files"]}
    # Lines of code: code cells only, IPython lines and markdown left out.
    assert files["extra.ipynb"] == 3 and files["nb.ipynb"] == 6
    assert {(item["path"], item.get("cell"), item["line"]) for item in report["findings"]} >= {
        ("nb.ipynb", 3, 3),
        ("extra.ipynb", 2, 3),
    }
    html = invoke(["report", ".", "--format", "html", "--no-cache"]).stdout
    assert "nb.ipynb, cell 3, line 3" in html and "extra.ipynb, cell 2, line 3" in html
    markdown_report = invoke(["report", ".", "--format", "markdown", "--no-cache"]).stdout
    assert "`nb.ipynb, cell 5, line 3`" in markdown_report

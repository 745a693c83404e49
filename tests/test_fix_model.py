"""Fixes travel with their findings (ruff's ``Fix``): the rule attaches the edits
when it reports, ``--fix`` applies them without parsing the file to find what to
change, overlapping fixes wait for another pass, notebook edits are relative to
their cells, and a cached MLD301 pin whose version changed is not written."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import libcst
import pytest
from clirunner import invoke

from mldebtlint.core.config import Settings
from mldebtlint.core.types import Edit, Finding, Fix, Location, finding_from_dict
from mldebtlint.fixes import apply_fixes, fix_text
from mldebtlint.fixes.edits import apply_fixes as apply_edits
from mldebtlint.manifests import pins

REPO = Path(__file__).resolve().parent.parent
FIXES = REPO / "mldebtlint" / "fixes"

TRAIN = """\
import numpy as np


def decide(model, X):
    proba = model.predict_proba(X)[:, 1]
    return np.where(proba > 0.7, 1, 0), proba > 0.9
"""
TRAIN_FIXED = """\
import numpy as np

PROBA_THRESHOLD = 0.7
PROBA_THRESHOLD_2 = 0.9


def decide(model, X):
    proba = model.predict_proba(X)[:, 1]
    return np.where(proba > PROBA_THRESHOLD, 1, 0), proba > PROBA_THRESHOLD_2
"""


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_no_fixer_imports_a_parser_to_locate_changes():
    # Only the guard that checks the *result* parses (verify.py) may parse Python; the pin
    # guard parses the manifest back after the edit. Nothing else in fixes/ parses anything.
    for path in FIXES.glob("*.py"):
        modules = imported_modules(path)
        if path.name != "verify.py":
            assert not any(m == "libcst" or m.startswith("libcst.") for m in modules), path.name
        if path.name not in ("pin_framework.py", "verify.py"):
            assert "mldebtlint.manifests.reading" not in modules, path.name


def lint_json(folder: Path, *args: str) -> list[dict]:
    result = invoke(["check", "--no-cache", "--format", "json", *args, str(folder)])
    return json.loads(result.stdout)


@pytest.fixture
def training(tmp_path: Path, monkeypatch) -> Path:
    (tmp_path / "mldebtlint.toml").write_text('select = ["MLD101"]\n', encoding="utf-8")
    (tmp_path / "serve.py").write_text(TRAIN, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_fix_applies_the_findings_edits_with_no_parser_at_hand(training, monkeypatch):
    findings = [finding_from_dict(item) for item in lint_json(training)]
    assert [f.fix.title for f in findings if f.fix] == [
        "Hoist 0.7 into PROBA_THRESHOLD",
        "Hoist 0.9 into PROBA_THRESHOLD_2",
    ]

    def no_parse(*args, **kwargs):
        raise AssertionError("--fix parsed the file")

    # The findings round-trip through JSON (edits included); from here no parse may happen.
    monkeypatch.setattr(libcst, "parse_module", no_parse)
    monkeypatch.setattr(libcst, "MetadataWrapper", no_parse)
    monkeypatch.setattr("mldebtlint.fixes.verify.parses", lambda path, old, new: True)
    outcome = apply_fixes(findings, Settings(root=str(training)), unsafe=True, write=True)
    assert (outcome.fixed, outcome.files) == (2, ["serve.py"])
    assert (training / "serve.py").read_text(encoding="utf-8") == TRAIN_FIXED


def test_one_fix_alone_defines_its_constant(training):
    findings = [finding_from_dict(item) for item in lint_json(training)]
    result = fix_text(Path("serve.py"), TRAIN, findings[1:], Settings(root=str(training)), unsafe=True)
    assert result.text == TRAIN.replace(
        "import numpy as np\n", "import numpy as np\n\nPROBA_THRESHOLD_2 = 0.9\n"
    ).replace("proba > 0.9", "proba > PROBA_THRESHOLD_2")
    ast.parse(result.text)


def fix_of(*edits: Edit, applicability: str = "safe") -> Fix:
    return Fix(applicability, "test", tuple(edits))


def test_overlapping_fixes_apply_the_first_and_leave_the_rest():
    text = "a = 1\nb = 2\n"
    first = fix_of(Edit(1, 5, 1, 6, "10"))
    overlapping = fix_of(Edit(1, 1, 1, 6, "a = 3"))  # covers the first one's span
    touching = fix_of(Edit(1, 6, 1, 6, "0"), Edit(2, 5, 2, 6, "20"))  # starts where the first ends
    result = apply_edits(text, [first, overlapping, touching])
    assert (result.applied, result.overlapping) == ((0, 2), (1,))
    assert result.text == "a = 100\nb = 20\n"


def test_shared_edits_apply_once_and_insertions_keep_their_order():
    text = "x\n"
    lead = Edit(1, 2, 1, 2, "\n")
    one = fix_of(lead, Edit(1, 2, 1, 2, "\nA"))
    two = fix_of(lead, Edit(1, 2, 1, 2, "\nB"))
    assert apply_edits(text, [one, two]).text == "x\n\nA\nB\n"
    assert apply_edits(text, [two, one]).text == "x\n\nB\nA\n"
    # An edit outside the text is refused, not clamped.
    assert apply_edits(text, [fix_of(Edit(3, 4, 3, 4, "?"))]).invalid == (0,)


def finding(fix: Fix, line: int = 1) -> Finding:
    return Finding("MLD001", "unused-suppression", "c", "warning", "m", "a.py", Location(line, 1, line, 1), fix=fix)


def test_fix_text_defers_the_overlapping_fix_and_says_how_many(tmp_path):
    text = "x = 1  # mldebtlint: ignore[MLD101]\n"
    whole_line = finding(fix_of(Edit(1, 1, 2, 1, "")))
    comment = finding(fix_of(Edit(1, 6, 1, 36, "")))
    result = fix_text(tmp_path / "a.py", text, [whole_line, comment], Settings(root=str(tmp_path)), unsafe=False)
    assert (result.text, result.fixed, result.deferred) == ("", 1, 1)


def test_fix_loops_until_overlapping_fixes_are_applied(training, monkeypatch):
    from mldebtlint.syntax.hoist import HoistPlanner

    real_fix = HoistPlanner.fix
    calls = []

    def wide(self, literals):
        # The first finding of the first run claims its whole line: the second must wait.
        fix = real_fix(self, literals)
        calls.append(fix.title)
        if len(calls) == 1:
            line = TRAIN.splitlines()[5]
            return Fix(fix.applicability, fix.title, (Edit(6, 1, 6, len(line) + 1, line.replace("0.7", "LIMIT")),))
        return fix

    monkeypatch.setattr(HoistPlanner, "fix", wide)
    result = invoke(["check", "--no-cache", "--fix", "--unsafe-fixes", "."])
    assert "Fixed 2 findings in 1 files." in result.stderr
    assert "overlap" not in result.stderr
    fixed = (training / "serve.py").read_text(encoding="utf-8")
    assert "np.where(proba > LIMIT, 1, 0), proba > PROBA_THRESHOLD" in fixed


NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Scoring\n"]},
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": ["import numpy as np\n"],
        },
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": ["proba = model.predict_proba(X)[:, 1]\n", "labels = np.where(proba > 0.7, 1, 0)\n"],
        },
    ],
    "metadata": {"language_info": {"name": "python"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def test_a_notebook_fix_is_relative_to_its_cell_and_lands_in_it(tmp_path, monkeypatch):
    (tmp_path / "mldebtlint.toml").write_text('select = ["MLD101"]\n', encoding="utf-8")
    notebook = tmp_path / "nb.ipynb"
    notebook.write_text(json.dumps(NOTEBOOK, indent=1) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    (found,) = lint_json(tmp_path)
    assert (found["cell"], found["line"]) == (3, 2)
    # The constant goes on top of the cell that uses it (it has no imports): cell lines, cell columns.
    assert found["fix"]["edits"] == [
        {
            "content": "PROBA_THRESHOLD = 0.7\n",
            "location": {"row": 1, "column": 1},
            "end_location": {"row": 1, "column": 1},
        },
        {"content": "\np", "location": {"row": 1, "column": 1}, "end_location": {"row": 1, "column": 2}},
        {"content": "PROBA_THRESHOLD", "location": {"row": 2, "column": 27}, "end_location": {"row": 2, "column": 30}},
    ]
    result = invoke(["check", "--no-cache", "--fix", "--unsafe-fixes", "."])
    assert "Fixed 1 finding in 1 files." in result.stderr
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    assert cells[1]["source"] == ["import numpy as np\n"]
    assert "".join(cells[2]["source"]) == (
        "PROBA_THRESHOLD = 0.7\n\nproba = model.predict_proba(X)[:, 1]\nlabels = np.where(proba > PROBA_THRESHOLD, 1, 0)\n"
    )


LOCKED = '[[package]]\nname = "torch"\nversion = "{}"\n'


def test_a_cached_pin_whose_lock_changed_is_not_written(tmp_path, monkeypatch):
    monkeypatch.setattr(pins, "installed_version", lambda key: None)
    (tmp_path / "mldebtlint.toml").write_text('select = ["MLD301"]\n', encoding="utf-8")
    (tmp_path / "service").mkdir()
    manifest = tmp_path / "service" / "requirements.txt"
    manifest.write_text("torch>=2.0\n", encoding="utf-8")
    lock = tmp_path / "poetry.lock"  # above the manifest: not among the names the cache key watches
    lock.write_text(LOCKED.format("2.1.2"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    (cached,) = json.loads(invoke(["check", "--format", "json", "."]).stdout)
    assert cached["fix"]["message"] == "Pin torch==2.1.2"
    lock.write_text(LOCKED.format("2.2.0"), encoding="utf-8")
    (again,) = json.loads(invoke(["check", "--format", "json", "."]).stdout)
    assert again["fix"]["message"] == "Pin torch==2.1.2"  # the cache still answers with the old pin
    result = invoke(["check", "--fix", "."])
    assert "the version of 'torch' changed since the check (2.1.2, now 2.2.0)" in result.stderr
    assert "Fixed 0 findings" in result.stderr and manifest.read_text(encoding="utf-8") == "torch>=2.0\n"
    result = invoke(["check", "--no-cache", "--fix", "."])
    assert "Fixed 1 finding in 1 files." in result.stderr
    assert manifest.read_text(encoding="utf-8") == "torch==2.2.0\n"


# Where the constants go, byte for byte as the whole-file libcst rewrite before these
# fixes put them (its outputs on these sources are the expected texts).
PLACEMENT = {
    "a header, no imports": (
        "# a header\n\n# more\ndef decide(model, X):\n    proba = model.predict_proba(X)[:, 1]\n"
        "    return proba > 0.7, proba > 0.9\n",
        "# a header\n\n# more\nPROBA_THRESHOLD = 0.7\nPROBA_THRESHOLD_2 = 0.9\n\ndef decide(model, X):\n"
        "    proba = model.predict_proba(X)[:, 1]\n    return proba > PROBA_THRESHOLD, proba > PROBA_THRESHOLD_2\n",
    ),
    "a decorated function first": (
        "@decorator\ndef decide(model, X):\n    proba = model.predict_proba(X)[:, 1]\n    return proba > 0.7\n",
        "PROBA_THRESHOLD = 0.7\n\n@decorator\ndef decide(model, X):\n    proba = model.predict_proba(X)[:, 1]\n"
        "    return proba > PROBA_THRESHOLD\n",
    ),
    "the literal starts the module": (
        "0.7 < model.predict_proba(X)[:, 1]\n",
        "PREDICT_PROBA_THRESHOLD = 0.7\n\nPREDICT_PROBA_THRESHOLD < model.predict_proba(X)[:, 1]\n",
    ),
    "CRLF line ends": (
        "import numpy as np\r\n\r\n\r\ndef decide(model, X):\r\n    proba = model.predict_proba(X)[:, 1]\r\n"
        "    return np.where(proba > 0.7, 1, 0)\r\n",
        "import numpy as np\r\n\r\nPROBA_THRESHOLD = 0.7\r\n\r\n\r\ndef decide(model, X):\r\n"
        "    proba = model.predict_proba(X)[:, 1]\r\n    return np.where(proba > PROBA_THRESHOLD, 1, 0)\r\n",
    ),
    "parenthesised literals": (
        "import numpy as np\ndef decide(model, X):\n    proba = model.predict_proba(X)[:, 1]\n"
        "    return proba > ( 0.7 ), proba < (-0.2)\n",
        "import numpy as np\n\nPROBA_THRESHOLD = ( 0.7 )\nPROBA_THRESHOLD_2 = (-0.2)\n\ndef decide(model, X):\n"
        "    proba = model.predict_proba(X)[:, 1]\n    return proba > PROBA_THRESHOLD, proba < PROBA_THRESHOLD_2\n",
    ),
    "imports only, no final line end": (
        "import numpy as np\nfrom x import model, X\nproba = model.predict_proba(X)[:, 1]\n"
        "labels = np.where(proba > 0.7, 1, 0)",
        "import numpy as np\nfrom x import model, X\n\nPROBA_THRESHOLD = 0.7\n\nproba = model.predict_proba(X)[:, 1]\n"
        "labels = np.where(proba > PROBA_THRESHOLD, 1, 0)",
    ),
}


@pytest.mark.parametrize("source, expected", list(PLACEMENT.values()), ids=list(PLACEMENT))
def test_constants_land_where_the_whole_file_rewrite_put_them(tmp_path, monkeypatch, source, expected):
    (tmp_path / "mldebtlint.toml").write_text('select = ["MLD101"]\n', encoding="utf-8")
    target = tmp_path / "serve.py"
    target.write_bytes(source.encode())
    monkeypatch.chdir(tmp_path)
    findings = [finding_from_dict(item) for item in lint_json(tmp_path)]
    assert findings and all(f.fix is not None and f.fix.edits for f in findings)
    settings = Settings(root=str(tmp_path))
    for one in findings:  # each fix alone is whole: it defines the constant it uses
        alone = fix_text(target, source, [one], settings, unsafe=True)
        assert alone.fixed == 1
        compile(alone.text, "serve.py", "exec")
    invoke(["check", "--no-cache", "--fix", "--unsafe-fixes", "."])
    assert target.read_bytes().decode() == expected


def test_an_unused_suppression_and_a_hoist_in_one_file_both_apply(tmp_path, monkeypatch):
    # The whole-file rewrite moved the lines before the suppression fixer looked for its comment.
    (tmp_path / "mldebtlint.toml").write_text('select = ["MLD001", "MLD101"]\n', encoding="utf-8")
    source = (
        "def decide(model, X):\n    proba = model.predict_proba(X)[:, 1]\n    x = 1  # mldebtlint: ignore[MLD101]\n"
    )
    (tmp_path / "serve.py").write_text(source + "    return proba > 0.7\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke(["check", "--no-cache", "--fix", "--unsafe-fixes", "."])
    assert "Fixed 2 findings in 1 files." in result.stderr
    assert (tmp_path / "serve.py").read_text(encoding="utf-8") == (
        "PROBA_THRESHOLD = 0.7\n\ndef decide(model, X):\n    proba = model.predict_proba(X)[:, 1]\n    x = 1\n"
        "    return proba > PROBA_THRESHOLD\n"
    )


def test_a_dockerfile_install_line_is_pinned_and_marked_fixable(tmp_path, monkeypatch):
    monkeypatch.setattr(pins, "installed_version", lambda key: {"torch": "2.1.0"}.get(key))
    (tmp_path / "mldebtlint.toml").write_text('select = ["MLD301"]\n', encoding="utf-8")
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM python:3.11\nRUN pip install torch>=2 numpy\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke(["check", "--no-cache", "."])
    assert "MLD301 [*] [unpinned-framework]" in result.stdout
    result = invoke(["check", "--no-cache", "--fix", "."])
    assert "Fixed 1 finding in 1 files." in result.stderr
    assert dockerfile.read_text(encoding="utf-8") == "FROM python:3.11\nRUN pip install torch==2.1.0 numpy\n"


def test_a_dedented_cell_is_left_alone_and_the_next_cell_fixed(tmp_path, monkeypatch):
    (tmp_path / "mldebtlint.toml").write_text('select = ["MLD101"]\n', encoding="utf-8")
    code = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": []}
    indented = dict(code, source=["    proba = model.predict_proba(X)[:, 1]\n", "    labels = proba > 0.7\n"])
    plain = dict(code, source=["p2 = model.predict_proba(X)[:, 1]\n", "l2 = p2 > 0.6\n"])
    notebook = tmp_path / "nb.ipynb"
    notebook.write_text(json.dumps(dict(NOTEBOOK, cells=[indented, plain]), indent=1) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke(["check", "--no-cache", "--fix", "--unsafe-fixes", "."])
    assert "nb.ipynb:2: MLD101 not fixed: a dedented line; edit it by hand" in result.stderr
    assert "Fixed 1 finding in 1 files." in result.stderr
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    assert cells[0]["source"] == indented["source"]
    assert (
        "".join(cells[1]["source"])
        == "P2_THRESHOLD = 0.6\n\np2 = model.predict_proba(X)[:, 1]\nl2 = p2 > P2_THRESHOLD\n"
    )

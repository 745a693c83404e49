"""Contract of finding fingerprints (README "Fingerprints", engine/fingerprint.py).

A few fingerprints are pinned to literal hex values computed by hand from the
documented recipe -- sha256 of code, root-relative path, scope, normal form
and occurrence joined by U+001F, first 16 hex digits -- so a change of the
recipe (which orphans every baseline in the field) cannot go unnoticed. The
rest checks what keeps a fingerprint and what renews it, end to end.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from conftest import FIXTURES, lint_folder

from mldebtlint.core.config import Settings
from mldebtlint.engine.fingerprint import make_fingerprint, normalize_snippet
from mldebtlint.engine.runner import RunOptions, run


def by_hand(code: str, relative: str, scope: str, normal_form: str, occurrence: int) -> str:
    payload = "\x1f".join((code, relative, scope, normal_form, str(occurrence)))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def lint_files(root: Path, files: dict[str, str], select: tuple[str, ...]) -> list:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    (root / ".git").mkdir(exist_ok=True)
    settings = Settings(root=str(root), select=select)
    return list(run(RunOptions(paths=[root], settings=settings)).findings)


def fingerprints(findings) -> dict[tuple[str, int], str]:
    return {(Path(f.path).name, f.line): f.fingerprint for f in findings}


SERVE = """\
def decide(proba):
    return proba > 0.7


class Policy:
    def gate(self, score):
        if score >= 0.9:
            return 1
        return 0
"""

# (code, relative path, scope, normal form written by hand, occurrence) -> literal hex
PINNED = [
    (("MLD101", "serve.py", "decide", "proba > 0.7", 0), "c277f9888b2f5dad"),
    (("MLD101", "serve.py", "Policy.gate", "score >= 0.9", 0), "b3d7ccfed4dcbdca"),
    (("MLD301", "requirements.txt", "", "torch >= 2.0", 0), "ed513abd67c2751a"),
    # MLD000: the message with its digits masked as '#', in the normal form of
    # Python tokens; the mask starts a comment, so "on line #" ends at "line".
    (
        (
            "MLD000",
            "broken.py",
            "",
            "syntax error : closing parenthesis ')' does not match opening parenthesis '[' on line",
            0,
        ),
        "7864ee6e1187ee2e",
    ),
]


@pytest.mark.parametrize(("parts", "literal"), PINNED, ids=[parts[0] + "-" + parts[2] for parts, _ in PINNED])
def test_the_documented_recipe_gives_the_pinned_values(parts, literal):
    assert by_hand(*parts) == literal


def test_the_tool_gives_the_pinned_values(tmp_path):
    findings = lint_files(
        tmp_path,
        {"serve.py": SERVE, "requirements.txt": "torch>=2.0\n", "broken.py": "x = [\n    1,\n    2)\n"},
        ("MLD000", "MLD101", "MLD301"),
    )
    got = {(f.code, Path(f.path).name, f.line): f.fingerprint for f in findings}
    assert got == {
        ("MLD101", "serve.py", 2): "c277f9888b2f5dad",
        ("MLD101", "serve.py", 7): "b3d7ccfed4dcbdca",
        ("MLD301", "requirements.txt", 1): "ed513abd67c2751a",
        ("MLD000", "broken.py", 3): "7864ee6e1187ee2e",
    }


def test_make_fingerprint_follows_the_recipe_for_each_part():
    assert make_fingerprint("MLD101", "a/serve.py", "M.f", "x  >  0.5", 2) == by_hand(
        "MLD101", "a/serve.py", "M.f", "x > 0.5", 2
    )
    assert make_fingerprint("MLD000", "b.py", "", "error on line 12, column 3", 0) == by_hand(
        "MLD000", "b.py", "", "error on line", 0
    )


@pytest.mark.parametrize(
    ("snippet", "normal"),
    [
        ("proba  >\n   0.7", "proba > 0.7"),
        ("(proba > 0.7)", "proba > 0.7"),
        ("((proba > 0.7))", "proba > 0.7"),
        ("(a) + (b)", "( a ) + ( b )"),
        ("f(a, b,)", "f ( a , b )"),
        ("[1, 2,\n]", "[ 1 , 2 ]"),
        ("x = 'gold'  # the tier", "x = 'gold'"),
        ('x = "gold"', "x = 'gold'"),
        ("x = 1E5", "x = 1e5"),
        ("x = 0XFF", "x = 0xff"),
        ('f"{a}"', 'f"{a}"'),
        ("scikit-learn>=1.4 ; python_version", "scikit - learn >= 1.4 ; python_version"),
        ("x = [1,  2", "x=[1,2"),  # not Python tokens: whitespace dropped
    ],
)
def test_normal_form(snippet, normal):
    assert normalize_snippet(snippet) == normal


def test_lines_inserted_above_reformatting_and_comments_keep_every_fingerprint(tmp_path):
    before = lint_files(tmp_path / "a", {"serve.py": SERVE}, ("MLD101",))
    reformatted = """\
    import os  # a line inserted above


    def decide(proba):
        # a comment
        return (
            proba
            > 0.7
        )


    class Policy:
        def gate(self, score):
            if (score >= 0.9):  # wrapped
                return 1
            return 0
    """
    after = lint_files(tmp_path / "b", {"serve.py": reformatted}, ("MLD101",))
    assert len(before) == 2
    assert sorted(f.fingerprint for f in before) == sorted(f.fingerprint for f in after)
    assert [f.line for f in before] != [f.line for f in after]


@pytest.mark.parametrize(
    "edit",
    [
        ("0.7", "0.75"),  # another literal
        ("def decide", "def choose"),  # the enclosing function renamed
        ("class Policy", "class Rules"),  # the enclosing class renamed
    ],
)
def test_what_renews_a_fingerprint(tmp_path, edit):
    before = lint_files(tmp_path / "a", {"serve.py": SERVE}, ("MLD101",))
    after = lint_files(tmp_path / "b", {"serve.py": SERVE.replace(*edit)}, ("MLD101",))
    assert len(before) == len(after) == 2
    changed = set(f.fingerprint for f in before) ^ set(f.fingerprint for f in after)
    assert len(changed) == 2  # exactly one finding renewed: its old and new fingerprint


def test_a_move_to_another_file_renews_it(tmp_path):
    before = lint_files(tmp_path / "a", {"serve.py": SERVE}, ("MLD101",))
    after = lint_files(tmp_path / "b", {"policy.py": SERVE}, ("MLD101",))
    assert not {f.fingerprint for f in before} & {f.fingerprint for f in after}


def test_two_identical_findings_in_one_scope_stay_distinct(tmp_path):
    source = "def decide(proba, score):\n    if proba > 0.7:\n        return 1\n    if score > 0.7:\n        return 2\n    return 0\n"
    findings = lint_files(tmp_path, {"serve.py": source}, ("MLD101",))
    assert len(findings) == 2
    first, second = sorted(findings, key=lambda f: f.line)
    assert first.fingerprint != second.fingerprint
    assert second.fingerprint == by_hand("MLD101", "serve.py", "decide", "score > 0.7", 0)
    # The same normal form twice: the occurrence index tells them apart.
    source = "def decide(proba):\n    if proba > 0.7:\n        return 1\n    if proba > 0.7:\n        return 2\n    return 0\n"
    findings = sorted(lint_files(tmp_path / "same", {"serve.py": source}, ("MLD101",)), key=lambda f: f.line)
    assert [f.fingerprint for f in findings] == [
        by_hand("MLD101", "serve.py", "decide", "proba > 0.7", 0),
        by_hand("MLD101", "serve.py", "decide", "proba > 0.7", 1),
    ]


def test_the_path_is_relative_to_the_project_root_with_posix_separators(tmp_path):
    findings = lint_files(tmp_path, {"pkg/sub/serve.py": SERVE}, ("MLD101",))
    assert by_hand("MLD101", "pkg/sub/serve.py", "decide", "proba > 0.7", 0) in {f.fingerprint for f in findings}


@pytest.mark.parametrize(
    "broken",
    [
        "x = [\n    1,\n    2)\n",  # the message names the line of the opening bracket
        "def f(:\n    pass\n",
        "if True:\n        x = 1\n    y = 2\n",  # unindent
    ],
)
def test_a_parse_error_keeps_its_fingerprint_when_lines_are_inserted_above(tmp_path, broken):
    before = lint_files(tmp_path / "a", {"broken.py": broken}, ("MLD000",))
    after = lint_files(tmp_path / "b", {"broken.py": "import os\n\n\n" + broken}, ("MLD000",))
    assert [f.code for f in before] == [f.code for f in after] == ["MLD000"]
    assert before[0].line != after[0].line
    assert before[0].fingerprint == after[0].fingerprint


def test_different_parse_errors_have_different_fingerprints(tmp_path):
    one = lint_files(tmp_path / "a", {"broken.py": "x = [\n    1,\n    2)\n"}, ("MLD000",))
    two = lint_files(tmp_path / "b", {"broken.py": "def f(:\n    pass\n"}, ("MLD000",))
    assert one[0].fingerprint != two[0].fingerprint


def _expects_findings(project: Path) -> bool:
    listed = project / "expected-findings.txt"
    lines = listed.read_text(encoding="utf-8").splitlines() if listed.is_file() else []
    return any(line.split("#", 1)[0].strip() for line in lines)


PROJECTS_WITH_FINDINGS = [p for p in sorted(FIXTURES.iterdir()) if p.is_dir() and _expects_findings(p)]


@pytest.mark.parametrize("name", [p.name for p in PROJECTS_WITH_FINDINGS])
def test_every_fixture_finding_keeps_its_fingerprint_when_every_file_gains_a_line_on_top(name, tmp_path):
    project = tmp_path / name
    shutil.copytree(FIXTURES / name, project)
    before = lint_folder(project).findings
    assert before
    for path in project.rglob("*"):
        if (
            path.is_file()
            and path.suffix in (".py", ".txt", ".toml", ".yml", ".yaml", ".cfg")
            and path.name != "uv.lock"
        ):
            path.write_text("# a line on top\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
        elif path.is_file() and path.suffix == ".ipynb":  # a notebook gains a cell on top
            document = json.loads(path.read_text(encoding="utf-8"))
            cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": []}
            document["cells"].insert(0, {**cell, "id": "on-top", "source": ["# a cell on top"]})
            path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    after = lint_folder(project).findings
    assert Counter((f.code, f.fingerprint) for f in before) == Counter((f.code, f.fingerprint) for f in after)
    assert [(f.cell, f.line + 1) if f.cell is None else (f.cell + 1, f.line) for f in before] == [
        (f.cell, f.line) for f in after
    ]


@pytest.mark.parametrize(
    ("source", "snippet"),
    [
        ("if proba > 0.7:\n    x = 1\nelse:\n    x = 2\n", "if proba > 0.7"),
        ("while loss > 0.1:\n    loss = step()\n", "while loss > 0.1"),
        ("for batch in loader:\n    train(batch)\n", "for batch loader"),
        (
            "with open(p) as f, lock:\n    f.read()\n",
            "with open(p) as f,  lock",
        ),  # each item as written, comma included
        ("try:\n    x = 1\nexcept ValueError:\n    x = 2\n", "Try"),
        ("def train(model, lr=0.1):\n    return model\n", "def train"),
        ("class Model(nn.Module):\n    pass\n", "class Model"),
        ("x = f(a,  b)\n", "x = f(a,  b)"),
    ],
)
def test_a_flagged_statement_counts_by_its_header(source, snippet):
    import libcst as cst

    from mldebtlint.engine.fingerprint import node_snippet

    module = cst.parse_module(source)
    statement = module.body[0]
    node = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) else statement
    assert node_snippet(module, node) == snippet

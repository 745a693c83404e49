"""Jupyter notebooks: read, masked, linted and located in cells (SPEC section 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import lint_folder
from notebooks import code, dumps, image_output, markdown, notebook, write_notebook

from mldebtlint.core.config import Settings
from mldebtlint.engine.notebook import NotebookError, build_module, mask_cell, read_notebook
from mldebtlint.engine.runner import RunOptions, run
from mldebtlint.manifests.install_commands import parse_install_commands

THRESHOLD = """
proba = model.predict_proba(X)[:, 1]
flagged = proba > 0.7
"""


def lint(path: Path, select: tuple[str, ...] | None = None, **overrides):
    settings = Settings(root=str(path.parent if path.is_file() else path), select=select)
    if overrides:
        settings = settings.with_cli(**overrides)
    return run(RunOptions(paths=[path], settings=settings, whole_repo_facts=False))


def located(result) -> list[tuple[int | None, int, int, str]]:
    return [(f.cell, f.line, f.column, f.code) for f in result.findings]


# -- the module the rules see ---------------------------------------------------


def test_ipython_lines_are_masked_line_for_line_and_python_is_kept():
    lines = (
        "%matplotlib inline",
        "!pip install -q pandas",
        "files = !ls data",
        "?np.where",
        "np.where??",
        "cd data",
        "for name in files:",
        "    !echo $name",
        "%time preds = (proba > 0.7).astype(int)",
        "%timeit -n 3 -r 2 model.predict(X)",
        "x = 1",
    )
    mask = mask_cell(lines)
    assert mask.error is None
    assert len(mask.lines) == len(lines)
    assert mask.lines[0] == "pass" and mask.lines[3] == "pass" and mask.lines[5] == "pass"
    assert mask.lines[2] == "files = None"
    assert mask.lines[7] == "    pass"  # a magic inside a block keeps the block valid
    # %time keeps its statement in the same columns, so a finding there lands right.
    assert mask.lines[8].endswith("preds = (proba > 0.7).astype(int)")
    assert mask.lines[8].index("preds") == lines[8].index("preds")
    assert mask.lines[9].index("model") == lines[9].index("model")
    assert mask.lines[10] == "x = 1"
    assert [text for segments in mask.installs for _, _, text in segments] == ["pip install -q pandas", "echo $name"]


def test_text_that_only_looks_like_ipython_inside_strings_is_left_alone():
    lines = ('query = """', "%s and ?", "!important", 'done?"""', "rate = 5 % 2", "ok = x != y")
    mask = mask_cell(lines)
    assert mask.error is None and mask.masked == set()
    assert mask.lines == list(lines)


def test_a_backslash_continued_install_line_is_one_command():
    mask = mask_cell(("!pip install torch \\", "    transformers==4.40.0", "import torch"))
    assert mask.lines[:2] == ["pass", ""]
    assert [len(segments) for segments in mask.installs] == [2]
    manifest = parse_install_commands(mask.installs, None)
    assert [(e.key, e.span.line, e.strength) for e in manifest.entries] == [
        ("torch", 1, "unbounded"),
        ("transformers", 2, "exact"),
    ]


@pytest.mark.parametrize("magic", ["%%bash", "%%sql", "%%html", "%%writefile train.py", "%%javascript"])
def test_a_cell_of_another_language_is_skipped(magic):
    mask = mask_cell((magic, "if proba > 0.7:", "  echo hi"))
    assert mask.skipped and mask.error is None
    assert all(not line.strip() for line in mask.lines)


@pytest.mark.parametrize("magic", ["%%time", "%%timeit -n 2", "%%capture output"])
def test_a_python_cell_magic_keeps_its_body(magic):
    mask = mask_cell((magic, "if proba > 0.7:", "    flag = 1"))
    assert not mask.skipped and mask.error is None
    assert mask.lines[1:] == ["if proba > 0.7:", "    flag = 1"]


def test_a_cell_that_is_not_python_is_an_error_of_that_cell():
    mask = mask_cell(("for col in df.columns", "    print(col)"))
    assert mask.error is not None and mask.error[1] == 1


def test_top_level_await_is_python_in_a_notebook():
    assert mask_cell(("result = await client.fetch()",)).error is None


# -- reading the file ---------------------------------------------------------------


def test_lines_of_the_file_are_known_for_list_and_string_sources(tmp_path):
    document = notebook([markdown("# Title"), code("a = 1\nb = 2")])
    document["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "source": "c = 3\nd = 4"})
    text = dumps(document)
    parsed = read_notebook(text.encode())
    file_lines = text.splitlines()
    first, second = parsed.cells[1], parsed.cells[2]
    assert [file_lines[n - 1].strip() for n in first.file_lines] == ['"a = 1\\n",', '"b = 2"']
    assert second.lines == ("c = 3", "d = 4")
    assert {file_lines[n - 1].strip() for n in second.file_lines} == {'"source": "c = 3\\nd = 4"'}


def test_outputs_are_not_decoded(tmp_path):
    # An output that is not even valid UTF-8 does not stop the sources from being read.
    text = dumps(notebook([code("x = 1", outputs=[image_output(10)])])).encode()
    broken = text.replace(b"iVBORw0KGgo", b"iVBOR\xff\xfeKGgo")
    assert read_notebook(broken).cells[0].lines == ("x = 1",)


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "end of file"),
        (b'{"cells": [', "end of file"),
        (b'{"nbformat": 3, "worksheets": []}', "nbformat 3"),
        (b'{"nbformat": 4, "cells": [{"cell_type": "code", "source": [1, 2]}]}', "not a list of strings"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"nbformat": 4, "cells": []} trailing', "unexpected data"),
    ],
)
def test_unreadable_notebooks_say_why(content, reason):
    with pytest.raises(NotebookError, match=reason):
        read_notebook(content)


@pytest.mark.parametrize("content", [b"", b"{", b"\x00\x01", b'{"cells": "x"}', "é".encode("latin-1")])
def test_a_broken_notebook_is_one_mld000_and_the_run_goes_on(tmp_path, content):
    (tmp_path / "bad.ipynb").write_bytes(content)
    (tmp_path / "train.py").write_text(THRESHOLD, encoding="utf-8")
    result = lint(tmp_path)
    assert [(Path(f.path).name, f.code, f.cell) for f in result.findings] == [
        ("bad.ipynb", "MLD000", None),
        ("train.py", "MLD101", None),
    ]


# -- findings in cells ------------------------------------------------------------------


def test_findings_are_located_in_cells_counting_markdown_cells(tmp_path):
    path = write_notebook(
        tmp_path / "nb.ipynb",
        [markdown("# Scoring"), code("import numpy as np"), markdown("Now score."), code(THRESHOLD)],
    )
    assert located(lint(path, ("MLD101",))) == [(4, 2, 11, "MLD101")]


def test_ipython_syntax_neither_crashes_nor_reports_and_code_around_it_is_linted(tmp_path):
    ipython = code(
        """
        %matplotlib inline
        files = !ls data
        ?np.where
        cd data
        %time preds = (proba > 0.7).astype(int)
        """
    )
    path = write_notebook(tmp_path / "nb.ipynb", [ipython])
    assert located(lint(path)) == [(1, 5, 16, "MLD101")]
    # The twin without the threshold: nothing at all (no MLD000 from the magics).
    write_notebook(path, [code("%matplotlib inline\nfiles = !ls data\n?np.where\ncd data\n%time preds = f(x)")])
    assert located(lint(path)) == []


def test_a_cell_of_another_language_produces_no_finding_but_a_python_cell_magic_does(tmp_path):
    path = write_notebook(tmp_path / "nb.ipynb", [code("%%bash\n" + THRESHOLD.strip())])
    assert located(lint(path, ("MLD101",))) == []
    write_notebook(path, [code("%%time\n" + THRESHOLD.strip())])
    assert located(lint(path, ("MLD101",))) == [(1, 3, 11, "MLD101")]


def test_a_broken_cell_is_reported_and_the_other_cells_are_linted(tmp_path):
    cells = [code("import numpy as np"), code("for col in df.columns\n    print(col)"), code(THRESHOLD)]
    path = write_notebook(tmp_path / "nb.ipynb", cells)
    result = lint(path, ("MLD000", "MLD101"))
    assert located(result) == [(2, 1, 22, "MLD000"), (3, 2, 11, "MLD101")]
    assert "cell is not Python" in result.findings[0].message


def test_names_resolve_across_cells(tmp_path):
    alias = "from sklearn.ensemble import RandomForestClassifier as RFC"
    cells = [code(alias), markdown("fit"), code("forest = RFC(max_depth=12)")]
    path = write_notebook(tmp_path / "nb.ipynb", cells)
    assert located(lint(path, ("MLD102",))) == [(3, 1, 10, "MLD102")]
    # The twin: without the import in the first cell, RFC is not known to be an estimator.
    write_notebook(path, [code("import os"), markdown("fit"), code("forest = RFC(max_depth=12)")])
    assert located(lint(path, ("MLD102",))) == []


def test_a_notebook_of_another_kernel_is_not_linted(tmp_path):
    path = write_notebook(tmp_path / "nb.ipynb", [code(THRESHOLD)], language="R")
    result = lint(path)
    assert located(result) == [] and not result.files[0].is_python
    write_notebook(path, [code(THRESHOLD)], language="python")
    assert located(lint(path)) == [(1, 2, 11, "MLD101")]


def test_notebooks_without_cell_ids_and_with_string_sources(tmp_path):
    document = notebook([code("import numpy as np")], minor=4)
    document["cells"].append(
        {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [], "source": THRESHOLD.strip()}
    )
    path = tmp_path / "nb.ipynb"
    path.write_text(dumps(document), encoding="utf-8")
    result = lint(path, ("MLD101",))
    assert located(result) == [(2, 2, 11, "MLD101")]
    assert result.findings[0].file_lines[0] == next(
        n for n, line in enumerate(path.read_text().splitlines(), 1) if "proba > 0.7" in line
    )


def test_lines_of_code_count_code_cells_only(tmp_path):
    cells = [markdown("# A\nlots\nof\nprose"), code("%matplotlib inline\nimport numpy as np\n\nx = np.zeros(3)")]
    path = write_notebook(tmp_path / "nb.ipynb", cells)
    assert lint(path).files[0].lines == 2


def test_a_notebook_larger_than_the_source_limit_is_linted_when_its_code_is_small(tmp_path):
    cells = [code(THRESHOLD, outputs=[image_output(3_000_000)])]
    path = write_notebook(tmp_path / "nb.ipynb", cells)
    assert path.stat().st_size > 3_000_000
    assert located(lint(path)) == [(1, 2, 11, "MLD101")]


# -- install lines: MLD301 ----------------------------------------------------------------


def test_pip_and_conda_install_lines_are_a_manifest(tmp_path):
    pip = ["%pip install torch==2.2.2 'transformers>=4.30'", "!pip install -U xgboost"]
    conda = ["%conda install -y -c pytorch pytorch=2.1.0 lightgbm", "!{sys.executable} -m pip install catboost"]
    cells = [code("\n".join(pip)), markdown("and conda"), code("\n".join(conda))]
    path = write_notebook(tmp_path / "nb.ipynb", cells)
    result = lint(path, ("MLD301",))
    assert [(f.cell, f.line, f.column, dict(f.data)["package"]) for f in result.findings] == [
        (1, 1, pip[0].index("'transformers") + 1, "transformers"),  # the quoted word
        (1, 2, pip[1].index("xgboost") + 1, "xgboost"),
        (3, 1, conda[0].index("lightgbm") + 1, "lightgbm"),
        (3, 2, conda[1].index("catboost") + 1, "catboost"),
    ]
    assert "installed without an exact pin" in result.findings[0].message


def test_install_lines_pinned_or_constrained_are_not_reported(tmp_path):
    (tmp_path / "constraints.txt").write_text("xgboost==2.0.3\n", encoding="utf-8")
    cells = [code("!pip install torch==2.2.2 -c constraints.txt xgboost\n!pip install $PKG {package} ./local")]
    path = write_notebook(tmp_path / "nb.ipynb", cells)
    assert located(lint(path, ("MLD301",))) == []
    write_notebook(path, [code("!pip install torch==2.2.2 xgboost\n!pip install $PKG {package} ./local")])
    assert located(lint(path, ("MLD301",))) == [(1, 1, 27, "MLD301")]


def test_install_commands_are_split_like_a_shell():
    text = "pip install -q 'torch>=2' && python -m pip install numpy > /dev/null 2>&1; ls"
    manifest = parse_install_commands([[(1, 2, text)]], None)
    columns = [text.index("'torch") + 2, text.index("numpy") + 2]  # the text starts in column 2
    assert [(e.key, e.span.column, e.specifier) for e in manifest.entries] == [
        ("torch", columns[0], ">=2"),
        ("numpy", columns[1], ""),
    ]


# -- suppressions, configuration, discovery --------------------------------------------------


def test_noqa_in_a_cell_and_skip_file_in_any_cell(tmp_path):
    path = write_notebook(tmp_path / "nb.ipynb", [code(THRESHOLD.replace("0.7", "0.7  # noqa: MLD101"))])
    result = lint(path)
    assert located(result) == [] and result.suppressed == 1
    cells = [code(THRESHOLD), markdown("notes"), code("# mldebtlint: skip-file")]
    write_notebook(path, cells)
    assert located(lint(path)) == []
    write_notebook(path, cells[:2])
    assert located(lint(path)) == [(1, 2, 11, "MLD101")]


def test_a_noqa_comment_on_an_install_line_is_honoured(tmp_path):
    path = write_notebook(tmp_path / "nb.ipynb", [code("!pip install torch  # noqa: MLD301")])
    assert located(lint(path)) == []


def test_discovery_extend_exclude_and_per_file_ignores_apply_to_notebooks(tmp_path):
    write_notebook(tmp_path / "analysis" / "nb.ipynb", [code(THRESHOLD)])
    write_notebook(tmp_path / "analysis" / ".ipynb_checkpoints" / "nb-checkpoint.ipynb", [code(THRESHOLD)])
    assert [(Path(f.path).name, f.code) for f in lint_folder(tmp_path).findings] == [("nb.ipynb", "MLD101")]
    assert lint_folder(tmp_path, extend_exclude=("analysis/",)).findings == ()
    ignored = lint_folder(tmp_path, per_file_ignores=(("*.ipynb", ("MLD101",)),))
    assert ignored.findings == () and ignored.suppressed == 1


# -- stability ----------------------------------------------------------------------------------


def test_fingerprints_survive_cells_above_and_a_rerun(tmp_path):
    body = [code("import torch.optim as optim", 1), code(THRESHOLD + "opt = optim.SGD(p, lr=0.1)\n", 2)]
    path = write_notebook(tmp_path / "nb.ipynb", body)
    before = {(f.code, f.fingerprint) for f in lint(path).findings}
    assert len(before) == 2
    rerun = [
        markdown("# New intro"),
        code("import pandas as pd\ndf = pd.DataFrame()", 7, [image_output(100)]),
        code("import torch.optim as optim", 8, [{"name": "stdout", "output_type": "stream", "text": ["ok\n"]}]),
        code(THRESHOLD + "opt = optim.SGD(p, lr=0.1)\n", 9),
    ]
    write_notebook(path, rerun)
    after = lint(path).findings
    assert {(f.code, f.fingerprint) for f in after} == before
    assert {f.cell for f in after} == {4}


def test_the_same_notebook_gives_the_same_findings_from_the_cache(tmp_path, monkeypatch):
    import mldebtlint.engine.concurrency

    path = write_notebook(tmp_path / "nb.ipynb", [markdown("x"), code(THRESHOLD)])
    settings = Settings(root=str(tmp_path), cache_dir=str(tmp_path / ".cache"))
    cold = run(RunOptions(paths=[path], settings=settings, cache=True)).findings
    seen: list[str] = []
    original = mldebtlint.engine.concurrency.analyze_many

    def spy(tasks, *args, **kwargs):
        seen.extend(task.relative for task in tasks)
        return original(tasks, *args, **kwargs)

    monkeypatch.setattr(mldebtlint.engine.concurrency, "analyze_many", spy)
    warm = run(RunOptions(paths=[path], settings=settings, cache=True)).findings
    assert warm == cold and [(f.cell, f.line) for f in warm] == [(2, 2)]
    assert seen == []


def test_the_module_maps_every_line_back_to_its_cell_and_file_line(tmp_path):
    text = dumps(notebook([markdown("m"), code("a = 1\nb = 2"), code(""), code("c = 3")]))
    module = build_module(read_notebook(text.encode()))
    file_lines = text.splitlines()
    assert module.text == "a = 1\nb = 2\nc = 3\n"
    assert [entry[:2] for entry in module.cells] == [(2, 1), (2, 2), (4, 1)]
    assert [file_lines[entry[2] - 1].strip().strip(",") for entry in module.cells] == [
        '"a = 1\\n"',
        '"b = 2"',
        '"c = 3"',
    ]
    assert json.loads(text)["cells"][1]["source"] == ["a = 1\n", "b = 2"]


def test_a_cell_indented_as_a_whole_runs_dedented_and_keeps_its_columns(tmp_path):
    cell = code("x = 1")
    cell["source"] = ["  proba = model.predict_proba(X)[:, 1]\n", "  flagged = proba > 0.7"]  # not dedented
    path = write_notebook(tmp_path / "nb.ipynb", [cell])
    assert located(lint(path)) == [(1, 2, 13, "MLD101")]
    # The twin: an indented line after an unindented first line is a real error.
    cell["source"] = ["proba = model.predict_proba(X)[:, 1]\n", "  flagged = proba > 0.7"]
    write_notebook(path, [cell])
    assert [(cell, line, code) for cell, line, _, code in located(lint(path))] == [(1, 2, "MLD000")]

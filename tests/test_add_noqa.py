"""``check --add-noqa``: every current finding gets an inline ignore directive."""

from __future__ import annotations

from pathlib import Path

import pytest

from mldebtlint.adoption.noqa_writer import _merge_directive
from mldebtlint.cli import main

SOURCE = '''\
import numpy as np
import torch


def decide(model, X):
    proba = model.predict_proba(X)[:, 1]
    labels = np.where(proba > 0.7, 1, 0)  # type: ignore[arg-type]
    keep = proba >= 0.55  # mldebtlint: ignore[MLD102] keep this
    tagged = np.where(proba > 0.9, """yes
""", "no")
    return labels, keep, tagged


def fit(model):
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-4)
    return optimizer
'''

EXPECTED = '''\
import numpy as np
import torch


def decide(model, X):
    proba = model.predict_proba(X)[:, 1]
    labels = np.where(proba > 0.7, 1, 0)  # type: ignore[arg-type]  # mldebtlint: ignore[MLD101]
    keep = proba >= 0.55  # mldebtlint: ignore[MLD102, MLD101] keep this
    tagged = np.where(proba > 0.9, """yes
""", "no")  # mldebtlint: ignore[MLD101]
    return labels, keep, tagged


def fit(model):
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-4)  # mldebtlint: ignore[MLD102]
    return optimizer
'''

SELECT = ("--select", "MLD101,MLD102")


def cli(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train.py").write_text(SOURCE, encoding="utf-8")
    return tmp_path


def test_add_noqa_annotates_every_finding_keeping_other_comments(project, capsys):
    code, _, _ = cli(capsys, "check", *SELECT, ".")
    assert code == 1
    code, _, err = cli(capsys, "check", *SELECT, "--add-noqa", ".")
    assert code == 0 and "Added 4 noqa directives to 1 files." in err
    assert (project / "train.py").read_text(encoding="utf-8") == EXPECTED
    code, out, _ = cli(capsys, "check", *SELECT, ".")
    assert code == 0 and "(4 suppressed)" in out


def test_add_noqa_is_idempotent(project, capsys):
    cli(capsys, "check", *SELECT, "--add-noqa", ".")
    code, _, err = cli(capsys, "check", *SELECT, "--add-noqa", ".")
    assert code == 0 and "Added 0 noqa directives" in err
    assert (project / "train.py").read_text(encoding="utf-8") == EXPECTED


def test_add_noqa_keeps_crlf_line_endings_and_encoding_cookie(project, capsys):
    source = "# -*- coding: latin-1 -*-\n# caf\xe9\n" + SOURCE
    (project / "train.py").write_bytes(source.replace("\n", "\r\n").encode("latin-1"))
    cli(capsys, "check", *SELECT, "--add-noqa", ".")
    raw = (project / "train.py").read_bytes()
    text = raw.decode("latin-1")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    assert text.replace("\r\n", "\n") == "# -*- coding: latin-1 -*-\n# caf\xe9\n" + EXPECTED
    code, _, _ = cli(capsys, "check", *SELECT, ".")
    assert code == 0


def test_files_that_do_not_parse_are_left_alone(project, capsys):
    broken = "def f(:\n    return proba > 0.7\n"
    (project / "broken.py").write_text(broken, encoding="utf-8")
    code, _, _ = cli(capsys, "check", "--add-noqa", ".")
    assert code == 0
    assert (project / "broken.py").read_text(encoding="utf-8") == broken


@pytest.mark.parametrize(
    "comment, codes, expected",
    [
        ("# mldebtlint: ignore[MLD101]", {"MLD102"}, "# mldebtlint: ignore[MLD101, MLD102]"),
        ("# mldebtlint: ignore[MLD101]", {"MLD101"}, "# mldebtlint: ignore[MLD101]"),
        (
            "# noqa: E501  # mldebtlint: ignore[MLD1] why",
            {"MLD301"},
            "# noqa: E501  # mldebtlint: ignore[MLD1, MLD301] why",
        ),
        ("# mldebtlint: ignore", {"MLD101"}, "# mldebtlint: ignore"),
        ("# type: ignore", {"MLD101"}, None),
    ],
)
def test_merge_directive(comment, codes, expected):
    assert _merge_directive(comment, codes) == expected

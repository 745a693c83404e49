"""Twin tests for the rules: each case is a positive snippet and its near-identical
clean twin. The positive marks its expected finding's line with ``# <- CODE``;
the twin must produce nothing, so the guard that separates them is reached."""

from __future__ import annotations

import textwrap

from conftest import lint_source

MARK = "# <- "


def expected_lines(source: str, code: str) -> list[int]:
    lines = textwrap.dedent(source).splitlines()
    return [number for number, line in enumerate(lines, 1) if f"{MARK}{code}" in line]


def check_twin(tmp_path, code: str, positive: str, negative: str, filename: str = "train.py") -> None:
    bad = lint_source(tmp_path / "bad", positive, select=(code,), filename=filename)
    found = sorted(finding.line for finding in bad.findings if finding.code == code)
    assert found == expected_lines(positive, code), f"{code} positive:\n{positive}\nfound lines {found}"
    good = lint_source(tmp_path / "good", negative, select=(code,), filename=filename)
    flagged = [f"{f.line}: {f.message}" for f in good.findings if f.code == code]
    assert flagged == [], f"{code} clean twin flagged:\n{negative}\n{flagged}"

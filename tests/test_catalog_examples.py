"""Every rule's catalog examples are its executable documentation: each bad
example must be flagged by that rule, each good example must not be.

The test is data-driven over the whole catalog (``load_catalog()``), so a new
rule is covered as soon as its ``rules/<name>.toml`` exists. Each example is
written alone, under its own file name, into a fresh folder and linted with
only its rule selected.
"""

from __future__ import annotations

import pytest
from conftest import lint_source

from mldebtlint.core.catalog import load_catalog
from mldebtlint.detectors import registry

CATALOG = load_catalog()
RULE_ENTRIES = [entry for entry in CATALOG.values() if not entry.builtin]


def _cases(kind: str) -> list:
    cases = []
    for entry in RULE_ENTRIES:
        examples = getattr(entry, kind)
        if not examples:
            reason = f"{entry.code} has no {kind} examples (e.g. a repo rule needing several files)"
            cases.append(
                pytest.param(entry.code, None, id=f"{entry.code}-{kind}-none", marks=pytest.mark.skip(reason=reason))
            )
        for index, example in enumerate(examples, start=1):
            cases.append(pytest.param(entry.code, example, id=f"{entry.code}-{kind}-{index}"))
    return cases


@pytest.mark.parametrize("code, example", _cases("bad"))
def test_bad_example_is_flagged(tmp_path, code, example):
    result = lint_source(tmp_path, example.code, select=(code,), filename=example.filename)
    codes = [finding.code for finding in result.findings]
    assert code in codes, f"{code} bad example ({example.filename}) not flagged:\n{example.code}"


@pytest.mark.parametrize("code, example", _cases("good"))
def test_good_example_is_not_flagged(tmp_path, code, example):
    result = lint_source(tmp_path, example.code, select=(code,), filename=example.filename)
    flagged = [f"{f.line}: {f.code} {f.message}" for f in result.findings]
    assert flagged == [], f"{code} good example ({example.filename}) flagged:\n{example.code}"


def test_every_rule_entry_has_a_detector():
    detectors = registry()
    missing = [entry.code for entry in RULE_ENTRIES if entry.code not in detectors]
    assert missing == [], f"catalog entries without a detector in mldebtlint/detectors/: {missing}"


def test_every_detector_has_a_catalog_entry():
    orphans = [code for code in registry() if code not in CATALOG or CATALOG[code].builtin]
    assert orphans == [], f"detectors without a rules/<name>.toml entry: {orphans}"

"""Schema sanity of the rule catalog (rules/*.toml)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from mldebtlint.core.catalog import OPTION_TYPES, SEVERITIES, catalog_dir, load_catalog
from mldebtlint.core.config import check_option_type

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CATALOG = load_catalog()
ENTRIES = list(CATALOG.values())
KEBAB = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
CODE = re.compile(r"^MLD\d{3}$")
CATEGORIES = {
    "tooling",
    "configuration",
    "integration",
    "dependency",
    "model",
    "data",
    "reproducibility",
    "testing",
}


def test_catalog_is_not_empty_and_has_parse_error():
    assert "MLD000" in CATALOG and CATALOG["MLD000"].builtin


def test_codes_and_names_are_unique_across_files():
    codes, names = [], []
    for path in sorted(Path(catalog_dir()).glob("*.toml")):
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        codes.append(data["code"])
        names.append(data["name"])
        assert path.stem == data["name"], f"{path.name} must be named after its rule ({data['name']}.toml)"
    assert len(codes) == len(set(codes)), codes
    assert len(names) == len(set(names)), names


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.code)
def test_entry_fields(entry):
    assert CODE.match(entry.code), entry.code
    assert KEBAB.match(entry.name), f"{entry.code}: name {entry.name!r} is not kebab-case"
    assert entry.severity in SEVERITIES
    assert entry.category in CATEGORIES, f"{entry.code}: unknown category {entry.category!r}"
    assert isinstance(entry.default_enabled, bool)
    assert entry.effort > 0
    assert 1 <= entry.impact <= 5 and 1 <= entry.risk <= 5
    assert entry.summary and entry.rationale
    if not entry.builtin:
        assert entry.fix, f"{entry.code}: a rule needs fix advice"


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.code)
def test_option_defaults_match_declared_types(entry):
    for name, option in entry.options.items():
        assert KEBAB.match(name), f"{entry.code}: option {name!r} is not kebab-case"
        assert option.type in OPTION_TYPES
        assert check_option_type(option, option.default), (
            f"{entry.code}: default of option {name!r} is not a {option.type}"
        )
        assert option.description, f"{entry.code}: option {name!r} needs a description"


@pytest.mark.parametrize("entry", [e for e in ENTRIES if not e.builtin], ids=lambda e: e.code)
def test_examples_are_non_empty_code(entry):
    for example in (*entry.bad, *entry.good):
        assert example.code.strip(), f"{entry.code}: empty example"
        relative = Path(example.filename)
        assert not relative.is_absolute() and ".." not in relative.parts, example.filename


def test_hardcoded_threshold_has_enough_examples():
    entry = CATALOG["MLD101"]
    assert len(entry.bad) >= 3 and len(entry.good) >= 3
    assert "Sculley" in entry.rationale

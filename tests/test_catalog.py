"""Schema sanity of the rule catalog (rules/*.toml)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from mldebtlint.core.catalog import (
    CATEGORIES,
    OPTION_TYPES,
    SEVERITIES,
    CatalogError,
    catalog_dir,
    load_catalog,
    parse_entry,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CATALOG = load_catalog()
ENTRIES = list(CATALOG.values())
KEBAB = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
CODE = re.compile(r"^MLD\d{3}$")


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
    assert int(entry.code[3]) == CATEGORIES[entry.category], f"{entry.code}: code does not match its category"
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
        assert option.accepts(option.default), f"{entry.code}: default of option {name!r} is not a {option.type}"
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


# -- what the loader refuses (a packaging bug: exit 2) --------------------------------

MINIMAL = {
    "code": "MLD105",
    "name": "dead-experimental-path",
    "category": "configuration",
    "severity": "warning",
    "default-enabled": True,
    "effort": 10,
    "impact": 2,
    "risk": 2,
    "summary": "s",
    "rationale": "r",
}


def test_a_minimal_entry_parses():
    entry = parse_entry(dict(MINIMAL), "x.toml")
    assert (entry.code, entry.category) == ("MLD105", "configuration")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"category": "style"}, "category 'style' must be one of tooling, configuration"),
        ({"code": "MLD505"}, "code 'MLD505' must be MLD1xx (category configuration)"),
        ({"code": "ML105"}, "code 'ML105' must be MLD1xx"),
        ({"name": "Dead_Path"}, "must be kebab-case"),
        ({"severity": "fatal"}, "severity must be one of"),
        ({"options": {"mode": {"type": "str", "default": "b", "choices": ["a", "c"]}}}, 'not one of "a", "c"'),
        ({"options": {"mode": {"type": "int", "default": 1, "choices": ["a"]}}}, "'choices' is a list of strings"),
        ({"options": {"limit": {"type": "int", "default": "3"}}}, "default of option 'limit' is not of type int"),
    ],
)
def test_the_loader_refuses(change, message):
    with pytest.raises(CatalogError, match=re.escape(message)):
        parse_entry({**MINIMAL, **change}, "x.toml")


def test_enumerated_option_accepts_only_its_choices():
    option = CATALOG["MLD301"].options["policy"]
    assert option.choices == ("exact", "upper-bound")
    assert option.accepts("upper-bound") and not option.accepts("upperbound") and not option.accepts(1)

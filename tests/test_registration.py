"""Checked registration: rule classes and catalog entries match one to one,
or importing the detectors fails loudly (a packaging bug, exit 2)."""

from __future__ import annotations

import pytest

from mldebtlint.core.catalog import CatalogError, load_catalog
from mldebtlint.detectors import RegistrationError, check_registration, class_name_for, registry
from mldebtlint.detectors.glue_code import GlueCode
from mldebtlint.detectors.hardcoded_threshold import HardcodedThreshold
from mldebtlint.rule import Rule

CATALOG = load_catalog()


def rule_class(name: str, code: str, module: str) -> type[Rule]:
    return type(name, (Rule,), {"code": code, "__module__": f"mldebtlint.detectors.{module}"})


def test_every_catalog_rule_has_exactly_its_class():
    classes = registry()
    assert set(classes) == {code for code, entry in CATALOG.items() if not entry.builtin}
    for code, cls in classes.items():
        assert cls.__name__ == class_name_for(CATALOG[code].name)


def test_the_real_classes_pass_the_check():
    assert check_registration(registry().values(), CATALOG) == registry()


def test_two_classes_with_one_code_are_an_error():
    twin = rule_class("HardcodedThreshold", "MLD101", "hardcoded_threshold")
    with pytest.raises(RegistrationError, match="code MLD101 is also used by"):
        check_registration([*registry().values(), twin], CATALOG)


def test_a_code_without_catalog_file_is_an_error():
    stray = rule_class("StrayRule", "MLD198", "stray_rule")
    with pytest.raises(RegistrationError, match="code MLD198 has no catalog file"):
        check_registration([*registry().values(), stray], CATALOG)


@pytest.mark.parametrize(
    ("name", "module"),
    [("HardcodedThresholds", "hardcoded_threshold"), ("HardcodedThreshold", "thresholds")],
)
def test_a_class_named_unlike_its_catalog_entry_is_an_error(name, module):
    misnamed = rule_class(name, "MLD101", module)
    others = [cls for cls in registry().values() if cls is not HardcodedThreshold]
    with pytest.raises(RegistrationError, match="'hardcoded-threshold' in the catalog"):
        check_registration([*others, misnamed], CATALOG)


def test_a_catalog_entry_without_class_is_an_error():
    others = [cls for cls in registry().values() if cls is not GlueCode]
    with pytest.raises(RegistrationError, match="no detector class for catalog rule"):
        check_registration(others, CATALOG)


def test_registration_errors_are_catalog_errors_so_the_cli_exits_2():
    assert issubclass(RegistrationError, CatalogError)

"""Detectors: one module per rule, named after the rule.

``registry()`` imports every module of this package once and maps each rule
class to its catalog code; adding a rule needs no change here. Registration
is checked: a rule class must have a catalog entry, its module and class must
be named after that entry (``hardcoded_threshold.HardcodedThreshold`` for
``hardcoded-threshold``), no two classes may share a code, and every catalog
entry that is not built in must have its class. A violation is a
``RegistrationError`` (a packaging bug: exit 2).

May import ``rule``, core, syntax, knowledge, manifests and graph (facts);
never engine, adoption, fixes, output, report or commands.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Iterable, Mapping
from types import ModuleType

from mldebtlint.core.catalog import CatalogEntry, CatalogError, load_catalog
from mldebtlint.rule import ManifestRule, RepoRule, Rule

RuleClass = type[Rule] | type[ManifestRule] | type[RepoRule]
_BASES = (Rule, ManifestRule, RepoRule)


class RegistrationError(CatalogError):
    """Rule classes and catalog entries do not match one to one."""


def class_name_for(rule_name: str) -> str:
    """``hardcoded-threshold`` -> ``HardcodedThreshold``."""
    return "".join(part.capitalize() for part in rule_name.split("-"))


def module_name_for(rule_name: str) -> str:
    """``hardcoded-threshold`` -> ``hardcoded_threshold``."""
    return rule_name.replace("-", "_")


def rule_classes(module: ModuleType) -> list[RuleClass]:
    """The rule classes a detector module defines (not those it imports)."""
    return [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, _BASES)
        and value not in _BASES
        and bool(getattr(value, "code", ""))
        and value.__module__ == module.__name__
    ]


def check_registration(classes: Iterable[RuleClass], catalog: Mapping[str, CatalogEntry]) -> dict[str, RuleClass]:
    """The classes keyed by code, or a RegistrationError naming the first mismatch."""
    found: dict[str, RuleClass] = {}
    for cls in classes:
        where = f"{cls.__module__}.{cls.__qualname__}"
        entry = catalog.get(cls.code)
        if entry is None:
            raise RegistrationError(f"{where}: code {cls.code} has no catalog file in rules/")
        if cls.code in found:
            other = found[cls.code]
            raise RegistrationError(f"{where}: code {cls.code} is also used by {other.__module__}.{other.__qualname__}")
        module = cls.__module__.rpartition(".")[2]
        if (module, cls.__name__) != (module_name_for(entry.name), class_name_for(entry.name)):
            raise RegistrationError(
                f"{where}: {cls.code} is {entry.name!r} in the catalog; name its module "
                f"{module_name_for(entry.name)}.py and its class {class_name_for(entry.name)}"
            )
        found[cls.code] = cls
    missing = [code for code, entry in catalog.items() if not entry.builtin and code not in found]
    if missing:
        raise RegistrationError(f"no detector class for catalog rule(s) {', '.join(missing)}")
    return dict(sorted(found.items()))


@functools.cache
def registry() -> dict[str, RuleClass]:
    classes: list[RuleClass] = []
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            classes.extend(rule_classes(importlib.import_module(f"{__name__}.{info.name}")))
    return check_registration(classes, load_catalog())

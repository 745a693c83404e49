"""Detectors: one module per rule, named after the rule.

``registry()`` imports every module of this package once and maps each rule
class to its catalog code; adding a rule needs no change here.

May import ``rule``, core, syntax, knowledge, manifests and graph (facts);
never engine, adoption, fixes, output, report or commands.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil

from mldebtlint.rule import ManifestRule, RepoRule, Rule

RuleClass = type[Rule] | type[ManifestRule] | type[RepoRule]


@functools.cache
def registry() -> dict[str, RuleClass]:
    found: dict[str, RuleClass] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, (Rule, ManifestRule, RepoRule))
                and value not in (Rule, ManifestRule, RepoRule)
                and getattr(value, "code", "")
                and value.__module__ == module.__name__
            ):
                found[value.code] = value
    return dict(sorted(found.items()))

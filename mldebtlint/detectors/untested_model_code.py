"""MLD701 untested-model-code: a module defining model code that no test imports.

Reads ``CoverageFacts`` of every file in the repo (so a single staged file is
judged against the whole repo's tests): a module is tested when a test file
imports it, directly or through a package ``__init__`` that re-exports it, or
runs it as a script (``subprocess.run(["python", "train.py"])``,
``python -m pkg.train``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath
from typing import Any

from mldebtlint.graph.coverage_facts import CoverageFacts, is_imported
from mldebtlint.rule import Report, RepoRule
from mldebtlint.syntax.identifiers import words


def tested_names(facts_by_path: Mapping[str, Any]) -> tuple[set[str], set[str], int]:
    """(names imported by tests, plus what imported packages re-export; scripts tests run; test count)."""
    imported: set[str] = set()
    scripts: set[str] = set()
    tests = 0
    packages: dict[str, list[str]] = {}
    for facts in facts_by_path.values():
        if not facts:
            continue
        if facts["test"]:
            tests += 1
            imported.update(facts["imports"])
            scripts.update(facts["scripts"])
        elif facts["package"]:
            packages[facts["module"]] = facts["imports"]
    # A package __init__ re-exports what it imports: follow until nothing changes.
    changed = True
    while changed:
        changed = False
        for package, exports in packages.items():
            if is_imported(package, imported) and not set(exports) <= imported:
                imported.update(exports)
                changed = True
    return imported, scripts, tests


def path_words(path: str) -> set[str]:
    """Words of a path's folders and file stem: ``scripts/visualize_calibration.py`` -> {scripts, visualize, calibration}."""
    pure = PurePosixPath(path)
    parts = [*pure.parts[:-1], pure.stem]
    return {word for part in parts for word in words(part)}


class UntestedModelCode(RepoRule):
    code = "MLD701"
    collector = CoverageFacts

    def check(self, facts_by_path: Mapping[str, Any]) -> Iterator[tuple[str, Report]]:
        imported, scripts, tests = tested_names(facts_by_path)
        skip = set(self.options["skip-path-words"])
        for path, facts in sorted(facts_by_path.items()):
            if not facts or facts["test"] or not facts["model"] or path_words(path) & skip:
                continue
            if path.endswith(".ipynb"):
                continue  # a notebook is exploration, not a module a test could import
            module = facts["module"]
            if is_imported(module, imported) or PurePosixPath(path).name in scripts or module in scripts:
                continue
            model = facts["model"]
            suffix = "; the repo has no tests at all" if tests == 0 else ""
            message = (
                f"{module} defines model code ({model['kind']} {model['name']}) that no test imports or runs"
                f"{suffix}: a change to it ships unchecked; add a test that imports it (a smoke test that "
                "trains on a few rows or predicts on a fixed input is enough to start)"
            )
            yield (
                path,
                Report(
                    self.code,
                    message,
                    line=model["line"],
                    column=model["column"],
                    end_line=model["end_line"],
                    end_column=model["end_column"],
                    data={"module": module, "definition": model["name"], "repo_has_tests": tests > 0},
                    scope=model["name"],
                ),
            )

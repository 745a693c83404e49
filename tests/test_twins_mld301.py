"""MLD301 twins: the same unpinned framework in an application manifest and in a
distributable package's, where ``library-policy`` decides for the package only."""

from __future__ import annotations

import pytest

APP = ("requirements.txt", "torch>=2.0\n")
LIBRARY = (
    "pyproject.toml",
    '[build-system]\nrequires = ["hatchling"]\n\n[project]\nname = "x"\nversion = "1"\ndependencies = ["torch>=2.0"]\n',
)
APP_PYPROJECT = ("pyproject.toml", '[project]\nname = "x"\nversion = "1"\ndependencies = ["torch>=2.0"]\n')


@pytest.mark.parametrize("manifest", [APP, APP_PYPROJECT], ids=["requirements", "pyproject-without-build-system"])
def test_library_policy_does_not_apply_to_an_application(lint, manifest):
    name, text = manifest
    for options in (None, {"unpinned-framework": {"library-policy": "ignore"}}):
        assert [f.code for f in lint(text, select=("MLD301",), filename=name, rule_options=options)] == ["MLD301"]


def test_library_policy_applies_to_a_package(lint):
    name, text = LIBRARY
    assert [f.code for f in lint(text, select=("MLD301",), filename=name)] == ["MLD301"]
    ignore = {"unpinned-framework": {"library-policy": "ignore"}}
    assert lint(text, select=("MLD301",), filename=name, rule_options=ignore) == []
    bounded = {"unpinned-framework": {"library-policy": "upper-bound"}}
    assert [f.code for f in lint(text, select=("MLD301",), filename=name, rule_options=bounded)] == ["MLD301"]
    within = text.replace("torch>=2.0", "torch>=2.0,<3")
    assert lint(within, select=("MLD301",), filename=name, rule_options=bounded) == []

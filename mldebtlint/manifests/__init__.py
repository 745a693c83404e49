"""Dependency manifests: requirement parsing (``packaging``), the manifest formats
(requirements, pyproject, setup.cfg/py, environment.yml, Pipfile) and version specs.

May import core, syntax and knowledge.
"""

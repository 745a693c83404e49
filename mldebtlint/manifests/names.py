"""Which file names are dependency manifests (no parsing here).

Discovery imports this on every run, so it imports nothing heavy (no
``packaging``): a fully cached run never pays for requirement parsing.
"""

from __future__ import annotations

import fnmatch

MANIFEST_PATTERNS = (
    "requirements*.txt",
    "requirements*.in",
    # a prefixed requirements file: dev-requirements.txt, benchmark_requirements.txt, test.requirements.in
    "*[-_.]requirements*.txt",
    "*[-_.]requirements*.in",
    "constraints*.txt",
    "pyproject.toml",
    "setup.cfg",
    "setup.py",
    "environment*.yml",
    "environment*.yaml",
    "conda.yml",
    "conda.yaml",
    "Pipfile",
    "Dockerfile",
    "Dockerfile.*",
    "*.Dockerfile",
    "*.dockerfile",
    "Containerfile",
    "Containerfile.*",
    # BentoML build files: their python.packages list is what the service image installs
    "bentofile*.yaml",
    "bentofile*.yml",
)
# Folders whose .txt/.in files are requirement files (``requirements/base.txt``).
REQUIREMENTS_FOLDERS = ("requirements", "reqs")


def is_manifest(name: str, folder_name: str = "") -> bool:
    if folder_name in REQUIREMENTS_FOLDERS and name.endswith((".txt", ".in")):
        return True
    return any(fnmatch.fnmatch(name, pattern) for pattern in MANIFEST_PATTERNS)

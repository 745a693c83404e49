"""Which files are ML code: the denominator of the ``ml-code`` debt ratio.

A module is ML code when it imports an ML framework (``knowledge.apis.ML_IMPORT_ROOTS``,
the same list the detectors use). ``core.scoring.is_ml_code`` adds the files an
ML rule reported on and notebooks. Imports are found with a line-anchored
regular expression over the text, so this needs no parse and reads a blob as
well as a file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from mldebtlint.core.types import CheckResult
from mldebtlint.knowledge.apis import ML_IMPORT_ROOTS

_ROOTS = "|".join(sorted((re.escape(root) for root in ML_IMPORT_ROOTS), key=len, reverse=True))
# ``import torch``, ``import os, torch as t``, ``from sklearn.linear_model import Ridge``
# (also inside a notebook's JSON source strings, after ``"`` or ``\n``).
_IMPORT = re.compile(
    rb'(?:^|\\n|")[ \t]*(?:from[ \t]+(?:' + _ROOTS.encode() + rb")\b|import[ \t]+(?:[\w.]+(?:[ \t]+as[ \t]+\w+)?"
    rb"[ \t]*,[ \t]*)*(?:" + _ROOTS.encode() + rb")\b)",
    re.MULTILINE,
)


def imports_ml(raw: bytes) -> bool:
    """True when the source (or notebook JSON) imports an ML framework at some line."""
    return _IMPORT.search(raw) is not None


def ml_paths_on_disk(result: CheckResult, open_path: Iterable[tuple[str, str]] | None = None) -> frozenset[str]:
    """The Python files of ``result`` (by display path) whose text imports an ML
    framework. ``open_path`` gives (display, path to read) pairs; by default the
    display path is read (it is relative to the current directory). An
    unreadable file is simply not ML code."""
    pairs = open_path if open_path is not None else ((f.path, f.path) for f in result.files if f.is_python)
    found = set()
    for display, path in pairs:
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
        except OSError:
            continue
        if imports_ml(raw):
            found.add(display)
    return frozenset(found)

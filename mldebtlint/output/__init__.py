"""Output formats for ``check``: one module per format, each with
``render(result: CheckResult) -> str``. Modules are imported lazily.

May import core ... adoption; never detectors, fixes, report or commands.
"""

from __future__ import annotations

import importlib

from mldebtlint.core.types import CheckResult

FORMATS = {
    "text": "text",
    "json": "json_format",
    "jsonl": "jsonl",
    "sarif": "sarif",
    "github": "github",
    "gitlab": "gitlab",
    "junit": "junit",
}


def render(name: str, result: CheckResult) -> str:
    module = importlib.import_module(f"{__name__}.{FORMATS[name]}")
    return module.render(result)

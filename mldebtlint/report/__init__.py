"""``mldebtlint report``: the debt audit a team lead reads.

``model.build_report`` turns a ``CheckResult`` into one JSON-ready dict; each
format module renders that dict with ``render(report) -> str``.

May import every layer below it (core ... output); never commands.
"""

from __future__ import annotations

import importlib
from typing import Any

FORMATS = {
    "text": "text",
    "markdown": "markdown",
    "json": "json_format",
    "html": "html",
}


def render(name: str, report: dict[str, Any]) -> str:
    module = importlib.import_module(f"{__name__}.{FORMATS[name]}")
    return module.render(report)

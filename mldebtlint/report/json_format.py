"""``report --format json``: the report dict, as documented in
``schemas/report.schema.json`` (and readable back by ``--compare``)."""

from __future__ import annotations

import json
from typing import Any


def render(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"

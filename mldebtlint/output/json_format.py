"""``--format json``: an array of finding objects (SPEC section 4)."""

from __future__ import annotations

import json

from mldebtlint.core.types import CheckResult


def render(result: CheckResult) -> str:
    return json.dumps([finding.to_dict() for finding in result.findings], indent=2) + "\n"

"""``--format jsonl``: one JSON object per line (streams well into log tools)."""

from __future__ import annotations

import json

from mldebtlint.core.types import CheckResult


def render(result: CheckResult) -> str:
    return "".join(json.dumps(finding.to_dict()) + "\n" for finding in result.findings)

"""A small ML project with known debt, shared by the cache/engine/parallel tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

from mldebtlint.core.config import Settings
from mldebtlint.core.types import CheckResult
from mldebtlint.engine.runner import RunOptions, run

TRAIN = """\
import torch
from torch.optim import Adam


def train(model, loader):
    optimizer = Adam(model.parameters(), lr=0.001, weight_decay=1e-4)
    for batch in loader:
        loss = model(batch)
        if loss < 0.05:
            break
    return model
"""

SERVE = """\
import numpy as np


def decide(model, features):
    proba = model.predict_proba(features)[:, 1]
    return np.where(proba > 0.7, 1, 0)
"""

CLEAN = '''\
LEARNING_RATE = 1e-3


def scale(values, factor):
    """Nothing to report here."""
    return [value * factor for value in values]
'''

SUPPRESSED = """\
def decide(model, features):
    proba = model.predict_proba(features)[:, 1]
    return proba > 0.9  # mldebtlint: ignore
"""


def write_project(root: Path, copies: int = 4) -> Path:
    """``copies`` packages of four modules each, a manifest and a broken file."""
    for index in range(copies):
        package = root / f"pkg{index}"
        package.mkdir(parents=True, exist_ok=True)
        (package / "__init__.py").write_text("")
        (package / "train.py").write_text(TRAIN + "\n# " + "padding " * index * 50 + "\n")
        (package / "serve.py").write_text(SERVE)
        (package / "utils.py").write_text(CLEAN)
        (package / "quiet.py").write_text(SUPPRESSED)
    (root / "broken.py").write_text("def oops(:\n    pass\n")
    (root / "requirements.txt").write_text("torch>=2.0\nnumpy==1.26.4\n")
    (root / "mldebtlint.toml").write_text(
        textwrap.dedent("""\
        select = ["ALL"]
    """)
    )
    return root


def check(
    root: Path,
    paths: list[Path] | None = None,
    cache: bool = False,
    jobs: int | None = None,
    cache_dir: Path | None = None,
) -> CheckResult:
    from mldebtlint.core.config import load_settings

    settings: Settings = load_settings(root)
    settings = settings.with_cli(jobs=jobs, cache_dir=str(cache_dir) if cache_dir else None)
    return run(RunOptions(paths=paths or [root], settings=settings, cache=cache))


def comparable(result: CheckResult) -> list[dict]:
    return [finding.to_dict() for finding in result.findings]

"""Corpora and peer tools for the benchmark: pinned, downloaded, never committed.

Everything lives under the bench home (default ``~/.cache/mldebtlint-bench``):
``wheels/`` (pinned wheels from PyPI), ``corpora/<name>/`` (their ``.py``
files plus an empty ``mldebtlint.toml`` marking the project root),
``corpora/<name>-sample<N>/`` (every N-th file, for the slowest peers) and
``peers/`` (a venv with the pinned peer linters).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

# Pinned so that figures are comparable between runs and machines.
CORPORA = {
    "lightning": {
        "requirement": "lightning==2.5.0",
        "package": "lightning",
        "changed": "lightning/pytorch/trainer/trainer.py",
    },
    "transformers": {
        "requirement": "transformers==4.46.3",
        "package": "transformers",
        "changed": "transformers/models/bert/modeling_bert.py",
    },
}
PEERS_FILE = Path(__file__).with_name("peers.txt")


def default_home() -> Path:
    return Path(os.environ.get("MLDEBTLINT_BENCH_HOME", Path.home() / ".cache" / "mldebtlint-bench"))


def _run(command: list[str]) -> None:
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        raise SystemExit(f"bench: command failed: {' '.join(command)}\n{completed.stderr[-2000:]}")


def peers_venv(home: Path) -> Path:
    """The venv with the pinned peers (created on first use)."""
    folder = home / "peers"
    python = folder / "bin" / "python"
    stamp = folder / "peers.txt"
    wanted = PEERS_FILE.read_text()
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return folder
    print(f"bench: installing peers into {folder}", file=sys.stderr)
    if not python.exists():
        venv.create(folder, with_pip=True)
    _run([str(python), "-m", "pip", "install", "-q", "-r", str(PEERS_FILE)])
    stamp.write_text(wanted)
    return folder


def corpus(home: Path, name: str) -> Path:
    """The unpacked corpus folder (downloaded and unpacked on first use)."""
    spec = CORPORA[name]
    target = home / "corpora" / name
    if (target / "mldebtlint.toml").exists():
        return target
    wheels = home / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    project, version = spec["requirement"].split("==")
    wheel = next(iter(wheels.glob(f"{project}-{version}-*.whl")), None)
    if wheel is None:
        print(f"bench: downloading {spec['requirement']}", file=sys.stderr)
        _run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--no-deps",
                "--only-binary=:all:",
                "-d",
                str(wheels),
                spec["requirement"],
            ]
        )
        wheel = next(wheels.glob(f"{project}-{version}-*.whl"))
    shutil.rmtree(target, ignore_errors=True)
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.namelist():
            if member.endswith(".py") and member.startswith(spec["package"] + "/"):
                archive.extract(member, target)
    # An empty config marks the project root, so that `check one_file.py`
    # sees the same root (and the same cache) as `check <corpus>`.
    (target / "mldebtlint.toml").write_text("")
    return target


def python_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*.py") if ".mldebtlint_cache" not in path.parts)


def sample(home: Path, name: str, every: int) -> Path:
    """A copy of every ``every``-th file of a corpus (sorted by path)."""
    source = corpus(home, name)
    target = home / "corpora" / f"{name}-sample{every}"
    if (target / "mldebtlint.toml").exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    for index, path in enumerate(python_files(source)):
        if index % every == 0:
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
    (target / "mldebtlint.toml").write_text("")
    return target


def count_lines(folder: Path) -> int:
    return sum(path.read_bytes().count(b"\n") for path in python_files(folder))


def notebook_corpus(home: Path, source_name: str = "lightning") -> Path:
    """The ``source_name`` corpus as Jupyter notebooks (nbformat 4, stdlib json only).

    Each ``.py`` file becomes one notebook: a markdown cell, then one code cell
    per top-level block (split at blank lines before ``def``/``class``/``@``),
    and every 10th notebook carries a 2 MB base64 image output, as executed
    data-science notebooks do. ``big/big.ipynb`` (its own project root) holds 50 MB of outputs around a
    few code cells (reading it once is the floor for linting it).
    """
    import base64
    import json

    source = corpus(home, source_name)
    target = home / "corpora" / f"{source_name}-notebooks"
    if (target / "mldebtlint.toml").exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    image = base64.b64encode(os.urandom(1_500_000)).decode("ascii")

    def cell(kind: str, text: str, outputs: list | None = None) -> dict:
        lines = text.splitlines(keepends=True)
        if kind == "markdown":
            return {"cell_type": "markdown", "metadata": {}, "source": lines}
        return {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": outputs or [], "source": lines}

    def blocks(text: str) -> list[str]:
        out, current = [], []
        for line in text.splitlines(keepends=True):
            if current and line.startswith(("def ", "class ", "@", "async def ")) and not current[-1].strip():
                out.append("".join(current).rstrip("\n") + "\n")
                current = []
            current.append(line)
        if current:
            out.append("".join(current))
        return [block for block in out if block.strip()]

    picture = [
        {"output_type": "display_data", "data": {"image/png": image, "text/plain": ["<Figure>"]}, "metadata": {}}
    ]
    for index, path in enumerate(python_files(source)):
        text = path.read_text(encoding="utf-8", errors="replace")
        cells = [cell("markdown", f"# {path.stem}\n")]
        for number, block in enumerate(blocks(text)):
            cells.append(cell("code", block, picture if index % 10 == 0 and number == 0 else None))
        notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        destination = (target / path.relative_to(source)).with_suffix(".ipynb")
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    big_cells = [cell("markdown", "# plots\n")]
    for number in range(25):
        big_cells.append(cell("code", f"plot_{number} = make_plot({number})\n", picture))
    big = {"cells": big_cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    # Its own project root: linting it alone must not pull in the corpus's facts.
    (target / "big").mkdir()
    (target / "big" / "big.ipynb").write_text(json.dumps(big, indent=1), encoding="utf-8")
    (target / "big" / "mldebtlint.toml").write_text("")
    # The same code cells without outputs: the difference is what the outputs cost.
    (target / "bare").mkdir()
    for item in big_cells:
        if item["cell_type"] == "code":
            item["outputs"] = []
    (target / "bare" / "bare.ipynb").write_text(json.dumps(big, indent=1), encoding="utf-8")
    (target / "bare" / "mldebtlint.toml").write_text("")
    (target / "mldebtlint.toml").write_text("")
    return target

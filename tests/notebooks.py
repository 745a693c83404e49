"""Helpers for notebook tests: write ``.ipynb`` files the way Jupyter does."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path


def source_list(text: str) -> list[str]:
    lines = textwrap.dedent(text).strip("\n").split("\n")
    return [line + "\n" for line in lines[:-1]] + [lines[-1]]


def code(text: str, count: int | None = None, outputs: list | None = None, **extra) -> dict:
    cell = {"cell_type": "code", "execution_count": count, "metadata": {}, "outputs": outputs or []}
    cell.update(extra)
    cell["source"] = source_list(text)
    return cell


def markdown(text: str, **extra) -> dict:
    cell = {"cell_type": "markdown", "metadata": {}, **extra}
    cell["source"] = source_list(text)
    return cell


def notebook(cells: list[dict], language: str = "python", minor: int = 5) -> dict:
    metadata = {
        "kernelspec": {"display_name": language, "language": language, "name": language},
        "language_info": {"name": language},
    }
    return {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": minor}


def dumps(document: dict) -> str:
    """nbformat's layout: indent 1, sorted keys, non-ASCII kept, a trailing newline."""
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write_notebook(path: Path, cells: list[dict], **options) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(notebook(cells, **options)), encoding="utf-8")
    return path


def image_output(size: int) -> dict:
    """A display_data output holding ``size`` characters of base64 'PNG'."""
    return {
        "data": {"image/png": "iVBORw0KGgo" + "A" * size + "\n", "text/plain": ["<Figure size 640x480 with 1 Axes>"]},
        "metadata": {},
        "output_type": "display_data",
    }

"""Calibrate the report's debt ratio and rating on real repositories.

    python bench/calibrate.py --apps /tmp/apps [--libs /tmp/libs] [--out /tmp/calibration.json]

For every folder under ``--apps`` (the real-application corpus, bench/APPS.md)
and ``--libs`` (unpacked pip libraries: ``pip download --no-deps NAME`` then
unzip, never committed) it runs ``mldebtlint report DIR --format json
--no-cache`` once with each ratio model (``--ratio sqale`` and ``--ratio
ml-code``) and prints, per repository, the debt, the lines, the lines of ML
code, both ratios and both ratings, then the rating distribution of each
model and the quantiles of the ml-code ratio over the applications (the data
the ml-code boundaries in ``mldebtlint/core/scoring.py`` were chosen from; see
README, "Calibration"). Run it with the Python that has mldebtlint installed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path

MODELS = ("sqale", "ml-code")


def report(folder: Path, model: str) -> dict:
    command = [sys.executable, "-m", "mldebtlint", "report", str(folder), "--format", "json", "--no-cache"]
    done = subprocess.run([*command, "--ratio", model], capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1) or not done.stdout:
        raise SystemExit(f"calibrate: {folder}: exit {done.returncode}: {done.stderr[-500:]}")
    return json.loads(done.stdout)


def measure(folders: list[tuple[str, Path]]) -> list[dict]:
    rows = []
    for kind, folder in folders:
        row: dict = {"name": folder.name, "kind": kind}
        for model in MODELS:
            summary = report(folder, model)["summary"]
            row.update(debt=summary["debt_minutes"], lines=summary["lines"], ml_lines=summary.get("ml_lines", 0))
            row[model] = {"ratio": summary["debt_ratio"], "rating": summary["rating"]}
        rows.append(row)
        print(f"  measured {kind} {folder.name}", file=sys.stderr)
    return rows


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.3f}%"


def render(rows: list[dict]) -> str:
    lines = [
        "| repository | kind | debt min | lines | ML lines | ratio (sqale) | rating | ratio (ml-code) | rating |",
        "|---|---|---:|---:|---:|---:|:-:|---:|:-:|",
    ]
    for row in sorted(rows, key=lambda r: (r["kind"], -(r["ml-code"]["ratio"] or 0), r["name"])):
        lines.append(
            f"| {row['name']} | {row['kind']} | {row['debt']} | {row['lines']} | {row['ml_lines']} | "
            f"{percent(row['sqale']['ratio'])} | {row['sqale']['rating']} | "
            f"{percent(row['ml-code']['ratio'])} | {row['ml-code']['rating']} |"
        )
    lines.append("")
    for kind in sorted({row["kind"] for row in rows}):
        for model in MODELS:
            counts = Counter(row[model]["rating"] for row in rows if row["kind"] == kind)
            spread = "  ".join(f"{letter} {counts.get(letter, 0)}" for letter in "ABCDE")
            lines.append(f"{kind:5} {model:8} {spread}")
    ratios = sorted(row["ml-code"]["ratio"] or 0 for row in rows if row["kind"] == "app")
    if len(ratios) >= 5:
        cuts = statistics.quantiles(ratios, n=5, method="inclusive")
        lines.append("app ml-code ratio quintiles: " + ", ".join(percent(cut) for cut in cuts))
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=Path, required=True, help="folder of unpacked applications")
    parser.add_argument("--libs", type=Path, help="folder of unpacked libraries")
    parser.add_argument("--out", type=Path, help="also write the measurements as JSON here")
    args = parser.parse_args()
    folders = [("app", folder) for folder in sorted(args.apps.iterdir()) if folder.is_dir()]
    if args.libs is not None:
        folders += [("lib", folder) for folder in sorted(args.libs.iterdir()) if folder.is_dir()]
    rows = measure(folders)
    if args.out is not None:
        args.out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    print(render(rows), end="")


if __name__ == "__main__":
    main()

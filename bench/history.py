"""Time ``report --history`` against a cold ``check`` of the same repository, in
one run, and check the history against ``report`` on checkouts of sampled commits.

    python bench/history.py REPO [--max-commits 100] [--repeat 3] [--samples 3]
    python bench/run.py --history-repo REPO ...      # the same, from the bench harness

REPO is a git clone with at least ``--max-commits`` first-parent commits (e.g.
``git clone /work/.mirror/DataTalksClub+mlops-zoomcamp/repo /tmp/mz`` after
``fetch github:DataTalksClub/mlops-zoomcamp``; never inside this repository).
Each figure is the median of ``--repeat`` runs of ``python -m mldebtlint``:
``check --no-cache --exit-zero`` (HEAD's files, all cores) and ``report
--history --max-commits N --format json``. Then ``--samples`` commits spread
over the range are written out blob by blob into a temporary folder (as
``bench/apps.py unpack`` does) and ``report --format json --no-cache`` is compared with the history's
row for that commit (debt, ratio, rating, findings, lines, per category and
rule). The target (issue 16): history wall time <= 3 x cold check.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from apps import extract_present_blobs  # noqa: E402  (bench/ is not a package)

LIMIT = 3.0


def timed(command: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"bench: exit {done.returncode}: {' '.join(command)}\n{done.stderr[-800:]}")
    return wall, done.stdout


def compare(row: dict, report: dict) -> list[str]:
    summary = report["summary"]
    pairs = {
        "debt_minutes": (row["debt_minutes"], summary["debt_minutes"]),
        "debt_ratio": (row["debt_ratio"], summary["debt_ratio"]),
        "rating": (row["rating"], summary["rating"]),
        "findings": (row["findings"], summary["findings"]),
        "lines": (row["lines"], summary["lines"]),
        "categories": (row["categories"], {c["category"]: c["debt_minutes"] for c in report["categories"]}),
        "rules": (row["rules"], {r["code"]: r["debt_minutes"] for r in report["rules"]}),
    }
    return [f"{key}: history {a!r} != report {b!r}" for key, (a, b) in pairs.items() if a != b]


def sample_check(python: str, repo: Path, rows: list[dict], samples: int) -> list[str]:
    lines = []
    picks = sorted({round(index * (len(rows) - 1) / max(1, samples - 1)) for index in range(samples)})
    with tempfile.TemporaryDirectory(prefix="mldebtlint-history-bench-") as scratch:
        for index in picks:
            row = rows[index]
            checkout = Path(scratch) / row["short"]
            checkout.mkdir()
            # The commit's files written out blob by blob (a snapshot clone may lack its
            # largest blobs, which stops 'git worktree add'; those are skipped, as in
            # the history, which counts them as missing).
            extract_present_blobs(repo / ".git", row["commit"], checkout)
            (checkout / "mldebtlint.toml").write_text("", encoding="utf-8")  # the checkout is its own root
            _, out = timed([python, "-m", "mldebtlint", "report", ".", "--format", "json", "--no-cache"], checkout)
            problems = compare(row, json.loads(out))
            verdict = "match" if not problems else "DIFFER: " + "; ".join(problems)
            lines.append(
                f"- [{'x' if not problems else ' '}] commit {row['short']} ({row['date'][:10]}, #{index + 1} of "
                f"{len(rows)}): rating {row['rating']}, debt {row['debt_minutes']} min, ratio {row['debt_ratio']}: {verdict}"
            )
    return lines


def run(python: str, repo: Path, max_commits: int, repeat: int, samples: int) -> str:
    check = [python, "-m", "mldebtlint", "check", ".", "--no-cache", "--exit-zero", "-q", "--format", "json"]
    history = [python, "-m", "mldebtlint", "report", ".", "--history", "--max-commits", str(max_commits)]
    history += ["--format", "json"]
    checks, histories, out = [], [], ""
    for _ in range(repeat):
        checks.append(timed(check, repo)[0])
        wall, out = timed(history, repo)
        histories.append(wall)
        print(f"  check {checks[-1]:.2f} s, history {histories[-1]:.2f} s", file=sys.stderr)
    data = json.loads(out)
    cold, walk = statistics.median(checks), statistics.median(histories)
    commits = data["stats"]["commits"]
    first, last = data["commits"][0], data["commits"][-1]
    lines = [
        f"History of `{repo}` (medians of {repeat} runs):",
        "",
        "| scenario | wall s |",
        "|---|---:|",
        f"| `check --no-cache` (HEAD, cold) | {cold:.2f} |",
        f"| `report --history --max-commits {max_commits}` ({commits} commits, "
        f"{data['stats']['blobs_analysed']} blobs analysed) | {walk:.2f} |",
        "",
        f"Series: rating {first['rating']} -> {last['rating']}, debt {first['debt_minutes']} -> "
        f"{last['debt_minutes']} min; notes: {'; '.join(data['notes']) or 'none'}.",
        "",
        f"- [{'x' if walk <= LIMIT * cold else ' '}] history / cold check = {walk / cold:.2f} (<= {LIMIT:g})",
        f"- [{'x' if commits >= min(100, max_commits) else ' '}] commits walked: {commits}",
    ]
    lines += sample_check(python, repo, data["commits"], samples)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--max-commits", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument("--python", default=sys.executable, help="the Python that has mldebtlint installed")
    args = parser.parse_args(argv)
    print(run(args.python, args.repo.resolve(), args.max_commits, args.repeat, args.samples), end="")


if __name__ == "__main__":
    main()

"""The real-ML-application corpus: unpack pinned apps, run mldebtlint on them, score against labels.

Stdlib only (Python 3.11+). The apps themselves are never committed: ``bench/apps.toml``
pins each one (repo + commit) and the source is extracted from a local bare git mirror
(brought in beforehand, one ``fetch github:owner/name`` per app) into a folder outside
the repository.

    python bench/apps.py unpack --dest /tmp/apps [--mirror-root /work/.mirror]
    python bench/apps.py run    --dest /tmp/apps --out /tmp/apps-findings.json [--preview] [-- extra mldebtlint args]
    python bench/apps.py score  --labels bench/labels --findings /tmp/apps-findings.json [--json OUT]

See bench/APPS.md for the label schema and the recorded figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

import tomllib

HERE = Path(__file__).resolve().parent
DEFAULT_APPS = HERE / "apps.toml"
DEFAULT_LABELS = HERE / "labels"
DEFAULT_MIRROR_ROOT = Path(os.environ.get("MLDEBTLINT_MIRROR_ROOT", "/work/.mirror"))
REQUIRED_KEYS = ("name", "repo", "commit", "kind", "why")


# --------------------------------------------------------------------------- apps.toml


def load_apps(path: Path) -> list[dict]:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    apps = data.get("app", [])
    seen: set[str] = set()
    for app in apps:
        missing = [key for key in REQUIRED_KEYS if key not in app]
        if missing:
            raise SystemExit(f"apps: {path}: app {app.get('name', '?')} lacks {', '.join(missing)}")
        if len(app["commit"]) != 40 or any(c not in "0123456789abcdef" for c in app["commit"]):
            raise SystemExit(f"apps: {path}: app {app['name']}: commit must be 40 lowercase hex digits")
        if app["name"] in seen:
            raise SystemExit(f"apps: {path}: duplicate app name {app['name']}")
        seen.add(app["name"])
    return apps


def select(apps: list[dict], names: list[str] | None) -> list[dict]:
    if not names:
        return apps
    known = {app["name"] for app in apps}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise SystemExit(f"apps: unknown app(s): {', '.join(unknown)}")
    return [app for app in apps if app["name"] in names]


# --------------------------------------------------------------------------- unpack


def _is_git_dir(path: Path) -> bool:
    return (path / "HEAD").is_file() and (path / "objects").is_dir()


def find_git_dir(mirror_root: Path, repo: str) -> Path | None:
    """The git directory of the mirror of ``owner/name``: a folder under the root whose name
    starts with ``owner+name``; the git directory is that folder, or one below it
    (``repo``, ``repo/.git``, ``.git``, ...)."""
    if not mirror_root.is_dir():
        return None
    prefix = repo.replace("/", "+")
    candidates = sorted(
        (entry for entry in mirror_root.iterdir() if entry.is_dir() and entry.name.startswith(prefix)),
        # an exact "owner+name" beats "owner+name-fork"
        key=lambda entry: (entry.name != prefix, len(entry.name), entry.name),
    )
    for folder in candidates:
        if folder.name != prefix and folder.name[len(prefix)] not in "@+._":
            continue  # owner+name2 is another repository
        for sub in (folder, folder / "repo", folder / "repo" / ".git", folder / ".git", folder / "repo.git"):
            if _is_git_dir(sub):
                return sub
        for sub in sorted(folder.rglob("HEAD")):
            if _is_git_dir(sub.parent):
                return sub.parent
    return None


def _git(git_dir: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(["git", f"--git-dir={git_dir}", *args], **kwargs)


def extract_present_blobs(git_dir: Path, commit: str, target: Path) -> list[str]:
    """Write every file of ``commit`` whose blob the mirror has; return the skipped paths."""
    listing = _git(git_dir, "ls-tree", "-r", "-z", commit, capture_output=True, check=True).stdout
    entries = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, kind, sha = meta.split()
        if kind == b"blob":
            entries.append((mode.decode(), sha.decode(), path.decode("utf-8", "surrogateescape")))
    batch = subprocess.Popen(
        ["git", f"--git-dir={git_dir}", "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    skipped = []
    try:
        for mode, sha, path in entries:
            batch.stdin.write(sha.encode() + b"\n")
            batch.stdin.flush()
            header = batch.stdout.readline().split()
            if len(header) < 3 or header[1] == b"missing":
                skipped.append(path)
                continue
            data = batch.stdout.read(int(header[2]))
            batch.stdout.read(1)  # the newline after the content
            out = target / path
            if not out.resolve().is_relative_to(target.resolve()):
                skipped.append(path)
                continue
            out.parent.mkdir(parents=True, exist_ok=True)
            if mode == "120000":
                continue  # symlinks are not needed for linting
            out.write_bytes(data)
            if mode == "100755":
                out.chmod(0o755)
    finally:
        batch.stdin.close()
        batch.wait()
    return skipped


def unpack_one(app: dict, git_dir: Path, dest: Path) -> str:
    target = dest / app["name"]
    if target.exists():
        return "present"
    has = _git(git_dir, "cat-file", "-e", f"{app['commit']}^{{commit}}", capture_output=True)
    if has.returncode != 0:
        head = _git(git_dir, "rev-parse", "HEAD", capture_output=True, text=True).stdout.strip()
        return f"commit {app['commit'][:12]} not in mirror (its HEAD is {head[:12]}); fetch again or update apps.toml"
    staging = Path(tempfile.mkdtemp(prefix=f".{app['name']}-", dir=dest))
    staging.chmod(0o755)
    try:
        archive = subprocess.Popen(
            ["git", f"--git-dir={git_dir}", "archive", app["commit"]], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        tar = subprocess.run(["tar", "-x", "-C", str(staging)], stdin=archive.stdout, capture_output=True)
        archive.stdout.close()
        if archive.wait() != 0 or tar.returncode != 0:
            # Snapshots may lack their largest files (git archive then stops at the first
            # absent blob): extract blob by blob and skip the absent ones.
            shutil.rmtree(staging)
            staging.mkdir()
            skipped = extract_present_blobs(git_dir, app["commit"], staging)
            note = f" ({len(skipped)} absent blob(s) skipped, e.g. {skipped[0]})" if skipped else ""
        else:
            note = ""
        # Marks the app root so mldebtlint treats it as its own project, not part of /tmp.
        marker = staging / "mldebtlint.toml"
        if not marker.exists():
            marker.write_text("# app root for bench/apps.py\n")
        staging.rename(target)
        staging = None
        return "unpacked" + note
    finally:
        if staging is not None and staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def cmd_unpack(args: argparse.Namespace) -> int:
    apps = select(load_apps(args.apps), args.only)
    args.dest.mkdir(parents=True, exist_ok=True)
    missing = 0
    for app in apps:
        git_dir = find_git_dir(args.mirror_root, app["repo"])
        if git_dir is None:
            missing += 1
            print(f"{app['name']:32} MISSING mirror under {args.mirror_root}: fetch github:{app['repo']} first")
            continue
        status = unpack_one(app, git_dir, args.dest)
        if not status.startswith(("present", "unpacked")):
            missing += 1
        print(f"{app['name']:32} {status}  ({app['repo']}@{app['commit'][:12]})")
    print(f"{len(apps) - missing}/{len(apps)} apps in {args.dest}")
    return 1 if missing else 0


# --------------------------------------------------------------------------- run


def _mldebtlint() -> list[str]:
    exe = shutil.which("mldebtlint")
    sibling = Path(sys.executable).with_name("mldebtlint")
    if sibling.exists():
        return [str(sibling)]
    if exe:
        return [exe]
    return [sys.executable, "-m", "mldebtlint"]


def _relative(path: str, root: Path) -> str:
    candidate = Path(path)
    if not candidate.is_absolute():
        candidate = Path.cwd() / candidate
    try:
        return candidate.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path


def cmd_run(args: argparse.Namespace) -> int:
    apps = select(load_apps(args.apps), args.only)
    base = _mldebtlint()
    extra = list(args.extra)
    if extra and extra[0] == "--":
        extra = extra[1:]
    if args.preview:
        help_text = subprocess.run([*base, "check", "--help"], capture_output=True, text=True).stdout
        if "--preview" in help_text:
            extra = ["--preview", *extra]
        else:
            print("run: this mldebtlint has no --preview option; running without it", file=sys.stderr)
    combined: list[dict] = []
    failures = 0
    for app in apps:
        root = args.dest / app["name"]
        if not root.is_dir():
            failures += 1
            print(f"{app['name']:32} not unpacked: run `python bench/apps.py unpack --dest {args.dest}`")
            continue
        command = [*base, "check", str(root), "--no-cache", "--exit-zero", "--format", "json", *extra]
        completed = subprocess.run(command, capture_output=True, text=True)
        try:
            findings = json.loads(completed.stdout or "[]")
        except json.JSONDecodeError:
            failures += 1
            print(f"{app['name']:32} FAILED (exit {completed.returncode}): {completed.stderr.strip()[-400:]}")
            continue
        if completed.returncode != 0:
            failures += 1
            print(f"{app['name']:32} exit {completed.returncode}: {completed.stderr.strip()[-400:]}")
        for finding in findings:
            finding["path"] = _relative(finding.get("path", ""), root)
            combined.append({"app": app["name"], **finding})
        counts = Counter(finding["code"] for finding in findings)
        summary = " ".join(f"{code}={n}" for code, n in sorted(counts.items())) or "-"
        print(f"{app['name']:32} {len(findings):5} findings  {summary}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(combined, indent=1) + "\n")
    totals = Counter(finding["code"] for finding in combined)
    print(f"\n{len(combined)} findings in {len(apps)} apps -> {args.out}")
    for code, n in sorted(totals.items()):
        print(f"  {code} {n}")
    return 1 if failures else 0


# --------------------------------------------------------------------------- score


def _label_key(app: str, entry: dict) -> tuple:
    """The join key of a label or finding: (app, path, cell, line, code); cell is None outside notebooks."""
    cell = entry.get("cell")
    return (app, entry["path"], None if cell is None else int(cell), int(entry["line"]), entry["code"])


def load_labels(folder: Path, options: str = "") -> tuple[dict, list[dict], set[str]]:
    """``{(app, path, cell, line, code): label}`` of judged findings, the list of misses, and the
    apps whose label file says ``read_completely = true`` (every line read for misses).

    A finding label with ``options = "NAME"`` judges a finding reported only with
    non-default rule options (e.g. "loose": ``max-chain-length = 0``,
    ``report-explicit-loops = true``); it counts only when scoring with that NAME.
    """
    judged: dict[tuple, dict] = {}
    misses: list[dict] = []
    complete: set[str] = set()
    for file in sorted(folder.glob("*.toml")):
        with file.open("rb") as handle:
            data = tomllib.load(handle)
        default_app = data.get("app", file.stem)
        if data.get("read_completely") is True:
            complete.add(default_app)
        for entry in data.get("finding", []):
            app = entry.get("app", default_app)
            verdict = str(entry.get("verdict", "")).lower()
            if verdict not in ("true", "false"):
                raise SystemExit(f'score: {file}: finding {entry} needs verdict "true" or "false"')
            if entry.get("options", "") not in ("", options):
                continue
            judged[_label_key(app, entry)] = {**entry, "app": app, "verdict": verdict, "file": file.name}
        for entry in data.get("miss", []):
            misses.append({**entry, "app": entry.get("app", default_app), "file": file.name})
    return judged, misses, complete


def _find_label(judged: dict, key: tuple) -> tuple | None:
    """The label of a finding: an exact match, or for a notebook finding a label written
    without a cell (older labels); two findings of one rule on one line share one label."""
    if key in judged:
        return key
    if key[2] is not None:
        loose = (key[0], key[1], None, key[3], key[4])
        if loose in judged:
            return loose
    return None


def score(findings: list[dict], judged: dict, misses: list[dict]) -> dict[str, dict]:
    rows: dict[str, dict] = defaultdict(lambda: Counter())
    seen_keys: set[tuple] = set()
    for finding in findings:
        key = _find_label(judged, _label_key(finding["app"], finding))
        row = rows[finding["code"]]
        row["findings"] += 1
        if key is None:
            row["unlabelled"] += 1
        else:
            seen_keys.add(key)
            row["labelled"] += 1
            row[judged[key]["verdict"]] += 1
    stale = [label for key, label in judged.items() if key not in seen_keys]
    for label in stale:
        rows[label["code"]]["stale"] += 1
    for miss in misses:
        # below_threshold: real, but within the rule's default options (e.g. a 1-model chain
        # with max-chain-length 1); shown apart, not counted against recall.
        rows[miss["code"]]["below" if miss.get("below_threshold") else "misses"] += 1
    table = {}
    for code, row in rows.items():
        labelled = row["true"] + row["false"]
        precision = row["true"] / labelled if labelled else None
        recall = None
        if row["misses"]:
            recall = row["true"] / (row["true"] + row["misses"])
        counts = {
            key: row[key] for key in ("findings", "labelled", "true", "false", "unlabelled", "misses", "below", "stale")
        }
        table[code] = {**counts, "precision": precision, "recall": recall}
    return table


def complete_recall(findings: list[dict], judged: dict, misses: list[dict], complete: set[str]) -> dict[str, dict]:
    """Recall per rule over the completely read apps only: true findings there / (true + misses
    there). Unlabelled findings in those apps are counted apart (judge them: they may be true)."""
    rows: dict[str, Counter] = defaultdict(Counter)
    for finding in findings:
        if finding["app"] not in complete:
            continue
        key = _find_label(judged, _label_key(finding["app"], finding))
        row = rows[finding["code"]]
        if key is None:
            row["unlabelled"] += 1
        elif judged[key]["verdict"] == "true":
            row["true"] += 1
    for miss in misses:
        if miss["app"] in complete and not miss.get("below_threshold"):
            rows[miss["code"]]["misses"] += 1
    table = {}
    for code, row in rows.items():
        found_and_missed = row["true"] + row["misses"]
        recall = row["true"] / found_and_missed if found_and_missed else None
        table[code] = {"true": row["true"], "misses": row["misses"], "unlabelled": row["unlabelled"], "recall": recall}
    return table


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def cmd_score(args: argparse.Namespace) -> int:
    findings = json.loads(args.findings.read_text())
    judged, misses, complete = load_labels(args.labels, args.options)
    table = score(findings, judged, misses)
    header = (
        "rule",
        "findings",
        "labelled",
        "true",
        "false",
        "unlabelled",
        "precision",
        "misses",
        "recall",
        "below",
        "stale",
    )
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for code in sorted(table):
        row = table[code]
        print(
            f"| {code} | {row['findings']} | {row['labelled']} | {row['true']} | {row['false']} | "
            f"{row['unlabelled']} | {_pct(row['precision'])} | {row['misses']} | {_pct(row['recall'])} | "
            f"{row['below']} | {row['stale']} |"
        )
    print(
        "\nprecision = true / labelled; recall = true / (true + misses), only where misses are recorded "
        "(a lower bound on misses: only the fully-read apps were searched for them).\n"
        "below = misses marked below_threshold (real, but within the rule's default options).\n"
        "stale = labels whose finding is no longer reported (fixed, moved or line-shifted)."
    )
    recall_table = complete_recall(findings, judged, misses, complete)
    print(f"\nRecall over the {len(complete)} completely read apps ({', '.join(sorted(complete)) or 'none'}):\n")
    print("| rule | true | misses | recall | unlabelled |")
    print("|---|---|---|---|---|")
    empty = {"true": 0, "misses": 0, "unlabelled": 0, "recall": None}
    for code in sorted(set(table) | set(recall_table)):
        row = recall_table.get(code, empty)
        print(f"| {code} | {row['true']} | {row['misses']} | {_pct(row['recall'])} | {row['unlabelled']} |")
    print(
        "\nrecall = true / (true + misses) among findings and misses of those apps; '-' = no instance found or missed."
    )
    if args.json:
        payload = {**table, "recall_completely_read": {"apps": sorted(complete), "rules": recall_table}}
        args.json.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n")
    return 0


def sample_findings(findings: list[dict], code: str, n: int, seed: int) -> list[dict]:
    """The judging sample of one rule: all of them when at most n, else n drawn with a fixed seed
    from the findings sorted by (app, path, line)."""
    import random

    pool = sorted(
        (f for f in findings if f["code"] == code),
        key=lambda f: (f["app"], f["path"], int(f["line"]), int(f.get("column", 0))),
    )
    if len(pool) <= n:
        return pool
    picked = random.Random(seed).sample(pool, n)
    return sorted(picked, key=lambda f: (f["app"], f["path"], int(f["line"])))


def cmd_sample(args: argparse.Namespace) -> int:
    findings = json.loads(args.findings.read_text())
    for finding in sample_findings(findings, args.code, args.n, args.seed):
        source = args.dest / finding["app"] / finding["path"]
        text = ""
        if source.is_file():
            lines = source.read_text(errors="replace").splitlines()
            if 0 < int(finding["line"]) <= len(lines):
                text = lines[int(finding["line"]) - 1].strip()
        print(f"{finding['app']}:{finding['path']}:{finding['line']}: {finding['message']}\n    | {text[:160]}")
    return 0


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="apps.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", type=Path, default=DEFAULT_APPS, help="apps.toml (default: next to this script)")
    sub = parser.add_subparsers(dest="command", required=True)

    unpack = sub.add_parser("unpack", help="extract each pinned commit into DEST/NAME")
    unpack.add_argument("--dest", type=Path, required=True)
    unpack.add_argument(
        "--mirror-root",
        type=Path,
        default=DEFAULT_MIRROR_ROOT,
        help=f"where the bare mirrors are (default {DEFAULT_MIRROR_ROOT})",
    )
    unpack.add_argument("--only", nargs="*", help="only these app names")
    unpack.set_defaults(func=cmd_unpack)

    run = sub.add_parser("run", help="run mldebtlint check on each app, write one JSON list")
    run.add_argument("--dest", type=Path, required=True)
    run.add_argument("--out", type=Path, required=True)
    run.add_argument("--preview", action="store_true", help="pass --preview when mldebtlint supports it")
    run.add_argument("--only", nargs="*", help="only these app names")
    run.add_argument("extra", nargs=argparse.REMAINDER, help="-- extra mldebtlint check arguments")
    run.set_defaults(func=cmd_run)

    scoring = sub.add_parser("score", help="join findings with labels, print per-rule precision/recall")
    scoring.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    scoring.add_argument("--findings", type=Path, required=True)
    scoring.add_argument("--json", type=Path, help="also write the table as JSON here")
    scoring.add_argument(
        "--options",
        default="",
        help='also count labels recorded with options = "NAME" (a run with looser rule options)',
    )
    scoring.set_defaults(func=cmd_score)

    sampling = sub.add_parser("sample", help="print the fixed-seed judging sample of one rule with its source line")
    sampling.add_argument("--findings", type=Path, required=True)
    sampling.add_argument("--dest", type=Path, required=True, help="where the apps are unpacked")
    sampling.add_argument("--code", required=True)
    sampling.add_argument("--n", type=int, default=25)
    sampling.add_argument("--seed", type=int, default=0)
    sampling.set_defaults(func=cmd_sample)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())

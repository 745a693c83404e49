"""Race mldebtlint against Fixit, pylint, flake8, ruff and the libcst floors.

    python bench/run.py                      # both corpora, 3 repeats (~30-40 min)
    python bench/run.py --quick              # lightning only, 1 repeat (~3 min)
    python bench/run.py --corpus transformers --repeat 1
    python bench/run.py --baseline-rev 600599e --corpus lightning --apps /tmp/apps
                                             # A/B: cold CPU of another revision, same run

Run it with the Python that has mldebtlint installed. Corpora (pinned wheels
from PyPI) and the peers' venv live in ~/.cache/mldebtlint-bench (override
with --home or MLDEBTLINT_BENCH_HOME); nothing is written to the repository
except --output. Each figure is the median of --repeat runs; wall time, CPU
time (user+sys of the process and its children) and peak RSS (the largest
single process) come from os.wait4. The output is a markdown table for the
README plus a check of the issue's done-when targets.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus as corpora  # noqa: E402  (bench/ is not a package)

FLOOR = Path(__file__).with_name("floor.py")


@dataclass
class Row:
    label: str
    files: int
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)
    scale: int = 1  # a 1/N sample: times are multiplied by N
    note: str = ""

    @property
    def wall(self) -> float:
        return statistics.median(self.walls) * self.scale

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus) * self.scale


def timed(
    command: list[str], cwd: Path, stdout_path: str = os.devnull, env: dict[str, str] | None = None
) -> tuple[float, float, float, int]:
    """(wall s, cpu s, peak RSS MB, exit code) of one run of ``command``."""
    with open(stdout_path, "wb") as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in (0, 1):
            err.seek(0)
            tail = err.read().decode(errors="replace")[-800:]
            print(f"bench: warning: exit {process.returncode}: {' '.join(command)}\n{tail}", file=sys.stderr)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, process.returncode


def sample_into(row: Row, command: list[str], cwd: Path, stdout_path: str = os.devnull) -> None:
    wall, cpu, rss, _ = timed(command, cwd, stdout_path)
    row.walls.append(wall)
    row.cpus.append(cpu)
    row.rss.append(rss)
    print(f"  {row.label}: {wall:.2f} s wall, {cpu:.2f} s cpu, {rss:.0f} MB", file=sys.stderr)


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.home = Path(args.home).expanduser()
        self.peers = corpora.peers_venv(self.home) / "bin"
        self.mld = [args.python, "-m", "mldebtlint", "check", "--exit-zero", "-q", "--format", "json"]
        self.work = Path(tempfile.mkdtemp(prefix="mldebtlint-bench-"))
        if not args.live:
            self.snapshot()
        self.problems: list[str] = []

    def snapshot(self) -> None:
        """Run a frozen copy of mldebtlint and its catalog, so edits made while the
        bench runs (a cache key covers mldebtlint's own code) cannot skew it."""
        where = subprocess.run(
            [self.args.python, "-c", "import mldebtlint; print(mldebtlint.__file__)"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        package = Path(where).parent
        target = self.work / "snapshot"
        shutil.copytree(package, target / "mldebtlint", ignore=shutil.ignore_patterns("__pycache__"))
        if (package.parent / "rules").is_dir() and not (package / "_catalog").is_dir():
            shutil.copytree(package.parent / "rules", target / "rules")
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(target), os.environ.get("PYTHONPATH")]))

    def mldebtlint(self, *extra: str, output: str) -> list[str]:
        return [*self.mld, "-o", str(self.work / output), *extra]

    def peer_commands(self, folder: Path) -> dict[str, list[str]]:
        peers = self.peers
        return {
            "Fixit 2 (default rules)": [str(peers / "fixit"), "lint", str(folder)],
            "pylint -j 2": [str(peers / "pylint"), "-j", "2", "--recursive=y", "--exit-zero", str(folder)],
            "flake8 -j 2": [str(peers / "flake8"), "-j", "2", "--exit-zero", str(folder)],
            "ruff --select ALL --no-cache": [
                str(peers / "ruff"),
                "check",
                "--select",
                "ALL",
                "--no-cache",
                "--exit-zero",
                "-q",
                str(folder),
            ],
            "libcst parse floor (2 procs)": [self.args.python, str(FLOOR), "parse", str(folder), "--jobs", "2"],
            "libcst parse+walk floor (2 procs)": [self.args.python, str(FLOOR), "walk", str(folder), "--jobs", "2"],
        }

    def run_corpus(self, name: str) -> list[Row]:
        folder = corpora.corpus(self.home, name)
        files = len(corpora.python_files(folder))
        print(f"bench: {name}: {files} files, {corpora.count_lines(folder)} lines", file=sys.stderr)
        rows = self.mldebtlint_rows(name, folder, files)
        every = self.args.sample_every if name == "transformers" else 1
        sample = corpora.sample(self.home, name, every) if every > 1 else folder
        sample_files = len(corpora.python_files(sample))
        for label, command in self.peer_commands(folder).items():
            slow = label.startswith(("Fixit", "pylint"))
            if self.args.skip_peers and not label.startswith("libcst"):
                continue
            if slow and every > 1:
                row = Row(label, files, scale=every, note=f"1/{every} sample ({sample_files} files) x{every}")
                command = self.peer_commands(sample)[label]
            else:
                row = Row(label, files)
            for _ in range(self.args.repeat):
                sample_into(row, command, folder)
            rows.append(row)
        return rows

    def mldebtlint_rows(self, name: str, folder: Path, files: int) -> list[Row]:
        cache = self.work / f"cache-{name}"
        cold = Row("mldebtlint cold (--no-cache, 2 jobs)", files)
        serial = Row("mldebtlint cold --jobs 1", files)
        warm = Row("mldebtlint warm (no change)", files)
        changed = corpora.CORPORA[name]["changed"]
        one = Row(
            f"mldebtlint one changed file ({Path(changed).name})",
            1,
            note="`check <file>`, warm cache for the rest of the repo",
        )
        for _ in range(self.args.repeat):
            sample_into(cold, self.mldebtlint("--no-cache", "--jobs", "2", ".", output="cold2.json"), folder)
            sample_into(serial, self.mldebtlint("--no-cache", "--jobs", "1", ".", output="cold1.json"), folder)
        shutil.rmtree(cache, ignore_errors=True)
        timed(self.mldebtlint("--cache-dir", str(cache), ".", output="prime.json"), folder)
        for _ in range(self.args.repeat):
            sample_into(warm, self.mldebtlint("--cache-dir", str(cache), ".", output="warm.json"), folder)
        self.same_findings(name, ["cold2.json", "cold1.json", "prime.json", "warm.json"])
        self.one_file(name, folder, changed, cache, one)
        rows = [cold, serial, warm, one]
        server = self.server_one_file(name, folder, changed)
        if server is not None:
            rows.append(server)
        rows.append(self.ruff_cached(folder, files))
        return rows

    def notebook_rows(self) -> list[Row]:
        """Notebooks: the lightning corpus as .ipynb (cold and warm), and one
        notebook with 50 MB of outputs against the floor of reading it once."""
        folder = corpora.notebook_corpus(self.home)
        notebooks = sorted(path for path in folder.rglob("*.ipynb") if path.parent.name not in ("big", "bare"))
        cache = self.work / "cache-notebooks"
        cold = Row("mldebtlint notebooks cold (--no-cache, 2 jobs)", len(notebooks))
        warm = Row("mldebtlint notebooks warm (no change)", len(notebooks))
        big = Row("mldebtlint one notebook, 50 MB of outputs", 1)
        bare = Row("mldebtlint the same notebook without outputs", 1)
        floor = Row("python: read that notebook once (json.load)", 1, note="what the outputs may cost at most")
        read_once = [self.args.python, "-c", "import json,sys; json.load(open(sys.argv[1], 'rb'))", "big/big.ipynb"]
        for _ in range(self.args.repeat):
            sample_into(cold, self.mldebtlint("--no-cache", "--jobs", "2", ".", output="nb-cold.json"), folder)
        shutil.rmtree(cache, ignore_errors=True)
        timed(self.mldebtlint("--cache-dir", str(cache), ".", output="nb-prime.json"), folder)
        for _ in range(self.args.repeat):
            sample_into(warm, self.mldebtlint("--cache-dir", str(cache), ".", output="nb-warm.json"), folder)
            sample_into(big, self.mldebtlint("--no-cache", "big.ipynb", output="nb-big.json"), folder / "big")
            sample_into(bare, self.mldebtlint("--no-cache", "bare.ipynb", output="nb-bare.json"), folder / "bare")
            sample_into(floor, read_once, folder)  # reads big/big.ipynb
        self.same_findings("notebooks", ["nb-cold.json", "nb-prime.json", "nb-warm.json"])
        return [cold, warm, big, bare, floor]

    def ruff_cached(self, folder: Path, files: int) -> Row:
        """ruff's own warm run (its cache primed, nothing changed): the bar for our warm run."""
        ruff_cache = self.work / "ruff-cache"
        command = [
            str(self.peers / "ruff"),
            "check",
            "--select",
            "ALL",
            "--cache-dir",
            str(ruff_cache),
            "--exit-zero",
            "-q",
            ".",
        ]
        row = Row("ruff --select ALL, cached (no change)", files)
        timed(command, folder)
        for _ in range(self.args.repeat):
            sample_into(row, command, folder)
        return row

    def server_one_file(self, name: str, folder: Path, changed: str) -> Row | None:
        """`mldebtlint server`: time from didChange (a line inserted at the top) to its diagnostics."""
        try:
            from mldebtlint.server.client import LspClient
        except ImportError:
            return None
        row = Row("mldebtlint server, one changed file", 1, note="didChange to publishDiagnostics; RSS = server")
        target = folder / changed
        text = target.read_text(encoding="utf-8")
        # The server reads its settings from the project: point it at the cache the
        # CLI scenarios primed (an editor opens a project whose cache exists).
        config = folder / "mldebtlint.toml"
        saved_config = config.read_bytes()
        cache = (self.work / f"cache-{name}").resolve()
        config.write_bytes(saved_config + f"\ncache-dir = {json.dumps(str(cache))}\n".encode())
        client = LspClient(folder, [self.args.python, "-m", "mldebtlint", "server"], env=dict(os.environ))
        try:
            client.initialize(folder)
            uri = client.open(target, text)
            client.diagnostics(uri, timeout=1800)  # the first one pays for imports and the repo's facts
            for index in range(self.args.repeat):
                start = time.perf_counter()
                client.change(uri, index + 2, f"# bench edit {index}\n" + text)
                diagnostics = client.diagnostics(uri)
                row.walls.append(time.perf_counter() - start)
                row.cpus.append(_process_cpu(client.process.pid))
                row.rss.append(_process_peak_rss_mb(client.process.pid))
                print(f"  {row.label}: {row.walls[-1]:.2f} s, {len(diagnostics)} diagnostics", file=sys.stderr)
            self.same_as_cli(name, diagnostics)
            # Cumulative CPU of the process: report the per-edit share.
            row.cpus = [row.cpus[-1] / max(len(row.cpus), 1)] * len(row.cpus)
        finally:
            client.close()
            config.write_bytes(saved_config)
        return row

    def one_file(self, name: str, folder: Path, changed: str, cache: Path, row: Row) -> None:
        target = folder / changed
        original = target.read_bytes()
        try:
            for index in range(self.args.repeat):
                # A line inserted at the top: every position below it shifts.
                target.write_bytes(f"# bench edit {index} {time.time()}\n".encode() + original)
                sample_into(row, self.mldebtlint("--cache-dir", str(cache), changed, output="one.json"), folder)
            timed(self.mldebtlint("--no-cache", changed, output="one-nocache.json"), folder)
            self.same_findings(f"{name} one file", ["one.json", "one-nocache.json"])
        finally:
            target.write_bytes(original)

    def same_as_cli(self, name: str, diagnostics: list[dict]) -> None:
        """The server's diagnostics equal the CLI's one-file findings (same edit: one line on top)."""
        try:
            cli = json.loads((self.work / "one.json").read_text())
        except (OSError, ValueError):
            return
        expected = sorted((item["code"], item["line"], item["column"]) for item in cli)
        got = sorted(
            (item["code"], item["range"]["start"]["line"] + 1, item["range"]["start"]["character"] + 1)
            for item in diagnostics
        )
        if expected != got:
            self.problems.append(f"{name}: server diagnostics differ from the CLI's one-file findings")
        print(f"  server diagnostics identical to the CLI's: {expected == got} ({len(got)})", file=sys.stderr)

    def same_findings(self, what: str, outputs: list[str]) -> None:
        def load(output: str) -> list:
            try:
                data = json.loads((self.work / output).read_text())
            except (OSError, ValueError) as exc:
                return [f"unreadable: {exc}"]
            return sorted(json.dumps(item, sort_keys=True) for item in data)

        first = load(outputs[0])
        for other in outputs[1:]:
            if load(other) != first:
                self.problems.append(f"{what}: findings of {outputs[0]} and {other} differ")
        count = len(first)
        print(
            f"  findings identical across {', '.join(outputs)}: {count} findings"
            if not self.problems
            else f"  {self.problems[-1]}",
            file=sys.stderr,
        )


def _process_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _process_peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def table(name: str, rows: list[Row], lines: int) -> str:
    cold, cold_cpu = rows[0].wall, rows[0].cpu
    out = [
        f"**{name}** ({rows[0].files} files, {lines:,} lines)",
        "",
        "| tool / scenario | wall s | CPU s | peak RSS MB | files/s | mldebtlint cold ÷ this (wall) | (CPU) | note |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        rate = row.files / row.wall if row.wall else 0
        digits = 0 if rate >= 10 else 1
        out.append(
            f"| {row.label} | {row.wall:.2f} | {row.cpu:.2f} | {max(row.rss):.0f} | {rate:,.{digits}f} "
            f"| {cold / row.wall:.2f} | {cold_cpu / row.cpu:.2f} | {row.note} |"
        )
    return "\n".join(out)


def targets(name: str, rows: list[Row]) -> list[str]:
    wall = {row.label: row.wall for row in rows}
    cpu = {row.label: row.cpu for row in rows}
    cold_label = "mldebtlint cold (--no-cache, 2 jobs)"
    checks = []

    def ratio(text: str, numerator: str, denominator: str, limit: float, at_most: bool) -> None:
        if numerator not in wall or denominator not in wall:
            return
        by_wall, by_cpu = wall[numerator] / wall[denominator], cpu[numerator] / cpu[denominator]
        ok = by_wall <= limit if at_most else by_wall >= limit
        checks.append(f"- [{'x' if ok else ' '}] {name}: {text}: {by_wall:.2f} by wall time ({by_cpu:.2f} by CPU time)")

    def value(text: str, measured: float, ok: bool) -> None:
        checks.append(f"- [{'x' if ok else ' '}] {name}: {text}: {measured:.2f}")

    for row in rows:
        if row.label.startswith("mldebtlint"):
            value(f"{row.label}: peak RSS MB <= 150", max(row.rss), max(row.rss) <= 150)
    if name == "notebooks":
        extra = cpu["mldebtlint one notebook, 50 MB of outputs"] - cpu["mldebtlint the same notebook without outputs"]
        once = cpu["python: read that notebook once (json.load)"]
        value("CPU s the 50 MB of outputs add, at most 2x reading the file once", extra, extra <= 2 * once)
    if name == "lightning":
        ratio("cold / parse+walk floor <= 1.10", cold_label, "libcst parse+walk floor (2 procs)", 1.10, True)
        ratio("Fixit / cold >= 5", "Fixit 2 (default rules)", cold_label, 5, False)
        ratio("pylint -j2 / cold >= 4", "pylint -j 2", cold_label, 4, False)
        serial = wall["mldebtlint cold --jobs 1"] / wall[cold_label]
        value("--jobs 1 / --jobs 2 wall >= 1.7", serial, serial >= 1.7)
    if name == "transformers":
        rss = max(rows[0].rss)
        value("cold peak RSS MB < 600", rss, rss < 600)
        warm = wall["mldebtlint warm (no change)"]
        value("warm no-change wall s <= 0.3", warm, warm <= 0.3)
        ratio(
            "warm / ruff cached <= 0.15",
            "mldebtlint warm (no change)",
            "ruff --select ALL, cached (no change)",
            0.15,
            True,
        )
        one = next(value for label, value in wall.items() if label.startswith("mldebtlint one changed file"))
        server = wall.get("mldebtlint server, one changed file")
        if one <= 0.6:
            value("one changed file (CLI) wall s <= 0.6", one, True)
        else:
            value("one changed file (CLI) wall s <= 1.0 (server <= 0.6)", one, one <= 1.0)
            if server is not None:
                value("one changed file (server) wall s <= 0.6", server, server <= 0.6)
    return checks


def environment(python: str) -> str:
    rules = subprocess.run([python, "-m", "mldebtlint", "rules", "--format", "json"], capture_output=True, text=True)
    try:
        codes = [rule["code"] for rule in json.loads(rules.stdout) if rule.get("default_enabled")]
    except ValueError:
        codes = ["?"]
    version = subprocess.run([python, "-m", "mldebtlint", "--version"], capture_output=True, text=True).stdout.strip()
    return (
        f"{version}; rules enabled (defaults): {', '.join(codes)}; peers: "
        f"{', '.join(pin for pin in corpora.PEERS_FILE.read_text().split() if '==' in pin)}; "
        f"Python {platform.python_version()}, {os.cpu_count()} cores, load average at start "
        f"{os.getloadavg()[0]:.1f}, "
        f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC"
    )


# --------------------------------------------------------------------------- A/B


def baseline_tree(args: argparse.Namespace, work: Path) -> Path:
    """The baseline's ``mldebtlint`` package and ``rules`` catalog: ``--baseline-tree``, or
    extracted from ``--baseline-rev`` of this repository (``git archive REV mldebtlint rules``)."""
    if args.baseline_tree:
        return Path(args.baseline_tree).resolve()
    target = work / "baseline"
    target.mkdir(parents=True)
    repo = Path(__file__).resolve().parent.parent
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", args.baseline_rev, "mldebtlint", "rules"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


def compare(args: argparse.Namespace, names: list[str]) -> str:
    """Cold runs (``--no-cache --jobs 2``, all default rules) of the baseline and of the
    current code, interleaved A, B, A, B... in one run, so that the load other work puts
    on the machine falls on both alike. CPU time (user+sys, children included) is the
    figure; wall time is shown but moves with the load. ``--apps DIR`` adds one row
    summing a cold check of every app folder in DIR."""
    bench = Bench(args)  # takes the frozen snapshot of the current code (unless --live)
    try:
        base = baseline_tree(args, bench.work)
        current = os.environ.get("PYTHONPATH", "")
        envs = {
            "baseline": {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(base), current]))},
            "current": {**os.environ, "PYTHONPATH": current},
        }
        command = [*bench.mld, "--no-cache", "--jobs", "2", *args.check_args.split()]
        targets: list[tuple[str, list[Path]]] = []
        for name in names:
            folder = corpora.notebook_corpus(bench.home) if name == "notebooks" else corpora.corpus(bench.home, name)
            targets.append((name, [folder]))
        if args.apps:
            apps = sorted(path for path in Path(args.apps).iterdir() if path.is_dir())
            targets.append((f"{len(apps)} apps ({args.apps})", apps))
        load_start = os.getloadavg()
        lines = [
            f"A/B cold CPU (`check --no-cache --jobs 2 {args.check_args or '(default rules)'}`), interleaved, "
            f"medians of {args.repeat}: "
            f"baseline `{args.baseline_rev or args.baseline_tree}` vs current. " + environment(args.python),
            "",
            "| corpus | baseline CPU s | current CPU s | current / baseline | baseline wall s | current wall s |",
            "|---|---|---|---|---|---|",
        ]
        for label, folders in targets:
            cpu: dict[str, list[float]] = {"baseline": [], "current": []}
            wall: dict[str, list[float]] = {"baseline": [], "current": []}
            for round_ in range(args.repeat):
                order = ("baseline", "current") if round_ % 2 == 0 else ("current", "baseline")
                for variant in order:
                    total_cpu = total_wall = 0.0
                    for folder in folders:
                        run_wall, run_cpu, _, _ = timed([*command, "."], folder, env=envs[variant])
                        total_cpu += run_cpu
                        total_wall += run_wall
                    cpu[variant].append(total_cpu)
                    wall[variant].append(total_wall)
                    print(f"  {label} {variant}: {total_cpu:.2f} s cpu, {total_wall:.2f} s wall", file=sys.stderr)
            a, b = statistics.median(cpu["baseline"]), statistics.median(cpu["current"])
            lines.append(
                f"| {label} | {a:.2f} | {b:.2f} | {b / a:.3f} | {statistics.median(wall['baseline']):.2f} | "
                f"{statistics.median(wall['current']):.2f} |"
            )
        load_end = os.getloadavg()
        lines += [
            "",
            f"Load average (1/5/15 min) at the start: {' / '.join(f'{x:.1f}' for x in load_start)}; "
            f"at the end: {' / '.join(f'{x:.1f}' for x in load_end)}.",
        ]
        return "\n".join(lines) + "\n"
    finally:
        shutil.rmtree(bench.work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", choices=("lightning", "transformers", "notebooks", "all"), default="all")
    parser.add_argument("--quick", action="store_true", help="lightning only, 1 repeat")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    parser.add_argument(
        "--sample-every",
        type=int,
        default=10,
        help="Fixit and pylint on transformers run on every N-th file, times x N",
    )
    parser.add_argument("--skip-peers", action="store_true", help="only mldebtlint and the libcst floors")
    parser.add_argument("--home", default=str(corpora.default_home()))
    parser.add_argument("--python", default=sys.executable, help="the Python that has mldebtlint installed")
    parser.add_argument("--output", help="also write the markdown to this file")
    parser.add_argument(
        "--live", action="store_true", help="run the installed mldebtlint itself, not a frozen copy taken at the start"
    )
    parser.add_argument(
        "--history-repo",
        help="time 'report --history' against a cold check of this git clone instead (bench/history.py)",
    )
    parser.add_argument(
        "--baseline-rev",
        help="A/B mode: time cold runs of this git revision's mldebtlint against the current code, interleaved",
    )
    parser.add_argument(
        "--baseline-tree", help="A/B mode with a folder holding the baseline's mldebtlint/ and rules/ instead"
    )
    parser.add_argument("--apps", help="A/B mode: also time every app folder under this directory (bench/APPS.md)")
    parser.add_argument(
        "--check-args", default="", help="A/B mode: extra arguments for both checks (e.g. '--ignore MLD401,MLD402')"
    )
    args = parser.parse_args()
    if args.baseline_rev or args.baseline_tree:
        names = ["lightning", "transformers"] if args.corpus == "all" else [args.corpus]
        text = compare(args, names)
        print(text)
        if args.output:
            Path(args.output).write_text(text)
        return
    if args.history_repo:
        import history

        history.main([args.history_repo, "--repeat", str(args.repeat), "--python", args.python])
        return
    if args.quick:
        args.corpus, args.repeat = "lightning", 1
    names = ["lightning", "transformers", "notebooks"] if args.corpus == "all" else [args.corpus]
    bench = Bench(args)
    parts = [
        f"Measured by `python bench/run.py {' '.join(sys.argv[1:])}` — medians of {args.repeat} run(s). "
        + environment(args.python),
        "",
    ]
    checks: list[str] = []
    try:
        for name in names:
            if name == "notebooks":
                rows = bench.notebook_rows()
                parts += [table("notebooks (lightning as .ipynb)", rows, 0), ""]
                checks += targets(name, rows)
                continue
            rows = bench.run_corpus(name)
            lines = corpora.count_lines(corpora.corpus(bench.home, name))
            parts += [table(name, rows, lines), ""]
            checks += targets(name, rows)
    finally:
        shutil.rmtree(bench.work, ignore_errors=True)
    parts += [f"Load average at the end: {os.getloadavg()[0]:.1f} (other work on the machine inflates wall times).", ""]
    parts += ["Done-when targets (issues 6 and 18):", "", *checks]
    parts += [
        f"- [{'x' if not bench.problems else ' '}] findings identical with/without cache and with 1/2 jobs"
        + "".join(f"; {problem}" for problem in bench.problems)
    ]
    text = "\n".join(parts) + "\n"
    print(text)
    if args.output:
        Path(args.output).write_text(text)


if __name__ == "__main__":
    main()

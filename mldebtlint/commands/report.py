"""``mldebtlint report``: the repo audit (rating, ratio, hotspots, priorities,
model graph, dependency health, trend) with CI gates."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import IO

import click

from mldebtlint.adoption.baseline import atomic_write_text
from mldebtlint.commands.cache import apply_cache_options, cache_options
from mldebtlint.commands.options import (
    check_paths,
    output_format_option,
    resolve_settings,
    selection_options,
    warn_run_problems,
)
from mldebtlint.core import scoring
from mldebtlint.engine.runner import RunOptions, run
from mldebtlint.report import FORMATS, render
from mldebtlint.report.model import DEFAULT_HOTSPOTS, DEFAULT_TOP_ITEMS, build_report

# Formats read by programs: never decorated with a progress bar.
MACHINE_FORMATS = frozenset({"json"})


class ProgressBar:
    """``[#####.....] 40/80 files`` on stderr, drawn only after ``delay`` seconds
    (fast runs stay silent) and only when the stream is a terminal."""

    def __init__(self, stream: IO[str], delay: float = 1.0, width: int = 30) -> None:
        self.stream = stream
        self.delay = delay
        self.width = width
        self.started = time.monotonic()
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        if time.monotonic() - self.started < self.delay or total <= 0:
            return
        filled = self.width * done // total
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r[{bar}] {done}/{total} files")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r" + " " * (self.width + 30) + "\r")
            self.stream.flush()


class CommitProgress(ProgressBar):
    """``[#####.....] 40/100 commits  6.1 commits/s`` for ``--history`` (first the
    blobs being analysed, then the commits being scored; the rate counts commits)."""

    def __call__(self, done: int, total: int, unit: str = "commits") -> None:
        elapsed = time.monotonic() - self.started
        if elapsed < self.delay or total <= 0:
            return
        filled = self.width * done // total
        bar = "#" * filled + "." * (self.width - filled)
        rate = f"{done / elapsed:.1f} {unit}/s"
        self.stream.write(f"\r[{bar}] {done}/{total} {unit}  {rate}   ")
        self.stream.flush()
        self.drawn = True


def want_progress(output_format: str, stream: IO[str]) -> bool:
    """Only on a terminal, never for machine formats, never in CI."""
    isatty = getattr(stream, "isatty", None)
    in_ci = bool(os.environ.get("CI"))
    return output_format not in MACHINE_FORMATS and bool(isatty and isatty()) and not in_ci


def gate_failures(report: dict, fail_under_rating: str | None, max_debt_ratio: float | None) -> list[str]:
    """One message per CI gate the report fails."""
    summary = report["summary"]
    failures = []
    if fail_under_rating and scoring.is_worse_rating(summary["rating"], fail_under_rating):
        failures.append(f"rating {summary['rating']} is worse than the required {fail_under_rating.upper()}")
    lines = summary.get("ratio_lines", summary["lines"])
    if max_debt_ratio is not None and scoring.exceeds_ratio(
        summary["debt_minutes"], lines, summary["minutes_per_line"], max_debt_ratio
    ):
        failures.append(
            f"debt ratio {scoring.format_ratio(summary['debt_ratio'])} is above the allowed "
            f"{scoring.format_ratio(max_debt_ratio)}"
        )
    return failures


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@selection_options
@output_format_option(list(FORMATS), "text")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to a file.")
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=DEFAULT_TOP_ITEMS,
    show_default=True,
    help="How many debt items to list, by priority.",
)
@click.option(
    "--hotspots",
    type=click.IntRange(min=0),
    default=DEFAULT_HOTSPOTS,
    show_default=True,
    help="How many hotspot files to list.",
)
@click.option(
    "--compare",
    "compare_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="An earlier 'report --format json' file: show the trend since then.",
)
@click.option(
    "--fail-under-rating",
    type=click.Choice(list(scoring.RATINGS), case_sensitive=False),
    help="Exit 1 when the repo's rating is worse than this letter.",
)
@click.option(
    "--max-debt-ratio",
    type=click.FloatRange(min=0, max=1),
    help="Exit 1 when the debt ratio is above this, a fraction in [0, 1] (0.1 = 10%).",
)
@click.option(
    "--ratio",
    "ratio_model",
    type=click.Choice(list(scoring.RATIO_MODELS)),
    help="Debt-ratio model (default: [tool.mldebtlint.score] ratio, else ml-code).",
)
@click.option(
    "--history",
    is_flag=True,
    help="Walk the first-parent commits of --branch and give the debt of each (from git objects; the work tree "
    "is never read).",
)
@click.option("--since", help="With --history: commits after this date (anything git log --since takes).")
@click.option("--max-commits", type=click.IntRange(min=1), help="With --history: at most this many commits, newest.")
@click.option("--branch", "branch", default="HEAD", show_default=True, help="With --history: the ref to walk.")
@cache_options
def report(
    paths,
    select,
    extend_select,
    ignore,
    config_file,
    jobs,
    verbose,
    preview,
    output_format,
    output,
    top,
    hotspots,
    compare_path,
    fail_under_rating,
    max_debt_ratio,
    ratio_model,
    history,
    since,
    max_commits,
    branch,
    **cache_flags,
) -> None:
    """Audit PATH (default: the current directory): debt ratio, rating A-E,
    debt by category and rule, hotspots, prioritised items, model graph,
    dependency health and, with --compare, the trend."""
    from mldebtlint.report.trend import load_previous

    path_list = check_paths(paths)
    settings = resolve_settings(path_list, config_file, select, extend_select, ignore, jobs, preview)
    settings, use_cache = apply_cache_options(settings, cache_flags)
    settings = settings.with_cli(ratio_model=ratio_model)
    if history:
        _history(path_list, settings, output_format, output, hotspots, since, max_commits, branch)
        return
    if since or max_commits or branch != "HEAD":
        raise click.UsageError("--since, --max-commits and --branch need --history")
    previous = load_previous(compare_path) if compare_path is not None else None
    progress = ProgressBar(sys.stderr) if want_progress(output_format, sys.stderr) else None
    try:
        options = RunOptions(paths=path_list, settings=settings, progress=progress, cache=use_cache)
        result = run(options)
    finally:
        if progress is not None:
            progress.close()
    warn_run_problems(result, options.warnings)
    target = " ".join(path.as_posix() for path in path_list)
    from mldebtlint.report.mlcode import ml_paths_on_disk

    data = build_report(
        result,
        settings,
        target=target,
        top=top,
        hotspots=hotspots,
        previous=previous,
        previous_label=compare_path.as_posix() if compare_path else "",
        ml_paths=ml_paths_on_disk(result),
    )
    text = render(output_format, data)
    if output is not None:
        try:
            atomic_write_text(output, text)
        except OSError as exc:
            raise click.ClickException(f"{output}: cannot write: {exc.strerror or exc}") from None
        summary = data["summary"]
        click.echo(
            f"mldebtlint: report written to {output} (rating {summary['rating']}, "
            f"debt ratio {scoring.format_ratio(summary['debt_ratio'])})",
            err=True,
        )
    else:
        click.echo(text, nl=False)
    failures = gate_failures(data, fail_under_rating, max_debt_ratio)
    for failure in failures:
        click.echo(f"mldebtlint: gate failed: {failure}", err=True)
    raise SystemExit(1 if failures else 0)


def _history(path_list, settings, output_format, output, hotspots, since, max_commits, branch) -> None:
    from mldebtlint.report.history import HistoryOptions, history
    from mldebtlint.report.history_render import render as render_history

    progress = CommitProgress(sys.stderr) if want_progress(output_format, sys.stderr) else None
    options = HistoryOptions(
        path=path_list[0],
        settings=settings,
        ref=branch,
        since=since,
        max_commits=max_commits,
        hotspots=hotspots,
        progress=progress,
    )
    try:
        data = history(options)
    finally:
        if progress is not None:
            progress.close()
    for note in data["notes"]:
        click.echo(f"mldebtlint: note: {note}", err=True)
    text = render_history(output_format, data)
    if output is None:
        click.echo(text, nl=False)
        raise SystemExit(0)
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"{output}: cannot write: {exc.strerror or exc}") from None
    click.echo(f"mldebtlint: history of {len(data['commits'])} commits written to {output}", err=True)
    raise SystemExit(0)

"""``mldebtlint baseline``: record today's findings so ``check`` reports only new ones."""

from __future__ import annotations

from pathlib import Path

import click

from mldebtlint.adoption.baseline import (
    DEFAULT_BASELINE,
    entries_for,
    load_baseline,
    scope_of,
    unchecked_summary,
    update_entries,
    write_baseline,
)
from mldebtlint.commands.cache import apply_cache_options, cache_options
from mldebtlint.commands.options import check_paths, resolve_settings, selection_options, warn_run_problems
from mldebtlint.core.config import Settings
from mldebtlint.engine.runner import RunOptions, rule_set, run


def default_baseline_path(settings: Settings) -> Path:
    """``baseline`` from config, else .mldebtlint-baseline.json in the project root."""
    if settings.baseline:
        return Path(settings.baseline)
    return Path(settings.root) / DEFAULT_BASELINE


@click.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@selection_options
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"Baseline file to write (default: 'baseline' from config, else {DEFAULT_BASELINE} in the project root).",
)
@click.option(
    "--update", is_flag=True, help="Drop findings that are fixed from the existing baseline; never add new ones."
)
@cache_options
def baseline(
    path, select, extend_select, ignore, config_file, jobs, verbose, preview, output, update, **cache_flags
) -> None:
    """Write a baseline of today's findings in PATH (default: the current directory)."""
    paths = check_paths((path,) if path is not None else ())
    settings = resolve_settings(paths, config_file, select, extend_select, ignore, jobs, preview)
    settings, use_cache = apply_cache_options(settings, cache_flags)
    target = output if output is not None else default_baseline_path(settings)
    previous = load_baseline(target) if update else []
    options = RunOptions(paths=paths, settings=settings, cache=use_cache)
    result = run(options)
    warn_run_problems(result, options.warnings)
    if update:
        scope = scope_of(result, rule_set(settings).codes, settings.root)
        entries = update_entries(previous, result.findings, scope)
        write_baseline(target, entries)
        dropped = len(previous) - len(entries)
        unchecked = scope.unchecked(entries)
        kept = f" ({len(unchecked)} not checked (parse error): {unchecked_summary(unchecked)})" if unchecked else ""
        click.echo(
            f"Updated baseline {target}: dropped {dropped} fixed finding{'s' * (dropped != 1)}, "
            f"{len(entries)} remain{kept}.",
            err=True,
        )
        return
    entries = entries_for(result.findings, settings.root)
    write_baseline(target, entries)
    click.echo(f"Wrote baseline of {len(entries)} finding{'s' * (len(entries) != 1)} to {target}.", err=True)

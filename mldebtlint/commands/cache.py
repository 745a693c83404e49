"""``mldebtlint cache``: manage the results cache; and check's cache options."""

from __future__ import annotations

from pathlib import Path

import click

from mldebtlint.core.config import Settings, load_settings


def cache_options(function):
    """``--no-cache`` and ``--cache-dir DIR`` (check, report, baseline)."""
    function = click.option(
        "--cache-dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="Cache folder (default: .mldebtlint_cache in the project root).",
    )(function)
    function = click.option("--no-cache", is_flag=True, help="Neither read nor write the results cache.")(function)
    return function


def apply_cache_options(settings: Settings, options: dict) -> tuple[Settings, bool]:
    """Pop the cache options from ``options``: (settings with the cache dir, use the cache?)."""
    cache_dir = options.pop("cache_dir", None)
    no_cache = options.pop("no_cache", False)
    if cache_dir is not None:
        settings = settings.with_cli(cache_dir=str(cache_dir.resolve()))
    return settings, not no_cache


@click.group()
def cache() -> None:
    """Manage the results cache."""


@cache.command()
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Cache folder (default: the one configured for PATH's project).",
)
def clear(path: Path | None, cache_dir: Path | None) -> None:
    """Delete the cached results of the project containing PATH (default: .)."""
    from mldebtlint.engine.cache import clear as clear_folder
    from mldebtlint.engine.cache import default_cache_dir

    settings = load_settings(path or Path("."))
    folder = cache_dir or default_cache_dir(settings.root, settings.cache_dir)
    removed = clear_folder(folder)
    click.echo(f"mldebtlint: removed {removed} cache file(s) from {folder}")

"""Options and helpers shared by several sub-commands."""

from __future__ import annotations

from pathlib import Path

import click

from mldebtlint.core.config import Settings, load_settings
from mldebtlint.core.errors import ConfigError
from mldebtlint.core.types import CheckResult


def split_codes(values: tuple[str, ...]) -> tuple[str, ...]:
    """``--select MLD1,MLD2 --select MLD3`` -> ('MLD1', 'MLD2', 'MLD3')."""
    return tuple(item.strip() for value in values for item in value.split(",") if item.strip())


def output_format_option(choices: list[str], default: str):
    """``--output-format`` (ruff's name) with ``--format`` as its alias, for every command."""
    return click.option(
        "--output-format",
        "--format",
        "output_format",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="Output format (--format is an alias).",
    )


def selection_options(function):
    function = click.option("--select", multiple=True, help="Rules to enable (code, name or prefix); replaces config.")(
        function
    )
    function = click.option("--extend-select", multiple=True, help="Rules to enable in addition.")(function)
    function = click.option("--ignore", multiple=True, help="Rules to disable.")(function)
    function = click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Use this config file instead of searching for one.",
    )(function)
    function = click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: cores).")(
        function
    )
    function = click.option("--verbose", is_flag=True, help="Show tracebacks of internal errors.")(function)
    function = click.option(
        "--preview", is_flag=True, default=None, help="Enable preview rules (new, not yet proven on real repos)."
    )(function)
    return function


def resolve_settings(
    paths: list[Path],
    config_file: Path | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    jobs: int | None,
    preview: bool | None = None,
) -> Settings:
    from mldebtlint.core.selection import preview_selected_exactly, validate_selectors

    first = paths[0] if paths else Path(".")
    settings = load_settings(first, config_file)
    select_codes, extend, ignored = split_codes(select), split_codes(extend_select), split_codes(ignore)
    for option, values in (("--select", select_codes), ("--extend-select", extend), ("--ignore", ignored)):
        validate_selectors(values, option)
    if select_codes:
        # As in ruff, a --select on the command line starts the selection
        # afresh: the config's select, extend-select and ignore no longer apply.
        settings = settings.with_cli(extend_select=(), ignore=())
    settings = settings.with_cli(
        select=select_codes or None,
        extend_select=(settings.extend_select + extend) if extend else None,
        ignore=(settings.ignore + ignored) if ignored else None,
        jobs=jobs,
        preview=preview or None,
    )
    named = (*(settings.select or ()), *settings.extend_select)
    for code in preview_selected_exactly(named, settings.preview):
        click.echo(
            f"mldebtlint: {code} is a preview rule, enabled because it was selected by name "
            "(--preview enables every preview rule)",
            err=True,
        )
    return settings


def check_paths(paths: tuple[Path, ...]) -> list[Path]:
    resolved = list(paths) or [Path(".")]
    for path in resolved:
        if not path.exists() and not path.is_symlink():
            raise ConfigError(f"{path}: no such file or directory")
    return resolved


def warn_run_problems(result: CheckResult, warnings: list[str]) -> None:
    """A rule that crashed on a file, no files found, a cache that could not be written: one line each."""
    for message in sorted({e for file in result.files for e in file.errors}) + warnings:
        click.echo(f"mldebtlint: warning: {message}", err=True)
    warnings.clear()  # printed once, even if the same options run again (after --fix)

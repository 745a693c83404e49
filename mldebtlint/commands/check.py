"""``mldebtlint check``: lint paths and print findings in a chosen format."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mldebtlint.adoption.baseline import atomic_write_text
from mldebtlint.commands import show
from mldebtlint.commands.cache import apply_cache_options, cache_options
from mldebtlint.commands.options import (
    check_paths,
    output_format_option,
    resolve_settings,
    selection_options,
    warn_run_problems,
)
from mldebtlint.commands.show import STATISTICS_FORMATS
from mldebtlint.core.config import Settings
from mldebtlint.core.types import CheckResult
from mldebtlint.engine.runner import RunOptions, rule_set, run
from mldebtlint.output import FORMATS, render


def adoption_options(function):
    """Baseline, diff mode, --add-noqa and fixes (see mldebtlint/baseline.py etc.)."""
    options = [
        click.option(
            "--baseline",
            "baseline_file",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Report only findings not recorded in this baseline file.",
        ),
        click.option(
            "--diff-from",
            "diff_from",
            is_flag=False,
            flag_value="HEAD",
            default=None,
            metavar="REV",
            help="Report only findings on lines changed since git REV (default HEAD: staged+unstaged).",
        ),
        click.option("--add-noqa", is_flag=True, help="Add '# mldebtlint: ignore[CODE]' to every finding's line."),
        click.option("--fix", is_flag=True, help="Apply safe fixes in place."),
        click.option("--unsafe-fixes", is_flag=True, help="With --fix/--diff, also apply unsafe fixes."),
        click.option("--diff", "show_diff", is_flag=True, help="Show fixes as a unified diff; write nothing."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@selection_options
@output_format_option(sorted(FORMATS), "text")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the output to a file.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option(
    "--statistics", is_flag=True, help="Show the count of findings per rule instead of each finding (text or json)."
)
@click.option("--quiet", "-q", is_flag=True, help="Print findings only, no summary.")
@click.option("--stdin-filename", help="Read the source from stdin and report it under this name.")
@click.option(
    "--force-exclude/--no-force-exclude",
    default=None,
    help="Apply exclude/extend-exclude to paths named on the command line too (config: force-exclude).",
)
@click.option("--show-files", is_flag=True, help="List the files that would be checked, and exit.")
@click.option("--show-settings", is_flag=True, help="Print the resolved settings, and exit.")
@click.option("--show-fixes", is_flag=True, help="List, per file, what --fix fixed (or could fix).")
@click.option("--show-related", is_flag=True, help="Text output: list each finding's related locations under it.")
@adoption_options
@cache_options
def check(
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
    exit_zero,
    statistics,
    quiet,
    stdin_filename,
    force_exclude,
    show_files,
    show_settings,
    show_fixes,
    show_related,
    **adoption,
) -> None:
    """Lint PATHS (default: the current directory; '-' reads stdin) for ML technical debt."""
    if statistics and output_format not in STATISTICS_FORMATS:
        raise click.UsageError(f"--statistics supports --output-format {' or '.join(STATISTICS_FORMATS)}")
    if Path("-") in paths:
        if len(paths) > 1:
            raise click.UsageError("'-' (stdin) cannot be combined with other paths")
        stdin_filename, paths = stdin_filename or "-", ()
    if stdin_filename:
        _refuse_with_stdin(adoption)
        path_list = [Path(stdin_filename)]
        stdin: tuple[str, bytes] | None = (stdin_filename, sys.stdin.buffer.read())
    else:
        path_list = check_paths(paths)
        stdin = None
    settings = resolve_settings(path_list, config_file, select, extend_select, ignore, jobs, preview)
    settings = settings.with_cli(force_exclude=force_exclude)
    if adoption["baseline_file"] is not None:
        settings = settings.with_cli(baseline=str(adoption["baseline_file"]))
    settings, use_cache = apply_cache_options(settings, adoption)
    if show_settings or show_files:
        _show_and_exit(settings, path_list, stdin, show_settings)
    options = RunOptions(paths=path_list, settings=settings, stdin=stdin, cache=use_cache)
    changed = None
    if adoption["diff_from"] is not None:
        from mldebtlint.adoption.diffmode import changed_lines, restrict_paths

        changed = changed_lines(path_list[0], adoption["diff_from"])
        options.paths = restrict_paths(path_list, settings, changed)
    result = lint(options, changed)
    if adoption["add_noqa"]:
        _add_noqa(result)
    if adoption["fix"] or adoption["show_diff"]:
        result = _fix(options, changed, result, adoption, show_fixes)
    elif show_fixes:
        _show_fixable(result, adoption["unsafe_fixes"])

    if statistics:
        from mldebtlint.fixes import fixable_codes

        text = show.statistics(result, output_format, fixable_codes(adoption["unsafe_fixes"]))
    elif show_related and output_format == "text":
        from mldebtlint.output.text import render as render_text

        text = render_text(result, show_related=True)
    else:
        text = render(output_format, result)
    if output is not None:
        atomic_write_text(output, text)
    else:
        click.echo(text, nl=False)
    if not quiet and output_format == "text":
        from mldebtlint.output.text import summary

        click.echo(summary(result), err=output is not None)
    elif not quiet and output is not None:
        from mldebtlint.output.text import summary

        click.echo(summary(result), err=True)
    raise SystemExit(0 if exit_zero or not result.findings else 1)


def lint(options: RunOptions, changed=None) -> CheckResult:
    """Run, then drop baselined findings and (diff mode) those on unchanged lines."""
    settings = options.settings
    if changed is not None and not options.paths:
        result = CheckResult(findings=())  # nothing changed under the given paths
    else:
        result = run(options)
    warn_run_problems(result, options.warnings)
    if settings.baseline:
        result = _apply_baseline(result, settings)
    if changed is not None:
        from mldebtlint.adoption.diffmode import filter_changed

        result = filter_changed(result, changed)
    return result


def _apply_baseline(result: CheckResult, settings: Settings) -> CheckResult:
    from mldebtlint.adoption.baseline import apply_baseline, load_baseline, scope_of

    assert settings.baseline is not None
    entries = load_baseline(Path(settings.baseline))
    scope = scope_of(result, rule_set(settings).codes, settings.root)
    _warn_unchecked(scope.unchecked(entries))
    return apply_baseline(result, entries, scope)


def _warn_unchecked(entries: list) -> None:
    """Baselined findings in files that do not parse now: neither fixed nor new."""
    from mldebtlint.adoption.baseline import unchecked_summary

    if entries:
        noun = "finding" if len(entries) == 1 else "findings"
        click.echo(
            f"mldebtlint: warning: {len(entries)} baselined {noun} not checked (parse error): "
            f"{unchecked_summary(entries)}",
            err=True,
        )


def _refuse_with_stdin(adoption: dict) -> None:
    for key, flag in (
        ("diff_from", "--diff-from"),
        ("add_noqa", "--add-noqa"),
        ("fix", "--fix"),
        ("show_diff", "--diff"),
    ):
        if adoption[key]:
            raise click.UsageError(f"{flag} cannot be combined with --stdin-filename")


def _add_noqa(result: CheckResult) -> None:
    from mldebtlint.adoption.noqa_writer import add_noqa

    python_paths = {file.path for file in result.files if file.is_python}
    outcome = add_noqa(result.findings, python_paths)
    for line in outcome.skipped:
        click.echo(f"mldebtlint: not annotated: {line}", err=True)
    noun = "directive" if outcome.added == 1 else "directives"
    click.echo(f"Added {outcome.added} noqa {noun} to {len(outcome.files)} files.", err=True)
    raise SystemExit(0)


MAX_FIX_PASSES = 10


def _fix(options: RunOptions, changed, result: CheckResult, adoption: dict, show_fixes: bool) -> CheckResult:
    from mldebtlint.fixes import apply_fixes, fixable_codes

    write = not adoption["show_diff"]
    outcome = apply_fixes(result.findings, options.settings, adoption["unsafe_fixes"], write)
    passes = 1
    # A fix whose edits overlap one applied before it waits for the next pass, on the
    # fixed files checked again (ruff's loop); bounded, in case two fixes undo each other.
    while write and outcome.deferred and passes < MAX_FIX_PASSES:
        again = apply_fixes(lint(options, changed).findings, options.settings, adoption["unsafe_fixes"], write)
        outcome.fixed += again.fixed
        outcome.files += [path for path in again.files if path not in outcome.files]
        outcome.skipped, outcome.deferred = again.skipped, again.deferred
        passes += 1
    for line in outcome.skipped:
        click.echo(f"mldebtlint: not fixed: {line}", err=True)
    if outcome.deferred:
        noun = "fix overlaps" if outcome.deferred == 1 else "fixes overlap"
        later = "another --fix applies" if write else "they apply in a later pass"
        click.echo(f"mldebtlint: {outcome.deferred} more {noun} the fixes applied; {later}", err=True)
    noun = "finding" if outcome.fixed == 1 else "findings"
    codes = fixable_codes(adoption["unsafe_fixes"])
    touched = [f for f in result.findings if f.code in codes and f.path in outcome.files]
    if not write:
        click.echo(outcome.diff, nl=False)
        if show_fixes:
            click.echo(show.fixes_listing("Would fix:", touched), err=True, nl=False)
        click.echo(f"Would fix {outcome.fixed} {noun} in {len(outcome.files)} files.", err=True)
        raise SystemExit(1 if outcome.fixed else 0)
    after = lint(options, changed) if outcome.fixed else result
    if show_fixes:
        remaining = {f.fingerprint for f in after.findings}
        fixed = [f for f in touched if f.fingerprint not in remaining]
        click.echo(show.fixes_listing("Fixed:", fixed), err=True, nl=False)
    click.echo(f"Fixed {outcome.fixed} {noun} in {len(outcome.files)} files.", err=True)
    return after


def _show_fixable(result: CheckResult, unsafe: bool) -> None:
    from mldebtlint.fixes import fixable_codes

    codes = fixable_codes(unsafe)
    fixable = [finding for finding in result.findings if finding.code in codes]
    flag = "--fix --unsafe-fixes" if unsafe else "--fix"
    click.echo(show.fixes_listing(f"Fixable with {flag}:", fixable), err=True, nl=False)


def _show_and_exit(settings: Settings, path_list: list[Path], stdin, show_settings: bool) -> None:
    """``--show-settings`` / ``--show-files``: print, then exit 0 without linting."""
    if show_settings:
        first = path_list[0] if path_list else Path(".")
        click.echo(show.settings_listing(settings, first, rule_set(settings).codes), nl=False)
        raise SystemExit(0)
    if stdin is not None:
        click.echo(stdin[0])
        raise SystemExit(0)
    from mldebtlint.engine.discovery import discover

    found = discover(
        path_list,
        Path(settings.root),
        settings.exclude,
        settings.extend_exclude,
        settings.respect_gitignore,
        settings.force_exclude,
    )
    click.echo(show.files_listing(source.display for source in found), nl=False)
    raise SystemExit(0)

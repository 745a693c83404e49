"""``mldebtlint check``: lint paths and print findings in a chosen format."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from mldebtlint.commands.cache import apply_cache_options, cache_options
from mldebtlint.commands.options import check_paths, resolve_settings, selection_options
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
@click.option("--format", "output_format", type=click.Choice(sorted(FORMATS)), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the output to a file.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--statistics", is_flag=True, help="Show the count of findings per rule instead of each finding.")
@click.option("--quiet", "-q", is_flag=True, help="Print findings only, no summary.")
@click.option("--stdin-filename", help="Read the source from stdin and report it under this name.")
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
    output_format,
    output,
    exit_zero,
    statistics,
    quiet,
    stdin_filename,
    **adoption,
) -> None:
    """Lint PATHS (default: the current directory) for ML technical debt."""
    if stdin_filename:
        _refuse_with_stdin(adoption)
        path_list = [Path(stdin_filename)]
        stdin: tuple[str, bytes] | None = (stdin_filename, sys.stdin.buffer.read())
    else:
        path_list = check_paths(paths)
        stdin = None
    settings = resolve_settings(path_list, config_file, select, extend_select, ignore, jobs)
    if adoption["baseline_file"] is not None:
        settings = settings.with_cli(baseline=str(adoption["baseline_file"]))
    settings, use_cache = apply_cache_options(settings, adoption)
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
        result = _fix(options, changed, result, adoption)

    if statistics:
        text = statistics_table(result)
    else:
        text = render(output_format, result)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    if not quiet and (output_format == "text" or statistics):
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
    for error in sorted({e for file in result.files for e in file.errors}):
        click.echo(f"mldebtlint: warning: {error}", err=True)
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
    return apply_baseline(result, entries, scope_of(result, rule_set(settings).codes, settings.root))


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


def _fix(options: RunOptions, changed, result: CheckResult, adoption: dict) -> CheckResult:
    from mldebtlint.fixes import apply_fixes

    write = not adoption["show_diff"]
    outcome = apply_fixes(result.findings, options.settings, adoption["unsafe_fixes"], write)
    for line in outcome.skipped:
        click.echo(f"mldebtlint: not fixed: {line}", err=True)
    noun = "finding" if outcome.fixed == 1 else "findings"
    if not write:
        click.echo(outcome.diff, nl=False)
        click.echo(f"Would fix {outcome.fixed} {noun} in {len(outcome.files)} files.", err=True)
        raise SystemExit(1 if outcome.fixed else 0)
    click.echo(f"Fixed {outcome.fixed} {noun} in {len(outcome.files)} files.", err=True)
    return lint(options, changed) if outcome.fixed else result


def statistics_table(result: CheckResult) -> str:
    counts = Counter((finding.code, finding.rule) for finding in result.findings)
    debt: Counter[str] = Counter()
    for finding in result.findings:
        debt[finding.code] += finding.debt_minutes
    lines = []
    for (code, rule), count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        lines.append(f"{count:>5}  {code}  [{rule}]  debt {debt[code]} min")
    return "".join(line + "\n" for line in lines)

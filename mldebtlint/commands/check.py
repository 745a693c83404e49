"""``mldebtlint check``: lint paths and print findings in a chosen format."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from mldebtlint.commands.options import check_paths, resolve_settings, selection_options
from mldebtlint.output import FORMATS, render
from mldebtlint.runner import RunOptions, run
from mldebtlint.types import CheckResult


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@selection_options
@click.option("--format", "output_format", type=click.Choice(sorted(FORMATS)), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the output to a file.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--statistics", is_flag=True, help="Show the count of findings per rule instead of each finding.")
@click.option("--quiet", "-q", is_flag=True, help="Print findings only, no summary.")
@click.option("--stdin-filename", help="Read the source from stdin and report it under this name.")
def check(paths, select, extend_select, ignore, config_file, jobs, verbose, output_format, output,
          exit_zero, statistics, quiet, stdin_filename) -> None:
    """Lint PATHS (default: the current directory) for ML technical debt."""
    if stdin_filename:
        path_list = [Path(stdin_filename)]
        stdin = (stdin_filename, sys.stdin.read())
    else:
        path_list = check_paths(paths)
        stdin = None
    settings = resolve_settings(path_list, config_file, select, extend_select, ignore, jobs)
    result = run(RunOptions(paths=path_list, settings=settings, stdin=stdin))
    for error in sorted({e for file in result.files for e in file.errors}):
        click.echo(f"mldebtlint: warning: {error}", err=True)

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


def statistics_table(result: CheckResult) -> str:
    counts = Counter((finding.code, finding.rule) for finding in result.findings)
    debt = Counter()
    for finding in result.findings:
        debt[finding.code] += finding.debt_minutes
    lines = []
    for (code, rule), count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        lines.append(f"{count:>5}  {code}  [{rule}]  debt {debt[code]} min")
    return "".join(line + "\n" for line in lines)

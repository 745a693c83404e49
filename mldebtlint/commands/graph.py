"""``mldebtlint graph``: export the model dependency graph (dot, mermaid or json)."""

from __future__ import annotations

from pathlib import Path

import click

from mldebtlint.adoption.baseline import atomic_write_text
from mldebtlint.commands.options import check_paths, output_format_option, resolve_settings, warn_run_problems


@click.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@output_format_option(["dot", "mermaid", "json"], "dot")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the graph to a file.")
@click.option(
    "--max-chain-length",
    type=click.IntRange(min=0),
    help="Mark chains longer than this (default: the model-dependency-chain option).",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Use this config file instead of searching for one.",
)
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: cores).")
@click.option("--verbose", is_flag=True, help="Show tracebacks of internal errors.")
def graph(path, output_format, output, max_chain_length, config_file, jobs, verbose) -> None:
    """Export the model/data dependency graph of PATH (default: the current directory).

    Offending chains (MLD401) and cycles (MLD402) are marked.
    """
    from mldebtlint.engine.runner import RunOptions, run
    from mldebtlint.graph.export import GRAPH_CODES, annotate, graph_for_result, render

    paths = check_paths((path,) if path else ())
    settings = resolve_settings(paths, config_file, GRAPH_CODES, (), (), jobs)
    options = RunOptions(paths=paths, settings=settings, whole_repo_facts=False)
    result = run(options)
    warn_run_problems(result, options.warnings)
    if max_chain_length is None:
        max_chain_length = settings.options_for("MLD401")["max-chain-length"]
    text = render(annotate(graph_for_result(result), max_chain_length), output_format)
    if output is not None:
        atomic_write_text(output, text)
    else:
        click.echo(text, nl=False)

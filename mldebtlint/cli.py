"""The ``mldebtlint`` command line.

Sub-commands live in ``mldebtlint/commands/`` and are imported only when
invoked, so ``mldebtlint --version`` stays fast (no libcst import).
Usage, configuration and internal errors exit 2 with one line on stderr;
bare ``mldebtlint`` prints the usage on stdout and exits 0 (like ruff and git);
Ctrl-C exits 130 (128 + SIGINT) with one line, no traceback.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

import click

from mldebtlint import __version__

COMMANDS = {
    "check": ("mldebtlint.commands.check", "check", "Lint files for ML technical debt."),
    "report": ("mldebtlint.commands.report", "report", "Audit report: debt ratio, rating, hotspots, priorities."),
    "rules": ("mldebtlint.commands.catalog", "rules", "List every rule."),
    "explain": ("mldebtlint.commands.catalog", "explain", "Explain one rule: rationale, examples, options."),
    "graph": ("mldebtlint.commands.graph", "graph", "Export the model dependency graph."),
    "baseline": ("mldebtlint.commands.baseline", "baseline", "Write a baseline of today's findings."),
    "cache": ("mldebtlint.commands.cache", "cache", "Manage the results cache."),
    "server": ("mldebtlint.commands.server", "server", "Run the Language Server (stdio) for editors."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name, (module, _, _) in COMMANDS.items() if _available(module)]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        spec = COMMANDS.get(name)
        if spec is None or not _available(spec[0]):
            return None
        module = importlib.import_module(spec[0])
        return getattr(module, spec[1])

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _available(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mldebtlint")
def cli() -> None:
    """mldebtlint: find and score machine-learning technical debt."""


EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl-C


def _exit_now(code: int) -> None:
    """Exit without the interpreter's slow teardown.

    Freeing every object one by one and a last full garbage collection cost
    more than the whole rest of a one-file run (about 0.4 s CPU on a large
    repo's cache), and nothing needs them: every write of ours has finished
    (or been rolled back, after an interrupt) and the pool has been shut down
    by the time we get here; only the standard streams need flushing.
    """
    import os

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def main(argv: list[str] | None = None) -> None:
    """The console script. Called with ``argv`` (tests, other Python code), it
    raises ``SystemExit`` as usual; as the real command it exits at once."""
    code: str | int | None
    try:
        code = _run(list(argv if argv is not None else sys.argv[1:]))
    except SystemExit as exc:
        code = exc.code
    if argv is not None or sys.gettrace() is not None or sys.getprofile() is not None:
        sys.exit(code)  # a caller, or a profiler or coverage tool that writes its data at exit
    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message"): print it, exit 1, as Python does
        click.echo(str(code), err=True)
        code = 1
    _exit_now(code)


def _run(args: list[str]) -> int:
    verbose = "--verbose" in args
    try:
        if not args:
            with click.Context(cli, info_name="mldebtlint", **cli.context_settings) as ctx:
                click.echo(ctx.get_help())
            return 0
        cli.main(args=args, prog_name="mldebtlint", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt):
        # click turns a KeyboardInterrupt into Abort; the pool is already
        # terminated and every write is atomic, so nothing is left half-done.
        click.echo("mldebtlint: interrupted", err=True)
        return EXIT_INTERRUPTED
    except click.ClickException as exc:
        message = exc.format_message().replace("\n", " ")
        click.echo(f"mldebtlint: error: {message}", err=True)
        return 2
    except Exception as exc:
        from mldebtlint.core.catalog import CatalogError
        from mldebtlint.core.errors import ConfigError

        if verbose:
            import traceback

            traceback.print_exc()
        if isinstance(exc, (ConfigError, CatalogError)):
            click.echo(f"mldebtlint: error: {str(exc).replace(chr(10), ' ')}", err=True)
        elif isinstance(exc, OSError) and exc.filename:
            # e.g. --output into a missing folder: the user's to fix, not a bug.
            click.echo(f"mldebtlint: error: {exc.filename}: {exc.strerror}", err=True)
        else:
            click.echo(f"mldebtlint: internal error: {type(exc).__name__}: {exc}", err=True)
        return 2
    return 0

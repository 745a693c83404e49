"""``mldebtlint server``: the Language Server over stdio (editors, see README)."""

from __future__ import annotations

import click


@click.command()
def server() -> None:
    """Run the Language Server on stdin/stdout (needs the `server` extra: pygls)."""
    try:
        from mldebtlint.server.lsp import serve
    except ImportError as exc:
        raise click.ClickException(
            f"the language server needs pygls ({exc.name} is missing): pip install 'mldebtlint[server]'"
        ) from None
    serve()

"""``mldebtlint rules`` and ``mldebtlint explain``: the catalog for humans."""

from __future__ import annotations

import json
import textwrap

import click

from mldebtlint.commands.options import output_format_option
from mldebtlint.core.catalog import CatalogEntry, load_catalog, lookup


@click.command()
@output_format_option(["text", "json", "markdown"], "text")
def rules(output_format: str) -> None:
    """List every rule: code, name, category, default on/off and summary."""
    entries = list(load_catalog().values())
    if output_format == "json":
        click.echo(json.dumps([_entry_dict(entry) for entry in entries], indent=2))
        return
    if output_format == "markdown":
        click.echo(markdown_table(entries), nl=False)
        return
    click.echo(f"{'code':<7}  {'name':<28} {'category':<16} {'state':<7}  summary")
    for entry in entries:
        click.echo(f"{entry.code:<7}  {entry.name:<28} {entry.category:<16} {state(entry):<7}  {entry.summary}")


def state(entry: CatalogEntry) -> str:
    """``preview`` (off unless --preview), else ``on`` or ``off`` by default."""
    if entry.preview:
        return "preview"
    return "on" if entry.default_enabled else "off"


@click.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Show RULE's rationale, examples and options (RULE is a code or name)."""
    entry = lookup(rule)
    if entry is None:
        raise click.UsageError(f"unknown rule '{rule}' (see 'mldebtlint rules')")
    click.echo(explain_text(entry))


def explain_text(entry: CatalogEntry) -> str:
    if entry.preview:
        enabled = "preview: off unless --preview or selected by its code"
    else:
        enabled = f"{'on' if entry.default_enabled else 'off'} by default"
    lines = [
        f"{entry.code} [{entry.name}]  ({entry.category}, {entry.severity}, {enabled})",
        "",
        entry.summary,
        "",
        "Why it is debt:",
        textwrap.indent(entry.rationale, "  "),
    ]
    if entry.fix:
        lines += ["", "How to fix:", textwrap.indent(entry.fix, "  ")]
    if entry.precision:
        lines += ["", f"Measured precision on the real-application corpus: {entry.precision}"]
    lines += ["", f"Score: effort {entry.effort} min, impact {entry.impact}/5, risk {entry.risk}/5"]
    if entry.options:
        lines += ["", "Options ([tool.mldebtlint.rules." + entry.name + "]):"]
        for option in entry.options.values():
            kind = " | ".join(json.dumps(choice) for choice in option.choices) if option.choices else option.type
            lines.append(f"  {option.name} ({kind}, default {json.dumps(option.default)})")
            if option.description:
                lines.append(textwrap.indent(textwrap.fill(option.description, 76), "      "))
    for title, examples in (("Flagged", entry.bad), ("Not flagged", entry.good)):
        for example in examples[:3]:
            lines += ["", f"{title} ({example.filename}):", textwrap.indent(example.code.rstrip(), "    ")]
    return "\n".join(lines)


def _entry_dict(entry: CatalogEntry) -> dict:
    return {
        "code": entry.code,
        "name": entry.name,
        "category": entry.category,
        "severity": entry.severity,
        "default_enabled": entry.default_enabled,
        "preview": entry.preview,
        "precision": entry.precision,
        "effort": entry.effort,
        "impact": entry.impact,
        "risk": entry.risk,
        "summary": entry.summary,
        "fix": entry.fix,
        "options": {name: option.default for name, option in entry.options.items()},
    }


def markdown_table(entries: list[CatalogEntry]) -> str:
    """The README's rule table (tests/test_readme.py keeps the two in sync)."""
    lines = [
        "| code | name | category | state | effort | impact | risk | summary |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for entry in entries:
        lines.append(
            f"| {entry.code} | {entry.name} | {entry.category} | {state(entry)} | {entry.effort} min "
            f"| {entry.impact} | {entry.risk} | {entry.summary} |"
        )
    return "\n".join(lines) + "\n"

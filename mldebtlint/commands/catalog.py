"""``mldebtlint rules`` and ``mldebtlint explain``: the catalog for humans."""

from __future__ import annotations

import json
import textwrap

import click

from mldebtlint.core.catalog import CatalogEntry, load_catalog, lookup


@click.command()
@click.option(
    "--output-format",
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="Output format (--format is an alias).",
)
def rules(output_format: str) -> None:
    """List every rule: code, name, category, default on/off and summary."""
    entries = list(load_catalog().values())
    if output_format == "json":
        click.echo(json.dumps([_entry_dict(entry) for entry in entries], indent=2))
        return
    if output_format == "markdown":
        click.echo(markdown_table(entries), nl=False)
        return
    click.echo(f"{'code':<7}  {'name':<28} {'category':<14} {'default':<7}  summary")
    for entry in entries:
        default = "on" if entry.default_enabled else "off"
        click.echo(f"{entry.code:<7}  {entry.name:<28} {entry.category:<14} {default:<7}  {entry.summary}")


@click.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Show RULE's rationale, examples and options (RULE is a code or name)."""
    entry = lookup(rule)
    if entry is None:
        raise click.UsageError(f"unknown rule '{rule}' (see 'mldebtlint rules')")
    click.echo(explain_text(entry))


def explain_text(entry: CatalogEntry) -> str:
    lines = [
        f"{entry.code} [{entry.name}]  ({entry.category}, {entry.severity}, "
        f"{'on' if entry.default_enabled else 'off'} by default)",
        "",
        entry.summary,
        "",
        "Why it is debt:",
        textwrap.indent(entry.rationale, "  "),
    ]
    if entry.fix:
        lines += ["", "How to fix:", textwrap.indent(entry.fix, "  ")]
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
        "| code | name | category | default | effort | impact | risk | summary |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for entry in entries:
        default = "on" if entry.default_enabled else "off"
        lines.append(
            f"| {entry.code} | {entry.name} | {entry.category} | {default} | {entry.effort} min "
            f"| {entry.impact} | {entry.risk} | {entry.summary} |"
        )
    return "\n".join(lines) + "\n"

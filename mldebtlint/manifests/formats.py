"""Parsers of the structured manifest kinds: pyproject.toml (PEP 621, PEP 735,
Poetry, uv constraints), Pipfile, setup.cfg, static setup.py and
environment.yml. Requirements files and the shared types live in
``mldebtlint.manifests.requirements``.
"""

from __future__ import annotations

import configparser
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from mldebtlint.core.types import Location
from mldebtlint.manifests.requirements import (
    ParsedManifest,
    Problem,
    RequirementEntry,
    SourceText,
    _parse_requirement,
    parse_requirement_lines,
)
from mldebtlint.manifests.specs import canonical_key, conda_to_pep440, poetry_to_pep440

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


# -- TOML manifests ---------------------------------------------------------


def _load_toml(text: str, manifest: ParsedManifest) -> dict[str, Any] | None:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        manifest.problems.append(Problem(1, 1, f"invalid TOML: {exc}"))
        return None


def _toml_list(
    doc: SourceText,
    values: Any,
    table: str,
    group: str,
    manifest: ParsedManifest,
    into: list[RequirementEntry] | None = None,
    cursor: int | None = None,
) -> int:
    """Entries of one TOML array; returns the offset after the last one found
    (tomllib keeps file order, so the next array of the table starts there)."""
    cursor = doc.header_offset(table) if cursor is None else cursor
    if not isinstance(values, list):
        return cursor
    for value in values:
        if not isinstance(value, str):
            continue  # e.g. {include-group = "test"}
        found = doc.find_literal(value, cursor) or doc.find_literal(value, 0)
        span = doc.span(*found) if found else Location(*doc.position(cursor), *doc.position(cursor))
        if found:
            cursor = found[1]
        item = _parse_requirement(value, False, span, group)
        if isinstance(item, Problem):
            manifest.problems.append(item)
        elif item is not None:
            (manifest.entries if into is None else into).append(item)
    return cursor


def _table(value: Any) -> dict[str, Any]:
    """A TOML table, or an empty one when the key is missing or not a table."""
    return value if isinstance(value, dict) else {}


def parse_pyproject(text: str) -> ParsedManifest:
    """PEP 621 dependencies/optional-dependencies, PEP 735 dependency-groups,
    Poetry dependency tables and uv constraint-dependencies."""
    manifest = ParsedManifest("pyproject")
    data = _load_toml(text, manifest)
    if data is None:
        return manifest
    doc = SourceText(text)
    manifest.is_library = isinstance(data.get("build-system"), dict)
    project = _table(data.get("project"))
    _toml_list(doc, project.get("dependencies"), "project", "project.dependencies", manifest)
    for table, prefix in (
        ("project.optional-dependencies", "optional-dependencies"),
        ("dependency-groups", "dependency-groups"),
    ):
        arrays = project.get(prefix) if prefix == "optional-dependencies" else data.get(prefix)
        cursor = None
        for name, values in arrays.items() if isinstance(arrays, dict) else ():
            cursor = _toml_list(doc, values, table, f"{prefix}.{name}", manifest, cursor=cursor)
    tool = _table(data.get("tool"))
    uv = _table(tool.get("uv"))
    _toml_list(doc, uv.get("constraint-dependencies"), "tool.uv", "tool.uv", manifest, manifest.constraints)
    poetry = _table(tool.get("poetry"))
    for table, values in _poetry_tables(poetry):
        _table_entries(doc, values, table, manifest, poetry=True)
    return manifest


def _poetry_tables(poetry: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    tables = [(f"tool.poetry.{key}", poetry.get(key)) for key in ("dependencies", "dev-dependencies")]
    groups = poetry.get("group")
    for name, group in groups.items() if isinstance(groups, dict) else ():
        if isinstance(group, dict):
            tables.append((f"tool.poetry.group.{name}.dependencies", group.get("dependencies")))
    return [(table, values) for table, values in tables if isinstance(values, dict)]


def _table_entries(doc: SourceText, values: dict[str, Any], table: str, manifest: ParsedManifest, poetry: bool) -> None:
    """Poetry / Pipfile style ``name = "constraint"`` or ``name = {...}`` tables."""
    start = doc.header_offset(table)
    for name, value in values.items():
        if name.lower() == "python" or not isinstance(name, str):
            continue
        found = doc.find_key(name, start) or doc.find_key(name, 0)
        span = doc.span(*found) if found else Location(*doc.position(start), *doc.position(start))
        for constraint in value if isinstance(value, list) else [value]:
            entry = _table_entry(name, constraint, span, table, poetry)
            if isinstance(entry, Problem):
                manifest.problems.append(entry)
            elif entry is not None:
                manifest.entries.append(entry)


def _table_entry(name: str, value: Any, span: Location, table: str, poetry: bool) -> RequirementEntry | Problem | None:
    url, version = "", value
    if isinstance(value, dict):
        if "path" in value:
            return None  # a local checkout: nothing to pin
        for source in ("git", "url", "file"):
            if isinstance(value.get(source), str):
                ref = value.get("rev") or value.get("tag") or value.get("ref") or ""
                url = value[source]
                if source == "git":
                    url = f"git+{url}@{ref}" if ref else f"git+{url}"
        version = value.get("version", "" if url else "*")
    if not isinstance(version, str):
        return None
    specifier = poetry_to_pep440(version) if poetry else ("" if version.strip() == "*" else version.strip())
    if specifier is None:
        return Problem(span.line, span.column, f"cannot parse version constraint {version!r} of {name}")
    text = f'{name} = "{version}"' if not url else f"{name} @ {url}"
    return RequirementEntry(name, canonical_key(name), text, span, specifier=specifier, url=url, group=table)


def parse_pipfile(text: str) -> ParsedManifest:
    manifest = ParsedManifest("pipfile")
    data = _load_toml(text, manifest)
    if data is None:
        return manifest
    doc = SourceText(text)
    for table, values in data.items():
        if table in ("source", "requires", "scripts", "pipenv") or not isinstance(values, dict):
            continue
        _table_entries(doc, values, table, manifest, poetry=False)
    return manifest


# -- setup.cfg / setup.py ---------------------------------------------------


def parse_setup_cfg(text: str) -> ParsedManifest:
    """``[options] install_requires`` and ``[options.extras_require]``."""
    manifest = ParsedManifest("setup.cfg", is_library=True)
    try:
        configparser.ConfigParser(interpolation=None).read_string(text)
    except configparser.Error as exc:
        first = str(exc).splitlines()[0]
        manifest.problems.append(Problem(1, 1, f"invalid setup.cfg: {first}"))
        return manifest
    doc, section, key = SourceText(text), "", ""
    for index, line in enumerate(doc.lines):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        if stripped.startswith("[") and not line[0].isspace():
            section, key = stripped.strip("[]").strip(), ""
            continue
        wanted = (section == "options" and key == "install_requires") or section == "options.extras_require"
        if not line[0].isspace():
            key, _, value = line.partition("=")
            key = key.strip()
            wanted = (section == "options" and key == "install_requires") or section == "options.extras_require"
            if not wanted or not value.strip() or value.strip().startswith("file:"):
                continue
            stripped = value.strip()
        elif not wanted:
            continue
        begin = doc.starts[index] + line.index(stripped)
        span = doc.span(begin, begin + len(stripped))
        item = _parse_requirement(stripped, False, span, f"{section}.{key}")
        if isinstance(item, Problem):
            manifest.problems.append(item)
        elif item is not None:
            manifest.entries.append(item)
    return manifest


def parse_setup_py(text: str) -> ParsedManifest:
    """Literal ``install_requires``/``extras_require`` of a static setup() call,
    read with libcst (never executed). A file that does not parse yields
    nothing here: the Python rules report it as a parse error."""
    from mldebtlint.manifests.specs import setup_py_requirements

    manifest = ParsedManifest("setup.py", is_library=True)
    for value, span, group in setup_py_requirements(text):
        item = _parse_requirement(value, False, span, group)
        if isinstance(item, Problem):
            manifest.problems.append(item)
        elif item is not None:
            manifest.entries.append(item)
    return manifest


# -- environment.yml ----------------------------------------------------------


def parse_environment_yml(text: str, folder: Path | None = None) -> ParsedManifest:
    """Conda ``dependencies`` (match specs) and their ``pip:`` list."""
    import yaml

    manifest = ParsedManifest("environment.yml")
    root = _compose_yaml(text, manifest)
    if root is None:
        return manifest
    dependencies = _yaml_value(root, "dependencies")
    if isinstance(dependencies, yaml.SequenceNode):
        _conda_dependencies(dependencies, folder, manifest)
    return manifest


def _compose_yaml(text: str, manifest: ParsedManifest) -> Any:
    """The YAML node tree, or None with the syntax error recorded as a problem."""
    import yaml

    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        message = " ".join(str(getattr(exc, "problem", None) or exc).split())
        manifest.problems.append(Problem(line, column, f"invalid YAML: {message}"))
        return None


# -- bentofile.yaml -----------------------------------------------------------


def parse_bentofile(text: str, folder: Path | None = None) -> ParsedManifest:
    """A BentoML build file: each item of ``python: packages:`` is one requirements-file line,
    and ``conda: dependencies:`` reads like an environment.yml. BentoML locks unpinned packages
    when the bento is built (``lock_packages``), but that lock is made anew on every build and
    never committed, so the source pins nothing. ``python: requirements_txt`` names a
    requirements file that is linted on its own."""
    import yaml

    manifest = ParsedManifest("bentofile")
    root = _compose_yaml(text, manifest)
    if root is None:
        return manifest
    _pip_section(_yaml_value(_yaml_value(root, "python"), "packages"), folder, manifest, "python.packages")
    dependencies = _yaml_value(_yaml_value(root, "conda"), "dependencies")
    if isinstance(dependencies, yaml.SequenceNode):
        _conda_dependencies(dependencies, folder, manifest)
    return manifest


def _conda_dependencies(dependencies: Any, folder: Path | None, manifest: ParsedManifest) -> None:
    import yaml

    for node in dependencies.value:
        span = Location(
            node.start_mark.line + 1, node.start_mark.column + 1, node.end_mark.line + 1, node.end_mark.column + 1
        )
        if isinstance(node, yaml.ScalarNode):
            _conda_entry(str(node.value), span, manifest)
        elif isinstance(node, yaml.MappingNode):
            _pip_section(_yaml_value(node, "pip"), folder, manifest)


def _yaml_value(node: Any, key: str) -> Any:
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value_node
    return None


def _conda_entry(spec: str, span: Location, manifest: ParsedManifest) -> None:
    translated = conda_to_pep440(spec)
    if translated is None:
        return  # conda-only syntax we cannot judge: not ours to complain about
    name, specifier = translated
    manifest.entries.append(
        RequirementEntry(name, canonical_key(name, conda=True), spec, span, specifier=specifier, group="conda")
    )


def _pip_section(node: Any, folder: Path | None, manifest: ParsedManifest, group: str = "pip") -> None:
    """Each item of ``pip:`` (or a bentofile's ``packages:``) is one requirements-file line (``-r`` included)."""
    import yaml

    if not isinstance(node, yaml.SequenceNode):
        return
    for item in node.value:
        if not isinstance(item, yaml.ScalarNode):
            continue
        line, column = item.start_mark.line + 1, item.start_mark.column + 1
        parsed = parse_requirement_lines(str(item.value), folder, group)
        manifest.entries.extend(_at_yaml_item(e, line, column) for e in parsed.entries)
        manifest.constraints.extend(_at_yaml_item(e, line, column) for e in parsed.constraints)
        manifest.problems.extend(Problem(line, column, p.message) for p in parsed.problems)


def _at_yaml_item(entry: RequirementEntry, line: int, column: int) -> RequirementEntry:
    """Move an entry parsed from a one-line string to its place in the YAML file."""
    if entry.origin:
        return replace(entry, via_line=line)
    return replace(entry, span=Location(line, column, line, column + len(entry.text)))

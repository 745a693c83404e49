"""The rule catalog: one TOML file per rule, the single source of a rule's
metadata (code, name, category, score inputs, options, rationale, examples).

In a source checkout the catalog is the top-level ``rules/`` folder; in an
installed wheel it is shipped as ``mldebtlint/_catalog``.
"""

from __future__ import annotations

import functools
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

SEVERITIES = ("error", "warning", "note")
OPTION_TYPES = ("bool", "int", "float", "str", "list[str]", "list[float]", "list[int]")
# The debt categories, each with the hundreds digit of its rule codes: a rule
# of category "data" is MLD5xx. This is the only list of categories.
CATEGORIES: dict[str, int] = {
    "tooling": 0,
    "configuration": 1,
    "integration": 2,
    "dependency": 3,
    "model": 4,
    "data": 5,
    "reproducibility": 6,
    "testing": 7,
}
CODE_PATTERN = re.compile(r"^MLD(\d)\d\d$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Example:
    code: str
    filename: str = "example.py"


@dataclass(frozen=True)
class RuleOption:
    name: str
    type: str
    default: Any
    description: str
    # For "str" options: the accepted values (empty: any string).
    choices: tuple[str, ...] = ()

    def accepts(self, value: Any) -> bool:
        """Whether ``value`` (as read from TOML) has this option's type and, if
        the option is an enumeration, is one of its choices."""
        return check_type(self.type, value) and (not self.choices or value in self.choices)

    def parse(self, value: Any) -> Any:
        """``value`` in its typed, immutable form: lists become tuples, ints of
        float options become floats."""
        if self.type == "float":
            return float(value)
        if self.type == "list[float]":
            return tuple(float(item) for item in value)
        if self.type.startswith("list["):
            return tuple(value)
        return value

    def expected(self) -> str:
        """What a valid value is, for error messages."""
        if self.choices:
            return "one of " + ", ".join(f'"{choice}"' for choice in self.choices)
        return f"of type {self.type}"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_TYPE_CHECKS = {
    "bool": lambda v: isinstance(v, bool),
    "int": _is_int,
    "float": _is_number,
    "str": lambda v: isinstance(v, str),
    "list[str]": lambda v: isinstance(v, (list, tuple)) and all(isinstance(i, str) for i in v),
    "list[float]": lambda v: isinstance(v, (list, tuple)) and all(_is_number(i) for i in v),
    "list[int]": lambda v: isinstance(v, (list, tuple)) and all(_is_int(i) for i in v),
}


def check_type(option_type: str, value: Any) -> bool:
    return _TYPE_CHECKS[option_type](value)


@dataclass(frozen=True)
class CatalogEntry:
    code: str
    name: str
    category: str
    severity: str
    default_enabled: bool
    effort: int
    impact: int
    risk: int
    summary: str
    fix: str
    rationale: str
    options: dict[str, RuleOption] = field(default_factory=dict)
    bad: tuple[Example, ...] = ()
    good: tuple[Example, ...] = ()
    builtin: bool = False
    source: str = ""
    # New or unproven rules are off unless ``--preview`` (SPEC section 6).
    preview: bool = False
    # The measured precision on the real-application corpus, as a sentence.
    precision: str = ""


class CatalogError(Exception):
    """A catalog file is malformed (a packaging bug, reported as exit 2)."""


def catalog_dir() -> Path:
    packaged = Path(__file__).parent.parent / "_catalog"
    if packaged.is_dir():
        return packaged
    return Path(__file__).parent.parent.parent / "rules"


def _examples(raw: Any, source: str) -> tuple[Example, ...]:
    examples = []
    for item in raw or ():
        if isinstance(item, str):
            examples.append(Example(code=item))
        elif isinstance(item, dict) and "code" in item:
            examples.append(Example(code=item["code"], filename=item.get("filename", "example.py")))
        else:
            raise CatalogError(f"{source}: an example must be a string or a table with 'code'")
    return tuple(examples)


def _option(name: str, raw: Any, source: str) -> RuleOption:
    if not isinstance(raw, dict) or "type" not in raw or "default" not in raw:
        raise CatalogError(f"{source}: option {name!r} needs 'type' and 'default'")
    if raw["type"] not in OPTION_TYPES:
        raise CatalogError(f"{source}: option {name!r} has unknown type {raw['type']!r}")
    choices = raw.get("choices", [])
    if choices and (raw["type"] != "str" or not check_type("list[str]", choices)):
        raise CatalogError(f"{source}: option {name!r}: 'choices' is a list of strings, for a str option")
    option = RuleOption(name, raw["type"], raw["default"], raw.get("description", ""), tuple(choices))
    if not option.accepts(option.default):
        raise CatalogError(f"{source}: the default of option {name!r} is not {option.expected()}")
    return option


def parse_entry(data: dict[str, Any], source: str) -> CatalogEntry:
    try:
        examples = data.get("examples", {})
        entry = CatalogEntry(
            code=data["code"],
            name=data["name"],
            category=data["category"],
            severity=data["severity"],
            default_enabled=data["default-enabled"],
            effort=int(data["effort"]),
            impact=int(data["impact"]),
            risk=int(data["risk"]),
            summary=data["summary"].strip(),
            fix=data.get("fix", "").strip(),
            rationale=data["rationale"].strip(),
            options={n: _option(n, o, source) for n, o in data.get("options", {}).items()},
            bad=_examples(examples.get("bad"), source),
            good=_examples(examples.get("good"), source),
            builtin=bool(data.get("builtin", False)),
            source=source,
            preview=bool(data.get("preview", False)),
            precision=str(data.get("precision", "")).strip(),
        )
    except KeyError as exc:
        raise CatalogError(f"{source}: missing key {exc.args[0]!r}") from None
    if entry.severity not in SEVERITIES:
        raise CatalogError(f"{source}: severity must be one of {SEVERITIES}")
    if not NAME_PATTERN.match(entry.name):
        raise CatalogError(f"{source}: name {entry.name!r} must be kebab-case")
    if entry.category not in CATEGORIES:
        raise CatalogError(f"{source}: category {entry.category!r} must be one of {', '.join(CATEGORIES)}")
    code = CODE_PATTERN.match(entry.code)
    if code is None or int(code.group(1)) != CATEGORIES[entry.category]:
        raise CatalogError(
            f"{source}: code {entry.code!r} must be MLD{CATEGORIES[entry.category]}xx (category {entry.category})"
        )
    return entry


@functools.cache
def load_catalog(directory: str | None = None) -> dict[str, CatalogEntry]:
    """All catalog entries keyed by code, in code order."""
    folder = Path(directory) if directory else catalog_dir()
    entries: dict[str, CatalogEntry] = {}
    for path in sorted(folder.glob("*.toml")):
        with path.open("rb") as handle:
            try:
                data = tomllib.load(handle)
            except tomllib.TOMLDecodeError as exc:
                raise CatalogError(f"{path.name}: {exc}") from None
        entry = parse_entry(data, path.name)
        if entry.code in entries:
            raise CatalogError(f"{path.name}: duplicate code {entry.code}")
        entries[entry.code] = entry
    return dict(sorted(entries.items()))


def lookup(code_or_name: str) -> CatalogEntry | None:
    """Find an entry by exact code (case-insensitive) or name."""
    key = code_or_name.strip()
    for entry in load_catalog().values():
        if entry.code.lower() == key.lower() or entry.name == key.lower():
            return entry
    return None

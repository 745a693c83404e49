"""Configuration: find it, validate it, freeze it into ``Settings``.

``[tool.mldebtlint]`` in the nearest ``pyproject.toml`` that has that table,
or ``.mldebtlint.toml`` / ``mldebtlint.toml`` (same keys at top level), searched
upward from the first path. Every error names the key and the file, and the
CLI turns it into exit 2.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from mldebtlint.core.catalog import CatalogEntry, load_catalog
from mldebtlint.core.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_FILES = (".mldebtlint.toml", "mldebtlint.toml", "pyproject.toml")
SCORE_KEYS = {"effort": int, "impact": int, "risk": int}
DEFAULT_MINUTES_PER_LINE = 30.0


def _freeze(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_freeze(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((key, _freeze(item)) for key, item in value.items()))
    return value


@dataclass(frozen=True)
class Settings:
    """Frozen, hashable run settings. ``key()`` keys the cache."""

    root: str = "."
    config_path: str | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    respect_gitignore: bool = True
    # Apply exclude/extend-exclude to paths named on the command line too (pre-commit).
    force_exclude: bool = False
    baseline: str | None = None
    cache_dir: str | None = None
    jobs: int | None = None
    # ((rule code, ((option, value), ...)), ...) - only the overridden options.
    rule_options: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()
    # ((rule code, ((effort|impact|risk, value), ...)), ...)
    score_overrides: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = ()
    minutes_per_line: float = DEFAULT_MINUTES_PER_LINE
    # The debt-ratio model of the report (core.scoring.RATIO_MODELS).
    ratio_model: str = "ml-code"
    # Enable the catalog's preview rules (``--preview`` / ``preview = true``).
    preview: bool = False
    extra: tuple[tuple[str, Any], ...] = field(default=())

    def options_for(self, code: str) -> Mapping[str, Any]:
        """Every option of rule ``code``, typed (lists as tuples, floats as
        floats): the catalog's defaults with this config's values over them.
        Parsed once per distinct settings, then shared read-only by every file."""
        return _typed_options(code, self.rule_options)

    def score_for(self, code: str) -> tuple[int, int, int]:
        entry = load_catalog()[code]
        values = {"effort": entry.effort, "impact": entry.impact, "risk": entry.risk}
        for rule_code, overrides in self.score_overrides:
            if rule_code == code:
                values.update(dict(overrides))
        return values["effort"], values["impact"], values["risk"]

    def key(self) -> str:
        """A digest of everything that can change a file's results."""
        payload = json.dumps(
            [
                self.select,
                self.ignore,
                self.extend_select,
                self.per_file_ignores,
                self.rule_options,
                self.score_overrides,
                self.preview,
            ],
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def with_cli(self, **overrides: Any) -> Settings:
        """Apply command-line overrides (None means 'not given')."""
        given = {key: value for key, value in overrides.items() if value is not None}
        return replace(self, **given)


def find_config(start: Path) -> Path | None:
    """The nearest config file at or above ``start`` (a dir or a file)."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate_dir in (folder, *folder.parents):
        for name in CONFIG_FILES:
            candidate = candidate_dir / name
            if not candidate.is_file():
                continue
            if name != "pyproject.toml":
                return candidate
            try:
                if "mldebtlint" in _read_toml(candidate).get("tool", {}):
                    return candidate
            except ConfigError:
                # A broken pyproject.toml of an unrelated tool is the
                # manifest rule's business; not ours unless it names us.
                if b"[tool.mldebtlint" in candidate.read_bytes():
                    raise
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def _str_list(value: Any, key: str, source: Path) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{source}: '{key}' must be a list of strings")
    return tuple(value)


def _rule_for(name: str, key: str, source: Path) -> CatalogEntry:
    for entry in load_catalog().values():
        if name in (entry.name, entry.code):
            return entry
    raise ConfigError(f"{source}: unknown rule '{name}' in '{key}'")


@functools.lru_cache(maxsize=64)
def _typed_options(code: str, rule_options: tuple) -> Mapping[str, Any]:
    entry = load_catalog()[code]
    values = {name: option.parse(option.default) for name, option in entry.options.items()}
    for rule_code, overrides in rule_options:
        if rule_code != code:
            continue
        for name, value in overrides:
            option = entry.options.get(name)
            if option is None:
                raise ConfigError(f"unknown option 'rules.{entry.name}.{name}'")
            if not option.accepts(value):
                raise ConfigError(f"'rules.{entry.name}.{name}' must be {option.expected()}")
            values[name] = option.parse(value)
    return MappingProxyType(values)


def _rule_options(table: Any, source: Path) -> tuple:
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: 'rules' must be a table")
    frozen = []
    for name, options in table.items():
        entry = _rule_for(name, f"rules.{name}", source)
        if not isinstance(options, dict):
            raise ConfigError(f"{source}: 'rules.{name}' must be a table")
        for key, value in options.items():
            option = entry.options.get(key)
            if option is None:
                raise ConfigError(f"{source}: unknown option 'rules.{name}.{key}'")
            if not option.accepts(value):
                raise ConfigError(f"{source}: 'rules.{name}.{key}' must be {option.expected()}")
        frozen.append((entry.code, _freeze(options)))
    return tuple(sorted(frozen))


def _score(table: Any, source: Path) -> tuple[float, tuple, str]:
    from mldebtlint.core.scoring import DEFAULT_RATIO_MODEL, RATIO_MODELS

    if not isinstance(table, dict):
        raise ConfigError(f"{source}: 'score' must be a table")
    minutes = DEFAULT_MINUTES_PER_LINE
    model = DEFAULT_RATIO_MODEL
    overrides = []
    for key, value in table.items():
        if key == "ratio":
            if value not in RATIO_MODELS:
                choices = " or ".join(f'"{name}"' for name in RATIO_MODELS)
                raise ConfigError(f"{source}: 'score.ratio' must be {choices}")
            model = value
            continue
        if key == "minutes-per-line":
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
                raise ConfigError(f"{source}: 'score.minutes-per-line' must be a positive number")
            minutes = float(value)
            continue
        entry = _rule_for(key, f"score.{key}", source)
        if not isinstance(value, dict):
            raise ConfigError(f"{source}: 'score.{key}' must be a table of effort/impact/risk")
        for field_name, field_value in value.items():
            if field_name not in SCORE_KEYS:
                raise ConfigError(f"{source}: unknown key 'score.{key}.{field_name}'")
            if not isinstance(field_value, int) or isinstance(field_value, bool) or field_value < 0:
                raise ConfigError(f"{source}: 'score.{key}.{field_name}' must be a non-negative integer")
            if field_name != "effort" and not 1 <= field_value <= 5:
                raise ConfigError(f"{source}: 'score.{key}.{field_name}' must be between 1 and 5")
        overrides.append((entry.code, _freeze(value)))
    return minutes, tuple(sorted(overrides)), model


def settings_from_table(table: Mapping[str, Any], source: Path, root: Path) -> Settings:
    values: dict[str, Any] = {"root": str(root), "config_path": str(source)}
    for key, value in table.items():
        if key in ("select", "ignore", "extend-select", "exclude", "extend-exclude"):
            values[key.replace("-", "_")] = _str_list(value, key, source)
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(f"{source}: 'per-file-ignores' must be a table of glob = [codes]")
            values["per_file_ignores"] = tuple(
                (glob, _str_list(codes, f"per-file-ignores.{glob}", source)) for glob, codes in value.items()
            )
        elif key in ("baseline", "cache-dir"):
            if not isinstance(value, str):
                raise ConfigError(f"{source}: '{key}' must be a string")
            values[key.replace("-", "_")] = str(root / value)
        elif key == "preview":
            if not isinstance(value, bool):
                raise ConfigError(f"{source}: 'preview' must be true or false")
            values["preview"] = value
        elif key in ("respect-gitignore", "force-exclude"):
            if not isinstance(value, bool):
                raise ConfigError(f"{source}: '{key}' must be true or false")
            values[key.replace("-", "_")] = value
        elif key == "jobs":
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"{source}: 'jobs' must be a positive integer")
            values["jobs"] = value
        elif key == "rules":
            values["rule_options"] = _rule_options(value, source)
        elif key == "score":
            values["minutes_per_line"], values["score_overrides"], values["ratio_model"] = _score(value, source)
        else:
            raise ConfigError(f"{source}: unknown key '{key}'")
    settings = Settings(**values)
    from mldebtlint.core.selection import validate_selectors

    for key in ("select", "ignore", "extend_select"):
        validate_selectors(getattr(settings, key) or (), f"{source}: '{key.replace('_', '-')}'")
    for glob, codes in settings.per_file_ignores:
        validate_selectors(codes, f"{source}: 'per-file-ignores.{glob}'")
    return settings


def load_settings(first_path: Path, config_file: Path | None = None) -> Settings:
    """Settings for a run whose first path is ``first_path``."""
    source = config_file if config_file is not None else find_config(first_path)
    if source is None:
        return Settings(root=str(_default_root(first_path)))
    if config_file is not None and not config_file.is_file():
        raise ConfigError(f"{config_file}: config file not found")
    data = _read_toml(source)
    if source.name == "pyproject.toml":
        table = data.get("tool", {}).get("mldebtlint", {})
    else:
        table = data
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: [tool.mldebtlint] must be a table")
    return settings_from_table(table, source, source.resolve().parent)


def project_root(path: Path) -> Path:
    """The project root of a run starting at ``path``, as ``load_settings`` finds it."""
    try:
        source = find_config(path)
    except ConfigError:
        source = None
    return source.resolve().parent if source is not None else _default_root(path)


def _default_root(first_path: Path) -> Path:
    """Without config: the enclosing git work tree, else the path's folder."""
    start = first_path.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder

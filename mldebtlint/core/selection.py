"""Which rules run: ``select``/``extend-select``/``ignore`` by code, name or
code prefix (``MLD1`` selects every configuration rule), as in ruff.

Preview rules (``preview = true`` in their catalog entry) run only with
``preview`` on, or when a selector names one exactly (its code or name): a
prefix or ``ALL`` never turns a preview rule on by itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from mldebtlint.core.catalog import load_catalog
from mldebtlint.core.errors import ConfigError


def expand_selector(selector: str) -> set[str]:
    """Codes matched by one selector; empty if it matches nothing."""
    key = selector.strip()
    catalog = load_catalog()
    if key.upper() == "ALL":
        return set(catalog)
    by_name = {entry.name: code for code, entry in catalog.items()}
    if key.lower() in by_name:
        return {by_name[key.lower()]}
    return {code for code in catalog if code.startswith(key.upper())}


def validate_selectors(selectors: Iterable[str], where: str) -> None:
    for selector in selectors:
        if not expand_selector(selector):
            raise ConfigError(f"{where}: unknown rule or prefix '{selector}'")


def exact_code(selector: str) -> str | None:
    """The code a selector names exactly (a full code or a rule name), else None."""
    key = selector.strip()
    for code, entry in load_catalog().items():
        if key.upper() == code or key.lower() == entry.name:
            return code
    return None


def preview_selected_exactly(selectors: Iterable[str], preview: bool) -> list[str]:
    """Preview rules that only run because a selector names them exactly (for a notice)."""
    if preview:
        return []
    catalog = load_catalog()
    codes = {exact_code(selector) for selector in selectors}
    return sorted(code for code in codes if code is not None and catalog[code].preview)


def enabled_codes(
    select: Iterable[str] | None,
    extend_select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    preview: bool = False,
) -> frozenset[str]:
    """Codes enabled after applying select, extend-select and ignore.

    Without ``select`` the catalog's default-enabled rules run. Ignoring is
    applied last, except that a more specific select wins over a broader
    ignore (``ignore = ["MLD1"]``, ``select = ["MLD101"]`` keeps MLD101).
    """
    catalog = load_catalog()
    if select is None:
        codes = {code for code, entry in catalog.items() if entry.default_enabled}
        explicit: dict[str, int] = {}
    else:
        codes = set()
        explicit = {}
        for selector in select:
            for code in expand_selector(selector):
                codes.add(code)
                explicit[code] = max(explicit.get(code, 0), _specificity(selector))
    for selector in extend_select:
        for code in expand_selector(selector):
            codes.add(code)
            explicit[code] = max(explicit.get(code, 0), _specificity(selector))
    for selector in ignore:
        for code in expand_selector(selector):
            if explicit.get(code, 0) <= _specificity(selector):
                codes.discard(code)
    if not preview:
        named = {exact_code(selector) for selector in (*(select or ()), *extend_select)}
        codes = {code for code in codes if not catalog[code].preview or code in named}
    return frozenset(codes)


def _specificity(selector: str) -> int:
    key = selector.strip()
    if key.upper() == "ALL":
        return 0
    if key.upper().startswith("MLD"):
        return len(key)
    return 100  # a rule name is as specific as a full code

"""A cheap import-alias resolver shared by every rule.

libcst's ScopeProvider/QualifiedNameProvider cost several times the parse
itself. ML rules only need to know "what is this call?", i.e. to map a
Name/Attribute chain through the file's imports to a dotted name such as
``torch.optim.Adam``. That is a dictionary lookup once the imports are known.
"""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst


def dotted_name(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a pure Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def attribute_chain(node: cst.BaseExpression) -> list[str]:
    """Trailing attribute names of any expression: ``f(x).a.b`` -> ['a', 'b']."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
    return list(reversed(parts))


def last_name(node: cst.BaseExpression) -> str | None:
    """``f`` of ``f`` or ``a.b.f`` (the callee's own name), else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return None


def _module_name(node: cst.BaseExpression | None) -> str:
    if node is None:
        return ""
    return dotted_name(node) or ""


class ImportResolver:
    """Maps local names bound by imports to fully qualified names."""

    def __init__(self) -> None:
        self.aliases: dict[str, str] = {}
        # Modules imported with ``from m import *`` (fastai's idiom): they bind no
        # name we can resolve, but the file does import them.
        self.star_modules: set[str] = set()

    # -- collecting -------------------------------------------------------
    def add_import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = _module_name(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.aliases[alias.asname.name.value] = full
            else:
                # ``import a.b.c`` binds ``a``; ``a.b.c`` then resolves to itself.
                root = full.split(".", 1)[0]
                self.aliases.setdefault(root, root)

    def add_import_from(self, node: cst.ImportFrom) -> None:
        module = _module_name(node.module)
        if isinstance(node.names, cst.ImportStar):
            if module and not node.relative:
                self.star_modules.add(module)
            return
        if node.relative:
            module = "." * len(node.relative) + module
        for alias in node.names:
            name = _module_name(alias.name)
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            if not module:
                self.aliases[local] = name
            elif module.endswith("."):
                # ``from . import x`` / ``from .. import x``
                self.aliases[local] = module + name
            else:
                self.aliases[local] = f"{module}.{name}"

    def scan_module(self, module: cst.Module) -> None:
        """Collect module-level imports (including those under if/try)."""
        for statement in _top_level_statements(module.body):
            for small in statement.body:
                if isinstance(small, cst.Import):
                    self.add_import(small)
                elif isinstance(small, cst.ImportFrom):
                    self.add_import_from(small)

    # -- querying ---------------------------------------------------------
    def resolve(self, node: cst.BaseExpression) -> str | None:
        """Qualified dotted name if the chain's root is an imported name."""
        name = dotted_name(node)
        if name is None:
            return None
        root, _, rest = name.partition(".")
        target = self.aliases.get(root)
        if target is None:
            return None
        return f"{target}.{rest}" if rest else target

    def qualified_or_local(self, node: cst.BaseExpression) -> str | None:
        """Qualified name if imported, else the local dotted name (or None)."""
        return self.resolve(node) or dotted_name(node)

    def call_name(self, call: cst.Call) -> str | None:
        return self.qualified_or_local(call.func)

    def imports_any(self, prefixes: Iterable[str]) -> bool:
        """Whether any import targets one of these top-level modules."""
        roots = {target.split(".", 1)[0] for target in self.aliases.values()}
        roots.update(module.split(".", 1)[0] for module in self.star_modules)
        return any(prefix in roots for prefix in prefixes)

    def imported_roots(self) -> set[str]:
        roots = {target.lstrip(".").split(".", 1)[0] for target in self.aliases.values()}
        return roots | {module.split(".", 1)[0] for module in self.star_modules}


def _top_level_statements(body: Iterable[cst.CSTNode]) -> Iterable[cst.SimpleStatementLine]:
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            yield statement
        elif isinstance(statement, (cst.If, cst.Try, cst.TryStar, cst.With)):
            yield from _top_level_statements(_block_statements(statement))


def _block_statements(statement: cst.CSTNode) -> list[cst.CSTNode]:
    out: list[cst.CSTNode] = []
    body = getattr(statement, "body", None)
    if isinstance(body, cst.IndentedBlock):
        out.extend(body.body)
    for attr in ("orelse", "finalbody"):
        extra = getattr(statement, attr, None)
        if extra is None:
            continue
        if isinstance(extra, cst.If):
            out.extend(_block_statements(extra))
        elif isinstance(getattr(extra, "body", None), cst.IndentedBlock):
            out.extend(extra.body.body)
    for handler in getattr(statement, "handlers", ()) or ():
        if isinstance(handler.body, cst.IndentedBlock):
            out.extend(handler.body.body)
    return out


def module_constants(module: cst.Module) -> dict[str, cst.BaseExpression]:
    """Module-level ``NAME = value`` assignments (last one wins)."""
    constants: dict[str, cst.BaseExpression] = {}
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign):
                for target in small.targets:
                    if isinstance(target.target, cst.Name):
                        constants[target.target.value] = small.value
            elif isinstance(small, cst.AnnAssign) and small.value is not None:
                if isinstance(small.target, cst.Name):
                    constants[small.target.value] = small.value
    return constants

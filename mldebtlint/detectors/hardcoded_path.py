"""MLD104 hardcoded-path: a machine- or environment-specific data or model location in code."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import libcst as cst

from mldebtlint.knowledge import debt_apis as api
from mldebtlint.rule import Rule
from mldebtlint.syntax.flow import last_name, string_value
from mldebtlint.syntax.identifiers import words

_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def path_kind(text: str, options: Mapping[str, Any]) -> str | None:
    """``bucket``, ``machine`` or ``absolute`` for a location literal, else None."""
    value = text.strip()
    if not value or "\n" in value or len(value) > 300:
        return None
    lowered = value.lower()
    if any(lowered.startswith(scheme) for scheme in options["bucket-schemes"]):
        return "bucket" if len(value) > len(value.split("//", 1)[0]) + 2 else None
    if _WINDOWS_DRIVE.match(value):
        return "machine" if _looks_like_data(value.replace("\\", "/")) else None
    if not value.startswith("/") or value.startswith("//") or " " in value:
        return None
    if any(value.startswith(root) for root in api.SYSTEM_ROOTS):
        return None
    if not _looks_like_data(value):
        return None
    if any(value.startswith(root) and len(value) > len(root) for root in options["machine-roots"]):
        return "machine"
    return "absolute"


def _looks_like_data(value: str) -> bool:
    """Not a code, config or hidden file: ``/app/config/x.json``, ``/.dockerenv``, ``/app/src``."""
    parts = [part.lower() for part in value.replace("\\", "/").split("/") if part]
    if not parts or parts[-1].startswith("."):
        return False
    if any(part in api.CODE_OR_CONFIG_DIRS for part in parts):
        return False
    return not parts[-1].endswith(api.CODE_OR_CONFIG_SUFFIXES)


def _has_data_suffix(value: str) -> bool:
    return value.lower().rstrip("/").endswith(api.DATA_FILE_SUFFIXES)


class HardcodedPath(Rule):
    code = "MLD104"
    CHECK_TESTS = False
    TRIGGERS = ("/", "\\")

    def __init__(self, context, options) -> None:
        super().__init__(context, options)
        # Nodes whose strings are never data locations: docstrings, defaults
        # users override, code paths, decorators (routes).
        self._exempt_depth = 0
        self._calls: list[cst.Call] = []
        self._settings_class_depth = 0
        # Reported at the end of the file: a literal bound to a name that later
        # serves as an overridable default (``os.getenv("OUT", default_out)``) is not debt.
        self._pending: list[tuple[cst.CSTNode, str, str, str, cst.CSTNode | None, str]] = []
        self._default_names: set[str] = set()
        self._assigned: list[str] = []

    # -- exemptions --------------------------------------------------------------
    def visit_Decorator(self, node: cst.Decorator) -> None:
        self._exempt_depth += 1

    def leave_Decorator(self, original_node: cst.Decorator) -> None:
        self._exempt_depth -= 1

    def visit_Parameters(self, node: cst.Parameters) -> None:
        self._exempt_depth += 1  # parameter defaults are the caller's to override

    def leave_Parameters(self, original_node: cst.Parameters) -> None:
        self._exempt_depth -= 1

    def visit_Expr(self, node: cst.Expr) -> None:
        if isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            self._exempt_depth += 1  # docstrings and bare string statements

    def leave_Expr(self, original_node: cst.Expr) -> None:
        if isinstance(original_node.value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            self._exempt_depth -= 1

    # An environment a program sets for another (``ENV_VARS = {...}``,
    # ``DockerOperator(environment={...})``) is configuration, not a use.
    def visit_Assign(self, node: cst.Assign) -> None:
        if self._sets_environment(node):
            self._exempt_depth += 1
        target = node.targets[0].target if len(node.targets) == 1 else None
        self._assigned.append(target.value if isinstance(target, cst.Name) else "")

    def leave_Assign(self, original_node: cst.Assign) -> None:
        if self._sets_environment(original_node):
            self._exempt_depth -= 1
        self._assigned.pop()

    def _sets_environment(self, node: cst.Assign) -> bool:
        return isinstance(node.value, cst.Dict) and any(
            isinstance(target.target, cst.Name) and _is_environment_name(target.target.value) for target in node.targets
        )

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None and _is_environment_name(node.keyword.value):
            self._exempt_depth += 1

    def leave_Arg(self, original_node: cst.Arg) -> None:
        if original_node.keyword is not None and _is_environment_name(original_node.keyword.value):
            self._exempt_depth -= 1

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if self._is_settings_class(node):
            self._settings_class_depth += 1

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        if self._is_settings_class(original_node):
            self._settings_class_depth -= 1

    def _is_settings_class(self, node: cst.ClassDef) -> bool:
        """Settings and config classes: their field defaults are overridden by env, CLI or callers."""
        if node.name.value.endswith(api.CONFIG_CLASS_SUFFIXES):
            return True
        for decorator in node.decorators:
            expression = decorator.decorator
            callee = expression.func if isinstance(expression, cst.Call) else expression
            if last_name(self.names.qualified_or_local(callee)) in ("dataclass", "define", "frozen"):
                return True
        for base in node.bases:
            name = self.names.qualified_or_local(base.value) or ""
            if last_name(name).endswith(api.SETTINGS_BASE_SUFFIXES):
                return True
        return False

    def visit_Call(self, node: cst.Call) -> None:
        self._calls.append(node)
        name = last_name(self.names.call_name(node) or "")
        if name in api.OVERRIDABLE_DEFAULT_CALLS:
            for index, arg in enumerate(node.args):
                default = (arg.keyword is not None and arg.keyword.value in ("default", "default_value")) or (
                    arg.keyword is None and index >= 1 and name in ("getenv", "get", "setdefault")
                )
                if default and isinstance(arg.value, cst.Name):
                    self._default_names.add(arg.value.value)

    def leave_Call(self, original_node: cst.Call) -> None:
        self._calls.pop()

    def _overridable_or_code(self, node: cst.CSTNode) -> bool:
        """Inside a default the user overrides, or a call that locates code."""
        for call in reversed(self._calls):
            name = self.names.call_name(call) or ""
            if name in api.CODE_PATH_CALLS:
                return True
            if last_name(name) in api.OVERRIDABLE_DEFAULT_CALLS:
                for index, arg in enumerate(call.args):
                    if _contains(arg.value, node):
                        if arg.keyword is not None and arg.keyword.value in ("default", "default_value"):
                            return True
                        if arg.keyword is None and index >= 1 and last_name(name) in ("getenv", "get", "setdefault"):
                            return True
                        if arg.keyword is None and index == 0 and last_name(name) in ("Option", "Argument", "Field"):
                            return True
        return False

    def _in_path_call(self) -> bool:
        for call in self._calls:
            name = last_name(self.names.call_name(call) or "")
            if any(word in name for word in api.PATH_USE_CALL_WORDS):
                return True
        return False

    # -- literals ----------------------------------------------------------------
    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self._check(node, string_value(node))

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        # The literal text before the first placeholder: f"/home/{user}/data".
        prefix = ""
        for part in node.parts:
            if not isinstance(part, cst.FormattedStringText):
                break
            prefix += part.value
        if prefix.count("/") >= 2 or "://" in prefix:
            self._check(node, prefix, self.context.module.code_for_node(node))

    def _check(self, node: cst.CSTNode, text: str | None, shown: str | None = None) -> None:
        if text is None or self._exempt_depth or self._settings_class_depth:
            return
        kind = path_kind(text, self.options)
        if kind is None:
            return
        if kind == "absolute" and not (self._in_path_call() or _has_data_suffix(text)):
            return
        if self._overridable_or_code(node):
            return
        statement = self.context.statement_stack[-1] if self.context.statement_stack else None
        assigned = self._assigned[-1] if self._assigned else ""
        self._pending.append((node, text, shown or text, kind, statement, assigned))

    def leave_Module(self, original_node: cst.Module) -> None:
        for node, text, shown, kind, statement, assigned in self._pending:
            if assigned and assigned in self._default_names:
                continue
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            where = {"bucket": "an object-store location", "machine": "a machine-specific absolute path"}.get(
                kind, "an absolute data path"
            )
            self.report(
                node,
                f"{where} '{shown}' is written into the code; read it from config, a CLI argument "
                "or an environment variable (os.environ['DATA_DIR']) so the code runs elsewhere",
                statement=statement,
                path=text,
                kind=kind,
            )


def _is_environment_name(name: str) -> bool:
    return bool(set(words(name)) & api.ENVIRONMENT_WORDS)


def _contains(root: cst.CSTNode, target: cst.CSTNode) -> bool:
    if root is target:
        return True
    return any(_contains(child, target) for child in root.children)

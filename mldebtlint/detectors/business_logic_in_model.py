"""MLD202 business-logic-in-model: business rules inside model code.

Model code is every method of a class deriving (directly, or through a base
class defined earlier in the same file) from a known model base
(``apis.MODEL_BASE_CLASSES``), plus functions and methods named like an
inference entry point (``predict*``, ``forward``, ``infer*``, ``score*``,
``serve*``). Inside it, one finding per statement that

* branches (if / ternary / match / comparison) on a business-domain field,
* compares a categorical field (region, segment, category, ...) with a
  literal or a hard-coded set of ids, or any field with a business literal
  ("gold", "EUR") or a date cut-off,
* does arithmetic on a business field with a literal or another business
  field (``price * 1.19``, ``price - discount``), or
* looks a business field up in a hard-coded table (``TAX_RATES[country]``).

Names carrying an ML token (``price_embedding``, ``price_mean``,
``country_ids``) are model internals, not business fields; a feature that is
only indexed and fed to the model (``self.net(x["price"])``) is fine.
"""

from __future__ import annotations

import datetime
import fnmatch
from collections.abc import Iterable

import libcst as cst

from mldebtlint.knowledge.apis import MODEL_BASE_CLASSES, MODEL_BASE_SUFFIXES
from mldebtlint.knowledge.vocabulary import (
    ARRAY_CONSTRUCTORS,
    ENTITY_ID_NAMES,
    ENTITY_ID_WORDS,
    ENTITY_NOUNS,
    VALUE_PRESERVING_CALLS,
    Vocabulary,
)
from mldebtlint.rule import Rule
from mldebtlint.syntax.identifiers import words
from mldebtlint.syntax.literals import scalar, string
from mldebtlint.syntax.names import dotted_name, last_name

ARITHMETIC = (cst.Add, cst.Subtract, cst.Multiply, cst.Divide, cst.FloorDivide, cst.Modulo, cst.Power)
AUG_ARITHMETIC = (
    cst.AddAssign,
    cst.SubtractAssign,
    cst.MultiplyAssign,
    cst.DivideAssign,
    cst.FloorDivideAssign,
    cst.ModuloAssign,
    cst.PowerAssign,
)
# Calls that cap or floor a value (a literal bound on a price is a business rule).
BOUND_CALLS = frozenset({"clip", "clamp", "clamp_min", "clamp_max", "minimum", "maximum", "min", "max"})
DATE_CALLS = frozenset({"datetime", "date", "Timestamp", "to_datetime", "datetime64"})
RECEIVERS = frozenset({"self", "cls"})
# Option values, not categories: ``segment == "full"``, ``category == "all"``,
# ``plan == "greedy"`` select a code path (or a data split), not a customer group.
GENERIC_VALUES = frozenset(
    {
        "all",
        "any",
        "none",
        "auto",
        "default",
        "full",
        "partial",
        "mean",
        "sum",
        "max",
        "min",
        "first",
        "last",
        "greedy",
        "random",
        "train",
        "training",
        "eval",
        "test",
        "valid",
        "val",
        "validation",
        "both",
        "left",
        "right",
        "top",
        "bottom",
        "center",
        "global",
        "local",
        "unknown",
        "other",
    }
)


class BusinessWords:
    """The configurable business vocabulary, matched on identifier words."""

    def __init__(
        self, strong: Iterable[str], weak: Iterable[str], literals: Iterable[str], ignore: Iterable[str]
    ) -> None:
        self.strong = Vocabulary.of(strong)
        self.weak = Vocabulary.of(weak)
        self.literals = {value.lower() for value in literals}
        self.ignore = Vocabulary.of(value.lower() for value in ignore)

    def classify(self, components: list[str]) -> tuple[str, str] | None:
        """("strong"|"weak", term) for a name's components, None if not business."""
        word_lists = [words(component) for component in components]
        if any(self.ignore.find(found) for found in word_lists):
            return None
        for kind, terms in (("strong", self.strong), ("weak", self.weak)):
            for found in reversed(word_lists):
                term = terms.find(found)
                if term is not None:
                    return kind, term
        return None


# Wrappers a clamp may be nested in: ``min(max(round(discount), 0), 70)``.
_WRAPPERS = frozenset({"round", "int", "float", "abs", "min", "max", "clip", "clamp", "minimum", "maximum"})
# Names of one input record: ``row["segment"] == "slow"`` compares a category.
ROW_NAMES = frozenset({"row", "record", "rec", "item", "sample", "entry", "example", "instance", "features", "x"})


def _names_an_id(name: str) -> bool:
    return bool(ENTITY_ID_WORDS & set(words(name)))


def _names_an_entity_id(name: str) -> bool:
    """``user_id``, ``customerId``, ``iid``; not ``pad_token_id`` or ``device_id``."""
    found = [word.lower() for word in words(name)]
    if name.lower() in ENTITY_ID_NAMES or (found and found[-1] in ENTITY_ID_NAMES):
        return True
    return len(found) >= 2 and found[-1] == "id" and found[-2] in ENTITY_NOUNS


def _literal_id(node: cst.BaseExpression) -> int | None:
    """``302``, ``"302"``, ``str(302)``, ``int("302")``: an entity id written by hand (not 0/1/-1)."""
    if isinstance(node, cst.Call) and last_name(node.func) in ("str", "int") and len(node.args) == 1:
        node = node.args[0].value
    literal = scalar(node)
    if isinstance(literal, str) and literal.isdigit():
        literal = int(literal)
    if not isinstance(literal, int) or isinstance(literal, bool) or literal in (0, 1, -1):
        return None
    return literal


def _batched_literal_id(node: cst.BaseExpression) -> int | None:
    """``torch.tensor([196])`` / ``np.array([302])``: one hand-written id made into a model batch."""
    if not isinstance(node, cst.Call) or last_name(node.func) not in ARRAY_CONSTRUCTORS or not node.args:
        return None
    batch = node.args[0].value
    if not isinstance(batch, (cst.List, cst.Tuple)) or len(batch.elements) != 1:
        return None
    element = batch.elements[0]
    return _literal_id(element.value) if isinstance(element, cst.Element) else None


def _unwrap_bounds(node: cst.BaseExpression) -> cst.BaseExpression:
    """The clamped value inside nested bounds and rounding (its first non-literal argument)."""
    for _ in range(8):
        if not isinstance(node, cst.Call) or last_name(node.func) not in _WRAPPERS:
            return node
        inner = [arg.value for arg in node.args if arg.keyword is None and scalar(arg.value) is None]
        if not inner:
            return node
        node = inner[0]
    return node


def _row_field(node: cst.BaseExpression) -> str | None:
    """``row["Turnover_Label"]`` -> "Turnover_Label" (a field of one input record)."""
    if not isinstance(node, cst.Subscript) or len(node.slice) != 1 or not isinstance(node.value, cst.Name):
        return None
    index = node.slice[0].slice
    key = string(index.value) if isinstance(index, cst.Index) else None
    return key if key is not None and node.value.value.lower() in ROW_NAMES else None


def _is_self_attribute(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value in RECEIVERS


class BusinessLogicInModel(Rule):
    code = "MLD202"
    CHECK_TESTS = False

    def __init__(self, context, options) -> None:
        super().__init__(context, options)
        self.vocab = BusinessWords(
            options["domain-terms"],
            options["categorical-terms"],
            options["business-literals"],
            options["ignore-terms"],
        )
        self.entry_points = tuple(options["model-functions"])
        self.extra_bases = tuple(options["model-bases"])
        self.local_models: set[str] = set()
        # (kind, name, is model code) for each enclosing class/function.
        self.scopes: list[tuple[str, str, bool]] = []
        self.reported: set[int] = set()
        self.assert_depth = 0
        # The id parameter (``user_id``) of each enclosing function, or None.
        self.id_params: list[str | None] = []

    # -- where model code is ---------------------------------------------------
    def _is_model_class(self, node: cst.ClassDef) -> bool:
        for arg in node.bases:
            name = self.names.qualified_or_local(arg.value)
            if not name:
                continue
            if name in MODEL_BASE_CLASSES or name in self.local_models:
                return True
            suffixes = (*MODEL_BASE_SUFFIXES, *self.extra_bases)
            if any(name == suffix or name.endswith("." + suffix) for suffix in suffixes):
                return True
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        model = self._is_model_class(node)
        if model:
            self.local_models.add(node.name.value)
        self.scopes.append(("class", node.name.value, model))

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self.scopes.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        inherited = bool(self.scopes) and self.scopes[-1][2]
        named = any(fnmatch.fnmatchcase(node.name.value, pattern) for pattern in self.entry_points)
        self.scopes.append(("function", node.name.value, inherited or named))
        params = [*node.params.posonly_params, *node.params.params, *node.params.kwonly_params]
        self.id_params.append(next((p.name.value for p in params if _names_an_entity_id(p.name.value)), None))

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scopes.pop()
        self.id_params.pop()

    def _in_model_code(self) -> bool:
        return bool(self.scopes) and self.scopes[-1][0] == "function" and self.scopes[-1][2] and self.assert_depth == 0

    def visit_Assert(self, node: cst.Assert) -> None:
        self.assert_depth += 1  # input validation, not a business rule

    def leave_Assert(self, node: cst.Assert) -> None:
        self.assert_depth -= 1

    # -- what a name is ------------------------------------------------------------
    def components(self, node: cst.BaseExpression) -> list[str] | None:
        """Identifier parts of a field reference (``x["price"]`` -> ['x', 'price'])."""
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value in VALUE_PRESERVING_CALLS
        ):
            return self.components(node.func.value)
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "get"
            and node.args
            and isinstance(string(node.args[0].value), str)
        ):
            return [string(node.args[0].value) or ""]  # ``customer.get("tier")`` is the field "tier"
        if isinstance(node, cst.Name):
            return None if node.value in ("None", "True", "False") else [node.value]
        if isinstance(node, cst.Attribute):
            name = dotted_name(node)
            return [part for part in name.split(".") if part not in RECEIVERS] if name else None
        if isinstance(node, cst.Subscript) and len(node.slice) == 1:
            index = node.slice[0].slice
            key = scalar(index.value) if isinstance(index, cst.Index) else None
            if isinstance(key, str):
                return [key]
            return self.components(node.value)
        return None

    def business(self, node: cst.BaseExpression) -> tuple[str, str] | None:
        parts = self.components(node)
        found = self.vocab.classify(parts) if parts else None
        if found and found[0] == "weak" and _is_self_attribute(node):
            return None  # ``self.categories == "auto"``: an estimator parameter, not data
        return found

    def _constant_collection(self, node: cst.BaseExpression) -> cst.Dict | cst.Set | cst.List | cst.Tuple | None:
        """A literal set/list/tuple/dict of >= 2 ids or names (inline or a module constant)."""
        if isinstance(node, cst.Name) and node.value in self.context.module_constants:
            node = self.context.module_constants[node.value]
        if isinstance(node, cst.Dict):
            keys = [e.key for e in node.elements if isinstance(e, cst.DictElement)]
        elif isinstance(node, (cst.Set, cst.List, cst.Tuple)):
            keys = [e.value for e in node.elements]
        else:
            return None
        if len(keys) >= 2 and all(isinstance(scalar(k), (str, int)) for k in keys):
            return node
        return None

    # -- reporting -------------------------------------------------------------------
    def _report(self, node: cst.CSTNode, what: str) -> None:
        statement = self.context.statement_stack[-1] if self.context.statement_stack else node
        if id(statement) in self.reported:
            return
        self.reported.add(id(statement))
        where = ".".join(name for _, name, _ in self.scopes)
        snippet = " ".join(self.context.module.code_for_node(node).split())
        if len(snippet) > 60:
            snippet = snippet[:57] + "..."
        self.report(
            node,
            f"business rule in model code: {what} in {where} (`{snippet}`); "
            "move it to a post-processing or policy layer driven by config",
        )

    # -- branches -----------------------------------------------------------------
    def visit_If(self, node: cst.If) -> None:
        self._check_truthiness(node.test)

    def visit_IfExp(self, node: cst.IfExp) -> None:
        self._check_truthiness(node.test)

    def _check_truthiness(self, test: cst.BaseExpression) -> None:
        if not self._in_model_code():
            return
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            self._check_truthiness(test.expression)
        elif isinstance(test, cst.BooleanOperation):
            self._check_truthiness(test.left)
            self._check_truthiness(test.right)
        else:
            found = self.business(test)
            if found and found[0] == "strong":
                self._report(test, f"branch on '{found[1]}'")

    def visit_Comparison(self, node: cst.Comparison) -> None:
        if not self._in_model_code():
            return
        left = node.left
        for target in node.comparisons:
            what = self._judge_comparison(left, target.operator, target.comparator)
            if what:
                self._report(node, what)
                return
            left = target.comparator

    def _judge_comparison(
        self, left: cst.BaseExpression, operator: cst.BaseCompOp, right: cst.BaseExpression
    ) -> str | None:
        if isinstance(operator, (cst.Is, cst.IsNot)):
            return None
        sides = (left, right)
        if any(isinstance(side, cst.Name) and side.value == "None" for side in sides):
            return None
        if isinstance(operator, (cst.In, cst.NotIn)):
            return self._judge_membership(left, right)
        for side, other in (sides, sides[::-1]):
            if self._date_literal(side):
                return "date cut-off"
            found = self.business(side)
            if found and found[0] == "strong":
                return f"comparison on '{found[1]}'"
            literal = scalar(other)
            if found and self._categorical_literal(side, literal):
                return f"'{found[1]}' compared with literal {literal!r}"
            if isinstance(literal, str) and literal.lower() in self.vocab.literals and self.components(side):
                return f"comparison with business value {literal!r}"
            field = _row_field(side)
            if field and isinstance(literal, str) and self._categorical_literal(side, literal):
                return f"row field '{field}' compared with category {literal!r}"
        return None

    def _categorical_literal(self, side: cst.BaseExpression, literal: object) -> bool:
        """A categorical field against a category value: any string, or a
        numeric id that is not a sentinel (0, 1, -1 are padding/mask values)."""
        if isinstance(literal, str):  # not a parser's "(" or ",", nor an option value
            return any(char.isalnum() for char in literal) and literal.lower() not in GENERIC_VALUES
        if not isinstance(literal, int) or isinstance(literal, bool) or literal in (0, 1, -1):
            return False
        tokens = words((self.components(side) or [""])[-1])
        return bool({"id", "code"} & set(tokens))

    def _judge_membership(self, left: cst.BaseExpression, right: cst.BaseExpression) -> str | None:
        if isinstance(scalar(left), str):
            return None  # ``"price" in batch``: a key check, not a rule
        found = self.business(left)
        collection = self._constant_collection(right)
        if found and (found[0] == "strong" or collection is not None):
            kind = "hard-coded set of " if collection is not None else "membership test on "
            return f"{kind}'{found[1]}'"
        container = self.business(right)
        if container and container[0] == "strong" and self.components(left):
            return f"membership in '{container[1]}'"
        if collection is not None and self.components(left):
            values = [scalar(e.value) for e in collection.elements]
            business = [v for v in values if isinstance(v, str) and v.lower() in self.vocab.literals]
            if business:
                return f"membership in business values {business[0]!r}"
        return None

    def _date_literal(self, node: cst.BaseExpression) -> bool:
        if isinstance(node, cst.Call):
            name = (dotted_name(node.func) or "").rsplit(".", 1)[-1]
            return name in DATE_CALLS and bool(node.args) and all(scalar(arg.value) is not None for arg in node.args)
        value = scalar(node)
        if isinstance(value, str) and len(value) >= 8 and value[:4].isdigit():
            try:
                datetime.date.fromisoformat(value[:10])
            except ValueError:
                return False
            return True
        return False

    def visit_Match(self, node: cst.Match) -> None:
        if not self._in_model_code():
            return
        found = self.business(node.subject)
        literal_case = any(isinstance(case.pattern, (cst.MatchValue, cst.MatchOr)) for case in node.cases)
        if found and literal_case:
            self._report(node.subject, f"match on '{found[1]}'")

    # -- arithmetic and lookups ------------------------------------------------
    def _judge_arithmetic(self, left: cst.BaseExpression, right: cst.BaseExpression) -> str | None:
        for side, other in ((left, right), (right, left)):
            found = self.business(side)
            if not found or found[0] != "strong":
                continue
            literal = scalar(other)
            if isinstance(literal, (int, float)) and not isinstance(literal, bool):
                return f"arithmetic on '{found[1]}' with literal {literal!r}"
            if self.business(other):
                return f"arithmetic on '{found[1]}'"
        return None

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if self._in_model_code() and isinstance(node.operator, ARITHMETIC):
            what = self._judge_arithmetic(node.left, node.right)
            if what:
                self._report(node, what)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if self._in_model_code() and isinstance(node.operator, AUG_ARITHMETIC):
            what = self._judge_arithmetic(node.target, node.value)
            if what:
                self._report(node, what)

    def visit_Assign(self, node: cst.Assign) -> None:
        """``final_price = pred * 1.19``: a business quantity computed with a magic number."""
        value = node.value
        if self._in_model_code():
            self._check_hard_coded_id(node)
        if not self._in_model_code() or not isinstance(value, cst.BinaryOperation):
            return
        if isinstance(value.operator, ARITHMETIC) and self._judge_arithmetic(value.left, value.right):
            return  # the operation itself is reported, with a better message
        for target in node.targets:
            found = self.business(target.target)
            if found and found[0] == "strong" and self._has_magic_number(node.value):
                self._report(node, f"'{found[1]}' computed with a hard-coded factor")
                return

    def _check_hard_coded_id(self, node: cst.Assign) -> None:
        """``iid = str(302)`` in serving code: one item/customer/product chosen by id."""
        literal = _literal_id(node.value)
        if literal is None:
            return
        for target in node.targets:
            if isinstance(target.target, cst.Name) and _names_an_id(target.target.value):
                self._report(node, f"hard-coded id {target.target.value} = {literal}")
                return

    def _has_magic_number(self, node: cst.BaseExpression) -> bool:
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, ARITHMETIC):
            return any(self._has_magic_number(side) for side in (node.left, node.right))
        value = scalar(node)
        return isinstance(value, (int, float)) and value not in (0, 1, -1)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if not self._in_model_code() or len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return
        table = self._constant_collection(node.value)
        if isinstance(table, cst.Dict):
            found = self.business(node.slice[0].slice.value)
            if found:
                self._report(node, f"hard-coded lookup table keyed by '{found[1]}'")

    def visit_Call(self, node: cst.Call) -> None:
        if not self._in_model_code():
            return
        self._check_id_arguments(node)
        func = node.func
        method = func.attr.value if isinstance(func, cst.Attribute) else ""
        if method == "get" and node.args and isinstance(func, cst.Attribute):
            if isinstance(self._constant_collection(func.value), cst.Dict):
                found = self.business(node.args[0].value)
                if found:
                    self._report(node, f"hard-coded lookup table keyed by '{found[1]}'")
        elif method == "isin" and node.args and isinstance(func, cst.Attribute):
            found = self.business(func.value)
            if found and (found[0] == "strong" or self._constant_collection(node.args[0].value) is not None):
                self._report(node, f"membership test on '{found[1]}'")
        elif (dotted_name(node.func) or "").rsplit(".", 1)[-1] in BOUND_CALLS:
            self._check_bound(node)

    def _check_id_arguments(self, node: cst.Call) -> None:
        """``model.predict(user_id=196)``, or ``torch.tensor([196])`` fed to a model in a
        function that takes a ``user_id``: one entity chosen by hand instead of the request's."""
        id_param = self.id_params[-1] if self.id_params else None
        for arg in node.args:
            if arg.keyword is not None and _names_an_entity_id(arg.keyword.value):
                literal = _literal_id(arg.value)
                if literal is not None:
                    self._report(node, f"hard-coded id {arg.keyword.value}={literal}")
                    return
            batched = _batched_literal_id(arg.value) if id_param else None
            if batched is not None:
                self._report(arg.value, f"hard-coded id {batched} where the parameter '{id_param}' belongs")
                return

    def _check_bound(self, node: cst.Call) -> None:
        """``price.clamp(min=9.99)`` / ``np.clip(price, 0.99, None)``: a price floor or cap."""
        operands = [_unwrap_bounds(arg.value) for arg in node.args]
        if isinstance(node.func, cst.Attribute):
            operands.append(_unwrap_bounds(node.func.value))
        business = next((found for found in map(self.business, operands) if found and found[0] == "strong"), None)
        bounds = [scalar(arg.value) for arg in node.args]
        if business and any(isinstance(b, (int, float)) and not isinstance(b, bool) and b != 0 for b in bounds):
            self._report(node, f"hard-coded bound on '{business[1]}'")

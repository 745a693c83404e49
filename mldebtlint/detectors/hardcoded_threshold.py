"""MLD101 hardcoded-threshold: a numeric literal used as a decision cut-off
on a model output, score, probability, logit, loss or metric.

Precision first: a comparison is flagged only when one side is a numeric
literal (or a local assigned exactly one literal in the same function) and the
other is *recognisably* a score: a name/attribute/string key made of score
words (``proba``, ``val_loss``, ``metrics["f1"]``) without configuration or
count words (``dropout_prob``, ``num_scores``); the output of a scoring call
(``predict_proba(X)[:, 1]``, ``model(x).sigmoid()``) through value-preserving
steps (``.max()``, ``.item()``, indexing) or local variables; or a generic name
(``p``) when the comparison is turned into labels (``np.where(p > 0.7, ...)``).
``threshold=``-like keywords with literals count only in predict/serve code.
The catalog entry's rationale lists what is deliberately not flagged.

No ``TRIGGERS`` pre-filter: the only safe trigger would be ``<``/``>``, which
nearly every Python file contains (``->`` annotations), and keyword findings
depend on configurable names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import libcst as cst

from mldebtlint.knowledge.thresholds import (
    BINARIZING_METHODS,
    COMPARE_METHODS,
    COUNTING_CALLS,
    DEPLOYMENT_BIND_METHODS,
    DEPLOYMENT_DECORATORS,
    DISPLAY_CALLS,
    GENERIC_SCORE_WORDS,
    MAX_DEPTH,
    NON_DECISION_CALLS,
    REPORTING_CALLS,
    ROUTE_DECORATORS,
    STATISTIC_CALL_WORDS,
    STATISTIC_METHODS,
    THRESHOLD_OPERATORS,
    UNKNOWN,
    VALIDATION_ERRORS,
    threshold_options,
)
from mldebtlint.knowledge.vocabulary import (
    VALUE_PRESERVING_ATTRIBUTES,
    VALUE_PRESERVING_CALLS,
    is_config_name,
    names_config,
)
from mldebtlint.rule import Report, Rule
from mldebtlint.syntax.hoist import HoistThreshold
from mldebtlint.syntax.identifiers import words
from mldebtlint.syntax.literals import format_number, real, string
from mldebtlint.syntax.names import attribute_chain, last_name


@dataclass
class Candidate:
    """A threshold found, held until its frame closes: it may turn out to feed
    only a statistic, or to be one rung of a band ladder."""

    report: Report
    node: cst.CSTNode
    values: list[float]
    subject: str = ""
    ladder: int | None = None
    rung: int | None = None  # the branch of the ladder the comparison decides
    sink: str | None = None  # the local name the comparison's result is assigned to
    sink_value: cst.CSTNode | None = None  # the assigned expression holding the comparison
    scope: cst.CSTNode | None = None  # where that name is used
    local: str = ""  # the cut-off is this local name (confirmed at its frame's close)


class Frame:
    """Name bindings of one function (or class body, or the module)."""

    def __init__(self, serving: bool, node: cst.CSTNode | None = None) -> None:
        self.serving = serving
        self.node = node
        self.bindings: dict[str, list[cst.BaseExpression]] = {}
        self.globals: set[str] = set()
        # Comparisons whose cut-off is a local name: confirmed when the frame
        # closes, once every assignment to that name is known.
        self.pending: list[Candidate] = []
        self.candidates: list[Candidate] = []

    def bind(self, name: str, value: cst.BaseExpression) -> None:
        self.bindings.setdefault(name, []).append(value)


class HardcodedThreshold(Rule):
    code = "MLD101"
    CHECK_TESTS = False

    def __init__(self, context, options) -> None:
        super().__init__(context, options)
        self.vocab = threshold_options(options)
        # ``serve.py``, ``inference/app.py``: the whole module is serving code.
        module_parts = PurePosixPath(context.path).with_suffix("").parts[-2:]
        self.frames: list[Frame] = [
            Frame(any(self.vocab.is_serving_name(part) for part in module_parts), context.module)
        ]
        # Comparisons in one if/elif chain, run of ifs or nested ternary/where: id -> ladder.
        self.ladders: dict[int, int] = {}
        self.rungs: dict[int, int] = {}
        self.chained_ifs: set[int] = set()
        # Comparisons whose result is assigned to a local name: id -> name.
        self.sinks: dict[int, tuple[str, cst.CSTNode]] = {}
        self.cast_contexts: set[int] = set()
        # ``x[x < c] = c``: comparisons that select values to clamp, by id -> c.
        self.clamps: dict[int, float] = {}
        # Comparisons that validate arguments or count scores: never decisions.
        self.exempt: set[int] = set()
        self.assert_depth = 0
        # Classes of this module deployed by a serving framework (``@serve.deployment``).
        self.deployments: set[str] = set()

    # -- scopes and bindings ---------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        serving = (
            self.frames[-1].serving
            or self.vocab.is_serving_name(node.name.value)
            or any(self._is_route_decorator(decorator.decorator) for decorator in node.decorators)
        )
        frame = Frame(serving, node)
        params = node.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            frame.bind(param.name.value, UNKNOWN)
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                frame.bind(star.name.value, UNKNOWN)
        self.frames.append(frame)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._close_frame()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        deployed = any(self._is_deployment_decorator(d.decorator) for d in node.decorators)
        if deployed:
            self.deployments.add(node.name.value)
        self.frames.append(Frame(self.frames[-1].serving or deployed))

    def _is_deployment_decorator(self, decorator: cst.BaseExpression) -> bool:
        """``@serve.deployment`` / ``@serve.deployment(num_replicas=2)`` / ``@bentoml.service``."""
        target = decorator.func if isinstance(decorator, cst.Call) else decorator
        qualified = self.names.resolve(target) or ".".join(attribute_chain(target))
        return any(qualified == name or qualified.endswith("." + name) for name in DEPLOYMENT_DECORATORS)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._close_frame()

    def leave_Module(self, original_node: cst.Module) -> None:
        self._close_frame()

    def _close_frame(self) -> None:
        frame = self.frames.pop()
        for candidate in frame.pending:
            values = frame.bindings.get(candidate.local, [])
            if len(values) == 1 and real(values[0]) is not None:
                frame.candidates.append(candidate)
        self._emit(frame.candidates)

    # -- deciding and merging ------------------------------------------------------
    def _candidate(self, node: cst.CSTNode, message: str, values: list[float], what: str = "", **data) -> Candidate:
        # The hoist fix rewrites comparisons, compare calls, keywords and locals, not attributes.
        fix = None if isinstance(node, cst.Attribute) else HoistThreshold(self._innermost_function())
        self.report(node, message, fix=fix, **data)
        report = self.context.reports.pop()
        sink, sink_value = self.sinks.get(id(node), (None, None))
        return Candidate(
            report,
            node,
            values,
            what,
            ladder=self.ladders.get(id(node)),
            rung=self.rungs.get(id(node)),
            sink=sink,
            sink_value=sink_value,
            scope=self.frames[-1].node if sink else None,
        )

    def _innermost_function(self) -> cst.CSTNode | None:
        """The function holding the node being visited (where a hoisted local is assigned)."""
        return next((f.node for f in reversed(self.frames) if isinstance(f.node, cst.FunctionDef)), None)

    def _emit(self, candidates: list[Candidate]) -> None:
        kept = [c for c in candidates if not (c.sink and c.scope is not None and self._only_statistics(c))]
        groups: dict[tuple[int, str], list[Candidate]] = {}
        for candidate in kept:
            if candidate.ladder is not None and candidate.subject and not candidate.local:
                groups.setdefault((candidate.ladder, candidate.subject), []).append(candidate)
        merged: set[int] = set()
        for group in groups.values():
            if len({value for candidate in group for value in candidate.values}) < 2:
                continue  # the same cut-off twice is a repeat, not a ladder of bands
            if len({candidate.rung for candidate in group}) < 2:
                continue  # two comparisons in one condition: one rung, not a ladder
            first = group[0]
            values = [value for candidate in group for value in candidate.values]
            literals = ", ".join(format_number(value) for value in values[:-1]) + f" and {format_number(values[-1])}"
            first.report.message = (
                f"literals {literals} used as thresholds of one band ladder on '{first.subject}';"
                " move the bands to config or named constants"
            )
            first.report.data = {"literals": values, "subject": first.subject}
            merged.update(id(candidate) for candidate in group[1:])
        for candidate in kept:
            if id(candidate) not in merged:
                self.context.reports.append(candidate.report)

    def _only_statistics(self, candidate: Candidate) -> bool:
        """The comparison's result (``y_pred = (proba > 0.5).astype(int)``) is only
        counted, averaged, passed to metric functions or logged: it decides nothing."""
        uses = _uses_of(candidate.scope, candidate.sink, candidate.sink_value or candidate.node)
        return bool(uses) and all(any(self._is_statistic(a) for a in ancestors) for ancestors in uses)

    def _is_statistic(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.For):
            return _only_reports(node.body)  # ``for _, row in selected.iterrows(): print(...)``
        if not isinstance(node, cst.Call):
            return False
        name = last_name(node.func)
        return name is not None and (name in REPORTING_CALLS or STATISTIC_CALL_WORDS.find_in(name) is not None)

    def _is_route_decorator(self, decorator: cst.BaseExpression) -> bool:
        func = decorator.func if isinstance(decorator, cst.Call) else decorator
        return isinstance(func, cst.Attribute) and func.attr.value in ROUTE_DECORATORS

    def visit_Global(self, node: cst.Global) -> None:
        self.frames[-1].globals.update(item.name.value for item in node.names)

    def _bind_target(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            frame = self.frames[0] if target.value in self.frames[-1].globals else self.frames[-1]
            # ``global decision_threshold`` then ``decision_threshold = state[...]``:
            # the module-level name is rebound to something we do not follow.
            frame.bind(target.value, value if frame is self.frames[-1] else UNKNOWN)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_target(element.value, UNKNOWN)
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value, UNKNOWN)

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            for comparison in _result_comparisons(node.value):
                self.sinks[id(comparison)] = (node.targets[0].target.value, node.value)
        for target in node.targets:
            self._bind_target(target.target, node.value)
            self._note_clamp(target.target, node.value)
            self._check_threshold_attribute(target.target, node.value)

    def _check_threshold_attribute(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        """``model.conf = 0.8``: a literal cut-off set on a model object (not on
        ``self``, whose attributes are defaults, nor on a config object)."""
        if not isinstance(target, cst.Attribute) or not self.vocab.is_threshold_keyword(target.attr.value):
            return
        chain = attribute_chain(target)
        if len(chain) < 2 or chain[0] in ("self", "cls") or any(is_config_name(part) for part in chain[:-1]):
            return
        if names_config(chain[-2]):
            return
        value_found = real(value)
        if value_found is not None and self.cutoff(value) is not None:
            message = f"literal {format_number(value_found)} assigned to '{'.'.join(chain)}';"
            message += " move it to config or a named constant"
            subject = ".".join(chain)
            candidate = self._candidate(target, message, [value_found], literals=[value_found], subject=subject)
            self.frames[-1].candidates.append(candidate)

    def _note_clamp(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        """``logits[logits < -88.7] = -88.7`` clamps values; it decides nothing."""
        clamp_to = real(value)
        if clamp_to is None or not isinstance(target, cst.Subscript) or len(target.slice) != 1:
            return
        index = target.slice[0].slice
        if isinstance(index, cst.Index) and isinstance(index.value, cst.Comparison):
            self.clamps[id(index.value)] = clamp_to

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind_target(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind_target(node.target, UNKNOWN)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target, node.value)

    def visit_For(self, node: cst.For) -> None:
        # ``for p in probs:`` -> ``p`` is an element of ``probs``.
        self._bind_target(node.target, cst.Subscript(node.iter, [cst.SubscriptElement(cst.Index(cst.Name("_")))]))

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self.visit_For(node)  # type: ignore[arg-type]

    def _bind_comprehension(self, node: cst.BaseExpression) -> None:
        # The element is visited before its ``for``: bind the targets first.
        for_in = getattr(node, "for_in", None)
        while for_in is not None:
            self.visit_CompFor(for_in)
            for_in = for_in.inner_for_in

    visit_ListComp = visit_SetComp = visit_GeneratorExp = visit_DictComp = _bind_comprehension

    def visit_With(self, node: cst.With) -> None:
        for item in node.items:
            if item.asname is not None:
                self._bind_target(item.asname.name, UNKNOWN)

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._ladders_of(node.body)

    def visit_Module(self, node: cst.Module) -> None:
        self._ladders_of(node.body)

    def _ladders_of(self, body: Iterable[cst.BaseStatement]) -> None:
        """Runs of ``if`` statements (with their elif chains) are one ladder each."""
        run: list[cst.If] = []
        for statement in (*body, None):
            if isinstance(statement, cst.If):
                run.append(statement)
                continue
            if run:
                ladder = id(run[0])
                for head in run:
                    branch: cst.BaseSuite | cst.If | cst.Else | None = head
                    while isinstance(branch, cst.If):
                        self.chained_ifs.add(id(branch))
                        for comparison in _test_comparisons(branch.test):
                            self.ladders.setdefault(id(comparison), ladder)
                            self.rungs.setdefault(id(comparison), id(branch))
                        if _only_reports(branch.body, self._shown_only) and (
                            branch.orelse is None or branch is not head
                        ):
                            self._exempt_comparisons(branch.test)
                        branch = branch.orelse
            run = []

    def _shown_only(self, name: str) -> bool:
        """A list whose every read in this scope is an append, a display (a bare expression,
        ``low_confidence[0:3]`` in a notebook) or a print/log/display argument: examples
        collected for a person to look at, which decide nothing."""
        frame = self.frames[-1]
        # A list made here (a parameter or an outer list may be consumed by the caller).
        if frame.node is None or not any(isinstance(v, cst.List) for v in frame.bindings.get(name, ())):
            return False
        visitor = _Uses(name, None)
        visitor.started = True
        (frame.node.body if isinstance(frame.node, cst.FunctionDef) else frame.node).visit(visitor)
        shown = [ancestors for ancestors in visitor.found if not _appends(ancestors)]
        return bool(shown) and all(_shows(ancestors) for ancestors in shown)

    def visit_IfExp(self, node: cst.IfExp) -> None:
        """``"High" if p > 0.7 else "Medium" if p > 0.4 else "Low"``: one ladder."""
        if id(node) in self.chained_ifs:
            return
        branch: cst.BaseExpression = node
        while isinstance(branch, cst.IfExp):
            self.chained_ifs.add(id(branch))
            for comparison in _test_comparisons(branch.test):
                self.ladders.setdefault(id(comparison), id(node))
                self.rungs.setdefault(id(comparison), id(branch))
            branch = branch.orelse

    def visit_If(self, node: cst.If) -> None:
        """``if level <= 0.5: raise ValueError(...)`` validates input, decides nothing."""
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
        if len(body) != 1 or not isinstance(body[0], cst.SimpleStatementLine):
            return
        raised = body[0].body[0] if body[0].body else None
        if isinstance(raised, cst.Raise) and raised.exc is not None:
            error = raised.exc.func if isinstance(raised.exc, cst.Call) else raised.exc
            if last_name(error) in VALIDATION_ERRORS:
                self._exempt_comparisons(node.test)

    def _exempt_comparisons(self, test: cst.BaseExpression) -> None:
        for comparison in _test_comparisons(test):
            self.exempt.add(id(comparison))

    def _where_ladder(self, node: cst.Call) -> None:
        """``np.where(p >= 0.7, "High", np.where(p >= 0.3, "Medium", "Low"))``: one ladder."""
        if id(node) in self.chained_ifs:
            return
        call: cst.BaseExpression = node
        while isinstance(call, cst.Call) and last_name(call.func) == "where" and len(call.args) == 3:
            self.chained_ifs.add(id(call))
            for comparison in _test_comparisons(call.args[0].value):
                self.ladders.setdefault(id(comparison), id(node))
                self.rungs.setdefault(id(comparison), id(call))
            call = call.args[2].value

    def visit_Assert(self, node: cst.Assert) -> None:
        self.assert_depth += 1

    def leave_Assert(self, original_node: cst.Assert) -> None:
        self.assert_depth -= 1

    # -- what is a score? ------------------------------------------------------
    def _config_chain(self, node: cst.BaseExpression) -> bool:
        return any(is_config_name(part) for part in attribute_chain(node)[:-1])

    def describe_score(self, node: cst.BaseExpression, cast: bool = False, depth: int = 0) -> str | None:
        """None if ``node`` is not recognisably a score, else its origin
        ("" when its name says it all, e.g. ``"predict_proba output"``)."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(node, cst.Name):
            return self._describe_name(node.value, cast, depth)
        if isinstance(node, cst.Attribute):
            if node.attr.value in VALUE_PRESERVING_ATTRIBUTES:
                return self.describe_score(node.value, cast, depth + 1)
            if self.vocab.is_score_identifier(node.attr.value) and not self._config_chain(node):
                return ""
            return None
        if isinstance(node, cst.Subscript):
            return self._describe_subscript(node, cast, depth)
        if isinstance(node, cst.Call):
            return self._describe_call(node, cast, depth)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Subtract):
            # ``baseline_ndcg - ndcg > 0.02``: a gate on a metric's change.
            for side in (node.left, node.right):
                origin = self.describe_score(side, cast, depth + 1)
                if origin is not None:
                    return origin
        return None

    def _describe_name(self, name: str, cast: bool, depth: int) -> str | None:
        if name.isupper():
            return None
        origins = []
        for value in self.frames[-1].bindings.get(name, ()):
            if value is not UNKNOWN:
                origin = self.describe_score(value, False, depth + 1)
                if origin is not None:
                    origins.append(origin)
        if origins or self.vocab.is_score_identifier(name):
            # Prefer a known origin ("predict_proba output") for the message.
            return next((origin for origin in origins if origin), "")
        if cast and name.lower() in self.vocab.cast_names:
            return ""
        return None

    def _describe_subscript(self, node: cst.Subscript, cast: bool, depth: int) -> str | None:
        if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            key = string(node.slice[0].slice.value)
            if key is not None:
                if self.vocab.is_score_identifier(key) and not self._config_chain(node.value):
                    if not (isinstance(node.value, cst.Name) and is_config_name(node.value.value)):
                        return ""
                return None
        return self.describe_score(node.value, cast, depth + 1)

    def _describe_call(self, node: cst.Call, cast: bool, depth: int) -> str | None:
        name = last_name(node.func)
        if name is None:
            return None
        if name in self.vocab.score_functions:
            return f"{name} output"
        if name in ("get", "pop") and node.args and isinstance(node.func, cst.Attribute):
            key = string(node.args[0].value)
            receiver = node.func.value
            if key is not None and self.vocab.is_score_identifier(key) and not self._config_chain(node.func):
                if not (isinstance(receiver, cst.Name) and is_config_name(receiver.value)):
                    return ""
            return None
        if name in VALUE_PRESERVING_CALLS:
            source = self._preserved_operand(node)
            if name == "abs" and isinstance(source, cst.BinaryOperation):
                return None  # ``abs(a - b) < 1e-3``: a tolerance on a difference
            return None if source is None else self.describe_score(source, cast, depth + 1)
        if self.vocab.is_score_identifier(name) and not self._config_chain(node.func):
            return f"{name}() result"
        return None

    def _preserved_operand(self, node: cst.Call) -> cst.BaseExpression | None:
        """``x`` of ``x.max()``, or of ``np.max(x)`` / ``float(x)``."""
        func = node.func
        module_call = isinstance(func, cst.Name) or (
            isinstance(func, cst.Attribute) and self.names.resolve(func.value) is not None
        )
        if module_call:
            positional = [arg for arg in node.args if arg.keyword is None and not arg.star]
            return positional[0].value if positional else None
        return func.value if isinstance(func, cst.Attribute) else None

    # -- what is a cut-off? ----------------------------------------------------
    def cutoff(self, node: cst.BaseExpression) -> tuple[float, str] | None:
        """(value, local name or "") for a literal cut-off that is not allowed."""
        value = real(node)
        local = ""
        if value is None and isinstance(node, cst.Name) and not node.value.isupper():
            values = self._binding_frame(node.value).bindings.get(node.value, ())
            if len(values) == 1 and not self.vocab.is_score_identifier(node.value):
                value = real(values[0])
                local = node.value
        if value is None or value in self.vocab.allowed or abs(value) <= self.vocab.max_tolerance:
            return None
        return value, local

    def _binding_frame(self, name: str) -> Frame:
        """The frame whose binding of ``name`` is visible here: the current
        one, else the module (a script's ``threshold = 0.5`` used in a
        function); names bound in an enclosing function are not followed."""
        if name in self.frames[-1].bindings or any(name in frame.bindings for frame in self.frames[1:-1]):
            return self.frames[-1]
        return self.frames[0]

    # -- comparisons -------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        name = last_name(node.func)
        if name == "where" and node.args:
            self.cast_contexts.add(id(node.args[0].value))
            self._where_ladder(node)
        elif name in BINARIZING_METHODS and isinstance(node.func, cst.Attribute):
            self.cast_contexts.add(id(node.func.value))
        elif name in COUNTING_CALLS and len(node.args) == 1:
            counted = node.args[0].value
            if isinstance(counted, (cst.GeneratorExp, cst.ListComp)) and isinstance(counted.elt, cst.Comparison):
                self.exempt.add(id(counted.elt))
            elif isinstance(counted, (cst.List, cst.Tuple)):
                for element in counted.elements:  # a scorecard: sum([recall >= 0.5, auc >= 0.9])
                    self._exempt_comparisons(element.value)
            else:
                self._exempt_comparisons(counted)  # np.sum(scores < 0.6)
        if name in STATISTIC_METHODS and isinstance(node.func, cst.Attribute):
            self._exempt_comparisons(node.func.value)  # (scores < 0.6).sum(), (pred > 0.5).mean()
        if self.assert_depth:
            return
        if name in COMPARE_METHODS:
            self._check_compare_call(node)
        # In predict/serve code, or a call into it (``model.predict(img, conf=0.35)``).
        if (
            self.frames[-1].serving
            or (name is not None and self.vocab.is_serving_name(name))
            or self._binds_deployment(node)
        ):
            self._check_keywords(node, name)

    def _binds_deployment(self, node: cst.Call) -> bool:
        """``ModelDeployment.bind(run_id=run_id, threshold=0.9)`` of a deployed class."""
        func = node.func
        return (
            isinstance(func, cst.Attribute)
            and func.attr.value in DEPLOYMENT_BIND_METHODS
            and isinstance(func.value, cst.Name)
            and func.value.value in self.deployments
        )

    def _check_compare_call(self, node: cst.Call) -> None:
        func = node.func
        args = [arg.value for arg in node.args if arg.keyword is None and not arg.star]
        if isinstance(func, cst.Attribute) and self.names.resolve(func.value) is None and len(args) == 1:
            self._check_pair(node, func.value, [args[0]], False)
        elif len(args) == 2:
            self._check_pair(node, args[0], [args[1]], False)

    def visit_Comparison(self, node: cst.Comparison) -> None:
        if self.assert_depth or id(node) in self.exempt:
            return
        cast = id(node) in self.cast_contexts
        operands = [node.left] + [target.comparator for target in node.comparisons]
        if not all(isinstance(target.operator, THRESHOLD_OPERATORS) for target in node.comparisons):
            return
        scores = [i for i, operand in enumerate(operands) if self.describe_score(operand, cast) is not None]
        if not scores:
            return
        score_index = scores[0]
        others = [operand for i, operand in enumerate(operands) if i != score_index]
        self._check_pair(node, operands[score_index], others, cast)

    def _check_pair(
        self, node: cst.CSTNode, score: cst.BaseExpression, candidates: Iterable[cst.BaseExpression], cast: bool
    ) -> None:
        origin = self.describe_score(score, cast)
        if origin is None:
            return
        cutoffs = [
            found
            for found in map(self.cutoff, candidates)
            if found is not None and self.clamps.get(id(node)) != found[0]
        ]
        if not cutoffs:
            return
        target = self._snippet(score)
        suffix = f" ({origin})" if origin else ""
        if self._ordinal_level(score, cutoffs):
            return
        for value, local in cutoffs:
            if local:
                message = (
                    f"literal {format_number(value)} (local '{local}') used as threshold on '{target}'{suffix};"
                    " move it to config or a named constant"
                )
                data = {"literals": [value], "subject": target, "local": local}
                candidate = self._candidate(node, message, [value], target, **data)
                candidate.local = local
                self._binding_frame(local).pending.append(candidate)
                return
        values = [value for value, _ in cutoffs]
        literals = " and ".join(format_number(value) for value in values)
        noun = "literals" if len(cutoffs) > 1 else "literal"
        message = f"{noun} {literals} used as threshold on '{target}'{suffix}; move it to config or a named constant"
        self.frames[-1].candidates.append(
            self._candidate(node, message, values, target, literals=values, subject=target)
        )

    def _ordinal_level(self, score: cst.BaseExpression, cutoffs: list[tuple[float, str]]) -> bool:
        """``severity_score >= 3``, ``score >= 4``: whole numbers of 2 and more
        against a subject named only by a generic word are levels or counts."""
        if not all(value.is_integer() and 2 <= abs(value) <= 10 for value, _ in cutoffs):
            return False
        name = last_name(score) if isinstance(score, (cst.Name, cst.Attribute)) else None
        if name is None and isinstance(score, cst.Subscript) and len(score.slice) == 1:
            index = score.slice[0].slice
            name = string(index.value) if isinstance(index, cst.Index) else None
        return name is not None and set(words(name)) <= GENERIC_SCORE_WORDS

    def _check_keywords(self, node: cst.Call, name: str | None) -> None:
        if name is None or name in NON_DECISION_CALLS:
            return
        if names_config(name):
            return
        for arg in node.args:
            if arg.keyword is None or not self.vocab.is_threshold_keyword(arg.keyword.value):
                continue
            found = self.cutoff(arg.value)
            if found is None:
                continue
            message = (
                f"literal {format_number(found[0])} passed as '{arg.keyword.value}' to {name}() in predict/serve"
                " code; move it to config or a named constant"
            )
            data: dict[str, Any] = {"literals": [found[0]], "subject": arg.keyword.value, "call": name}
            if found[1]:
                candidate = self._candidate(arg, message, [found[0]], "", **dict(data, local=found[1]))
                candidate.local = found[1]
                self._binding_frame(found[1]).pending.append(candidate)
            else:
                self.frames[-1].candidates.append(self._candidate(arg, message, [found[0]], "", **data))

    def _snippet(self, node: cst.CSTNode) -> str:
        text = " ".join(self.context.module.code_for_node(node).split())
        return text if len(text) <= 48 else text[:45] + "..."


_COMBINING = (cst.BitAnd, cst.BitOr)


def _test_comparisons(test: cst.BaseExpression) -> list[cst.Comparison]:
    """Comparisons combined by and/or/not/&/|/~ into one test."""
    if isinstance(test, cst.Comparison):
        return [test]
    if isinstance(test, cst.BooleanOperation):
        return _test_comparisons(test.left) + _test_comparisons(test.right)
    if isinstance(test, cst.BinaryOperation) and isinstance(test.operator, _COMBINING):
        return _test_comparisons(test.left) + _test_comparisons(test.right)
    if isinstance(test, cst.UnaryOperation):
        return _test_comparisons(test.expression)
    return []


def _result_comparisons(value: cst.BaseExpression) -> list[cst.Comparison]:
    """Comparisons whose boolean result *is* ``value``: ``(p > 0.5).astype(int)``,
    ``(p >= 0.8) & ~correct``."""
    while (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Attribute)
        and value.func.attr.value in BINARIZING_METHODS
    ):
        value = value.func.value
    if isinstance(value, cst.IfExp):  # ``(p > 0.5).astype(int) if p.dtype == float else p``
        return _result_comparisons(value.body) + _result_comparisons(value.orelse)
    if isinstance(value, cst.Subscript) and len(value.slice) == 1 and isinstance(value.slice[0].slice, cst.Index):
        return _test_comparisons(value.slice[0].slice.value)  # ``df[df["psi"] > 0.2]``: rows selected by a mask
    return _test_comparisons(value)


def _only_reports(body: cst.BaseSuite, shown_only: Callable[[str], bool] | None = None) -> bool:
    """A block that only prints, logs or appends text (advice, a strengths list), or appends
    anything to a list that is only ever shown (``shown_only``: error analysis in a notebook)."""
    statements = body.body if isinstance(body, cst.IndentedBlock) else [body]
    if not statements:
        return False
    # Locals computed only for the message: ``worst = acc.idxmin()`` then ``notes.append(f"...{worst}")``.
    message_locals: list[str] = []
    reported_text = ""
    for statement in statements:
        if not isinstance(statement, cst.SimpleStatementLine):
            return False
        for small in statement.body:
            if (
                isinstance(small, cst.Assign)
                and len(small.targets) == 1
                and isinstance(small.targets[0].target, cst.Name)
            ):
                message_locals.append(small.targets[0].target.value)
                continue
            if not isinstance(small, cst.Expr) or not isinstance(small.value, cst.Call):
                return False
            call = small.value
            name = last_name(call.func)
            if name not in REPORTING_CALLS:
                return False
            if name in ("append", "extend", "add_row", "write") and not all(_is_text(arg.value) for arg in call.args):
                receiver = call.func.value if isinstance(call.func, cst.Attribute) else None
                if not (isinstance(receiver, cst.Name) and shown_only is not None and shown_only(receiver.value)):
                    return False
            reported_text += " ".join(_names_in(arg.value) for arg in call.args) + " "
    return all(f" {local} " in f" {reported_text} " for local in message_locals)


def _appends(ancestors: list[cst.CSTNode]) -> bool:
    parent = ancestors[0] if ancestors else None
    return isinstance(parent, cst.Attribute) and parent.attr.value in ("append", "extend")


def _shows(ancestors: list[cst.CSTNode]) -> bool:
    """One read of a collected list (ancestors innermost first): displayed as a
    notebook cell's value (sliced or not), printed, logged or displayed."""
    for node in ancestors:
        if isinstance(node, cst.Call):
            name = last_name(node.func)
            return name in DISPLAY_CALLS or name in REPORTING_CALLS - {"append", "extend", "write", "add_row"}
        if isinstance(node, cst.Expr):
            return True  # a bare expression statement: the value is shown
        if not isinstance(node, (cst.Arg, cst.Subscript, cst.SubscriptElement, cst.Index, cst.Slice)):
            return False
    return False


def _names_in(node: cst.CSTNode) -> str:
    found: list[str] = []

    class Names(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            found.append(name.value)

    node.visit(Names())
    return " ".join(found)


def _is_text(node: cst.BaseExpression) -> bool:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
        return True
    return isinstance(node, cst.Call) and last_name(node.func) == "format" and isinstance(node.func, cst.Attribute)


class _Uses(cst.CSTVisitor):
    """Every read of one name in a scope, each with its ancestors (innermost last)."""

    def __init__(self, name: str, skip: cst.CSTNode | None) -> None:
        self.name = name
        self.skip = skip
        self.stack: list[cst.CSTNode] = []
        self.found: list[list[cst.CSTNode]] = []
        self.started = False

    def on_visit(self, node: cst.CSTNode) -> bool:
        if node is self.skip:
            self.started = True  # reads before the comparison are of an older value
            return False
        if isinstance(node, cst.Name) and node.value == self.name and self.started:
            parent = self.stack[-1] if self.stack else None
            is_target = isinstance(parent, cst.AssignTarget) or (
                isinstance(parent, (cst.AugAssign, cst.AnnAssign)) and parent.target is node
            )
            if not is_target:
                self.found.append(list(reversed(self.stack)))
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)) and self.stack:
            return False  # another scope
        self.stack.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if self.stack and self.stack[-1] is original_node:
            self.stack.pop()


def _uses_of(scope: cst.CSTNode | None, name: str | None, comparison: cst.CSTNode) -> list[list[cst.CSTNode]]:
    if scope is None or name is None:
        return []
    visitor = _Uses(name, comparison)
    body = scope.body if isinstance(scope, cst.FunctionDef) else scope
    body.visit(visitor)
    return visitor.found

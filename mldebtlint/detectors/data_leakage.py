"""MLD501 data-leakage: a preprocessor, selector, imputer, encoder or resampler
fitted on data that is split or cross-validated afterwards, or fitted on the
held-out split itself.

Each scope (the script, each function) is followed statement by statement.
A fit of a stateful step taints the data it was fitted on (``.fit(X)``) or the
data it returns (``X2 = scaler.fit_transform(X)``); taint follows assignments
and column selections (``X = df_scaled[cols]``) and the file's own helpers
(a helper that returns fitted data, a helper that splits its argument). A
later split or cross-validation of tainted data is the leak: one finding at
the fit, ``related`` pointing at the split.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import libcst as cst
from libcst.metadata import PositionProvider

from mldebtlint.core.types import Related
from mldebtlint.graph.coverage_facts import resolve_relative
from mldebtlint.graph.facts import module_name
from mldebtlint.knowledge import debt_apis as api
from mldebtlint.rule import FactCollector, FileContext, Report, RepoRule
from mldebtlint.syntax.flow import (
    assignment_parts,
    calls_in,
    enclosing_statement,
    function_body,
    keyword,
    last_name,
    local_functions,
    names_in,
    ordered_statements,
    positional,
    statement_calls,
    target_names,
)
from mldebtlint.syntax.identifiers import words
from mldebtlint.syntax.names import ImportResolver, dotted_name

_MAX_DEPTH = 4


@dataclass(frozen=True, eq=False)
class Fit:
    """A leaking fit: its call and what was fitted (or a helper parameter, for summaries)."""

    call: cst.Call | None
    what: str
    parameter: int = -1
    # In a helper's summary: the module-level name the helper reads (its caller decides).
    global_name: str = ""
    # Earlier leaking fits whose output this fit was fitted on (scaler, then selector).
    upstream: tuple[Fit, ...] = ()
    # The value of a call to a function of another module of the repo (resolved in the repo phase).
    imported: str = ""

    @property
    def placeholder(self) -> bool:
        return self.parameter >= 0 or bool(self.global_name) or bool(self.imported)


@dataclass
class Summary:
    returns: Fit | None = None
    splits_parameters: dict[int, cst.Call] = field(default_factory=dict)
    splits_globals: dict[str, cst.Call] = field(default_factory=dict)


def held_out(name: str) -> bool:
    return any(word in api.HELD_OUT_WORDS for word in words(name))


class LeakageScope:
    """The data flow of one scope, in source order."""

    def __init__(self, analysis: LeakageAnalysis, depth: int, summarising: bool = False) -> None:
        self.analysis = analysis
        self.names = analysis.names
        self.depth = depth
        self.objects: dict[str, str] = {}  # variable -> kind ("fit", "splitter", "search")
        self.tainted: dict[str, Fit] = {}
        self.returns: Fit | None = None
        # A helper being summarised: names it never binds are the caller's globals.
        self.summarising = summarising
        self.bound: set[str] = set()
        # Fits produced by calls of the current statement (``split(scaler.fit_transform(X))``).
        self.call_fits: dict[int, Fit] = {}

    # -- classification ---------------------------------------------------------
    def constructor_kind(self, node: cst.BaseExpression) -> str | None:
        if isinstance(node, cst.Name):
            return self.objects.get(node.value)
        if not isinstance(node, cst.Call):
            return None
        name = last_name(self.names.call_name(node))
        if name in api.LEAKY_PREPROCESSORS or name in api.RESAMPLERS:
            return "fit"
        if name in api.PREPROCESSING_CONTAINERS:
            inner = {last_name(self.names.call_name(call)) for call in calls_in(node) if call is not node}
            return (
                "fit" if inner & (api.LEAKY_PREPROCESSORS | api.RESAMPLERS) and not self._ends_in_model(node) else None
            )
        if name in api.SPLITTERS:
            return "splitter"
        if name in api.CV_SEARCHES:
            return "search"
        return None

    def _ends_in_model(self, node: cst.Call) -> bool:
        """A Pipeline whose last step is an estimator is a model, not a preprocessor."""
        steps = [call for call in calls_in(node) if call is not node]
        if not steps:
            return False
        last = last_name(self.names.call_name(steps[-1]))
        return last not in api.LEAKY_PREPROCESSORS and last not in api.RESAMPLERS and last[:1].isupper()

    def receiver_label(self, node: cst.BaseExpression) -> str:
        if isinstance(node, cst.Call):
            return last_name(self.names.call_name(node))
        return self.analysis.module.code_for_node(node)

    def tainted_in(self, node: cst.CSTNode) -> Fit | None:
        for inner in calls_in(node):
            if id(inner) in self.call_fits:
                return self.call_fits[id(inner)]
        names = sorted(names_in(node))
        found = [self.tainted[name] for name in names if name in self.tainted]
        real = [fit for fit in found if not fit.placeholder]
        if real or found:
            return (real or found)[0]
        if self.summarising:
            for name in names:
                if name not in self.bound and name not in self.names.aliases:
                    return Fit(None, name, global_name=name)
        return None

    # -- statements -------------------------------------------------------------
    def run(self, body: list[cst.CSTNode]) -> None:
        for statement in ordered_statements(body):
            produced: Fit | None = None
            self.call_fits = {}
            for call in statement_calls(statement):
                fit = self.on_call(call)
                if fit is not None:
                    self.call_fits[id(call)] = fit
                    produced = produced or fit
            parts = assignment_parts(statement)
            if parts is not None:
                self.assign(parts[0], parts[1], produced)
                if produced is not None and produced.call is not None and _fits_data(produced.call):
                    targets = [name for target in parts[0] for name in target_names(target)]
                    if any(held_out(name) for name in targets):
                        self.analysis.report_held_out(produced.call, produced.what, ", ".join(targets))
            elif isinstance(statement, cst.For):
                flowing = self.tainted_in(statement.iter)
                for name in target_names(statement.target):
                    self.bound.add(name)
                    self._bind(name, flowing)
            elif isinstance(statement, cst.Return) and statement.value is not None:
                self.returns = self.returns or produced or self.tainted_in(statement.value)

    def assign(self, targets: list[cst.BaseExpression], value: cst.BaseExpression, produced: Fit | None) -> None:
        kind = self.constructor_kind(value)
        flowing = produced or self.tainted_in(value)
        for target in targets:
            for name in target_names(target):
                self.bound.add(name)
                if isinstance(target, cst.Name):
                    if kind is not None:
                        self.objects[name] = kind
                    else:
                        self.objects.pop(name, None)
                    self._bind(name, flowing)
                elif flowing is not None:  # df[cols] = scaler.fit_transform(df[cols])
                    self.tainted[name] = flowing

    def _taint(self, name: str, fit: Fit) -> None:
        """Mark ``name`` as fitted-on; an earlier real fit stays the one reported."""
        current = self.tainted.get(name)
        if current is None or current.placeholder:
            self.tainted[name] = fit

    def _bind(self, name: str, fit: Fit | None) -> None:
        if fit is None:
            self.tainted.pop(name, None)
        else:
            self.tainted[name] = fit

    # -- calls ------------------------------------------------------------------
    def on_call(self, call: cst.Call) -> Fit | None:
        """Handle one call; return the Fit whose output the call's value carries."""
        func = call.func
        helper = self.analysis.local_callee(call)
        if helper is not None and self.depth < _MAX_DEPTH:
            return self.on_helper(call, helper)
        imported = self.analysis.repo_callee(call)
        if imported:
            return self.on_imported(call, imported)
        name = last_name(self.names.call_name(call))
        if name in api.SPLIT_FUNCTIONS:
            self.check_split(call, positional(call), "train_test_split")
        elif name in api.CROSS_VALIDATION_FUNCTIONS:
            data = positional(call)[1:2] + [arg.value for arg in call.args if arg.keyword and arg.keyword.value == "X"]
            self.check_split(call, data, name)
        if not isinstance(func, cst.Attribute):
            return None
        method = func.attr.value
        kind = self.constructor_kind(func.value)
        data = positional(call)[:1] or [arg.value for arg in call.args if arg.keyword and arg.keyword.value == "X"]
        if method == "split" and kind == "splitter":
            self.check_split(call, data[:1], self.receiver_label(func.value) + ".split")
        elif method == "fit" and kind == "search":
            self.check_split(call, data, self.receiver_label(func.value) + ".fit")
        elif method == "sample" and keyword(call, "frac") is not None:
            self.check_split(call, [func.value], ".sample(frac=...)")
        elif method in api.FIT_CALLS and kind == "fit" and data:
            return self.on_fit(call, func.value, method, data[0])
        elif method == "fillna":
            return self.on_fillna(call, func.value)
        elif method in ("append", "extend") and isinstance(func.value, cst.Name) and held_out(func.value.value):
            # X_valid.append(scaler.fit_transform(fold_rows)): fitted on the held-out part.
            for inner in calls_in(call):
                step = inner.func
                if inner is not call and _fits_data(inner) and isinstance(step, cst.Attribute):
                    if self.constructor_kind(step.value) == "fit":
                        self.analysis.report_held_out(inner, self.receiver_label(step.value), func.value.value)
        return None

    def on_fit(self, call: cst.Call, receiver: cst.BaseExpression, method: str, data: cst.BaseExpression) -> Fit | None:
        label = self.receiver_label(receiver)
        data_names = sorted(names_in(data))
        if any(held_out(name) for name in data_names):
            self.analysis.report_held_out(call, label, self.analysis.module.code_for_node(data))
            return None
        earlier = self.tainted_in(data)
        upstream = (earlier, *earlier.upstream) if earlier is not None and not earlier.placeholder else ()
        fit = Fit(call, f"{label}.{method}({self.analysis.module.code_for_node(data)})", upstream=upstream)
        if method == "fit":
            for name in data_names:
                self._taint(name, fit)
            return None
        return fit

    def on_fillna(self, call: cst.Call, receiver: cst.BaseExpression) -> Fit | None:
        roots = names_in(receiver)
        for inner in calls_in(call):
            if (
                inner is not call
                and isinstance(inner.func, cst.Attribute)
                and inner.func.attr.value in api.FILL_STATISTICS
                and names_in(inner.func.value) & roots
            ):
                fit = Fit(call, f"fillna with {inner.func.attr.value}() of all rows")
                for name in roots:
                    self._taint(name, fit)
                return fit
        return None

    def on_helper(self, call: cst.Call, helper: str) -> Fit | None:
        summary = self.analysis.summary(helper, self.depth + 1)
        arguments = positional(call)
        for index, split_call in summary.splits_parameters.items():
            if index < len(arguments):
                self.check_split(call, [arguments[index]], f"{helper}()", inner=split_call)
        for name, split_call in summary.splits_globals.items():
            fit = self.tainted.get(name)
            if fit is not None and fit.call is not None:
                self.analysis.report_leak(fit, split_call, f"{helper}() reads {name}")
        if summary.returns is None:
            return self.tainted_in(call)
        if summary.returns.parameter >= 0:
            index = summary.returns.parameter
            return self.tainted_in(arguments[index]) if index < len(arguments) else None
        if summary.returns.global_name:
            return self.tainted.get(summary.returns.global_name)
        return summary.returns

    def on_imported(self, call: cst.Call, function: str) -> Fit:
        """A function of another module: record the fits passed to it; its value is resolved later."""
        for index, argument in enumerate(positional(call)):
            fit = self.tainted_in(argument)
            if fit is not None and not fit.placeholder and fit.call is not None:
                self.analysis.fit_passed(function, index, fit, call)
        return Fit(None, f"{function}()", imported=function)

    def check_split(
        self, call: cst.Call, data: list[cst.BaseExpression], label: str, inner: cst.Call | None = None
    ) -> None:
        for item in data:
            fit = self.tainted_in(item)
            if fit is None:
                continue
            if fit.imported:
                self.analysis.imported_value_split(fit.imported, call, label)
            elif fit.placeholder:
                self.analysis.placeholder_split(fit, inner or call)
            elif fit.call is not None:
                self.analysis.report_leak(fit, call, label)
            return


def _fits_data(call: cst.Call) -> bool:
    """``x.fit_transform(...)`` / ``x.fit_resample(...)``: a fit whose value is the fitted data."""
    return isinstance(call.func, cst.Attribute) and call.func.attr.value in ("fit_transform", "fit_resample")


class LeakageAnalysis:
    """Runs every scope of a module and collects the leaks."""

    def __init__(self, rule: LeakageFacts, module: cst.Module, names: ImportResolver, module_name: str) -> None:
        self.rule = rule
        self.module = module
        self.names = names
        self.module_name = module_name
        self.package = rule.context.path.endswith("__init__.py")
        self.functions = local_functions(module)
        self.summaries: dict[str, Summary] = {}
        self.reported: set[int] = set()
        self._summaries: list[Summary] = []

    def run(self) -> None:
        LeakageScope(self, 0).run(list(self.module.body))
        for function in self.functions.values():
            LeakageScope(self, 1).run(function_body(function))

    def local_callee(self, call: cst.Call) -> str | None:
        func = call.func
        if isinstance(func, cst.Name) and func.value in self.functions and func.value not in self.names.aliases:
            return func.value
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self":
            return func.attr.value if func.attr.value in self.functions else None
        return None

    def repo_callee(self, call: cst.Call) -> str:
        """The qualified name of a function imported from a module that may be the repo's own."""
        qualified = self.names.resolve(call.func) or ""
        if qualified.startswith("."):
            qualified = resolve_relative(self.module_name, self.package, qualified)
        root = qualified.split(".", 1)[0]
        if not qualified or "." not in qualified or root in sys.stdlib_module_names or root in api.LIBRARY_ROOTS:
            return ""
        return qualified

    def fit_passed(self, function: str, index: int, fit: Fit, call: cst.Call) -> None:
        if not self._summaries:
            self.rule.fit_passed(function, index, fit, call)

    def imported_value_split(self, function: str, split: cst.Call, label: str) -> None:
        if not self._summaries:
            self.rule.imported_value_split(function, split, label)

    def summary(self, name: str, depth: int) -> Summary:
        if name in self.summaries:
            return self.summaries[name]
        self.summaries[name] = Summary()  # recursion guard
        function = self.functions[name]
        scope = LeakageScope(self, depth, summarising=True)
        params = [p for p in function.params.params if p.name.value not in ("self", "cls")]
        for index, param in enumerate(params):
            scope.tainted[param.name.value] = Fit(None, param.name.value, index)
        scope.bound.update(p.name.value for p in function.params.params)
        self._summaries.append(Summary())
        scope.run(function_body(function))
        summary = self._summaries.pop()
        summary.returns = scope.returns
        self.summaries[name] = summary
        return summary

    def placeholder_split(self, fit: Fit, call: cst.Call) -> None:
        """A summarised helper splits its parameter or a global: its callers check what they pass."""
        if not self._summaries:
            return
        if fit.parameter >= 0:
            self._summaries[-1].splits_parameters.setdefault(fit.parameter, call)
        else:
            self._summaries[-1].splits_globals.setdefault(fit.global_name, call)

    def report_leak(self, fit: Fit, split: cst.Call, label: str) -> None:
        for earlier in fit.upstream:
            self.report_leak(earlier, split, label)
        assert fit.call is not None
        if id(fit.call) in self.reported:
            return
        self.reported.add(id(fit.call))
        self.rule.report(
            fit.call,
            leak_message(fit.what, label),
            related=((split, f"split afterwards: {label}"),),
            statement=enclosing_statement(self.module, fit.call),
            kind="preprocessing",
        )

    def report_held_out(self, call: cst.Call, label: str, data: str) -> None:
        if id(call) in self.reported:
            return
        self.reported.add(id(call))
        self.rule.report(
            call,
            f"{label} is fitted on held-out data ({data}): the evaluation split must only be "
            "transformed with a step fitted on the training split (use .transform, not .fit)",
            statement=enclosing_statement(self.module, call),
            kind="held-out-fit",
        )


class LeakageFacts(FactCollector):
    """Per-file leakage facts: the leaks found in the file, what its functions do
    to their data (return fitted data, split a parameter), and the calls that
    cross into other modules, for the repo phase to join."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.relevant = False
        self.findings: list[dict[str, Any]] = []
        self.passed: list[dict[str, Any]] = []
        self.splits: list[dict[str, Any]] = []

    def visit_Call(self, node: cst.Call) -> None:
        if not self.relevant:
            func = node.func
            name = (func.attr.value if isinstance(func, cst.Attribute) else dotted_name(func) or "").lower()
            self.relevant = any(word in name for word in api.LEAKAGE_TRIGGER_WORDS)

    def site(self, node: cst.CSTNode) -> dict[str, int]:
        span = self.context.get_metadata(PositionProvider, node)
        return {
            "line": span.start.line,
            "column": span.start.column + 1,
            "end_line": span.end.line,
            "end_column": span.end.column + 1,
        }

    # The sink LeakageAnalysis reports to (the same signature as Rule.report).
    def report(self, node: cst.CSTNode, message: str, *, related: Any = (), statement: Any = None, **data: Any):
        self.findings.append(
            {
                **self.site(node),
                "message": message,
                # Identity for the fingerprint: the fit's code, stable when lines move.
                "snippet": " ".join(self.context.module.code_for_node(node).split())[:200],
                "related": [[self.site(item).get("line"), note] for item, note in related],
                "data": data,
            }
        )

    def fit_passed(self, function: str, index: int, fit: Fit, call: cst.Call) -> None:
        assert fit.call is not None
        self.passed.append(
            {
                "function": function,
                "index": index,
                "fit": {**self.site(fit.call), "what": fit.what},
                "call": self.site(call)["line"],
            }
        )

    def imported_value_split(self, function: str, split: cst.Call, label: str) -> None:
        self.splits.append({"function": function, "split": self.site(split)["line"], "label": label})

    def facts(self) -> dict[str, Any] | None:
        if self.context.is_test or not self.relevant:
            return None
        name = module_name(self.context.path)
        analysis = LeakageAnalysis(self, self.context.module, self.context.names, name)
        analysis.run()
        functions: dict[str, Any] = {}
        for function in analysis.functions:
            if "." in function:
                continue
            summary = analysis.summary(function, 1)
            entry: dict[str, Any] = {}
            returned = summary.returns
            if returned is not None and returned.call is not None:
                entry["returns"] = {**self.site(returned.call), "what": returned.what}
            if summary.splits_parameters:
                entry["splits"] = {str(i): self.site(call)["line"] for i, call in summary.splits_parameters.items()}
            if entry:
                functions[function] = entry
        return {
            "module": name,
            "findings": self.findings,
            "functions": functions,
            "passed": self.passed,
            "splits": self.splits,
        }


class DataLeakage(RepoRule):
    code = "MLD501"
    collector = LeakageFacts

    def check(self, facts_by_path: Mapping[str, Any]) -> Iterator[tuple[str, Report]]:
        index: dict[str, tuple[str, dict[str, Any]]] = {}
        for path, facts in facts_by_path.items():
            for function, entry in (facts or {}).get("functions", {}).items():
                index[f"{facts['module']}.{function}"] = (path, entry)
        seen: set[tuple[str, int, int]] = set()
        for path, facts in sorted(facts_by_path.items()):
            if not facts:
                continue
            for finding in facts["findings"]:
                related = tuple(Related(path, line, note) for line, note in finding["related"])
                yield from self._emit(seen, path, finding, finding["message"], related, finding["data"])
            for item in facts["splits"]:  # a helper module's fitted data is split here
                hit = _lookup(index, item["function"])
                if hit is not None and "returns" in hit[1]:
                    fit = hit[1]["returns"]
                    label = f"{item['label']} in {path}"
                    related = (Related(path, item["split"], f"split afterwards: {item['label']}"),)
                    yield from self._emit(
                        seen, hit[0], fit, leak_message(fit["what"], label), related, {"kind": "preprocessing"}
                    )
            for item in facts["passed"]:  # fitted data passed to a helper module that splits it
                hit = _lookup(index, item["function"])
                split_line = hit[1].get("splits", {}).get(str(item["index"])) if hit is not None else None
                if hit is not None and split_line is not None:
                    fit = item["fit"]
                    label = f"{item['function']}()"
                    related = (
                        Related(path, item["call"], f"passed to {label}"),
                        Related(hit[0], split_line, "split there"),
                    )
                    yield from self._emit(
                        seen, path, fit, leak_message(fit["what"], label), related, {"kind": "preprocessing"}
                    )

    def _emit(self, seen, path, site, message, related, data) -> Iterator[tuple[str, Report]]:
        key = (path, site["line"], site["column"])
        if key in seen:
            return
        seen.add(key)
        report = Report(
            self.code,
            message,
            line=site["line"],
            column=site["column"],
            end_line=site["end_line"],
            end_column=site["end_column"],
            data=dict(data),
            scope=site.get("snippet") or site.get("what", ""),
            related=related,
        )
        yield path, report


def _lookup(index: dict[str, tuple[str, dict[str, Any]]], function: str) -> tuple[str, dict[str, Any]] | None:
    """The repo function an import names, allowing a source-root prefix on either side."""
    if function in index:
        return index[function]
    for key, value in index.items():
        if key.endswith("." + function) or function.endswith("." + key):
            return value
    return None


def leak_message(what: str, label: str) -> str:
    return (
        f"{what} is fitted before the data is split or cross-validated ({label}): statistics of "
        "the held-out rows leak into training and the evaluation is optimistic; fit it on the "
        "training split only, or put it in a Pipeline passed to the split/cross-validation"
    )

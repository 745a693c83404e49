"""MLD601 uncontrolled-randomness: a training entry point whose first random
operation has no seed reachable (on the call, earlier, or in a helper it calls).

Entry points are the script itself (module-level statements and the
``__main__`` block, in order) and CLI-decorated functions (``@click.command``,
``@app.command``, ``@hydra.main``). Calls to functions of the same file are
followed, so a ``set_seed`` helper seeds exactly the generators its body seeds;
a seeding helper imported from elsewhere (``seed_everything``, ``set_seed``)
is assumed to seed every generator.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from mldebtlint.knowledge import debt_apis as api
from mldebtlint.knowledge.apis import MODEL_BASE_CLASSES, MODEL_BASE_SUFFIXES
from mldebtlint.rule import Rule
from mldebtlint.syntax.flow import (
    calls_in,
    decorator_names,
    enclosing_statement,
    function_body,
    is_false,
    is_main_guard,
    is_none,
    keyword,
    last_name,
    local_functions,
    ordered_statements,
    positional,
    statement_calls,
)
from mldebtlint.syntax.names import ImportResolver

# A generator that no global seed controls (``np.random.default_rng()``).
_UNSEEDABLE = "own"
_MAX_DEPTH = 6


@dataclass
class RandomSite:
    call: cst.Call
    generator: str
    what: str


@dataclass
class EntryState:
    seeded: set[str] = field(default_factory=set)
    first: RandomSite | None = None
    trains: bool = False
    visiting: set[str] = field(default_factory=set)


def seeded_on_call(call: cst.Call) -> bool:
    """A seed keyword that is not None, or ``**params`` (a search space often carries random_state)."""
    if any(arg.star == "**" for arg in call.args):
        return True
    for name in api.SEED_KEYWORDS:
        arg = keyword(call, name)
        if arg is not None and not is_none(arg.value):
            return True
    return False


class RandomnessClassifier:
    """What one call does to reproducibility: seed, draw, train, or nothing."""

    def __init__(self, names: ImportResolver, module_classes: set[str]) -> None:
        self.names = names
        self.module_classes = module_classes

    def seeds(self, call: cst.Call) -> frozenset[str] | None:
        qualified = self.names.call_name(call) or ""
        if qualified in api.SEEDING_CALLS:
            return api.SEEDING_CALLS[qualified]
        name = last_name(qualified).lower()
        if api.SEED_HELPER_WORD in name and qualified not in api.GLOBAL_RANDOM_FUNCTIONS:
            return api.ALL_GENERATORS
        return None

    def random_site(self, call: cst.Call) -> RandomSite | None:
        resolved = self.names.resolve(call.func) or ""
        qualified = resolved or self.names.call_name(call) or ""
        name = last_name(qualified)
        root = resolved.split(".", 1)[0]
        if seeded_on_call(call):
            return None
        if resolved in api.GLOBAL_RANDOM_FUNCTIONS:
            return RandomSite(call, api.GLOBAL_RANDOM_FUNCTIONS[resolved], f"{resolved}()")
        if resolved in api.GENERATOR_CONSTRUCTORS and not positional(call):
            return RandomSite(call, _UNSEEDABLE, f"{resolved}() without a seed")
        if name in api.SHUFFLE_CONTROLLED and root in ("sklearn", "surprise", "torch"):
            generator, flag, random_by_default = api.SHUFFLE_CONTROLLED[name]
            arg = keyword(call, flag)
            shuffles = random_by_default if arg is None else not is_false(arg.value)
            if name == "DataLoader" and keyword(call, "sampler") is not None:
                shuffles = False
            return RandomSite(call, generator, f"{name}() with shuffling and no seed") if shuffles else None
        if name in api.RANDOM_STATE_CLASSES and root in api.RANDOM_STATE_ROOTS:
            return RandomSite(call, api.NUMPY, f"{name}() without random_state")
        if resolved.startswith("torch.nn.") and name in api.TORCH_INIT_LAYERS:
            return RandomSite(call, api.TORCH, f"random initialisation of {name}")
        if resolved.startswith(api.KERAS_ROOTS) and name in api.KERAS_INIT_LAYERS:
            return RandomSite(call, api.TENSORFLOW, f"random initialisation of {name}")
        if isinstance(call.func, cst.Name) and call.func.value in self.module_classes:
            return RandomSite(call, api.TORCH, f"random initialisation of {call.func.value}")
        if isinstance(call.func, cst.Attribute):
            method = call.func.attr.value
            if method == "sample" and keyword(call, "frac") is not None:
                return RandomSite(call, api.NUMPY, ".sample(frac=...) without random_state")
            if method == "shuffle" and self.names.imports_any(("tensorflow",)) and not resolved:
                return RandomSite(call, api.TENSORFLOW, ".shuffle() of a tf.data pipeline without seed")
        return None

    def trains(self, call: cst.Call) -> bool:
        qualified = self.names.call_name(call) or ""
        if qualified in api.TRAINING_FUNCTIONS:
            return True
        if isinstance(call.func, cst.Attribute):
            method = call.func.attr.value
            if method in api.TRAINING_METHODS:
                return True
            if method == "train":
                receiver = self.names.qualified_or_local(call.func.value) or ""
                return "trainer" in receiver.lower() or bool(call.args)
        return False


def torch_model_classes(module: cst.Module, names: ImportResolver) -> set[str]:
    """Classes of this file deriving a torch/keras model base (constructing one initialises weights)."""
    found: set[str] = set()
    for statement in module.body:
        if not isinstance(statement, cst.ClassDef):
            continue
        for base in statement.bases:
            qualified = names.qualified_or_local(base.value) or ""
            tail = ".".join(qualified.split(".")[-2:])
            if qualified.startswith("torch") and (qualified in MODEL_BASE_CLASSES or tail in MODEL_BASE_SUFFIXES):
                found.add(statement.name.value)
            elif tail == "nn.Module" or qualified in found:
                found.add(statement.name.value)
    return found


class UncontrolledRandomness(Rule):
    code = "MLD601"
    CHECK_TESTS = False
    TRIGGERS = ("fit", "train", "backward")

    def leave_Module(self, original_node: cst.Module) -> None:
        module = original_node
        self.functions = local_functions(module)
        self.classifier = RandomnessClassifier(self.names, torch_model_classes(module, self.names))
        reported: set[int] = set()
        script = self._run(list(module.body), EntryState(), 0)
        entries: list[tuple[str, EntryState]] = [("the script", script)]
        module_seeds = self._run([s for s in module.body if not is_main_guard(s)], EntryState(), 0).seeded
        for function in self._cli_functions(module):
            state = EntryState(seeded=set(module_seeds))
            entries.append((f"{function.name.value}()", self._run(function_body(function), state, 1)))
        for label, state in entries:
            site = state.first
            if not state.trains or site is None or id(site.call) in reported:
                continue
            reported.add(id(site.call))
            self.report(
                site.call,
                f"{label} trains a model but {site.what} draws from the {_describe(site.generator)} "
                "with no seed set on the call or earlier; seed it (random_state=/seed=/generator=, or a "
                "seed_everything-style helper at the start) so a rerun gives the same model",
                statement=enclosing_statement(module, site.call),
                generator=site.generator,
                entry_point=label,
            )

    def _cli_functions(self, module: cst.Module) -> list[cst.FunctionDef]:
        """Functions run by a CLI or an orchestrator: decorated, or passed as ``python_callable=``."""
        handed = {
            arg.value.value
            for call in calls_in(module)
            for arg in call.args
            if arg.keyword is not None
            and arg.keyword.value in api.ENTRY_CALLABLE_KEYWORDS
            and isinstance(arg.value, cst.Name)
        }
        out = []
        for statement in module.body:
            if not isinstance(statement, cst.FunctionDef):
                continue
            decorated = any(
                last_name(self.names.qualified_or_local(decorator)) in api.CLI_DECORATORS
                for decorator in decorator_names(statement)
            )
            if decorated or statement.name.value in handed:
                out.append(statement)
        return out

    def _run(self, body: list[cst.CSTNode], state: EntryState, depth: int) -> EntryState:
        classifier = self.classifier
        for statement in ordered_statements(body):
            for call in statement_calls(statement):
                callee = self._local_callee(call)
                if callee is not None and depth < _MAX_DEPTH and callee not in state.visiting:
                    state.visiting.add(callee)
                    self._run(function_body(self.functions[callee]), state, depth + 1)
                    state.visiting.discard(callee)
                    continue
                seeded = classifier.seeds(call)
                if seeded is not None:
                    state.seeded |= seeded
                    continue
                if classifier.trains(call):
                    state.trains = True
                if state.first is None:
                    site = classifier.random_site(call)
                    if site is not None and site.generator not in state.seeded:
                        state.first = site
        return state

    def _local_callee(self, call: cst.Call) -> str | None:
        func = call.func
        if isinstance(func, cst.Name) and func.value in self.functions and func.value not in self.names.aliases:
            return func.value
        if (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.value.value in ("self", "cls")
            and func.attr.value in self.functions
        ):
            return func.attr.value
        return None


def _describe(generator: str) -> str:
    return {
        api.PYTHON: "`random` module's global generator",
        api.NUMPY: "numpy global generator (sklearn, surprise and implicit use it when random_state is None)",
        api.TORCH: "torch global generator",
        api.TENSORFLOW: "TensorFlow global generator",
        _UNSEEDABLE: "operating system's entropy",
    }.get(generator, generator)

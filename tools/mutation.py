#!/usr/bin/env python3
"""A reproducible mutation run over the modules whose behaviour tests must hold.

Why a small mutator of our own rather than mutmut or cosmic-ray: both are
well kept, but mutmut 3 runs the whole suite through its own trampolines in a
``mutants/`` copy (no per-module test selection without patching its config
per module, and the suite takes minutes here), and cosmic-ray needs a session
database and a config per module. What the issue asks for is narrow and
stable: the classic operators, one mutant at a time, each module checked
against the tests that claim to cover it. This script does exactly that with
``ast`` and pytest, and nothing else.

Operators (one mutant per site and replacement):
  compare   flip a comparison operator (< <-> >=, > <-> <=, == <-> !=, in <-> not in, is <-> is not)
  cond      replace the test of an ``if``/``elif``/``while``/conditional expression with True, then False
  boolop    ``and`` <-> ``or``
  not       drop a ``not``
  number    change a numeric literal n -> n + 1 (outside docstrings and ``__all__``)
  jump      replace ``continue``/``break``/``return`` inside an ``if`` body by ``pass``

Each mutant is written into a private copy of the repository (``--work``,
default a temporary folder) and the module's selected tests run there with
``pytest -x -q -p no:cacheprovider`` (the copy first on PYTHONPATH); the mutant
is *killed* when they fail or time out, *survived* when they pass. Mutants
listed in ``tools/mutation-equivalent.txt`` (``module<TAB>signature<TAB>why``,
the signature being ``scope: line text || operator: before -> after`` as
``--list`` prints it, see ``line_contexts``, so that it survives lines moving) are equivalent: they cannot change
behaviour, and are reported apart.

How the tests run (about half the CPU time of one ``python -m pytest`` per
mutant, same outcomes on the samples compared): a fork server per copy, started
after one warm-up run of the unmutated tests (which leaves the test modules'
bytecode behind), imports pytest, libcst, networkx and every package module
that does not import the mutated one (read with ``ast``, a package counting as
imported by its modules), deletes the mutated module's bytecode and stops
writing any. For each mutant the parent writes the mutant file, the server
forks, and the child runs ``pytest.main`` as a fresh interpreter would, except
that those modules are already there (and its ``--basetemp`` is the copy's own); the server checks that the mutated module
was never imported in itself, so every child imports the mutant from its file.
The tests that killed most mutants of the module so far run first (with ``-x``
that changes how soon a mutant dies, never whether). ``--no-fork`` runs one
plain ``python -m pytest`` subprocess per mutant instead (the reference).
The CPU seconds of each mutant's test process are in the ``--json`` results.

Usage:
  python tools/mutation.py                      # every module, report on stdout
  python tools/mutation.py --sample 60 --seed 11  # a reproducible sample of 60 mutants per module
  python tools/mutation.py --module mldebtlint/engine/cache.py --list
  python tools/mutation.py --module mldebtlint/engine/cache.py --jobs 2 --json /tmp/m.json

Not part of .ci/run: a full run of every module takes about half an hour of CPU here
(0.4-0.7 s per mutant with the detectors' tests).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EQUIVALENT_FILE = REPO / "tools" / "mutation-equivalent.txt"

# module -> the test files that claim to hold its behaviour (globs, relative to the repo).
MODULES: dict[str, list[str]] = {
    "mldebtlint/detectors/hardcoded_threshold.py": [
        "tests/test_rule_hardcoded_threshold.py",
        "tests/test_twins_mld101.py",
    ],
    "mldebtlint/detectors/hardcoded_hyperparameter.py": [
        "tests/test_rule_hardcoded_hyperparameter.py",
        "tests/test_twins_mld102.py",
    ],
    "mldebtlint/detectors/glue_code.py": ["tests/test_rule_glue_code.py", "tests/test_twins_mld201.py"],
    "mldebtlint/detectors/business_logic_in_model.py": [
        "tests/test_rule_business_logic_in_model.py",
        "tests/test_twins_mld202.py",
    ],
    "mldebtlint/detectors/unpinned_framework.py": [
        "tests/test_rule_unpinned_framework.py",
        "tests/test_twins_mld301.py",
    ],
    "mldebtlint/detectors/data_leakage.py": ["tests/test_rule_data_leakage.py"],
    "mldebtlint/detectors/hardcoded_path.py": ["tests/test_rule_hardcoded_path.py"],
    "mldebtlint/detectors/uncontrolled_randomness.py": ["tests/test_rule_uncontrolled_randomness.py"],
    "mldebtlint/detectors/unmonitored_prediction.py": ["tests/test_rule_unmonitored_prediction.py"],
    "mldebtlint/detectors/untested_model_code.py": ["tests/test_rule_untested_model_code.py"],
    "mldebtlint/detectors/__init__.py": ["tests/test_registration.py"],
    "mldebtlint/detectors/model_dependency_chain.py": [
        "tests/test_graph_rules.py",
        "tests/test_graph_fixtures.py",
        "tests/test_contract_graph.py",
    ],
    "mldebtlint/detectors/model_dependency_cycle.py": [
        "tests/test_graph_rules.py",
        "tests/test_graph_fixtures.py",
        "tests/test_contract_graph.py",
        "tests/test_loop_kinds.py",
    ],
    "mldebtlint/graph/analysis.py": ["tests/test_contract_graph.py", "tests/test_graph_rules.py"],
    "mldebtlint/engine/cache.py": ["tests/test_contract_cache.py", "tests/test_cache.py"],
    "mldebtlint/adoption/baseline.py": ["tests/test_contract_baseline.py", "tests/test_baseline.py"],
    "mldebtlint/engine/fingerprint.py": ["tests/test_contract_fingerprints.py", "tests/test_baseline.py"],
    "mldebtlint/engine/suppressions.py": ["tests/test_contract_suppressions.py", "tests/test_suppressions.py"],
}

FLIPS: dict[type, type] = {
    ast.Lt: ast.GtE,
    ast.GtE: ast.Lt,
    ast.Gt: ast.LtE,
    ast.LtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}


@dataclass(frozen=True)
class Mutant:
    module: str
    id: str  # "line:col:operator[:index]:replacement", stable while the line does not move
    line: int
    operator: str
    before: str
    after: str
    span: tuple[int, int, int, int]  # lineno, col, end_lineno, end_col (ast offsets)
    context: str = ""  # "scope: line text[ #n]", see line_contexts()


def _docstring_nodes(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _span(node: ast.AST) -> tuple[int, int, int, int]:
    return (node.lineno, node.col_offset, node.end_lineno or node.lineno, node.end_col_offset or node.col_offset)


def _inside_if_body(parents: dict[int, ast.AST], node: ast.AST) -> bool:
    parent = parents.get(id(node))
    return isinstance(parent, ast.If) and node in parent.body


def _in_all_or_annotation(parents: dict[int, ast.AST], node: ast.AST) -> bool:
    current = node
    while id(current) in parents:
        parent = parents[id(current)]
        if isinstance(parent, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in parent.targets
        ):
            return True
        if isinstance(parent, (ast.AnnAssign, ast.arg)) and getattr(parent, "annotation", None) is current:
            return True
        current = parent
    return False


def line_contexts(tree: ast.AST, lines: list[str]) -> dict[int, str]:
    """Each line's name in a mutant's signature: the innermost enclosing function or class
    (``Class.method``, ``<module>`` outside any) and the stripped line text, with `` #n``
    (its rank among them) when that text occurs on several lines of the scope. A bare
    ``return`` or a repeated guard is thus never confused with its namesake elsewhere, and the
    name survives lines moving."""
    scope_of: dict[int, str] = {}

    def visit(node: ast.AST, scope: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = scope
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                inner = child.name if scope == "<module>" else f"{scope}.{child.name}"
                for line in range(child.lineno, (child.end_lineno or child.lineno) + 1):
                    scope_of[line] = inner
            visit(child, inner)

    visit(tree, "<module>")
    seen: dict[tuple[str, str], list[int]] = {}
    for number, text in enumerate(lines, 1):
        seen.setdefault((scope_of.get(number, "<module>"), text.strip()), []).append(number)
    contexts = {}
    for (scope, text), numbers in seen.items():
        for rank, number in enumerate(numbers, 1):
            contexts[number] = f"{scope}: {text}" + (f" #{rank}" if len(numbers) > 1 else "")
    return contexts


def mutants_of(module: str, source: str) -> list[Mutant]:
    tree = ast.parse(source)
    parents = {id(child): parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    docstrings = _docstring_nodes(tree)
    lines = source.splitlines()
    contexts = line_contexts(tree, lines)
    found: list[Mutant] = []

    def add(node: ast.AST, operator: str, replacement: str, tag: str = "") -> None:
        span = _span(node)
        before = ast.get_source_segment(source, node) or ast.unparse(node)
        ident = f"{span[0]}:{span[1]}:{operator}{':' + tag if tag else ''}:{replacement}"
        found.append(Mutant(module, ident, span[0], operator, before, replacement, span, contexts.get(span[0], "")))

    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for index, op in enumerate(node.ops):
                flipped = FLIPS.get(type(op))
                if flipped is None:
                    continue
                ops = list(node.ops)
                ops[index] = flipped()
                mutated = ast.Compare(left=node.left, ops=ops, comparators=node.comparators)
                add(node, "compare", ast.unparse(mutated), str(index))
        elif isinstance(node, (ast.If, ast.While, ast.IfExp)):
            for value in ("True", "False"):
                if isinstance(node, ast.While) and value == "True":
                    continue  # an endless loop, not a behaviour
                add(node.test, "cond", value)
        elif isinstance(node, ast.BoolOp):
            other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
            add(node, "boolop", ast.unparse(ast.BoolOp(op=other, values=node.values)))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            add(node, "not", f"({ast.unparse(node.operand)})")
        elif isinstance(node, ast.Constant) and type(node.value) in (int, float) and id(node) not in docstrings:
            if _in_all_or_annotation(parents, node):
                continue
            parent = parents.get(id(node))
            if isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.USub):
                add(parent, "number", repr(-node.value + 1))
            else:
                add(node, "number", repr(node.value + 1))
        elif isinstance(node, (ast.Continue, ast.Break, ast.Return)) and _inside_if_body(parents, node):
            add(node, "jump", "pass")
    found.sort(key=lambda m: (m.span, m.id))
    # The same change of the same text twice on one line (two ``[-1]``): told apart by rank.
    same: dict[tuple[str, str, str, str], list[int]] = {}
    for index, mutant in enumerate(found):
        same.setdefault((mutant.context, mutant.operator, mutant.before, mutant.after), []).append(index)
    for indexes in same.values():
        if len(indexes) > 1:
            for rank, index in enumerate(indexes, 1):
                found[index] = replace(found[index], context=f"{found[index].context} ~{rank}")
    return found


def apply(source: str, mutant: Mutant) -> str:
    """The source with the mutant's span (ast offsets are UTF-8 byte columns) replaced."""
    lines = source.splitlines(keepends=True)
    line, col, end_line, end_col = mutant.span
    first = lines[line - 1].encode()
    last = lines[end_line - 1].encode()
    replacement = mutant.after
    if "\n" not in replacement and end_line > line:
        replacement = f"({replacement})" if mutant.operator not in ("jump", "cond") else replacement
    new = first[:col].decode() + replacement + last[end_col:].decode()
    mutated = "".join(lines[: line - 1]) + new + "".join(lines[end_line:])
    ast.parse(mutated)  # a mutant must still be Python
    return mutated


def signature(operator: str, before: str, after: str, context: str = "") -> str:
    """How a mutant is named in tools/mutation-equivalent.txt: stable while its line's text is."""
    return f"{context} || {operator}: {' '.join(before.split())} -> {after}"


def load_equivalent() -> dict[tuple[str, str], str]:
    known = {}
    if EQUIVALENT_FILE.is_file():
        for raw in EQUIVALENT_FILE.read_text(encoding="utf-8").splitlines():
            if raw.strip() and not raw.startswith("#"):
                module, ident, why = raw.split("\t", 2)
                known[(module, ident)] = why
    return known


def test_files(module: str, root: Path) -> list[str]:
    return [pattern for pattern in MODULES[module] if (root / pattern).is_file()]


def measured_commit() -> str:
    """The commit of the tested code, ``+changes`` when the work tree differs from it."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    return git("rev-parse", "--short=12", "HEAD") + ("+changes" if git("status", "--porcelain") else "")


def prepare_copy(work: Path) -> Path:
    copy = work / "repo"
    if copy.exists():
        shutil.rmtree(copy)
    ignore = shutil.ignore_patterns(".git", "__pycache__", ".mldebtlint_cache", ".ci", "*.egg-info", ".pytest_cache")
    shutil.copytree(REPO, copy, ignore=ignore)
    return copy


def _static_dependents(root: Path, module: str) -> set[str]:
    """Dotted names of the package modules that import ``module``, directly or through others
    (read from the source with ``ast``, lazy imports inside functions included)."""
    package = root / "mldebtlint"
    names = {}
    for path in package.rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    importers: dict[str, set[str]] = {name: set() for name in names}
    for name, path in names.items():
        parent = name.rpartition(".")[0]
        if parent in importers:  # importing a module first imports its package
            importers[parent].add(name)
        base = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                stem = node.module or ""
                if node.level:
                    up = base.split(".")[: len(base.split(".")) - node.level + 1]
                    stem = ".".join(up + ([node.module] if node.module else []))
                targets = [stem] + [f"{stem}.{alias.name}" for alias in node.names]
            for target in targets:
                if target in importers and target != name:
                    importers[target].add(name)
    target = module.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
    seen, todo = {target}, [target]
    while todo:
        for importer in importers.get(todo.pop(), ()):
            if importer not in seen:
                seen.add(importer)
                todo.append(importer)
    return seen


def serve(copy: Path, module: str, tests: list[str]) -> None:
    """The fork server (``--serve``), run inside a copy: import pytest, libcst and every package
    module that cannot hold the mutated module once, then fork a fresh child per request.

    The mutated module itself is never imported here (checked), so each child imports it from the
    file as the parent just wrote it; nor is anything that imports it, statically or, through
    the check, dynamically. Requests and answers are JSON lines on stdin/stdout."""
    import importlib

    os.chdir(copy)
    sys.path.insert(0, str(copy))
    target = module.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
    stem = Path(module).stem

    def stale_bytecode() -> list[Path]:
        return list((copy / module).parent.glob(f"__pycache__/{stem}.*.pyc"))

    import pytest  # noqa: F401  (imported once, for every child)

    for name in ("libcst", "libcst.matchers", "networkx", "_pytest.pytester", "_pytest.tmpdir"):
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    dependents = _static_dependents(copy, module)
    names = sorted(
        ".".join(path.relative_to(copy).with_suffix("").parts).removesuffix(".__init__")
        for path in (copy / "mldebtlint").rglob("*.py")
    )
    for name in names:
        if name not in dependents:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - a module that needs more than an import is left to the children
                sys.modules.pop(name, None)
    if target in sys.modules:
        raise SystemExit(f"fork server: {target} was imported while preloading; use --no-fork")
    loaded = sys.modules["mldebtlint"].__file__ or ""
    if not loaded.startswith(str(copy)):
        raise SystemExit(f"fork server: mldebtlint imported from {loaded}, not from the copy {copy}")
    sys.dont_write_bytecode = True  # the mutated module must never be read from a stale .pyc
    for path in stale_bytecode():
        path.unlink()
    log_path = copy.parent / "last-mutant.log"
    failed_path = copy.parent / "failed-test.txt"
    for line in sys.stdin:
        request = json.loads(line)
        leftover = stale_bytecode()
        if leftover:
            raise SystemExit(f"fork server: bytecode of the mutated module appeared: {leftover}")
        failed_path.unlink(missing_ok=True)
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:  # the child: a test session as in a fresh interpreter, minus the imports above
            code = 3
            try:
                os.setpgid(0, 0)
                with open(log_path, "w", encoding="utf-8") as out:
                    os.dup2(out.fileno(), 1)
                    os.dup2(out.fileno(), 2)
                with open(os.devnull, encoding="utf-8") as null:
                    os.dup2(null.fileno(), 0)
                sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
                sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
                arguments = [*PYTEST_ARGS, f"--basetemp={copy.parent / 'tmp'}", *tests]
                code = int(pytest.main(arguments, plugins=[_Order(request["order"], failed_path)]))
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
        outcome, cpu = "", 0.0
        while True:
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                cpu = usage.ru_utime + usage.ru_stime
                code = os.waitstatus_to_exitcode(status)
                outcome = {0: "passed", 1: "failed"}.get(code, f"error {code}")
                break
            if time.monotonic() - started > request["timeout"]:
                try:
                    os.killpg(pid, 9)
                except ProcessLookupError:
                    pass
                _, _, usage = os.wait4(pid, 0)
                cpu = usage.ru_utime + usage.ru_stime
                outcome = "timeout"
                break
            time.sleep(0.005)
        failed = failed_path.read_text(encoding="utf-8") if failed_path.is_file() else ""
        answer = {"outcome": outcome, "seconds": time.monotonic() - started, "cpu": cpu, "failed": failed}
        print(json.dumps(answer), flush=True)


class _Order:
    """A pytest plugin for the children: the tests that killed most mutants of this module so
    far run first (with ``-x`` a killed mutant stops at its first failure; the order changes
    only how soon, never whether), and the first failing test is written down."""

    def __init__(self, order: list[str], failed_path: Path) -> None:
        self.rank = {nodeid: index for index, nodeid in enumerate(order)}
        self.failed_path = failed_path

    def pytest_collection_modifyitems(self, items: list) -> None:
        position = {id(item): index for index, item in enumerate(items)}
        items.sort(key=lambda item: (self.rank.get(item.nodeid, len(self.rank)), position[id(item)]))

    def pytest_runtest_logreport(self, report) -> None:
        if report.failed and not self.failed_path.exists():
            self.failed_path.write_text(report.nodeid, encoding="utf-8")


PYTEST_ARGS = ["-x", "-q", "-p", "no:cacheprovider", "-p", "no:warnings"]


class Runner:
    """Runs one module's selected tests in one private copy: through a fork server (default),
    or as a plain ``python -m pytest`` subprocess per mutant (``--no-fork``, slower, the
    reference the fork server was checked against)."""

    def __init__(self, copy: Path, module: str, tests: list[str], fork: bool) -> None:
        self.copy, self.tests, self.fork = copy, tests, fork
        self.kills: dict[str, int] = {}
        self.env = dict(os.environ, PYTHONPATH=str(copy), PYTHONDONTWRITEBYTECODE="1")
        self.server: subprocess.Popen | None = None
        if fork:
            # Warm-up in a plain subprocess that may write bytecode: the test modules' rewritten
            # asserts and the unchanged package modules are then read from it; the server deletes
            # the mutated module's bytecode and never writes any.
            warm = dict(self.env)
            warm.pop("PYTHONDONTWRITEBYTECODE")
            subprocess.run(
                [sys.executable, "-m", "pytest", *PYTEST_ARGS, *tests],
                cwd=copy, env=warm, capture_output=True, check=False,
            )  # fmt: skip
            self.server = subprocess.Popen(
                [sys.executable, str(Path(__file__).resolve()), "--serve", str(copy), module, *tests],
                cwd=copy, env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            )  # fmt: skip

    def run(self, timeout: float) -> tuple[str, float, float]:
        """(outcome, wall seconds, CPU seconds of the test process)."""
        if self.server is not None:
            assert self.server.stdin is not None and self.server.stdout is not None
            order = sorted(self.kills, key=lambda nodeid: -self.kills[nodeid])
            self.server.stdin.write(json.dumps({"timeout": timeout, "order": order}) + "\n")
            self.server.stdin.flush()
            line = self.server.stdout.readline()
            if not line:
                raise SystemExit("the fork server stopped (its error is above)")
            answer = json.loads(line)
            if answer["failed"]:
                self.kills[answer["failed"]] = self.kills.get(answer["failed"], 0) + 1
            return answer["outcome"], answer["seconds"], answer["cpu"]
        command = [sys.executable, "-m", "pytest", *PYTEST_ARGS, *self.tests]
        started = time.monotonic()
        before = os.times()
        try:
            done = subprocess.run(
                command, cwd=self.copy, env=self.env, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            return "timeout", time.monotonic() - started, 0.0
        after = os.times()
        cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
        outcome = {0: "passed", 1: "failed"}.get(done.returncode, f"error {done.returncode}")
        return outcome, time.monotonic() - started, cpu

    def close(self) -> None:
        if self.server is not None and self.server.stdin is not None:
            self.server.stdin.close()
            self.server.wait()


def run_module(
    module: str,
    work: Path,
    jobs: int,
    only: set[str] | None,
    log,
    sample: int = 0,
    seed: int = 11,
    fork: bool = True,
) -> list[dict]:
    source = (REPO / module).read_text(encoding="utf-8")
    mutants = [m for m in mutants_of(module, source) if only is None or m.id in only]
    if sample and len(mutants) > sample:
        mutants = sorted(random.Random(f"{seed}:{module}").sample(mutants, sample), key=lambda m: (m.span, m.id))
    commit = measured_commit()
    copies = [prepare_copy(work / f"w{index}") for index in range(jobs)]
    tests = test_files(module, copies[0])
    runners = [Runner(copy, module, tests, fork) for copy in copies]
    try:
        status, baseline, _ = runners[0].run(timeout=1800)
        if status != "passed":
            raise SystemExit(f"{module}: the selected tests fail without any mutant ({status}): {tests}")
        timeout = max(60.0, 5 * baseline)
        log(f"{module}: {len(mutants)} mutants, tests {tests}, {baseline:.1f} s unmutated")
        results: list[dict] = [{} for _ in mutants]
        free = list(range(jobs))

        def one(index: int) -> None:
            slot = free.pop()
            try:
                mutant = mutants[index]
                target = copies[slot] / module
                try:
                    target.write_text(apply(source, mutant), encoding="utf-8")
                except SyntaxError:
                    results[index] = {**asdict(mutant), "status": "invalid"}
                    return
                try:
                    outcome, elapsed, cpu = runners[slot].run(timeout)
                finally:
                    target.write_text(source, encoding="utf-8")
                status = "survived" if outcome == "passed" else "killed"
                results[index] = {
                    **asdict(mutant),
                    "status": status,
                    "outcome": outcome,
                    "seconds": round(elapsed, 2),
                    "cpu": round(cpu, 2),
                    "commit": commit,
                }
                log(f"  {status:8} {mutant.id}  {mutant.before[:50]!r} -> {mutant.after[:50]!r}  ({cpu:.1f} s cpu)")
            finally:
                free.append(slot)

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(one, range(len(mutants))))
    finally:
        for runner in runners:
            runner.close()
    return [r for r in results if r.get("status") != "invalid"]


def retest(results: list[dict], work: Path, jobs: int, log, fork: bool = True) -> list[dict]:
    """The earlier results, with each non-equivalent survivor tested again on today's code
    (found by its signature, so moved lines do not matter; one no longer there is dropped)."""
    equivalent = load_equivalent()
    updated = [r for r in results if r["status"] != "survived" or is_equivalent(r, equivalent)]
    pending = [r for r in results if r["status"] == "survived" and not is_equivalent(r, equivalent)]
    for module in dict.fromkeys(r["module"] for r in pending):
        current = {
            signature(m.operator, m.before, m.after, m.context): m.id
            for m in mutants_of(module, (REPO / module).read_text(encoding="utf-8"))
        }
        ids = {current[key] for r in pending if r["module"] == module and (key := _key(r)) in current}
        gone = [r for r in pending if r["module"] == module and _key(r) not in current]
        for r in gone:
            log(f"  gone     {r['id']}  (the code it mutated changed)")
        if ids:
            updated.extend(run_module(module, work, jobs, ids, log, fork=fork))
    return updated


def _key(result: dict) -> str:
    return signature(result["operator"], result["before"], result["after"], result.get("context", ""))


def is_equivalent(result: dict, equivalent: dict[tuple[str, str], str]) -> bool:
    key = signature(result["operator"], result["before"], result["after"], result.get("context", ""))
    return (result["module"], key) in equivalent or (result["module"], result["id"]) in equivalent


def summarise(results: list[dict], equivalent: dict[tuple[str, str], str]) -> list[dict]:
    rows = []
    for module in dict.fromkeys(r["module"] for r in results):
        mine = [r for r in results if r["module"] == module]
        eq = [r for r in mine if r["status"] == "survived" and is_equivalent(r, equivalent)]
        killed = sum(r["status"] == "killed" for r in mine)
        survived = sum(r["status"] == "survived" for r in mine) - len(eq)
        relevant = killed + survived
        rows.append(
            {
                "module": module,
                "mutants": len(mine),
                "killed": killed,
                "survived": survived,
                "equivalent": len(eq),
                "score": round(100 * killed / relevant, 1) if relevant else 100.0,
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--module", action="append", help="a module path (repeatable); default: all")
    parser.add_argument("--mutant", action="append", help="only this mutant id (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--jobs", type=int, default=1, help="mutants tested at once (default 1)")
    parser.add_argument("--work", type=Path, help="working folder (default: a temporary one)")
    parser.add_argument("--json", type=Path, help="write every mutant's result here")
    parser.add_argument("--report", type=Path, nargs="+", help="only print the report of earlier --json files")
    parser.add_argument(
        "--retest",
        type=Path,
        help="test again the survivors of an earlier --json file (after adding tests); --json: the update",
    )
    parser.add_argument("--sample", type=int, default=0, help="test a seeded random sample of N mutants per module")
    parser.add_argument("--seed", type=int, default=11, help="the sample's seed (default 11)")
    parser.add_argument(
        "--no-fork", action="store_true", help="one plain pytest subprocess per mutant instead of the fork server"
    )
    parser.add_argument("--serve", nargs="+", help=argparse.SUPPRESS)  # internal: COPY MODULE TEST...
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.serve[0]), args.serve[1], args.serve[2:])
        return
    modules = args.module or list(MODULES)
    unknown = [m for m in modules if m not in MODULES]
    if unknown:
        parser.error(f"not a module of this run: {', '.join(unknown)}")
    if args.list:
        for module in modules:
            for mutant in mutants_of(module, (REPO / module).read_text(encoding="utf-8")):
                key = signature(mutant.operator, mutant.before, mutant.after, mutant.context)
                print(f"{module}\t{key}\t(at {mutant.id})")
        return
    if args.report:
        report([result for path in args.report for result in json.loads(path.read_text(encoding="utf-8"))])
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="mldebtlint-mutation-"))

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    if args.retest:
        results = retest(
            json.loads(args.retest.read_text(encoding="utf-8")), work, max(1, args.jobs), log, not args.no_fork
        )
        if args.json:
            args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
        report(results)
        return

    results: list[dict] = []
    for module in modules:
        only = set(args.mutant) if args.mutant else None
        results.extend(run_module(module, work, max(1, args.jobs), only, log, args.sample, args.seed, not args.no_fork))
        if args.json:
            args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    report(results)
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


def report(results: list[dict]) -> None:
    equivalent = load_equivalent()
    commits = sorted({r.get("commit", "?") for r in results})
    print(f"measured at: {', '.join(commits)}")
    print("| module | mutants | killed | survived | equivalent | score (killed / non-equivalent) |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in summarise(results, equivalent):
        print(
            f"| {row['module']} | {row['mutants']} | {row['killed']} | {row['survived']} | {row['equivalent']} | {row['score']}% |"
        )
    for r in results:
        if r["status"] == "survived":
            kind = "equivalent" if is_equivalent(r, equivalent) else "survived"
            key = signature(r["operator"], r["before"], r["after"], r.get("context", ""))
            print(f"{kind}: {r['module']}\t{key}\t(at {r['id']})")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A reproducible mutation run over the modules whose behaviour tests must hold.

Why a small mutator of our own rather than mutmut or cosmic-ray: both are
well kept, but mutmut 3 runs the whole suite through its own trampolines in a
``mutants/`` copy (no per-module test selection without patching its config
per module, and the suite takes minutes here), and cosmic-ray needs a session
database and a config per module. What the issue asks for is narrow and
stable: the classic operators, one mutant at a time, each module checked
against the tests that claim to cover it. This script does exactly that with
``ast`` and plain ``pytest`` subprocesses, and nothing else.

Operators (one mutant per site and replacement):
  compare   flip a comparison operator (< <-> >=, > <-> <=, == <-> !=, in <-> not in, is <-> is not)
  cond      replace the test of an ``if``/``elif``/``while``/conditional expression with True, then False
  boolop    ``and`` <-> ``or``
  not       drop a ``not``
  number    change a numeric literal n -> n + 1 (outside docstrings and ``__all__``)
  jump      replace ``continue``/``break``/``return`` inside an ``if`` body by ``pass``

Each mutant is written into a private copy of the repository (``--work``,
default a temporary folder), the selected tests run there with ``pytest -x``
(the copy first on PYTHONPATH), and the mutant is *killed* when they fail or
time out, *survived* when they pass. Mutants listed in
``tools/mutation-equivalent.txt`` (``module<TAB>signature<TAB>why``, the
signature being ``line text || operator: before -> after`` as ``--list``
prints it, so that it survives lines moving) are equivalent: they cannot change
behaviour, and are reported apart.

Usage:
  python tools/mutation.py                      # every module, report on stdout
  python tools/mutation.py --sample 60 --seed 11  # a reproducible sample of 60 mutants per module
  python tools/mutation.py --module mldebtlint/engine/cache.py --list
  python tools/mutation.py --module mldebtlint/engine/cache.py --jobs 2 --json /tmp/m.json

Not part of .ci/run: a full run takes a long while on two cores.
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
from dataclasses import asdict, dataclass
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
    context: str = ""  # the stripped source line where the mutant starts


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


def mutants_of(module: str, source: str) -> list[Mutant]:
    tree = ast.parse(source)
    parents = {id(child): parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    docstrings = _docstring_nodes(tree)
    lines = source.splitlines()
    found: list[Mutant] = []

    def add(node: ast.AST, operator: str, replacement: str, tag: str = "") -> None:
        span = _span(node)
        before = ast.get_source_segment(source, node) or ast.unparse(node)
        ident = f"{span[0]}:{span[1]}:{operator}{':' + tag if tag else ''}:{replacement}"
        context = lines[span[0] - 1].strip() if span[0] <= len(lines) else ""
        found.append(Mutant(module, ident, span[0], operator, before, replacement, span, context))

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


def prepare_copy(work: Path) -> Path:
    copy = work / "repo"
    if copy.exists():
        shutil.rmtree(copy)
    ignore = shutil.ignore_patterns(".git", "__pycache__", ".mldebtlint_cache", ".ci", "*.egg-info", ".pytest_cache")
    shutil.copytree(REPO, copy, ignore=ignore)
    return copy


def run_tests(copy: Path, tests: list[str], timeout: float) -> tuple[str, float]:
    env = dict(os.environ, PYTHONPATH=str(copy), PYTHONDONTWRITEBYTECODE="1")
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "no:warnings", *tests]
    started = time.monotonic()
    try:
        done = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - started
    elapsed = time.monotonic() - started
    if done.returncode == 0:
        return "passed", elapsed
    if done.returncode == 1:
        return "failed", elapsed
    return f"error {done.returncode}", elapsed


def run_module(
    module: str, work: Path, jobs: int, only: set[str] | None, log, sample: int = 0, seed: int = 11
) -> list[dict]:
    source = (REPO / module).read_text(encoding="utf-8")
    mutants = [m for m in mutants_of(module, source) if only is None or m.id in only]
    if sample and len(mutants) > sample:
        mutants = sorted(random.Random(f"{seed}:{module}").sample(mutants, sample), key=lambda m: (m.span, m.id))
    copies = [prepare_copy(work / f"w{index}") for index in range(jobs)]
    tests = test_files(module, copies[0])
    status, baseline = run_tests(copies[0], tests, timeout=1800)
    if status != "passed":
        raise SystemExit(f"{module}: the selected tests fail without any mutant ({status}): {tests}")
    timeout = max(60.0, 5 * baseline)
    log(f"{module}: {len(mutants)} mutants, tests {tests}, {baseline:.0f} s unmutated")
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
                outcome, elapsed = run_tests(copies[slot], tests, timeout)
            finally:
                target.write_text(source, encoding="utf-8")
            status = "survived" if outcome == "passed" else "killed"
            results[index] = {**asdict(mutant), "status": status, "outcome": outcome, "seconds": round(elapsed, 1)}
            log(f"  {status:8} {mutant.id}  {mutant.before[:50]!r} -> {mutant.after[:50]!r}")
        finally:
            free.append(slot)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(one, range(len(mutants))))
    return [r for r in results if r.get("status") != "invalid"]


def retest(results: list[dict], work: Path, jobs: int, log) -> list[dict]:
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
            updated.extend(run_module(module, work, jobs, ids, log))
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
    args = parser.parse_args()
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
        results = retest(json.loads(args.retest.read_text(encoding="utf-8")), work, max(1, args.jobs), log)
        if args.json:
            args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
        report(results)
        return

    results: list[dict] = []
    for module in modules:
        only = set(args.mutant) if args.mutant else None
        results.extend(run_module(module, work, max(1, args.jobs), only, log, args.sample, args.seed))
        if args.json:
            args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    report(results)
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


def report(results: list[dict]) -> None:
    equivalent = load_equivalent()
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

"""The per-file engine: the fast walker, lazy imports, one pass per file."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import libcst as cst
import pytest
from speed_project import SERVE, TRAIN, check, comparable, write_project

import mldebtlint.engine.batched
from mldebtlint.syntax.walk import walk

VARIED = textwrap.dedent('''\
    # leading comment
    from __future__ import annotations
    import numpy as np, torch as T
    from .models import (Ranker,  # trailing
                         Scorer)

    @decorator(arg=1)
    async def f(a, /, b: int = 2, *args, c, **kw) -> "T":
        """Doc."""
        global g
        x = [i ** 2 for i in range(10) if i % 2 if i]
        y = {k: v for k, v in kw.items()}
        z = lambda q, *r: (q, r)
        async with ctx() as (m, n):
            await m
        async for item in aiter():
            yield item
        try:
            pass
        except* ValueError as exc:
            raise RuntimeError("x") from exc
        else:
            del x[1:2, ::3]
        finally:
            assert a, "msg"
        match b:
            case [1, 2, *rest] | {"k": _} if rest:
                pass
            case Point(x=0) as p:
                pass
        s = f"{a!r:>{b}} {c=}" + r'raw' 'implicit' + b'x'.decode()
        t = a if b else c
        u = not a and b or -c @ d
        a += 1; b: int = 3
        while (n := n - 1) > 0:
            continue
        return (yield)

    class C(Base, metaclass=M):
        attr: list[int] = []

        def method(self) -> None:
            print(*self.attr, sep="")
    ''')


def events_by_visit(module: cst.Module) -> list[tuple[str, int]]:
    events: list[tuple[str, int]] = []

    class Recorder(cst.CSTVisitor):
        def on_visit(self, node):
            events.append(("visit", id(node)))
            return True

        def on_leave(self, original_node):
            events.append(("leave", id(original_node)))

    module.visit(Recorder())
    return events


def events_by_walk(module: cst.Module, wanted=()) -> list[tuple[str, int]]:
    events: list[tuple[str, int]] = []
    walk(
        module, lambda node: events.append(("visit", id(node))), lambda node: events.append(("leave", id(node))), wanted
    )
    return events


@pytest.mark.parametrize("source", [VARIED, TRAIN, SERVE, "", "x = 1\n"])
def test_walk_visits_every_node_in_libcst_order(source):
    module = cst.parse_module(source)
    assert events_by_walk(module, wanted={"Comma"}) == events_by_visit(module)


def test_walk_skips_only_token_subtrees_when_no_rule_wants_them():
    module = cst.parse_module(VARIED)
    token_ids = set()

    class Tokens(cst.CSTVisitor):
        def on_visit(self, node):
            if type(node).__module__.startswith(("libcst._nodes.op", "libcst._nodes.whitespace")):
                token_ids.add(id(node))
            return True

    module.visit(Tokens())
    expected = [event for event in events_by_visit(module) if event[1] not in token_ids]
    assert token_ids
    assert events_by_walk(module) == expected


def test_the_walker_and_module_visit_give_the_same_findings(tmp_path, monkeypatch):
    project = write_project(tmp_path / "project")
    fast = comparable(check(project))
    monkeypatch.setattr(mldebtlint.engine.batched.BatchedVisitor, "run", lambda self, module: module.visit(self))
    assert comparable(check(project)) == fast
    assert len(fast) > 5


def _modules_after(code: str, cwd: Path) -> set[str]:
    script = textwrap.dedent(f"""\
        import sys
        from mldebtlint.cli import main
        try:
            {code}
        except SystemExit:
            pass
        print("MODULES:" + ",".join(sorted(name for name in sys.modules if name.split(".")[0] == "libcst"
                              or name.startswith(("mldebtlint.detectors.", "mldebtlint.engine.batched")))))
        """)
    completed = subprocess.run([sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True, check=True)
    listed = completed.stdout.rsplit("MODULES:", 1)[1].strip()
    return {name for name in listed.split(",") if name}


def test_version_and_a_fully_cached_run_do_not_import_libcst_or_rules(tmp_path):
    project = write_project(tmp_path / "project")
    assert _modules_after('main(["--version"])', project) == set()
    cold = _modules_after('main(["check", "-q", "--jobs", "1", "."])', project)
    assert "libcst" in cold and "mldebtlint.engine.batched" in cold
    assert _modules_after('main(["check", "-q", "."])', project) == set()


def test_a_rule_crash_is_reported_and_not_cached(tmp_path, monkeypatch):
    project = write_project(tmp_path / "project", copies=1)
    from mldebtlint.detectors import registry

    rule = next(cls for cls in registry().values() if hasattr(cls, "visit_Call"))
    monkeypatch.setattr(rule, "visit_Call", lambda self, node: 1 / 0)
    result = check(project, cache=True)
    errors = [error for file in result.files for error in file.errors]
    assert any("ZeroDivisionError" in error for error in errors)
    monkeypatch.undo()
    assert not any(file.errors for file in check(project, cache=True).files)


@pytest.mark.parametrize("source", [VARIED, TRAIN, "x = 1", "", "if a:\r\n    b = '''\r\nc'''\r\n"])
def test_lazy_positions_equal_position_provider_for_every_node(source):
    from libcst.metadata import MetadataWrapper, PositionProvider

    from mldebtlint.syntax.positions import LazyPositions

    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    lazy = LazyPositions(module)
    nodes: list[cst.CSTNode] = []
    walk(module, nodes.append, lambda node: None, {"Comma"})
    assert nodes
    assert [lazy.get(node) for node in nodes] == [expected.get(node) for node in nodes]
    assert sum(lazy.get(node) is not None for node in nodes) > len(nodes) // 2

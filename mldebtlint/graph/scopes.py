"""Bookkeeping of the facts collector: scopes, tracked variables, model instances.

A *source* is a hashable tuple naming where a value came from:
``("model", instance_id)`` (a model's output; ``"frozen"`` without gradient), ``("data", parts_json)`` (a
data artifact read) or ``("call", qualified_function)`` (whatever that
function returns, resolved in the repo phase).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

Source = tuple[str, str]
# A model's output, with a gradient ("model") or without ("frozen": under
# ``torch.no_grad()`` or ``.detach()``ed): both are the model's outputs, only
# the first is trained by a ``backward()`` it reaches.
MODEL_SOURCES = ("model", "frozen")
# ``("param", "name@function")``: a value derived from a parameter of the function being
# read. It never leaves the file as a source; a write of it is the function's (see
# ``FlowEvaluator.record_write``), bound to the sources of each call's argument.
PARAM = "param"
MAX_SOURCES = 64


@dataclass
class Instance:
    """A variable holding (perhaps) a model, within one scope of one file."""

    id: str
    name: str
    line: int
    ctor: str | None = None
    # ``{"path": parts, "line": n, "generic": bool}``: generic loaders (pickle,
    # joblib, torch.load) return any object, so they alone do not make a model.
    loads: list[dict] = field(default_factory=list)
    load_calls: list[str] = field(default_factory=list)  # functions returning a loaded model
    saves: list[dict] = field(default_factory=list)  # ``{"path": parts, "line": n}``
    trains: list[dict] = field(default_factory=list)
    serves: list[dict] = field(default_factory=list)
    evidence: bool = False
    params: bool = False
    trainer_model: str | None = None
    trainer_inputs: set[Source] = field(default_factory=set)
    # Not a model whatever it does (an optimizer, a scaler, a checkpointer).
    not_model: bool = False
    # Other instances trained by the same loss (two towers, encoder + head): one model.
    joint: list[str] = field(default_factory=list)

    def interesting(self) -> bool:
        return bool(
            self.loads or self.load_calls or self.saves or self.trains or self.serves or self.evidence or self.params
        )

    def to_facts(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "line": self.line,
            "ctor": self.ctor,
            "loads": self.loads,
            "load_calls": self.load_calls,
            "saves": self.saves,
            "trains": self.trains,
            "serves": self.serves,
            "evidence": self.evidence,
            "params": self.params,
            "not_model": self.not_model,
            "joint": self.joint,
        }


@dataclass
class Scope:
    """A module, class or function body."""

    qualname: str
    kind: str  # "module" | "class" | "function"
    taints: dict[str, set[Source]] = field(default_factory=dict)
    paths: dict[str, list] = field(default_factory=dict)
    instances: dict[str, str] = field(default_factory=dict)  # var key -> instance id
    handles: dict[str, list] = field(default_factory=dict)  # open() handles -> path parts
    # Parameters and loop variables -> the named hole they leave in a path:
    # ``name@scope`` (one variable of one function), or ``in:<values>`` for a
    # loop over literal values (the same values wherever they are looped over).
    holes: dict[str, str] = field(default_factory=dict)
    # Names bound to a literal list or tuple (``model_list = ["a", "b"]``) -> "a|b".
    literals: dict[str, str] = field(default_factory=dict)
    # Instance ids called in this body with / only without gradients (``torch.no_grad()``).
    grad_outputs: set[str] = field(default_factory=set)
    frozen_outputs: set[str] = field(default_factory=set)

    def tracks(self, key: str) -> bool:
        return (
            key in self.taints or key in self.instances or key in self.handles or key in self.paths or key in self.holes
        )


def real_sources(sources: set[Source]) -> set[Source]:
    """``sources`` without parameter markers."""
    return {source for source in sources if source[0] != PARAM}


def capped(sources: set[Source]) -> set[Source]:
    if len(sources) <= MAX_SOURCES:
        return sources
    return set(sorted(sources)[:MAX_SOURCES])


def source_to_fact(source: Source) -> dict[str, Any]:
    kind, value = source
    if kind == "data":
        return {"data": json.loads(value)}
    return {kind: value}


def sources_to_facts(sources: set[Source]) -> list[dict[str, Any]]:
    return [source_to_fact(source) for source in sorted(sources)]


def data_source(parts: list) -> Source:
    return ("data", json.dumps(parts))

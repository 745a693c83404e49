"""The repo phase: one networkx DiGraph from every file's facts.

Nodes are ``model:<identity>`` (attrs: kind="model", label, identities,
path, line) and ``data:<identity>`` (kind="data", label). An edge carries
``sites``: the places (path, line, column, end_line, end_column, kind
"trains"/"serves"/"writes") that create it, sorted; ``sites[0]`` is the
primary one. Only facts are read here, never files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import networkx as nx

from mldebtlint.graph.paths import (
    ConstantResolver,
    closest,
    identities_match,
    kernel_input,
    kernel_output_aliases,
    label_for,
    normalize,
)

_MAX_CALL_DEPTH = 6
# Checkpoint-like names make poor labels when the model has a better one.
_CHECKPOINT = re.compile(r"checkpoint|ckpt|last|epoch|step|tmp|temp", re.IGNORECASE)
# Variable names that say nothing about a model: label it by its class instead.
_GENERIC_NAMES = frozenset({"model", "clf", "est", "estimator", "m", "net", "regressor", "classifier", "self.model"})


class _Repo:
    """Indexes of the facts of every file."""

    def __init__(self, facts_by_path: Mapping[str, Any]) -> None:
        self.files = {path: facts for path, facts in sorted(facts_by_path.items()) if isinstance(facts, dict)}
        self.resolver = ConstantResolver({f["module"]: f.get("constants", {}) for f in self.files.values()})
        self.functions: dict[str, tuple[str, dict]] = {}
        for path, facts in self.files.items():
            for name, summary in facts.get("functions", {}).items():
                self.functions[name] = (path, {**summary, "name": name})
        # Function names by their last component: suffix lookups stay linear on big repos.
        self._functions_by_last: dict[str, list[str]] = {}
        for name in self.functions:
            self._functions_by_last.setdefault(name.rpartition(".")[2], []).append(name)
        self.instances = {
            f"{path}::{instance['id']}": (path, instance)
            for path, facts in self.files.items()
            for instance in facts.get("instances", [])
        }

    def function(self, qualname: str, near: str = "") -> tuple[str, dict] | None:
        if qualname in self.functions:
            return self.functions[qualname]
        candidates = self._functions_by_last.get(qualname.rpartition(".")[2], ())
        matches = [name for name in candidates if name.endswith("." + qualname)]
        # Compare packages of the defining modules: drop the function name first.
        by_module = {name.rpartition(".")[0]: name for name in matches}
        found = closest(sorted(by_module), near)
        return self.functions[by_module[found]] if found else None

    def module_of(self, path: str) -> str:
        return self.files[path]["module"]

    def text(self, parts: Any, path: str, bindings: Mapping[str, str] | None = None) -> str:
        """``parts`` rendered in ``path``'s module; ``bindings`` fill named holes
        (a helper's parameters, from its caller's arguments)."""
        defaults = self.files[path].get("argdefaults") or {}
        out = []
        for kind, value in parts or ():
            if kind == "arg" and value in defaults:
                # ``args.model_path`` with ``add_argument("--model-path", default=...)`` in this file.
                out.extend(defaults[value])
            elif kind == "arg":
                # Whatever the command line says: the same argument of this script only.
                out.append(["var", f"{value}@{self.module_of(path)}"])
            elif kind == "var" and bindings and value in bindings:
                out.append(["s", bindings[value]])
            else:
                out.append([kind, value])
        return self.resolver.render(out, self.module_of(path))

    def identity(self, parts: Any, path: str, bindings: Mapping[str, str] | None = None) -> str | None:
        if not parts:
            return None
        return normalize(self.text(parts, path, bindings))


class _Builder:
    def __init__(self, facts_by_path: Mapping[str, Any]) -> None:
        self.repo = _Repo(facts_by_path)
        self.graph = nx.DiGraph()
        self.node_of: dict[str, str] = {}  # global instance id -> model node
        self.writes: list[tuple[str, dict, str]] = []  # (identity, write, path)

    # -- models -------------------------------------------------------------------
    def is_model(self, path: str, instance: dict) -> bool:
        """An independent model: persisted (saved/loaded), trained here, or asked to predict.

        Sub-modules of a network (``self.encoder(x)`` inside ``forward``) are
        none of these, so layer composition never becomes a model chain. An
        object a generic loader (pickle, joblib, torch.load) returns is a model
        only once it is used as one; optimizers, scalers, checkpointers never are.
        """
        if instance.get("not_model"):
            return False
        if instance["trains"] or instance["saves"] or instance["evidence"]:
            return True
        if any(not load.get("generic") for load in instance["loads"]):
            return True
        if instance["loads"] and instance["serves"]:
            return True
        return bool(self._called_loads(path, instance))

    def _called_loads(self, path: str, instance: dict) -> list[tuple[str, dict, str]]:
        """(identity, load, path of the load) of the functions returning this model."""
        found = []
        for name in instance.get("load_calls", []):
            entry = self.repo.function(name, self.repo.module_of(path))
            if entry:
                for load in entry[1].get("loads", []):
                    identity = self.repo.identity(load["path"], entry[0])
                    # A hole left by the helper's parameter is filled by each caller: unknown here.
                    if identity and "<" not in identity:
                        found.append((identity, load, entry[0]))
        return found

    def add_models(self) -> None:
        parent: dict[str, str] = {}

        def find(item: str) -> str:
            while parent.setdefault(item, item) != item:
                item = parent[item]
            return item

        groups: dict[str, list[str]] = {}
        self.persist_sites: dict[str, list[dict]] = {}  # global id -> its save/load sites
        for global_id, (path, instance) in self.repo.instances.items():
            if not self.is_model(path, instance):
                continue
            load_sites = [(self.repo.identity(load["path"], path), load, path) for load in instance["loads"]]
            load_sites += self._called_loads(path, instance)
            save_sites = [(self.repo.identity(save["path"], path), save, path) for save in instance["saves"]]
            loads = [identity for identity, _, _ in load_sites if identity]
            saves = [identity for identity, _, _ in save_sites if identity]
            if instance["trains"]:
                names = saves or loads
            else:
                names = loads + saves  # an export/conversion: the same model in another format
            names = [n for n in dict.fromkeys(names) if "*" not in n] or [f"local:{global_id}"]
            for name in names[1:]:
                parent[find(name)] = find(names[0])
            groups[global_id] = names
            self.persist_sites[global_id] = [
                {"path": where, "line": site.get("line", 0), "kind": kind, "identity": identity}
                for kind, sites in (("loads", load_sites), ("saves", save_sites))
                for identity, site, where in sites
                if identity and identity in names
            ]
        # ``/opt/app/model/model.pkl`` (a container's path) is ``model/model.pkl``.
        by_file: dict[str, list[str]] = {}
        for names in groups.values():
            for name in names:
                if not name.startswith("local:"):
                    by_file.setdefault(name.rpartition("/")[2], []).append(name)
        for same_file in by_file.values():
            distinct = sorted(set(same_file))
            for index, name in enumerate(distinct):
                for other in distinct[index + 1 :]:
                    if name.startswith("/") != other.startswith("/") and identities_match(name, other):
                        parent[find(other)] = find(name)
        # Parts trained by one loss are one model (two towers, encoder + head).
        for global_id, (path, instance) in self.repo.instances.items():
            for other in instance.get("joint", []):
                other_id = f"{path}::{other}"
                if global_id in groups and other_id in groups:
                    parent[find(groups[other_id][0])] = find(groups[global_id][0])
        members: dict[str, list[str]] = {}
        for names in groups.values():
            bucket = members.setdefault(find(names[0]), [])
            bucket.extend(n for n in names if n not in bucket)
        for global_id, names in sorted(groups.items()):
            identities = members[find(names[0])]
            persisted = sorted((i for i in identities if not i.startswith("local:")), key=lambda i: i.startswith("/"))
            preferred = next((i for i in persisted if not _CHECKPOINT.search(i)), (persisted or identities)[0])
            node = f"model:{preferred}"
            self.node_of[global_id] = node
            path, instance = self.repo.instances[global_id]
            if node not in self.graph:
                self.graph.add_node(
                    node,
                    kind="model",
                    label=self._label(preferred, instance),
                    identities=sorted(i for i in identities if not i.startswith("local:")),
                    path=path,
                    line=instance["line"],
                    module=self.repo.module_of(path),
                    persisted=bool(persisted),
                    sites=[],
                )
            attrs = self.graph.nodes[node]
            if instance["trains"] and not attrs.get("trained"):
                # Drawn where it is trained, not where it is first loaded.
                attrs.update(path=path, line=instance["line"], module=self.repo.module_of(path), trained=True)
            sites = attrs["sites"]
            for site in self.persist_sites[global_id]:
                if site not in sites:
                    sites.append(site)
            sites.sort(key=lambda site: (site["path"], site["line"], site["kind"]))

    def _label(self, identity: str, instance: dict) -> str:
        if not identity.startswith("local:"):
            return label_for(identity)
        if instance["name"].lower() in _GENERIC_NAMES and instance.get("ctor"):
            return instance["ctor"].rsplit(".", 1)[-1]
        return instance["name"]

    # -- sources --------------------------------------------------------------------
    def resolve(
        self, sources: list[dict], path: str, depth: int = 0, bindings: Mapping[str, str] | None = None
    ) -> set[tuple[str, str, str]]:
        """Sources -> {("model", node, instance id), ("data", identity, "")}."""
        out: set[tuple[str, str, str]] = set()
        for source in sources:
            if "model" in source or "frozen" in source:
                global_id = f"{path}::{source.get('model') or source['frozen']}"
                node = self.node_of.get(global_id)
                if node:
                    out.add(("model", node, global_id))
            elif "data" in source:
                identity = self.repo.identity(source["data"], path, bindings)
                if identity:
                    out.add(("data", identity, ""))
            elif "call" in source and depth < _MAX_CALL_DEPTH:
                name, _, raw = source["call"].partition("\t")
                entry = self.repo.function(name, self.repo.module_of(path))
                if entry:
                    inner = self._bindings(entry[1], json.loads(raw), path, bindings) if raw else None
                    out |= self.resolve(entry[1].get("returns", []), entry[0], depth + 1, inner)
        return out

    def _bindings(self, summary: dict, arguments: list, path: str, outer: Mapping[str, str] | None) -> dict[str, str]:
        """A helper's parameter holes, filled with its caller's path arguments."""
        params = summary.get("params", [])
        offset = 1 if params[:1] == ["self"] else 0
        out = {}
        for where, parts in arguments:
            if isinstance(where, int):
                index = where + offset
                param = params[index] if index < len(params) else None
            else:
                param = where if where in params else None
            if param is not None:
                out[f"{param}@{summary['name']}"] = self.repo.text(parts, path, outer)
        return out

    def _helper_writes(self, call: dict, path: str) -> list[tuple[str, dict, str]]:
        """``log_predictions(preds, "logs/preds.parquet")``: the repo's own function writes
        its parameters at a path it is given; this call writes its arguments' sources at
        the path its own arguments name (one still holding the helper's parameter is
        unknown). A helper writing a fixed path of its own is left out: the graph does not
        track fields, and such shared files (a feedback store) made 2-model chains whose
        middle link is a field the consumer never reads (market-playground)."""
        entry = self.repo.function(call["call"], self.repo.module_of(path))
        if entry is None or not entry[1].get("writes"):
            return []
        helper_path, summary = entry
        params = summary.get("params", [])
        offset = 1 if params[:1] == ["self"] else 0
        sources_of: dict[str, list] = {}
        for where, sources in call["sources"]:
            index = where + offset if isinstance(where, int) else None
            param = params[index] if index is not None and index < len(params) else where
            sources_of[f"{param}@{summary['name']}"] = sources
        arguments = json.loads(call["arguments"]) if call.get("arguments") else []
        bindings = self._bindings(summary, arguments, path, None)
        site = {key: call[key] for key in ("line", "column", "end_line", "end_column")}
        out = []
        hole = f"@{summary['name']}>"
        for write in summary["writes"]:
            sources = [source for param in write["params"] for source in sources_of.get(param, [])]
            if not sources or hole not in self.repo.text(write["path"], helper_path):
                continue
            identity = self.repo.identity(write["path"], helper_path, bindings)
            if identity and hole not in identity:
                out.append((identity, {"path": write["path"], "sources": sources, **site}, path))
        return out

    def data_nodes_for(self, identity: str) -> list[str]:
        kernel = kernel_input(identity)
        return sorted(
            {
                f"data:{written}"
                for written, _, _ in self.writes
                if identities_match(written, identity) or (kernel != identity and identities_match(written, kernel))
            }
        )

    def add_edge(self, source: str, target: str, site: dict) -> None:
        if not self.graph.has_edge(source, target):
            self.graph.add_edge(source, target, sites=[])
        sites = self.graph.edges[source, target]["sites"]
        if site not in sites:
            sites.append(site)
            sites.sort(key=_site_order)

    def add_flows(self) -> None:
        for path, facts in self.repo.files.items():
            for write in facts.get("writes", []):
                identity = self.repo.identity(write["path"], path)
                if identity:
                    self.writes.append((identity, write, path))
                    # The same file as other Kaggle kernels read it (``../input/<kernel>/...``).
                    self.writes.extend((alias, write, path) for alias in kernel_output_aliases(identity, path))
            for call in facts.get("calls", []):
                self.writes.extend(self._helper_writes(call, path))
        # Every data node first, then the edges into them: a write made from a file
        # that another script writes connects whatever order the files come in.
        for identity, write, path in self.writes:
            node = f"data:{identity}"
            for kind, value, _ in self.resolve(write["sources"], path):
                if kind == "model" or self.data_nodes_for(value):
                    self.graph.add_node(node, kind="data", label=label_for(identity), identities=[identity], path=path)
        for identity, write, path in self.writes:
            node = f"data:{identity}"
            if node in self.graph:
                self._consume(node, write["sources"], path, write, "writes")
        for global_id, node in self.node_of.items():
            path, instance = self.repo.instances[global_id]
            for kind, sites in (("trains", instance["trains"]), ("serves", instance["serves"])):
                for site in sites:
                    self._consume(node, site["inputs"], path, site, kind, global_id)

    def _from_storage(self, global_id: str) -> bool:
        """Whether this instance of a model was loaded from its persisted artifact."""
        path, instance = self.repo.instances[global_id]
        return bool(instance["loads"] or self._called_loads(path, instance))

    def _consume(
        self, node: str, sources: list[dict], path: str, site: dict, kind: str, consumer: str | None = None
    ) -> None:
        where = {
            "path": path,
            "line": site["line"],
            "column": site["column"],
            "end_line": site["end_line"],
            "end_column": site["end_column"],
            "kind": kind,
        }
        if site.get("guards"):
            where["guards"] = site["guards"]
        for source_kind, value, producer in sorted(self.resolve(sources, path)):
            if source_kind == "model":
                stored = self._from_storage(producer)
                if value == node and (producer == consumer or not stored):
                    continue  # one object's own outputs, in memory: not a loop through anything
                self.add_edge(value, node, {**where, "stored": stored})
            else:
                for data_node in self.data_nodes_for(value):
                    if data_node in self.graph and data_node != node:
                        self.add_edge(data_node, node, where)


def _site_order(site: dict) -> tuple:
    return (site["kind"] != "trains", site["path"], site["line"], site["column"])


# The last graph built and the facts object it was built from: the runner
# hands MLD401 and MLD402 the same read-only facts mapping in one run.
_last_build: tuple[Mapping[str, Any], nx.DiGraph] | None = None


def build_model_graph(facts_by_path: Mapping[str, Any]) -> nx.DiGraph:
    """The model/data graph of a repo from ``{path: ModelGraphFacts facts}``."""
    global _last_build
    if _last_build is not None and _last_build[0] is facts_by_path:
        return _last_build[1].copy()
    builder = _Builder(facts_by_path)
    builder.add_models()
    builder.add_flows()
    _prune_dangling_data(builder.graph)
    if isinstance(facts_by_path, MappingProxyType):  # only read-only facts are reused
        _last_build = (facts_by_path, builder.graph.copy())
    return builder.graph


def _prune_dangling_data(graph: nx.DiGraph) -> None:
    """Data nodes that no model (even indirectly) consumes only add noise."""
    changed = True
    while changed:
        dangling = [n for n, attrs in graph.nodes(data=True) if attrs["kind"] == "data" and graph.out_degree(n) == 0]
        graph.remove_nodes_from(dangling)
        changed = bool(dangling)

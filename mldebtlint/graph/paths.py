"""Artifact identities: path expressions as data, resolved across modules.

Per file, a path expression becomes a list of *parts* (JSON-friendly)::

    ["s", "models/"]           literal text
    ["ref", "pkg.constants.X"] a module-level constant, maybe of another module
    ["key", "ranker_path"]     a configuration key (cfg["ranker_path"], cfg.ranker_path)
    ["arg", "model_path"]      a command-line argument (args.model_path)
    ["var", "fold@m.main"]     a named hole: a parameter or loop variable of one function
    ["any", ""]                something unknown (a call's result)

The repo phase resolves refs through every module's constants and renders
an identity string: unknown parts become ``*``, keys ``{key}`` and named
holes ``<name>``. Two identities name one artifact only when they are equal
(the same literal text around the same named holes) or one is a folder
holding the other; a ``*`` matches nothing (see ``identities_match``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import libcst as cst

from mldebtlint.knowledge import graph_apis as known_apis
from mldebtlint.syntax.literals import string
from mldebtlint.syntax.names import ImportResolver

Parts = list[list[str]]
ANY: Parts = [["any", ""]]
_MAX_DEPTH = 12


class PathReader:
    """Turns a libcst expression into path parts for one file."""

    def __init__(
        self,
        names: ImportResolver,
        module: str,
        lookup_local: Callable[[str], Parts | None],
        file_path: str = "",
    ):
        self.names = names
        self.module = module
        self.lookup_local = lookup_local
        self.module_constants: set[str] = set()
        # The file's own path (root-relative): ``__file__`` and its folders.
        self.file_path = file_path.replace("\\", "/")

    def parts(self, node: cst.BaseExpression | None, depth: int = 0) -> Parts:
        if node is None or depth > _MAX_DEPTH:
            return ANY
        text = string(node)
        if text is not None:
            return [["s", text]]
        if isinstance(node, cst.FormattedString):
            return self._fstring(node, depth)
        if isinstance(node, cst.Name):
            return self._name(node.value)
        if isinstance(node, cst.Attribute):
            return self._attribute(node)
        if isinstance(node, cst.Subscript):
            entry = self._constant_entry(node)
            if entry is not None:
                return entry
            key = config_key(node)
            return [[key_kind(node), key]] if key else ANY
        if isinstance(node, cst.BinaryOperation):
            left, right = self.parts(node.left, depth + 1), self.parts(node.right, depth + 1)
            if isinstance(node.operator, cst.Divide):
                return left + [["s", "/"]] + right
            if isinstance(node.operator, cst.Add):
                return left + right
            return ANY
        if isinstance(node, cst.Call):
            return self._call(node, depth)
        return ANY

    def _constant_entry(self, node: cst.Subscript) -> Parts | None:
        """``PATHS["gbm"]`` where PATHS is a module-level dict constant."""
        if not isinstance(node.value, (cst.Name, cst.Attribute)) or len(node.slice) != 1:
            return None
        index = node.slice[0].slice
        key = string(index.value) if isinstance(index, cst.Index) else None
        if key is None:
            return None
        base = self.parts(node.value)
        if len(base) == 1 and base[0][0] == "ref":
            return [["ref", f"{base[0][1]}[{key}]"]]
        return None

    def _fstring(self, node: cst.FormattedString, depth: int) -> Parts:
        out: Parts = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                out.append(["s", part.value])
            elif isinstance(part, cst.FormattedStringExpression):
                out.extend(self.parts(part.expression, depth + 1))
        return out

    def _name(self, name: str) -> Parts:
        if name == "__file__" and self.file_path:
            return [["s", self.file_path]]
        local = self.lookup_local(name)
        if local is not None:
            return local
        target = self.names.aliases.get(name)
        if target is not None:
            return [["ref", absolute_name(target, self.module)]]
        if name in self.module_constants:
            return [["ref", f"{self.module}.{name}"]]
        return ANY

    def _attribute(self, node: cst.Attribute) -> Parts:
        # An imported module's attribute (``constants.MODEL_PATH``) before a config key:
        # ``import conf`` makes ``conf.X`` a constant, not a configuration lookup.
        if node.attr.value == "parent":
            return dirname(self.parts(node.value))
        resolved = self.names.resolve(node)
        if resolved and not resolved.startswith(("os.", "sys.")):
            return [["ref", absolute_name(resolved, self.module)]]
        key = config_key(node)
        if key:
            return [[key_kind(node), key]]
        return ANY

    def _call(self, node: cst.Call, depth: int) -> Parts:
        name = self.names.call_name(node) or ""
        args = [arg.value for arg in node.args if arg.keyword is None and not arg.star]
        if name in known_apis.PATH_JOIN_FUNCTIONS or name.endswith(".joinpath"):
            pieces = [self.parts(arg, depth + 1) for arg in args]
            if name.endswith(".joinpath") and isinstance(node.func, cst.Attribute):
                pieces.insert(0, self.parts(node.func.value, depth + 1))
            out: Parts = []
            for index, piece in enumerate(pieces):
                if index:
                    out.append(["s", "/"])
                out.extend(piece)
            return out or ANY
        if (name in known_apis.PATH_PASSTHROUGH or name == "open") and args:
            return self.parts(args[0], depth + 1)
        if name in known_apis.PATH_DIRNAME_FUNCTIONS and args:
            return dirname(self.parts(args[0], depth + 1))
        if name in known_apis.ENV_FUNCTIONS and args:
            key = string(args[0])
            return [["key", key]] if key else ANY
        if isinstance(node.func, cst.Attribute):
            method = node.func.attr.value
            if method in known_apis.PATH_METHOD_PASSTHROUGH:
                return self.parts(node.func.value, depth + 1)
            if method == "get" and args and config_root(node.func.value):
                key = string(args[0])
                prefix = config_key(node.func.value)
                if key:
                    return [["key", f"{prefix}.{key}" if prefix else key]]
            if method == "format":
                return self._format(node, args, depth)
        return ANY

    def _format(self, node: cst.Call, args: list[cst.BaseExpression], depth: int) -> Parts:
        template = string(node.func.value) if isinstance(node.func, cst.Attribute) else None
        if template is None:
            return ANY
        out: Parts = []
        pieces = re.split(r"(\{[^{}]*\})", template)
        position = 0
        for piece in pieces:
            if piece.startswith("{") and piece.endswith("}"):
                index = piece[1:-1]
                if index.isdigit() and int(index) < len(args):
                    out.extend(self.parts(args[int(index)], depth + 1))
                elif index == "" and position < len(args):
                    out.extend(self.parts(args[position], depth + 1))
                    position += 1
                else:
                    out.extend(ANY)
            elif piece:
                out.append(["s", piece])
        return out


def literal_values(node: cst.BaseExpression) -> str | None:
    """``range(5)`` -> "0..5"; ``["a", "b"]`` -> "a|b"; anything else None."""
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "range":
        bounds = [arg.value for arg in node.args]
        if bounds and len(bounds) <= 2 and all(isinstance(b, cst.Integer) for b in bounds):
            numbers = [b.value for b in bounds if isinstance(b, cst.Integer)]
            return "..".join(["0", *numbers] if len(numbers) == 1 else numbers)
        return None
    if isinstance(node, (cst.List, cst.Tuple)) and node.elements:
        values = []
        for element in node.elements:
            value = element.value
            if isinstance(value, cst.SimpleString) and isinstance(value.evaluated_value, str):
                values.append(value.evaluated_value)
            elif isinstance(value, cst.Integer):
                values.append(value.value)
            else:
                return None
        return "|".join(values)
    return None


def dirname(parts: Parts) -> Parts:
    """The folder of a fully literal path (``os.path.dirname``, ``Path.parent``), else unknown."""
    if not parts or any(kind != "s" for kind, _ in parts):
        return ANY
    text = "".join(value for _, value in parts).replace("\\", "/").rstrip("/")
    folder = text.rpartition("/")[0] if "/" in text else "."
    return [["s", folder or "/"]]


def dict_entries(node: cst.BaseExpression) -> list[tuple[str, cst.BaseExpression]]:
    """String-keyed entries of a dict literal (for ``NAME[key]`` constants)."""
    if not isinstance(node, cst.Dict):
        return []
    out = []
    for element in node.elements:
        if isinstance(element, cst.DictElement):
            key = string(element.key)
            if key is not None and "." not in key:
                out.append((key, element.value))
    return out


def config_root(node: cst.BaseExpression) -> bool:
    """Whether ``node`` is (a subscript/attribute of) a config-like name."""
    while isinstance(node, (cst.Attribute, cst.Subscript)):
        node = node.value
    return isinstance(node, cst.Name) and node.value in known_apis.CONFIG_ROOT_NAMES


def key_kind(node: cst.BaseExpression) -> str:
    """ "arg" for a command-line argument (``args.model_path``: its value is the
    argparse default, else unknown outside its script), "key" for a configuration key."""
    while isinstance(node, (cst.Attribute, cst.Subscript)):
        node = node.value
    return "arg" if isinstance(node, cst.Name) and node.value in known_apis.ARGUMENT_ROOT_NAMES else "key"


def config_key(node: cst.BaseExpression) -> str | None:
    """``cfg["paths"]["ranker"]`` / ``cfg.paths.ranker`` -> "paths.ranker"."""
    keys: list[str] = []
    current = node
    while isinstance(current, (cst.Attribute, cst.Subscript)):
        if isinstance(current, cst.Attribute):
            keys.append(current.attr.value)
        else:
            if len(current.slice) != 1 or not isinstance(current.slice[0].slice, cst.Index):
                return None
            key = string(current.slice[0].slice.value)
            if key is None:
                return None
            keys.append(key)
        current = current.value
    if not keys or not isinstance(current, cst.Name):
        return None
    if current.value == "os":
        # os.environ["MODEL_PATH"]: the environment variable is the key.
        return keys[0] if len(keys) == 2 and keys[1] == "environ" and isinstance(node, cst.Subscript) else None
    if current.value in known_apis.CONFIG_ROOT_NAMES or (isinstance(node, cst.Subscript) and current.value != "self"):
        return ".".join(reversed(keys))
    return None


def absolute_name(target: str, module: str) -> str:
    """Resolve a relative import target (``.constants.X``) against ``module``."""
    if not target.startswith("."):
        return target
    level = len(target) - len(target.lstrip("."))
    base = module.split(".")
    # ``module`` is a module, so one dot means its package.
    package = base[: max(len(base) - level, 0)]
    rest = target[level:]
    return ".".join([*package, rest]) if rest else ".".join(package)


# -- the repo phase -------------------------------------------------------------


class ConstantResolver:
    """Resolves ``ref`` parts through the constants of every module."""

    def __init__(self, constants_by_module: Mapping[str, Mapping[str, Parts]]):
        self.constants = constants_by_module
        self._suffix_index: dict[str, list[str]] = {}
        for module in constants_by_module:
            pieces = module.split(".")
            for start in range(len(pieces)):
                self._suffix_index.setdefault(".".join(pieces[start:]), []).append(module)

    def module_for(self, dotted: str, near: str = "") -> str | None:
        """The known module a dotted import target names (exact, else a suffix match)."""
        if dotted in self.constants:
            return dotted
        return closest(self._suffix_index.get(dotted, []), near)

    def lookup(self, qualified: str, near: str = "") -> tuple[Parts, str] | None:
        module, _, name = qualified.rpartition(".")
        found = self.module_for(module, near) if module else None
        if found is None or name not in self.constants[found]:
            return None
        return self.constants[found][name], found

    def render(self, parts: Parts, near: str = "", depth: int = 0) -> str:
        out: list[str] = []
        for kind, value in parts:
            if kind == "s":
                out.append(value)
            elif kind == "key":
                out.append("{" + value + "}")
            elif kind == "var":
                out.append("<" + value + ">")
            elif kind == "arg":
                out.append("*")  # resolved in the repo phase (argparse defaults), else unknown
            elif kind == "ref" and depth < _MAX_DEPTH:
                target = self.lookup(value, near)
                out.append(self.render(target[0], target[1], depth + 1) if target is not None else "*")
            else:
                out.append("*")
        return "".join(out)

    def identity(self, parts: Parts | None, near: str = "") -> str | None:
        """A normalised identity, or None when the path is too vague to match.

        ``near`` is the module the path expression is written in: a script-style
        import (``from paths import X``) prefers the ``paths`` module beside it.
        """
        if not parts:
            return None
        return normalize(self.render(parts, near))


def closest(candidates: list[str], near: str) -> str | None:
    """The only candidate, else the only one in ``near``'s package, else None."""
    if len(candidates) == 1:
        return candidates[0]
    package = near.rpartition(".")[0]
    beside = [c for c in candidates if c.rpartition(".")[0] == package]
    return beside[0] if len(beside) == 1 else None


def normalize(text: str) -> str | None:
    text = text.replace("\\", "/").strip()
    text = re.sub(r"\*+", "*", text)
    text = re.sub(r"/+", "/", text)
    segments = [segment for segment in text.split("/") if segment not in (".", "")]
    if text.startswith("/"):
        segments.insert(0, "")
    result = "/".join(segments)
    if text.endswith("/") and result:
        result = result.rstrip("/")
    # Too vague to identify anything: no letters or digits outside wildcards
    # (a configuration key counts as a name; a parameter or loop variable does not).
    if not re.search(r"[A-Za-z0-9]", re.sub(r"<[^>]*>", "", re.sub(r"\{[^}]*\}", "k", result))):
        return None
    if re.fullmatch(r"[*/]*\*[*/.]*[A-Za-z0-9]{0,5}", result):
        return None  # e.g. "*.pkl" or "*/*": nothing but an extension
    return result


def identities_match(a: str, b: str) -> bool:
    """Same artifact, provably: equal text (named holes included), one a folder
    holding the other (whatever is below the folder), or an absolute path ending in a relative one
    (``/opt/app/model/model.pkl`` and ``model/model.pkl``).

    An unknown part (``*``) explains nothing, so a pattern holding one matches
    no other identity: silence rather than a guessed edge.
    """
    if a == b:
        return True
    if "<in:" in a or "<in:" in b:
        # A loop over literal values: the artifact of each value.
        return any(_matches(x, y) for x in expand_loops(a) for y in expand_loops(b) if "<in:" not in x + y or x == y)
    return _matches(a, b)


def _matches(a: str, b: str) -> bool:
    if a == b:
        return True
    # A folder read or written whole covers whatever is below it, known or not.
    if ("*" not in a and b.startswith(a + "/")) or ("*" not in b and a.startswith(b + "/")):
        return True
    if "*" in a or "*" in b:
        return False
    return _absolute_tail(a, b) or _absolute_tail(b, a)


_LOOP = re.compile(r"<in:([^>]*)>")
_MAX_EXPANSIONS = 64


def expand_loops(identity: str) -> list[str]:
    """``out/<in:a|b>.pkl`` -> ``["out/a.pkl", "out/b.pkl"]`` (``<in:0..3>``: 0, 1, 2);
    left as it is when there would be too many."""
    match = _LOOP.search(identity)
    if match is None:
        return [identity]
    text = match.group(1)
    if ".." in text and "|" not in text:
        low, _, high = text.partition("..")
        if not (low.isdigit() and high.isdigit()) or int(high) - int(low) > _MAX_EXPANSIONS:
            return [identity]
        values = [str(number) for number in range(int(low), int(high))]
    else:
        values = text.split("|")
    out: list[str] = []
    for value in values:
        for rest in expand_loops(identity[: match.start()] + value + identity[match.end() :]):
            out.append(rest)
            if len(out) > _MAX_EXPANSIONS:
                return [identity]
    return out


def _absolute_tail(absolute: str, relative: str) -> bool:
    """A relative path of a folder and a file, at the end of an absolute one."""
    if not absolute.startswith("/") or relative.startswith("/") or relative.count("/") < 1:
        return False
    return absolute.endswith("/" + relative)


_KERNEL_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def kernel_output_aliases(identity: str, writer_path: str) -> list[str]:
    """Where other Kaggle kernels read a kernel's output: ``lgb_oof.npy`` written by
    ``tps-lgb.ipynb`` (in its working folder) is ``../input/tps-lgb/lgb_oof.npy`` (or
    ``/kaggle/input/tps-lgb/lgb_oof.npy``, see ``kernel_input``) to a kernel that adds
    it as a data source. A relative alias: it matches no absolute path by its tail.

    Only for a writer whose file stem is a kernel slug, and a path inside its working
    folder: the reader's folder must name that very kernel file.
    """
    stem = writer_path.replace("\\", "/").rpartition("/")[2].rpartition(".")[0]
    if not _KERNEL_SLUG.fullmatch(stem):
        return []
    relative = identity
    for root in known_apis.KAGGLE_WORKING_ROOTS:
        if relative.startswith(root):
            relative = relative[len(root) :]
    if not relative or relative.startswith(("/", "../")) or relative.startswith(known_apis.KAGGLE_INPUT_ROOTS):
        return []
    return [f"{known_apis.KAGGLE_INPUT_ROOTS[0]}{stem}/{relative}"]


def kernel_input(identity: str) -> str:
    """A read under any Kaggle input root, in the form ``kernel_output_aliases`` gives
    (``/kaggle/input/k/x.npy`` -> ``../input/k/x.npy``); other identities unchanged."""
    for root in known_apis.KAGGLE_INPUT_ROOTS[1:]:
        if identity.startswith(root):
            return known_apis.KAGGLE_INPUT_ROOTS[0] + identity[len(root) :]
    return identity


def label_for(identity: str) -> str:
    """A short human name: ``models/churn_model.pkl`` -> ``churn_model``."""
    text = re.sub(r"<([^@>]*)@[^>]*>", r"{\1}", identity.rstrip("/"))
    text = re.sub(r"<in:[^>]*>", "{…}", text)
    if text.startswith("{") and text.endswith("}") and text.count("{") == 1:
        return text[1:-1].rsplit(".", 1)[-1]
    last = text.rsplit("/", 1)[-1] or text
    for suffix in (
        ".tar.gz",
        ".joblib",
        ".pkl",
        ".pickle",
        ".pt",
        ".pth",
        ".bin",
        ".onnx",
        ".json",
        ".h5",
        ".keras",
        ".txt",
        ".ubj",
        ".cbm",
        ".model",
        ".ckpt",
        ".safetensors",
    ):
        if last.endswith(suffix) and len(last) > len(suffix):
            return last[: -len(suffix)]
    return last

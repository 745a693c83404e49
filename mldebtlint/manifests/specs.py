"""Version-constraint helpers for ``mldebtlint.manifests.requirements``.

Everything is judged in PEP 440 terms through ``packaging``: conda match
specs and Poetry constraints are translated to a PEP 440 specifier set
first, then ``strength_of`` says how tightly it pins.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from mldebtlint.core.types import Location

EXACT = "exact"
UPPER_BOUND = "upper-bound"
UNBOUNDED = "unbounded"
_RANK = {UNBOUNDED: 0, UPPER_BOUND: 1, EXACT: 2}

# conda package names that install a PyPI distribution under another name.
CONDA_ALIASES = {
    "pytorch": "torch",
    "pytorch-gpu": "torch",
    "pytorch-cpu": "torch",
    "py-xgboost": "xgboost",
    "py-xgboost-cpu": "xgboost",
    "py-xgboost-gpu": "xgboost",
    "tensorflow-base": "tensorflow",
}

VCS_PREFIXES = ("git+", "hg+", "svn+", "bzr+")
ARTIFACT_SUFFIXES = (".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2", ".tar.xz")


def canonical_key(name: str, conda: bool = False) -> str:
    """PEP 503 normalised name; conda aliases resolved for conda entries."""
    key = canonicalize_name(name)
    return CONDA_ALIASES.get(key, key) if conda else key


def _pinned_ref(url: str) -> bool:
    """A VCS URL pinned to a commit or a version tag (branches move)."""
    path = urlsplit(url).path
    if "@" not in path:
        return False
    ref = path.rsplit("@", 1)[1]
    if 7 <= len(ref) <= 40 and all(ch in "0123456789abcdefABCDEF" for ch in ref):
        return True
    try:
        Version(ref.lstrip("vV"))
    except InvalidVersion:
        return False
    return True


def strength_of(specifier: str, url: str = "") -> str:
    """How tightly a requirement pins: EXACT, UPPER_BOUND or UNBOUNDED."""
    if url:
        if url.startswith(VCS_PREFIXES):
            return EXACT if _pinned_ref(url) else UNBOUNDED
        path = urlsplit(url).path.lower()
        return EXACT if path.endswith(ARTIFACT_SUFFIXES) else UNBOUNDED
    try:
        specs = SpecifierSet(specifier or "")
    except InvalidSpecifier:
        return UNBOUNDED
    best = UNBOUNDED
    for spec in specs:
        if spec.operator == "===" or (spec.operator == "==" and not spec.version.endswith("*")):
            return EXACT
        if spec.operator in ("<", "<=", "~=", "=="):
            best = UPPER_BOUND
    return best


def _weakest(specifiers: list[str]) -> str:
    return min(specifiers, key=lambda s: _RANK[strength_of(s)])


def _valid(specifier: str) -> bool:
    try:
        SpecifierSet(specifier)
    except InvalidSpecifier:
        return False
    return True


# -- conda match specs -------------------------------------------------------


def _conda_version(version: str, build: str = "") -> str | None:
    """One conda version expression (no name) -> PEP 440 specifiers."""
    version = version.strip()
    if not version or version == "*":
        return ""
    if version.startswith("=="):
        return "==" + version[2:].split("=", 1)[0]
    if version.startswith("="):
        # ``pkg=1.2`` is conda's fuzzy 1.2.*; a full version or a build pins.
        bare, _, build = version[1:].partition("=")
        return _conda_version(
            bare if build or "*" in bare or _release_parts(bare) >= 3 else bare.rstrip(".") + ".*", build
        )
    if version[0] in "<>!~":
        return version
    if version.endswith("*"):
        return "==" + version.rstrip("*").rstrip(".") + ".*"
    return "==" + version


def _release_parts(version: str) -> int:
    try:
        return len(Version(version).release)
    except InvalidVersion:
        return 0


def conda_to_pep440(spec: str) -> tuple[str, str] | None:
    """``conda-forge::pytorch=2.1.0`` -> ("pytorch", "==2.1.0"); None if not understood."""
    spec = spec.strip().split("::")[-1].strip()
    if not spec:
        return None
    if "[" in spec:
        name, _, inside = spec.partition("[")
        options = dict(part.split("=", 1) for part in inside.rstrip("]").split(",") if "=" in part)
        version = options.get("version", "").strip("'\" ")
        name, alternatives = name.strip(), [version]
    elif " " in spec:
        name, _, version = spec.partition(" ")
        version = version.strip().split(" ", 1)[0]
        alternatives = version.split("|")
        alternatives = [a if a[:1] in "<>!=~" else "==" + a for a in alternatives]
    else:
        cut = next((i for i, ch in enumerate(spec) if ch in "=<>!~"), len(spec))
        name, version = spec[:cut], spec[cut:]
        alternatives = version.split("|")
    translated = [_conda_version(a) for a in alternatives]
    if not name or any(t is None or not _valid(t) for t in translated):
        return None
    return name.strip(), _weakest([t for t in translated if t is not None])


# -- Poetry constraints ------------------------------------------------------


def _bump(release: tuple[int, ...], index: int) -> str:
    parts = list(release[: index + 1])
    parts[index] += 1
    return ".".join(str(p) for p in parts)


def _poetry_atom(atom: str) -> list[str] | None:
    if atom == "*":
        return []
    if atom.startswith("^") or (atom.startswith("~") and not atom.startswith("~=")):
        bare = atom[1:].strip()
        try:
            release = Version(bare).release
        except InvalidVersion:
            return None
        if atom.startswith("^"):
            index = next((i for i, part in enumerate(release) if part), len(release) - 1)
        else:
            index = 1 if len(release) >= 2 else 0
        return [f">={bare}", f"<{_bump(release, index)}"]
    if atom.startswith("=") and not atom.startswith("=="):
        return ["=" + atom]
    if atom[0] in "<>=!~":
        return [atom]
    return ["==" + atom]


def poetry_to_pep440(constraint: str) -> str | None:
    """A Poetry constraint (``^2.1``, ``~2.1``, ``2.1.0``, ``>=2,<3``, ``a || b``)
    -> a PEP 440 specifier set (the weakest alternative); None if invalid."""
    constraint = constraint.strip()
    if constraint in ("", "*"):
        return ""
    alternatives = []
    for alternative in constraint.split("||"):
        tokens: list[str] = []
        for token in alternative.replace(",", " ").split():
            if tokens and tokens[-1] in ("<", "<=", ">", ">=", "==", "!=", "~=", "=", "^", "~"):
                tokens[-1] += token  # ">= 1.2" written with a space
            else:
                tokens.append(token)
        parts: list[str] = []
        for token in tokens:
            atom = _poetry_atom(token)
            if atom is None:
                return None
            parts.extend(atom)
        specifier = ",".join(parts)
        if not _valid(specifier):
            return None
        alternatives.append(specifier)
    return _weakest(alternatives)


# -- URL requirements ----------------------------------------------------------


def requirement_from_url_line(text: str) -> tuple[str, str] | None:
    """A bare URL/VCS requirement line -> (project name, url), else None."""
    url = text.split()[0] if text.split() else ""
    if "://" not in url and not url.startswith(VCS_PREFIXES):
        return None
    parts = urlsplit(url)
    egg = parse_qs(parts.fragment).get("egg", [""])[0]
    name = egg.split("[", 1)[0]
    if not name:
        last = parts.path.rstrip("/").rsplit("/", 1)[-1].split("@", 1)[0]
        if last.endswith(".whl"):
            name = last.split("-", 1)[0]
        elif last.endswith(ARTIFACT_SUFFIXES):
            name = last.rsplit("-", 1)[0]
        else:
            name = last.removesuffix(".git")
    if not name or not all(ch.isalnum() or ch in "._-" for ch in name):
        return None
    return name, url


# -- static setup.py --------------------------------------------------------


def setup_py_requirements(text: str) -> list[tuple[str, Location, str]]:
    """(requirement, span, group) for each literal string in a ``setup()``
    call's ``install_requires`` / ``extras_require`` (libcst, not executed)."""
    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider

    from mldebtlint.syntax.names import dotted_name, module_constants

    try:
        module = cst.parse_module(text)
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        positions = wrapper.resolve(PositionProvider)
    except Exception:  # syntax errors are the Python rules' MLD000
        return []
    constants = module_constants(module)
    found: list[tuple[str, Location, str]] = []

    def strings(node: cst.BaseExpression, group: str) -> None:
        if isinstance(node, cst.Name) and node.value in constants:
            node = constants[node.value]
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            strings(node.left, group)
            strings(node.right, group)
            return
        if not isinstance(node, (cst.List, cst.Tuple)):
            return
        for element in node.elements:
            value = element.value
            if isinstance(value, cst.SimpleString) and isinstance(value.evaluated_value, str):
                span = positions[value]
                skip = len(value.prefix) + len(value.quote)
                found.append(
                    (
                        value.evaluated_value,
                        Location(
                            span.start.line,
                            span.start.column + 1 + skip,
                            span.end.line,
                            span.end.column + 1 - len(value.quote),
                        ),
                        group,
                    )
                )

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            name = dotted_name(node.func) or ""
            if name.rsplit(".", 1)[-1] != "setup":
                return
            for arg in node.args:
                keyword = arg.keyword.value if arg.keyword else ""
                value = arg.value
                if keyword == "install_requires":
                    strings(value, "install_requires")
                elif keyword == "extras_require":
                    if isinstance(value, cst.Name) and value.value in constants:
                        value = constants[value.value]
                    for element in getattr(value, "elements", ()):
                        if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
                            extra = element.key.evaluated_value
                            if isinstance(extra, str):
                                strings(element.value, f"extras_require.{extra}")

    module.visit(Finder())
    return found

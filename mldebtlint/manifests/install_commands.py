"""Install commands as a dependency manifest: ``pip install torch``, ``conda install
pytorch=2.1 -c pytorch``, ``python -m pip install -r requirements.txt``.

Notebooks (``%pip install``, ``!pip install``) hand their install lines here;
any other place that runs installers (a Dockerfile's ``RUN``) can too. Each
command is a list of physical segments ``(line, column, text)`` (a backslash
continuation makes several); every requirement keeps its span in those
coordinates. Shell syntax is read the way a shell splits words: quotes are
removed, ``&&``/``||``/``;``/``|`` separate commands, redirections are dropped,
and a word with a variable (``$PKG``, ``{pkg}``) is not judged. Requirement
strings go through the same parser as requirements files; ``-r`` files are read
like pip would (they are linted as manifests themselves), ``-c`` files constrain.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from mldebtlint.core.types import Location
from mldebtlint.knowledge.notebooks import (
    CONDA_PROGRAMS,
    CONDA_VALUE_OPTIONS,
    PIP_PROGRAMS,
    PIP_VALUE_OPTIONS,
    PYTHON_PROGRAMS,
)
from mldebtlint.manifests.requirements import ParsedManifest, Problem, RequirementEntry, _include, _parse_requirement

INSTALL_GROUP = "install command"
_SEPARATORS = ("&&", "||", ";", "|", "&")


@dataclass(frozen=True)
class Word:
    """One shell word with the span of its text as written."""

    text: str
    line: int
    column: int  # 1-based
    end_column: int
    separator: bool = False


def shell_words(segments: Iterable[tuple[int, int, str]]) -> list[Word]:
    """Split physical segments into words (quotes removed) and separators."""
    words: list[Word] = []
    for line, base, text in segments:
        index, length = 0, len(text)
        while index < length:
            char = text[index]
            if char.isspace():
                index += 1
                continue
            if char == "#" and (index == 0 or text[index - 1].isspace()):
                break  # a shell comment
            separator = next((s for s in _SEPARATORS if text.startswith(s, index)), None)
            if separator is not None:
                words.append(Word(separator, line, base + index, base + index + len(separator), True))
                index += len(separator)
                continue
            start, value, quote = index, [], ""
            while index < length and (quote or not (text[index].isspace() or text[index] in "&|;")):
                char = text[index]
                if quote:
                    if char == quote:
                        quote = ""
                    else:
                        value.append(char)
                elif char in "'\"":
                    quote = char
                elif char == "\\" and index + 1 < length:
                    index += 1
                    value.append(text[index])
                else:
                    value.append(char)
                index += 1
            words.append(Word("".join(value), line, base + start, base + index))
    return words


def _commands(words: list[Word]) -> list[list[Word]]:
    commands: list[list[Word]] = [[]]
    for word in words:
        if word.separator:
            commands.append([])
        else:
            commands[-1].append(word)
    return [command for command in commands if command]


def _installer(command: list[Word]) -> tuple[str, list[Word]] | None:
    """("pip" | "conda", the words after ``install``) for an install command."""
    texts = [word.text for word in command]
    start = 0
    while start < len(texts) and (texts[start] == "sudo" or ("=" in texts[start] and texts[start][0].isalpha())):
        start += 1  # ``sudo`` and ``VAR=value`` prefixes
    rest = texts[start:]
    if len(rest) >= 2 and _program(rest[0]) in PIP_PROGRAMS and rest[1] == "install":
        return "pip", command[start + 2 :]
    if len(rest) >= 4 and _program(rest[0]) in PYTHON_PROGRAMS and rest[1:4] == ["-m", "pip", "install"]:
        return "pip", command[start + 4 :]
    if len(rest) >= 3 and rest[0] == "uv" and rest[1:3] == ["pip", "install"]:
        return "pip", command[start + 3 :]
    if len(rest) >= 2 and _program(rest[0]) in CONDA_PROGRAMS and rest[1] == "install":
        return "conda", command[start + 2 :]
    return None


def _program(text: str) -> str:
    name = text.rsplit("/", 1)[-1]
    return name if name in PYTHON_PROGRAMS or not name.startswith("python") else "python"


def parse_install_commands(commands: Iterable[Sequence[tuple[int, int, str]]], folder: Path | None) -> ParsedManifest:
    """The requirements installed by ``commands`` (each a list of physical segments)."""
    from mldebtlint.manifests.formats import _conda_entry

    manifest = ParsedManifest("install-commands")
    for segments in commands:
        for command in _commands(shell_words(segments)):
            found = _installer(command)
            if found is None:
                continue
            installer, arguments = found
            value_options = PIP_VALUE_OPTIONS if installer == "pip" else CONDA_VALUE_OPTIONS
            skip_next = False
            for index, word in enumerate(arguments):
                text = word.text
                if skip_next:
                    skip_next = False
                    continue
                if text.startswith(("<", ">", "2>", "1>")):
                    skip_next = text in ("<", ">", ">>", "2>", "1>")
                    continue
                if text.startswith("-"):
                    option, has_value = text.split("=", 1)[0], "=" in text
                    if option in value_options and not has_value:
                        skip_next = True
                        value = arguments[index + 1].text if index + 1 < len(arguments) else ""
                    else:
                        value = text.split("=", 1)[1] if has_value else ""
                    if installer == "pip" and value and option in ("-r", "--requirement", "-c", "--constraint"):
                        kind = "r" if option in ("-r", "--requirement") else "c"
                        _include(manifest, folder, value, kind, word.line, frozenset(), 0)
                    continue
                if not text or "$" in text or "{" in text or "}" in text:
                    continue  # a shell or Python variable: not judged
                span = Location(word.line, word.column, word.line, word.end_column)
                if installer == "conda":
                    _conda_entry(text, span, manifest)
                    continue
                item = _parse_requirement(text, False, span, INSTALL_GROUP)
                if item is not None and not isinstance(item, Problem):
                    manifest.entries.append(item)
    manifest.entries = [_grouped(entry) for entry in manifest.entries]
    return manifest


def _grouped(entry: RequirementEntry) -> RequirementEntry:
    return entry if entry.origin else replace(entry, group=INSTALL_GROUP)

"""The one identifier splitter: ``valLoss`` / ``val_loss`` / ``HTTPServer-2``
into lower-case words, shared by every vocabulary lookup."""

from __future__ import annotations

import functools
import re

# A word: an upper-case run not followed by lower case (``HTTP`` of
# ``HTTPServer``), a capitalised or lower-case run, digits kept on the word
# they follow (``f1``, ``top5``, ``conv2d``).
_WORD = re.compile(r"[A-Z]+[0-9]*(?![a-z])|[A-Z]?[a-z]+[0-9]*[a-z]*|[0-9]+[a-z]*")


@functools.lru_cache(maxsize=8192)
def words(identifier: str) -> tuple[str, ...]:
    """``unitPrice_EUR2`` -> ('unit', 'price', 'eur2'); ``HTTPServer`` -> ('http', 'server')."""
    return tuple(match.group().lower() for match in _WORD.finditer(identifier))


def constant_name(text: str) -> str:
    """``learningRate`` / ``predict_proba threshold`` -> ``LEARNING_RATE`` / ``PREDICT_PROBA_THRESHOLD``."""
    name = "_".join(words(text)).upper()
    return name if name and not name[0].isdigit() else f"VALUE_{name}".rstrip("_")

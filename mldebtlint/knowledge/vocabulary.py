"""Vocabularies matched on identifier words, and the word lists every rule shares.

A :class:`Vocabulary` is a list of terms (``"price"``, ``"tax_rate"``); an
identifier contains a term when the term's words appear in it, in order and
next to each other. Unless the vocabulary is ``exact``, a word also matches
its plural (``prices``, ``categories``) and a numbered copy (``loss2``; the
digit of ``f1`` is part of that word).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from mldebtlint.syntax.identifiers import words

# Names of configuration objects: ``cfg.threshold``, ``args.lr``,
# ``TrainingConfig(...)``, ``hparams["epochs"]`` hold configuration, they do
# not compute with it. Matched as a whole name or as one word of an
# identifier (the last word of a class name: ``ModelParams``, ``SearchSpace``).
CONFIG_OBJECT_WORDS = frozenset(
    {
        "config",
        "configs",
        "configuration",
        "cfg",
        "conf",
        "args",
        "arguments",
        "hparams",
        "hp",
        "hyperparameters",
        "opt",
        "opts",
        "options",
        "settings",
        "params",
        "parameters",
        "flags",
        "space",  # a hyperparameter search space
    }
)

# Calls that return the same kind of quantity as their input (its units,
# its meaning): dtype, device and shape changes, reductions, rounding.
# ``probs.max().item()`` is still a probability, ``float(price)`` a price.
VALUE_PRESERVING_CALLS = frozenset(
    {
        "item",
        "max",
        "min",
        "mean",
        "median",
        "amax",
        "amin",
        "nanmean",
        "nanmax",
        "nanmin",
        "squeeze",
        "unsqueeze",
        "flatten",
        "ravel",
        "view",
        "reshape",
        "cpu",
        "detach",
        "clone",
        "to",
        "numpy",
        "tolist",
        "asarray",
        "array",
        "as_tensor",
        "float",
        "double",
        "int",
        "long",
        "abs",
        "round",
    }
)
# Attributes with the same property: ``df["proba"].values``, ``t.data``.
VALUE_PRESERVING_ATTRIBUTES = frozenset({"values", "data", "T", "real"})

_DIGITS = "0123456789"


def _forms(word: str) -> tuple[str, ...]:
    """The word and what it may be a form of: ``prices`` -> price, ``loss2`` -> loss."""
    forms = [word]
    bare = word.rstrip(_DIGITS)
    if bare and bare != word:
        forms.append(bare)
    for base in tuple(forms):
        if base.endswith("ies") and len(base) > 3:
            forms.append(base[:-3] + "y")
        if base.endswith("es") and len(base) > 2:
            forms.append(base[:-2])
        if base.endswith("s") and len(base) > 1:
            forms.append(base[:-1])
    return tuple(forms)


@dataclass(frozen=True)
class Vocabulary:
    """Terms of one or more words, matched on an identifier's words."""

    terms: tuple[str, ...]
    exact: bool = False
    _single: dict[str, int] = field(default_factory=dict, compare=False, hash=False, repr=False)
    _multi: tuple[tuple[int, str, tuple[str, ...]], ...] = field(default=(), compare=False, hash=False, repr=False)

    @classmethod
    def of(cls, terms: Iterable[str], *, exact: bool = False) -> Vocabulary:
        listed = tuple(str(term) for term in terms)
        single: dict[str, int] = {}
        multi = []
        for index, term in enumerate(listed):
            term_words = words(term)
            if len(term_words) == 1:
                single.setdefault(term_words[0], index)
            elif term_words:
                multi.append((index, term, term_words))
        return cls(listed, exact, single, tuple(multi))

    def __bool__(self) -> bool:
        return bool(self.terms)

    def find(self, identifier_words: Sequence[str]) -> str | None:
        """The first listed term whose words appear in ``identifier_words``."""
        best: int | None = None
        forms = _same if self.exact else _forms
        for word in identifier_words:
            for form in forms(word):
                index = self._single.get(form)
                if index is not None and (best is None or index < best):
                    best = index
        for index, _, term_words in self._multi:
            if best is not None and index > best:
                break
            if _contains(identifier_words, term_words, forms):
                best = index
                break
        return None if best is None else self.terms[best]

    def find_in(self, identifier: str) -> str | None:
        """The first listed term found in ``identifier`` (split into words)."""
        return self.find(words(identifier))

    def __contains__(self, identifier: object) -> bool:
        return isinstance(identifier, str) and self.find(words(identifier)) is not None


def _same(word: str) -> tuple[str, ...]:
    return (word,)


def _contains(
    identifier_words: Sequence[str], term_words: tuple[str, ...], forms: Callable[[str], tuple[str, ...]]
) -> bool:
    width = len(term_words)
    for start in range(len(identifier_words) - width + 1):
        if all(term_words[i] in forms(identifier_words[start + i]) for i in range(width)):
            return True
    return False


def is_config_name(name: str) -> bool:
    """``cfg``, ``Config``, ``hparams``: a configuration object's whole name."""
    return name.lower() in CONFIG_OBJECT_WORDS


def names_config(identifier: str) -> bool:
    """``train_config``, ``ModelParams``, ``search_space``: an identifier with a config word."""
    return any(word in CONFIG_OBJECT_WORDS for word in words(identifier))


# Names of a single entity's id (MLD202): ``iid = str(302)`` or ``user_id=196`` picks one
# item/user/customer by hand in serving code.
ENTITY_ID_WORDS = frozenset({"id", "iid", "uid", "sku", "item_id", "user_id", "customer_id", "product_id"})
# Stricter, for keywords and parameters: an id of a business entity (``user_id``, ``iid``), not of a
# token, device or process (``pad_token_id=0``, ``device_id=2``).
ENTITY_ID_NAMES = frozenset({"uid", "iid", "sku", "userid", "itemid"})
ENTITY_NOUNS = frozenset(
    {"user", "item", "customer", "product", "movie", "account", "client", "member", "article", "book", "song"}
)
# Calls that wrap ids into a batch for a model: ``torch.tensor([196])``, ``np.array([302])``.
ARRAY_CONSTRUCTORS = frozenset(
    {"tensor", "as_tensor", "LongTensor", "IntTensor", "array", "asarray", "constant", "convert_to_tensor"}
)

"""Phrases in a shopper's words: every vocabulary phrase found, where it stands, and whether
it is negated.

The text is split into lower-case words, each with its clause (commas, full stops, dashes
and brackets end a clause). Every table phrase is looked up longest first ("track pants"
over "pants"); a word no table knows may be a one-letter typo of a garment, colour or
fabric ("blazr", "lofers"), corrected when it is long enough, keeps its first letter and is
not a word of its own (``vocabulary.TYPO_EXEMPT``).
A phrase is negated when a negator stands before it in its clause ("not red",
"anything but brown", "instead of navy"); negated phrases are kept, flagged, because
"not shorts" names the piece being replaced and "no black" is a colour to avoid.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from . import vocabulary as vocab

__all__ = ["Mention", "Scan", "scan"]

_TABLES: tuple[tuple[str, Mapping[tuple[str, ...], object]], ...] = (
    ("garment", vocab.GARMENTS),
    ("colour", vocab.COLOURS),
    ("fabric", vocab.FABRICS),
    ("occasion", vocab.OCCASIONS),
    ("sleeves", vocab.SLEEVES),
    ("length", vocab.LENGTHS),
    ("step", vocab.LENGTH_STEPS),
    ("silhouette", vocab.SILHOUETTES),
    ("neckline", vocab.NECKLINES),
    ("pattern", vocab.PATTERNS),
    ("gender", vocab.GENDERS),
    ("age_group", vocab.AGE_GROUPS),
    ("pronoun", vocab.PRONOUNS),
    ("style", vocab.STYLE_NOTES),
    ("ignored", dict.fromkeys(vocab.IGNORED)),
)

_TYPO_KINDS = ("garment", "colour", "fabric", "occasion")
_TYPO_MIN_LENGTH = 5
_CLAUSE_BREAK = re.compile(r"[,.;!?:()\n—–]|\s-\s")


def _meaning_index() -> dict[tuple[str, ...], list[tuple[str, object]]]:
    """Every phrase of every table → its (kind, value) meanings; some phrases have two."""
    index: dict[tuple[str, ...], list[tuple[str, object]]] = {}
    for kind, table in _TABLES:
        for key, value in table.items():
            index.setdefault(key, []).append((kind, value))
    return index


_MEANINGS = _meaning_index()
_LONGEST = max(len(key) for key in _MEANINGS)
_SINGLE_WORDS = {
    key[0]: meanings
    for key, meanings in _MEANINGS.items()
    if len(key) == 1 and any(kind in _TYPO_KINDS for kind, _ in meanings)
}


@dataclass(frozen=True)
class Mention:
    """One phrase found: its kind ("garment", "colour"...), meaning, word span and negation."""

    kind: str
    value: object
    start: int
    end: int
    negated: bool
    words: str


@dataclass(frozen=True)
class Scan:
    """A message's words, the clause of each, and the phrases found in it, in order."""

    words: list[str]
    clauses: list[int]
    mentions: list[Mention]

    def within(self, start: int, end: int) -> list[Mention]:
        """The mentions that lie in words ``start`` to ``end`` (end excluded)."""
        return [m for m in self.mentions if start <= m.start and m.end <= end]


def _words(text: str) -> tuple[list[str], list[int]]:
    """The lower-case words of ``text`` ("'s" dropped) and the clause number of each."""
    words: list[str] = []
    clauses: list[int] = []
    clause = last = 0
    for match in vocab.WORD_RE.finditer(text):
        if _CLAUSE_BREAK.search(text, last, match.start()):
            clause += 1
        words.append(match.group().removesuffix("'s"))
        clauses.append(clause)
        last = match.end()
    return words, clauses


def _negated(words: list[str], clauses: list[int], start: int) -> bool:
    """Whether a negator stands before ``words[start]`` in its clause, past filler words."""
    i = start - 1
    while i >= 0 and start - i <= 4 and clauses[i] == clauses[start]:
        word = words[i]
        if word in vocab.NEGATORS or (i > 0 and (words[i - 1], word) in vocab.NEGATOR_PAIRS):
            return True
        if word not in vocab.NEGATION_FILLERS:
            return False
        i -= 1
    return False


def _listed_after_negated(
    found: list[Mention], words: list[str], clauses: list[int], start: int
) -> bool:
    """Whether the phrase at ``start`` continues a negated list ("except pink or purple")."""
    if not found or not found[-1].negated:
        return False
    between = words[found[-1].end : start]
    same_clause = clauses[found[-1].start] == clauses[start]
    return same_clause and len(between) == 1 and between[0] in ("or", "and", "nor")


def _one_edit_apart(a: str, b: str) -> bool:
    """Whether one insertion, deletion, substitution or swap of neighbours turns a into b."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
        return len(diff) == 1 or (swapped and a[diff[1]] == b[diff[0]])
    short, long = sorted((a, b), key=len)
    i = next((i for i in range(len(short)) if short[i] != long[i]), len(short))
    return short[i:] == long[i + 1 :]


@cache
def _typo_meanings(word: str) -> tuple[tuple[str, object], ...]:
    """The garment, colour or fabric a misspelt word means ("blazr" → blazer), if exactly one."""
    if len(word) < _TYPO_MIN_LENGTH or word in vocab.TYPO_EXEMPT or not word.isalpha():
        return ()
    close = [
        key
        for key in _SINGLE_WORDS
        if key[0] == word[0] and _one_edit_apart(word, key) and word.rstrip("s") != key.rstrip("s")
    ]
    if len(close) != 1:
        return ()
    return tuple((k, v) for k, v in _SINGLE_WORDS[close[0]] if k in _TYPO_KINDS)


def scan(text: str) -> Scan:
    """Every phrase of ``text`` with its meaning, position and negation, longest first."""
    words, clauses = _words(text.lower())
    found: list[Mention] = []
    i = 0
    while i < len(words):
        for size in range(min(_LONGEST, len(words) - i), 0, -1):
            meanings = _MEANINGS.get(tuple(words[i : i + size]))
            if meanings is None and size == 1:
                meanings = list(_typo_meanings(words[i])) or None
            if meanings is not None:
                negated = _negated(words, clauses, i) or _listed_after_negated(
                    found, words, clauses, i
                )
                phrase = " ".join(words[i : i + size])
                found += [Mention(k, v, i, i + size, negated, phrase) for k, v in meanings]
                i += size
                break
        else:
            i += 1
    return Scan(words, clauses, found)

"""Moderators: what a design request must not ask for, checked before anything renders.

The blocklist is always on; an LLM moderation model (through litellm) is added when
configured. A refusal is a plain-words reason the shopper can read.

The blocklist reads a request the way a person does, so that the spellings used to slip a
word past a filter still spell it: "a n a k e d", "n.a.k.e.d", "n4k3d", "n@ked", "nаked"
(a Cyrillic а), full-width "ｎａｋｅｄ", "nákéd", "na<zero-width space>ked" and "naaaked"
all read "naked". Text is folded first (compatibility forms unfolded, accents and
invisible characters dropped, case folded, Cyrillic and Greek look-alikes read as Latin),
then cut into words. Letters spelled out one at a time (single characters between spaces
or punctuation) are joined, and a match may start or end anywhere inside such a run;
ordinary words are matched whole, so "Essex" holds no "sex" and "an ake d" spells nothing.
Each blocked letter also matches its stand-in digits and symbols, repeated any number of
times but never fewer than the phrase has it ("topples" is not "topless").
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby

from stylegenie.config.settings import LLMSettings
from stylegenie.core.ports import Moderator

from .litellm_client import load_litellm, provider_arguments

log = logging.getLogger(__name__)

BLOCKED = (
    "I can't design that: it asks for something I don't draw ({what}). "
    "Try describing the outfit itself."
)
FLAGGED = (
    "I can't design that: the request was flagged as {what}. Try describing the outfit itself."
)

LOOKALIKES = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "һ": "h", "н": "h", "і": "i", "ј": "j", "к": "k",
        "ӏ": "l", "м": "m", "о": "o", "р": "p", "ԛ": "q", "ѕ": "s", "т": "t", "с": "c",
        "у": "y", "ү": "y", "х": "x", "ԁ": "d", "ԝ": "w",
        # Greek
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
        "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ω": "w",
        # Latin letters that pass for others
        "ı": "i", "ȷ": "j", "ɑ": "a", "ɡ": "g",
    }
)  # fmt: skip
"""Letters of other scripts that look like a Latin letter (read after case folding)."""

STAND_INS = {"a": "4@", "e": "3", "i": "1!", "l": "1", "o": "0", "s": "5$", "t": "7"}
"""Digits and symbols written for a letter ("n4k3d", "n@ked", "expl1c1t")."""

COMPOUNDS = (("gore", "tex"),)
"""Names that hold a blocked word and are fine as a whole: read as one word ("Gore-Tex")."""

_WORD = re.compile(r"[^\W_]+(?:[@$!][^\W_]+)*")
"""A word: letters and digits, with a stand-in symbol inside it ("n@ked", not "naked!")."""


def fold(text: str) -> str:
    """Text as a reader sees it: compatibility forms unfolded (full-width, ligatures,
    mathematical letters), accents and invisible characters (zero-width spaces, soft
    hyphens) dropped, case folded, look-alike letters read as Latin."""
    unfolded = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in unfolded if unicodedata.category(c)[0] != "M")
    visible = "".join(c for c in kept if unicodedata.category(c) != "Cf")
    return visible.casefold().translate(LOOKALIKES)


@dataclass(frozen=True)
class Reading:
    """Folded text as words one space apart, and where a blocked phrase may begin or end:
    at the edges of ordinary words, and anywhere in a run of spelled-out letters."""

    text: str
    edges: frozenset[int]


def read(text: str) -> Reading:
    """The reading of a request (see the module's docstring)."""
    parts: list[str] = []
    edges: set[int] = set()
    at = 0
    for word, spelled in _words(fold(text)):
        edges.update(range(at, at + len(word) + 1) if spelled else (at, at + len(word)))
        parts.append(word)
        at += len(word) + 1
    return Reading(" ".join(parts), frozenset(edges))


def _words(folded: str) -> Iterator[tuple[str, bool]]:
    """The words of folded text, compounds joined; a run of single characters (a word
    spelled out) joined into one, flagged True."""
    words = _WORD.findall(folded)
    for compound in COMPOUNDS:
        size = len(compound)
        at = 0
        while at <= len(words) - size:
            if tuple(words[at : at + size]) == compound:
                words[at : at + size] = ["".join(compound)]
            at += 1
    for single, group in groupby(words, key=lambda word: len(word) == 1):
        run = list(group)
        if single and len(run) > 1:
            yield "".join(run), True
        else:
            yield from ((word, False) for word in run)


def phrase_pattern(phrase: str) -> re.Pattern[str] | None:
    """Where a blocked phrase starts in a reading (a lookahead, so matches may overlap):
    its words with or without the space between them (spelled out, there is none), each
    letter as itself or a stand-in, repeated at least as often as in the phrase."""
    words = _WORD.findall(fold(phrase))
    if not words:
        return None
    body = " ?".join(
        "".join(_letter(char, len(list(run))) for char, run in groupby(word)) for word in words
    )
    return re.compile(f"(?=({body}))")


def _letter(char: str, times: int) -> str:
    """A letter, or any of its stand-ins, ``times`` or more times."""
    options = char + STAND_INS.get(char, "")
    one = re.escape(char) if len(options) == 1 else f"[{re.escape(options)}]"
    return f"{one}{{{times},}}"


class BlocklistModerator:
    """Refuses requests that contain a blocked word or phrase, however it is spelled out,
    disguised or stretched (see the module's docstring); ordinary words are matched whole."""

    def __init__(self, blocklist: Sequence[str]) -> None:
        phrases = dict.fromkeys(" ".join(w.split()).lower() for w in blocklist if w.strip())
        self._patterns = [
            (phrase, pattern)
            for phrase in sorted(phrases, key=len, reverse=True)
            if (pattern := phrase_pattern(phrase)) is not None
        ]

    def refusal(self, text: str) -> str | None:
        """The reason to refuse, naming the blocked phrase, or None."""
        reading = read(text)
        for phrase, pattern in self._patterns:
            for found in pattern.finditer(reading.text):
                if found.start(1) in reading.edges and found.end(1) in reading.edges:
                    return BLOCKED.format(what=phrase)
        return None


class LiteLLMModerator:
    """Asks a moderation model (OpenAI-compatible ``/moderations``) whether a request is allowed."""

    def __init__(self, model: str, llm: LLMSettings) -> None:
        self._model = model
        self._llm = llm

    def refusal(self, text: str) -> str | None:
        """The flagged categories in words, or None when the model allows the text."""
        litellm = load_litellm()
        arguments = provider_arguments(self._llm)
        arguments.pop("timeout")
        response = litellm.moderation(input=text, model=self._model, **arguments)
        result = response.results[0]
        if not result.flagged:
            return None
        categories = (
            result.categories
            if isinstance(result.categories, dict)
            else result.categories.model_dump()
        )
        flagged = [
            name.replace("/", " ").replace("_", " ") for name, hit in categories.items() if hit
        ]
        return FLAGGED.format(what=", ".join(flagged) or "unsafe")


class ChainModerator:
    """The first refusal of several moderators, in order."""

    def __init__(self, moderators: Sequence[Moderator]) -> None:
        self._moderators = list(moderators)

    def refusal(self, text: str) -> str | None:
        """The first moderator's reason to refuse, or None when all allow the text."""
        for moderator in self._moderators:
            reason = moderator.refusal(text)
            if reason:
                return reason
        return None

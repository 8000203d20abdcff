"""The offline brief reader: a shopper's message → a ``DesignBrief`` update, by rules alone.

Deterministic, no model, well under a millisecond for a chat message. It runs in stages:

1. fold the text (accents, apostrophes) and cap it at ``MAX_CHARS``;
2. find sizes ("size 38", "UK 10", "XL") and ages ("my 5 year old") and blank them out, so
   their numbers are never read as money;
3. read the budget: ranges ("40-60", "between 40 and 60"), amounts with a cue before or after
   ("under 50", "€80 max", "at least 30", "around 100"), amounts with a currency ("$120");
   a bare number counts only when it is the whole message (the answer to "your budget?");
4. look every phrase up in the vocabulary tables, longest phrase first, skipping phrases
   cancelled by a negation in the same clause ("no red", "not in black", "instead of navy");
5. find a city.

The result sets only the fields the message mentions, so ``current.merged(update)`` keeps
everything else. Semantics chosen here: "around 100" is the range 80–120 (±20%);
"shorter"/"longer" step along the hem ladder from the current length (to mini or maxi when
none is known); a budget that is negative, zero or not a number is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..domain import DesignBrief
from ..geo import find_city
from . import vocabulary as vocab

__all__ = ["MAX_CHARS", "RuleBasedBriefReader", "read_brief"]

MAX_CHARS = 4000
"""Only this many leading characters of a message are read; the rest is ignored."""

APPROX_SPREAD = 0.2
"""An approximate budget ("around 100") becomes the range ±20% around it."""


def _alternation(phrases: str | Iterable[str]) -> str:
    """A regex alternation of literal phrases ("a|b c" or an iterable), longest first;
    a space in a phrase matches any spacing or a hyphen."""
    if isinstance(phrases, str):
        phrases = phrases.split("|")
    ordered = sorted(set(phrases), key=len, reverse=True)
    return "|".join(re.escape(p).replace(r"\ ", r"[\s-]*") for p in ordered)


# --- sizes and ages -------------------------------------------------------------------------

_LETTERS = _alternation(vocab.LETTER_SIZES)
_NUMERIC_SIZE = r"\d{1,2}(?:\.5)?"
_END = r"(?![\w'&]|\.\w)"  # not inside a word, "M&S" or "L.A."
_SIZE_PATTERNS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        rf"\b(?:size|sz)\s*[:#]?\s*(?:(?P<region>uk|eu|us)\s*)?"
        rf"(?P<value>{_NUMERIC_SIZE}|{_LETTERS}){_END}",
        rf"\b(?P<region>uk|eu|(?-i:US))\s?(?:size\s?)?(?P<value>{_NUMERIC_SIZE}){_END}",
        rf"\b(?:i'?m|i\s+am|wear|in)\s+(?:an?\s+)?(?P<value>{_LETTERS}){_END}",
        rf"\b(?P<value>{_LETTERS})\s+size\b",
        rf"(?<![\w'&.-])(?P<value>xxs|xs|xl|xxl|xxxl|2xl|3xl|(?-i:[SML])){_END}",
        rf"^\W*(?:size\s*)?(?P<value>{_LETTERS})\W*(?:please|pls)?\W*$",
    )
)
_AGE = re.compile(
    r"\b\d{1,2}\s*(?:[-–]\s*\d{1,2}\s*)?[-\s]?(?:years?|yrs?|yo|y/o|months?)(?:[-\s]olds?)?\b"
    r"|\b(?:aged?|ages|turning|turns|turned)\s+\d{1,2}\b",
    re.IGNORECASE,
)


def _size_label(match: re.Match[str]) -> str:
    """ "size uk 10" → "UK 10", "medium" → "M", "2xl" → "XXL", "38" → "38"."""
    value = re.sub(r"[\s-]+", " ", match["value"].lower())
    label = vocab.LETTER_SIZES.get(value, value)
    region = match.groupdict().get("region")
    return f"{region.upper()} {label}" if region else label


def _blank_sizes_and_ages(text: str) -> tuple[str, str | None]:
    """The text with sizes and ages blanked out, and the first size found (or None)."""
    found = [m for pattern in _SIZE_PATTERNS for m in pattern.finditer(text)]
    size = _size_label(min(found, key=lambda m: m.start())) if found else None
    for match in [*found, *_AGE.finditer(text)]:
        start, end = match.span()
        text = text[:start] + " " * (end - start) + text[end:]
    return text, size


# --- budget -----------------------------------------------------------------------------------

# The budget's grammar: cue words before or after an amount, and units that mean "not money".
_MAX_CUES = (
    "under|below|less than|max|maximum|up to|upto|no more than|not more than|nothing over"
    "|nothing above|nothing more than|not over|at most|within|cheaper than|budget|spend|afford"
    "|capped at|cap of|cap at|price cap|<"
)
_MIN_CUES = (
    "from|at least|over|above|more than|min|minimum|starting at|starting from|no less than"
    "|not less than|upwards of|>"
)
_APPROX_CUES = "around|about|roughly|approximately|approx|circa|~|something like"
_MAX_SUFFIXES = "max|maximum|tops|or less|or under|or below|at most|limit|budget"
_MIN_SUFFIXES = "+|or more|or above|and up|and above|minimum|min"
_APPROX_SUFFIXES = "ish|or so"
_NON_MONEY_UNITS = (
    "days|day|weeks|week|months|month|years|year|yrs|yr|hours|hour|hrs|mins|minutes|cm|mm|kg"
    "|kgs|lbs|lb|inches|inch|ft|feet|pm|am|people|guests|items|pieces|pcs|options|designs|ideas"
    "|looks|results|%|percent|'|\""
)

_CURRENCY = rf"(?<![a-z])(?:{_alternation(vocab.CURRENCIES)})(?![a-z])\.?"
_NUMBER = r"\d{1,2}(?:,\d\d)+,\d{3}|\d{1,3}(?:[,.]\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d+)?"
_UNITS = _alternation(_NON_MONEY_UNITS)


def _amount(tag: str, *, bounded: bool) -> str:
    """The regex of one amount ("$1,299", "1.5k", "80 euros", "100ish"), groups suffixed ``tag``."""
    start = r"(?<![\w.,\-−])" if bounded else ""
    return (
        rf"{start}(?:(?P<pre{tag}>{_CURRENCY})\s?)?(?P<num{tag}>{_NUMBER})(?P<k{tag}>\s?k(?![a-z]))?"
        rf"(?:\s?(?P<post{tag}>{_CURRENCY}))?(?P<ish{tag}>-?ish(?![a-z]))?"
        rf"(?![\w%'\"])(?!\s*(?:{_UNITS})(?![a-z]))"
    )


_AMOUNT = re.compile(_amount("", bounded=True), re.IGNORECASE)
_RANGE = re.compile(
    rf"(?P<lead>between\s+|from\s+)?{_amount('a', bounded=True)}"
    rf"\s*(?P<sep>-|–|—|to|and)\s*{_amount('b', bounded=False)}",
    re.IGNORECASE,
)
_FILLER = r"(?:\s*(?:[:=.]|is|of|at|just|only|my)\s*)*\s*"
_CUE_BEFORE = re.compile(
    rf"(?<![a-z])(?:(?P<max>{_alternation(_MAX_CUES)})"
    rf"|(?P<min>{_alternation(_MIN_CUES)})"
    rf"|(?P<approx>{_alternation(_APPROX_CUES)})){_FILLER}$",
    re.IGNORECASE,
)
_CUE_AFTER = re.compile(
    rf"^\s*(?:(?P<max>{_alternation(_MAX_SUFFIXES)})"
    rf"|(?P<min>{_alternation(_MIN_SUFFIXES)})"
    rf"|(?P<approx>{_alternation(_APPROX_SUFFIXES)}))(?![a-z])",
    re.IGNORECASE,
)
_MINUS = re.compile(r"(?:minus|negative)\s*$", re.IGNORECASE)
_CURRENCY_WORDS = _alternation(word for word in vocab.CURRENCIES if word.isalpha())
_CURRENCY_ALONE = re.compile(
    rf"(?<![a-z])(?:in|using|with)\s+(?P<cur>{_CURRENCY_WORDS})(?![a-z])", re.IGNORECASE
)


def _value(match: re.Match[str], tag: str = "") -> float:
    """The amount's number: thousands separators dropped, "k" multiplied out."""
    digits = match[f"num{tag}"].replace(",", "")
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", digits):
        digits = digits.replace(".", "")
    return float(digits) * (1000 if match[f"k{tag}"] else 1)


def _currency(match: re.Match[str], tag: str = "") -> str | None:
    """The ISO code of the amount's currency symbol or word, if it has one."""
    for group in (f"pre{tag}", f"post{tag}"):
        if match[group]:
            return vocab.CURRENCIES.get(match[group].lower().rstrip("."))
    return None


def _is_year(match: re.Match[str], tag: str = "") -> bool:
    """A bare 19xx/20xx with no currency or "k" reads as a year ("from 2019"), not money."""
    bare = not (match[f"k{tag}"] or _currency(match, tag))
    return bare and re.fullmatch(r"(?:19|20)\d\d", match[f"num{tag}"]) is not None


def _cue(text: str, match: re.Match[str]) -> str | None:
    """ "max", "min" or "approx" from the words around an amount; None when there are none."""
    if match["ish"]:
        return "approx"
    before = _CUE_BEFORE.search(text[max(0, match.start() - 40) : match.start()])
    found = before or _CUE_AFTER.search(text[match.end() : match.end() + 20])
    return found.lastgroup if found else None


def _read_budget(text: str) -> dict[str, Any]:
    """The budget fields a message sets: budget_min, budget_max and currency, where mentioned."""
    bounds: dict[str, float] = {}
    currencies: list[str | None] = []
    taken: list[tuple[int, int]] = []
    for m in _RANGE.finditer(text):
        if (m["sep"].lower() == "and" and not m["lead"]) or (_is_year(m, "a") and _is_year(m, "b")):
            continue
        low, high = _value(m, "a"), _value(m, "b")
        if low > 0 and high > 0:
            bounds.update(budget_min=min(low, high), budget_max=max(low, high))
            currencies += [_currency(m, "a"), _currency(m, "b")]
            taken.append(m.span())
    for m in _AMOUNT.finditer(text):
        if any(start <= m.start() < end for start, end in taken) or _MINUS.search(
            text[max(0, m.start() - 12) : m.start()]
        ):
            continue
        cue = _cue(text, m)
        whole = not text[: m.start()].strip() and not text[m.end() :].strip(" .!?")
        if cue is None and (_currency(m) or (whole and not _is_year(m))):
            cue = "max"
        amount = _value(m)
        if cue is None or amount <= 0 or (cue == "min" and _is_year(m)):
            continue
        if cue == "approx":
            low, high = amount * (1 - APPROX_SPREAD), amount * (1 + APPROX_SPREAD)
            bounds.update(budget_min=round(low, 2), budget_max=round(high, 2))
        else:
            bounds[f"budget_{cue}"] = amount
        currencies.append(_currency(m))
    currency = next((c for c in currencies if c), None)
    if currency is None and (alone := _CURRENCY_ALONE.search(text)):
        currency = vocab.CURRENCIES[alone["cur"].lower()]
    return {**bounds, **({"currency": currency} if currency else {})}


# --- phrases ----------------------------------------------------------------------------------

_TABLES: tuple[tuple[str, Mapping[tuple[str, ...], object]], ...] = (
    ("garment", vocab.GARMENTS),
    ("colour", vocab.COLOURS),
    ("fabric", vocab.FABRICS),
    ("occasion", vocab.OCCASIONS),
    ("sleeves", vocab.SLEEVES),
    ("length", vocab.LENGTHS),
    ("step", vocab.LENGTH_STEPS),
    ("silhouette", vocab.SILHOUETTES),
    ("gender", vocab.GENDERS),
    ("pronoun", vocab.PRONOUNS),
    ("style", vocab.STYLE_NOTES),
    ("ignored", dict.fromkeys(vocab.IGNORED)),
)


def _meaning_index() -> dict[tuple[str, ...], list[tuple[str, object]]]:
    """Every phrase of every table → its (kind, value) meanings; some phrases have two."""
    index: dict[tuple[str, ...], list[tuple[str, object]]] = {}
    for kind, table in _TABLES:
        for key, value in table.items():
            index.setdefault(key, []).append((kind, value))
    return index


_MEANINGS = _meaning_index()
_LONGEST = max(len(key) for key in _MEANINGS)
_CLAUSE_BREAK = re.compile(r"[,.;!?:()\n]")


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


def _meanings(text: str) -> list[tuple[str, object]]:
    """Every (kind, value) the phrases of ``text`` mean, in order, negated ones left out."""
    words, clauses = _words(text.lower())
    found: list[tuple[str, object]] = []
    i = 0
    while i < len(words):
        for size in range(min(_LONGEST, len(words) - i), 0, -1):
            meanings = _MEANINGS.get(tuple(words[i : i + size]))
            if meanings is not None:
                if not _negated(words, clauses, i):
                    found += meanings
                i += size
                break
        else:
            i += 1
    return found


def _step_length(current: str | None, step: int) -> str:
    """One step along the hem ladder from ``current``; mini or maxi when it is off the ladder."""
    ladder = vocab.LENGTH_LADDER
    if current not in ladder:
        return ladder[0] if step < 0 else ladder[-2]
    return ladder[min(max(ladder.index(current) + step, 0), len(ladder) - 1)]


def _phrase_fields(text: str, current: DesignBrief) -> dict[str, Any]:
    """The descriptive fields (garment, colours, fabric...) a message sets."""
    first: dict[str, object] = {}
    lists: dict[str, list[object]] = {"colour": [], "style": []}
    for kind, value in _meanings(text):
        if kind in lists:
            lists[kind] += [] if value in lists[kind] else [value]
        elif kind != "ignored":
            first.setdefault(kind, value)
    fields: dict[str, Any] = {}
    garment = first.pop("garment", None)
    if isinstance(garment, vocab.Garment):
        fields.update(
            garment=garment.word,
            category=garment.category,
            article_types=list(garment.article_types),
        )
    if isinstance(step := first.pop("step", None), int) and "length" not in first:
        first["length"] = _step_length(current.length, step)
    if "pronoun" in first:
        first.setdefault("gender", first.pop("pronoun"))
    fields.update(first)
    if lists["colour"]:
        fields["colours"] = lists["colour"]
    if lists["style"]:
        fields["style_notes"] = lists["style"]
    return fields


# --- the reader -------------------------------------------------------------------------------


class RuleBasedBriefReader:
    """Reads a brief update from a message with tables and regular expressions (a ``BriefReader``).

    Stateless and thread-safe; the embedded default and the fallback of the LLM reader.
    """

    def read(self, text: str, current: DesignBrief) -> DesignBrief:
        """The update a message makes to ``current``: only the fields it mentions are set."""
        folded = vocab.fold(text[:MAX_CHARS])
        masked, size = _blank_sizes_and_ages(folded)
        fields = {**_read_budget(masked), **_phrase_fields(masked, current)}
        if size:
            fields["size"] = size
        city = find_city(folded)
        if city:
            fields["city"] = city.name
        return DesignBrief(**fields)


def read_brief(text: str) -> DesignBrief:
    """The brief a single message describes, read with no earlier context."""
    return RuleBasedBriefReader().read(text, DesignBrief())

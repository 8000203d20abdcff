"""Amounts in a shopper's words: sizes, ages and budgets, read with regular expressions.

Sizes ("size 38", "UK 10", "XL", "she's a large") and ages ("my 5 year old") are found first
and blanked out, so their numbers are never read as money. Budgets come as ranges
("40-60", "between 40 and 60"), amounts with a cue before or after ("under 50", "€80 max",
"at least 30", "around 100", "can't go above 52"), or amounts with a currency ("$120").
A bare number is a budget only when the caller says it answers "what's your budget?".
"around 100" is the range 80–120 (±20%); a budget that is negative, zero, not a number
or above ``MAX_BUDGET`` is ignored.
"""

from __future__ import annotations

import re
from typing import Any

from ..domain import MAX_BUDGET
from . import vocabulary as vocab
from .patterns import alternation

__all__ = ["APPROX_SPREAD", "blank_budget_words", "blank_sizes_and_ages", "read_budget"]

APPROX_SPREAD = 0.2
"""An approximate budget ("around 100") becomes the range ±20% around it."""

ADULT_AGE = 16
"""From this age on, a person's clothes come from the adults' range."""


# --- sizes and ages -------------------------------------------------------------------------

_LETTERS = alternation(vocab.LETTER_SIZES)
_NUMERIC_SIZE = r"\d{1,2}(?:\.5)?"
_END = r"(?![\w'&]|\.\w)"  # not inside a word, "M&S" or "L.A."
_WEARER = r"i'?m|i\s+am|wears?|wearing|in|(?:s?he|they)(?:'s|'re|\s+is|\s+are)|takes?|needs?"
_SIZE_PATTERNS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        rf"\b(?:size|sz)\s*[:#]?\s*(?:(?P<region>uk|eu|us)\s*)?"
        rf"(?P<value>{_NUMERIC_SIZE}|{_LETTERS}){_END}",
        rf"\b(?P<region>uk|eu|(?-i:US))\s?(?:size\s?)?(?P<value>{_NUMERIC_SIZE}){_END}",
        rf"\b(?:{_WEARER})\s+(?:an?\s+)?(?P<value>{_LETTERS}){_END}",
        rf"\b(?:{_WEARER})\s+an?\s+(?P<value>{_NUMERIC_SIZE}){_END}(?!\s*(?:years?|yrs?|yo|months?))",
        rf"\b(?P<value>{_LETTERS})\s+size\b",
        rf"(?<![\w'&.-])(?P<value>xxs|xs|xl|xxl|xxxl|2xl|3xl|extra[\s-]small|extra[\s-]large"
        rf"|x[\s-]large|xx[\s-]large|(?-i:[SML])){_END}",
        rf"^\W*(?:size\s*)?(?P<value>{_LETTERS})\W*(?:please|pls|actually|for (?:both|all|each"
        rf"|everything|all of (?:it|them)))?\W*$",
        rf"\b(?:make|change) (?:it|that|the size)(?: to)? (?:an?\s+)?(?:size\s+)?"
        rf"(?P<value>{_LETTERS}){_END}",
    )
)
_AGE = re.compile(
    r"\b(?P<years>\d{1,2})\s*(?:[-–]\s*\d{1,2}\s*)?[-\s]?(?P<unit>years?|yrs?|yo|y/o|months?)"
    r"(?:[-\s]olds?)?\b|\b(?:aged?|ages|turning|turns|turned|(?:s?he|they)(?:'s|'re|\s+is"
    r"|\s+are))\s+(?P<turning>\d{1,2})\b(?![.,]?\d|\s*(?:%|cm|kg|[£$€₹]|euros?|pounds?|dollars?"
    r"|quid|bucks|rupees?))",
    re.IGNORECASE,
)


def _size_label(match: re.Match[str]) -> str:
    """ "size uk 10" → "UK 10", "medium" → "M", "2xl" → "XXL", "38" → "38"."""
    value = re.sub(r"[\s-]+", " ", match["value"].lower())
    label = vocab.LETTER_SIZES.get(value, value)
    region = match.groupdict().get("region")
    return f"{region.upper()} {label}" if region else label


def blank_sizes_and_ages(text: str) -> tuple[str, str | None, bool | None]:
    """The text with sizes and ages blanked out, the first size found (or None), and
    whether an age says it is for a child (True), an adult (False) or says nothing (None)."""
    found = [m for pattern in _SIZE_PATTERNS for m in pattern.finditer(text)]
    size = _size_label(min(found, key=lambda m: m.start())) if found else None
    ages = list(_AGE.finditer(text))
    child = None
    for age in ages:
        years = int(age["years"] or age["turning"])
        months = (age["unit"] or "").lower().startswith("month")
        child = bool(child) or months or years < ADULT_AGE
    for match in [*found, *ages]:
        start, end = match.span()
        text = text[:start] + " " * (end - start) + text[end:]
    return text, size, child


# --- budget -----------------------------------------------------------------------------------

_BUDGET_WORDS = re.compile(r"(?<=\d)\s*tops\b|\btops(?=\s*(?:of\s+)?[£$€₹]?\s*\d)", re.IGNORECASE)
"""Words of a budget that are also garment words: "60 tops" is a maximum, not tops."""


def blank_budget_words(text: str) -> str:
    """The text with budget words that are also garments ("tops 60") blanked out."""
    return _BUDGET_WORDS.sub(lambda m: " " * len(m.group()), text)


# The budget's grammar: cue words before or after an amount, and units that mean "not money".
_MAX_CUES = (
    "under|below|less than|max|maximum|up to|upto|no more than|not more than|nothing over"
    "|nothing above|nothing more than|not over|at most|within|cheaper than|budget|spend|afford"
    "|capped at|cap of|cap at|price cap|<|limit|spending cap|spending limit|cap|ceiling"
    "|pricier than|more expensive than|dearer than|can't go above|cannot go above|can't go over"
    "|cannot go over|can't spend more than|won't spend more than|spending more than"
    "|spend more than|pay more than|paying more than|pay up to|keep it below|keep it under"
    "|not above|not exceeding|no higher than|no pricier than|tops|a maximum of|a max of"
)
_MIN_CUES = (
    "from|at least|over|above|more than|min|minimum|starting at|starting from|no less than"
    "|not less than|upwards of|>"
)
_APPROX_CUES = "around|about|roughly|approximately|approx|circa|~|something like"
_MAX_SUFFIXES = (
    "max|maximum|tops|or less|or under|or below|at most|limit|budget|at the very most|at the most"
    "|or cheaper|and under|and below|max budget|is my limit|is my max|is the limit"
    "|is my absolute limit|is my hard limit|is my absolute max|is my budget|is the most"
    "|is all i have|is all i can spend|each max|per piece max|max each|only|and no more"
)
_MIN_SUFFIXES = "+|or more|or above|and up|and above|minimum|min"
_APPROX_SUFFIXES = "ish|or so"
_NON_MONEY_UNITS = (
    "days|day|weeks|week|months|month|years|year|yrs|yr|hours|hour|hrs|mins|minutes|cm|mm|kg"
    "|kgs|lbs|lb|inches|inch|ft|feet|pm|am|people|guests|items|pieces|pcs|options|designs|ideas"
    "|looks|results|%|percent|'|\""
)


_CURRENCY = rf"(?<![a-z])(?:{alternation(vocab.CURRENCIES)})(?![a-z])\.?"
_NUMBER = r"\d{1,2}(?:,\d\d)+,\d{3}|\d{1,3}(?:[,.]\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d+)?"
_UNITS = alternation(_NON_MONEY_UNITS)


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
    rf"(?<![a-z])(?:(?P<max>{alternation(_MAX_CUES)})"
    rf"|(?P<min>{alternation(_MIN_CUES)})"
    rf"|(?P<approx>{alternation(_APPROX_CUES)})){_FILLER}$",
    re.IGNORECASE,
)
_CUE_AFTER = re.compile(
    rf"^\s*(?:(?P<max>{alternation(_MAX_SUFFIXES)})"
    rf"|(?P<min>{alternation(_MIN_SUFFIXES)})"
    rf"|(?P<approx>{alternation(_APPROX_SUFFIXES)}))(?![a-z])",
    re.IGNORECASE,
)
_MINUS = re.compile(r"(?:minus|negative)\s*$", re.IGNORECASE)
_CURRENCY_WORDS = alternation(word for word in vocab.CURRENCIES if word.isalpha())
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
    found = before or _CUE_AFTER.search(text[match.end() : match.end() + 30])
    return found.lastgroup if found else None


def read_budget(text: str, *, bare_number: bool = False) -> dict[str, Any]:
    """The budget fields a message sets: budget_min, budget_max and currency, where mentioned.

    ``bare_number``: the message answers "what's your budget?", so a number alone is one.
    """
    bounds: dict[str, float] = {}
    currencies: list[str | None] = []
    taken: list[tuple[int, int]] = []
    for m in _RANGE.finditer(text):
        if (m["sep"].lower() == "and" and not m["lead"]) or (_is_year(m, "a") and _is_year(m, "b")):
            continue
        low, high = _value(m, "a"), _value(m, "b")
        if 0 < low <= MAX_BUDGET and 0 < high <= MAX_BUDGET:
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
        if cue is None and (_currency(m) or (bare_number and whole and not _is_year(m))):
            cue = "max"
        amount = _value(m)
        if cue is None or not 0 < amount <= MAX_BUDGET or (cue == "min" and _is_year(m)):
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

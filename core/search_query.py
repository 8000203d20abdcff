"""Query understanding for product search: a brief (or a shopper's words) → a ``SearchQuery``.

Two entry points:

- ``query_from_brief(brief, top_k, rates)``: the conversation's search for the brief it has
  built;
- ``query_from_text(text, max_price, top_k, rates)``: a one-shot search from free text (the
  ``stylegenie search`` command, ``/search`` in a chat), read by the rule-based parser.

The brief's hard constraints become filters applied inside the product index:

- price: the brief's range, converted from the brief's currency into the catalogue's with
  ``rates`` (none: the amounts are taken as they are); an explicit ``max_price``, in the
  catalogue's currency, caps it further;
- article types: the catalogue types of the garment;
- colour: each colour with its near shades from ``vocabulary.COLOUR_FAMILIES`` (grey takes
  grey melange, tan takes brown, cream takes off-white and beige; red stays red), less the
  colours the shopper ruled out, which are excluded outright;
- gender: men → men + unisex, women → women + unisex, boys and girls → themselves, unisex →
  unisex; for a child (``age_group`` "kids", or kids' words such as "kids", "toddler") with
  no boy or girl named → boys + girls (the catalogue has no "kids" gender), a child's men or
  women → boys or girls; nobody named → men + women + unisex, never a child's item;
- in stock only.

The shopper's own shade words and fabric ("sage", "linen") become ``prefer_terms``: the
colour filter takes every green, and the ranking puts products that name sage or linen first.

The text that is embedded mirrors the product text the index holds ("name. gender colour
articleType, usage, season"), so that the nearest products are those described the same way:
"navy blue formal shirt for men" → ``"Men Navy Blue Shirt. men Navy Blue Shirts, Formal"``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from .domain import DesignBrief, Gender
from .money import CurrencyRates
from .ports import SearchFilters, SearchQuery
from .understanding import vocabulary as vocab
from .understanding.rules import read_brief

__all__ = [
    "MAX_QUERY_CHARS",
    "UnsearchableQuery",
    "check_search_request",
    "query_from_brief",
    "query_from_text",
]

MAX_QUERY_CHARS = 500
"""A search longer than this is refused: nobody types a product search this long."""

_GENDER_FILTERS: dict[Gender, list[str]] = {
    "men": ["men", "unisex"],
    "women": ["women", "unisex"],
    "boys": ["boys"],
    "girls": ["girls"],
    "unisex": ["unisex"],
}
_KIDS_FILTER = ["boys", "girls"]
_ADULTS_FILTER = ["men", "women", "unisex"]
_CHILD_GENDER: dict[Gender, Gender] = {
    "men": "boys",
    "women": "girls",
    "boys": "boys",
    "girls": "girls",
}
"""A child's gender as the catalogue files it; a child's "unisex" is any child's item."""

_KIDS = (
    "kid|kids|kiddo|kiddos|child|children|childrens|toddler|toddlers|infant|little one"
    "|little ones|youngster|youngsters|teen|teens|teenage|teenager|teenagers|tween|tweens|schoolkid"
    "|schoolkids|grandkid|grandkids|grandchild|grandchildren"
)
KIDS_WORDS: frozenset[tuple[str, ...]] = frozenset(map(vocab.phrase_key, _KIDS.split("|")))
"""Words for a child whose gender is not said: the search looks among boys' and girls' items.
("baby" is not one: "baby pink", "baby blue" are colours.)"""

SEASONS: dict[tuple[str, ...], str] = {
    **dict.fromkeys(map(vocab.phrase_key, ("winter", "wintry", "snow", "cold weather")), "Winter"),
    **dict.fromkeys(map(vocab.phrase_key, ("summer", "summery", "hot weather")), "Summer"),
    **dict.fromkeys(map(vocab.phrase_key, ("autumn", "fall", "autumnal")), "Fall"),
    **dict.fromkeys(map(vocab.phrase_key, ("spring", "springtime")), "Spring"),
}
"""Season words → the catalogue's season, added to the embedded text (never a filter)."""

OCCASION_USAGE: dict[str, str] = {
    **dict.fromkeys(("office", "interview", "formal", "funeral", "graduation"), "Formal"),
    **dict.fromkeys(("gym", "running", "hiking", "ski", "cycling"), "Sports"),
    **dict.fromkeys(("party", "prom", "concert", "festival", "evening", "dinner"), "Party"),
    **dict.fromkeys(("diwali", "eid"), "Ethnic"),
    **dict.fromkeys(
        (
            "casual",
            "smart casual",
            "brunch",
            "beach",
            "holiday",
            "date",
            "school",
            "christening",
            "commute",
        ),
        "Casual",
    ),
}
"""The brief's occasion → the catalogue's usage, added to the embedded text (never a filter)."""
_TITLE_GENDER = {"men": "Men", "women": "Women", "boys": "Boys", "girls": "Girls"}


class UnsearchableQuery(ValueError):
    """A search that cannot be run; the message says why, in words a shopper understands."""


def check_search_request(text: str, max_price: float | None = None) -> None:
    """Raise ``UnsearchableQuery`` for an empty, wordless or overlong text or a bad price."""
    if not text.strip():
        raise UnsearchableQuery('say what to look for, e.g. "red summer dress under 50"')
    if not any(ch.isalnum() for ch in text):
        raise UnsearchableQuery(
            'that has no words to search for; describe the item, e.g. "white sneakers"'
        )
    if len(text) > MAX_QUERY_CHARS:
        raise UnsearchableQuery(
            f"that search is {len(text):,} characters long; keep it under "
            f"{MAX_QUERY_CHARS} (the item, colour, who it is for and a budget)"
        )
    if max_price is not None and not (math.isfinite(max_price) and max_price > 0):
        raise UnsearchableQuery(f"a maximum price must be above 0, got {max_price:g}")


def query_from_text(
    text: str,
    max_price: float | None = None,
    top_k: int = 10,
    rates: CurrencyRates | None = None,
) -> SearchQuery:
    """The search a shopper's message asks for; ``max_price`` caps any budget it states.

    Raises ``UnsearchableQuery`` for an empty, wordless or overlong text or a price ≤ 0, and
    ``UnknownCurrency`` for a budget in a currency ``rates`` has no rate for.
    """
    check_search_request(text, max_price)
    brief = read_brief(text)
    words = vocab.phrase_key(text)
    if brief.gender is None and brief.age_group is None and _mentions(words, KIDS_WORDS):
        brief = brief.model_copy(update={"age_group": "kids"})
    low, high = _budget(brief, rates)
    if max_price is not None and (high is None or max_price < high):
        low, high = (low if (low or 0) <= max_price else None), max_price
    season = next((s for key, s in SEASONS.items() if _mentions(words, [key])), None)
    return _query(brief, top_k, (low, high), season=season)


def query_from_brief(
    brief: DesignBrief, top_k: int = 5, rates: CurrencyRates | None = None
) -> SearchQuery:
    """The search a brief asks for: its words as the query, its hard constraints as filters.

    With ``rates`` the budget is converted from ``brief.currency`` into the catalogue's
    (``rates.base``); raises ``UnknownCurrency`` when that currency has no rate.
    """
    return _query(brief, top_k, _budget(brief, rates), season=None)


def _budget(brief: DesignBrief, rates: CurrencyRates | None) -> tuple[float | None, float | None]:
    """The brief's (min, max) budget in the catalogue's currency (as stated without rates)."""
    if rates is None:
        return brief.budget_min, brief.budget_max
    return (
        rates.to_base(brief.budget_min, brief.currency),
        rates.to_base(brief.budget_max, brief.currency),
    )


def _query(
    brief: DesignBrief,
    top_k: int,
    budget: tuple[float | None, float | None],
    *,
    season: str | None,
) -> SearchQuery:
    avoid = set(brief.avoid_colours)
    colours = [shade for colour in brief.colours for shade in vocab.colour_family(colour)]
    low, high = budget
    fabric = [brief.fabric] if brief.fabric else []
    filters = SearchFilters(
        min_price=low,
        max_price=high,
        article_types=brief.article_types,
        colours=[colour for colour in dict.fromkeys(colours) if colour not in avoid],
        exclude_colours=list(dict.fromkeys(brief.avoid_colours)),
        genders=_genders(brief),
    )
    return SearchQuery(
        text=_vector_text(brief, season=season),
        filters=filters,
        budget_min=low,
        budget_max=high,
        prefer_terms=list(dict.fromkeys([*brief.shades, *fabric])),
        top_k=top_k,
    )


def _search_gender(brief: DesignBrief) -> Gender | None:
    """The brief's gender as the catalogue files it: for a child, boys or girls (or None)."""
    if brief.age_group != "kids" or brief.gender is None:
        return brief.gender
    return _CHILD_GENDER.get(brief.gender)


def _for_any_child(brief: DesignBrief) -> bool:
    """Whether the search is for a child whose gender is not said (boys' and girls' items)."""
    return brief.age_group == "kids" and _search_gender(brief) is None


def _genders(brief: DesignBrief) -> list[str]:
    """The catalogue genders a search looks among (see the module's gender rule)."""
    gender = _search_gender(brief)
    if gender is not None:
        return _GENDER_FILTERS[gender]
    return _KIDS_FILTER if brief.age_group == "kids" else _ADULTS_FILTER


def _vector_text(brief: DesignBrief, *, season: str | None) -> str:
    """Text shaped like a product's: "Title. gender colour types, usage, season"."""
    colour = " ".join(brief.colours)
    garment = brief.garment or "outfit"
    notes = [*brief.style_notes, brief.pattern, brief.fabric, brief.length, brief.silhouette]
    kids, gender = _for_any_child(brief), _search_gender(brief) or ""
    who = "Kids" if kids else _TITLE_GENDER.get(gender, "")
    title = " ".join(w for w in [who, *notes, colour, garment.title()] if w)
    if brief.sleeves:
        title += f" {brief.sleeves} sleeves"
    genders = "boys girls" if kids else gender
    attributes = " ".join(w for w in [genders, colour, " ".join(brief.article_types)] if w)
    usage = OCCASION_USAGE.get(brief.occasion or "", "")
    tail = ", ".join(w for w in [attributes, usage, season or ""] if w)
    return f"{title}. {tail}" if tail else title


def _mentions(words: tuple[str, ...], phrases: Iterable[tuple[str, ...]]) -> bool:
    """Whether any phrase (a tuple of words) occurs in ``words``."""
    return any(
        words[i : i + len(phrase)] == phrase
        for phrase in phrases
        for i in range(len(words) - len(phrase) + 1)
    )

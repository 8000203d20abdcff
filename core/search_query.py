"""Query understanding for product search: a brief (or a shopper's words) → a ``SearchQuery``.

Two entry points:

- ``query_from_brief(brief, top_k)``: the conversation's search for the brief it has built;
- ``query_from_text(text, max_price, top_k)``: a one-shot search from free text (the
  ``stylegenie search`` command, ``/search`` in a chat), read by the rule-based parser.

The brief's hard constraints become filters applied inside the product index:

- price: the brief's range; an explicit ``max_price`` caps it further;
- article types: the catalogue types of the garment;
- colour: each colour with its near shades from ``vocabulary.COLOUR_FAMILIES`` (grey takes
  grey melange, tan takes brown, cream takes off-white and beige; red stays red);
- gender: men → men + unisex, women → women + unisex, boys and girls → themselves, unisex →
  unisex; kids' words ("kids", "children", "toddler"...) with no boy or girl named → boys +
  girls (the catalogue has no "kids" gender, and a child's item is one of the two);
- in stock only.

The text that is embedded mirrors the product text the index holds ("name. gender colour
articleType, usage, season"), so that the nearest products are those described the same way:
"navy blue formal shirt for men" → ``"Men Navy Blue Shirt. men Navy Blue Shirts, Formal"``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from .domain import DesignBrief, Gender
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
    **dict.fromkeys(("gym", "running", "hiking"), "Sports"),
    **dict.fromkeys(("party", "prom", "concert", "festival"), "Party"),
    **dict.fromkeys(("diwali", "eid"), "Ethnic"),
    **dict.fromkeys(("casual", "brunch", "beach", "holiday", "date"), "Casual"),
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


def query_from_text(text: str, max_price: float | None = None, top_k: int = 10) -> SearchQuery:
    """The search a shopper's message asks for; ``max_price`` caps any budget it states.

    Raises ``UnsearchableQuery`` for an empty, wordless or overlong text or a price ≤ 0.
    """
    check_search_request(text, max_price)
    brief = read_brief(text)
    if max_price is not None and (brief.budget_max is None or max_price < brief.budget_max):
        low = brief.budget_min if (brief.budget_min or 0) <= max_price else None
        brief = brief.model_copy(update={"budget_max": max_price, "budget_min": low})
    words = vocab.phrase_key(text)
    kids = brief.gender is None and _mentions(words, KIDS_WORDS)
    season = next((s for key, s in SEASONS.items() if _mentions(words, [key])), None)
    return _query(brief, top_k, kids=kids, season=season)


def query_from_brief(brief: DesignBrief, top_k: int = 5) -> SearchQuery:
    """The search a brief asks for: its words as the query, its hard constraints as filters."""
    return _query(brief, top_k, kids=False, season=None)


def _query(brief: DesignBrief, top_k: int, *, kids: bool, season: str | None) -> SearchQuery:
    genders = _KIDS_FILTER if kids else _GENDER_FILTERS[brief.gender] if brief.gender else []
    colours = [shade for colour in brief.colours for shade in vocab.colour_family(colour)]
    filters = SearchFilters(
        min_price=brief.budget_min,
        max_price=brief.budget_max,
        article_types=brief.article_types,
        colours=list(dict.fromkeys(colours)),
        genders=genders,
    )
    return SearchQuery(
        text=_vector_text(brief, kids=kids, season=season),
        filters=filters,
        budget_min=brief.budget_min,
        budget_max=brief.budget_max,
        top_k=top_k,
    )


def _vector_text(brief: DesignBrief, *, kids: bool, season: str | None) -> str:
    """Text shaped like a product's: "Title. gender colour types, usage, season"."""
    colour = " ".join(brief.colours)
    garment = brief.garment or "outfit"
    notes = [*brief.style_notes, brief.fabric, brief.length, brief.silhouette]
    who = "Kids" if kids else _TITLE_GENDER.get(brief.gender or "", "")
    title = " ".join(w for w in [who, *notes, colour, garment.title()] if w)
    if brief.sleeves:
        title += f" {brief.sleeves} sleeves"
    gender = "boys girls" if kids else brief.gender or ""
    attributes = " ".join(w for w in [gender, colour, " ".join(brief.article_types)] if w)
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

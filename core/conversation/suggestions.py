"""Ideas to offer when a shopper asks "what do you suggest?" or has not named a garment.

Each idea is a short description the shopper could have typed ("a satin slip dress in
burgundy"); pressing its button reads it as their message. Ideas depend on the occasion
and on who it is for (women, men, a child, or not known yet).
"""

from __future__ import annotations

from ..domain import DesignBrief

__all__ = ["IDEAS_SHOWN", "ideas_for"]

IDEAS_SHOWN = 3

_WOMEN: dict[str, tuple[str, ...]] = {
    "wedding": (
        "a flowy sage midi dress in chiffon",
        "a tailored powder blue trouser suit",
        "a dusty pink satin slip dress",
    ),
    "date": (
        "a satin midi skirt in plum",
        "a little black wrap dress",
        "wide-leg trousers and a silk camisole",
    ),
    "office": (
        "a navy tailored blazer",
        "wide-leg charcoal trousers",
        "a cream silk blouse",
    ),
    "party": (
        "a gold sequin mini dress",
        "a black velvet jumpsuit",
        "an emerald satin slip dress",
    ),
    "beach": ("a white linen sundress", "a coral swimsuit", "a straw-coloured linen shirt"),
    "casual": ("straight leg blue jeans", "a striped breton top", "a cosy oversized hoodie"),
}
_MEN: dict[str, tuple[str, ...]] = {
    "wedding": (
        "a navy slim fit suit",
        "a light grey linen suit",
        "a sage green linen blazer",
    ),
    "date": ("a white oxford shirt", "dark slim jeans", "a navy knit polo shirt"),
    "office": ("a charcoal slim fit suit", "a light blue shirt", "navy chinos"),
    "party": ("a black velvet blazer", "a burgundy shirt", "black slim trousers"),
    "beach": ("white linen shorts", "a short sleeve linen shirt", "navy swim shorts"),
    "casual": ("straight leg jeans", "a grey hoodie", "white sneakers"),
}
_KIDS: dict[str, tuple[str, ...]] = {
    "party": ("a tulle party dress", "smart chinos and a shirt", "a velvet pinafore dress"),
    "wedding": ("a tulle party dress", "a little suit with a bow tie", "a floral cotton dress"),
    "casual": ("a yellow raincoat", "a cosy fleece hoodie", "comfy cotton joggers"),
}
_EVERYDAY_IDEAS = ("a navy linen blazer", "a flowy midi dress in sage", "straight leg jeans")
_ANYONE: dict[str, tuple[str, ...]] = {
    "wedding": ("a sage linen midi dress", "a navy tailored suit", "a dusty pink satin dress"),
    "date": ("a satin midi skirt in plum", "a white linen shirt", "a little black dress"),
    "casual": _EVERYDAY_IDEAS,
}


def ideas_for(brief: DesignBrief, shown: list[str] | None = None) -> list[str]:
    """A few concrete ideas for what is known so far (occasion, who it is for); ideas
    ``shown`` just before go last, so asking again brings new ones first."""
    occasion = brief.occasion or "casual"
    if "wedding" in occasion:
        occasion = "wedding"
    kids = brief.age_group == "kids" or brief.gender in ("boys", "girls")
    table = _KIDS if kids else {"women": _WOMEN, "men": _MEN}.get(brief.gender or "")
    if table is not None:
        ideas = table.get(occasion, ())
    else:
        ideas = _ANYONE.get(occasion) or (
            *_WOMEN.get(occasion, ())[:2],
            *_MEN.get(occasion, ())[:1],
        )
    pool = list(ideas or (_KIDS["casual"] if kids else _EVERYDAY_IDEAS))
    fresh = [idea for idea in pool if idea not in (shown or [])]
    return (fresh + [idea for idea in pool if idea not in fresh])[:IDEAS_SHOWN]

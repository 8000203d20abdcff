"""Design variants: N versions of one brief that differ where the shopper left a choice open.

Each garment family has design dimensions (a dress: silhouette, neckline, sleeves,
length, pattern; trousers: silhouette and length; footwear: none a brief holds). A
variant keeps every field the shopper fixed and fills each open dimension with its own
option, so three designs of "a sage linen dress" are, say, an A-line midi with flutter
sleeves, a wrap maxi with long sleeves and a slip mini without sleeves. The caption says
the variant in plain words.
"""

from __future__ import annotations

import random

from .domain import DesignBrief

__all__ = ["DIMENSIONS", "caption", "family", "variant_briefs"]

Dimensions = dict[str, tuple[str, ...]]

_DRESS: Dimensions = {
    "silhouette": ("a-line", "wrap", "slip", "fit-and-flare", "shift"),
    "neckline": ("v-neck", "square", "halter", "crew", "off-shoulder"),
    "sleeves": ("flutter", "long", "sleeveless", "puff", "short"),
    "length": ("midi", "maxi", "mini", "knee-length"),
}
_TOP: Dimensions = {
    "silhouette": ("fitted", "relaxed", "oversized", "cropped"),
    "neckline": ("crew", "v-neck", "square", "scoop", "high neck"),
    "sleeves": ("short", "long", "sleeveless", "puff", "three-quarter"),
}
_BOTTOM: Dimensions = {
    "silhouette": ("straight", "wide-leg", "slim fit", "tapered", "flared"),
    "length": ("ankle-length", "full length", "cropped"),
}
_JACKET: Dimensions = {
    "silhouette": ("fitted", "relaxed", "oversized", "belted"),
    "length": ("hip-length", "cropped", "knee-length", "long"),
}

DIMENSIONS: dict[str, Dimensions] = {
    "dress": _DRESS,
    "ethnic": _DRESS,
    "jumpsuit": {k: v for k, v in _DRESS.items() if k != "length"},
    "top": _TOP,
    "shirt": {"silhouette": ("relaxed", "slim fit", "oversized"), "sleeves": ("long", "short")},
    "knitwear": {
        "silhouette": ("relaxed", "oversized", "fitted", "cropped"),
        "neckline": ("crew", "v-neck", "high neck"),
    },
    "skirt": {
        "silhouette": ("a-line", "pencil", "wrap", "pleated", "flowy"),
        "length": ("midi", "mini", "maxi", "knee-length"),
    },
    "trousers": _BOTTOM,
    "jeans": _BOTTOM,
    "activewear": {"silhouette": ("slim fit", "relaxed", "flared")},
    "shorts": {"silhouette": ("relaxed", "tailored", "wide-leg"), "length": ("mid-thigh", "knee")},
    "outerwear": _JACKET,
    "suit": {"silhouette": ("slim fit", "relaxed", "double-breasted")},
    "swimwear": {"neckline": ("halter", "square", "v-neck", "one-shoulder")},
    "nightwear": {"silhouette": ("relaxed", "wrap"), "sleeves": ("long", "short")},
    "footwear": {"silhouette": ("sleek", "chunky", "low-profile")},
    "bag": {"silhouette": ("structured", "slouchy", "boxy")},
    "accessory": {"silhouette": ("classic", "minimal", "statement")},
    "jewellery": {"silhouette": ("delicate", "classic", "statement")},
}
"""Per garment family (the brief's ``category``): each open field and its options."""

_PATTERN_OPTIONS = ("plain", "striped", "floral")
_PATTERNED = frozenset({"dress", "ethnic", "top", "shirt", "skirt", "swimwear", "nightwear"})


def family(brief: DesignBrief) -> str:
    """The brief's garment family: its category, or "other"."""
    return brief.category or "other"


def _open_dimensions(brief: DesignBrief) -> Dimensions:
    dimensions = dict(DIMENSIONS.get(family(brief), {}))
    if family(brief) in _PATTERNED:
        dimensions["pattern"] = _PATTERN_OPTIONS
    return {name: options for name, options in dimensions.items() if not getattr(brief, name)}


def variant_briefs(brief: DesignBrief, count: int, rng: random.Random) -> list[DesignBrief]:
    """``count`` versions of ``brief``, each filling the open dimensions differently."""
    dimensions = _open_dimensions(brief)
    offsets = {name: rng.randrange(len(options)) for name, options in dimensions.items()}
    variants = []
    for n in range(count):
        choices = {
            name: options[(offsets[name] + n) % len(options)]
            for name, options in dimensions.items()
        }
        variants.append(brief.model_copy(update=choices))
    return variants


def caption(brief: DesignBrief) -> str:
    """A variant in plain words: "A-line midi dress, flutter sleeves, v-neck, sage linen"."""
    shape = " ".join(w for w in (brief.silhouette, brief.length, brief.garment) if w)
    sleeves = brief.sleeve_words()
    colour = " and ".join(brief.shades or [c.lower() for c in brief.colours])
    pattern = brief.pattern if brief.pattern and brief.pattern != "plain" else ""
    material = " ".join(w for w in (colour, pattern, brief.fabric) if w)
    neckline = brief.neckline_words().removeprefix("a ")
    parts = [p for p in (shape, sleeves, neckline, material) if p]
    text = ", ".join(parts) or (brief.garment or "design")
    return text[0].upper() + text[1:]

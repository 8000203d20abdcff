"""Presets for known catalogue layouts: which columns a feed has and how a row becomes a product.

A preset renames the feed's columns to Product fields (``columns``), then its ``transform``
derives what the feed lacks. Two presets cover the public catalogues in ``../shared/data``:

- ``kagl`` (``kagl/styles.csv``): no brand or price columns.
  *Brand*: the words of ``productDisplayName`` before its first gender word (Men, Women, Boys,
  Girls, Unisex, Kids, Boy's...) when that word is among the first six, less the product's own
  ``baseColour`` if it ends them ("Lino Perros Black Men Wallet" → "Lino Perros"); otherwise
  the first word. Multi-word brands fall
  out of the rule ("United Colors of Benetton Men Blue Shirt" → "United Colors of Benetton");
  a product line written before the gender stays part of the brand ("ADIDAS Originals").
  *Price*: SYNTHETIC and deterministic. The first 8 bytes of SHA-256 of ``"kagl:<id>"`` pick a
  point of a log-uniform band per coarse category (t-shirts 8–45 EUR, watches 30–400 EUR...,
  ``PRICE_BANDS``), written as whole euros + .99. The same id always costs the same.
  *Category*: the coarse family of the article type, else of the sub-category, else of the
  master category. *Description*: "usage, season" ("Casual, Summer").
- ``myntra`` (``myntra/products.csv``): brand and INR price from the feed; the garment (article
  type and category) is the last garment phrase of the rule-based reader's vocabulary in the
  name (before any "with ..."), the brand's own words left out; rows with no garment phrase
  (bedsheets, lamps, perfume) are skipped as not fashion. Colours become catalogue names
  ("Navy" → "Navy Blue"); an empty colour is read from the name.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from stylegenie.core.understanding.vocabulary import COLOURS, GARMENTS, Garment, phrase_key

__all__ = ["PRESETS", "PRICE_BANDS", "Preset", "SkipRow", "kagl_brand", "kagl_family"]

RowTransform = Callable[[dict[str, Any]], dict[str, Any]]
"""Takes a row whose columns were renamed to Product fields; returns the product's fields."""


class SkipRow(ValueError):
    """A row that is not a product of this catalogue; the message says why."""


@dataclass(frozen=True)
class Preset:
    """A catalogue layout: column renames, the row transform and the other columns it reads."""

    name: str
    summary: str
    columns: Mapping[str, str]
    transform: RowTransform
    uses: tuple[str, ...] = ()

    @property
    def required(self) -> tuple[str, ...]:
        """Every feed column this preset needs."""
        return (*self.columns, *self.uses)


def _families(block: str) -> dict[str, str]:
    """``family = Name, Name`` lines → {Name: family}."""
    table: dict[str, str] = {}
    for line in block.strip().splitlines():
        family, _, names = (part.strip() for part in line.partition("="))
        table.update(dict.fromkeys((name.strip() for name in names.split(",")), family))
    return table


_FAMILY_BY_TYPE = _families(
    """
    top = Tshirts
    shirt = Shirts
    dress = Dresses
    skirt = Skirts
    jeans = Jeans, Jeggings
    shorts = Shorts
    jumpsuit = Jumpsuit, Rompers
    outerwear = Jackets, Rain Jacket, Rain Trousers
    suit = Blazers, Waistcoat, Suits
    knitwear = Sweatshirts, Sweaters, Shrug
    activewear = Track Pants, Tracksuits, Leggings
    ethnic = Kurtas, Kurtis, Kurta Sets, Dupatta, Lehenga Choli, Nehru Jackets, Sarees
    ethnic = Salwar, Churidar, Patiala, Salwar and Dupatta
    innerwear = Stockings, Tights
    swimwear = Swimwear
    bag = Handbags, Backpacks, Clutches, Laptop Bag, Messenger Bag
    accessory = Wallets, Belts, Ties, Scarves, Suspenders, Travel Accessory
    other = Clothing Set, Water Bottle
    """
)
_FAMILY_BY_SUBCATEGORY = _families(
    """
    top = Topwear
    trousers = Bottomwear
    dress = Dress
    ethnic = Saree, Apparel Set
    innerwear = Innerwear
    nightwear = Loungewear and Nightwear
    footwear = Shoes, Sandal, Flip Flops
    bag = Bags
    watch = Watches
    jewellery = Jewellery
    eyewear = Eyewear
    accessory = Wallets, Belts, Socks, Headwear, Ties, Accessories, Scarves, Cufflinks, Stoles
    accessory = Mufflers, Gloves, Shoe Accessories, Umbrellas, Sports Accessories, Wristbands
    beauty = Fragrance, Perfumes, Lips, Nails, Makeup, Skin Care, Skin, Eyes, Hair
    beauty = Bath and Body, Beauty Accessories
    """
)
_FAMILY_BY_MASTER = _families(
    "accessory = Accessories\nfootwear = Footwear\nbeauty = Personal Care"
)

PRICE_BANDS: dict[str, tuple[int, int]] = {
    "top": (8, 45),
    "shirt": (15, 70),
    "dress": (20, 120),
    "skirt": (15, 70),
    "trousers": (18, 80),
    "jeans": (20, 90),
    "shorts": (10, 45),
    "jumpsuit": (25, 100),
    "outerwear": (35, 200),
    "suit": (60, 300),
    "knitwear": (20, 90),
    "activewear": (12, 70),
    "ethnic": (15, 150),
    "footwear": (20, 150),
    "bag": (15, 150),
    "accessory": (5, 50),
    "eyewear": (15, 150),
    "jewellery": (5, 120),
    "watch": (30, 400),
    "innerwear": (5, 35),
    "nightwear": (10, 50),
    "swimwear": (15, 70),
    "beauty": (3, 50),
    "other": (5, 60),
}
"""Synthetic KAGL price bands in EUR, lowest and highest, per coarse category."""

_GENDER_WORDS = frozenset(
    ("men", "women", "boys", "girls", "unisex", "kids", "man", "woman", "boy", "girl")
    + ("mens", "womens", "men's", "women's", "boy's", "girl's", "kid's")
)
_MAX_BRAND_WORDS = 5


def kagl_family(article_type: str, sub_category: str, master_category: str) -> str:
    """The coarse category of a KAGL product ("Tshirts" → "top", "Watches" → "watch")."""
    return (
        _FAMILY_BY_TYPE.get(article_type)
        or _FAMILY_BY_SUBCATEGORY.get(sub_category)
        or _FAMILY_BY_MASTER.get(master_category)
        or "other"
    )


def kagl_brand(name: str, colour: str = "") -> str:
    """The words of a KAGL name before its first gender word (within six), else its first word.

    The product's own colour just before the gender word is not part of the brand:
    "Lino Perros Black Men Wallet" with colour Black gives "Lino Perros".
    """
    words = name.split()
    if words and words[0].lower() in _GENDER_WORDS:
        return ""
    for position, word in enumerate(words[1 : _MAX_BRAND_WORDS + 1], start=1):
        if word.lower() in _GENDER_WORDS:
            brand, tail = words[:position], colour.lower().split()
            if tail and len(brand) > len(tail) and [w.lower() for w in brand[-len(tail) :]] == tail:
                brand = brand[: -len(tail)]
            return " ".join(brand)
    return next(iter(words), "")


def synthetic_price(product_id: str, family: str) -> float:
    """A SYNTHETIC, deterministic EUR price for a KAGL product, inside its family's band."""
    low, high = PRICE_BANDS.get(family, PRICE_BANDS["other"])
    digest = hashlib.sha256(f"kagl:{product_id}".encode()).digest()
    fraction = int.from_bytes(digest[:8], "big") / 2**64
    whole = min(int(low * math.exp(fraction * math.log(high / low))), high - 1)
    return whole + 0.99


def _kagl_row(row: dict[str, Any]) -> dict[str, Any]:
    family = kagl_family(
        str(row.get("article_type", "")),
        str(row.get("subCategory", "")),
        str(row.get("masterCategory", "")),
    )
    details = (row.get("usage"), row.get("season"))
    colour = str(row.get("colour") or "")
    return {
        **row,
        "brand": kagl_brand(str(row.get("name", "")), colour),
        "category": family,
        "colour": "" if colour == "NA" else colour,
        "price": synthetic_price(str(row.get("id", "")), family),
        "currency": "EUR",
        "description": ", ".join(str(v) for v in details if v and v != "NA"),
        "in_stock": True,
    }


def _longest(table: Mapping[tuple[str, ...], Any]) -> int:
    return max(len(key) for key in table)


_GARMENT_WORDS = _longest(GARMENTS)
_COLOUR_WORDS = _longest(COLOURS)


def _last_garment(words: tuple[str, ...]) -> Garment | None:
    """The garment phrase that ends last in ``words``; the longer phrase wins at one end."""
    for end in range(len(words), 0, -1):
        for size in range(min(_GARMENT_WORDS, end), 0, -1):
            garment = GARMENTS.get(words[end - size : end])
            if garment is not None:
                return garment
    return None


def _first_colour(words: tuple[str, ...]) -> str:
    """The catalogue colour of the first colour phrase in ``words``, or ""."""
    for start in range(len(words)):
        for size in range(min(_COLOUR_WORDS, len(words) - start), 0, -1):
            colour = COLOURS.get(words[start : start + size])
            if colour is not None:
                return colour
    return ""


def _name_words(name: str, brand: str) -> tuple[str, ...]:
    """The name's words without the brand's words it starts with."""
    words, brand_words = phrase_key(name), phrase_key(brand)
    return (
        words[len(brand_words) :]
        if brand_words and words[: len(brand_words)] == brand_words
        else words
    )


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _myntra_row(row: dict[str, Any]) -> dict[str, Any]:
    words = _name_words(str(row.get("name", "")), str(row.get("brand", "")))
    head = words[: words.index("with")] if "with" in words else words
    garment = _last_garment(head) or _last_garment(words)
    if garment is None:
        raise SkipRow(f"not fashion: no garment recognised in {_short(str(row.get('name')))!r}")
    colour = str(row.get("colour") or "").strip()
    named = (COLOURS.get(phrase_key(colour)) or colour.title()) if colour else _first_colour(words)
    return {
        **row,
        "category": garment.category,
        "article_type": garment.article_types[0],
        "colour": named,
        "currency": "INR",
    }


KAGL = Preset(
    name="kagl",
    summary="KAGL styles.csv: brand from the name, synthetic EUR prices",
    columns={
        "id": "id",
        "productDisplayName": "name",
        "gender": "gender",
        "articleType": "article_type",
        "baseColour": "colour",
    },
    transform=_kagl_row,
    uses=("masterCategory", "subCategory", "usage", "season"),
)
MYNTRA = Preset(
    name="myntra",
    summary="Myntra products.csv: brand, INR prices, garment from the name, non-fashion skipped",
    columns={
        "ProductID": "id",
        "ProductName": "name",
        "ProductBrand": "brand",
        "Gender": "gender",
        "Price (INR)": "price",
        "PrimaryColor": "colour",
        "Description": "description",
    },
    transform=_myntra_row,
)
PRESETS: dict[str, Preset] = {preset.name: preset for preset in (KAGL, MYNTRA)}
"""Every preset by name (``stylegenie catalog ingest --preset NAME``)."""

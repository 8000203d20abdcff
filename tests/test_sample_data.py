"""The sample catalogue and atelier files in examples/ load into the domain models.

These files seed demos and tests, so they must stay valid and varied: enough cheap
items in each garment family for budget searches, some out of stock, and ateliers that
can make every garment family shoppers describe.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from stylegenie.adapters.feeds import read_ateliers
from stylegenie.adapters.geocoding import GeonamesGeocoder
from stylegenie.core.domain import Atelier, Product

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PRODUCTS_CSV = EXAMPLES / "sample_products.csv"
ATELIERS_CSV = EXAMPLES / "sample_ateliers.csv"

PRODUCT_COLUMNS = [
    "id", "name", "brand", "category", "article_type", "colour", "gender", "price", "currency",
    "in_stock", "sizes", "fabric", "url", "description", "brand_score",
]
ATELIER_COLUMNS = [
    "id", "name", "description", "city", "country", "lat", "lon", "categories", "max_complexity",
    "price_min", "price_max", "currency", "lead_time_days", "rating", "remote_friendly",
    "languages", "contact", "owner_chat_ids",
]
# Catalogue colour names, Title Case, as filters and the brief parser spell them.
COLOURS = {
    "Black", "White", "Blue", "Navy Blue", "Red", "Maroon", "Burgundy", "Green", "Olive", "Pink",
    "Purple", "Lavender", "Yellow", "Mustard", "Beige", "Cream", "Off White", "Grey", "Charcoal",
    "Brown", "Tan", "Khaki", "Orange", "Peach", "Teal", "Gold", "Silver", "Rust",
}

FAMILIES = {
    "top", "shirt", "dress", "skirt", "trousers", "jeans", "shorts", "jumpsuit", "outerwear",
    "suit", "knitwear", "activewear", "ethnic", "footwear", "bag", "accessory", "eyewear",
    "jewellery", "watch", "swimwear", "nightwear",
}
# Families no sample atelier makes: bought ready-made (optics, watch movements, fine jewellery).
NOT_MADE_BY_ATELIERS = {"eyewear", "watch", "jewellery"}
# Garment families that budget searches ("under 50") must find several items in.
CHEAP_FAMILIES = ("top", "shirt", "dress", "skirt", "shorts", "trousers", "footwear", "bag")
PIPE_FIELDS = {"sizes", "categories", "languages"}


def _rows(path: Path, columns: list[str]) -> list[dict[str, object]]:
    """CSV rows as dicts, with pipe-separated list fields split."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == columns
        rows: list[dict[str, object]] = []
        for raw in reader:
            row: dict[str, object] = dict(raw)
            for key in PIPE_FIELDS & raw.keys():
                row[key] = [part for part in raw[key].split("|") if part]
            rows.append(row)
        return rows


@pytest.fixture(scope="module")
def products() -> list[Product]:
    """Every sample product, validated by the domain model."""
    return [Product.model_validate(row) for row in _rows(PRODUCTS_CSV, PRODUCT_COLUMNS)]


@pytest.fixture(scope="module")
def ateliers() -> list[Atelier]:
    """Every sample atelier, read by the product's own feed reader (cities placed offline)."""
    _rows(ATELIERS_CSV, ATELIER_COLUMNS)  # the header is exactly the documented columns
    ateliers, errors = read_ateliers(ATELIERS_CSV, GeonamesGeocoder())
    assert errors == []
    return ateliers


def test_ateliers_without_coordinates_are_placed_by_their_city(ateliers: list[Atelier]) -> None:
    """Porto and Berlin rows carry no lat/lon: the offline GeoNames table places them."""
    by_city = {a.city: a for a in ateliers}
    assert abs(by_city["Porto"].lat - 41.15) < 0.1 and abs(by_city["Berlin"].lon - 13.41) < 0.1
    assert all(a.owner_chat_ids.get("terminal", "").startswith("owner-") for a in ateliers)


def test_products_are_many_unique_and_well_formed(products: list[Product]) -> None:
    """At least 96 products with unique ids, known families, sizes, EUR prices and links."""
    assert len(products) >= 96
    ids = [p.id for p in products]
    assert len(set(ids)) == len(ids)
    for product in products:
        assert product.category in FAMILIES, product.id
        assert product.article_type and product.colour and product.sizes, product.id
        assert product.colour in COLOURS, product.id
        assert product.currency == "EUR" and 5 <= product.price <= 500, product.id
        assert product.url == f"https://shop.example/p/{product.id}"
        assert 0.3 <= product.brand_score <= 0.9, product.id


def test_products_cover_budgets_stock_and_kids(products: list[Product]) -> None:
    """Cheap items in several families, mid-range items, some out of stock, kids' items."""
    for family in CHEAP_FAMILIES:
        cheap = [p for p in products if p.category == family and p.price < 50]
        assert len(cheap) >= 3, f"{family}: only {len(cheap)} under 50 EUR"
    assert sum(40 <= p.price <= 60 for p in products) >= 10
    assert sum(p.price > 120 for p in products) >= 10
    assert any(not p.in_stock for p in products)
    assert sum(p.in_stock for p in products) > 0.9 * len(products)
    genders = Counter(p.gender for p in products)
    assert genders["boys"] >= 5 and genders["girls"] >= 5


def test_products_cover_the_garden_wedding_brief(products: list[Product]) -> None:
    """Green linen and silk dresses exist both under and over 120 EUR."""
    green = [p for p in products if p.article_type == "Dresses" and p.colour in {"Green", "Olive"}]
    assert {p.fabric for p in green} >= {"linen", "silk"}
    assert any(p.price < 120 for p in green) and any(p.price > 120 for p in green)


@pytest.mark.parametrize(
    ("article_type", "minimum"),
    [("Dresses", 8), ("Tshirts", 8), ("Shirts", 6), ("Jeans", 2), ("Trousers", 2),
     ("Track Pants", 2), ("Shorts", 2), ("Skirts", 2), ("Jumpsuit", 1), ("Jackets", 2),
     ("Blazers", 1), ("Sweatshirts", 2), ("Sweaters", 2), ("Casual Shoes", 2),
     ("Sports Shoes", 1), ("Heels", 2), ("Flats", 2), ("Sandals", 2), ("Boots", 1),
     ("Handbags", 2), ("Backpacks", 1), ("Clutches", 1), ("Sunglasses", 2), ("Watches", 2),
     ("Belts", 1), ("Caps", 1), ("Scarves", 1), ("Swimwear", 2), ("Kurtas", 1), ("Sarees", 1)],
)
def test_products_cover_article_type(
    products: list[Product], article_type: str, minimum: int
) -> None:
    """Each common catalogue article type has enough examples to search for."""
    assert sum(p.article_type == article_type for p in products) >= minimum


def test_ateliers_are_valid_fictional_and_spread(ateliers: list[Atelier]) -> None:
    """8+ unique, clearly fictional ateliers in the planned cities, with sane ranges."""
    assert len(ateliers) >= 8
    assert len({a.id for a in ateliers}) == len(ateliers)
    cities = Counter(a.city for a in ateliers)
    assert cities["Lisbon"] == 2
    assert {"Porto", "Madrid", "Paris", "Milan", "London", "Berlin"} <= cities.keys()
    assert any(a.remote_friendly for a in ateliers)
    for atelier in ateliers:
        assert "fictional" in atelier.name.lower(), atelier.id
        assert atelier.contact.startswith("hello@") and atelier.contact.endswith(".example")
        assert set(atelier.categories) <= FAMILIES, atelier.id
        assert 0 < atelier.price_min < atelier.price_max, atelier.id
        assert -90 <= atelier.lat <= 90 and -180 <= atelier.lon <= 180
        assert all(len(code) == 2 for code in atelier.languages), atelier.id
    # A 120 EUR dress budget finds a dressmaker.
    assert any("dress" in a.categories and a.price_min <= 120 for a in ateliers)


def test_lisbon_ateliers_split_dresses_and_tailoring(ateliers: list[Atelier]) -> None:
    """One Lisbon atelier makes dresses and ethnic wear, the other outerwear and suits."""
    lisbon = [set(a.categories) for a in ateliers if a.city == "Lisbon"]
    assert any({"dress", "ethnic"} <= cats for cats in lisbon)
    assert any({"outerwear", "suit"} <= cats for cats in lisbon)


def test_every_product_family_has_a_maker_or_is_documented(
    products: list[Product], ateliers: list[Atelier]
) -> None:
    """Families without an atelier are exactly the documented ready-made ones."""
    made = {category for atelier in ateliers for category in atelier.categories}
    sold = {p.category for p in products}
    assert sold - made == NOT_MADE_BY_ATELIERS

"""Product feeds: bad rows reported by line and reason, column renames, and the two presets."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from PIL import Image

from stylegenie.adapters.catalog_presets import PRESETS, PRICE_BANDS, kagl_brand, synthetic_price
from stylegenie.adapters.feed_rows import MAX_ROW_CHARS
from stylegenie.adapters.feeds import (
    FeedError,
    FeedOptions,
    ProductFeed,
    RowRefused,
    parse_price,
    read_products,
)
from stylegenie.bots.cli import main
from stylegenie.core.ingest import FeedItem

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
KAGL_COLUMNS = (
    "id,gender,masterCategory,subCategory,articleType,baseColour,season,year,usage,"
    "productDisplayName"
)
MYNTRA_COLUMNS = (
    "ProductID,ProductName,ProductBrand,Gender,Price (INR),NumImages,Description,PrimaryColor"
)


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def read(path: Path, options: FeedOptions | None = None) -> tuple[list[FeedItem], list[str]]:
    feed = ProductFeed(path, options)
    items = list(feed)
    return items, [str(problem) for problem in feed.problems]


def test_a_feed_without_required_columns_fails_at_once_naming_them(tmp_path: Path) -> None:
    feed = write(tmp_path / "feed.csv", "id,title,colour\np1,Tee,Red\n")
    with pytest.raises(FeedError, match=r"missing columns name, price; .*needs id, name, price"):
        ProductFeed(feed)
    with pytest.raises(
        FeedError,
        match=r"missing columns productDisplayName, gender, .*; the kagl preset needs id, ",
    ):
        ProductFeed(feed, FeedOptions(preset=PRESETS["kagl"]))
    with pytest.raises(FeedError, match="no such file"):
        ProductFeed(tmp_path / "absent.csv")


def test_the_command_refuses_a_feed_without_required_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = write(tmp_path / "feed.csv", "id,title\np1,Tee\n")
    assert main(["catalog", "ingest", str(feed), "--quiet"]) == 2
    assert "missing columns name, price" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19.5", (19.5, None)),
        ("1,299", (1299.0, None)),
        ("1,299.50", (1299.5, None)),
        ("12,50", (12.5, None)),
        ("€12.50", (12.5, "EUR")),
        ("12.50 usd", (12.5, "USD")),
        ("Rs. 1,299", (1299.0, "INR")),
        (7, (7.0, None)),
    ],
)
def test_prices_are_read_with_separators_and_currency_marks(
    text: str | int, expected: tuple[float, str | None]
) -> None:
    assert parse_price(text) == expected


@pytest.mark.parametrize("text", ["N/A", "", "1.2.3", "12 € $", "nan", True, None])
def test_prices_that_are_not_numbers_are_refused(text: object) -> None:
    with pytest.raises(RowRefused, match="is not a number"):
        parse_price(text)


def test_bad_rows_are_reported_by_line_and_the_good_rows_load(tmp_path: Path) -> None:
    long_name = "x" * 10_000
    feed = write(
        tmp_path / "feed.csv",
        "id,name,price,currency,gender\n"
        'p1,Good tee,"1,299",,Men\n'
        "p2,No price,N/A,,\n"
        "p3,Negative,-4,,\n"
        "p4,Euro tee,€12.50,,Women\n"
        f"p5,{long_name},10,,\n"
        "p1,Again,5,,\n"
        "p6,Dollar tee,$5,EUR,\n"
        "p7,Odd gender,5,,martian\n"
        ",No id,10,,\n",
    )
    items, problems = read(feed)
    assert [(i.line, i.product.id) for i in items] == [(2, "p1"), (5, "p4")]
    assert items[0].product.price == 1299 and items[0].product.gender == "men"
    assert (items[1].product.price, items[1].product.currency) == (12.5, "EUR")
    assert problems[:5] == [
        "line 3: price 'N/A' is not a number",
        "line 4: price '-4' is negative",
        "line 6: name longer than 300 characters (10000)",
        "line 7: duplicate id 'p1' (first on line 2, kept)",
        "line 8: price USD but currency EUR",
    ]
    assert problems[5].startswith("line 9: gender: Input should be")
    assert problems[6] == "line 10: id: Field required"


def test_a_field_too_large_for_csv_refuses_its_row_only(tmp_path: Path) -> None:
    feed = write(tmp_path / "feed.csv", f"id,name,price\np1,{'x' * 200_000},1\np2,Tee,2\n")
    items, problems = read(feed)
    assert [(i.line, i.product.id) for i in items] == [(3, "p2")]
    assert problems == ["line 2: malformed CSV (field larger than field limit (131072))"]


def test_bytes_that_are_not_utf8_are_replaced_and_reported_once_per_row(tmp_path: Path) -> None:
    feed = write(
        tmp_path / "feed.csv", b"id,name,price,fabric\np1,Caf\xe9 \xff shirt,30,lin\xe9n\n"
    )
    items, problems = read(feed)
    assert items[0].product.name == "Caf\ufffd \ufffd shirt"
    assert problems == ["line 2: bytes that are not UTF-8 replaced (row loaded)"]


def test_a_jsonl_feed_checks_each_row(tmp_path: Path) -> None:
    rows = [
        {"id": "p1", "name": "Tee", "price": 10, "sizes": ["S", "M"]},
        {"id": "p2", "name": "No price"},
        {"id": "p3", "name": "Bad", "price": -1},
    ]
    feed = write(tmp_path / "feed.jsonl", "\n".join(map(json.dumps, rows)) + "\nnot json\n[1]\n")
    items, problems = read(feed)
    assert [i.product.id for i in items] == ["p1"] and items[0].product.sizes == ["S", "M"]
    assert problems == [
        "line 2: missing columns price; a product feed needs id, name, price (rename with --map)",
        "line 3: price -1 is negative",
        "line 4: not JSON (Expecting value)",
        "line 5: not a JSON object",
    ]


def test_map_renames_feed_columns_to_product_fields(tmp_path: Path) -> None:
    feed = write(tmp_path / "feed.csv", "sku,title,cost,colour\ns1,Linen shirt,45,Green\n")
    options = FeedOptions(columns={"sku": "id", "title": "name", "cost": "price"})
    items, problems = read(feed, options)
    assert problems == []
    assert items[0].product.model_dump(include={"id", "name", "price", "colour"}) == {
        "id": "s1",
        "name": "Linen shirt",
        "price": 45.0,
        "colour": "Green",
    }
    with pytest.raises(FeedError, match="not product fields: title"):
        ProductFeed(feed, FeedOptions(columns={"name": "title"}))


def test_photos_come_from_the_images_folder_or_the_image_column(tmp_path: Path) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    Image.new("RGB", (8, 8)).save(photos / "p1.jpg")
    feed = write(tmp_path / "feed.csv", "id,name,price,image\np1,A,1,\np2,B,1,own.png\np3,C,1,\n")
    items, _ = read(feed, FeedOptions(images=photos))
    assert [i.photo for i in items] == [str(photos / "p1.jpg"), str(photos / "own.png"), None]
    items, _ = read(feed)
    assert [i.photo for i in items] == [None, str(tmp_path / "own.png"), None]


def kagl_csv(path: Path, rows: list[str]) -> Path:
    return write(path, KAGL_COLUMNS + "\n" + "\n".join(rows) + "\n")


def test_the_kagl_preset_derives_brand_category_price_and_text(tmp_path: Path) -> None:
    feed = kagl_csv(
        tmp_path / "styles.csv",
        [
            "15970,Men,Apparel,Topwear,Shirts,Navy Blue,Fall,2011,Casual,"
            "Peter England Men Navy Blue Shirt",
            "1,Women,Apparel,Bottomwear,Track Pants,NA,Summer,2012,Sports,"
            "United Colors of Benetton Women Track Pants",
            "2,Boys,Accessories,Bags,Backpacks,Black,Winter,2012,NA,"
            "Lino Perros Black Boys Backpack",
            "3,Unisex,Personal Care,Lips,Lipstick,Red,Spring,2012,Casual,Lakme Red Lipstick 02",
            "4,Girls,Footwear,Sandal,Sandals,Pink,Summer,2012,Casual,Men Pink Sandals",
        ],
    )
    items, problems = read(feed, FeedOptions(preset=PRESETS["kagl"]))
    assert problems == []
    products = [item.product for item in items]
    assert [p.brand for p in products] == [
        "Peter England",
        "United Colors of Benetton",
        "Lino Perros",
        "Lakme",
        "",
    ]
    assert [p.category for p in products] == ["shirt", "activewear", "bag", "beauty", "footwear"]
    assert [p.gender for p in products] == ["men", "women", "boys", "unisex", "girls"]
    assert [p.colour for p in products] == ["Navy Blue", "", "Black", "Red", "Pink"]
    assert [p.description for p in products] == [
        "Casual, Fall",
        "Sports, Summer",
        "Winter",
        "Casual, Spring",
        "Casual, Summer",
    ]
    shirt = products[0]
    assert (shirt.price, shirt.currency, shirt.url, shirt.in_stock) == (24.99, "EUR", "", True)
    assert (
        shirt.search_text()
        == "Peter England Men Navy Blue Shirt. men Navy Blue Shirts. Casual, Fall"
    )


def test_kagl_synthetic_prices_are_deterministic_and_inside_their_band() -> None:
    # Pinned values: a change of the rule changes every stored price, so it must be deliberate.
    assert synthetic_price("15970", "shirt") == 24.99
    assert synthetic_price("39386", "jeans") == 32.99
    for family, (low, high) in PRICE_BANDS.items():
        prices = [synthetic_price(str(i), family) for i in range(300)]
        assert all(low <= price <= high for price in prices), family
        assert len(set(prices)) > 20 and all(f"{p:.2f}".endswith(".99") for p in prices)


def test_kagl_brands_are_the_words_before_the_gender() -> None:
    assert kagl_brand("Tommy Hilfiger Men Navy Shirt") == "Tommy Hilfiger"
    assert kagl_brand("Red Tape Black Men Shoes", "Black") == "Red Tape"
    assert kagl_brand("Baggit Brown Handbag") == "Baggit"
    assert kagl_brand("Gini and Jony Boy's Kaleb White Kidswear") == "Gini and Jony"


def test_the_kagl_preset_on_the_first_real_rows() -> None:
    styles = SHARED_DATA / "kagl" / "styles.csv"
    if not styles.is_file():
        pytest.skip(f"the KAGL catalogue is not at {styles} (see ../shared/data/README.md)")
    with styles.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))[:200]
    feed = ProductFeed(styles, FeedOptions(preset=PRESETS["kagl"]))
    items = [item for item, _ in zip(feed, range(200), strict=False)]
    assert feed.problems == [] and len(items) == 200
    for row, item in zip(rows, items, strict=True):
        product = item.product
        assert product.id == row["id"] and product.name == row["productDisplayName"]
        assert product.name.startswith(product.brand) and product.brand
        assert product.category in PRICE_BANDS and product.category != "other"
        low, high = PRICE_BANDS[product.category]
        assert low <= product.price <= high
    assert items[1].product.brand == "Peter England"


def test_the_myntra_preset_keeps_fashion_and_skips_the_rest(tmp_path: Path) -> None:
    feed = write(
        tmp_path / "products.csv",
        MYNTRA_COLUMNS + "\n"
        '1,Pepe Jeans Men Blue Slim Fit Jeans,Pepe Jeans,Men,"1,499",5,Blue jeans,Navy\n'
        "2,AURELIA Women Red Kurta with Churidar & Dupatta,AURELIA,Women,899,5,A kurta, \n"
        "3,Cortina Set of 2 Door Curtains,Cortina,Unisex,749,3,Curtains,Blue\n"
        "4,Gini and Jony Boys Printed Polo T-shirt,Gini and Jony,Unisex Kids,599,4,Tee,matte\n"
        "5,Lakme Absolute Lip Colour,Lakme,Women,N/A,2,Lipstick,Red\n",
    )
    items, problems = read(feed, FeedOptions(preset=PRESETS["myntra"]))
    assert problems == [
        "line 4: skipped: not fashion: no garment recognised in 'Cortina Set of 2 Door Curtains'",
        "line 6: skipped: not fashion: no garment recognised in 'Lakme Absolute Lip Colour'",
    ]
    jeans, kurta, polo = (item.product for item in items)
    assert (jeans.brand, jeans.price, jeans.currency) == ("Pepe Jeans", 1499.0, "INR")
    assert (jeans.category, jeans.article_type, jeans.colour) == ("jeans", "Jeans", "Navy Blue")
    assert (kurta.category, kurta.article_type, kurta.colour) == ("ethnic", "Kurtas", "Red")
    assert (polo.gender, polo.article_type, polo.colour) == ("unisex", "Tshirts", "Matte")


def test_read_products_returns_products_and_refusals(tmp_path: Path) -> None:
    feed = write(tmp_path / "feed.csv", "id,name,price\np1,Tee,10\np2,Bad,x\n")
    products, errors = read_products(feed)
    assert [p.id for p in products] == ["p1"] and errors == ["line 3: price 'x' is not a number"]


def numbered_csv(path: Path, rows: int, broken: dict[int, str]) -> Path:
    """A feed of ``rows`` tees (row i on line i + 1), with some rows written as ``broken``."""
    lines = [broken.get(i, f"p{i},Tee {i},{i}") for i in range(1, rows + 1)]
    return write(path, "id,name,price\n" + "\n".join(lines) + "\n")


def test_a_stray_quote_that_swallows_the_rest_of_a_csv_names_the_lines_lost(
    tmp_path: Path,
) -> None:
    feed = ProductFeed(numbered_csv(tmp_path / "feed.csv", 1000, {10: 'p10,"Tee 10,10'}))
    assert [item.product.id for item in feed] == [f"p{i}" for i in range(1, 10)]
    assert [str(problem) for problem in feed.problems] == [
        "lines 11–1001: a field's quotes do not close where the row ends: a stray quote on "
        "line 11? It swallowed lines 12–1001, and none of their rows was loaded; fix the quote "
        "and load the feed again"
    ]
    assert feed.lost_rows


def test_a_stray_quote_closed_by_a_later_quote_loses_only_the_lines_between(
    tmp_path: Path,
) -> None:
    broken = {10: 'p10,"Tee 10,10', 50: 'p50,"Tee, fifty",50'}
    feed = ProductFeed(numbered_csv(tmp_path / "feed.csv", 100, broken))
    loaded = [item.product.id for item in feed]
    assert loaded == [f"p{i}" for i in (*range(1, 10), *range(51, 101))]
    [problem] = feed.problems
    assert (problem.line, problem.through) == (11, 51)


def test_a_quoted_field_over_several_lines_is_not_a_structure_error(tmp_path: Path) -> None:
    feed = write(
        tmp_path / "feed.csv",
        'id,name,price,description\np1,Tee,5,"Soft,\nlight\nand warm"\np2,"Two, tees",9,\n',
    )
    items, problems = read(feed)
    assert [(i.line, i.product.description) for i in items] == [
        (2, "Soft,\nlight\nand warm"),
        (5, ""),
    ]
    assert problems == []


def test_a_csv_line_over_the_cap_is_refused_unread_and_the_next_row_loads(tmp_path: Path) -> None:
    feed = write(
        tmp_path / "feed.csv",
        f"id,name,price,description\np1,Tee,5,{'x' * (MAX_ROW_CHARS + 5)}\np2,Tee,9,\n",
    )
    items, problems = read(feed)
    assert [(i.line, i.product.id) for i in items] == [(3, "p2")]
    assert problems == ["line 2: longer than 1,000,000 characters: not read"]

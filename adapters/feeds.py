"""Reading products and ateliers from CSV or JSON Lines feeds, row by row, with clear errors.

A bad row never stops a feed: it is reported with its line number and reason, and the good
rows still load. Only a feed that cannot be read at all (no such file, unknown format, or a
CSV header that lacks required columns) fails at once, with a ``FeedError``. Rows are read
in bounded memory, and CSV structure errors (a stray quote swallowing lines) reported with
the lines they swallowed, by ``feed_rows``.

A product row goes through these steps:

1. columns are renamed: the preset's renames, then ``--map column=field`` ones;
2. a row with bytes that are not UTF-8 loads with them replaced by "�", and is reported;
3. a name longer than ``MAX_NAME_CHARS`` refuses the row;
4. the preset's transform derives missing fields (or skips the row as not a product);
5. values are cleaned: prices like "1,299", "€12.50" or "12,50" are read, "N/A" and negative
   ones refused; genders like "Men" or "Unisex Kids" become the domain's words;
6. the row is validated as a ``Product`` and checked against the product index's limits
   (``unstorable``: a 300-byte brand), so that no store refuses it after the other took it;
   the first valid row of an id wins, later rows with that id are refused as duplicates;
7. its photo is the ``image`` column (a path inside the images folder, or the feed's folder
   without one), or ``<images folder>/<id>.jpg`` when that exists; a path that is absolute
   or leads outside the folder (``..``, a link) is refused and the row loads without it.

An atelier row must name its city: it is placed there offline, unless it gives ``lat`` and
``lon`` (finite, in range). Its numbers must be finite and ``price_min <= price_max``; the
first row of an id wins; a row with neither a contact nor an owner chat loads with a
warning, since no lead could reach it.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from stylegenie.core.domain import Atelier, Product
from stylegenie.core.ingest import FeedItem, RowProblem
from stylegenie.core.ports import Geocoder

from .catalog_presets import Preset
from .feed_rows import FeedError, csv_header, feed_rows, is_csv
from .thumbnails import PhotoRefused, photo_inside

__all__ = [
    "FeedError",
    "FeedOptions",
    "ProductFeed",
    "RowRefused",
    "parse_owner_users",
    "parse_price",
    "read_ateliers",
    "read_products",
]

ModelT = TypeVar("ModelT", Product, Atelier)
LIST_FIELDS = {"sizes", "categories", "languages"}
"""Fields written in CSV as pipe-separated lists ("S|M|L")."""
PHOTO_FIELD = "image"
"""The feed field that names a product's photo file."""
PRODUCT_FIELDS = frozenset({*Product.model_fields, PHOTO_FIELD})
REQUIRED_FIELDS = ("id", "name", "price")
MAX_NAME_CHARS = 300

_PRICE_TEXT = re.compile(
    r"(?P<pre>[^\d\s-]*)\s*(?P<sign>-?)\s*(?P<number>[\d.,]+)\s*(?P<post>[^\d\s]*)"
)
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|(?P<decimal_comma>\d+,\d{1,2})")
_CURRENCY_MARKS = {"€": "EUR", "$": "USD", "£": "GBP", "₹": "INR", "RS": "INR", "RS.": "INR"}
_GENDERS = {
    **dict.fromkeys(("men", "man", "male", "mens"), "men"),
    **dict.fromkeys(("women", "woman", "female", "womens", "ladies"), "women"),
    **dict.fromkeys(("boys", "boy"), "boys"),
    **dict.fromkeys(("girls", "girl"), "girls"),
    **dict.fromkeys(("unisex", "unisex kids", "kids"), "unisex"),
}


class RowRefused(ValueError):
    """One row cannot be loaded; the message is the reason."""


def _clean(row: Mapping[Any, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, str):
            value = value.strip()
        if key is None or value is None or value == "":
            continue
        if key in LIST_FIELDS and isinstance(value, str):
            value = [part.strip() for part in value.split("|") if part.strip()]
        cleaned[key.strip()] = value
    return cleaned


def _explain(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}" for e in error.errors()
    )


def _currency_of(mark: str, value: str) -> str:
    upper = mark.upper()
    if upper in _CURRENCY_MARKS:
        return _CURRENCY_MARKS[upper]
    if re.fullmatch(r"[A-Z]{3}", upper):
        return upper
    raise RowRefused(f"price {value!r} is not a number")


def parse_price(value: Any) -> tuple[float, str | None]:
    """A price and the currency its mark names ("€12.50" → (12.5, "EUR")); RowRefused if bad.

    "1,299" is 1299 (thousands separators), "12,50" is 12.5 (a decimal comma); a currency
    symbol or code may stand before or after the number ("Rs. 1,299", "12.50 EUR").
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RowRefused(f"price {value!r} is not a number")
    currency = None
    if isinstance(value, str):
        match = _PRICE_TEXT.fullmatch(value.strip())
        number = _NUMBER.fullmatch(match["number"]) if match else None
        marks = [mark for mark in (match["pre"], match["post"]) if mark] if match else []
        if match is None or number is None or len(marks) > 1:
            raise RowRefused(f"price {value!r} is not a number")
        currency = _currency_of(marks[0], value) if marks else None
        digits = number.group()
        digits = digits.replace(",", ".") if number["decimal_comma"] else digits.replace(",", "")
        amount = -float(digits) if match["sign"] else float(digits)
    else:
        amount = float(value)
    if not math.isfinite(amount):
        raise RowRefused(f"price {value!r} is not a number")
    if amount < 0:
        raise RowRefused(f"price {value!r} is negative")
    return amount, currency


def _normalise(row: dict[str, Any]) -> dict[str, Any]:
    """Price and gender in the domain's terms."""
    if "price" in row:
        row["price"], currency = parse_price(row["price"])
        stated = str(row.get("currency", "")).upper()
        if currency and stated and stated != currency:
            raise RowRefused(f"price {currency} but currency {stated}")
        if currency:
            row.setdefault("currency", currency)
    if isinstance(row.get("gender"), str):
        row["gender"] = _GENDERS.get(row["gender"].lower().replace("'", ""), row["gender"])
    return row


@dataclass(frozen=True)
class FeedOptions:
    """How to read a product feed: a preset, column renames, and the folder of photos."""

    preset: Preset | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    images: Path | None = None

    @property
    def renames(self) -> dict[str, str]:
        """Feed column → product field: the preset's renames, then the explicit ones."""
        return {**(self.preset.columns if self.preset else {}), **self.columns}


class ProductFeed:
    """The valid products of a feed, read lazily, with the problems of its rows.

    Iterating yields ``FeedItem`` objects; ``problems`` fills as rows are read.
    """

    def __init__(self, path: Path, options: FeedOptions | None = None) -> None:
        self.path = path
        self.options = options or FeedOptions()
        self.problems: list[RowProblem] = []
        self.rows_read = 0
        preset = self.options.preset
        self._renames = self.options.renames
        self._first_line: dict[str, int] = {}
        allowed = PRODUCT_FIELDS | set(preset.uses if preset else ())
        unknown = sorted(set(self._renames.values()) - allowed)
        if unknown:
            raise FeedError(f"not product fields: {', '.join(unknown)} (fields: {_fields()})")
        # field → the column that should hold it, as a feed of this layout names it
        self._needed = (
            {**{f: c for c, f in preset.columns.items()}, **{c: c for c in preset.uses}}
            if preset
            else {name: name for name in REQUIRED_FIELDS}
        )
        self._needs = (
            f"the {preset.name} preset needs {', '.join(preset.required)}"
            if preset
            else f"a product feed needs {', '.join(REQUIRED_FIELDS)} (rename with --map)"
        )
        # Imported here: pymilvus loads (~1 s) for product feeds only, not for atelier ones.
        from .milvus_index import unstorable

        self._unstorable = unstorable
        self._csv = is_csv(path)
        if self._csv:
            missing = self._missing(csv_header(path))
            if missing:
                raise FeedError(f"{path}: missing columns {', '.join(missing)}; {self._needs}")

    def _missing(self, columns: Iterable[str | None]) -> list[str]:
        """The needed columns that ``columns`` (renamed) do not provide."""
        present = {self._renames.get(column, column) for column in columns if column}
        return [column for name, column in self._needed.items() if name not in present]

    def count_rows(self) -> int:
        """How many rows the feed has (a quick pass, for progress bars)."""
        return sum(1 for _ in feed_rows(self.path))

    @property
    def lost_rows(self) -> bool:
        """Whether a structure error (a stray CSV quote) swallowed rows: fix the feed."""
        return any(problem.through for problem in self.problems)

    def __iter__(self) -> Iterator[FeedItem]:
        for row in feed_rows(self.path):
            self.rows_read += 1
            if isinstance(row, RowProblem):
                self.problems.append(row)
                continue
            line, raw = row
            try:
                yield self._item(line, raw)
            except RowRefused as refusal:
                self.problems.append(RowProblem(line, str(refusal)))

    def _item(self, line: int, raw: Mapping[Any, Any]) -> FeedItem:
        missing = [] if self._csv else self._missing(raw)
        if missing:
            raise RowRefused(f"missing columns {', '.join(missing)}; {self._needs}")
        row = {self._renames.get(k.strip(), k.strip()) if k else k: v for k, v in raw.items()}
        if any(isinstance(value, str) and "\ufffd" in value for value in row.values()):
            self.problems.append(RowProblem(line, "bytes that are not UTF-8 replaced", False))
        name = row.get("name")
        if isinstance(name, str) and len(name) > MAX_NAME_CHARS:
            raise RowRefused(f"name longer than {MAX_NAME_CHARS} characters ({len(name)})")
        cleaned = _clean(row)
        if self.options.preset is not None:
            try:
                cleaned = _clean(self.options.preset.transform(cleaned))
            except (ValueError, TypeError, KeyError) as error:
                raise RowRefused(f"skipped: {error}") from error
        product = _validated(Product, _normalise(cleaned))
        unstorable = self._unstorable(product)
        if unstorable:
            raise RowRefused(unstorable)
        first = self._first_line.setdefault(product.id, line)
        if first != line:
            raise RowRefused(f"duplicate id {product.id!r} (first on line {first}, kept)")
        return FeedItem(product, line, self._photo(line, product.id, cleaned.get(PHOTO_FIELD)))

    def _photo(self, line: int, product_id: str, named: Any) -> str | None:
        """The photo file inside the images folder (the feed's own folder without one):
        the ``image`` column's, else ``<id>.jpg`` when there is such an entry."""
        folder = self.options.images or self.path.parent
        if named:
            name = str(named)
        elif self.options.images is not None and os.path.lexists(folder / f"{product_id}.jpg"):
            name = f"{product_id}.jpg"
        else:
            return None
        try:
            return str(photo_inside(folder, name))
        except PhotoRefused as refusal:
            self.problems.append(RowProblem(line, f"photo {name} not used: {refusal}", False))
            return None


def _fields() -> str:
    return ", ".join(sorted(PRODUCT_FIELDS))


def _validated(model: type[ModelT], row: dict[str, Any]) -> ModelT:
    """``row`` as a ``model``; RowRefused naming each invalid field."""
    try:
        return model.model_validate(row)
    except ValidationError as error:
        raise RowRefused(_explain(error)) from error


def read_products(
    path: Path, options: FeedOptions | None = None
) -> tuple[list[Product], list[str]]:
    """Products from a feed (own columns, or a preset's), and one error line per refused row."""
    feed = ProductFeed(path, options)
    products = [item.product for item in feed]
    return products, [str(problem) for problem in feed.problems if problem.skipped]


def parse_owner_users(text: str) -> dict[str, list[str]]:
    """``"telegram=111|222|discord=7"`` -> ``{"telegram": ["111", "222"], "discord": ["7"]}``;
    RowRefused when an id comes before any platform or a platform has no id."""
    users: dict[str, list[str]] = {}
    platform = ""
    for part in (p.strip() for p in text.split("|") if p.strip()):
        name, separator, user = part.partition("=")
        if separator:
            platform, user = name.strip(), user.strip()
            if not platform or not user:
                raise RowRefused("owner_user_ids must look like telegram=111|222|discord=7")
        elif not platform:
            raise RowRefused("owner_user_ids must name a platform first: telegram=111|222")
        users.setdefault(platform, []).append(user.strip() if separator else part)
    return users


def read_ateliers(path: Path, geocoder: Geocoder) -> tuple[list[Atelier], list[RowProblem]]:
    """Ateliers from a feed in StyleGenie's own columns (see examples/sample_ateliers.csv),
    and the problems of its rows: refused (``skipped``) or loaded with a warning.

    Rows without ``lat``/``lon`` are placed by their city (and country) offline; an
    unknown city refuses the row. ``owner_chat_ids`` is written ``telegram=123|discord=456``;
    ``owner_user_ids`` (who may answer leads in a group owner chat) is written
    ``telegram=111|222|discord=7`` (a bare id belongs to the platform named before it).
    """
    ateliers: list[Atelier] = []
    problems: list[RowProblem] = []
    first_line: dict[str, int] = {}
    for row in feed_rows(path):
        if isinstance(row, RowProblem):
            problems.append(row)
            continue
        line, raw = row
        try:
            atelier = _atelier(_clean(raw), geocoder)
        except RowRefused as refusal:
            problems.append(RowProblem(line, str(refusal)))
            continue
        first = first_line.setdefault(atelier.id, line)
        if first != line:
            reason = f"duplicate id {atelier.id!r} (first on line {first}, kept)"
            problems.append(RowProblem(line, reason))
            continue
        if not atelier.contact and not atelier.owner_chat_ids:
            reason = "no contact and no owner_chat_ids: no lead and no shopper can reach it"
            problems.append(RowProblem(line, reason, skipped=False))
        ateliers.append(atelier)
    return ateliers, problems


def _atelier(row: dict[str, Any], geocoder: Geocoder) -> Atelier:
    """One atelier row: owners parsed, placed, validated and its numbers checked."""
    owners = row.get("owner_chat_ids")
    if isinstance(owners, str):
        pairs = [part.partition("=") for part in owners.split("|") if part.strip()]
        if any(not sep or not chat for _, sep, chat in pairs):
            raise RowRefused("owner_chat_ids must look like telegram=123|discord=456")
        row["owner_chat_ids"] = {platform.strip(): chat.strip() for platform, _, chat in pairs}
    users = row.get("owner_user_ids")
    if isinstance(users, str):
        row["owner_user_ids"] = parse_owner_users(users)
    atelier = _validated(Atelier, _placed(row, geocoder))
    _check_numbers(atelier)
    return atelier


def _placed(row: dict[str, Any], geocoder: Geocoder) -> dict[str, Any]:
    """The row with its coordinates: its own ``lat`` and ``lon``, or its city's."""
    if not row.get("city"):
        raise RowRefused("no city: give the atelier's city (and country, and lat and lon)")
    given = [key for key in ("lat", "lon") if key in row]
    if len(given) == 2:
        return row
    if given:
        raise RowRefused(f"{given[0]} without {'lon' if given == ['lat'] else 'lat'}: give both")
    place = geocoder.locate(str(row["city"]), row.get("country"))
    if place is None:
        where = ", ".join(str(row[k]) for k in ("city", "country") if row.get(k))
        raise RowRefused(f"unknown city ({where}): give lat and lon, or a city of 15,000+ people")
    return {
        **row,
        "city": place.name,
        "country": place.country,
        "lat": place.latitude,
        "lon": place.longitude,
    }


def _check_numbers(atelier: Atelier) -> None:
    """RowRefused for a number that is not finite, coordinates out of range, or prices the
    wrong way round."""
    for name, value in atelier.model_dump().items():
        if isinstance(value, float) and not math.isfinite(value):
            raise RowRefused(f"{name} {value} is not a number")
    if not -90 <= atelier.lat <= 90:
        raise RowRefused(f"lat {atelier.lat:g} is not a latitude (-90 to 90)")
    if not -180 <= atelier.lon <= 180:
        raise RowRefused(f"lon {atelier.lon:g} is not a longitude (-180 to 180)")
    if atelier.price_min > atelier.price_max:
        raise RowRefused(
            f"price_min {atelier.price_min:g} is above price_max {atelier.price_max:g}"
        )

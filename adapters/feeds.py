"""Reading products and ateliers from CSV or JSON Lines feeds, row by row, with clear errors.

A bad row never stops a feed: it is reported with its line number and reason, and the good
rows still load. Only a feed that cannot be read at all (no such file, unknown format, or a
CSV header that lacks required columns) fails at once, with a ``FeedError``.

A product row goes through these steps:

1. columns are renamed: the preset's renames, then ``--map column=field`` ones;
2. a row with bytes that are not UTF-8 loads with them replaced by "�", and is reported;
3. a name longer than ``MAX_NAME_CHARS`` refuses the row;
4. the preset's transform derives missing fields (or skips the row as not a product);
5. values are cleaned: prices like "1,299", "€12.50" or "12,50" are read, "N/A" and negative
   ones refused; genders like "Men" or "Unisex Kids" become the domain's words;
6. the row is validated as a ``Product``; the first valid row of an id wins, later rows with
   that id are refused as duplicates;
7. its photo is the ``image`` column (a path, relative to the images folder or else to the
   feed's folder), or ``<images folder>/<id>.jpg`` when that file exists.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO, TypeVar

from pydantic import BaseModel, ValidationError

from stylegenie.core.domain import Atelier, Product
from stylegenie.core.ingest import FeedItem, RowProblem
from stylegenie.core.ports import Geocoder

from .catalog_presets import Preset

ModelT = TypeVar("ModelT", bound=BaseModel)
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


class FeedError(ValueError):
    """A whole feed cannot be read (missing file, unknown format, missing columns)."""


class RowRefused(ValueError):
    """One row cannot be loaded; the message is the reason."""


def _is_csv(path: Path) -> bool:
    """Whether the feed is CSV (else JSON Lines); FeedError when it is neither or missing."""
    if not path.is_file():
        raise FeedError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".jsonl", ".ndjson"):
        raise FeedError(f"{path}: use a .csv or .jsonl file")
    return suffix == ".csv"


def _open(path: Path) -> TextIO:
    """The feed as text; a BOM is dropped, bytes that are not UTF-8 become "\ufffd"."""
    return path.open(encoding="utf-8-sig", errors="replace", newline="")


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, raw row or why it is unreadable) from a .csv or .jsonl file."""
    is_csv = _is_csv(path)
    with _open(path) as handle:
        if is_csv:
            yield from _csv_rows(csv.DictReader(handle))
        else:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    yield number, _json_object(line)


def _csv_rows(reader: csv.DictReader[str]) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """Each CSV record; a malformed one is reported and the reader goes on with the next line."""
    _ = reader.fieldnames  # reads the header, so line numbers count from it
    while True:
        before = reader.line_num
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:  # the reader has consumed the bad line: no endless loop
            yield before + 1, f"malformed CSV ({error})"
            continue
        yield reader.line_num, row


def _json_object(line: str) -> dict[str, Any] | str:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as error:
        return f"not JSON ({error.msg})"
    return value if isinstance(value, dict) else "not a JSON object"


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


def read_feed(
    path: Path,
    model: type[ModelT],
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> tuple[list[ModelT], list[str]]:
    """Every valid row as a model, and one error line per refused row.

    ``prepare`` may complete or translate a cleaned row before validation, and refuse
    it with :class:`RowRefused`.
    """
    good: list[ModelT] = []
    errors: list[str] = []
    for number, row in _rows(path):
        if isinstance(row, str):
            errors.append(f"line {number}: {row}")
            continue
        try:
            cleaned = _clean(row)
            good.append(model.model_validate(prepare(cleaned) if prepare else cleaned))
        except ValidationError as error:
            errors.append(f"line {number}: {_explain(error)}")
        except RowRefused as refusal:
            errors.append(f"line {number}: {refusal}")
    return good, errors


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
        self._csv = _is_csv(path)
        if self._csv:
            with _open(path) as handle:
                header = [column.strip() for column in next(csv.reader(handle), [])]
            missing = self._missing(header)
            if missing:
                raise FeedError(f"{path}: missing columns {', '.join(missing)}; {self._needs}")

    def _missing(self, columns: Iterable[str | None]) -> list[str]:
        """The needed columns that ``columns`` (renamed) do not provide."""
        present = {self._renames.get(column, column) for column in columns if column}
        return [column for name, column in self._needed.items() if name not in present]

    def count_rows(self) -> int:
        """How many rows the feed has (a quick pass, for progress bars)."""
        return sum(1 for _ in _rows(self.path))

    def __iter__(self) -> Iterator[FeedItem]:
        for line, raw in _rows(self.path):
            self.rows_read += 1
            try:
                if isinstance(raw, str):
                    raise RowRefused(raw)
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
        try:
            product = Product.model_validate(_normalise(cleaned))
        except ValidationError as error:
            raise RowRefused(_explain(error)) from error
        first = self._first_line.setdefault(product.id, line)
        if first != line:
            raise RowRefused(f"duplicate id {product.id!r} (first on line {first}, kept)")
        return FeedItem(product, line, self._photo(product.id, cleaned.get(PHOTO_FIELD)))

    def _photo(self, product_id: str, named: Any) -> str | None:
        folder = self.options.images
        if named:
            return str((folder or self.path.parent) / str(named))
        if folder is not None and (folder / f"{product_id}.jpg").is_file():
            return str(folder / f"{product_id}.jpg")
        return None


def _fields() -> str:
    return ", ".join(sorted(PRODUCT_FIELDS))


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


def read_ateliers(path: Path, geocoder: Geocoder) -> tuple[list[Atelier], list[str]]:
    """Ateliers from a feed in StyleGenie's own columns (see examples/sample_ateliers.csv).

    Rows without ``lat``/``lon`` are placed by their city (and country) offline; an
    unknown city refuses the row. ``owner_chat_ids`` is written ``telegram=123|discord=456``;
    ``owner_user_ids`` (who may answer leads in a group owner chat) is written
    ``telegram=111|222|discord=7`` (a bare id belongs to the platform named before it).
    """

    def prepare(row: dict[str, Any]) -> dict[str, Any]:
        owners = row.get("owner_chat_ids")
        if isinstance(owners, str):
            pairs = [part.partition("=") for part in owners.split("|") if part.strip()]
            if any(not sep or not chat for _, sep, chat in pairs):
                raise RowRefused("owner_chat_ids must look like telegram=123|discord=456")
            row["owner_chat_ids"] = {platform.strip(): chat.strip() for platform, _, chat in pairs}
        users = row.get("owner_user_ids")
        if isinstance(users, str):
            row["owner_user_ids"] = parse_owner_users(users)
        if "lat" in row and "lon" in row:
            return row
        place = geocoder.locate(str(row.get("city", "")), row.get("country"))
        if place is None:
            where = ", ".join(str(row[k]) for k in ("city", "country") if row.get(k)) or "no city"
            raise RowRefused(
                f"unknown city ({where}): give lat and lon, or a city of 15,000+ people"
            )
        return {
            **row,
            "city": place.name,
            "country": place.country,
            "lat": place.latitude,
            "lon": place.longitude,
        }

    return read_feed(path, Atelier, prepare)

"""Reading products and ateliers from CSV or JSON Lines feeds, row by row, with clear errors.

A bad row never stops a feed: it is reported with its line number and reason,
and the good rows still load.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from stylegenie.core.domain import Atelier, Product

ModelT = TypeVar("ModelT", bound=BaseModel)
LIST_FIELDS = {"sizes", "categories", "languages"}
"""Fields written in CSV as pipe-separated lists ("S|M|L")."""


class FeedError(ValueError):
    """A whole feed cannot be read (missing file, unknown format)."""


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, raw row) pairs from a .csv or .jsonl file; undecodable bytes are replaced."""
    if not path.is_file():
        raise FeedError(f"{path}: no such file")
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        if path.suffix.lower() == ".csv":
            reader = csv.DictReader(handle)
            for row in reader:
                yield reader.line_num, row
        elif path.suffix.lower() in (".jsonl", ".ndjson"):
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    yield number, _json_object(line)
        else:
            raise FeedError(f"{path}: use a .csv or .jsonl file")


def _json_object(line: str) -> dict[str, Any]:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as error:
        return {"__error__": f"not JSON ({error.msg})"}
    return value if isinstance(value, dict) else {"__error__": "not a JSON object"}


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key, value in row.items():
        if key is None or value is None or value == "":
            continue
        if key in LIST_FIELDS and isinstance(value, str):
            value = [part.strip() for part in value.split("|") if part.strip()]
        cleaned[key.strip()] = value
    return cleaned


def read_feed(path: Path, model: type[ModelT]) -> tuple[list[ModelT], list[str]]:
    """Every valid row as a model, and one error line per refused row."""
    good: list[ModelT] = []
    errors: list[str] = []
    for number, row in _rows(path):
        if "__error__" in row:
            errors.append(f"line {number}: {row['__error__']}")
            continue
        try:
            good.append(model.model_validate(_clean(row)))
        except ValidationError as error:
            reasons = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}" for e in error.errors()
            )
            errors.append(f"line {number}: {reasons}")
    return good, errors


def read_products(path: Path) -> tuple[list[Product], list[str]]:
    """Products from a feed in StyleGenie's own columns (see examples/sample_products.csv)."""
    return read_feed(path, Product)


def read_ateliers(path: Path) -> tuple[list[Atelier], list[str]]:
    """Ateliers from a feed in StyleGenie's own columns (see examples/sample_ateliers.csv)."""
    return read_feed(path, Atelier)

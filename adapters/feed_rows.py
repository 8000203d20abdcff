"""The raw rows of a feed file (CSV or JSON Lines), read in bounded memory, with their lines.

Feeds come from outside, so no row may hold the process hostage. A line is read at most
``MAX_ROW_CHARS`` characters at a time: a longer row (a 50 MB description) is skipped to its
end in chunks, never held whole, and refused with its line number. A CSV row over several
lines counts all of them against the same cap, and each CSV field is also bounded by the csv
module's field limit (131,072 characters unless raised).

A CSV quote that is never closed makes the csv module read the following lines as the
inside of one field: one stray quote on row 10 can swallow the rest of the file and leave
one odd row. So a row that spans several lines is checked: when its number of fields differs
from the header's, or a line inside it parses as a whole row, it is a *structure error*,
refused with the range of lines it swallowed (``RowProblem.through``) so that the command can
say which rows were lost and exit non-zero, rather than load the rest as if nothing happened.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from stylegenie.core.ingest import RowProblem

__all__ = ["MAX_ROW_CHARS", "FeedError", "Row", "csv_header", "feed_rows", "is_csv"]

MAX_ROW_CHARS = 1_000_000
"""The longest row read, in characters: a JSON line, or a CSV row over all its lines."""

Row = tuple[int, dict[str, Any]]
"""A readable row: its (first) line number and its fields by column."""


class FeedError(ValueError):
    """A whole feed cannot be read (missing file, unknown format, missing columns)."""


class _RowTooLong(Exception):
    """The row being read passed ``MAX_ROW_CHARS``; its last line was skipped to its end."""


def is_csv(path: Path) -> bool:
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


class _Lines:
    """The lines of a text feed, each read at most ``MAX_ROW_CHARS`` characters at a time.

    ``number`` counts the lines read; ``row`` holds the lines of the current row (since
    ``start_row``). A row over the cap raises _RowTooLong; iterating may go on after it.
    """

    def __init__(self, handle: TextIO) -> None:
        self._handle = handle
        self.number = 0
        self.row: list[str] = []
        self._chars = 0

    def start_row(self) -> None:
        """The next line starts a new row."""
        self.row = []
        self._chars = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self._handle.readline(MAX_ROW_CHARS + 1)
        if not line:
            raise StopIteration
        self.number += 1
        self._chars += len(line)
        if self._chars > MAX_ROW_CHARS:
            while line and not line.endswith(("\n", "\r")):  # the rest, a chunk at a time
                line = self._handle.readline(MAX_ROW_CHARS)
            raise _RowTooLong
        self.row.append(line)
        return line


_TOO_LONG = f"longer than {MAX_ROW_CHARS:,} characters: not read"


def feed_rows(path: Path) -> Iterator[Row | RowProblem]:
    """Each row of a .csv or .jsonl feed, or the problem that makes it unreadable."""
    csv_feed = is_csv(path)
    with _open(path) as handle:
        yield from _csv_rows(handle) if csv_feed else _jsonl_rows(handle)


def csv_header(path: Path) -> list[str]:
    """The column names of a CSV feed (stripped); FeedError when the header is too long."""
    with _open(path) as handle:
        try:
            return [column.strip() for column in next(csv.reader(_Lines(handle)), [])]
        except _RowTooLong:
            raise FeedError(f"{path}: the header is {_TOO_LONG}") from None


def _jsonl_rows(handle: TextIO) -> Iterator[Row | RowProblem]:
    lines = _Lines(handle)
    while True:
        lines.start_row()
        try:
            line = next(lines)
        except StopIteration:
            return
        except _RowTooLong:
            yield RowProblem(lines.number, _TOO_LONG)
            continue
        if line.strip():
            yield _json_object(lines.number, line)


def _json_object(number: int, line: str) -> Row | RowProblem:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as error:
        return RowProblem(number, f"not JSON ({error.msg})")
    return (number, value) if isinstance(value, dict) else RowProblem(number, "not a JSON object")


def _csv_rows(handle: TextIO) -> Iterator[Row | RowProblem]:
    """Each CSV record by its first line; a malformed one is reported and reading goes on."""
    lines = _Lines(handle)
    reader = csv.reader(lines)
    try:
        header = next(reader, [])
    except (csv.Error, _RowTooLong):
        return  # csv_header has already refused the feed
    while True:
        lines.start_row()
        first = lines.number + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:  # the reader has consumed the bad line: no endless loop
            yield _refused(first, lines.number, f"malformed CSV ({error})")
            continue
        except _RowTooLong:
            yield _refused(first, lines.number, _TOO_LONG)
            continue
        if lines.number > first and _swallowed(record, lines.row, len(header)):
            yield _refused(first, lines.number, "a field's quotes do not close where the row ends")
        elif record:
            yield first, dict(zip(header, record, strict=False))


def _swallowed(record: list[str], lines: list[str], width: int) -> bool:
    """Whether a row over several lines took in others: a wrong number of fields, or a line
    inside it that parses as a whole row of the feed."""
    return len(record) != width or any(_is_row(line, width) for line in lines[1:-1])


def _is_row(line: str, width: int) -> bool:
    try:
        return len(next(csv.reader([line]), [])) == width
    except csv.Error:
        return False


def _refused(first: int, last: int, reason: str) -> RowProblem:
    """A row refused; over several lines, a structure error naming the lines it swallowed."""
    if last <= first:
        return RowProblem(first, reason)
    return RowProblem(
        first,
        f"{reason}: a stray quote on line {first}? It swallowed lines {first + 1}–{last}, "
        "and none of their rows was loaded; fix the quote and load the feed again",
        through=last,
    )

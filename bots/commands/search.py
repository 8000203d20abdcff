"""`stylegenie search`: search the catalogue from the shell, one query or a batch.

    stylegenie search "TEXT" [--max-price N] [--top K] [--json]
    stylegenie search --batch FILE [--top K]

A single query prints one line per product (or, with ``--json``, one JSON object with the
results). A batch reads JSON lines ``{"id", "text", "max_price"?}`` (``-`` reads stdin) and
writes one JSON line per query, in order::

    {"id": ..., "results": [{"product_id", "name", "price", "score", "breakdown"}],
     "latency_ms": ...}

``product_id`` is the catalogue's own id. Queries are read by the rule-based parser
(``core/search_query.py``) and run through the Workers port, so popular searches come from
the cache. An empty, wordless or overlong query or a price ≤ 0 is refused: a message on
stderr and exit code 2 for a single query; an ``"error"`` field on its line in a batch,
which goes on with the next line. An empty catalogue is said in one line (exit code 1)
before any model loads.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from stylegenie.config import Settings
from stylegenie.core.domain import ProductHit
from stylegenie.core.money import CurrencyRates, UnknownCurrency
from stylegenie.core.ports import Workers
from stylegenie.core.search_query import UnsearchableQuery, check_search_request, query_from_text

MAX_TOP = 100
EMPTY_CATALOGUE = (
    "stylegenie search: the catalogue is empty: load products with "
    "`stylegenie catalog ingest FILE` first."
)


def _result(hit: ProductHit) -> dict[str, Any]:
    """One product of a JSON answer."""
    return {
        "product_id": hit.product.id,
        "name": hit.product.name,
        "price": hit.product.price,
        "score": hit.score,
        "breakdown": hit.breakdown.model_dump(),
    }


def _search(
    workers: Workers, text: str, max_price: float | None, top: int, rates: CurrencyRates
) -> tuple[list[ProductHit], float]:
    """The hits of one query and its latency in ms (understanding, search, ranking, cache).

    A budget in another currency ("under $100") is converted with ``rates``."""
    start = time.perf_counter()
    hits = workers.search_products(query_from_text(text, max_price, top, rates))
    return hits, round((time.perf_counter() - start) * 1000, 2)


def _batch_lines(handle: TextIO) -> Iterator[tuple[Any, str, float | None] | dict[str, Any]]:
    """Each non-blank line as (id, text, max_price), or as an error answer for that line."""
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            yield {"id": None, "line": number, "error": f"not JSON ({error.msg})"}
            continue
        if not isinstance(item, dict):
            yield {"id": None, "line": number, "error": "not a JSON object"}
            continue
        ident, text, price = item.get("id"), item.get("text"), item.get("max_price")
        if not isinstance(text, str):
            yield {"id": ident, "line": number, "error": 'needs a "text" string'}
        elif price is not None and (isinstance(price, bool) or not isinstance(price, int | float)):
            yield {"id": ident, "line": number, "error": '"max_price" must be a number'}
        else:
            yield ident, text, None if price is None else float(price)


def run_batch(
    workers: Workers, handle: TextIO, top: int, out: TextIO, rates: CurrencyRates
) -> int:
    """Answer every line of a batch on ``out``; return how many lines were refused."""
    refused = 0
    for item in _batch_lines(handle):
        if isinstance(item, dict):
            answer = item
        else:
            ident, text, max_price = item
            try:
                hits, latency = _search(workers, text, max_price, top, rates)
                answer = {"id": ident, "results": [_result(h) for h in hits], "latency_ms": latency}
            except (UnsearchableQuery, UnknownCurrency) as error:
                answer = {"id": ident, "error": str(error)}
        refused += "error" in answer
        out.write(json.dumps(answer) + "\n")
        out.flush()
    return refused


def _print_single(text: str, hits: list[ProductHit], latency: float, as_json: bool) -> None:
    if as_json:
        print(
            json.dumps({"text": text, "results": [_result(h) for h in hits], "latency_ms": latency})
        )
        return
    if not hits:
        print("No products match that search; try fewer words or a higher price.")
    for hit in hits:
        print(
            f"{hit.score:.3f}  {hit.product.price:>8g} {hit.product.currency}  "
            f"{hit.product.name}  [{hit.product.id}]  ({hit.why})"
        )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Search the catalogue from the shell: one query, or a batch of JSON lines."""
    if (args.text is None) == (args.batch is None):
        print('stylegenie search: give either "TEXT" or --batch FILE', file=sys.stderr)
        return 2
    if args.text is not None:
        try:
            check_search_request(args.text, args.max_price)
        except UnsearchableQuery as error:
            print(f"stylegenie search: {error}", file=sys.stderr)
            return 2
    elif args.batch != "-" and not Path(args.batch).is_file():
        print(f"stylegenie search: {args.batch}: no such file", file=sys.stderr)
        return 2

    from ..wiring import assemble, currency_rates_for, workers_for

    app = assemble(settings)
    rates = currency_rates_for(settings)
    try:
        if app.catalog.count_products() == 0:
            print(EMPTY_CATALOGUE, file=sys.stderr)
            return 1
        workers = workers_for(settings, app.catalog)
        if args.text is None:
            if args.batch == "-":
                run_batch(workers, sys.stdin, args.top, sys.stdout, rates)
            else:
                with open(args.batch, encoding="utf-8", errors="replace") as handle:
                    run_batch(workers, handle, args.top, sys.stdout, rates)
            return 0
        try:
            hits, latency = _search(workers, args.text, args.max_price, args.top, rates)
        except UnknownCurrency as error:
            print(f"stylegenie search: {error}", file=sys.stderr)
            return 2
    finally:
        app.close()
    _print_single(args.text, hits, latency, args.json)
    return 0


def _top(value: str) -> int:
    """``--top``: a whole number from 1 to ``MAX_TOP``."""
    try:
        top = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if not 1 <= top <= MAX_TOP:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_TOP}, got {top}")
    return top


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register ``search``."""
    search = commands.add_parser("search", help="search the catalogue (one query or a batch)")
    search.add_argument("text", nargs="?", help='what to look for, e.g. "black tee under 20"')
    search.add_argument("--max-price", type=float, default=None, help="highest price shown")
    search.add_argument("--top", type=_top, default=10, help=f"results per query (1–{MAX_TOP})")
    search.add_argument("--json", action="store_true", help="print one JSON object")
    search.add_argument("--batch", metavar="FILE", help='JSON lines {"id", "text", "max_price"?}')
    search.set_defaults(run=run)

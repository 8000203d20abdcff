"""`stylegenie search "TEXT"`: search the catalogue from the shell."""

from __future__ import annotations

import argparse
import json
import sys

from stylegenie.config import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Search the catalogue from the shell."""
    from stylegenie.core.ports import SearchFilters, SearchQuery
    from stylegenie.gpu_workers.runtime import runtime_from_settings

    from ..wiring import assemble

    if not args.text.strip():
        print(
            'Give some words to search for, e.g. stylegenie search "red summer dress"',
            file=sys.stderr,
        )
        return 2
    app = assemble(settings)
    try:
        searcher = runtime_from_settings(settings, app.catalog).searcher
        query = SearchQuery(
            text=args.text[: settings.chat.max_message_chars],
            filters=SearchFilters(max_price=args.max_price),
            budget_max=args.max_price,
            top_k=args.top,
        )
        hits = searcher.search(query)
    finally:
        app.close()
    for hit in hits:
        if args.json:
            print(
                json.dumps(
                    {
                        "product_id": hit.product.id,
                        "name": hit.product.name,
                        "price": hit.product.price,
                        "score": hit.score,
                        "breakdown": hit.breakdown.model_dump(),
                    }
                )
            )
        else:
            print(
                f"{hit.score:.3f}  {hit.product.price:>8g} {hit.product.currency}  "
                f"{hit.product.name}  ({hit.why})"
            )
    return 0


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register ``search``."""
    search = commands.add_parser("search", help="search the catalogue")
    search.add_argument("text")
    search.add_argument("--max-price", type=float, default=None)
    search.add_argument("--top", type=int, default=10)
    search.add_argument("--json", action="store_true", help="one JSON object per product")
    search.set_defaults(run=run)

"""Catalogue ingestion: metadata first, then vectors, so nothing is searchable without metadata."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

from .domain import Product
from .ports import CatalogRepo, Embedder, ProductIndex


@dataclass
class IngestReport:
    """How an ingestion went: rows loaded and the rows refused, with line and reason."""

    loaded: int = 0
    errors: list[str] | None = None


def _chunks(products: Iterable[Product], size: int) -> Iterator[list[Product]]:
    iterator = iter(products)
    while chunk := list(islice(iterator, size)):
        yield chunk


class CatalogIngestor:
    """Upserts products into the relational store and their text vectors into the index.

    Re-running over the same feed is safe: both stores upsert by product id, and a
    crash between the two leaves metadata without vectors, which the next run repairs.
    """

    def __init__(
        self, embedder: Embedder, index: ProductIndex, catalog: CatalogRepo, batch_size: int = 256
    ) -> None:
        self._embedder = embedder
        self._index = index
        self._catalog = catalog
        self._batch_size = batch_size

    def ingest(
        self, products: Iterable[Product], on_batch: Callable[[int], None] | None = None
    ) -> int:
        """Load every product; ``on_batch`` hears how many were done after each batch."""
        done = 0
        for batch in _chunks(products, self._batch_size):
            self._catalog.upsert_products(batch)
            vectors = self._embedder.embed_texts([p.search_text() for p in batch])
            self._index.upsert(batch, vectors)
            done += len(batch)
            if on_batch:
                on_batch(done)
        return done


def unique_by_id(products: Sequence[Product]) -> list[Product]:
    """The last row of each product id wins, as an upsert would."""
    return list({p.id: p for p in products}.values())

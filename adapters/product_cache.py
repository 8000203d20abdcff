"""Product metadata kept in memory next to the searcher, so a search skips PostgreSQL.

A search fetches the metadata of its ~50 candidates: about 1 ms on PostgreSQL (query,
rows, validation), as much as the Milvus call itself on a server. ``CachedCatalog`` wraps
the catalogue and keeps the products it has fetched in a bounded LRU. It stays correct
across processes the way the search-result cache does: it reads the catalogue version
(bumped in the same transaction as every product upsert) at most once per ``check_every_s``
and empties itself when the version moved, so another process's ingest is seen within
that many seconds; this process's own upserts empty it at once.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence

from stylegenie.core.domain import Product
from stylegenie.core.ports import CatalogRepo


class CachedCatalog:
    """A CatalogRepo that answers ``get_products`` from memory when it can (thread-safe)."""

    def __init__(
        self,
        inner: CatalogRepo,
        catalog_version: Callable[[], int],
        max_products: int,
        check_every_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._inner = inner
        self._catalog_version = catalog_version
        self._max_products = max_products
        self._check_every_s = check_every_s
        self._clock = clock
        self._products: OrderedDict[str, Product] = OrderedDict()
        self._lock = threading.Lock()
        self._version: int | None = None
        self._checked_at = -float("inf")

    def upsert_products(self, products: Sequence[Product]) -> None:
        """Write through to the catalogue, then forget what this cache held."""
        self._inner.upsert_products(products)
        self.clear()

    def get_products(self, ids: Sequence[str]) -> dict[str, Product]:
        """The known products among ``ids``; only those not held in memory are fetched."""
        self._check_version()
        with self._lock:
            found = {i: self._products[i] for i in ids if i in self._products}
            for product_id in found:
                self._products.move_to_end(product_id)
        missing = [i for i in dict.fromkeys(ids) if i not in found]
        if missing:
            fetched = self._inner.get_products(missing)
            found.update(fetched)
            self._remember(fetched.values())
        return found

    def count_products(self) -> int:
        """How many products the catalogue holds (always asked of the catalogue)."""
        return self._inner.count_products()

    def clear(self) -> None:
        """Forget every product; the next reads go to the catalogue."""
        with self._lock:
            self._products.clear()
            self._checked_at = -float("inf")

    def __len__(self) -> int:
        """How many products are held in memory."""
        return len(self._products)

    def _check_version(self) -> None:
        now = self._clock()
        if now - self._checked_at < self._check_every_s:
            return
        version = self._catalog_version()
        with self._lock:
            if version != self._version:
                self._products.clear()
                self._version = version
            self._checked_at = now

    def _remember(self, products: Iterable[Product]) -> None:
        with self._lock:
            for product in products:
                self._products[product.id] = product
                self._products.move_to_end(product.id)
            while len(self._products) > self._max_products:
                self._products.popitem(last=False)

"""Catalogue ingestion: photos, then metadata, then vectors, batch by batch.

For each batch: every product photo is read and checked, its thumbnail stored in the
ImageStore and referenced in ``Product.image_ref``; the metadata is upserted into the
relational store; only then are the text vectors (and image vectors, when an image encoder
is configured) upserted into the product index. So a product is never searchable without
its metadata: a crash between the two stores leaves metadata without vectors, and
re-running the same feed repairs it, because both stores upsert by product id.

The stores are written in a background thread while the next batch is encoded: the
encoder is the bottleneck, and writing beside it keeps ingestion close to the encoder's
own throughput. At most one batch is being written at a time, in feed order.

Rows are checked before this stage (the feed refuses a row that either store would refuse),
so a row is written to both stores or to neither. Should the stores still disagree (a crash
between them, a store restored from a backup), ``check_stores`` lists the ids found in only
one of them and ``CatalogIngestor.reindex`` gives the index what it lacks.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from typing import Protocol

from .domain import Product
from .ports import CatalogRepo, Embedder, ImageEmbedder, ImageStore, ProductIndex

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


@dataclass(frozen=True)
class FeedItem:
    """A valid row of a feed: the product, its line, and where its photo is (if it has one)."""

    product: Product
    line: int = 0
    photo: str | None = None


@dataclass(frozen=True)
class RowProblem:
    """A row refused (``skipped``) or loaded with a problem, such as a broken photo.

    ``through`` is set on a structure error only: the feed broke at ``line`` (a CSV quote
    that never closed) and every row up to line ``through`` was lost with it.
    """

    line: int
    reason: str
    skipped: bool = True
    through: int = 0

    def __str__(self) -> str:
        lines = f"lines {self.line}–{self.through}" if self.through else f"line {self.line}"
        return f"{lines}: {self.reason}" + ("" if self.skipped else " (row loaded)")


@dataclass
class IngestReport:
    """How an ingestion went: products loaded, photos stored, and the problems by row."""

    loaded: int = 0
    photos: int = 0
    problems: list[RowProblem] = field(default_factory=list)


class PhotoReader(Protocol):
    """Reads a product photo and makes its chat thumbnail."""

    def read(self, location: str) -> bytes:
        """The photo's bytes; OSError when it cannot be read."""
        ...

    def thumbnail(self, data: bytes) -> bytes:
        """A small JPEG of the photo; ValueError when the bytes are not a readable image."""
        ...


class ListsProducts(Protocol):
    """A store whose product ids can be listed: the catalogue, the product index."""

    def product_ids(self) -> set[str]:
        """Every product id the store holds."""
        ...


@dataclass(frozen=True)
class StoreCheck:
    """How the catalogue (metadata) and the product index (vectors) agree.

    ``catalog_only``: products with metadata but no vectors, never found by a search;
    ``index_only``: vectors without metadata, found and then dropped for want of a product.
    """

    catalog_count: int
    index_count: int
    catalog_only: list[str]
    index_only: list[str]

    @property
    def agree(self) -> bool:
        """Whether both stores hold exactly the same products."""
        return not self.catalog_only and not self.index_only


def check_stores(catalog: ListsProducts, index: ListsProducts) -> StoreCheck:
    """Compare the product ids of the catalogue and of the index."""
    in_catalog, in_index = catalog.product_ids(), index.product_ids()
    return StoreCheck(
        catalog_count=len(in_catalog),
        index_count=len(in_index),
        catalog_only=sorted(in_catalog - in_index),
        index_only=sorted(in_index - in_catalog),
    )


def thumbnail_name(product_id: str) -> str:
    """``thumb-<id>.jpg``; an id unfit for a file name is replaced by a hash of it."""
    if not _SAFE_ID.match(product_id):
        product_id = hashlib.sha256(product_id.encode()).hexdigest()[:24]
    return f"thumb-{product_id}.jpg"


_Encoded = tuple[list[Product], list[list[float]], list[list[float] | None] | None]
"""A batch ready to write: products, text vectors, image vectors (None without an encoder)."""


def _chunks(items: Iterable[FeedItem], size: int) -> Iterator[list[FeedItem]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class CatalogIngestor:
    """Loads products into the relational store and their vectors into the index.

    ``photos`` and ``images`` turn product photos into stored thumbnails; with an
    ``image_embedder`` each photo also gets an image vector.
    """

    def __init__(
        self,
        embedder: Embedder,
        index: ProductIndex,
        catalog: CatalogRepo,
        batch_size: int = 256,
        *,
        photos: PhotoReader | None = None,
        images: ImageStore | None = None,
        image_embedder: ImageEmbedder | None = None,
    ) -> None:
        self._embedder = embedder
        self._index = index
        self._catalog = catalog
        self._batch_size = batch_size
        self._photos = photos
        self._images = images
        self._image_embedder = image_embedder

    def ingest(
        self, products: Iterable[Product], on_batch: Callable[[int], None] | None = None
    ) -> int:
        """Load products without photos; ``on_batch`` hears how many were done after each batch."""
        return self.ingest_items((FeedItem(product) for product in products), on_batch).loaded

    def ingest_items(
        self, items: Iterable[FeedItem], on_batch: Callable[[int], None] | None = None
    ) -> IngestReport:
        """Load feed items with their photos; a broken photo is reported, its product loaded."""
        report = IngestReport()
        writing: Future[int] | None = None
        with ThreadPoolExecutor(1, thread_name_prefix="ingest-writer") as writer:
            for batch in _chunks(items, self._batch_size):
                encoded = self._encode(batch, report)
                if writing is not None:
                    self._written(writing, report, on_batch)
                writing = writer.submit(self._write, *encoded)
            if writing is not None:
                self._written(writing, report, on_batch)
        return report

    def reindex(self, ids: Sequence[str]) -> IngestReport:
        """Embed the catalogue's products ``ids`` again and upsert only their vectors.

        For products the index lacks (see ``check_stores``): their metadata is read from the
        catalogue and their text vectors recomputed; with an image encoder, image vectors are
        made from their stored thumbnails (``photos`` counts those; a product whose thumbnail
        cannot be opened is indexed without one). Ids the catalogue does not know are skipped.
        """
        report = IngestReport()
        for first in range(0, len(ids), self._batch_size):
            chunk = ids[first : first + self._batch_size]
            products = list(self._catalog.get_products(chunk).values())
            photos = [self._stored_photo(product) for product in products]
            self._upsert_vectors(*self._vectors(products, photos))
            report.loaded += len(products)
            report.photos += sum(photo is not None for photo in photos)
        return report

    def _stored_photo(self, product: Product) -> bytes | None:
        """The product's stored thumbnail when an image encoder needs it; None when it has
        none or it cannot be opened."""
        if self._image_embedder is None or self._images is None or product.image_ref is None:
            return None
        try:
            return self._images.open(product.image_ref)
        except Exception:  # any store's failure (S3 raises its own errors)
            return None

    def _encode(self, batch: list[FeedItem], report: IngestReport) -> _Encoded:
        """Photos stored as thumbnails, then the batch's text (and image) vectors."""
        products: list[Product] = []
        photos: list[bytes | None] = []
        for item in batch:
            product, photo = self._with_photo(item, report)
            products.append(product)
            photos.append(photo)
        return self._vectors(products, photos)

    def _vectors(self, products: list[Product], photos: Sequence[bytes | None]) -> _Encoded:
        """The products with their text vectors, and image vectors with an image encoder."""
        vectors = self._embedder.embed_texts([product.search_text() for product in products])
        if self._image_embedder is None:
            return products, vectors, None
        return products, vectors, self._image_vectors(self._image_embedder, photos)

    def _write(
        self,
        products: list[Product],
        vectors: list[list[float]],
        image_vectors: list[list[float] | None] | None,
    ) -> int:
        """Metadata first, then vectors: a product is never searchable without metadata."""
        self._catalog.upsert_products(products)
        self._upsert_vectors(products, vectors, image_vectors)
        return len(products)

    def _upsert_vectors(
        self,
        products: list[Product],
        vectors: list[list[float]],
        image_vectors: list[list[float] | None] | None,
    ) -> None:
        """The products' vectors into the index (image vectors only when there are some)."""
        if image_vectors is None:
            self._index.upsert(products, vectors)
        else:
            self._index.upsert(products, vectors, image_vectors=image_vectors)

    @staticmethod
    def _written(
        writing: Future[int], report: IngestReport, on_batch: Callable[[int], None] | None
    ) -> None:
        """Wait for a batch's writes (re-raising their error) and count it as loaded."""
        report.loaded += writing.result()
        if on_batch:
            on_batch(report.loaded)

    def _with_photo(self, item: FeedItem, report: IngestReport) -> tuple[Product, bytes | None]:
        """The product with its thumbnail's reference, and the photo's bytes (None without)."""
        if item.photo is None or self._photos is None:
            return item.product, None
        try:
            data = self._photos.read(item.photo)
            thumbnail = self._photos.thumbnail(data)
            ref = (
                self._images.put(thumbnail_name(item.product.id), thumbnail)
                if self._images
                else None
            )
        except (OSError, ValueError) as error:
            reason = f"photo {item.photo} not used: {error}"
            report.problems.append(RowProblem(item.line, reason, skipped=False))
            return item.product, None
        report.photos += 1
        return (item.product.model_copy(update={"image_ref": ref}) if ref else item.product), data

    @staticmethod
    def _image_vectors(
        encoder: ImageEmbedder, photos: Sequence[bytes | None]
    ) -> list[list[float] | None]:
        """One image vector per product, None for a product without a usable photo."""
        present = [photo for photo in photos if photo is not None]
        encoded = iter(encoder.embed_images(present) if present else [])
        return [next(encoded) if photo is not None else None for photo in photos]


def unique_by_id(products: Sequence[Product]) -> list[Product]:
    """The last row of each product id wins, as an upsert would."""
    return list({p.id: p for p in products}.values())

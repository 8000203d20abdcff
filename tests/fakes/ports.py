"""In-memory fakes of the core ports (``stylegenie.core.ports``), one class per port.

A test that needs something special says so through the constructor (a dimension, the
cosine every hit gets, a refusal) instead of defining its own copy. ``CountingCatalog``
and ``CrashingIndex`` wrap a real adapter to watch or break it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from stylegenie.core.domain import Design, Product
from stylegenie.core.ports import (
    CatalogRepo,
    IndexHit,
    ProductIndex,
    RenderProgress,
    RenderRefused,
    SearchFilters,
)


def _axis(dimension: int, i: int) -> list[float]:
    """The unit vector along axis ``i``."""
    return [1.0 if j == i else 0.0 for j in range(dimension)]


class FixedEmbedder:
    """The Embedder port: every text becomes the unit vector along the first axis.

    With ``dimension_only`` it stands in where only its dimension matters (a product
    index opening its collection), and any call to embed fails the test.
    """

    def __init__(self, dimension: int = 2, *, dimension_only: bool = False) -> None:
        self.dimension = dimension
        self.dimension_only = dimension_only

    def embed_texts(self, texts: Sequence[str]) -> list[list[float]]:
        if self.dimension_only:
            raise AssertionError("only this embedder's dimension was to be used")
        return [_axis(self.dimension, 0) for _ in texts]


class FixedEncoder(FixedEmbedder):
    """The ImageEmbedder port: texts along the first axis, images along the second.

    ``images`` counts the images it was asked to embed.
    """

    def __init__(self, dimension: int = 2) -> None:
        super().__init__(dimension)
        self.images = 0

    def embed_images(self, images: Sequence[bytes]) -> list[list[float]]:
        self.images += len(images)
        return [_axis(self.dimension, 1) for _ in images]


class MemoryCatalog:
    """The CatalogRepo port over a dict of products by id (``products``)."""

    def __init__(self, products: Sequence[Product] = ()) -> None:
        self.products: dict[str, Product] = {p.id: p for p in products}

    def upsert_products(self, products: Sequence[Product]) -> None:
        self.products.update({p.id: p for p in products})

    def get_products(self, ids: Sequence[str]) -> dict[str, Product]:
        return {i: self.products[i] for i in ids if i in self.products}

    def count_products(self) -> int:
        return len(self.products)


class CountingCatalog:
    """Wraps a CatalogRepo and records in ``asked`` the ids each ``get_products`` asked for."""

    def __init__(self, inner: CatalogRepo) -> None:
        self.inner = inner
        self.asked: list[list[str]] = []

    def upsert_products(self, products: Sequence[Product]) -> None:
        self.inner.upsert_products(products)

    def get_products(self, ids: Sequence[str]) -> dict[str, Product]:
        self.asked.append(list(ids))
        return self.inner.get_products(ids)

    def count_products(self) -> int:
        return self.inner.count_products()


class MemoryIndex:
    """The ProductIndex port without vectors: every product it holds is a hit at ``cosine``.

    Vectors and filters are ignored, as if the index had already filtered and found the
    products equally close, so the ranking alone decides the order. ``upserts`` records
    each upsert: the product ids, and the image vectors when some were given.
    """

    def __init__(self, products: Sequence[Product] = (), cosine: float = 0.5) -> None:
        self.cosine = cosine
        self.upserts: list[dict[str, Any]] = []
        self._has_photo: dict[str, bool] = {p.id: False for p in products}

    def upsert(
        self,
        products: Sequence[Product],
        vectors: Sequence[Sequence[float]],
        image_vectors: Sequence[Sequence[float] | None] | None = None,
    ) -> None:
        call: dict[str, Any] = {"ids": [p.id for p in products]}
        if image_vectors is not None:
            call["image_vectors"] = [None if v is None else list(v) for v in image_vectors]
        self.upserts.append(call)
        photos = image_vectors if image_vectors is not None else [None] * len(products)
        for product, photo in zip(products, photos, strict=True):
            self._has_photo[product.id] = photo is not None

    def search(self, vector: Sequence[float], filters: SearchFilters, limit: int) -> list[IndexHit]:
        return [IndexHit(pid, self.cosine) for pid in self._has_photo][:limit]

    def search_image(
        self, vector: Sequence[float], filters: SearchFilters, limit: int
    ) -> list[IndexHit]:
        with_photo = [pid for pid, photo in self._has_photo.items() if photo]
        return [IndexHit(pid, self.cosine) for pid in with_photo][:limit]

    def hybrid(
        self,
        text_vector: Sequence[float],
        image_vector: Sequence[float],
        filters: SearchFilters,
        limit: int,
    ) -> list[IndexHit]:
        return self.search(text_vector, filters, limit)

    def count(self) -> int:
        return len(self._has_photo)


class CrashingIndex:
    """Wraps a ProductIndex whose ``crash_on``-th upsert fails, as if the process died there."""

    def __init__(self, inner: ProductIndex, crash_on: int) -> None:
        self.inner, self.crash_on, self.calls = inner, crash_on, 0

    def upsert(
        self,
        products: Sequence[Product],
        vectors: Sequence[Sequence[float]],
        image_vectors: Sequence[Sequence[float] | None] | None = None,
    ) -> None:
        self.calls += 1
        if self.calls == self.crash_on:
            raise ConnectionError("the index went away")
        self.inner.upsert(products, vectors, image_vectors)

    def search(self, vector: Sequence[float], filters: SearchFilters, limit: int) -> list[IndexHit]:
        return self.inner.search(vector, filters, limit)

    def search_image(
        self, vector: Sequence[float], filters: SearchFilters, limit: int
    ) -> list[IndexHit]:
        return self.inner.search_image(vector, filters, limit)

    def hybrid(
        self,
        text_vector: Sequence[float],
        image_vector: Sequence[float],
        filters: SearchFilters,
        limit: int,
    ) -> list[IndexHit]:
        return self.inner.hybrid(text_vector, image_vector, filters, limit)

    def count(self) -> int:
        return self.inner.count()


class FixedRenderer:
    """The Renderer port: every design drawn as the same ``image`` bytes.

    With a ``refusal`` every render raises RenderRefused with it instead, as when the
    safety checker flags a picture.
    """

    def __init__(
        self,
        image: bytes = b"card",
        *,
        refusal: str | None = None,
        model_name: str = "card",
        extension: str = "png",
    ) -> None:
        self.image, self.refusal = image, refusal
        self.model_name, self.extension = model_name, extension

    def render(
        self, designs: Sequence[Design], progress: RenderProgress | None = None
    ) -> list[bytes]:
        if self.refusal is not None:
            raise RenderRefused(self.refusal)
        return [self.image] * len(designs)

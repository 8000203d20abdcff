"""The product index in Milvus (the ProductIndex port): one collection of product vectors.

Without ``MilvusSettings.uri`` the index is a Milvus Lite file, ``<data_dir>/products.db``,
served inside this process; with a URI it is a Milvus server (standalone, cluster, or
``milvus-lite server`` shared by several processes).

With an image encoder configured the collection also holds ``image_vector`` (CLIP, COSINE)
and a ``has_image`` flag. Milvus Lite 3.2 accepts nullable vector fields, but Milvus servers
only from 2.6 and not the bundled 2.3.5, so a product without a photo stores a placeholder
unit vector with ``has_image == false``, and every image search filters on ``has_image``.
Several vector fields and ``hybrid_search`` need Milvus >= 2.4 (or Milvus Lite 3.x).

Filters are written into the boolean expression as escaped literals. pymilvus 3 can send
templated filters (``filter_params``), but Milvus Lite 3.2 rejects the ``{name}``
placeholders, so one literal form serves every backend.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
from pymilvus import (
    AnnSearchRequest,
    DataType,
    MilvusClient,
    MilvusException,
    RRFRanker,
    WeightedRanker,
)
from pymilvus.client.iterator import query_iterator

from stylegenie.adapters.milvus_server import refuse_held_lite_file
from stylegenie.config.settings import MilvusSettings
from stylegenie.core.domain import Product
from stylegenie.core.ports import Embedder, IndexHit, SearchFilters, VectorQuery

__all__ = [
    "LITE_FILE",
    "MAX_PRICE",
    "VARCHAR_LIMITS",
    "MilvusProductIndex",
    "filter_expression",
    "quote",
    "unstorable",
]

LITE_FILE = "products.db"
VECTOR_FIELD = "text_vector"
IMAGE_FIELD = "image_vector"
HAS_IMAGE = "has_image"
UPSERT_BATCH = 500
SEARCH_THREADS = 16
"""Milvus calls one ``search_many`` runs at once (one per filter expression of its batch):
each waits on the server, which answers several at a time."""
_TEXT_FIELDS = {
    "id": 256,
    "article_type": 128,
    "category": 128,
    "colour": 64,
    "gender": 16,
    "brand": 256,
}
VARCHAR_LIMITS: Mapping[str, int] = MappingProxyType(_TEXT_FIELDS)
"""Each VARCHAR field of the collection and its ``max_length``: UTF-8 bytes on a Milvus
server, characters on Milvus Lite 3.2 (``unstorable`` counts bytes, which holds for both)."""
MAX_PRICE = float(np.finfo(np.float32).max)
"""The largest price the FLOAT field holds; Milvus would store a larger one as infinity."""
ID_PAGE = 10_000
"""Ids read per call when listing the collection's products."""
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})
_INDEX_PARAMS: dict[str, dict[str, int]] = {
    "HNSW": {"M": 16, "efConstruction": 200},
    "IVF_FLAT": {"nlist": 128},
}
_SCALAR_INDEXES = {"price": "STL_SORT", "article_type": "Trie", "colour": "Trie", "gender": "Trie"}
"""Indexes on the filtered fields (server only): at 1M rows they cut a query filtered by
type, colour and gender from 43 / 60 ms to 14 / 24 ms (p50 / p95); without them every query
compares the strings of every row."""


def quote(value: str) -> str:
    """A Milvus string literal for ``value``: double-quoted, with quotes and backslashes escaped."""
    return '"' + value.translate(_ESCAPES) + '"'


def _number(value: float) -> str:
    if not math.isfinite(value):
        raise ValueError(f"a price filter must be a finite number, got {value!r}")
    return repr(float(value))


def _one_of(field: str, values: Sequence[str], operator: str = "in") -> str:
    return f"{field} {operator} [{', '.join(quote(v) for v in dict.fromkeys(values))}]"


def filter_expression(filters: SearchFilters) -> str:
    """The Milvus boolean expression for the hard filters; "" when nothing is filtered.

    Example: ``price <= 120.0 and colour in ["Green", "Sea Green"] and colour not in
    ["Black"] and in_stock == true``.
    """
    clauses: list[str] = []
    if filters.min_price is not None:
        clauses.append(f"price >= {_number(filters.min_price)}")
    if filters.max_price is not None:
        clauses.append(f"price <= {_number(filters.max_price)}")
    for field, values in (
        ("article_type", filters.article_types),
        ("colour", filters.colours),
        ("gender", filters.genders),
    ):
        if values:
            clauses.append(_one_of(field, values))
    if filters.exclude_colours:
        clauses.append(_one_of("colour", filters.exclude_colours, "not in"))
    if filters.in_stock_only:
        clauses.append("in_stock == true")
    return " and ".join(clauses)


def unstorable(product: Product) -> str | None:
    """Why the collection cannot store ``product`` (a field over its limit), or None.

    A feed asks before anything is written, so that a product is refused whole instead of
    being stored in PostgreSQL and then rejected by Milvus in the middle of a batch.
    """
    for name, limit in _TEXT_FIELDS.items():
        size = len(str(getattr(product, name)).encode())
        if size > limit:
            return f"{name} is {size} bytes long; the product index stores at most {limit}"
    if product.price > MAX_PRICE:
        return f"price {product.price:g} is larger than the product index stores"
    return None


def _row(product: Product, vector: Sequence[float]) -> dict[str, Any]:
    return {
        "id": product.id,
        VECTOR_FIELD: [float(x) for x in vector],
        "price": float(product.price),
        "article_type": product.article_type,
        "category": product.category,
        "colour": product.colour,
        "gender": product.gender,
        "in_stock": product.in_stock,
        "brand": product.brand,
    }


def _dot(a: Sequence[float], b: Sequence[float]) -> float:
    return float(np.dot(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)))


def _with_image(expression: str) -> str:
    return f"{expression} and {HAS_IMAGE} == true" if expression else f"{HAS_IMAGE} == true"


def _not_a_held_file(record: logging.LogRecord) -> bool:
    """False for Milvus Lite's traceback of a data folder another process holds."""
    error = record.exc_info[1] if record.exc_info else None
    return type(error).__name__ != "DataDirLockedError"


def _batches(rows: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


class MilvusProductIndex:
    """Product vectors and the scalar fields that filters need, in one Milvus collection.

    Fields: ``id`` (the catalogue's product id, primary key), ``text_vector`` (COSINE),
    ``price``, ``article_type``, ``category``, ``colour``, ``gender``, ``in_stock``, ``brand``,
    and with ``image_dimension`` also ``image_vector`` (COSINE) and ``has_image``. The
    collection is created on first open, sized by the encoders' dimensions; reopened without
    ``image_dimension``, a collection that has image vectors keeps them (text-only upserts
    then store products as photo-less).

    Milvus Lite allows only one process to open a ``.db`` file: a second one fails with
    ``MilvusLiteInUse``, naming the process that holds it. Several processes (bot, Celery
    workers) must share a server instead: ``milvus-lite server --data-dir X --port N`` and
    ``STYLEGENIE_MILVUS__URI=http://127.0.0.1:N``. Within one process, open one index per
    file and share it between threads; ``close()`` stops the in-process Lite server.

    On Milvus Lite every ``upsert`` ends with a flush: Lite searches unflushed rows in pure
    Python, ~40 ms per query at 1k rows of 384-d against ~5 ms once flushed. A server seals
    segments by itself (and rate-limits flushes), so it is not flushed.
    """

    def __init__(
        self,
        settings: MilvusSettings,
        embedder: Embedder,
        data_dir: Path,
        image_dimension: int | None = None,
    ) -> None:
        self._settings = settings
        self._collection = settings.collection
        self._dimension = embedder.dimension
        self._image_dimension = image_dimension
        self._lite_path: str | None = None
        self._threads = ThreadPoolExecutor(SEARCH_THREADS, thread_name_prefix="milvus-search")
        if settings.uri is None:
            # Lite's in-process gRPC server logs a traceback when pymilvus asks it for a
            # timestamp while waiting on index creation (a call Lite does not implement and
            # pymilvus does without); the index is built all the same.
            logging.getLogger("grpc._server").setLevel(logging.CRITICAL)
            # A file held by another process is explained by _open_client in one line.
            logging.getLogger("milvus_lite.server_manager").addFilter(_not_a_held_file)
            data_dir.mkdir(parents=True, exist_ok=True)
            self._lite_path = str((data_dir / LITE_FILE).resolve())
        token = settings.token.get_secret_value() if settings.token else ""
        self._client = self._open_client(self._lite_path or str(settings.uri), token)
        try:
            self._is_lite = str(self._client.get_server_version()).startswith("milvus_lite")
            self._open_collection()
        except Exception:
            self.close()
            raise

    def _open_client(self, uri: str, token: str) -> MilvusClient:
        """A client of ``uri``; a Lite file another process holds raises MilvusLiteInUse,
        naming that process."""
        try:
            return MilvusClient(uri=uri, token=token, dedicated=True)
        except Exception:
            self._threads.shutdown(wait=False)
            if self._lite_path is not None:
                refuse_held_lite_file(Path(self._lite_path))
            raise

    @property
    def collection(self) -> str:
        """The collection's name."""
        return self._collection

    @property
    def dimension(self) -> int:
        """The size of the stored text vectors."""
        return self._dimension

    @property
    def image_dimension(self) -> int | None:
        """The size of the stored image vectors; None when the collection has none."""
        return self._image_dimension

    def upsert(
        self,
        products: Sequence[Product],
        vectors: Sequence[Sequence[float]],
        image_vectors: Sequence[Sequence[float] | None] | None = None,
    ) -> None:
        """Insert or replace whole products (by id) with their vectors, in batches.

        ``image_vectors`` has one item per product, None for a product without a photo;
        leaving it out stores every product as photo-less. Upsert many products per call:
        on Milvus Lite each call ends with a flush.
        """
        if len(products) != len(vectors):
            raise ValueError(f"{len(products)} products but {len(vectors)} vectors")
        if image_vectors is not None and self._image_dimension is None:
            raise ValueError("this collection has no image vectors: configure an image encoder")
        images = list(image_vectors) if image_vectors is not None else [None] * len(products)
        if len(images) != len(products):
            raise ValueError(f"{len(products)} products but {len(images)} image vectors")
        rows = [_row(p, v) for p, v in zip(products, vectors, strict=True)]
        for row, image in zip(rows, images, strict=True):
            self._check_length(row["id"], row[VECTOR_FIELD], self._dimension)
            if self._image_dimension is not None:
                if image is not None:
                    self._check_length(row["id"], image, self._image_dimension)
                placeholder = [1.0] + [0.0] * (self._image_dimension - 1)
                row[IMAGE_FIELD] = [float(x) for x in image] if image is not None else placeholder
                row[HAS_IMAGE] = image is not None
        for batch in _batches(rows, UPSERT_BATCH):
            self._client.upsert(self._collection, batch)
        if self._is_lite and rows:
            self._client.flush(self._collection)

    def search(self, vector: Sequence[float], filters: SearchFilters, limit: int) -> list[IndexHit]:
        """The ``limit`` nearest products that pass the filters, most similar first."""
        return self._nearest(VECTOR_FIELD, [vector], filter_expression(filters), limit)[0]

    def search_many(self, queries: Sequence[VectorQuery]) -> list[list[IndexHit]]:
        """``search`` for several text vectors: the hits of each, in order.

        Queries with the same filter expression and limit go in one Milvus call; the calls
        of different filters run at once, on up to ``SEARCH_THREADS`` threads. On the
        server with KAGL: 32 vectors under one filter take ~16 ms in one call (~5 ms each
        alone); 32 different filters ~60 ms at once against ~160 ms one after another.
        """
        groups: dict[tuple[str, int], list[int]] = {}
        for i, query in enumerate(queries):
            key = (filter_expression(query.filters), query.limit)
            groups.setdefault(key, []).append(i)

        def group(key: tuple[str, int]) -> list[list[IndexHit]]:
            vectors = [queries[i].vector for i in groups[key]]
            return self._nearest(VECTOR_FIELD, vectors, *key)

        found = self._threads.map(group, groups) if len(groups) > 1 else map(group, groups)
        hits: list[list[IndexHit]] = [[] for _ in queries]
        for members, answers in zip(groups.values(), found, strict=True):
            for i, answer in zip(members, answers, strict=True):
                hits[i] = answer
        return hits

    def search_image(
        self, vector: Sequence[float], filters: SearchFilters, limit: int
    ) -> list[IndexHit]:
        """The ``limit`` products whose photos are nearest, among those with a photo."""
        self._require_images()
        expression = _with_image(filter_expression(filters))
        return self._nearest(IMAGE_FIELD, [vector], expression, limit)[0]

    def _nearest(
        self, field: str, vectors: Sequence[Sequence[float]], expression: str, limit: int
    ) -> list[list[IndexHit]]:
        """The hits of each vector, in order: one Milvus call for all of them."""
        results = self._client.search(
            self._collection,
            data=[[float(x) for x in vector] for vector in vectors],
            filter=expression,
            limit=limit,
            anns_field=field,
            search_params={"metric_type": "COSINE"},
            output_fields=[],
        )
        # The ids and distances as columns: reading each hit as a dict costs ~0.7 ms for 50.
        return [
            [
                IndexHit(str(product_id), float(distance))
                for product_id, distance in zip(hits.ids, hits.distances, strict=True)
            ]
            for hits in results
        ]

    def hybrid(
        self,
        text_vector: Sequence[float],
        image_vector: Sequence[float],
        filters: SearchFilters,
        limit: int,
        ranker: Literal["rrf", "weighted"] | None = None,
    ) -> list[IndexHit]:
        """Text and image searches fused by Milvus ``hybrid_search``, best first.

        Both searches apply the filters (the image one only among products with a photo);
        ``ranker`` (default: the settings' ``hybrid_ranker``) fuses them: reciprocal rank
        (k=60) or equal weights. Each hit's ``cosine`` is the mean of its text cosine and
        its image cosine, an image cosine of 0 for a product without a photo.
        """
        self._require_images()
        expression = filter_expression(filters)
        text = [float(x) for x in text_vector]
        image = [float(x) for x in image_vector]
        requests = [
            AnnSearchRequest([text], VECTOR_FIELD, {"metric_type": "COSINE"}, limit, expression),
            AnnSearchRequest(
                [image], IMAGE_FIELD, {"metric_type": "COSINE"}, limit, _with_image(expression)
            ),
        ]
        fuse = RRFRanker() if (ranker or self._settings.hybrid_ranker) == "rrf" else None
        results = self._client.hybrid_search(
            self._collection,
            requests,
            fuse or WeightedRanker(0.5, 0.5),
            limit=limit,
            output_fields=[VECTOR_FIELD, IMAGE_FIELD, HAS_IMAGE],
        )
        hits = []
        for hit in results[0]:
            entity = hit["entity"]
            seen = _dot(image, entity[IMAGE_FIELD]) if entity[HAS_IMAGE] else 0.0
            cosine = (_dot(text, entity[VECTOR_FIELD]) + seen) / 2
            hits.append(IndexHit(str(hit["id"]), cosine))
        return hits

    def count(self) -> int:
        """How many products the index holds."""
        rows = self._client.query(self._collection, filter="", output_fields=["count(*)"])
        return int(rows[0]["count(*)"])

    def product_ids(self) -> set[str]:
        """Every product id the collection holds, read ``ID_PAGE`` at a time."""
        # Lite and the 2.3 server send no session timestamp, and the iterator warns that it
        # uses its own: right for a listing, so not worth a line on every `catalog check`.
        logging.getLogger(query_iterator.__name__).setLevel(logging.ERROR)
        pages = self._client.query_iterator(
            self._collection, batch_size=ID_PAGE, filter="", output_fields=["id"]
        )
        ids: set[str] = set()
        try:
            while page := pages.next():
                ids.update(str(row["id"]) for row in page)
        finally:
            pages.close()
        return ids

    def delete(self, ids: Sequence[str]) -> None:
        """Remove products by id; unknown ids are ignored."""
        if ids:
            self._client.delete(self._collection, ids=list(ids))

    def drop(self) -> None:
        """Delete the whole collection; the next instance creates it empty again."""
        self._client.drop_collection(self._collection)

    def close(self) -> None:
        """Close the connection, and stop the Lite server so the file can be opened again."""
        self._threads.shutdown(wait=False, cancel_futures=True)
        self._client.close()
        if self._lite_path is not None:
            from milvus_lite.server_manager import server_manager_instance

            server_manager_instance.release_server(self._lite_path)

    def _require_images(self) -> None:
        if self._image_dimension is None:
            raise ValueError(
                f"collection {self._collection!r} has no image vectors: configure an image encoder"
            )

    @staticmethod
    def _check_length(product_id: str, vector: Sequence[float], expected: int) -> None:
        if len(vector) != expected:
            raise ValueError(
                f"product {product_id!r}: vector has {len(vector)} values, "
                f"the index stores {expected}"
            )

    def _open_collection(self) -> None:
        if self._client.has_collection(self._collection):
            self._check_dimensions()
        else:
            self._create_collection()
        if not self._is_lite:
            self._index_filtered_fields()
        self._client.load_collection(self._collection)

    def _index_filtered_fields(self) -> None:
        """Add the scalar indexes a collection lacks (one made before they existed)."""
        indexed = {
            self._client.describe_index(self._collection, name)["field_name"]
            for name in self._client.list_indexes(self._collection)
        }
        missing = [field for field in _SCALAR_INDEXES if field not in indexed]
        if not missing:
            return
        self._client.release_collection(self._collection)  # Milvus 2.3 indexes released ones
        index = self._client.prepare_index_params()
        for field in missing:
            index.add_index(field_name=field, index_type=_SCALAR_INDEXES[field])
        self._client.create_index(self._collection, index)

    def _check_dimensions(self) -> None:
        fields = self._client.describe_collection(self._collection)["fields"]
        dims = {f["name"]: int(f["params"]["dim"]) for f in fields if "dim" in f.get("params", {})}
        stored = dims[VECTOR_FIELD]
        if stored != self._dimension:
            raise ValueError(
                f"collection {self._collection!r} stores {stored}-d vectors but the embedder "
                f"makes {self._dimension}-d ones: re-index into a new collection or drop it"
            )
        stored_image = dims.get(IMAGE_FIELD)
        if self._image_dimension is not None and stored_image != self._image_dimension:
            held = f"{stored_image}-d image vectors" if stored_image else "no image vectors"
            raise ValueError(
                f"collection {self._collection!r} holds {held} but the image encoder makes "
                f"{self._image_dimension}-d ones: re-index into a new collection or drop it"
            )
        self._image_dimension = stored_image

    def _create_collection(self) -> None:
        schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=_TEXT_FIELDS["id"])
        schema.add_field(VECTOR_FIELD, DataType.FLOAT_VECTOR, dim=self._dimension)
        schema.add_field("price", DataType.FLOAT)
        schema.add_field("in_stock", DataType.BOOL)
        for name, length in _TEXT_FIELDS.items():
            if name != "id":
                schema.add_field(name, DataType.VARCHAR, max_length=length)
        if self._image_dimension is not None:
            schema.add_field(IMAGE_FIELD, DataType.FLOAT_VECTOR, dim=self._image_dimension)
            schema.add_field(HAS_IMAGE, DataType.BOOL)
        index = self._client.prepare_index_params()
        for field in (VECTOR_FIELD, IMAGE_FIELD) if self._image_dimension else (VECTOR_FIELD,):
            index.add_index(
                field_name=field,
                index_type=self._settings.index_type,
                metric_type="COSINE",
                params=_INDEX_PARAMS.get(self._settings.index_type, {}),
            )
        if not self._is_lite:
            for field, kind in _SCALAR_INDEXES.items():
                index.add_index(field_name=field, index_type=kind)
        try:
            self._client.create_collection(self._collection, schema=schema, index_params=index)
        except MilvusException as error:
            if self._image_dimension is None:
                raise
            raise ValueError(
                f"cannot create {self._collection!r} with image vectors ({error}): two vector "
                "fields need Milvus >= 2.4 or Milvus Lite 3.x"
            ) from error

"""The product index in Milvus (the ProductIndex port): one collection of product vectors.

Without ``MilvusSettings.uri`` the index is a Milvus Lite file, ``<data_dir>/products.db``,
served inside this process; with a URI it is a Milvus server (standalone, cluster, or
``milvus-lite server`` shared by several processes).

Filters are written into the boolean expression as escaped literals. pymilvus 3 can send
templated filters (``filter_params``), but Milvus Lite 3.2 rejects the ``{name}``
placeholders, so one literal form serves every backend.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pymilvus import DataType, MilvusClient

from stylegenie.config.settings import MilvusSettings
from stylegenie.core.domain import Product
from stylegenie.core.ports import Embedder, IndexHit, SearchFilters

__all__ = ["LITE_FILE", "MilvusProductIndex", "filter_expression", "quote"]

LITE_FILE = "products.db"
VECTOR_FIELD = "text_vector"
UPSERT_BATCH = 500
_TEXT_FIELDS = {
    "id": 256,
    "article_type": 128,
    "category": 128,
    "colour": 64,
    "gender": 16,
    "brand": 256,
}
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})
_INDEX_PARAMS: dict[str, dict[str, int]] = {
    "HNSW": {"M": 16, "efConstruction": 200},
    "IVF_FLAT": {"nlist": 128},
}


def quote(value: str) -> str:
    """A Milvus string literal for ``value``: double-quoted, with quotes and backslashes escaped."""
    return '"' + value.translate(_ESCAPES) + '"'


def _number(value: float) -> str:
    if not math.isfinite(value):
        raise ValueError(f"a price filter must be a finite number, got {value!r}")
    return repr(float(value))


def _one_of(field: str, values: Sequence[str]) -> str:
    return f"{field} in [{', '.join(quote(v) for v in dict.fromkeys(values))}]"


def filter_expression(filters: SearchFilters) -> str:
    """The Milvus boolean expression for the hard filters; "" when nothing is filtered.

    Example: ``price <= 120.0 and colour in ["sage", "green"] and in_stock == true``.
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
    if filters.in_stock_only:
        clauses.append("in_stock == true")
    return " and ".join(clauses)


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


def _batches(rows: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


class MilvusProductIndex:
    """Product vectors and the scalar fields that filters need, in one Milvus collection.

    Fields: ``id`` (the catalogue's product id, primary key), ``text_vector`` (COSINE),
    ``price``, ``article_type``, ``category``, ``colour``, ``gender``, ``in_stock``, ``brand``.
    The collection is created on first open, sized by the embedder's dimension.

    Milvus Lite allows only one process to open a ``.db`` file: a second one fails with
    ``DataDirLockedError``. Several processes (bot, Celery workers) must share a server
    instead: ``milvus-lite server --data-dir X --port N`` and
    ``STYLEGENIE_MILVUS__URI=http://127.0.0.1:N``. Within one process, open one index per
    file and share it between threads; ``close()`` stops the in-process Lite server.

    On Milvus Lite every ``upsert`` ends with a flush: Lite searches unflushed rows in pure
    Python, ~40 ms per query at 1k rows of 384-d against ~5 ms once flushed. A server seals
    segments by itself (and rate-limits flushes), so it is not flushed.
    """

    def __init__(self, settings: MilvusSettings, embedder: Embedder, data_dir: Path) -> None:
        self._settings = settings
        self._collection = settings.collection
        self._dimension = embedder.dimension
        self._lite_path: str | None = None
        if settings.uri is None:
            # Lite's in-process gRPC server logs a traceback when pymilvus asks it for a
            # timestamp while waiting on index creation (a call Lite does not implement and
            # pymilvus does without); the index is built all the same.
            logging.getLogger("grpc._server").setLevel(logging.CRITICAL)
            data_dir.mkdir(parents=True, exist_ok=True)
            self._lite_path = str((data_dir / LITE_FILE).resolve())
        token = settings.token.get_secret_value() if settings.token else ""
        self._client = MilvusClient(
            uri=self._lite_path or str(settings.uri), token=token, dedicated=True
        )
        try:
            self._is_lite = str(self._client.get_server_version()).startswith("milvus_lite")
            self._open_collection()
        except Exception:
            self.close()
            raise

    @property
    def collection(self) -> str:
        """The collection's name."""
        return self._collection

    @property
    def dimension(self) -> int:
        """The size of the stored text vectors."""
        return self._dimension

    def upsert(self, products: Sequence[Product], vectors: Sequence[Sequence[float]]) -> None:
        """Insert or replace products (by id) with their text vectors, in batches.

        Upsert many products per call: on Milvus Lite each call ends with a flush.
        """
        if len(products) != len(vectors):
            raise ValueError(f"{len(products)} products but {len(vectors)} vectors")
        rows = [_row(p, v) for p, v in zip(products, vectors, strict=True)]
        for row in rows:
            if len(row[VECTOR_FIELD]) != self._dimension:
                raise ValueError(
                    f"product {row['id']!r}: vector has {len(row[VECTOR_FIELD])} values, "
                    f"the index stores {self._dimension}"
                )
        for batch in _batches(rows, UPSERT_BATCH):
            self._client.upsert(self._collection, batch)
        if self._is_lite and rows:
            self._client.flush(self._collection)

    def search(self, vector: Sequence[float], filters: SearchFilters, limit: int) -> list[IndexHit]:
        """The ``limit`` nearest products that pass the filters, most similar first."""
        results = self._client.search(
            self._collection,
            data=[[float(x) for x in vector]],
            filter=filter_expression(filters),
            limit=limit,
            anns_field=VECTOR_FIELD,
            search_params={"metric_type": "COSINE"},
            output_fields=[],
        )
        return [
            IndexHit(product_id=str(hit["id"]), cosine=float(hit["distance"])) for hit in results[0]
        ]

    def count(self) -> int:
        """How many products the index holds."""
        rows = self._client.query(self._collection, filter="", output_fields=["count(*)"])
        return int(rows[0]["count(*)"])

    def delete(self, ids: Sequence[str]) -> None:
        """Remove products by id; unknown ids are ignored."""
        if ids:
            self._client.delete(self._collection, ids=list(ids))

    def drop(self) -> None:
        """Delete the whole collection; the next instance creates it empty again."""
        self._client.drop_collection(self._collection)

    def close(self) -> None:
        """Close the connection, and stop the Lite server so the file can be opened again."""
        self._client.close()
        if self._lite_path is not None:
            from milvus_lite.server_manager import server_manager_instance

            server_manager_instance.release_server(self._lite_path)

    def _open_collection(self) -> None:
        if self._client.has_collection(self._collection):
            self._check_dimension()
        else:
            self._create_collection()
        self._client.load_collection(self._collection)

    def _check_dimension(self) -> None:
        fields = self._client.describe_collection(self._collection)["fields"]
        stored = next(int(f["params"]["dim"]) for f in fields if f["name"] == VECTOR_FIELD)
        if stored != self._dimension:
            raise ValueError(
                f"collection {self._collection!r} stores {stored}-d vectors but the embedder "
                f"makes {self._dimension}-d ones: re-index into a new collection or drop it"
            )

    def _create_collection(self) -> None:
        schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=_TEXT_FIELDS["id"])
        schema.add_field(VECTOR_FIELD, DataType.FLOAT_VECTOR, dim=self._dimension)
        schema.add_field("price", DataType.FLOAT)
        schema.add_field("in_stock", DataType.BOOL)
        for name, length in _TEXT_FIELDS.items():
            if name != "id":
                schema.add_field(name, DataType.VARCHAR, max_length=length)
        index = self._client.prepare_index_params()
        index.add_index(
            field_name=VECTOR_FIELD,
            index_type=self._settings.index_type,
            metric_type="COSINE",
            params=_INDEX_PARAMS.get(self._settings.index_type, {}),
        )
        self._client.create_collection(self._collection, schema=schema, index_params=index)

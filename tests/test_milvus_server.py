"""The managed Milvus standalone server (PyPI ``milvus``) behind the same MilvusProductIndex.

One real server starts for this module in a temporary folder (~8 s, most of it unpacking
the binaries once per machine) on free ports, so test runs side by side do not collide.
"""

from __future__ import annotations

import math
import random
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pymilvus import MilvusClient

from stylegenie.adapters.milvus_index import MilvusProductIndex
from stylegenie.adapters.milvus_server import (
    SERVER_DIR,
    ManagedMilvusServer,
    MilvusServerError,
    stop_managed_servers,
)
from stylegenie.bots.wiring import milvus_uri_for
from stylegenie.config import Settings
from stylegenie.config.settings import MilvusSettings
from stylegenie.core.domain import Product
from stylegenie.core.ports import SearchFilters
from tests.fakes.ports import FixedEmbedder

pytest.importorskip(
    "milvus", reason="the managed server needs: pip install 'stylegenie[milvus-server]'"
)

DIM = 16
ROWS = 300
BINARIES = Path(tempfile.gettempdir()) / "stylegenie-milvus-2.3.5"
"""Unpacked once per machine (~250 MB, ~4 s) and shared by the test runs."""


EMBEDDER = FixedEmbedder(DIM, dimension_only=True)
"""Only its dimension matters to the index."""


def unit(rng: random.Random) -> list[float]:
    vector = [rng.gauss(0.0, 1.0) for _ in range(DIM)]
    norm = math.sqrt(sum(x * x for x in vector))
    return [x / norm for x in vector]


def catalogue() -> tuple[list[Product], list[list[float]]]:
    rng = random.Random(7)
    products = [
        Product(
            id=f"sku-{i}",
            name=f"product {i}",
            brand=rng.choice(["Zed", "Nova", 'Quote "Co"']),
            category=rng.choice(["top", "dress", "bottom"]),
            article_type=rng.choice(["Dresses", "Shirts", "Tshirts", "Jeans", "Skirts"]),
            colour=rng.choice(["Red", "Blue", "Navy Blue", "Green", "Black", "White"]),
            gender=rng.choice(["men", "women", "boys", "girls", "unisex"]),
            price=round(rng.uniform(5, 250), 2),
            in_stock=rng.random() < 0.85,
        )
        for i in range(ROWS)
    ]
    return products, [unit(rng) for _ in products]


FILTERS = [
    SearchFilters(in_stock_only=False),
    SearchFilters(),
    SearchFilters(max_price=60),
    SearchFilters(min_price=40, max_price=120, colours=["Red", "Navy Blue"]),
    SearchFilters(article_types=["Dresses", "Skirts"], genders=["women", "unisex"]),
    SearchFilters(colours=['no such "colour"']),
    SearchFilters(exclude_colours=["Black", "White"], genders=["men", "women", "unisex"]),
]


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1.0)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ManagedMilvusServer]:
    """A real Milvus standalone on free ports, for the whole module (compaction off)."""
    folder = tmp_path_factory.mktemp("milvus") / SERVER_DIR
    started = ManagedMilvusServer(folder, port=None, binaries_dir=BINARIES, auto_compaction=False)
    started.start()
    yield started
    started.stop()


def test_filtered_search_on_the_server_matches_milvus_lite(
    server: ManagedMilvusServer, tmp_path: Path
) -> None:
    products, vectors = catalogue()
    remote = MilvusProductIndex(
        MilvusSettings(uri=server.uri, index_type="HNSW"), EMBEDDER, tmp_path
    )
    lite = MilvusProductIndex(MilvusSettings(), EMBEDDER, tmp_path / "lite")
    try:
        remote.upsert(products, vectors)
        lite.upsert(products, vectors)
        deadline = time.monotonic() + 20  # a server shows new rows within its staleness bound
        while remote.count() < ROWS and time.monotonic() < deadline:
            time.sleep(0.2)
        assert remote.count() == lite.count() == ROWS
        rng = random.Random(11)
        for query in [unit(rng) for _ in range(4)]:
            for filters in FILTERS:
                on_server = remote.search(query, filters, 20)
                on_lite = lite.search(query, filters, 20)
                assert [h.product_id for h in on_server] == [h.product_id for h in on_lite]
                for a, b in zip(on_server, on_lite, strict=True):
                    assert a.cosine == pytest.approx(b.cosine, abs=1e-4)
        assert remote.search(vectors[0], SearchFilters(in_stock_only=False), 1)[0].product_id == (
            "sku-0"
        )
    finally:
        remote.close()
        lite.close()


def test_the_filtered_fields_are_indexed_also_in_an_older_collection(
    server: ManagedMilvusServer, tmp_path: Path
) -> None:
    products, vectors = catalogue()
    settings = MilvusSettings(uri=server.uri, index_type="HNSW", collection="older")
    index = MilvusProductIndex(settings, EMBEDDER, tmp_path)
    index.upsert(products, vectors)
    index.close()
    raw = MilvusClient(uri=server.uri)
    try:
        names = raw.list_indexes("older")
        fields = {raw.describe_index("older", name)["field_name"] for name in names}
        assert fields == {"text_vector", "price", "article_type", "colour", "gender"}
        raw.release_collection("older")  # as a collection made before these indexes existed
        for name in raw.list_indexes("older"):
            if raw.describe_index("older", name)["field_name"] != "text_vector":
                raw.drop_index("older", name)
        assert len(raw.list_indexes("older")) == 1

        index = MilvusProductIndex(settings, EMBEDDER, tmp_path)
        assert len(raw.list_indexes("older")) == 5
        deadline = time.monotonic() + 20
        while index.count() < ROWS and time.monotonic() < deadline:
            time.sleep(0.2)
        red = SearchFilters(colours=["Red"], in_stock_only=False)
        hits = index.search(vectors[0], red, 5)
        assert hits and all(products[int(h.product_id[4:])].colour == "Red" for h in hits)
        index.close()
    finally:
        raw.drop_collection("older")
        raw.close()


def test_the_server_runs_with_the_compaction_asked_for(server: ManagedMilvusServer) -> None:
    config = (server.base_dir / "configs" / "milvus.yaml").read_text()
    compaction = config.split("\n  compaction:\n", 1)[1].splitlines()[0]
    assert compaction.split("#")[0].strip() == "enableAutoCompaction: false"
    assert Settings().milvus.managed_auto_compaction, "on unless turned off"


def test_a_second_start_on_the_port_reuses_the_server(
    server: ManagedMilvusServer, tmp_path: Path
) -> None:
    again = ManagedMilvusServer(
        tmp_path / SERVER_DIR, port=server.port, auto_compaction=True
    ).start()
    assert again.reused and not again.running and again.uri == server.uri
    again.stop()  # stops nothing it did not start
    assert server.running and listening(server.port)


def test_the_milvus_uri_is_the_configured_the_managed_or_none(
    server: ManagedMilvusServer, tmp_path: Path
) -> None:
    assert milvus_uri_for(Settings(data_dir=tmp_path)) is None  # the Lite file
    remote = Settings(data_dir=tmp_path, milvus={"uri": "http://milvus:19530"})
    assert milvus_uri_for(remote) == "http://milvus:19530"
    assert not (tmp_path / SERVER_DIR).exists()
    managed = Settings(
        data_dir=tmp_path, milvus={"managed_server": True, "managed_port": server.port}
    )
    try:
        assert milvus_uri_for(managed) == server.uri  # already listening: reused
        assert milvus_uri_for(managed) == server.uri
    finally:
        stop_managed_servers()
    assert server.running


def test_a_port_held_by_something_else_is_refused(tmp_path: Path) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        with pytest.raises(MilvusServerError, match="not Milvus"):
            ManagedMilvusServer(tmp_path, port=port, auto_compaction=True).start()


def test_stop_frees_the_port(server: ManagedMilvusServer) -> None:
    """Runs last in this module: it stops the shared server."""
    server.stop()
    assert not server.running
    assert not listening(server.port)
    server.stop()  # idempotent


@pytest.mark.slow
def test_a_restart_keeps_the_data(tmp_path: Path) -> None:
    """Stop and start on the same folder: same collection, same rows (~25 s)."""
    products, vectors = catalogue()
    first = ManagedMilvusServer(
        tmp_path / SERVER_DIR, port=None, auto_compaction=True, binaries_dir=BINARIES
    ).start()
    try:
        index = MilvusProductIndex(MilvusSettings(uri=first.uri), EMBEDDER, tmp_path)
        index.upsert(products[:50], vectors[:50])
        deadline = time.monotonic() + 20
        while index.count() < 50 and time.monotonic() < deadline:
            time.sleep(0.2)
        index.close()
    finally:
        first.stop()
    second = ManagedMilvusServer(
        tmp_path / SERVER_DIR, first.port, auto_compaction=True, binaries_dir=BINARIES
    ).start()
    try:
        index = MilvusProductIndex(MilvusSettings(uri=second.uri), EMBEDDER, tmp_path)
        assert index.count() == 50
        assert index.search(vectors[3], SearchFilters(in_stock_only=False), 1)[0].product_id == (
            "sku-3"
        )
        index.close()
    finally:
        second.stop()

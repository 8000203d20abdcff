"""Catalogue ingestion against real PostgreSQL and Milvus Lite: idempotent, repairable, photos."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from stylegenie.adapters.image_store import LocalImageStore
from stylegenie.adapters.milvus_index import MilvusProductIndex
from stylegenie.adapters.postgres.repositories import PostgresCatalog
from stylegenie.adapters.thumbnails import PillowPhotos
from stylegenie.bots.cli import main
from stylegenie.bots.wiring import database_for
from stylegenie.config import Settings
from stylegenie.core.domain import Product
from stylegenie.core.ingest import CatalogIngestor, FeedItem
from stylegenie.core.ports import Embedder, SearchFilters
from tests.fakes.ports import CrashingIndex, FixedEncoder, MemoryCatalog, MemoryIndex

FEED = "id,name,price,colour,article_type\n{rows}"
ROWS = [
    "p1,Sage Linen Shirt,{price},Green,Shirts",
    "p2,Black Leather Boots,120,Black,Casual Shoes",
    "p3,Red Silk Dress,89,Red,Dresses",
]


@pytest.fixture
def settings(tmp_path: Path, pg_url: str) -> Settings:
    """The settings the command reads from the environment, as the tests set them."""
    return Settings(data_dir=tmp_path / "data", database={"url": pg_url})


@pytest.fixture
def command_env(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, pg_url: str, minilm: Embedder
) -> None:
    """The command's environment, with the session's MiniLM instead of a fresh load."""
    monkeypatch.setenv("STYLEGENIE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("STYLEGENIE_DATABASE__URL", pg_url)
    monkeypatch.setattr(
        "stylegenie.adapters.text_embedder.SentenceTransformerEmbedder", lambda *_: minilm
    )


Stores = Callable[[], tuple[PostgresCatalog, MilvusProductIndex]]


@pytest.fixture
def stores(settings: Settings, minilm: Embedder) -> Iterator[Stores]:
    """Opens the catalogue and the index the command writes to, when called; closed after."""
    opened: list[Any] = []

    def open_stores() -> tuple[PostgresCatalog, MilvusProductIndex]:
        database = database_for(settings)
        index = MilvusProductIndex(settings.milvus, minilm, settings.data_dir)
        opened.extend([database, index])
        return PostgresCatalog(database), index

    yield open_stores
    for thing in opened:
        thing.close()


def write_feed(folder: Path, price: str = "45") -> Path:
    feed = folder / "feed.csv"
    feed.write_text(FEED.format(rows="\n".join(ROWS).format(price=price) + "\n"))
    return feed


@pytest.mark.usefixtures("command_env")
def test_the_command_loads_photos_and_a_rerun_updates_both_stores(
    tmp_path: Path,
    settings: Settings,
    stores: Stores,
    minilm: Embedder,
    capsys: pytest.CaptureFixture[str],
) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    Image.new("RGB", (640, 480), (90, 140, 90)).save(photos / "p1.jpg")
    (photos / "p2.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    feed = write_feed(tmp_path)
    args = ["catalog", "ingest", str(feed), "--images", str(photos), "--quiet"]
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert "loaded 3 products (0 rows skipped, 1 loaded with a warning, 1 photos)" in out
    assert f"line 3: photo {photos / 'p2.jpg'} not used: not a readable image" in err
    assert err.rstrip().endswith("(row loaded)")

    write_feed(tmp_path, price="5")
    assert main(args) == 0
    catalog, index = stores()
    assert catalog.count_products() == index.count() == 3
    products = catalog.get_products(["p1", "p2", "p3"])
    assert products["p1"].price == 5 and products["p2"].image_ref is None
    thumbnail = Path(products["p1"].image_ref or "")
    assert thumbnail == (settings.image_dir / "thumb-p1.jpg").resolve()
    with Image.open(thumbnail) as image:
        assert image.format == "JPEG" and max(image.size) == settings.search.thumbnail_px
    vector = minilm.embed_texts(["linen shirt"])[0]
    cheap = index.search(vector, SearchFilters(min_price=4.5, max_price=5.5), limit=5)
    assert [hit.product_id for hit in cheap] == ["p1"], "the index holds the new price"


def test_a_crash_between_the_stores_is_repaired_by_running_again(
    stores: Stores, minilm: Embedder
) -> None:
    catalog, index = stores()
    products = [Product(id=f"c{i}", name=f"Cotton tee {i}", price=10 + i) for i in range(5)]
    crashing = CrashingIndex(index, crash_on=2)
    with pytest.raises(ConnectionError):
        CatalogIngestor(minilm, crashing, catalog, batch_size=2).ingest(products)
    assert (catalog.count_products(), index.count()) == (4, 2)
    query = minilm.embed_texts(["cotton tee"])[0]
    searchable = {hit.product_id for hit in index.search(query, SearchFilters(), limit=10)}
    assert searchable == {"c0", "c1"} and searchable <= set(catalog.get_products(list(searchable)))

    CatalogIngestor(minilm, index, catalog, batch_size=2).ingest(products)
    assert catalog.count_products() == index.count() == 5
    found = {hit.product_id for hit in index.search(query, SearchFilters(), limit=10)}
    assert found == {p.id for p in products} == set(catalog.get_products(sorted(found)))


@pytest.mark.usefixtures("command_env")
def test_the_command_says_how_to_finish_when_a_store_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail(*_: object, **__: object) -> None:
        raise ConnectionError("index down")

    monkeypatch.setattr(MilvusProductIndex, "upsert", fail)
    assert main(["catalog", "ingest", str(write_feed(tmp_path)), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "ingest stopped after 0 products: ConnectionError: index down" in err
    assert "Re-run the same command" in err


def test_image_vectors_go_to_the_index_only_with_an_image_encoder(tmp_path: Path) -> None:
    Image.new("RGB", (64, 64)).save(tmp_path / "ok.png")
    (tmp_path / "bad.jpg").write_bytes(b"broken")
    items = [
        FeedItem(Product(id="a", name="A", price=1), 2, str(tmp_path / "ok.png")),
        FeedItem(Product(id="b", name="B", price=1), 3, str(tmp_path / "bad.jpg")),
        FeedItem(Product(id="c", name="C", price=1), 4, None),
    ]
    encoder, images = FixedEncoder(), LocalImageStore(tmp_path / "store")
    photos = PillowPhotos(max_px=32)
    index, catalog = MemoryIndex(), MemoryCatalog()
    report = CatalogIngestor(
        encoder, index, catalog, photos=photos, images=images, image_embedder=encoder
    ).ingest_items(items)
    assert index.upserts == [{"ids": ["a", "b", "c"], "image_vectors": [[0.0, 1.0], None, None]}]
    assert (report.loaded, report.photos, encoder.images) == (3, 1, 1)
    [problem] = report.problems
    assert (problem.line, problem.skipped) == (3, False)
    assert problem.reason.startswith(f"photo {tmp_path / 'bad.jpg'} not used: not a readable")
    assert catalog.products["a"].image_ref == str((tmp_path / "store" / "thumb-a.jpg").resolve())

    plain = MemoryIndex()
    CatalogIngestor(encoder, plain, MemoryCatalog(), photos=photos, images=images).ingest_items(
        items
    )
    assert plain.upserts == [{"ids": ["a", "b", "c"]}]

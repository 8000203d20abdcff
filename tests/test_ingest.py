"""Catalogue ingestion against real PostgreSQL and Milvus Lite: idempotent, repairable, photos;
rows refused whole (never in one store only), and `catalog check` finding and repairing a
disagreement between the stores."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

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


@contextmanager
def opened_stores(
    settings: Settings, embedder: Embedder
) -> Iterator[tuple[PostgresCatalog, MilvusProductIndex]]:
    """The catalogue and the index the command writes to, closed at the end of the block
    (Milvus Lite: one open index per file, so close it before running the command)."""
    database = database_for(settings)
    index = MilvusProductIndex(settings.milvus, embedder, settings.data_dir)
    try:
        yield PostgresCatalog(database), index
    finally:
        index.close()
        database.close()


@pytest.fixture
def stores(settings: Settings, minilm: Embedder) -> Iterator[Stores]:
    """Opens the catalogue and the index the command writes to, when called; closed after."""
    with ExitStack() as opened:
        yield lambda: opened.enter_context(opened_stores(settings, minilm))


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


def counts(settings: Settings, embedder: Embedder) -> tuple[int, int]:
    """How many products PostgreSQL and Milvus hold."""
    with opened_stores(settings, embedder) as (catalog, index):
        return catalog.count_products(), index.count()


@pytest.mark.usefixtures("command_env")
def test_a_brand_too_long_for_milvus_refuses_its_row_whole(
    tmp_path: Path,
    settings: Settings,
    minilm: Embedder,
    capsys: pytest.CaptureFixture[str],
) -> None:
    feed = tmp_path / "feed.csv"
    rows = ["p1,Tee,5,Acme", f"p2,Long,5,{'B' * 300}", f"p3,Accents,5,{'é' * 129}", "p4,Top,7,"]
    feed.write_text("id,name,price,brand\n" + "\n".join(rows) + "\n")
    for _ in range(2):  # a re-run fails the same row the same way, and nothing else
        assert main(["catalog", "ingest", str(feed), "--quiet"]) == 0
        out, err = capsys.readouterr()
        assert "loaded 2 products (2 rows skipped" in out
        assert err.splitlines() == [
            f"{feed} line 3: brand is 300 bytes long; the product index stores at most 256",
            f"{feed} line 4: brand is 258 bytes long; the product index stores at most 256",
        ]
        assert counts(settings, minilm) == (2, 2)


@pytest.mark.usefixtures("command_env")
def test_a_stray_quote_fails_the_command_naming_the_lines_it_swallowed(
    tmp_path: Path, settings: Settings, minilm: Embedder, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [f"p{i},Tee {i},{i}" for i in range(1, 1001)]
    lines[9] = 'p10,"Tee 10,10'
    feed = tmp_path / "feed.csv"
    feed.write_text("id,name,price\n" + "\n".join(lines) + "\n")
    assert main(["catalog", "ingest", str(feed), "--quiet"]) == 1
    out, err = capsys.readouterr()
    assert "loaded 9 products (1 rows skipped" in out
    assert f"{feed} lines 11–1001: a field's quotes do not close where the row ends" in err
    assert "It swallowed lines 12–1001, and none of their rows was loaded" in err
    assert counts(settings, minilm) == (9, 9)


@pytest.mark.timeout(120)
@pytest.mark.usefixtures("command_env")
def test_the_command_reads_no_photo_outside_the_folder_and_never_blocks_on_a_fifo(
    tmp_path: Path, settings: Settings, minilm: Embedder, capsys: pytest.CaptureFixture[str]
) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    os.mkfifo(photos / "p1.jpg")
    os.mkfifo(photos / "pipe.jpg")
    (photos / "p3.jpg").symlink_to("/etc/passwd")
    feed = tmp_path / "feed.csv"
    rows = [
        "p1,Pipe,5,",
        "p2,Passwd,5,../../../../../etc/passwd",
        "p3,Link,5,",
        "p4,Zero,5,/dev/zero",
        "p5,Named pipe,5,pipe.jpg",
    ]
    feed.write_text("id,name,price,image\n" + "\n".join(rows) + "\n")
    assert main(["catalog", "ingest", str(feed), "--images", str(photos), "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert "loaded 5 products (0 rows skipped, 5 loaded with a warning, 0 photos)" in out
    assert [line.split(" not used: ")[1] for line in err.splitlines()] == [
        "a FIFO, not a photo file (row loaded)",
        f"'..' leads outside the images folder {photos.resolve()} (row loaded)",
        f"a link that leads outside the images folder {photos.resolve()} (row loaded)",
        "an absolute path: name a file inside the images folder (row loaded)",
        "a FIFO, not a photo file (row loaded)",
    ]
    assert not settings.image_dir.exists() or not any(settings.image_dir.iterdir())
    assert counts(settings, minilm) == (5, 5)


@pytest.mark.usefixtures("command_env")
def test_catalog_check_finds_a_disagreement_and_repair_fixes_it(
    tmp_path: Path, settings: Settings, minilm: Embedder, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["catalog", "ingest", str(write_feed(tmp_path)), "--quiet"]) == 0
    assert main(["catalog", "check"]) == 0
    assert "PostgreSQL and Milvus agree: 3 products" in capsys.readouterr().out
    with opened_stores(settings, minilm) as (catalog, index):
        index.delete(["p1"])  # metadata without vectors, as a crash between the stores leaves
        orphan = Product(id="gone", name="Deleted Scarf", price=9)
        index.upsert([orphan], minilm.embed_texts([orphan.search_text()]))  # vectors only
        catalog.upsert_products([Product(id="p9", name="Blue Denim Jacket", price=60)])

    assert main(["catalog", "check"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "PostgreSQL has 4 products, Milvus 3",
        "2 only in PostgreSQL (no search finds them): p1, p9",
        "1 only in Milvus (found, then dropped): gone",
        "Run `stylegenie catalog check --repair` to make them agree.",
    ]
    assert main(["catalog", "check", "--repair"]) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == [
        "repaired: indexed 2 products again (0 with their photo), deleted 1 from Milvus",
        "PostgreSQL and Milvus agree: 4 products",
    ]
    with opened_stores(settings, minilm) as (catalog, index):
        assert catalog.product_ids() == index.product_ids() == {"p1", "p2", "p3", "p9"}
        query = minilm.embed_texts(["denim jacket"])[0]
        assert index.search(query, SearchFilters(), limit=1)[0].product_id == "p9"


def test_reindex_gives_the_index_vectors_from_the_catalogue_and_its_stored_thumbnails(
    tmp_path: Path,
) -> None:
    images = LocalImageStore(tmp_path / "store")
    Image.new("RGB", (16, 16)).save(tmp_path / "a.jpg")
    ref = images.put("thumb-a.jpg", (tmp_path / "a.jpg").read_bytes())
    catalog = MemoryCatalog(
        [
            Product(id="a", name="A", price=1, image_ref=ref),
            Product(id="b", name="B", price=1, image_ref=str(tmp_path / "elsewhere.jpg")),
            Product(id="c", name="C", price=1),
        ]
    )
    encoder, index = FixedEncoder(), MemoryIndex()
    ingestor = CatalogIngestor(encoder, index, catalog, images=images, image_embedder=encoder)
    report = ingestor.reindex(["a", "b", "c", "unknown"])
    assert (report.loaded, report.photos, encoder.images) == (3, 1, 1)
    assert index.upserts == [{"ids": ["a", "b", "c"], "image_vectors": [[0.0, 1.0], None, None]}]

"""MilvusProductIndex against a real Milvus Lite file, with small handmade 8-d vectors."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from stylegenie.adapters.milvus_index import MilvusProductIndex, filter_expression, quote
from stylegenie.config.settings import MilvusSettings
from stylegenie.core.domain import Product
from stylegenie.core.ports import SearchFilters
from tests.fakes.ports import FixedEmbedder

DIM = 8


EMBEDDER = FixedEmbedder(DIM, dimension_only=True)
"""Only its dimension matters to the index."""


def axis(i: int, tilt: float = 0.0) -> list[float]:
    """A unit vector along axis i, tilted towards axis (i + 1) by ``tilt``."""
    vector = [0.0] * DIM
    vector[i] = 1.0
    vector[(i + 1) % DIM] = tilt
    norm = math.sqrt(1.0 + tilt * tilt)
    return [x / norm for x in vector]


IMAGE_DIM = 4


def picture(i: int) -> list[float]:
    """A unit 4-d "image vector" along axis i."""
    return [1.0 if j == i else 0.0 for j in range(IMAGE_DIM)]


CATALOGUE = [
    Product(id="p1", name="Red dress", article_type="Dresses", colour="Red", gender="women",
            price=40, brand="Zed", category="dress"),
    Product(id="p2", name="Crimson dress", article_type="Dresses", colour="Red", gender="women",
            price=90, in_stock=False),
    Product(id="p3", name="Blue shirt", article_type="Shirts", colour="Blue", gender="men",
            price=25),
    Product(id="p4", name="Navy shirt", article_type="Shirts", colour="Navy Blue", gender="men",
            price=60),
    Product(id="p5", name="Kids tee", article_type="Tshirts", colour="White", gender="boys",
            price=10),
]  # fmt: skip
VECTORS = [axis(0), axis(0, 0.3), axis(0, 1.0), axis(1), axis(2)]
ANY = SearchFilters(in_stock_only=False)


def _filled(folder: Path) -> Iterator[MilvusProductIndex]:
    opened = MilvusProductIndex(MilvusSettings(), EMBEDDER, folder)
    opened.upsert(CATALOGUE, VECTORS)
    yield opened
    opened.close()


@pytest.fixture
def index(tmp_path: Path) -> Iterator[MilvusProductIndex]:
    """The catalogue in a fresh Lite file, for tests that change it."""
    yield from _filled(tmp_path)


@pytest.fixture(scope="module")
def readonly(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MilvusProductIndex]:
    """The catalogue in one Lite file shared by the tests that only search it."""
    yield from _filled(tmp_path_factory.mktemp("milvus"))


def ids(index: MilvusProductIndex, filters: SearchFilters, limit: int = 10) -> list[str]:
    return [hit.product_id for hit in index.search(axis(0), filters, limit)]


def test_the_lite_file_lives_in_the_data_folder(tmp_path: Path) -> None:
    index = MilvusProductIndex(MilvusSettings(), EMBEDDER, tmp_path / "data")
    try:
        assert (tmp_path / "data" / "products.db").exists()
        assert index.count() == 0
        assert index.search(axis(0), ANY, 5) == []
    finally:
        index.close()


def test_nearest_first_with_cosine_scores(readonly: MilvusProductIndex) -> None:
    hits = readonly.search(axis(0), ANY, 3)
    assert [h.product_id for h in hits] == ["p1", "p2", "p3"]
    assert hits[0].cosine == pytest.approx(1.0, abs=1e-5)
    assert hits[1].cosine == pytest.approx(1 / math.sqrt(1.09), abs=1e-5)
    assert hits[2].cosine == pytest.approx(1 / math.sqrt(2), abs=1e-5)
    assert readonly.count() == 5


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (SearchFilters(max_price=40, in_stock_only=False), {"p1", "p3", "p5"}),
        (SearchFilters(min_price=50, in_stock_only=False), {"p2", "p4"}),
        (SearchFilters(min_price=20, max_price=60, in_stock_only=False), {"p1", "p3", "p4"}),
        (SearchFilters(article_types=["Shirts", "Tshirts"], in_stock_only=False),
         {"p3", "p4", "p5"}),
        (SearchFilters(colours=["Red"], in_stock_only=False), {"p1", "p2"}),
        (SearchFilters(colours=["Navy Blue", "White"], in_stock_only=False), {"p4", "p5"}),
        (SearchFilters(genders=["men", "boys"], in_stock_only=False), {"p3", "p4", "p5"}),
        (SearchFilters(), {"p1", "p3", "p4", "p5"}),
        (SearchFilters(article_types=["Dresses"]), {"p1"}),
        (SearchFilters(max_price=30, genders=["men"], colours=["Blue"]), {"p3"}),
        (SearchFilters(colours=["Green"]), set()),
        (SearchFilters(exclude_colours=["Red"], in_stock_only=False), {"p3", "p4", "p5"}),
        (SearchFilters(exclude_colours=["Navy Blue", "White"]), {"p1", "p3"}),
        (SearchFilters(colours=["Red", "Blue"], exclude_colours=["Red"], in_stock_only=False),
         {"p3"}),
        (SearchFilters(exclude_colours=['Red"] or colour in ["Blue']), {"p1", "p3", "p4", "p5"}),
    ],
)  # fmt: skip
def test_filters(readonly: MilvusProductIndex, filters: SearchFilters, expected: set[str]) -> None:
    assert set(ids(readonly, filters)) == expected


def test_upsert_by_the_same_id_replaces(index: MilvusProductIndex) -> None:
    cheaper = CATALOGUE[1].model_copy(update={"price": 30.0, "in_stock": True})
    index.upsert([cheaper], [axis(3)])
    assert index.count() == 5
    assert set(ids(index, SearchFilters(max_price=35))) == {"p2", "p3", "p5"}
    hits = index.search(axis(3), ANY, 1)
    assert hits[0].product_id == "p2"
    assert hits[0].cosine == pytest.approx(1.0, abs=1e-5)


def test_reopening_the_file_keeps_the_data(tmp_path: Path) -> None:
    first = MilvusProductIndex(MilvusSettings(), EMBEDDER, tmp_path)
    first.upsert(CATALOGUE, VECTORS)
    first.close()
    again = MilvusProductIndex(MilvusSettings(), EMBEDDER, tmp_path)
    try:
        assert again.count() == 5
        assert ids(again, SearchFilters(colours=["Red"]), 5) == ["p1"]
    finally:
        again.close()


def test_a_different_dimension_is_refused_on_reopen(tmp_path: Path) -> None:
    MilvusProductIndex(MilvusSettings(), EMBEDDER, tmp_path).close()

    with pytest.raises(ValueError, match="8-d vectors"):
        MilvusProductIndex(MilvusSettings(), FixedEmbedder(16, dimension_only=True), tmp_path)
    reopened = MilvusProductIndex(MilvusSettings(), EMBEDDER, tmp_path)
    reopened.close()


def test_quotes_in_values_do_not_break_the_expression(index: MilvusProductIndex) -> None:
    tricky = Product(id='q"1', name="Tricky", colour='Bright "Red"\\', article_type="Kid's Tops",
                     price=15)  # fmt: skip
    index.upsert([tricky], [axis(0)])
    assert ids(index, SearchFilters(colours=['Bright "Red"\\'])) == ['q"1']
    assert ids(index, SearchFilters(article_types=["Kid's Tops"])) == ['q"1']
    assert ids(index, SearchFilters(colours=['Red"] or colour in ["Blue'])) == []
    index.delete(['q"1'])
    assert index.count() == 5


def test_delete(index: MilvusProductIndex) -> None:
    index.delete(["p1", "p4", "unknown"])
    assert index.count() == 3
    assert set(ids(index, ANY)) == {"p2", "p3", "p5"}
    index.delete([])
    assert index.count() == 3


def test_drop_then_a_new_instance_starts_empty(tmp_path: Path) -> None:
    index = MilvusProductIndex(MilvusSettings(), EMBEDDER, tmp_path)
    index.upsert(CATALOGUE, VECTORS)
    index.drop()
    index.close()
    again = MilvusProductIndex(MilvusSettings(), EMBEDDER, tmp_path)
    try:
        assert again.count() == 0
    finally:
        again.close()


def test_upsert_checks_lengths(index: MilvusProductIndex) -> None:
    with pytest.raises(ValueError, match="2 products but 1 vectors"):
        index.upsert(CATALOGUE[:2], VECTORS[:1])
    with pytest.raises(ValueError, match="3 values"):
        index.upsert(CATALOGUE[:1], [[1.0, 0.0, 0.0]])


def test_filter_expression_text() -> None:
    assert filter_expression(SearchFilters(in_stock_only=False)) == ""
    assert filter_expression(SearchFilters()) == "in_stock == true"
    assert filter_expression(
        SearchFilters(max_price=120, min_price=20, colours=["sage", "sage", "green"],
                      article_types=["Dresses"], genders=["women"], in_stock_only=False)
    ) == (
        'price >= 20.0 and price <= 120.0 and article_type in ["Dresses"]'
        ' and colour in ["sage", "green"] and gender in ["women"]'
    )  # fmt: skip
    assert filter_expression(SearchFilters(exclude_colours=["Black", 'Bright "Red"', "Black"])) == (
        'colour not in ["Black", "Bright \\"Red\\""] and in_stock == true'
    )


def test_quote_escapes() -> None:
    assert quote('a "b" \\ c\nd') == '"a \\"b\\" \\\\ c\\nd"'
    assert quote("it's") == '"it\'s"'


def test_infinite_prices_are_refused() -> None:
    with pytest.raises(ValueError, match="finite"):
        filter_expression(SearchFilters(max_price=math.inf))


def test_a_uri_reaches_a_server_and_close_leaves_it_running(tmp_path: Path) -> None:
    from milvus_lite.adapter.grpc.server import start_server_in_thread

    server, db, port = start_server_in_thread(str(tmp_path / "served"))
    settings = MilvusSettings(uri=f"http://127.0.0.1:{port}", collection="catalogue")
    try:
        first = MilvusProductIndex(settings, EMBEDDER, tmp_path / "unused")
        first.upsert(CATALOGUE, VECTORS)
        first.close()
        second = MilvusProductIndex(settings, EMBEDDER, tmp_path / "unused")
        assert second.collection == "catalogue"
        assert ids(second, SearchFilters(genders=["men"]), 5) == ["p3", "p4"]
        second.close()
        assert not (tmp_path / "unused" / "products.db").exists()
    finally:
        server.stop(grace=0)
        db.close()


@pytest.mark.parametrize("index_type", ["HNSW", "IVF_FLAT", "AUTOINDEX"])
def test_every_configurable_index_type_searches(tmp_path: Path, index_type: str) -> None:
    settings = MilvusSettings(index_type=index_type)
    index = MilvusProductIndex(settings, EMBEDDER, tmp_path, IMAGE_DIM)
    try:
        index.upsert(CATALOGUE, VECTORS, [picture(1), None, picture(2), None, picture(3)])
        assert ids(index, SearchFilters(), 2) == ["p1", "p3"]
        assert [h.product_id for h in index.search_image(picture(3), ANY, 1)] == ["p5"]
        assert index.hybrid(axis(0), picture(1), SearchFilters(), 2)[0].product_id == "p1"
    finally:
        index.close()


def test_image_vectors_live_beside_text_vectors(tmp_path: Path) -> None:
    index = MilvusProductIndex(MilvusSettings(), EMBEDDER, tmp_path, IMAGE_DIM)
    try:
        assert index.image_dimension == IMAGE_DIM
        index.upsert(CATALOGUE, VECTORS, [picture(0), None, picture(1), picture(0), None])
        hits = index.search_image(picture(0), ANY, 10)
        assert {h.product_id for h in hits} == {"p1", "p4", "p3"}
        assert {h.product_id for h in hits[:2]} == {"p1", "p4"}
        assert hits[0].cosine == pytest.approx(1.0, abs=1e-5)
        in_stock = index.search_image(picture(1), SearchFilters(), 10)
        assert [h.product_id for h in in_stock] == ["p3", "p1", "p4"]
        assert ids(index, ANY, 3) == ["p1", "p2", "p3"]  # the text path is unchanged
        index.upsert(CATALOGUE[:1], VECTORS[:1])  # a text-only upsert: p1 loses its photo
        assert {h.product_id for h in index.search_image(picture(0), ANY, 10)} == {"p3", "p4"}
        with pytest.raises(ValueError, match="3 values"):
            index.upsert(CATALOGUE[:1], VECTORS[:1], [[1.0, 0.0, 0.0]])
        with pytest.raises(ValueError, match="1 products but 2 image vectors"):
            index.upsert(CATALOGUE[:1], VECTORS[:1], [None, None])
    finally:
        index.close()


def test_image_vectors_survive_reopening_and_a_new_size_is_refused(tmp_path: Path) -> None:
    first = MilvusProductIndex(MilvusSettings(), EMBEDDER, tmp_path, IMAGE_DIM)
    first.upsert(CATALOGUE[:2], VECTORS[:2], [picture(2), None])
    first.close()
    reopened = MilvusProductIndex(MilvusSettings(), EMBEDDER, tmp_path)
    try:
        assert reopened.image_dimension == IMAGE_DIM
        assert [h.product_id for h in reopened.search_image(picture(2), ANY, 5)] == ["p1"]
    finally:
        reopened.close()
    with pytest.raises(ValueError, match="holds 4-d image vectors but the image encoder makes 6"):
        MilvusProductIndex(MilvusSettings(), EMBEDDER, tmp_path, 6)
    MilvusProductIndex(MilvusSettings(), EMBEDDER, tmp_path, IMAGE_DIM).close()


def test_a_text_only_collection_refuses_image_work(tmp_path: Path) -> None:
    index = MilvusProductIndex(MilvusSettings(), EMBEDDER, tmp_path)
    assert index.image_dimension is None
    with pytest.raises(ValueError, match="no image vectors"):
        index.upsert(CATALOGUE[:1], VECTORS[:1], [picture(0)])
    with pytest.raises(ValueError, match="no image vectors"):
        index.search_image(picture(0), ANY, 5)
    with pytest.raises(ValueError, match="no image vectors"):
        index.hybrid(axis(0), picture(0), ANY, 5)
    index.close()
    with pytest.raises(ValueError, match="holds no image vectors"):
        MilvusProductIndex(MilvusSettings(), EMBEDDER, tmp_path, IMAGE_DIM)

"""Photo and hybrid product search on real Milvus Lite with a tiny random-weight CLIP.

The tiny CLIP serves as both encoders here (its text tower as the text embedder), so the
whole file needs no MiniLM. Random weights still map each synthetic photo to its own
vector, so the product whose photo is the query must come first.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stylegenie.adapters.clip_encoder import OpenClipEncoder
from stylegenie.adapters.image_store import LocalImageStore
from stylegenie.adapters.milvus_index import MilvusProductIndex
from stylegenie.adapters.moderation import BlocklistModerator
from stylegenie.bots.wiring import configure_celery, ranking_weights_for, worker_runtime_for
from stylegenie.config import Settings
from stylegenie.config.settings import MilvusSettings
from stylegenie.core.domain import Product
from stylegenie.core.ports import SearchFilters, SearchQuery
from stylegenie.core.search import PhotoUnreadable, ProductSearcher
from stylegenie.gpu_workers.client import CeleryWorkers
from stylegenie.gpu_workers.runtime import WorkerRuntime
from tests.fakes.ports import MemoryCatalog
from tests.fakes.tiny_clip import photo, tiny_settings

pytest.importorskip("open_clip")

LOOKS = {
    "p1": ("red", "solid"),
    "p2": ("navy", "stripes"),
    "p3": ("green", "dot"),
    "p4": ("yellow", "checks"),
    "p5": ("purple", "solid"),
    "p6": ("white", "stripes"),
}
CATALOGUE = [
    Product(id="p1", name="Red tee", article_type="Tshirts", colour="Red", gender="women",
            price=20),
    Product(id="p2", name="Navy striped shirt", article_type="Shirts", colour="Navy Blue",
            gender="men", price=35),
    Product(id="p3", name="Green dotted dress", article_type="Dresses", colour="Green",
            gender="women", price=60),
    Product(id="p4", name="Yellow check tee", article_type="Tshirts", colour="Yellow",
            gender="men", price=15),
    Product(id="p5", name="Purple dress", article_type="Dresses", colour="Purple",
            gender="women", price=90),
    Product(id="p6", name="White striped shirt", article_type="Shirts", colour="White",
            gender="men", price=45, in_stock=False),
    Product(id="n1", name="Plain grey tee", article_type="Tshirts", colour="Grey", price=12),
    Product(id="n2", name="Black evening dress", article_type="Dresses", colour="Black",
            gender="women", price=70),
]  # fmt: skip
WITH_PHOTO = set(LOOKS)
ANY = SearchFilters(in_stock_only=False)
WEIGHTS = ranking_weights_for(Settings())
CANDIDATES = Settings().ranking.candidates


class World:
    """Encoder, image store, a filled index and searchers with and without photo search."""

    def __init__(self, folder: Path) -> None:
        self.clip = OpenClipEncoder(tiny_settings(folder / "configs"))
        self.images = LocalImageStore(folder / "images")
        self.photos = {pid: photo(*look) for pid, look in LOOKS.items()}
        self.index = MilvusProductIndex(
            MilvusSettings(), self.clip, folder / "milvus", self.clip.dimension
        )
        products = [
            p.model_copy(update={"image_ref": self.images.put(f"{p.id}.png", self.photos[p.id])})
            if p.id in self.photos
            else p
            for p in CATALOGUE
        ]
        vectors = self.clip.embed_images(list(self.photos.values()))
        image_vectors = dict(zip(self.photos, vectors, strict=True))
        self.index.upsert(
            products,
            self.clip.embed_texts([p.search_text() for p in products]),
            [image_vectors.get(p.id) for p in products],
        )
        self.catalog = MemoryCatalog(products)
        self.searcher = ProductSearcher(
            self.clip, self.index, self.catalog, WEIGHTS, 20, self.clip, self.images
        )

    def vector(self, product_id: str) -> list[float]:
        return self.clip.embed_images([self.photos[product_id]])[0]

    def text(self, product_id: str) -> list[float]:
        product = next(p for p in CATALOGUE if p.id == product_id)
        return self.clip.embed_texts([product.search_text()])[0]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built = World(tmp_path_factory.mktemp("hybrid"))
    yield built
    built.index.close()


@pytest.mark.parametrize("product_id", sorted(LOOKS))
def test_image_search_puts_the_product_in_the_photo_first(world: World, product_id: str) -> None:
    hits = world.index.search_image(world.vector(product_id), ANY, 3)
    assert hits[0].product_id == product_id
    assert hits[0].cosine == pytest.approx(1.0, abs=1e-4)


def test_products_without_photos_never_come_from_image_search(world: World) -> None:
    found = {hit.product_id for hit in world.index.search_image(world.vector("p1"), ANY, 100)}
    assert found == WITH_PHOTO
    query = SearchQuery(text="", image_ref=world.catalog.get_products(["p4"])["p4"].image_ref,
                        filters=ANY, top_k=20)  # fmt: skip
    assert {hit.product.id for hit in world.searcher.search(query)} <= WITH_PHOTO


@pytest.mark.parametrize("ranker", ["rrf", "weighted"])
def test_hybrid_search_fuses_text_and_photo(world: World, ranker: Any) -> None:
    hits = world.index.hybrid(world.text("p3"), world.vector("p3"), ANY, 10, ranker)
    assert hits[0].product_id == "p3"
    assert hits[0].cosine == pytest.approx(1.0, abs=1e-4)  # mean of two exact matches
    photo_less = world.index.hybrid(world.text("n2"), world.vector("p5"), ANY, 10, ranker)
    by_id = {hit.product_id: hit.cosine for hit in photo_less}
    assert "n2" in by_id and by_id["n2"] == pytest.approx(0.5, abs=1e-4)  # text 1, no image


@pytest.mark.parametrize(
    ("filters", "allowed"),
    [
        (SearchFilters(max_price=40), {"p1", "p2", "p4", "n1"}),
        (SearchFilters(article_types=["Dresses"]), {"p3", "p5", "n2"}),
        (SearchFilters(colours=["Navy Blue", "White"], in_stock_only=False), {"p2", "p6"}),
        (SearchFilters(genders=["men"]), {"p2", "p4"}),
    ],
)
def test_filters_hold_on_image_and_hybrid_paths(
    world: World, filters: SearchFilters, allowed: set[str]
) -> None:
    image_hits = {h.product_id for h in world.index.search_image(world.vector("p6"), filters, 20)}
    assert image_hits == allowed & WITH_PHOTO
    for ranker in ("rrf", "weighted"):
        fused = world.index.hybrid(world.text("n1"), world.vector("p6"), filters, 20, ranker)  # type: ignore[arg-type]
        assert {hit.product_id for hit in fused} == allowed


def test_the_searcher_chooses_image_or_hybrid_search(world: World) -> None:
    ref = world.catalog.get_products(["p2"])["p2"].image_ref
    by_photo = world.searcher.search(SearchQuery(text="", image_ref=ref, filters=ANY, top_k=3))
    assert by_photo[0].product.id == "p2"
    assert by_photo[0].breakdown.cosine == pytest.approx(1.0, abs=1e-4)
    text = CATALOGUE[6].search_text()  # the photo-less grey tee, in words
    fused = world.searcher.search(SearchQuery(text=text, image_ref=ref, filters=ANY, top_k=8))
    assert {"p2", "n1"} <= {hit.product.id for hit in fused}
    within = world.searcher.search(
        SearchQuery(text="", image_ref=ref, filters=SearchFilters(max_price=30), top_k=5)
    )
    assert within and all(hit.product.price <= 30 for hit in within)


def test_a_broken_or_foreign_photo_is_reported_as_unreadable(world: World) -> None:
    broken = world.images.put("broken.jpg", b"\xff\xd8 not really a jpeg")
    for ref in (broken, "/etc/hostname", world.images.put("empty.png", b"")):
        with pytest.raises(PhotoUnreadable):
            world.searcher.search(SearchQuery(text="", image_ref=ref))
    text_only = ProductSearcher(world.clip, world.index, world.catalog, WEIGHTS, CANDIDATES)
    assert not text_only.searches_photos
    with pytest.raises(ValueError, match="image encoder"):
        text_only.search(SearchQuery(text="", image_ref=broken))


@pytest.fixture
def workers(world: World, tmp_path: Path) -> Iterator[CeleryWorkers]:
    """Eager Celery workers whose runtime is the world's (with photo search)."""
    installed = WorkerRuntime(
        renderer=None,  # type: ignore[arg-type]
        images=world.images,
        embedder=world.clip,
        index=world.index,
        searcher=world.searcher,
        moderator=BlocklistModerator([]),
        image_embedder=world.clip,
    )
    configure_celery(Settings(data_dir=tmp_path), lambda: installed)
    yield CeleryWorkers(timeout_s=30)


def test_workers_search_by_photo_and_embed_images(world: World, workers: CeleryWorkers) -> None:
    ref = world.catalog.get_products(["p5"])["p5"].image_ref
    hits = workers.search_by_photo(SearchQuery(text="", image_ref=ref, filters=ANY))
    assert hits is not None and hits[0].product.id == "p5"
    with pytest.raises(PhotoUnreadable):
        workers.search_by_photo(SearchQuery(text="", image_ref=world.images.put("x.png", b"x")))
    vectors = workers.embed_images([world.photos["p1"], b"broken", ref, "/nowhere.png"])
    assert vectors[1] is None and vectors[3] is None
    assert vectors[0] == pytest.approx(world.vector("p1"), abs=1e-5)
    assert vectors[2] == pytest.approx(world.vector("p5"), abs=1e-5)
    without_clip = WorkerRuntime(
        renderer=None,  # type: ignore[arg-type]
        images=world.images,
        embedder=world.clip,
        index=world.index,
        searcher=ProductSearcher(world.clip, world.index, world.catalog, WEIGHTS, CANDIDATES),
        moderator=BlocklistModerator([]),
    )
    configure_celery(Settings(), lambda: without_clip)
    assert workers.search_by_photo(SearchQuery(text="", image_ref=ref)) is None
    with pytest.raises(RuntimeError, match="no image encoder"):
        workers.embed_images([world.photos["p1"]])
    assert workers.zero_shot_category(ref, ["dress", "bag"]) is None, "no CLIP, no zero-shot"


def test_clip_zero_shot_names_the_closest_category_prompt(
    world: World, workers: CeleryWorkers
) -> None:
    ref = world.catalog.get_products(["p5"])["p5"].image_ref
    categories = ["dress", "bag", "footwear"]
    image = world.clip.embed_images([world.images.open(ref)])[0]
    prompts = world.clip.embed_texts([f"a photo of a {c}" for c in categories])
    expected = max(
        categories,
        key=lambda c: sum(a * b for a, b in zip(image, prompts[categories.index(c)], strict=True)),
    )
    assert workers.zero_shot_category(ref, categories) == expected
    assert workers.zero_shot_category("/nowhere.png", categories) is None


class Chat:
    """The assembled product (real PostgreSQL, eager Celery) with a worker runtime built from
    settings, serving a catalogue with (or without) image vectors."""

    def __init__(self, world: World, folder: Path, pg_url: str, photo_search: bool) -> None:
        from stylegenie.bots.wiring import assemble

        encoder = tiny_settings(folder / "configs") if photo_search else {}
        settings = Settings(data_dir=folder, database={"url": pg_url}, image_encoder=encoder)
        clip = world.clip if photo_search else None
        self.app = assemble(
            settings, lambda catalog: worker_runtime_for(settings, catalog, world.clip, clip)
        )
        self.worker = self.app.worker_runtime()
        products = list(world.catalog.get_products([p.id for p in CATALOGUE]).values())
        self.app.catalog.upsert_products(products)
        photos = [world.vector(p.id) if p.image_ref else None for p in products]
        texts = world.clip.embed_texts([p.search_text() for p in products])
        self.worker.index.upsert(products, texts, photos if photo_search else None)
        self.images = LocalImageStore(settings.image_dir)
        self.engine = self.app.engine

    def send_photo(self, data: bytes, caption: str = "") -> Any:
        from stylegenie.core.chats import ChatKey
        from stylegenie.core.conversation.state import MessageKind
        from tests.fakes.people import event

        ref = self.images.put("shopper.png", data)
        incoming = event("test:photo", MessageKind.PHOTO, text=caption, image_ref=ref)
        return self.engine.handle(ChatKey.parse("test:photo"), incoming)

    def close(self) -> None:
        self.worker.index.close()  # type: ignore[attr-defined]
        self.app.close()


@pytest.fixture
def chat(
    world: World, tmp_path: Path, pg_url: str, request: pytest.FixtureRequest
) -> Iterator[Chat]:
    """A chat with (param True) or without (False) an image encoder configured."""
    opened = Chat(world, tmp_path, pg_url, photo_search=request.param)
    yield opened
    opened.close()


@pytest.mark.parametrize("chat", [True], indirect=True)
def test_a_photo_message_is_answered_with_product_cards(chat: Chat) -> None:
    from stylegenie.core.conversation import texts

    reply = chat.send_photo(photo("green", "dot"))
    assert reply.text == texts.PHOTO_PRODUCTS_FOUND.format(narrowed="")
    assert reply.products[0].product_id == "p3" and reply.products[0].image_ref
    cheap = chat.send_photo(photo("purple", "solid"), "like this but under 50")
    assert cheap.text == texts.PHOTO_PRODUCTS_FOUND.format(narrowed=", under 50")
    assert cheap.products and all(card.price <= 50 for card in cheap.products)
    worded = chat.send_photo(photo("red"), "a red tee")
    assert worded.products and worded.products[0].product_id == "p1"
    assert chat.send_photo(b"\x89PNG broken").text == texts.PHOTO_UNREADABLE


@pytest.mark.parametrize("chat", [False], indirect=True)
def test_without_an_image_encoder_a_photo_gets_the_plain_words_fallback(chat: Chat) -> None:
    from stylegenie.core.conversation import texts

    reply = chat.send_photo(photo("green", "dot"))
    assert reply.text == texts.PHOTO_NO_CAPTION and not reply.products
    assert "isn't switched on" in reply.text
    captioned = chat.send_photo(photo("white"), "white sneakers")
    assert captioned.text.startswith(texts.PHOTO_WITH_CAPTION) and captioned.images

"""Product search over the REST API (``POST /api/v1/search``) on the assembled product: words,
filters, designs and photos, what is refused, and concurrent searches batched into one
encoder call and one index call (``SearchBatcher``) with the answers each would get alone."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from stylegenie.bots.api.search_batching import SearchBatcher
from stylegenie.bots.wiring import ranking_weights_for
from stylegenie.core.domain import ProductHit
from stylegenie.core.ports import Embedder, IndexHit, ProductIndex, SearchQuery, VectorQuery
from stylegenie.core.search import ProductSearcher
from stylegenie.core.search_query import query_from_text
from stylegenie.gpu_workers.client import CeleryWorkers
from tests.fakes.api import api_client, api_key
from tests.fakes.tiny_clip import tiny_settings

SEARCH = "/api/v1/search"
SNEAKERS = {"sg-0091", "sg-0092", "sg-0093", "sg-0094", "sg-0106"}
"""The sample catalogue's casual and sports shoes."""
WAIT_S = 30.0
"""How long a test waits for a design job before it gives up (a guard, not a measure)."""


def problem(response: Any, status: int) -> str:
    """The detail of a problem+json response, checked to have ``status``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    detail: str = response.json()["detail"]
    return detail


def found(response: Any) -> list[dict[str, Any]]:
    """The products of a 200 search answer."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["latency_ms"] >= 0
    products: list[dict[str, Any]] = body["products"]
    return products


def test_words_find_ranked_products_with_their_breakdown_and_why(make_app: Any) -> None:
    app = make_app(search={"cache_ttl_s": 0})
    with api_client(app, key=api_key(app)) as client:
        products = found(client.post(SEARCH, json={"text": "sage linen dress under 120"}))
    assert products, "the sample catalogue has sage linen dresses"
    first = products[0]
    assert set(first) == {
        "product_id", "name", "brand", "price", "currency", "url", "image_url", "score",
        "breakdown", "why",
    }  # fmt: skip
    assert all(p["price"] <= 120 for p in products)
    assert "Dress" in first["name"] and first["why"]
    assert set(first["breakdown"]) >= {"cosine", "price_alignment", "brand_score", "total"}
    scores = [p["score"] for p in products]
    assert scores == sorted(scores, reverse=True)


def test_filter_fields_narrow_the_words(make_app: Any) -> None:
    app = make_app(search={"cache_ttl_s": 0})
    with api_client(app, key=api_key(app)) as client:
        shoes = found(
            client.post(SEARCH, json={"text": "something casual", "category": "sneakers"})
        )
        boys = found(client.post(SEARCH, json={"text": "sneakers", "gender": "boys"}))
        cheap = found(
            client.post(SEARCH, json={"text": "dress", "min_price": 80, "max_price": 120})
        )
        navy = found(client.post(SEARCH, json={"text": "trainers", "colour": "navy", "top_k": 1}))
        stocked = found(client.post(SEARCH, json={"text": "burgundy velvet cocktail dress"}))
        any_stock = found(
            client.post(SEARCH, json={"text": "burgundy velvet cocktail dress", "in_stock": False})
        )
    assert shoes and {p["product_id"] for p in shoes} <= SNEAKERS
    assert [p["product_id"] for p in boys] == ["sg-0106"]
    assert cheap and all(80 <= p["price"] <= 120 for p in cheap)
    assert [p["product_id"] for p in navy] == ["sg-0092"]
    assert "sg-0009" not in {p["product_id"] for p in stocked}, "out of stock by default"
    assert any_stock[0]["product_id"] == "sg-0009"


def test_what_cannot_be_searched_is_refused_in_plain_words(make_app: Any) -> None:
    app = make_app()
    with api_client(app, key=api_key(app)) as client:
        assert "text" in problem(client.post(SEARCH, json={}), 422)
        assert "top_k" in problem(client.post(SEARCH, json={"text": "tee", "top_k": 51}), 422)
        assert "body.shop" in problem(client.post(SEARCH, json={"text": "tee", "shop": 1}), 422)
        assert "category" in problem(
            client.post(SEARCH, json={"text": "tee", "category": "spaceship"}), 422
        )
        assert "colour" in problem(
            client.post(SEARCH, json={"text": "tee", "colour": "blurple"}), 422
        )
        assert "minimum price" in problem(
            client.post(SEARCH, json={"text": "tee under 20", "min_price": 50}), 422
        )
        assert "words" in problem(client.post(SEARCH, json={"text": "?!"}), 422)
        assert "JSON" in problem(client.post(SEARCH, content=b"text=tee"), 422)
        assert problem(client.post(SEARCH, json={"design_id": "d-unknown"}), 404)
        client.headers.pop("X-API-Key")
        assert problem(client.post(SEARCH, json={"text": "tee"}), 401)


def test_a_design_finds_products_like_it_for_its_owner_only(make_app: Any) -> None:
    app = make_app(search={"cache_ttl_s": 0})
    with api_client(app, key=api_key(app)) as client:
        design_id = drawn_design(client, "a sage linen midi dress")
        products = found(client.post(SEARCH, json={"design_id": design_id, "top_k": 3}))
        assert len(products) == 3 and all("Dress" in p["name"] for p in products)
        assert "either" in problem(
            client.post(SEARCH, json={"design_id": design_id, "text": "tee"}), 422
        )
        client.headers["X-API-Key"] = api_key(app, "someone else")
        assert design_id in problem(client.post(SEARCH, json={"design_id": design_id}), 404)


def drawn_design(client: Any, brief: str) -> str:
    """The id of the first design a design job draws for ``brief``, once it is done."""
    accepted = client.post("/api/v1/generate", json={"brief": brief, "designs": 1})
    assert accepted.status_code == 202, accepted.text
    job_id = accepted.json()["id"]
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/generate/{job_id}").json()
        if job["status"] == "done":
            design_id: str = job["designs"][0]["id"]
            return design_id
        assert job["status"] != "failed", job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


def _picture() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (120, 160, 120)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_photo_without_photo_search_is_a_clear_problem(make_app: Any) -> None:
    app = make_app()
    with api_client(app, key=api_key(app)) as client:
        response = client.post(SEARCH, files={"image": ("me.png", _picture(), "image/png")})
        assert "image encoder" in problem(response, 501)
        words = client.post(SEARCH, data={"text": "sneakers", "top_k": "2"})
        assert len(found(words)) == 2, "a form without a photo searches its words"


def test_an_uploaded_photo_is_stored_and_searched_and_anything_else_refused(
    make_app: Any, tmp_path: Path
) -> None:
    app = make_app(image_encoder=tiny_settings(tmp_path / "clip").model_dump())
    stored = app.settings.image_dir
    with api_client(app, key=api_key(app)) as client:
        photo = {"image": ("me.png", _picture(), "image/png")}
        response = client.post(SEARCH, files=photo, data={"text": "dress", "max_price": "100"})
        products = found(response)
        assert products and all(p["price"] <= 100 for p in products)
        assert all("dress" in p["name"].lower() for p in products), "the words still filter"
        uploads = list(stored.glob("upload-*.png"))
        assert len(uploads) == 1 and uploads[0].read_bytes() == _picture()
        text = {"image": ("me.png", b"not a picture at all", "image/png")}
        assert "not a picture" in problem(client.post(SEARCH, files=text), 422)
        gif = io.BytesIO()
        Image.new("RGB", (8, 8)).save(gif, format="GIF")
        kinds = problem(client.post(SEARCH, files={"image": ("a.gif", gif.getvalue())}), 422)
        assert "JPEG, PNG or WebP" in kinds
        field = problem(client.post(SEARCH, data={"image": "http://127.0.0.1:9/x.png"}), 422)
        assert "file" in field, "a URL is never fetched"
    assert len(list(stored.glob("upload-*"))) == 1, "refused uploads are not stored"


class CountingEmbedder:
    """Wraps an Embedder and records the texts of each call; ``fail`` makes calls raise."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.dimension = inner, inner.dimension
        self.calls: list[list[str]] = []
        self.fail = False

    def embed_texts(self, texts: Sequence[str]) -> list[list[float]]:
        if self.fail:
            raise ConnectionError("the encoder went away")
        self.calls.append(list(texts))
        return self.inner.embed_texts(texts)


class CountingIndex:
    """Wraps a ProductIndex and records how many queries each ``search_many`` call sent."""

    def __init__(self, inner: ProductIndex) -> None:
        self.inner = inner
        self.batches: list[int] = []

    def search_many(self, queries: Sequence[VectorQuery]) -> list[list[IndexHit]]:
        self.batches.append(len(queries))
        return self.inner.search_many(queries)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


QUERIES = [
    "white sneakers",
    "sage linen dress under 120",
    "black tee for men",
    "white sneakers",
    "navy blazer",
    "red dress",
]


@pytest.fixture
def counted(make_app: Any) -> tuple[Any, CountingEmbedder, CountingIndex]:
    """The app with its worker's searcher on a counting encoder and index."""
    app = make_app()
    worker = app.worker_runtime()
    embedder, index = CountingEmbedder(worker.embedder), CountingIndex(worker.index)
    settings = app.settings
    worker.searcher = ProductSearcher(
        embedder, index, app.catalog, ranking_weights_for(settings), settings.ranking.candidates
    )
    return app, embedder, index


def _together(app: Any, queries: list[SearchQuery], window_s: float) -> list[list[ProductHit]]:
    """The queries searched concurrently through one batcher of ``len(queries)`` at most."""

    async def run() -> list[list[ProductHit]]:
        batcher = SearchBatcher(app, window_s, batch_max=len(queries))
        try:
            return list(await asyncio.gather(*(batcher.search(q) for q in queries)))
        finally:
            batcher.close()

    return asyncio.run(run())


def _summary(hits: list[ProductHit]) -> list[tuple[str, float]]:
    return [(hit.product.id, hit.score) for hit in hits]


def test_concurrent_searches_share_one_encoder_call_and_get_their_own_answers(
    counted: tuple[Any, CountingEmbedder, CountingIndex],
) -> None:
    app, embedder, index = counted
    queries = [query_from_text(text, top_k=4) for text in QUERIES]
    alone = [app.worker_runtime().searcher.search(q) for q in queries]
    embedder.calls.clear()
    together = _together(app, queries, window_s=60.0)  # full at the sixth: no timer involved
    assert len(embedder.calls) == 1, "one encoder call for the whole batch"
    assert sorted(embedder.calls[0]) == sorted(set(q.text for q in queries)), "each text once"
    assert index.batches == [len(queries)], "one batched index search"
    for one, batched in zip(alone, together, strict=True):
        assert [p for p, _ in _summary(batched)] == [p for p, _ in _summary(one)]
        assert [s for _, s in _summary(batched)] == pytest.approx([s for _, s in _summary(one)])
    assert together[0] and _summary(together[0]) == _summary(together[3])


def test_without_a_window_each_search_runs_alone(
    counted: tuple[Any, CountingEmbedder, CountingIndex],
) -> None:
    app, embedder, index = counted
    queries = [query_from_text(text, top_k=2) for text in QUERIES[:3]]
    together = _together(app, queries, window_s=0.0)
    assert len(embedder.calls) == 3 and index.batches == [1, 1, 1]
    assert all(together) and all(len(hits) <= 2 for hits in together)


def test_a_failing_batch_fails_each_of_its_searches(
    counted: tuple[Any, CountingEmbedder, CountingIndex],
) -> None:
    app, embedder, _ = counted
    embedder.fail = True
    queries = [query_from_text(text) for text in QUERIES[:2]]
    with pytest.raises(ConnectionError):
        _together(app, queries, window_s=60.0)
    embedder.fail = False
    assert _together(app, queries[:1], window_s=60.0)[0], "the next batch runs"


def test_concurrent_requests_are_answered_as_each_alone(make_app: Any) -> None:
    app = make_app(search={"cache_ttl_s": 0}, api={"search_batch_window_ms": 50})
    with api_client(app, key=api_key(app)) as client:
        alone = [found(client.post(SEARCH, json={"text": text})) for text in QUERIES]

        with ThreadPoolExecutor(len(QUERIES)) as pool:
            sent = pool.map(lambda text: client.post(SEARCH, json={"text": text}), QUERIES)
            together = [found(response) for response in sent]
    for one, batched in zip(alone, together, strict=True):
        assert [p["product_id"] for p in batched] == [p["product_id"] for p in one]


def test_a_batched_index_search_answers_each_query_as_alone(make_app: Any) -> None:
    app = make_app()
    worker = app.worker_runtime()
    queries = [query_from_text(text) for text in QUERIES]
    vectors = worker.embedder.embed_texts([q.text for q in queries])
    batch = [VectorQuery(v, q.filters, 20) for v, q in zip(vectors, queries, strict=True)]
    together = worker.index.search_many(batch)
    alone = [worker.index.search(v, q.filters, 20) for v, q in zip(vectors, queries, strict=True)]
    assert [[h.product_id for h in hits] for hits in together] == [
        [h.product_id for h in hits] for hits in alone
    ]
    assert sum(map(bool, together)) >= 4 and worker.index.search_many([]) == []


def test_a_batch_travels_as_one_celery_task_and_comes_back_whole(make_app: Any) -> None:
    app = make_app()
    queries = [query_from_text(text, top_k=3) for text in QUERIES]
    direct = app.worker_runtime().searcher.search_many(queries)
    through_celery = CeleryWorkers(timeout_s=30).search_many(queries)
    assert through_celery == direct and any(through_celery)


def test_the_openapi_document_describes_both_bodies_with_examples(make_app: Any) -> None:
    app = make_app()
    with api_client(app) as client:
        document = client.get("/openapi.json").json()
    operation = document["paths"][SEARCH]["post"]
    bodies = operation["requestBody"]["content"]
    assert bodies["application/json"]["schema"]["examples"]
    upload = bodies["multipart/form-data"]["schema"]["properties"]
    assert upload["image"]["format"] == "binary" and "colour" in upload
    assert {"404", "422", "501"} <= set(operation["responses"])
    assert "/api/v1/ateliers" in document["paths"] and "/api/v1/leads" in document["paths"]

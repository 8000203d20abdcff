"""The embedded adapters: preview cards, the image folder, feeds, sessions and rate limits."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import redis
from PIL import Image

from stylegenie.adapters.feeds import FeedError, read_products
from stylegenie.adapters.image_store import LocalImageStore
from stylegenie.adapters.memory_stores import MemoryRateLimiter, MemorySessionStore
from stylegenie.adapters.preview_renderer import LABEL, PreviewCardRenderer
from stylegenie.adapters.redis_stores import RedisRateLimiter, RedisSessionStore
from stylegenie.core.domain import Design, DesignBrief


def design(seed: int, garment: str = "dress", category: str = "dress") -> Design:
    brief = DesignBrief(
        garment=garment, category=category, colours=["Green", "Cream"], fabric="linen"
    )
    return Design(brief=brief, caption="Linen dress", prompt="p", seed=seed, model="preview-card")


def test_preview_cards_are_labelled_pngs_and_the_same_seed_gives_the_same_bytes() -> None:
    renderer = PreviewCardRenderer(size=128)
    first, again, other = (
        renderer.card(design(7)),
        renderer.card(design(7)),
        renderer.card(design(8)),
    )
    assert first == again and first != other
    image = Image.open(io.BytesIO(first))
    assert image.format == "PNG" and image.size == (128, 128)
    assert LABEL.startswith("SKETCH PREVIEW")
    assert image.getpixel((2, 2)) == (30, 30, 30), "the top band carries the SKETCH label"
    trousers = renderer.card(design(7, "trousers", "trousers"))
    assert trousers != first, "each garment family is its own sketch"
    seen: list[tuple[int, int]] = []
    assert renderer.render(
        [design(7), design(8)], lambda done, total: seen.append((done, total))
    ) == [first, other]
    assert seen == [(1, 2), (2, 2)]


def test_the_image_folder_refuses_paths_outside_it(tmp_path: Path) -> None:
    store = LocalImageStore(tmp_path / "images")
    ref = store.put("d-1.png", b"png bytes")
    assert store.open(ref) == b"png bytes"
    with pytest.raises(ValueError):
        store.put("../escape.png", b"x")
    with pytest.raises(ValueError):
        store.open(str(tmp_path / "elsewhere.png"))


def test_a_bad_feed_reports_each_bad_row_and_keeps_the_good_ones(tmp_path: Path) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_bytes(
        b"id,name,price,sizes\n"
        b"p1,Good tee,19.5,S|M\n"
        b"p2,Bad price,N/A,\n"
        b"p3,Negative,-4,\n"
        b"p4,Caf\xe9 shirt,30,\n"
        b",No id,10,\n"
    )
    products, errors = read_products(feed)
    assert [p.id for p in products] == ["p1", "p4"]
    assert products[0].sizes == ["S", "M"] and "Caf" in products[1].name
    assert [e.split(":")[0] for e in errors] == ["line 3", "line 4", "line 6"]
    assert "price" in errors[0]
    with pytest.raises(FeedError):
        read_products(tmp_path / "missing.csv")


def test_a_jsonl_feed_reports_lines_that_are_not_objects(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"id": "p1", "name": "Tee", "price": 10}\nnot json\n[1, 2]\n')
    products, errors = read_products(feed)
    assert [p.id for p in products] == ["p1"] and len(errors) == 2


def test_memory_sessions_hand_out_copies() -> None:
    store = MemorySessionStore()
    state = {"stage": "new", "designs": []}
    store.save("k", state)
    state["designs"].append("changed later")
    assert store.load("k") == {"stage": "new", "designs": []} and store.load("other") is None


def test_the_memory_rate_limiter_uses_a_sliding_minute() -> None:
    now = [0.0]
    limiter = MemoryRateLimiter(per_minute=2, clock=lambda: now[0])
    assert [limiter.allow("a"), limiter.allow("a"), limiter.allow("a"), limiter.allow("b")] == [
        True,
        True,
        False,
        True,
    ]
    now[0] = 61.0
    assert limiter.allow("a")


def test_redis_sessions_and_limits_are_shared_between_clients(redis_prefix: str) -> None:
    url = "redis://127.0.0.1:6379/0"
    first, second = redis.Redis.from_url(url), redis.Redis.from_url(url)
    RedisSessionStore(first, redis_prefix).save("telegram:1", {"stage": "designs"})
    assert RedisSessionStore(second, redis_prefix).load("telegram:1") == {"stage": "designs"}
    assert first.ttl(f"{redis_prefix}session:telegram:1") > 0
    limit_a = RedisRateLimiter(first, redis_prefix, per_minute=2)
    limit_b = RedisRateLimiter(second, redis_prefix, per_minute=2)
    assert [limit_a.allow("u"), limit_b.allow("u"), limit_a.allow("u")] == [True, True, False]

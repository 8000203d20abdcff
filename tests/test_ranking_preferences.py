"""The attribute-match term: the shopper's shade and fabric words put products first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest

from stylegenie.bots.wiring import ranking_weights_for
from stylegenie.config import Settings
from stylegenie.core.domain import DesignBrief, Product
from stylegenie.core.ranking import rank, score_product
from stylegenie.core.search import ProductSearcher
from stylegenie.core.search_query import query_from_brief
from tests.fakes.ports import FixedEmbedder, MemoryCatalog, MemoryIndex

WEIGHTS = ranking_weights_for(Settings())


def dress(pid: str, name: str, **fields: str) -> Product:
    """A green dress of its own brand (so no two collapse as duplicate listings)."""
    return Product(
        id=pid, name=name, brand=pid, article_type="Dresses", colour="Green", price=60, **fields
    )


PLAIN = dress("plain", "Green Midi Dress")
SAGE = dress("sage", "Midi Dress", description="A soft sage green midi.")
LINEN = dress("linen", "Green Midi Dress", fabric="Linen")
SATIN = dress("satin", "Green Midi Dress", fabric="Satin")
SAGE_LINEN = dress("both", "Sage Linen Midi Dress")


def order(pairs: list[tuple[Product, float]], terms: Sequence[str], **weights: float) -> list[str]:
    hits = rank(pairs, replace(WEIGHTS, **weights), prefer_terms=terms)
    return [hit.product.id for hit in hits]


def test_a_sage_product_ranks_before_a_plain_green_one_of_equal_cosine() -> None:
    hits = rank([(PLAIN, 0.6), (SAGE, 0.6)], WEIGHTS, prefer_terms=["sage"])
    assert [hit.product.id for hit in hits] == ["sage", "plain"]
    assert "sage, like you asked" in hits[0].why
    assert "like you asked" not in hits[1].why
    assert hits[0].score == pytest.approx(hits[1].score + WEIGHTS.epsilon, abs=1e-4)


def test_a_linen_product_ranks_before_a_satin_one() -> None:
    assert order([(SATIN, 0.61), (LINEN, 0.6)], ["linen"]) == ["linen", "satin"]


def test_the_term_is_the_share_of_words_matched() -> None:
    """Sage and linen both named beats one of them; the weight is split between the words."""
    pairs = [(SAGE, 0.6), (LINEN, 0.6), (SAGE_LINEN, 0.6), (PLAIN, 0.6)]
    assert order(pairs, ["sage", "linen"])[0] == "both"
    assert order(pairs, ["sage", "linen"])[-1] == "plain"
    hits = rank([(SAGE_LINEN, 0.6)], WEIGHTS, prefer_terms=["sage", "linen"])
    assert "sage linen, like you asked" in hits[0].why
    one = score_product(SAGE, 0.6, WEIGHTS, prefer_terms=["sage", "linen"])
    none = score_product(PLAIN, 0.6, WEIGHTS, prefer_terms=["sage", "linen"])
    assert one.total == pytest.approx(none.total + WEIGHTS.epsilon / 2, abs=1e-4)


@pytest.mark.parametrize(
    ("name", "matches"),
    [
        ("SAGE wrap dress", True),
        ("Sage-green wrap dress", True),
        ("Linens wrap dress", True),
        ("Passage wrap dress", False),
        ("Sagebrush wrap dress", False),
    ],
)
def test_words_match_whole_and_in_any_case(name: str, matches: bool) -> None:
    product = dress("x", name)
    why = rank([(product, 0.5)], WEIGHTS, prefer_terms=["sage", "linen"])[0].why
    assert ("like you asked" in why) is matches


def test_without_words_or_weight_the_order_is_the_formula_of_before() -> None:
    pairs = [(SAGE, 0.5), (PLAIN, 0.6)]
    assert order(pairs, []) == ["plain", "sage"]
    assert order(pairs, ["sage"], epsilon=0.0) == ["plain", "sage"]
    plain = score_product(PLAIN, 0.6, WEIGHTS)
    assert plain.total == score_product(PLAIN, 0.6, WEIGHTS, prefer_terms=["sage"]).total


def test_the_searcher_ranks_by_the_briefs_shade_and_fabric() -> None:
    """A brief's shades and fabric reach the ranking through the query."""
    products = [PLAIN, SATIN, SAGE, LINEN, SAGE_LINEN]
    searcher = ProductSearcher(
        FixedEmbedder(),
        MemoryIndex(products, cosine=0.55),
        MemoryCatalog(products),
        WEIGHTS,
        Settings().ranking.candidates,
    )
    brief = DesignBrief(garment="dress", colours=["Green"], shades=["sage"], fabric="linen")
    ids = [hit.product.id for hit in searcher.search(query_from_brief(brief, top_k=5))]
    assert ids[0] == "both"
    assert set(ids[1:3]) == {"sage", "linen"} and set(ids[3:]) == {"plain", "satin"}

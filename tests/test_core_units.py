"""Unit behaviour of the core's pure parts: ranking, prompts, search queries, matching, state."""

from __future__ import annotations

from dataclasses import replace

import pytest

from stylegenie.bots.wiring import ranking_weights_for
from stylegenie.config import Settings
from stylegenie.core.conversation.state import ConversationState, MessageKind, Stage
from stylegenie.core.domain import DesignBrief, Product
from stylegenie.core.prompting import designs_for_brief, prompt_from_brief, variations_of
from stylegenie.core.ranking import RankingWeights, price_alignment, rank, score_product
from stylegenie.core.search_query import query_from_brief
from tests.fakes.people import text

WEIGHTS = ranking_weights_for(Settings())


def product(pid: str, price: float, **fields: object) -> Product:
    return Product(id=pid, name=f"Item {pid}", price=price, **fields)  # type: ignore[arg-type]


def test_price_alignment_prefers_prices_inside_the_budget() -> None:
    assert price_alignment(50, None, None) == 0.5
    assert price_alignment(50, 40, 60) == 1.0
    assert price_alignment(20, None, 100) > price_alignment(90, None, 100) >= 0.5
    assert price_alignment(150, None, 100) < 0.5
    assert price_alignment(10, 40, None) < 0.5


def test_score_is_the_weighted_sum_and_keeps_every_term() -> None:
    weights = RankingWeights(alpha=0.5, beta=0.2, gamma=0.2, delta=0.1, epsilon=0.1)
    item = product("a", 40, brand_score=0.8, in_stock=True)
    breakdown = score_product(item, cosine=0.9, weights=weights, budget_max=80)
    expected = 0.5 * 0.9 + 0.2 * price_alignment(40, None, 80) + 0.2 * 0.8 + 0.1 * 1.0
    assert breakdown.total == pytest.approx(expected, abs=1e-4)
    assert (breakdown.cosine, breakdown.brand_score, breakdown.availability) == (0.9, 0.8, 1.0)


def test_rank_orders_best_first_and_collapses_duplicate_listings() -> None:
    twin_a = product("a", 30, brand="Acme", colour="Red")
    twin_b = product("b", 30, brand="Acme", colour="Red").model_copy(update={"name": "item A"})
    other = product("c", 30, brand="Other", colour="Red")
    hits = rank([(twin_a, 0.5), (twin_b, 0.9), (other, 0.7)], WEIGHTS)
    assert [hit.product.id for hit in hits] == ["b", "c"]
    assert all(hit.why for hit in hits)


def test_weights_change_the_order() -> None:
    cheap_far = product("cheap", 10, brand_score=0.1)
    dear_close = product("dear", 95, brand_score=0.9)
    pairs = [(cheap_far, 0.3), (dear_close, 0.8)]
    by_similarity = rank(pairs, replace(WEIGHTS, alpha=1, beta=0, gamma=0, delta=0), budget_max=100)
    by_price = rank(pairs, replace(WEIGHTS, alpha=0, beta=1, gamma=0, delta=0), budget_max=100)
    assert by_similarity[0].product.id == "dear" and by_price[0].product.id == "cheap"


def test_a_brief_becomes_a_prompt_and_filters() -> None:
    brief = DesignBrief(
        garment="dress",
        article_types=["Dresses"],
        colours=["Green"],
        fabric="linen",
        sleeves="long",
        occasion="garden wedding",
        gender="women",
        budget_max=120,
    )
    prompt = prompt_from_brief(brief)
    for word in ("green linen dress", "long sleeves", "garden wedding", "a woman"):
        assert word in prompt
    query = query_from_brief(brief, top_k=4)
    assert query.filters.max_price == 120 and query.filters.article_types == ["Dresses"]
    assert query.filters.genders == ["women", "unisex"] and query.top_k == 4


def test_designs_record_distinct_seeds_and_variations_link_their_parent() -> None:
    designs = designs_for_brief(DesignBrief(garment="coat"), 3, "preview-card")
    assert len({d.seed for d in designs}) == 3 and len({d.id for d in designs}) == 3
    children = variations_of(designs[0], 2, strength=0.45)
    assert all(c.parent_id == designs[0].id and c.prompt == designs[0].prompt for c in children)
    assert designs[0].id not in {c.id for c in children}


def test_a_brief_update_replaces_only_what_it_mentions() -> None:
    brief = DesignBrief(garment="dress", colours=["Red"], budget_max=80)
    merged = brief.merged(DesignBrief(colours=["Green"]))
    assert (merged.garment, merged.colours, merged.budget_max) == ("dress", ["Green"], 80)
    assert DesignBrief(budget_min=90, budget_max=40).budget_min == 40


def test_typed_commands_and_state_reset() -> None:
    command = text("test:1", "/budget@StyleGenieBot 80")
    assert (command.kind, command.command, command.text) == (MessageKind.COMMAND, "budget", "80")
    assert text("test:1", "/").kind is MessageKind.TEXT
    state = ConversationState(stage=Stage.PICKED, pieces=[DesignBrief(garment="tee")], turns=7)
    state.focus = 0
    state.reset()
    assert state.stage is Stage.NEW and not state.pieces and state.turns == 7
    assert state.brief.garment is None


def test_rank_builds_only_the_hits_asked_for_in_the_same_order() -> None:
    pairs = [(product(str(i), 20 + i, brand=f"B{i}"), 0.1 * i) for i in range(8)]
    everything = rank(pairs, WEIGHTS, budget_max=50)
    top = rank(pairs, WEIGHTS, budget_max=50, limit=3)
    assert [hit.product.id for hit in top] == [hit.product.id for hit in everything[:3]]
    assert top == everything[:3]

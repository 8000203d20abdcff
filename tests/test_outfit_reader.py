"""The rule-based reader's outfit contract: pieces, targets, intents, negation, who it is for."""

from __future__ import annotations

import pytest

from stylegenie.core.domain import DesignBrief
from stylegenie.core.understanding.rules import RuleBasedBriefReader
from stylegenie.core.understanding.turn import TurnContext, TurnUpdate

JEANS = DesignBrief(garment="jeans", category="jeans", article_types=["Jeans"], colours=["Black"])
JUMPER = DesignBrief(garment="sweater", category="knitwear", article_types=["Sweaters"])
SHORTS = DesignBrief(garment="shorts", category="shorts", article_types=["Shorts"])


def read(
    text: str, *outfit: DesignBrief, focus: int = 0, question: str | None = None
) -> TurnUpdate:
    context = TurnContext(outfit=list(outfit), focus=focus if outfit else None, question=question)
    return RuleBasedBriefReader().read(text, context)


def test_two_garments_make_two_pieces_with_their_own_attributes_and_a_shared_occasion() -> None:
    update = read("navy chinos and a white linen shirt for a summer office")
    assert update.intent == "new"
    chinos, shirt = (p.brief for p in update.pieces)
    assert (chinos.article_types, chinos.colours, chinos.fabric) == (
        ["Trousers"],
        ["Navy Blue"],
        None,
    )
    assert (shirt.article_types, shirt.colours, shirt.fabric) == (["Shirts"], ["White"], "linen")
    assert chinos.occasion == shirt.occasion == "office"


def test_adjacent_garment_words_are_one_piece() -> None:
    (bag,) = read("my mom wants a quilted crossbody bag").pieces
    assert bag.brief.article_types == ["Handbags"]


@pytest.mark.parametrize(
    ("text", "target", "garment"),
    [
        ("change the jumper to mustard", 1, "sweater"),
        ("straight leg jeans please", 0, "jeans"),
        ("make the jeans a skirt instead", 0, "skirt"),
    ],
)
def test_a_named_piece_is_the_one_refined(text: str, target: int, garment: str) -> None:
    update = read(text, JEANS, JUMPER, focus=0)
    assert update.intent == "refine"
    (piece,) = update.pieces
    assert piece.piece == target and (piece.brief.garment or "") in (garment, "")


def test_a_change_keeps_the_piece_and_a_new_garment_starts_a_new_look() -> None:
    changed = read("no wait, trousers, not shorts", SHORTS)
    assert changed.intent == "refine" and changed.pieces[0].piece == 0
    assert changed.pieces[0].brief.article_types == ["Trousers"]
    assert read("a yellow raincoat", JEANS).intent == "new"
    added = read("and a belt to go with it", JEANS)
    assert added.intent == "add" and added.pieces[0].piece is None


def test_every_piece_or_the_focused_one() -> None:
    each = read("each one under 78", JEANS, JUMPER, focus=1)
    assert [p.piece for p in each.pieces] == [0, 1]
    assert [p.piece for p in read("under 78", JEANS, JUMPER, focus=1).pieces] == [1]


def test_negation_and_shades() -> None:
    (piece,) = read("wait, not orange — sage", SHORTS).pieces
    assert piece.brief.colours == ["Green"] and piece.brief.shades == ["sage"]
    assert piece.brief.avoid_colours == ["Orange"]
    (belt,) = read("BELT FOR MY BOYFRIEND, ANYTHING BUT BROWN").pieces
    assert belt.brief.avoid_colours == ["Brown"] and not belt.brief.colours


@pytest.mark.parametrize(
    ("text", "gender", "age_group"),
    [
        ("a coat for my 6 year old", None, "kids"),
        ("football boots for my 7-year-old boy", "boys", "kids"),
        ("a shirt for my husband", "men", "adult"),
        ("pyjamas for my mum", "women", "adult"),
        ("a raincoat for my daughter", "girls", "kids"),
    ],
)
def test_who_it_is_for(text: str, gender: str | None, age_group: str) -> None:
    shopper = read(text).shopper
    assert (shopper.gender, shopper.age_group) == (gender, age_group)


def test_a_pronoun_for_a_child_is_a_childs_gender() -> None:
    kid = DesignBrief(garment="jacket", article_types=["Jackets"], age_group="kids")
    assert read("she loves pink", kid).shopper.gender == "girls"


def test_typos_of_garments_are_corrected_but_words_of_their_own_are_not() -> None:
    assert read("a beige blazr for work").pieces[0].brief.article_types == ["Blazers"]
    assert read("cherry red lofers").pieces[0].brief.garment == "loafers"
    assert [p.brief.garment for p in read("my sister wants a red dress").pieces] == ["dress"]


def test_a_bare_number_is_a_budget_only_when_one_was_asked_for() -> None:
    assert read("5", SHORTS).intent == "none"
    update = read("5", SHORTS, question="budget")
    assert update.budget_only() and update.pieces[0].brief.budget_max == 5


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("what do you suggest?", "suggest"),
        ("no idea, you tell me", "suggest"),
        ("surprise me", "suggest"),
        ("show me some products", "products"),
        ("who can make it?", "ateliers"),
        ("add a slit at the side", "refine"),
        ("🤷", "none"),
    ],
)
def test_intents_without_a_garment(text: str, intent: str) -> None:
    assert read(text, SHORTS).intent == intent

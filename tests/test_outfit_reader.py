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


class _Cities:
    """A geocoder that knows two cities, as the GeoNames one knows thousands."""

    def locate(self, city: str, country: str | None = None) -> object | None:
        from stylegenie.core.ports import Place

        known = {"denver": Place(name="Denver", country="US", latitude=39.7, longitude=-105.0)}
        return known.get(city.lower())


def test_a_city_after_im_in_is_any_city_the_geocoder_knows() -> None:
    reader = RuleBasedBriefReader(_Cities())  # type: ignore[arg-type]
    assert reader.read("a fleece jacket, i'm in Denver", TurnContext()).shopper.city == "Denver"
    assert reader.read("I'm in a hurry, a red dress", TurnContext()).shopper.city is None
    assert read("a fleece jacket, i'm in Denver").shopper.city is None, "no geocoder, no Denver"


def test_what_the_shopper_wore_before_is_not_what_they_want() -> None:
    update = read("last year i was in a hoodie like an idiot, so a navy fleece jacket")
    assert [p.brief.garment for p in update.pieces] == ["jacket"]


def test_hardware_colours_matching_pieces_and_budget_words() -> None:
    (belt,) = read("a black belt with a silver buckle").pieces
    assert belt.brief.colours == ["Black"] and "silver buckle" in belt.brief.style_notes
    hoodie, joggers = read("a grey marl hoodie and matching joggers").pieces
    assert joggers.brief.colours == hoodie.brief.colours == ["Grey Melange"]
    (dress,) = read("tops 60", JEANS).pieces
    assert dress.piece == 0 and dress.brief.budget_max == 60 and not dress.brief.garment


def test_a_negated_list_and_a_colour_both_wanted_and_ruled_out() -> None:
    (shoes,) = read("trainers, anything except pink or purple").pieces
    assert shoes.brief.avoid_colours == ["Pink", "Purple"]
    (dress,) = read("everyone wears pink but I look awful in pink, so a navy dress").pieces
    assert dress.brief.colours == ["Navy Blue"] and dress.brief.avoid_colours == ["Pink"]

"""The conversation as a shopper meets it: outfits, who it is for, budgets in currencies,
designs that differ, and a lead that carries the brief as it is when sent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from test_conversation import Channels, Shopper

from stylegenie.core.conversation import texts
from stylegenie.core.conversation.state import ConversationState
from stylegenie.core.domain import LeadStatus


def _genders(app: Any, reply: Any) -> set[str]:
    ids = [card.product_id for card in reply.products]
    return {product.gender for product in app.catalog.get_products(ids).values()}


def test_a_child_gets_childrens_products_and_an_adult_never_does(make_app: Any) -> None:
    app = make_app()
    child = Shopper(app, "test:parent")
    child.send("a warm jacket for my 6 year old")
    kids = child.send("/products")
    assert kids.products, kids.text
    assert _genders(app, kids) <= {"boys", "girls"}

    adult = Shopper(app, "test:guest")
    adult.send("a dress for a wedding guest")
    grown = adult.send("/products")
    assert grown.products, grown.text
    assert not _genders(app, grown) & {"boys", "girls"}


def test_a_shade_ranks_its_own_products_first(make_app: Any) -> None:
    shopper = Shopper(make_app())
    shopper.send("a sage dress")
    found = shopper.send("/products")
    assert found.products and "sage" in found.products[0].name.lower(), found.products


def test_a_budget_in_another_currency_is_converted_and_said_so(make_app: Any) -> None:
    app = make_app()
    rupees = Shopper(app, "test:rupees")
    rupees.send("a linen shirt under 5000 INR")
    found = rupees.send("/products")
    rate = app.settings.exchange_rates["INR"]
    assert found.products and all(card.price <= 5000 * rate + 0.01 for card in found.products)
    assert "EUR" in found.text and "INR" in found.text

    yen = Shopper(app, "test:yen")
    yen.send("a linen shirt")
    refused = yen.send("under 9000 yen")
    assert refused.text.startswith("I can't convert JPY"), refused.text
    assert yen.state().brief.budget_max is None


def test_an_impossible_budget_is_not_stored_and_nothing_breaks(make_app: Any) -> None:
    shopper = Shopper(make_app())
    shopper.send("a black t-shirt under 30")
    reply = shopper.send("under 1" + "0" * 400)
    assert reply.text.startswith("I didn't catch"), reply.text
    assert shopper.state().brief.budget_max == 30
    assert shopper.send("/products").products


def test_designs_differ_and_say_how_in_plain_words(make_app: Any) -> None:
    shopper = Shopper(make_app())
    designs = shopper.send("a sage linen dress")
    captions = [image.caption for image in designs.images]
    assert len(set(captions)) == 3, captions
    assert all("linen" in c and "seed" not in c and "preview" not in c for c in captions)
    pictures = {Path(image.ref).read_bytes() for image in designs.images}
    assert len(pictures) == 3
    state = shopper.state()
    assert len({(d.brief.silhouette, d.brief.sleeves) for d in state.designs}) == 3
    assert all(d.brief.fabric == "linen" and d.brief.colours == ["Green"] for d in state.designs)

    shopper.press("Pick 2")
    picked = shopper.state().designs[1].brief
    assert shopper.state().brief.silhouette == picked.silhouette, "the pick fixes its variant"


def test_a_look_of_two_pieces_is_drawn_together_and_shopped_per_piece(make_app: Any) -> None:
    shopper = Shopper(make_app())
    look = shopper.send("khaki chinos and a white linen shirt for the office")
    assert len(look.images) == 3
    assert all(len(d.companions) == 1 for d in shopper.state().designs)
    shopper.send("the chinos under 60")
    shopper.send("the shirt under 50")
    found = shopper.send("/products")
    assert found.text.startswith(texts.LOOK_PRODUCTS_FOUND)
    chinos = [c for c in found.products if c.why.startswith("for the chinos")]
    shirts = [c for c in found.products if c.why.startswith("for the shirt")]
    assert chinos and shirts
    assert all(c.price <= 60 for c in chinos) and all(c.price <= 50 for c in shirts)


def test_a_number_is_a_button_or_a_budget_only_when_that_was_asked(make_app: Any) -> None:
    shopper = Shopper(make_app())
    shopper.send("a red silk evening dress")
    pressed = shopper.send("2")
    assert pressed.text.startswith("Lovely choice"), "a number on screen presses that button"
    assert shopper.send("9").text.startswith("There's no button 9")
    shopper.send("/saved")
    assert shopper.send("5").text == texts.NUMBER_UNCLEAR.format(number=5)
    assert shopper.send("/budget").text == texts.ASK_BUDGET
    assert "under 70" in shopper.send("70").text
    assert shopper.state().brief.budget_max == 70


def test_a_refused_command_does_not_swallow_the_next_message(make_app: Any) -> None:
    shopper = Shopper(make_app())
    assert shopper.send("/budget abc").text == texts.BAD_BUDGET
    reply = shopper.send("a sequinned dress under 100 €")
    assert len(reply.images) == 3, reply.text
    assert shopper.state().brief.budget_max == 100


def test_asking_for_ideas_gives_buttons_that_describe_an_outfit(make_app: Any) -> None:
    shopper = Shopper(make_app())
    ideas = shopper.send("what do you suggest?")
    assert "?" in ideas.text and len(ideas.choices) >= 2 and not ideas.images
    label = ideas.choices[0].label
    drawn = shopper.press(label)
    assert len(drawn.images) == 3
    assert shopper.state().pieces, "the idea became the outfit"


def test_the_lead_carries_the_brief_as_it_is_when_sent(make_app: Any) -> None:
    app = make_app()
    Channels(app)
    shopper = Shopper(app)
    shopper.send("a sage linen dress under 40")
    shopper.press("Pick 1")
    shopper.send("actually under 250")
    shopper.send("I'm in Lisbon")
    ateliers = shopper.press("Find an atelier")
    assert ateliers.ateliers, ateliers.text
    shopper.press_id(ateliers.choices[0].id)
    shopper.press(f"Send to {ateliers.ateliers[0].name}")
    app.run_lead_outbox()
    (lead,) = app.leads.leads_for_user(shopper.key)
    assert lead.status is LeadStatus.SENT
    assert lead.design.brief.budget_max == 250 and lead.design.brief.city == "Lisbon"
    assert lead.request.budget_max == 250


def test_a_state_saved_before_outfits_goes_on_as_a_one_piece_outfit() -> None:
    old = {"stage": "designs", "brief": {"garment": "dress", "colours": ["Red"]}, "turns": 3}
    state = ConversationState.model_validate(old)
    assert [p.garment for p in state.pieces] == ["dress"] and state.focus == 0
    assert state.brief.colours == ["Red"]


def test_ideas_fit_who_it_is_for_and_the_occasion() -> None:
    from stylegenie.core.conversation.suggestions import ideas_for
    from stylegenie.core.domain import DesignBrief

    party = ideas_for(DesignBrief(age_group="kids", occasion="party"))
    assert "a tulle party dress" in party and "a navy slim fit suit" not in party
    office = ideas_for(DesignBrief(gender="men", occasion="office"))
    assert office == ["a charcoal slim fit suit", "a light blue shirt", "navy chinos"]
    women = DesignBrief(gender="women", occasion="wedding")
    first = ideas_for(women)
    assert len(first) == 3 and len(set(first)) == 3

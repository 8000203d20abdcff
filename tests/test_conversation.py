"""The conversation engine end to end: embedded backends, real PostgreSQL and Milvus Lite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stylegenie.core.conversation import texts
from stylegenie.core.conversation.state import ConversationState, Incoming, MessageKind
from stylegenie.core.domain import LeadStatus
from stylegenie.core.reply import Reply

REDIS_URL = "redis://127.0.0.1:6379/0"


class Shopper:
    """Drives one chat of an assembled app the way a front-end would."""

    def __init__(self, app: Any, key: str = "test:shopper") -> None:
        self.app = app
        self.key = key
        self.last = Reply(text="")
        self.progress: list[str] = []

    def send(self, text: str) -> Reply:
        self.last = self.app.engine.handle(self.key, Incoming.from_text(text), self.progress.append)
        return self.last

    def press(self, label: str) -> Reply:
        choice = next(c for c in self.last.choices if c.label == label)
        return self.press_id(choice.id)

    def state(self) -> ConversationState:
        """The chat's state as the engine saved it after the last turn."""
        return ConversationState.model_validate(self.app.engine._services.sessions.load(self.key))

    def press_id(self, choice_id: str) -> Reply:
        self.last = self.app.engine.handle(
            self.key, Incoming.choice(choice_id), self.progress.append
        )
        return self.last


def test_whole_journey_from_greeting_to_lead(make_app: Any) -> None:
    app = make_app()
    shopper = Shopper(app)
    assert "StyleGenie" in shopper.send("/start").text

    asked = shopper.send("something flowy for a garden wedding, I'm in Lisbon")
    assert "What should it be" in asked.text and not asked.images

    designs = shopper.send("a dress in sage green, under 120")
    assert len(designs.images) == 3
    assert all(Path(image.ref).is_file() for image in designs.images)
    assert [c.label for c in designs.choices][:3] == ["Pick 1", "Pick 2", "Pick 3"]
    assert any("Drawing 3 designs" in note for note in shopper.progress)

    picked = shopper.press("Pick 2")
    assert picked.images and "products" in picked.text

    products = shopper.press("Show products")
    assert products.products, products.text
    assert all(card.price <= 120 for card in products.products)
    assert all(card.why for card in products.products)

    ateliers = shopper.press("Find an atelier")
    assert ateliers.ateliers, ateliers.text
    assert ateliers.ateliers[0].city == "Lisbon"

    sent = shopper.press_id(ateliers.choices[0].id)
    assert ateliers.ateliers[0].name in sent.text
    leads = app.leads.leads_for_user(shopper.key)
    assert [lead.status for lead in leads] == [LeadStatus.SENT]
    assert leads[0].design.brief.garment


def test_refinements_edit_the_current_brief(make_app: Any) -> None:
    shopper = Shopper(make_app())
    shopper.send("a red linen dress for a party")
    first_ids = [c.id for c in shopper.last.choices]

    shopper.send("make it green")
    brief = shopper.state().brief
    assert brief.colours == ["Green"]
    assert brief.fabric == "linen" and brief.garment
    assert [c.id for c in shopper.last.choices] != first_ids, "a colour change draws new designs"

    redrawn_ids = [c.id for c in shopper.last.choices]
    budget = shopper.send("under 80")
    assert "under 80" in budget.text and not budget.images, "a budget alone keeps the designs"
    assert [c.id for c in budget.choices] == redrawn_ids

    jumpsuit = shopper.send("actually a jumpsuit")
    assert "jumpsuit" in jumpsuit.text.lower() and len(jumpsuit.images) == 3


def test_an_old_button_after_a_new_conversation_says_it_expired(make_app: Any) -> None:
    shopper = Shopper(make_app())
    shopper.send("black leather jacket")
    old_pick = shopper.last.choices[0].id
    shopper.send("/new")
    reply = shopper.press_id(old_pick)
    assert reply.text.startswith(texts.STALE_BUTTON)
    assert shopper.press_id("lead:nobody").text.startswith(texts.STALE_BUTTON)
    assert shopper.press_id("no-such-button").text.startswith(texts.STALE_BUTTON)


@pytest.mark.parametrize(
    ("incoming", "expected"),
    [
        (Incoming(kind=MessageKind.TEXT, text="   "), texts.EMPTY_MESSAGE),
        (Incoming(kind=MessageKind.STICKER), texts.STICKER),
        (Incoming(kind=MessageKind.PHOTO), texts.PHOTO_NO_CAPTION),
        (Incoming(kind=MessageKind.OTHER), texts.OTHER_MEDIA),
        (Incoming.from_text("/teleport now"), "I don't know /teleport"),
        (Incoming.from_text("🤷"), texts.ASK_TO_DESCRIBE),
        (Incoming.from_text("/products"), texts.NEED_DESIGN_FIRST),
        (Incoming.from_text("/save"), texts.NOTHING_TO_SAVE),
        (Incoming.from_text("/saved"), texts.NO_SAVED),
    ],
)
def test_every_kind_of_message_gets_a_helpful_reply(
    make_app: Any, incoming: Incoming, expected: str
) -> None:
    reply = make_app().engine.handle("test:odd", incoming)
    assert reply.text.startswith(expected)


def test_budgets_that_are_not_positive_numbers_are_refused_plainly(make_app: Any) -> None:
    shopper = Shopper(make_app())
    assert shopper.send("/budget").text == texts.ASK_BUDGET
    assert shopper.send("cheap please").text == texts.BAD_BUDGET
    assert shopper.send("-20").text == texts.BAD_BUDGET
    assert "40–60" in shopper.send("between 40 and 60").text
    assert shopper.send("/budget 90").text.startswith("Budget set: under 90")


def test_a_huge_message_is_read_in_part_and_answered(make_app: Any) -> None:
    reply = Shopper(make_app()).send("blue cotton shirt " + "x" * 10_000)
    assert reply.text.startswith("That's a long message")
    assert len(reply.images) == 3


def test_a_photo_with_a_caption_is_read_by_its_caption(make_app: Any) -> None:
    reply = make_app().engine.handle(
        "test:photo", Incoming(kind=MessageKind.PHOTO, text="white sneakers")
    )
    assert reply.text.startswith(texts.PHOTO_WITH_CAPTION) and reply.images


def test_nothing_in_budget_offers_an_atelier(make_app: Any) -> None:
    shopper = Shopper(make_app())
    shopper.send("silk evening gown under 5")
    reply = shopper.press("Pick 1")
    reply = shopper.press("Show products")
    assert not reply.products and "Nothing in the catalogue fits" in reply.text
    assert "ateliers" in [c.id for c in reply.choices]


def test_ateliers_ask_for_the_city_once_and_refuse_unknown_ones(make_app: Any) -> None:
    shopper = Shopper(make_app())
    shopper.send("tailored wool suit")
    assert shopper.send("/ateliers").text == texts.ASK_CITY
    assert shopper.send("Narnia").text == texts.UNKNOWN_CITY
    reply = shopper.send("London")
    assert reply.ateliers and reply.ateliers[0].city == "London"


def test_saved_designs_and_preferences_live_in_the_user_profile(make_app: Any) -> None:
    app = make_app()
    shopper = Shopper(app)
    assert "size M" in shopper.send("/prefs size M, Paris").text
    shopper.send("navy blazer")
    brief = shopper.state().brief
    assert brief.size == "M" and brief.city == "Paris"
    shopper.press("Pick 1")
    assert shopper.press("Save").text == texts.SAVED
    assert shopper.send("/save").text == texts.ALREADY_SAVED
    saved = shopper.send("/saved")
    assert "navy" in saved.text.lower() and len(saved.images) == 1
    assert len(app.users.get_user(shopper.key).saved_designs) == 1


def test_a_restarted_process_continues_the_conversation_from_redis(
    make_app: Any, redis_prefix: str
) -> None:
    redis_settings = {"url": REDIS_URL, "key_prefix": redis_prefix}
    before = Shopper(make_app(redis=redis_settings), key="telegram:42")
    before.send("yellow summer dress under 60")
    pick = before.last.choices[1].id

    after = Shopper(make_app(redis=redis_settings), key="telegram:42")
    reply = after.press_id(pick)
    assert "Lovely choice" in reply.text
    assert after.press("Show products").products


def test_an_unreadable_saved_state_starts_fresh(make_app: Any) -> None:
    app = make_app()
    app.engine._services.sessions.save("test:broken", {"stage": "dancing", "designs": "nope"})
    reply = app.engine.handle("test:broken", Incoming.from_text("grey hoodie"))
    assert reply.text.startswith(texts.STATE_RESET) and len(reply.images) == 3


def test_flooding_is_slowed_down(make_app: Any) -> None:
    app = make_app(chat={"messages_per_minute": 3})
    replies = [app.engine.handle("test:flood", Incoming.from_text("hi")).text for _ in range(5)]
    assert replies[3:] == [texts.SLOW_DOWN, texts.SLOW_DOWN]

"""The conversation engine end to end: embedded backends, real PostgreSQL and Milvus Lite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stylegenie.core import lead_messages as say
from stylegenie.core.chats import ChatKey
from stylegenie.core.conversation import texts
from stylegenie.core.conversation.state import ConversationState, Incoming, MessageKind
from stylegenie.core.domain import LeadStatus
from stylegenie.core.progress import ProgressEvent
from stylegenie.core.reply import Reply
from tests.fakes.channels import MemoryChannel
from tests.fakes.people import event, press
from tests.fakes.people import text as text_event

REDIS_URL = "redis://127.0.0.1:6379/0"
ODD = "test:odd"


class Shopper:
    """Drives one chat of an assembled app the way a front-end would."""

    def __init__(self, app: Any, key: str = "test:shopper") -> None:
        self.app = app
        self.key = key
        self.last = Reply(text="")
        self.progress: list[str] = []
        self.activities: list[str] = []

    def send(self, text: str) -> Reply:
        self.last = self.app.engine.handle(
            ChatKey.parse(self.key), text_event(self.key, text), self.hear
        )
        return self.last

    def hear(self, note: ProgressEvent) -> None:
        """Keep a progress event's words and activity."""
        self.progress.append(note.text)
        self.activities.append(note.activity)

    def press(self, label: str) -> Reply:
        choice = next(c for c in self.last.choices if c.label == label)
        return self.press_id(choice.id)

    def state(self) -> ConversationState:
        """The chat's state as the engine saved it after the last turn."""
        return ConversationState.model_validate(self.app.engine._services.sessions.load(self.key))

    def press_id(self, choice_id: str) -> Reply:
        self.last = self.app.engine.handle(
            ChatKey.parse(self.key), press(self.key, choice_id), self.hear
        )
        return self.last


class Channels:
    """Terminal owners and test shoppers reachable from the app: the outbox has run."""

    def __init__(self, app: Any) -> None:
        self.owners, self.shoppers = MemoryChannel(), MemoryChannel()
        app.notifiers.register("terminal", self.owners)
        app.notifiers.register("test", self.shoppers)
        app.run_lead_outbox()

    def news_for(self, shopper: Shopper) -> list[str]:
        return [reply.text for reply in self.shoppers.to(ChatKey.parse(shopper.key).id)]


def owner_of(app: Any, atelier_id: str) -> ChatKey:
    """The terminal chat of an atelier's owner."""
    atelier = app.ateliers.get_atelier(atelier_id)
    return ChatKey(platform="terminal", id=atelier.owner_chat_ids["terminal"])


def test_whole_journey_from_greeting_to_lead(make_app: Any) -> None:
    app = make_app()
    channels = Channels(app)
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

    first = ateliers.ateliers[0]
    consent = shopper.press_id(ateliers.choices[0].id)
    assert consent.text == texts.ASK_CONSENT.format(atelier=first.name, contact="Ana")
    assert [c.label for c in consent.choices] == [f"Send to {first.name}", texts.NOT_NOW]
    sent = shopper.press(f"Send to {first.name}")
    assert sent.text == say.ON_ITS_WAY.format(atelier=first.name)
    [lead] = app.leads.leads_for_user(shopper.key)
    assert lead.status is LeadStatus.NEW and lead.design.brief.garment

    assert app.run_lead_outbox().delivered == 1
    owner = owner_of(app, first.atelier_id)
    [message] = channels.owners.to(owner.id)
    assert [c.id for c in message.choices] == [f"lead-accept:{lead.id}", f"lead-decline:{lead.id}"]
    assert channels.news_for(shopper) == [say.DELIVERED.format(atelier=first.name)]
    answer = app.engine.handle(owner, press(owner, f"lead-accept:{lead.id}"))
    assert answer.pressed_outcome == "✓ Accepted — contact Ana"
    assert channels.news_for(shopper)[-1].startswith(f"Good news: {first.name} accepted")


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
        (event(ODD, MessageKind.TEXT, text="   "), texts.EMPTY_MESSAGE),
        (event(ODD, MessageKind.STICKER), texts.STICKER),
        (event(ODD, MessageKind.PHOTO), texts.PHOTO_NO_CAPTION),
        (event(ODD, MessageKind.LOCATION), texts.LOCATION_WHICH_CITY),
        (event(ODD, MessageKind.OTHER), texts.OTHER_MEDIA),
        (text_event(ODD, "/teleport now"), "I don't know /teleport"),
        (text_event(ODD, "🤷"), texts.ASK_TO_DESCRIBE),
        (text_event(ODD, "/products"), texts.NEED_DESIGN_FIRST),
        (text_event(ODD, "/save"), texts.NOTHING_TO_SAVE),
        (text_event(ODD, "/saved"), texts.NO_SAVED),
    ],
)
def test_every_kind_of_message_gets_a_helpful_reply(
    make_app: Any, incoming: Incoming, expected: str
) -> None:
    reply = make_app().engine.handle(ChatKey.parse(ODD), incoming)
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
        ChatKey.parse("test:photo"), event("test:photo", MessageKind.PHOTO, text="white sneakers")
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
    broken = ChatKey.parse("test:broken")
    reply = app.engine.handle(broken, text_event(broken, "grey hoodie"))
    assert reply.text.startswith(texts.STATE_RESET) and len(reply.images) == 3


def test_flooding_is_slowed_down(make_app: Any) -> None:
    app = make_app(chat={"messages_per_minute": 3})
    flood = ChatKey.parse("test:flood")
    replies = [app.engine.handle(flood, text_event(flood, "hi")).text for _ in range(5)]
    assert replies[3:] == [texts.SLOW_DOWN, texts.SLOW_DOWN]


def at_the_ateliers(app: Any) -> tuple[Shopper, Reply]:
    """A shopper who picked a dress design in Lisbon and sees the ateliers for it."""
    shopper = Shopper(app)
    shopper.send("a sage green dress, under 120, I'm in Lisbon")
    shopper.press("Pick 1")
    return shopper, shopper.press("Find an atelier")


def test_asking_an_atelier_nobody_can_reach_says_so_and_offers_what_can(make_app: Any) -> None:
    app = make_app()
    shopper, ateliers = at_the_ateliers(app)
    first = ateliers.ateliers[0]
    nobody = shopper.press_id(ateliers.choices[0].id)
    assert nobody.text == texts.UNREACHABLE_NONE.format(atelier=first.name)
    assert [c.id for c in nobody.choices] == ["products"]
    assert app.leads.leads_for_user(shopper.key) == [], "nothing stored"

    Channels(app)
    moved = app.ateliers.get_atelier(first.atelier_id)
    app.ateliers.upsert_ateliers([moved.model_copy(update={"owner_chat_ids": {"discord": "1"}})])
    state = shopper.state()
    state.atelier_ids = [first.atelier_id]  # only the first atelier was shown
    app.engine._services.sessions.save(shopper.key, state.model_dump(mode="json"))
    offered = shopper.press_id(f"lead:{first.atelier_id}")
    assert offered.text == texts.UNREACHABLE_NEXT.format(atelier=first.name)
    [card] = offered.ateliers
    assert card.atelier_id != first.atelier_id
    consent = shopper.press(f"Ask {card.name}")
    assert consent.text.startswith(f"If {card.name} accepts")


def test_not_now_sends_nothing_and_e_mail_ateliers_are_asked_plainly(make_app: Any) -> None:
    app = make_app()
    channels = Channels(app)
    shopper, ateliers = at_the_ateliers(app)
    shopper.press_id(ateliers.choices[0].id)
    assert shopper.press(texts.NOT_NOW).text.startswith("Alright, I sent nothing.")
    assert app.leads.leads_for_user(shopper.key) == [] and not channels.owners.sent

    app.notifiers.register("email", MemoryChannel())
    app.run_lead_outbox()
    first = ateliers.ateliers[0]
    by_mail = app.ateliers.get_atelier(first.atelier_id)
    app.ateliers.upsert_ateliers([by_mail.model_copy(update={"owner_chat_ids": {}})])
    consent = shopper.press_id(ateliers.choices[0].id)
    assert consent.text == texts.ASK_CONSENT_EMAIL.format(atelier=first.name, contact="Ana")


def test_an_owner_chat_starts_with_the_owner_menu(make_app: Any) -> None:
    app = make_app()
    owner = owner_of(app, "at-lis-moonthread")
    menu = app.engine.handle(owner, text_event(owner, "/start"))
    assert "Atelier Moonthread" in menu.text and "0 open requests" in menu.text
    assert [c.id for c in menu.choices] == ["leads"]
    assert app.engine.handle(owner, press(owner, "leads")).text == say.NO_OPEN


def test_after_a_decline_the_next_atelier_is_asked_with_consent_too(make_app: Any) -> None:
    app = make_app()
    channels = Channels(app)
    shopper, ateliers = at_the_ateliers(app)
    first = ateliers.ateliers[0]
    shopper.press_id(ateliers.choices[0].id)
    shopper.press(f"Send to {first.name}")
    app.run_lead_outbox()
    [lead] = app.leads.leads_for_user(shopper.key)
    owner = owner_of(app, first.atelier_id)
    declined = app.engine.handle(owner, press(owner, f"lead-decline:{lead.id}"))
    assert declined.pressed_outcome == say.DECLINED_OUTCOME

    offer = channels.shoppers.to(ChatKey.parse(shopper.key).id)[-1]
    [card] = offer.ateliers
    [ask] = offer.choices
    consent = shopper.press_id(ask.id)
    assert consent.text == texts.ASK_CONSENT.format(atelier=card.name, contact="Ana")
    sent = shopper.press(f"Send to {card.name}")
    assert sent.text == say.ON_ITS_WAY.format(atelier=card.name)
    asked = [lead.atelier_id for lead in app.leads.leads_for_user(shopper.key)]
    assert asked == [first.atelier_id, card.atelier_id]
    other = Shopper(app, key="test:mallory")
    assert other.press_id(ask.id).text.startswith(texts.STALE_BUTTON), "not their lead"

"""Ateliers and leads on real PostgreSQL: privacy, matching, and a lead flow owners can rely on.

The outbox's delivery guarantees are in test_lead_outbox.py, e-mail in test_email_channel.py.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator

import pytest

from stylegenie.adapters.contact_cipher import ContactCipher, ContactCipherError, generate_key
from stylegenie.adapters.feeds import parse_owner_users
from stylegenie.adapters.postgres.ateliers import PostgresAteliers
from stylegenie.adapters.postgres.database import Database
from stylegenie.core import lead_messages as say
from stylegenie.core.chats import ChatKey, Sender
from stylegenie.core.classify import classify
from stylegenie.core.domain import Atelier, DesignBrief, LeadStatus, MatchRequest
from stylegenie.core.leads import OwnerUnreachable
from stylegenie.core.matching import match_ateliers
from tests.fakes.leads import ANA, LISBON, SHOPPER, LeadWorld, atelier, design, lead_world
from tests.fakes.leads import policy as lead_policy


@pytest.fixture
def db(pg_url: str) -> Iterator[Database]:
    with Database(pg_url, pool_max=10) as database:
        database.apply_migrations()
        yield database


def test_contacts_are_encrypted_at_rest_and_keys_rotate(db: Database) -> None:
    old_key, new_key = generate_key(), generate_key()
    repo = PostgresAteliers(db, ContactCipher([old_key]))
    repo.upsert_ateliers([atelier("a1"), atelier("a2", contact="")])
    with db.connection() as conn:
        raw = conn.execute("SELECT row_to_json(a)::text AS row FROM ateliers a").fetchall()
    assert len(raw) == 2 and all("hello@" not in r["row"] for r in raw), "no plaintext anywhere"
    assert repo.get_atelier("a1").contact == "hello@a1.example"  # type: ignore[union-attr]
    assert repo.get_atelier("a2").contact == ""  # type: ignore[union-attr]

    rotating = ContactCipher([new_key, old_key])
    assert PostgresAteliers(db, rotating).rotate_contacts(rotating) == 1
    only_new = PostgresAteliers(db, ContactCipher([new_key]))
    assert only_new.get_atelier("a1").contact == "hello@a1.example"  # type: ignore[union-attr]
    assert PostgresAteliers(db, ContactCipher([old_key])).get_atelier("a1") is None
    with pytest.raises(ContactCipherError):
        PostgresAteliers(db, ContactCipher([old_key])).rotate_contacts(ContactCipher([old_key]))


def test_owners_find_their_ateliers(db: Database) -> None:
    repo = PostgresAteliers(db, ContactCipher([generate_key()]))
    repo.upsert_ateliers(
        [atelier("a1"), atelier("a2", owner_chat_ids={"telegram": "9", "discord": "7"})]
    )
    assert [a.id for a in repo.ateliers_of_owner("telegram:owner-a1")] == ["a1"]
    assert [a.id for a in repo.ateliers_of_owner("discord:7")] == ["a2"]
    assert repo.ateliers_of_owner("telegram:nobody") == []


def test_complexity_is_classified_with_a_reason() -> None:
    plain = classify(DesignBrief(garment="t-shirt", category="top", fabric="cotton"))
    assert (plain.complexity, plain.reason) == ("simple", "simple: plain construction")
    gown = classify(
        DesignBrief(
            garment="gown", category="dress", fabric="silk", style_notes=["beaded", "embroidered"]
        )
    )
    assert gown.complexity == "couture" and "beaded +3" in gown.reason
    suit = classify(DesignBrief(garment="suit", category="suit", fabric="wool"))
    assert suit.complexity == "moderate" and "suit construction +3" in suit.reason
    assert classify(DesignBrief(garment="thing"), zero_shot_category="bag").category == "bag"


def generated_ateliers(count: int, seed: int = 7) -> list[Atelier]:
    """Random ateliers around Europe; the test knows which ones must match."""
    rng = random.Random(seed)
    ateliers = []
    for i in range(count):
        lat, lon = rng.uniform(36, 55), rng.uniform(-10, 20)
        ateliers.append(
            atelier(
                f"g{i}",
                (lat, lon),
                categories=rng.sample(["dress", "suit", "top", "outerwear"], 2),
                max_complexity=rng.choice(["simple", "moderate", "complex", "couture"]),
                price_min=rng.choice([40, 80, 200]),
                lead_time_days=rng.choice([7, 21, 60]),
                rating=round(rng.uniform(3, 5), 1),
                remote_friendly=rng.random() < 0.1,
            )
        )
    return ateliers


def test_matching_on_generated_ateliers_keeps_exactly_the_eligible_ones(db: Database) -> None:
    ateliers = generated_ateliers(400)
    request = MatchRequest(
        category="dress",
        complexity="complex",
        latitude=LISBON[0],
        longitude=LISBON[1],
        radius_km=400,
        budget_max=150,
        deadline_days=30,
        limit=20,
    )
    from stylegenie.core.geo import haversine_km

    eligible = {
        a.id
        for a in ateliers
        if "dress" in a.categories
        and a.max_complexity in ("complex", "couture")
        and a.price_min <= 150
        and a.lead_time_days <= 30
        and (a.remote_friendly or haversine_km(*LISBON, a.lat, a.lon) <= 400)
    }
    matches = match_ateliers(request, ateliers)
    assert {m.atelier.id for m in matches} <= eligible and len(matches) == min(20, len(eligible))
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert all(
        set(m.breakdown) == {"closeness", "budget", "rating", "time"} and m.reason for m in matches
    )

    repo = PostgresAteliers(db, ContactCipher([generate_key()]))
    repo.upsert_ateliers(ateliers)
    prefiltered = {a.id for a in repo.find_ateliers(request)}
    assert eligible <= prefiltered, "the SQL pre-filter never drops an eligible atelier"
    assert match_ateliers(request, repo.find_ateliers(request)) == matches


def test_an_atelier_encrypted_under_another_key_is_skipped_once_and_matching_goes_on(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    foreign = PostgresAteliers(db, ContactCipher([generate_key()]))
    foreign.upsert_ateliers([atelier("foreign", contact="hello@foreign.example")])
    repo = PostgresAteliers(db, ContactCipher([generate_key()]))
    repo.upsert_ateliers([atelier("ours")])
    request = MatchRequest(category="dress", latitude=LISBON[0], longitude=LISBON[1])
    with caplog.at_level(logging.DEBUG):
        assert [a.id for a in repo.find_ateliers(request)] == ["ours"]
        assert [a.id for a in repo.list_ateliers()] == ["ours"]
        assert repo.get_atelier("foreign") is None
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "foreign" in warnings[0].getMessage()
    assert "hello@" not in caplog.text


def test_owner_user_ids_are_read_from_the_feed_and_stored(db: Database) -> None:
    assert parse_owner_users("telegram=111|222|discord=7") == {
        "telegram": ["111", "222"],
        "discord": ["7"],
    }
    repo = PostgresAteliers(db, ContactCipher([generate_key()]))
    repo.upsert_ateliers([atelier("g", owner_user_ids={"telegram": ["111"]})])
    assert repo.get_atelier("g").owner_user_ids == {"telegram": ["111"]}  # type: ignore[union-attr]


@pytest.fixture
def world(db: Database) -> LeadWorld:
    return lead_world(db, lead_policy(daily_limit_per_shopper=3, open_cap_per_atelier=2))


def delivered(world: LeadWorld) -> None:
    """The outbox runs and the owners have what was stored."""
    world.desk.run_outbox()


def only_lead(world: LeadWorld, user: str = SHOPPER) -> str:
    [lead] = world.leads.leads_for_user(user)
    return lead.id


def owner(aid: str) -> ChatKey:
    return ChatKey(platform="telegram", id=f"owner-{aid}")


def person(chat: ChatKey, user_id: str | None = None, admin: bool = False) -> Sender:
    """Someone in ``chat``: its own person, or user ``user_id`` of a group."""
    user = ChatKey(platform=chat.platform, id=user_id) if user_id else chat
    return Sender(user=user, display_name=f"User {user.id}", is_chat_admin=admin)


def test_a_lead_is_stored_with_the_consented_contact_and_answered_at_once(
    world: LeadWorld,
) -> None:
    heard: list[str] = []
    world.desk.listen(lambda: heard.append("woken"))
    reply = world.submit("best")
    assert reply.text == say.ON_ITS_WAY.format(atelier="Atelier best")
    assert heard == ["woken"] and not world.owners.sent, "delivery is the outbox's job"
    [lead] = world.leads.leads_for_user(SHOPPER)
    assert lead.status is LeadStatus.NEW
    assert lead.shopper_contact == "Ana (@ana) https://t.me/ana"
    assert lead.owner_platform == "telegram"
    again = world.submit("best", made=lead.design)
    assert "already sent" in again.text and len(world.leads.leads_for_user(SHOPPER)) == 1


def test_an_owner_nobody_can_reach_is_refused_before_anything_is_stored(
    world: LeadWorld,
) -> None:
    world.repo.upsert_ateliers([atelier("lonely", owner_chat_ids={"discord": "9"}, contact="")])
    with pytest.raises(OwnerUnreachable):
        world.submit("lonely")
    world.clock.advance(seconds=world.policy.liveness.total_seconds() + 1)
    with pytest.raises(OwnerUnreachable):  # a platform nobody renewed lately is not live
        world.submit("best")
    assert world.leads.leads_for_user(SHOPPER) == []


def test_accepting_gives_the_owner_the_consented_contact_and_settles_the_message(
    world: LeadWorld,
) -> None:
    world.submit("best")
    delivered(world)
    lead_id = only_lead(world)
    [message] = world.owners.to("owner-best")
    assert [c.id for c in message.choices] == [f"lead-accept:{lead_id}", f"lead-decline:{lead_id}"]
    assert "Ana" not in message.text and "hello@" not in message.text, "nothing before accept"
    second = owner("second")
    assert world.desk.respond(lead_id, second, person(second), True).text == say.NOT_YOURS
    world.shoppers.sent.clear()

    best = owner("best")
    answer = world.desk.respond(lead_id, best, person(best), True)
    assert "Ana (@ana) https://t.me/ana" in answer.text
    assert answer.pressed_outcome == "✓ Accepted — contact Ana (@ana) https://t.me/ana"
    assert world.owners.settled == [("owner-best", "m1", answer.pressed_outcome)]
    assert world.news() == [
        say.ACCEPTED_SHOPPER.format(atelier="Atelier best", contact="hello@best.example")
    ]
    late = world.desk.respond(lead_id, best, person(best), False)
    assert late.text == say.ANSWERED and late.pressed_outcome


def test_in_a_group_owner_chat_only_named_owners_or_admins_by_setting_answer(
    db: Database,
) -> None:
    world = lead_world(db)
    group = ChatKey(platform="telegram", id="-100")
    world.repo.upsert_ateliers(
        [
            atelier(
                "guild", owner_chat_ids={"telegram": "-100"}, owner_user_ids={"telegram": ["111"]}
            )
        ]
    )
    world.submit("guild")
    first = world.desk.respond(only_lead(world), group, person(group, "222", admin=True), True)
    assert first.text == say.NOT_AN_OWNER.format(atelier="Atelier guild")
    assert world.leads.leads_for_user(SHOPPER)[0].status is LeadStatus.NEW
    answer = world.desk.respond(only_lead(world), group, person(group, "111"), False)
    assert answer.pressed_outcome == say.DECLINED_OUTCOME

    admins = world.another_process({"telegram": world.owners}, group_admins_answer=True)
    world.submit("guild", user="test:bea")
    lead_id = only_lead(world, "test:bea")
    assert admins.respond(lead_id, group, person(group, "333"), True).text.startswith("Only")
    accepted = admins.respond(lead_id, group, person(group, "222", admin=True), True)
    assert accepted.pressed_outcome and accepted.pressed_outcome.startswith("✓ Accepted")


def test_a_decline_offers_the_next_reachable_match_and_it_can_be_sent(world: LeadWorld) -> None:
    world.submit("best")
    delivered(world)
    lead_id = only_lead(world)
    world.shoppers.sent.clear()
    best = owner("best")
    world.desk.respond(lead_id, best, person(best), False)
    [offer] = world.shoppers.to("ana")
    assert offer.text.startswith(say.CANT_TAKE.format(atelier="Atelier best", why=""))
    assert offer.ateliers[0].atelier_id == "second"
    assert offer.choices[0].id == f"relead:{lead_id}:second"
    sent = world.desk.resubmit(SHOPPER, ANA.contact(), lead_id, "second")
    assert sent is not None and "Atelier second" in sent.text
    assert world.desk.resubmit("test:mallory", "m", lead_id, "second") is None


def test_unanswered_leads_expire_move_on_and_their_message_shows_it(world: LeadWorld) -> None:
    world.submit("best")
    delivered(world)
    world.shoppers.sent.clear()
    world.clock.advance(hours=49)
    report = world.desk.run_outbox()
    assert report.expired == 1
    assert world.leads.leads_for_user(SHOPPER)[0].status is LeadStatus.EXPIRED
    [offer] = world.shoppers.to("ana")
    assert "in time" in offer.text and offer.ateliers[0].atelier_id == "second"
    assert world.owners.settled == [("owner-best", "m1", say.EXPIRED_OUTCOME)]


def test_limits_refuse_politely(world: LeadWorld) -> None:
    for atelier_id in ("best", "second", "far"):
        assert "on its way" in world.submit(atelier_id, user="test:busy").text
    assert "daily limit" in world.submit("second", user="test:busy").text
    assert "on its way" in world.submit("best", user="test:u1").text
    assert "too many open requests" in world.submit("best", user="test:u2").text


def test_owners_get_their_menu_and_list_open_leads_with_buttons(world: LeadWorld) -> None:
    assert world.desk.owner_menu("test:ana") is None
    assert world.desk.open_leads("telegram:owner-best").text == say.NO_OPEN
    world.submit("best")
    menu = world.desk.owner_menu("telegram:owner-best")
    assert menu is not None and "Atelier best" in menu.text and "1 open request." in menu.text
    assert [c.id for c in menu.choices] == ["leads"]
    listing = world.desk.open_leads("telegram:owner-best")
    assert "green dress" in listing.text
    assert [c.label for c in listing.choices] == ["Accept 1", "Decline 1"]


def test_no_contact_reaches_a_log_in_the_whole_flow(
    world: LeadWorld, caplog: pytest.LogCaptureFixture
) -> None:
    world.owners.unreachable.add("owner-second")
    with caplog.at_level(logging.DEBUG):
        world.submit("best")
        world.submit("second", made=design())
        world.hub.unregister("test")  # news for the shopper can't travel: logged, not shown
        delivered(world)
        first = world.leads.leads_for_user(SHOPPER)[0]
        best = owner("best")
        world.desk.respond(first.id, best, person(best), True)
    assert "could not travel" in caplog.text and "can't receive it" in caplog.text
    assert "hello@" not in caplog.text and "t.me/ana" not in caplog.text
    assert "@ana" not in caplog.text and "Ana" not in caplog.text

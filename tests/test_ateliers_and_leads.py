"""Ateliers and leads on real PostgreSQL: privacy, matching, and a lead flow owners can rely on."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from stylegenie.adapters.contact_cipher import ContactCipher, ContactCipherError, generate_key
from stylegenie.adapters.postgres.ateliers import PostgresAteliers
from stylegenie.adapters.postgres.database import Database
from stylegenie.adapters.postgres.leads import PostgresLeads
from stylegenie.core.classify import classify
from stylegenie.core.domain import Atelier, Design, DesignBrief, LeadStatus, MatchRequest, utc_now
from stylegenie.core.leads import LeadDesk, LeadPolicy
from stylegenie.core.matching import match_ateliers
from stylegenie.core.reply import Reply

LISBON, PORTO, BERLIN = (38.72, -9.14), (41.15, -8.61), (52.52, 13.40)


@pytest.fixture
def db(pg_url: str) -> Iterator[Database]:
    with Database(pg_url) as database:
        database.apply_migrations()
        yield database


def atelier(aid: str, where: tuple[float, float] = LISBON, **fields: Any) -> Atelier:
    base: dict[str, Any] = dict(
        name=f"Atelier {aid}",
        city="Lisbon",
        categories=["dress"],
        max_complexity="complex",
        price_min=80,
        price_max=500,
        lead_time_days=21,
        rating=4.5,
        owner_chat_ids={"telegram": f"owner-{aid}"},
        contact=f"hello@{aid}.example",
    )
    return Atelier(id=aid, lat=where[0], lon=where[1], **{**base, **fields})


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
    with pytest.raises(ContactCipherError):
        PostgresAteliers(db, ContactCipher([old_key])).get_atelier("a1")


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


class FlakyOwners:
    """An owner notifier that fails a number of times before it works, recording deliveries."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.sent: list[tuple[str, str]] = []

    def notify(self, lead: Any, atelier: Atelier) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("chat platform unreachable")
        self.sent.append((lead.id, atelier.id))


class Shoppers:
    """Collects what shoppers are told outside a turn."""

    def __init__(self) -> None:
        self.told: list[tuple[str, Reply]] = []

    def tell(self, user_key: str, reply: Reply) -> None:
        self.told.append((user_key, reply))


class Clock:
    def __init__(self) -> None:
        self.now = utc_now()

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def world(db: Database) -> dict[str, Any]:
    repo = PostgresAteliers(db, ContactCipher([generate_key()]))
    repo.upsert_ateliers(
        [
            atelier("best", rating=5.0),
            atelier("second", rating=4.0),
            atelier("far", BERLIN, city="Berlin"),
        ]
    )
    owners, shoppers, clock = FlakyOwners(), Shoppers(), Clock()
    desk = LeadDesk(
        PostgresLeads(db),
        repo,
        owners,
        shoppers,
        LeadPolicy(retry_backoff_s=0.01, daily_limit_per_shopper=3, open_cap_per_atelier=2),
        clock=clock,
        sleep=lambda s: None,
    )
    return {
        "repo": repo,
        "owners": owners,
        "shoppers": shoppers,
        "clock": clock,
        "desk": desk,
        "leads": PostgresLeads(db),
    }


def design() -> Design:
    brief = DesignBrief(
        garment="dress", category="dress", colours=["Green"], budget_max=200, city="Lisbon"
    )
    return Design(brief=brief, prompt="a green dress", seed=1, model="preview-card")


REQUEST = MatchRequest(category="dress", latitude=LISBON[0], longitude=LISBON[1], budget_max=200)


def submit(
    world: dict[str, Any], atelier_id: str, user: str = "telegram:ana", d: Design | None = None
) -> Reply:
    return world["desk"].submit(
        user, "@ana", world["repo"].get_atelier(atelier_id), d or design(), REQUEST
    )


def test_a_notifier_failing_twice_then_working_delivers_exactly_once(world: dict[str, Any]) -> None:
    world["owners"].failures = 2
    reply = submit(world, "best")
    assert "I've sent your design" in reply.text
    assert len(world["owners"].sent) == 1
    [lead] = world["leads"].leads_for_user("telegram:ana")
    assert lead.status is LeadStatus.SENT and lead.attempts == 2
    assert "already sent" in submit(world, "best", d=lead.design).text, (
        "the same request is one lead"
    )
    assert (
        len(world["owners"].sent) == 1 and len(world["leads"].leads_for_user("telegram:ana")) == 1
    )


def test_a_lead_stored_before_a_crash_is_sent_after_restart(world: dict[str, Any]) -> None:
    world["owners"].failures = (
        10**6
    )  # the platform is down: the process "dies" with the lead stored
    assert "saved and will be delivered" in submit(world, "best").text
    [lead] = world["leads"].leads_for_user("telegram:ana")
    assert lead.status is LeadStatus.NEW and not world["owners"].sent
    world["owners"].failures = 0
    world["clock"].now += timedelta(minutes=5)
    assert world["desk"].deliver_due() == 1, "the next process's outbox run sends it"
    assert world["owners"].sent == [(lead.id, "best")]
    assert world["desk"].deliver_due() == 0


def test_accepting_reveals_contacts_and_only_to_the_owner(world: dict[str, Any]) -> None:
    submit(world, "best")
    [lead] = world["leads"].leads_for_user("telegram:ana")
    assert (
        "isn't for an atelier you own"
        in world["desk"].respond(lead.id, "telegram:owner-second", True).text
    )
    assert not world["shoppers"].told, "nothing revealed to anyone before acceptance"
    owner = world["desk"].respond(lead.id, "telegram:owner-best", True)
    assert "@ana" in owner.text
    [(user, told)] = world["shoppers"].told
    assert user == "telegram:ana" and "hello@best.example" in told.text
    assert "already answered" in world["desk"].respond(lead.id, "telegram:owner-best", False).text


def test_a_decline_offers_the_shopper_the_next_match_and_it_can_be_sent(
    world: dict[str, Any],
) -> None:
    submit(world, "best")
    [lead] = world["leads"].leads_for_user("telegram:ana")
    world["desk"].respond(lead.id, "telegram:owner-best", False)
    [(_, offer)] = world["shoppers"].told
    assert (
        offer.ateliers[0].atelier_id == "second"
        and offer.choices[0].id == f"relead:{lead.id}:second"
    )
    sent = world["desk"].resubmit("telegram:ana", lead.id, "second")
    assert sent is not None and "Atelier second" in sent.text
    assert world["desk"].resubmit("telegram:mallory", lead.id, "second") is None


def test_unanswered_leads_expire_and_move_on(world: dict[str, Any]) -> None:
    submit(world, "best")
    world["clock"].now += timedelta(hours=49)
    assert world["desk"].expire_due() == 1
    [lead] = world["leads"].leads_for_user("telegram:ana")
    assert lead.status is LeadStatus.EXPIRED
    [(_, offer)] = world["shoppers"].told
    assert "in time" in offer.text and offer.ateliers[0].atelier_id == "second"


def test_limits_refuse_politely(world: dict[str, Any]) -> None:
    for atelier_id in ("best", "second", "far"):
        assert "I've sent" in submit(world, atelier_id, user="telegram:busy").text
    assert "daily limit" in submit(world, "second", user="telegram:busy", d=design()).text
    assert "I've sent" in submit(world, "best", user="telegram:u1").text
    assert "too many open requests" in submit(world, "best", user="telegram:u2").text


def test_owners_list_open_leads_with_buttons(world: dict[str, Any]) -> None:
    assert world["desk"].open_leads("telegram:owner-best").text == "You have no open requests."
    submit(world, "best")
    listing = world["desk"].open_leads("telegram:owner-best")
    assert "green dress" in listing.text
    assert [c.label for c in listing.choices] == ["Accept 1", "Decline 1"]

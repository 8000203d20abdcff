"""A lead world for tests on real PostgreSQL: ateliers, a desk, owners and shoppers' channels.

Owners chat on "telegram" (a MemoryChannel), shoppers on "test" (another one); the clock
is the test's. ``another_process`` builds a second desk on the same database, with only
the channels given, as a second bot process would have.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from stylegenie.adapters.contact_cipher import ContactCipher, generate_key
from stylegenie.adapters.notifiers import NotifierHub
from stylegenie.adapters.postgres.ateliers import PostgresAteliers
from stylegenie.adapters.postgres.database import Database
from stylegenie.adapters.postgres.leads import PostgresLeads
from stylegenie.bots.wiring.leads import lead_policy
from stylegenie.config import Settings
from stylegenie.core.chats import ChatKey, Sender
from stylegenie.core.domain import Atelier, Design, DesignBrief, MatchRequest, utc_now
from stylegenie.core.leads import LeadDesk, LeadPolicy
from stylegenie.core.ports import Channel
from stylegenie.core.reply import Reply
from tests.fakes.channels import MemoryChannel

LISBON, BERLIN = (38.72, -9.14), (52.52, 13.40)
SHOPPER = "test:ana"
REQUEST = MatchRequest(category="dress", latitude=LISBON[0], longitude=LISBON[1], budget_max=200)
ANA = Sender(
    user=ChatKey.parse(SHOPPER), display_name="Ana", handle="@ana", link="https://t.me/ana"
)


def policy(**leads: Any) -> LeadPolicy:
    """The lead policy of the default settings, with ``leads`` settings changed."""
    return lead_policy(Settings(_env_file=None, leads=leads))  # type: ignore[call-arg]


def atelier(aid: str, where: tuple[float, float] = LISBON, **fields: Any) -> Atelier:
    """A Lisbon dress atelier whose owner chats on Telegram as "owner-<aid>"."""
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


def design(image_ref: str | None = None) -> Design:
    """A green dress design (a new id each time)."""
    brief = DesignBrief(
        garment="dress", category="dress", colours=["Green"], budget_max=200, city="Lisbon"
    )
    return Design(
        brief=brief, prompt="a green dress", seed=1, model="preview-card", image_ref=image_ref
    )


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = utc_now()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move on by a timedelta's worth (``minutes=5``)."""
        self.now += timedelta(**delta)


@dataclass
class LeadWorld:
    """Three ateliers (best, second, far in Berlin), a desk, and its channels."""

    db: Database
    repo: PostgresAteliers
    leads: PostgresLeads
    clock: Clock
    key: str
    """The contact cipher's key (another process needs it to read the ateliers)."""
    owners: MemoryChannel = field(default_factory=MemoryChannel)
    shoppers: MemoryChannel = field(default_factory=MemoryChannel)
    policy: LeadPolicy = field(default_factory=policy)
    hub: NotifierHub = field(default_factory=NotifierHub)
    desk: LeadDesk = field(init=False)

    def __post_init__(self) -> None:
        self.hub.register("telegram", self.owners)
        self.hub.register("test", self.shoppers)
        self.desk = LeadDesk(self.leads, self.repo, self.hub, self.policy, clock=self.clock)

    def another_process(
        self, channels: dict[str, Channel], clock: Clock | None = None, **leads: Any
    ) -> LeadDesk:
        """A desk in another process: its own hub with only these channels."""
        hub = NotifierHub()
        for platform, channel in channels.items():
            hub.register(platform, channel)
        rules = dataclasses.replace(self.policy, **leads) if leads else self.policy
        return LeadDesk(self.leads, self.repo, hub, rules, clock=clock or self.clock)

    def submit(self, atelier_id: str, user: str = SHOPPER, made: Design | None = None) -> Reply:
        """The shopper consents and sends a design to an atelier."""
        chosen = self.repo.get_atelier(atelier_id)
        assert chosen is not None
        contact = ANA.contact() if user == SHOPPER else user
        return self.desk.submit(user, contact, chosen, made or design(), REQUEST)

    def news(self, user: str = SHOPPER) -> list[str]:
        """What a shopper was told outside their turns."""
        return [reply.text for reply in self.shoppers.to(ChatKey.parse(user).id)]


def lead_world(db: Database, rules: LeadPolicy | None = None) -> LeadWorld:
    """Ateliers best, second (both Lisbon) and far (Berlin); the desk's platforms made live."""
    key = generate_key()
    repo = PostgresAteliers(db, ContactCipher([key]))
    repo.upsert_ateliers(
        [
            atelier("best", rating=5.0),
            atelier("second", rating=4.0),
            atelier("far", BERLIN, city="Berlin"),
        ]
    )
    world = LeadWorld(db, repo, PostgresLeads(db), Clock(), key, policy=rules or policy())
    world.desk.run_outbox()
    return world

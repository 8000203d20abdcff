"""The lead outbox on real PostgreSQL: every stored lead reaches its owner exactly once.

A process killed between the send and the mark, two runners at once, a process without
the lead's platform, an owner who can never be reached, and a flaky platform.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from stylegenie.adapters.observability.metrics import metrics
from stylegenie.adapters.postgres.database import Database
from stylegenie.core import lead_messages as say
from stylegenie.core.domain import LeadStatus
from tests.fakes.channels import FileChannel, MemoryChannel
from tests.fakes.leads import SHOPPER, Clock, LeadWorld, design, lead_world, policy

ROOT = Path(__file__).resolve().parents[1]

DYING_RUNNER = """
import os, signal, sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from stylegenie.adapters.contact_cipher import ContactCipher
from stylegenie.adapters.postgres.ateliers import PostgresAteliers
from stylegenie.adapters.postgres.database import Database
from stylegenie.adapters.postgres.leads import PostgresLeads
from stylegenie.adapters.notifiers import NotifierHub
from stylegenie.core.leads import LeadDesk
from tests.fakes.channels import FileChannel
from tests.fakes.leads import policy


class DyingLeads(PostgresLeads):
    def mark_sent(self, lead_id):
        os.kill(os.getpid(), signal.SIGKILL)  # the process dies inside the mark step


_, root, url, key, path = sys.argv
with Database(url, pool_max=2) as db:
    hub = NotifierHub()
    hub.register("telegram", FileChannel(Path(path)))
    ateliers = PostgresAteliers(db, ContactCipher([key]))
    LeadDesk(DyingLeads(db), ateliers, hub, policy()).run_outbox()
"""


@pytest.fixture
def db(pg_url: str) -> Iterator[Database]:
    with Database(pg_url, pool_max=10) as database:
        database.apply_migrations()
        yield database


@pytest.fixture
def world(db: Database) -> LeadWorld:
    return lead_world(db, policy(retry_backoff_s=10, delivery_attempts=3))


def statuses(world: LeadWorld) -> list[LeadStatus]:
    return [lead.status for lead in world.leads.leads_for_user(SHOPPER)]


def test_a_runner_killed_between_send_and_mark_leaves_one_delivery(
    world: LeadWorld, tmp_path: Path
) -> None:
    world.submit("best")
    sent = FileChannel(tmp_path / "sent.txt")
    path = tmp_path / "sent.txt"
    dying = subprocess.run(
        [sys.executable, "-c", DYING_RUNNER, str(ROOT), world.db.url, world.key, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert dying.returncode == -signal.SIGKILL, dying.stderr
    assert len(sent.lines()) == 1 and statuses(world) == [LeadStatus.NEW]

    later = Clock()
    later.now = world.clock.now
    next_process = world.another_process({"telegram": sent, "test": world.shoppers}, later)
    assert next_process.run_outbox().delivered == 0, "the lease still holds the lead"
    # the dying runner leased on the real clock, seconds after this test's clock was set
    later.advance(seconds=world.policy.lease.total_seconds() + 60)
    report = next_process.run_outbox()
    assert report.delivered == 1 and statuses(world) == [LeadStatus.SENT]
    assert len(sent.lines()) == 1, "the recorded delivery is not sent again"
    assert world.news() == [say.DELIVERED.format(atelier="Atelier best")]


def test_two_runners_at_once_deliver_each_lead_exactly_once(world: LeadWorld) -> None:
    users = [f"test:u{i}" for i in range(12)]
    for user in users:
        world.submit("best" if user[-1] in "02468" else "second", user=user)
    both_sending = threading.Barrier(2, timeout=30)
    owners = MemoryChannel(barrier=both_sending)
    runners = [
        world.another_process({"telegram": owners, "test": world.shoppers}) for _ in range(2)
    ]
    reports = []
    threads = [
        threading.Thread(target=lambda r=runner: reports.append(r.run_outbox()))
        for runner in runners
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not both_sending.broken, "both runners were sending at the same time"
    per_lead = Counter(sent.idempotency_key for sent in owners.sent)
    assert len(per_lead) == 12 and set(per_lead.values()) == {1}
    assert sorted(r.delivered for r in reports) != [0, 12], "the work was shared"
    assert sum(r.delivered for r in reports) == 12
    leads = [lead for user in users for lead in world.leads.leads_for_user(user)]
    assert {lead.status for lead in leads} == {LeadStatus.SENT}


def test_a_process_without_the_platform_leaves_its_leads_alone(world: LeadWorld) -> None:
    world.submit("best")
    terminal = MemoryChannel()
    elsewhere = world.another_process({"terminal": terminal, "test": world.shoppers})
    report = elsewhere.run_outbox()
    assert not report and not terminal.sent and not world.owners.sent
    [lead] = world.leads.leads_for_user(SHOPPER)
    assert lead.status is LeadStatus.NEW and lead.attempts == 0
    with world.db.connection() as conn:
        row = conn.execute("SELECT leased_by FROM leads WHERE id = %s", (lead.id,)).fetchone()
    assert row is not None and row["leased_by"] is None, "never even leased"
    assert world.desk.run_outbox().delivered == 1 and len(world.owners.to("owner-best")) == 1


def test_an_owner_who_can_never_be_reached_is_undeliverable_and_the_shopper_moves_on(
    world: LeadWorld,
) -> None:
    world.owners.unreachable.add("owner-best")
    world.submit("best")
    report = world.desk.run_outbox()
    assert report.undeliverable == 1 and statuses(world) == [LeadStatus.UNDELIVERABLE]
    [news] = world.shoppers.to("ana")
    assert news.text.startswith(say.UNDELIVERABLE.format(atelier="Atelier best"))
    assert news.ateliers[0].atelier_id == "second"
    assert news.choices[0].id.startswith("relead:") and news.choices[0].id.endswith(":second")


def test_a_flaky_platform_is_retried_later_then_delivered_once(world: LeadWorld) -> None:
    world.owners.failures = 2
    world.submit("best")
    assert world.desk.run_outbox().retrying == 1
    assert world.desk.run_outbox().retrying == 0, "not due again before the backoff"
    world.clock.advance(seconds=11)
    assert world.desk.run_outbox().retrying == 1
    world.clock.advance(seconds=21)
    assert world.desk.run_outbox().delivered == 1
    [lead] = world.leads.leads_for_user(SHOPPER)
    assert lead.status is LeadStatus.SENT and lead.attempts == 2
    assert len(world.owners.sent) == 1
    assert world.news() == [say.DELIVERED.format(atelier="Atelier best")]


def test_a_platform_failing_every_attempt_makes_the_lead_undeliverable(world: LeadWorld) -> None:
    world.owners.failures = 10**6
    world.submit("best", made=design())
    for _ in range(3):
        world.desk.run_outbox()
        world.clock.advance(minutes=10)
    assert statuses(world) == [LeadStatus.UNDELIVERABLE] and not world.owners.sent
    assert world.news()[0].startswith(say.UNDELIVERABLE.format(atelier="Atelier best"))


def test_liveness_follows_the_runners(world: LeadWorld) -> None:
    assert world.desk.live_platforms() == {"telegram", "test"}
    world.desk.withdraw()
    assert world.desk.live_platforms() == set()


def test_the_lead_funnel_counts_each_state_a_lead_enters(world: LeadWorld) -> None:
    metrics()  # registered in this process

    def counts() -> dict[str, float]:
        read = REGISTRY.get_sample_value
        return {
            s.value: read("stylegenie_leads_total", {"state": s.value}) or 0 for s in LeadStatus
        }

    before = counts()
    world.submit("best")
    world.owners.unreachable.add("owner-second")
    world.submit("second")
    world.desk.run_outbox()
    moved = {
        state: count - before[state] for state, count in counts().items() if count != before[state]
    }
    assert moved == {"new": 2, "sent": 1, "undeliverable": 1}

"""Benchmark: atelier matching latency at 1k, 10k and 100k ateliers, and lead throughput.

Matching is measured the way the conversation runs it: the SQL pre-filter in
PostgreSQL (category, complexity, price, lead time, bounding box or remote) plus the
core's scoring, for shoppers in random European cities. Lead throughput is the
outbox path: store the lead, deliver it (a no-op channel), record it, mark it sent.

    .venv/bin/python bench/ateliers.py [--sizes 1000,10000,100000] [--queries 200]
"""

from __future__ import annotations

import argparse
import random
import time
from contextlib import closing

from common import percentile, scratch_database

from stylegenie.adapters.contact_cipher import ContactCipher, generate_key
from stylegenie.adapters.notifiers import NotifierHub
from stylegenie.adapters.postgres.ateliers import PostgresAteliers
from stylegenie.adapters.postgres.database import Database
from stylegenie.adapters.postgres.leads import PostgresLeads
from stylegenie.bots.wiring import database_for, lead_policy
from stylegenie.config import Settings
from stylegenie.core.domain import Atelier, Design, DesignBrief, MatchRequest
from stylegenie.core.leads import LeadDesk
from stylegenie.core.matching import match_ateliers
from stylegenie.core.reply import Reply

CATEGORIES = ["dress", "suit", "top", "outerwear", "ethnic", "skirt", "trousers", "knitwear"]
CITIES = [
    (38.72, -9.14),
    (41.15, -8.61),
    (40.42, -3.70),
    (48.86, 2.35),
    (45.46, 9.19),
    (51.51, -0.13),
    (52.52, 13.40),
    (50.85, 4.35),
    (48.21, 16.37),
    (41.39, 2.17),
]


def generated(count: int, rng: random.Random) -> list[Atelier]:
    """Ateliers scattered around ten European cities (±1.5°), a few remote-friendly."""
    ateliers = []
    for i in range(count):
        lat, lon = rng.choice(CITIES)
        low = rng.choice([40, 80, 150, 300])
        ateliers.append(
            Atelier(
                id=f"b{i}",
                name=f"Bench atelier {i}",
                city="Somewhere",
                lat=lat + rng.uniform(-1.5, 1.5),
                lon=lon + rng.uniform(-1.5, 1.5),
                categories=rng.sample(CATEGORIES, 3),
                max_complexity=rng.choice(["simple", "moderate", "complex", "couture"]),
                price_min=low,
                price_max=low * 5,
                lead_time_days=rng.choice([7, 14, 30, 60]),
                rating=round(rng.uniform(3, 5), 1),
                remote_friendly=rng.random() < 0.02,
                owner_chat_ids={"telegram": str(i)},
                contact=f"hello@b{i}.example",
            )
        )
    return ateliers


def measure_matching(
    repo: PostgresAteliers, queries: int, rng: random.Random
) -> tuple[list[float], float]:
    timings, found = [], 0
    for _ in range(queries):
        lat, lon = rng.choice(CITIES)
        request = MatchRequest(
            category=rng.choice(CATEGORIES),
            complexity=rng.choice(["simple", "moderate"]),
            latitude=lat,
            longitude=lon,
            radius_km=50,
            budget_max=rng.choice([150, 400]),
            deadline_days=rng.choice([None, 30]),
        )
        start = time.perf_counter()
        matches = match_ateliers(request, repo.find_ateliers(request))
        timings.append((time.perf_counter() - start) * 1000)
        found += len(matches)
    return timings, found / queries


class NoOp:
    """A channel that delivers nothing (and says so instantly)."""

    def deliver(self, chat_id: str, reply: Reply, idempotency_key: str) -> str:
        return "0"

    def settle(self, chat_id: str, message_ref: str, outcome: str) -> None:
        """Edit nothing."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--leads", type=int, default=500)
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    rng = random.Random(1)
    cipher = ContactCipher([generate_key()])
    print(f"{'ateliers':>9}{'p50 ms':>9}{'p95 ms':>9}{'matches/query':>15}{'load s':>8}")
    for size in (int(s) for s in args.sizes.split(",")):
        with (
            scratch_database(args.pg_url) as url,
            closing(database_for(Settings(database={"url": url}))) as db,
        ):
            repo = PostgresAteliers(db, cipher)
            start = time.perf_counter()
            ateliers = generated(size, rng)
            for first in range(0, size, 5000):
                repo.upsert_ateliers(ateliers[first : first + 5000])
            with db.connection() as conn:
                conn.execute("ANALYZE ateliers")
            loaded = time.perf_counter() - start
            measure_matching(repo, 20, rng)  # warm the pool and the plan cache
            timings, per_query = measure_matching(repo, args.queries, rng)
            print(
                f"{size:>9}{percentile(timings, 0.5):>9.1f}{percentile(timings, 0.95):>9.1f}"
                f"{per_query:>15.1f}{loaded:>8.1f}"
            )
            if size == int(args.sizes.split(",")[0]):
                lead_rate = measure_leads(db, repo, ateliers, args.leads)
    print(f"lead outbox: {lead_rate:.0f} leads/s stored, delivered and marked sent (one process)")


def measure_leads(
    db: Database, repo: PostgresAteliers, ateliers: list[Atelier], count: int
) -> float:
    """Leads per second through the whole outbox path: stored, delivered, marked sent."""
    hub = NotifierHub()
    hub.register("telegram", NoOp())
    hub.register("bench", NoOp())
    rules = lead_policy(
        Settings(leads={"daily_limit_per_shopper": 10**9, "open_cap_per_atelier": 10**9})
    )
    desk = LeadDesk(PostgresLeads(db), repo, hub, rules)
    desk.run_outbox()  # the platforms are live
    design = Design(
        brief=DesignBrief(garment="dress", category="dress"), prompt="p", seed=1, model="m"
    )
    request = MatchRequest(category="dress")
    start = time.perf_counter()
    for i in range(count):
        desk.submit(f"bench:{i}", "Bench shopper", ateliers[i % len(ateliers)], design, request)
    report = desk.run_outbox()
    assert report.delivered == count, report
    return count / (time.perf_counter() - start)


if __name__ == "__main__":
    main()

"""Benchmark: the conversation engine on embedded backends with the offline parser.

Runs 1,000 scripted turns (by default) against the assembled product — PostgreSQL,
Milvus Lite, MiniLM, eager Celery, garment sketches — and prints turns/s and latency
p50/p95 by turn kind: text-only (no render, no search), render (designs of the look),
search (one search per piece of the outfit), ateliers (matching) and ask (an atelier whose
owner no front-end can reach).

    .venv/bin/python bench/conversation.py [--turns 1000] [--pg-url URL]
    .venv/bin/python bench/conversation.py --overhead [--turns 4000]

``--overhead`` runs the turns through the front-end kit's turn runner, as a bot does, and
alternates whole journeys with the instrumentation on (metrics recorded, JSON log lines at
INFO written to /dev/null, the turn's log context and span) and off (those hooks replaced
by no-ops, logs at WARNING), then prints p50/p95 of both and the difference.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import torch
from common import percentile, scratch_database
from overhead import Instrumentation, run_through_kit

from stylegenie.adapters.feeds import read_ateliers, read_products
from stylegenie.bots.wiring import assemble
from stylegenie.config import Settings
from stylegenie.core.chats import ChatKey, Sender
from stylegenie.core.conversation.state import Incoming
from stylegenie.core.ingest import CatalogIngestor
from stylegenie.core.reply import Choice

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
# (kind, event): one shopper's journey; "#n" presses the n-th button of the last reply.
JOURNEY = [
    ("text-only", "/help"),
    ("text-only", "something for a garden wedding"),
    ("render", "a sage green linen dress under 120"),
    ("text-only", "#0"),
    ("search", "#0"),
    ("text-only", "under 90"),
    ("text-only", "/ateliers"),
    ("ateliers", "Lisbon"),
    ("ask", "#0"),
    ("render", "also heels to match"),
    ("text-only", "the heels under 60"),
    ("search", "/products"),
    ("text-only", "/prefs size M, Lisbon"),
    ("text-only", "🤷"),
]
""""ask" asks the first atelier; no front-end runs here, so its owner is unreachable: the
answer says so and offers the next atelier (issue 13's target: p95 ≤ 100 ms)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=1000)
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument(
        "--overhead", action="store_true", help="instrumentation on vs off, through the kit"
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    with scratch_database(args.pg_url) as url, tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            data_dir=Path(folder),
            database={"url": url},
            chat={"messages_per_minute": 10**9},
            search={"cache_ttl_s": 0},  # measure real searches, not the result cache
        )
        app = assemble(settings)
        worker = app.worker_runtime()
        worker.embedder.load()  # type: ignore[attr-defined]
        products, _ = read_products(EXAMPLES / "sample_products.csv")
        CatalogIngestor(worker.embedder, worker.index, app.catalog).ingest(products)
        app.ateliers.upsert_ateliers(
            read_ateliers(EXAMPLES / "sample_ateliers.csv", app.geocoder)[0]
        )
        if args.overhead:
            switch = Instrumentation(app, settings)
            timings = run_through_kit(app, journeys(args.turns), switch, incoming)
        else:
            timings = run_turns(app, args.turns)
        app.close()
        worker.index.close()  # type: ignore[attr-defined]
    if args.overhead:
        switch.report(timings)
    else:
        report(timings)


Event = tuple[str, ChatKey, Sender, str]
"""(turn kind, chat, sender, event): one scripted turn; "#n" presses the n-th button."""


def journeys(turns: int) -> list[list[Event]]:
    """``turns`` scripted turns, as whole journeys of one new shopper each."""
    scripted: list[list[Event]] = []
    done = 0
    while done < turns:
        key = ChatKey(platform="bench", id=str(len(scripted) + 1))
        sender = Sender(user=key, display_name=f"Shopper {key.id}")
        journey = [(kind, key, sender, event) for kind, event in JOURNEY[: turns - done]]
        scripted.append(journey)
        done += len(journey)
    return scripted


def incoming(event: str, sender: Sender, choices: list[Choice]) -> Incoming:
    """The scripted event as the engine receives it."""
    if event.startswith("#"):
        return Incoming.choice(choices[int(event[1:])].id, sender)
    return Incoming.from_text(event, sender)


def run_turns(app: object, turns: int) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = defaultdict(list)
    for journey in journeys(turns):
        choices: list[Choice] = []
        for kind, key, sender, event in journey:
            start = time.perf_counter()
            reply = app.engine.handle(key, incoming(event, sender, choices))  # type: ignore[attr-defined]
            timings[kind].append((time.perf_counter() - start) * 1000)
            choices = reply.choices
    return timings


def report(timings: dict[str, list[float]]) -> None:
    total_ms = sum(sum(v) for v in timings.values())
    count = sum(len(v) for v in timings.values())
    print(f"{'turn kind':<12}{'turns':>7}{'p50 ms':>9}{'p95 ms':>9}{'mean ms':>9}")
    for kind in ("text-only", "render", "search", "ateliers", "ask"):
        values = timings.get(kind, [])
        if values:
            print(
                f"{kind:<12}{len(values):>7}"
                f"{percentile(values, 0.5):>9.1f}{percentile(values, 0.95):>9.1f}"
                f"{statistics.mean(values):>9.1f}"
            )
    print(
        f"{'all':<12}{count:>7}   throughput {count / (total_ms / 1000):.1f} turns/s (one thread)"
    )
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak_mib:.0f} MiB (PostgreSQL runs in its own process)")


if __name__ == "__main__":
    main()

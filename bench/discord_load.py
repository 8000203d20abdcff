"""Benchmark: 200 concurrent Discord shoppers against the real bot process, through a fake Discord.

The driver (this process) prepares a fresh database and catalogue, serves the fake Discord
(tests/fakes/discord/: gateway and REST) on 127.0.0.1, and starts the bot as a
separate process (``--role bot``: the real ``StyleGenieClient`` on the assembled app). Each
shopper then runs ``/design`` with a description (render paced to ``--render-s`` seconds, as
a stand-in GPU), presses "Pick 1" on the designs, presses "Show products", and runs
``/help``, with a human pause between steps. With ``--workers celery`` (the default here) a
Celery worker process does the paced renders and the searches.

Reported per kind of interaction: the time from the interaction's dispatch to its
acknowledgement by the bot (Discord fails an interaction not acknowledged within 3 s:
"Unknown interaction") and how many came later than 3 s; the time to the final reply (read
each time the bot calls about the interaction); throughput; the bot process's RSS and whether
it imported a model library.

    .venv/bin/python bench/discord_load.py [--shoppers 200] [--render-s 2]
        [--workers eager|celery] [--engine-threads 256]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chat_load import (  # noqa: E402
    cpu_by_process,
    heavy_modules,
    loaded_environment,
    memory,
    pace_runtime,
    stop_all,
    stop_bot,
    wait_for_worker,
    worker_role,
)
from common import percentile  # noqa: E402

from tests.fakes.discord import (  # noqa: E402
    APPLICATION_ID,
    TOKEN,
    Call,
    FakeDiscord,
    Message,
)

COLOURS = ["sage green", "navy", "black", "white", "red", "yellow", "beige", "pink"]
ACK_LIMIT_S = 3.0
DRIVER = "driver + fake Discord"
FIRST_SHOPPER = 500_000


@dataclass
class Step:
    """One interaction of one shopper: dispatched, acknowledged, and its final reply."""

    kind: str
    dispatched: float
    acked: float
    final: float


def bot_role(args: argparse.Namespace) -> None:
    """The bot process: the assembled app behind the real Discord client."""
    from stylegenie.bots.discord import StyleGenieClient, serving
    from stylegenie.bots.telegram import use_fast_event_loop
    from stylegenie.bots.wiring import assemble, image_store_for
    from stylegenie.config import load_settings

    settings = load_settings()
    app = assemble(settings)
    app.geocoder.load()  # as `stylegenie discord` does
    if settings.workers.mode == "eager":
        pace_runtime(app.worker_runtime(), args.render_s)
    images = image_store_for(settings)

    async def serve() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        client = StyleGenieClient(settings.discord, app.engine, images, app.lead_wiring())
        async with serving(client):
            await stop.wait()

    use_fast_event_loop()
    asyncio.run(serve())
    Path(args.report).write_text(json.dumps({"heavy_modules": heavy_modules()}), encoding="utf-8")
    app.close()


class Wakes:
    """Wakes the shopper waiting on an interaction whenever the bot calls about it (a
    listener of the fake), so shoppers wait on events instead of polling the fake."""

    def __init__(self, fake: FakeDiscord) -> None:
        self._events: dict[int, asyncio.Event] = {}
        fake.listeners.append(self._heard)

    def _heard(self, call: Call) -> None:
        event = self._events.get(call.interaction_id or 0)
        if event is not None:
            event.set()

    async def final_reply(
        self, fake: FakeDiscord, iid: int, done: Callable[[Message], bool], timeout: float = 120
    ) -> tuple[float, Message]:
        """When the interaction's reply showed what ends the step (``done``)."""
        event = self._events.setdefault(iid, asyncio.Event())
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                event.clear()
                for message in reversed(fake.replies_to(iid)):
                    if done(message):
                        return time.monotonic(), message
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), deadline - time.monotonic())
        finally:
            del self._events[iid]
        seen = [(m.content[:80], m.custom_ids) for m in fake.replies_to(iid)]
        raise TimeoutError(f"interaction {iid}: no final reply; saw {seen}")


def labelled(label: str) -> Callable[[Message], bool]:
    """A reply carrying a button whose label starts with ``label``."""
    return lambda message: any(b.get("label", "").startswith(label) for b in message.buttons)


def saying(words: str) -> Callable[[Message], bool]:
    """A reply whose text starts with ``words``."""
    return lambda message: message.content.startswith(words)


def button(message: Message, label: str) -> str:
    """The custom id of the button whose label starts with ``label``."""
    return next(b["custom_id"] for b in message.buttons if b.get("label", "").startswith(label))


async def play(fake: FakeDiscord, wakes: Wakes, shopper: int, think: float) -> list[Step]:
    """One shopper's journey; every step waits for the reply to the previous one."""
    rng, steps = random.Random(shopper), []
    await asyncio.sleep(rng.uniform(0, 1))
    colour = COLOURS[shopper % len(COLOURS)]
    description = f"a {colour} linen dress for a garden wedding, under 120, I'm in Lisbon"
    last: Message | None = None
    for kind, act, done in [
        ("design", ("slash", "design", {"description": description}), labelled("Pick 1")),
        ("pick", ("press", "Pick 1", {}), labelled("Show products")),
        ("search", ("press", "Show products", {}), labelled("Find an atelier")),
        ("help", ("slash", "help", {}), saying("Here's what I can do")),
    ]:
        how, name, options = act
        if how == "slash":
            payload = fake.command_payload(shopper, name, options)
        else:
            assert last is not None
            payload = fake.component_payload(shopper, last.id, button(last, name))
        iid = await fake.dispatch(payload)
        final, last = await wakes.final_reply(fake, iid, done)
        record = fake.interaction(iid)
        steps.append(Step(kind, record.dispatched_at, record.acked_at or final, final))
        await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))
    return steps


def report(steps: list[Step], wall: float) -> None:
    """Acknowledgement and final-reply latency by kind, late acknowledgements, throughput."""
    print(
        f"{'kind':<8}{'n':>6}{'ack p50':>9}{'ack p95':>9}{'ack max':>9}{'late >3s':>10}"
        f"{'final p50':>11}{'final p95':>11}   (ms)"
    )
    for kind in ["all", *dict.fromkeys(s.kind for s in steps)]:
        chosen = [s for s in steps if kind in ("all", s.kind)]
        ack = [(s.acked - s.dispatched) * 1000 for s in chosen]
        final = [(s.final - s.dispatched) * 1000 for s in chosen]
        late = sum(a > ACK_LIMIT_S * 1000 for a in ack)
        print(
            f"{kind:<8}{len(chosen):>6}{percentile(ack, 0.5):>9.0f}{percentile(ack, 0.95):>9.0f}"
            f"{max(ack):>9.0f}{late:>10}{percentile(final, 0.5):>11.0f}"
            f"{percentile(final, 0.95):>11.0f}"
        )
    print(f"throughput: {len(steps) / wall:.1f} interactions/s over {wall:.1f} s")


async def drive(args: argparse.Namespace, env: dict[str, str]) -> None:
    """Serve the fake Discord, start the bot (and worker), play every shopper, report."""
    fake = FakeDiscord()
    await fake.start()
    wakes = Wakes(fake)
    env |= {
        "STYLEGENIE_DISCORD__API_BASE": fake.api_base,
        "STYLEGENIE_DISCORD__GATEWAY_ADDRESS": fake.gateway_url,
    }
    me = [sys.executable, str(Path(__file__).resolve())]
    extra = ["--render-s", str(args.render_s), "--chats", str(args.shoppers)]
    worker = None
    if args.workers == "celery":
        worker = subprocess.Popen([*me, "--role", "worker", *extra], env=env)
    report_path = Path(env["STYLEGENIE_DATA_DIR"]) / "bot-report.json"
    bot = subprocess.Popen([*me, "--role", "bot", *extra, "--report", str(report_path)], env=env)
    try:
        while fake.identifies == []:
            await asyncio.sleep(0.2)
        if worker:
            await wait_for_worker(env)
        await asyncio.sleep(1)
        print(f"bot ready: {memory(bot.pid)['VmRSS']:.0f} MiB RSS before the load")
        processes = {"bot": bot} | ({"worker": worker} if worker else {})
        cpu_before, started = cpu_by_process(processes, DRIVER), time.monotonic()
        played = await asyncio.gather(
            *(play(fake, wakes, FIRST_SHOPPER + n, args.think_s) for n in range(args.shoppers))
        )
        wall = time.monotonic() - started
        now = cpu_by_process(processes, DRIVER)
        used = memory(bot.pid)
        report([s for shopper in played for s in shopper], wall)
        shares = ", ".join(f"{name} {now[name] - cpu_before[name]:.1f} s" for name in now)
        print(f"CPU time during the load: {shares}")
        stop_bot(bot, report_path, used, args.workers)
    finally:
        stop_all(bot, worker)
        await fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", choices=["driver", "bot", "worker"], default="driver")
    parser.add_argument("--shoppers", "--chats", dest="shoppers", type=int, default=200)
    parser.add_argument("--render-s", type=float, default=2.0)
    parser.add_argument("--think-s", type=float, default=1.0, help="mean pause between steps")
    parser.add_argument("--workers", choices=["eager", "celery"], default="celery")
    parser.add_argument("--engine-threads", type=int, default=256)
    parser.add_argument("--report", default="")
    args = parser.parse_args()
    args.chats = args.shoppers
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.role == "bot":
        return bot_role(args)
    if args.role == "worker":
        return worker_role(args)
    settings = {
        "STYLEGENIE_DISCORD__TOKEN": TOKEN,
        "STYLEGENIE_DISCORD__APPLICATION_ID": str(APPLICATION_ID),
        "STYLEGENIE_DISCORD__ENGINE_THREADS": str(args.engine_threads),
    }
    with loaded_environment(args.workers, settings) as env:
        asyncio.run(drive(args, env))


if __name__ == "__main__":
    main()

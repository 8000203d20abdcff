"""Benchmark: 200 concurrent Telegram chats against the real bot process, through the fake Bot API.

The driver (this process) prepares a fresh database and catalogue, serves the fake Bot
API (tests/fakes/telegram_server.py) on 127.0.0.1, and starts the bot as a separate
process (``--role bot``: the real ``build_application`` on the assembled app, long
polling). Each chat then plays JOURNEY, with a human pause between messages; renders
are paced to ``--render-s`` seconds per brief (a stand-in for a GPU worker: it sleeps,
then returns one pre-drawn card, so the bot's CPU is not the render's). With
``--workers celery`` the bot only sends tasks and a Celery worker process
(``--role worker``, thread pool) does the paced renders and real searches.

Reported: time from a shopper's update to the bot's first call for that chat (chat
action, progress message or the reply; split into the wait for the bot's long poll and
the bot's own time after it) and to its final reply, by turn kind; throughput; the
highest final-reply time of render turns next to the render time (if chats waited on
each other's renders it would be a multiple of it); the peak number of renders in
flight; the bot process's RSS and whether it imported torch.

    .venv/bin/python bench/telegram_load.py [--chats 200] [--render-s 2]
        [--workers eager|celery] [--engine-threads 256] [--sends-per-second 0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
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

from tests.fakes.telegram_server import TOKEN, Call, FakeTelegram  # noqa: E402

DRIVER = "driver + fake Bot API"

COLOURS = ["sage green", "navy", "black", "white", "red", "yellow", "beige", "pink"]
# (kind, message); "@Label" presses the first button whose label starts with that on the last
# reply. "ask" asks the first atelier: the sample ateliers' owners chat on the terminal, which
# no process of this benchmark runs, so it measures the answer for an unreachable owner.
JOURNEY = [
    ("text", "/start"),
    ("render", "a {colour} linen dress for a garden wedding, under 120, I'm in Lisbon"),
    ("text", "@Pick 1"),
    ("search", "@Show products"),
    ("ateliers", "@Find an atelier"),
    ("ask", "@Ask "),
    ("text", "/help"),
]


def bot_role(args: argparse.Namespace) -> None:
    """The bot process: the assembled app behind the real Telegram Application."""
    from stylegenie.bots.telegram import build_application, serving, use_fast_event_loop
    from stylegenie.bots.wiring import assemble, image_store_for
    from stylegenie.config import load_settings

    settings = load_settings()
    app = assemble(settings)
    app.geocoder.load()  # as `stylegenie telegram` does
    if settings.workers.mode == "eager":
        pace_runtime(app.worker_runtime(), args.render_s)
    images = image_store_for(settings)
    application = build_application(settings.telegram, app.engine, images, app.lead_wiring())

    async def serve() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        async with serving(application, settings.telegram, poll_timeout=5):
            await stop.wait()

    use_fast_event_loop()  # as `stylegenie telegram` does
    asyncio.run(serve())
    Path(args.report).write_text(json.dumps({"heavy_modules": heavy_modules()}), encoding="utf-8")
    app.close()


@dataclass
class Turn:
    """One message of one chat: when it was sent, when the bot's long poll received it, the
    bot's first call for it and its final reply."""

    kind: str
    pushed: float
    first: float
    final: float
    update_id: int
    delivered: float = 0.0


class Inbox:
    """Every call the bot makes, sorted by chat, with a wake-up per chat."""

    def __init__(self) -> None:
        self.calls: dict[int, list[Call]] = defaultdict(list)
        self._events: dict[int, asyncio.Event] = defaultdict(asyncio.Event)

    def record(self, call: Call) -> None:
        """The fake server's listener."""
        if call.chat_id is not None and call.status == 200:
            self.calls[call.chat_id].append(call)
            self._events[call.chat_id].set()

    async def final_after(self, chat_id: int, seen: int, timeout: float = 300) -> Call:
        """The first final (non-silent) message of the chat after its first ``seen`` calls."""
        deadline = time.monotonic() + timeout
        while True:
            for call in self.calls[chat_id][seen:]:
                if call.method == "sendMessage" and not call.params.get("disable_notification"):
                    return call
            self._events[chat_id].clear()
            await asyncio.wait_for(self._events[chat_id].wait(), deadline - time.monotonic())


async def play(server: FakeTelegram, inbox: Inbox, chat_id: int, think: float) -> list[Turn]:
    """One shopper's journey; every message waits for the reply to the previous one."""
    rng, turns, last = random.Random(chat_id), [], None
    await asyncio.sleep(rng.uniform(0, 1))
    for kind, step in JOURNEY:
        seen = len(inbox.calls[chat_id])
        if step.startswith("@"):
            markup = (last.params.get("reply_markup") if last else None) or {}
            buttons = [b for row in markup.get("inline_keyboard", []) for b in row]
            data = next(
                (b["callback_data"] for b in buttons if b["text"].startswith(step[1:])), None
            )
            if data is None:
                text = last.params.get("text") if last else None
                raise RuntimeError(f"chat {chat_id}: no button {step[1:]!r} under {text!r}")
            update_id = server.press(chat_id, data)
        else:
            update_id = server.send_text(chat_id, step.format(colour=COLOURS[chat_id % 8]))
        pushed = server.pushed_at[update_id]
        last = await inbox.final_after(chat_id, seen)
        first = min(c.at for c in inbox.calls[chat_id][seen:] if c.method != "deleteMessage")
        turns.append(Turn(kind, pushed, first, last.at, update_id))
        await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))
    return turns


def mark_delivered(turns: list[Turn], server: FakeTelegram) -> None:
    """Set each turn's ``delivered``: when the bot's long poll had it.

    That is when the poll that carried it arrived, or when the update was pushed if that
    poll was already waiting for one.
    """
    asked: dict[int, float] = {}
    for call in server.calls_for(method="getUpdates"):
        for update in call.result or []:
            asked.setdefault(update["update_id"], call.at)
    for turn in turns:
        turn.delivered = max(asked[turn.update_id], turn.pushed)


def report(turns: list[Turn], wall: float, calls: int, render_s: float) -> None:
    """The latency table, throughput and the proof that renders ran side by side.

    "first" is split in two: the update waiting for the bot's long poll ("to the bot"), and
    the bot's first call after receiving it ("then first call").
    """
    print(
        f"{'turn kind':<10}{'turns':>6}{'first p50':>11}{'first p95':>11}"
        f"{'final p50':>11}{'final p95':>11}{'final max':>11}"
        f"{'to the bot p50/p95':>20}{'then first call p50/p95':>25}   (ms)"
    )
    for kind in ["all", *dict.fromkeys(t.kind for t in turns)]:
        chosen = [t for t in turns if kind in ("all", t.kind)]
        first = [(t.first - t.pushed) * 1000 for t in chosen]
        final = [(t.final - t.pushed) * 1000 for t in chosen]
        polled = [(t.delivered - t.pushed) * 1000 for t in chosen]
        handled = [(t.first - t.delivered) * 1000 for t in chosen]
        print(
            f"{kind:<10}{len(chosen):>6}{percentile(first, 0.5):>11.0f}"
            f"{percentile(first, 0.95):>11.0f}{percentile(final, 0.5):>11.0f}"
            f"{percentile(final, 0.95):>11.0f}{max(final):>11.0f}"
            f"{f'{percentile(polled, 0.5):.0f} / {percentile(polled, 0.95):.0f}':>20}"
            f"{f'{percentile(handled, 0.5):.0f} / {percentile(handled, 0.95):.0f}':>25}"
        )
    renders = [t for t in turns if t.kind == "render"]
    edges = sorted([(t.pushed, 1) for t in renders] + [(t.final, -1) for t in renders])
    running = peak = 0
    for _, step in edges:
        running += step
        peak = max(peak, running)
    worst = max(t.final - t.pushed for t in renders)
    print(
        f"throughput: {len(turns) / wall:.1f} turns/s, {calls / wall:.0f} Bot API calls/s "
        f"over {wall:.1f} s"
    )
    print(
        f"renders: {len(renders)} of {render_s:g} s each, up to {peak} in flight at once; "
        f"slowest render turn {worst:.2f} s (one after another would take "
        f"{len(renders) * render_s:.0f} s)"
    )


async def drive(args: argparse.Namespace, env: dict[str, str]) -> None:
    """Serve the fake API, start the bot (and worker), play every chat, report."""
    server, inbox = FakeTelegram(), Inbox()
    await server.start()
    server.listeners.append(inbox.record)
    env["STYLEGENIE_TELEGRAM__API_BASE"] = server.api_base
    me = [sys.executable, str(Path(__file__).resolve())]
    extra = ["--render-s", str(args.render_s), "--chats", str(args.chats)]
    worker = None
    if args.workers == "celery":
        worker = subprocess.Popen([*me, "--role", "worker", *extra], env=env)
    report_path = Path(env["STYLEGENIE_DATA_DIR"]) / "bot-report.json"
    bot = subprocess.Popen([*me, "--role", "bot", *extra, "--report", str(report_path)], env=env)
    try:
        while not server.calls_for(method="getUpdates"):
            await asyncio.sleep(0.2)
        if worker:
            await wait_for_worker(env)
        await asyncio.sleep(1)
        print(f"bot ready: {memory(bot.pid)['VmRSS']:.0f} MiB RSS before the load")
        started, before = time.monotonic(), len(server.calls)
        processes = {"bot": bot} | ({"worker": worker} if worker else {})
        cpu_before = cpu_by_process(processes, DRIVER)
        played = await asyncio.gather(
            *(play(server, inbox, 10_000 + n, args.think_s) for n in range(args.chats))
        )
        wall = time.monotonic() - started
        now = cpu_by_process(processes, DRIVER)
        cpu = {name: spent - cpu_before[name] for name, spent in now.items()}
        used = memory(bot.pid)
        calls = len(server.calls) - before - len(server.calls_for(method="getUpdates"))
        turns = [t for chat in played for t in chat]
        mark_delivered(turns, server)
        report(turns, wall, calls, args.render_s)
        shares = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in cpu.items())
        print(f"CPU time during the load ({os.cpu_count()} cores × {wall:.1f} s): {shares}")
        stop_bot(bot, report_path, used, args.workers)
    finally:
        stop_all(bot, worker)
        await server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", choices=["driver", "bot", "worker"], default="driver")
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--render-s", type=float, default=2.0)
    parser.add_argument("--think-s", type=float, default=1.0, help="mean pause between messages")
    parser.add_argument("--workers", choices=["eager", "celery"], default="eager")
    parser.add_argument("--engine-threads", type=int, default=256)
    parser.add_argument("--sends-per-second", type=float, default=0.0)
    parser.add_argument("--report", default="")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.role == "bot":
        return bot_role(args)
    if args.role == "worker":
        return worker_role(args)
    from stylegenie.bots.telegram import use_fast_event_loop

    settings = {
        "STYLEGENIE_TELEGRAM__TOKEN": TOKEN,
        "STYLEGENIE_TELEGRAM__ENGINE_THREADS": str(args.engine_threads),
        "STYLEGENIE_TELEGRAM__SENDS_PER_SECOND": str(args.sends_per_second),
    }
    with loaded_environment(args.workers, settings) as env:
        use_fast_event_loop()  # the fake server and the 200 players: less harness time
        asyncio.run(drive(args, env))

if __name__ == "__main__":
    main()

"""The front-end kit on its own: chat order, progress pacing, the turn runner, the outbox."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from stylegenie.bots.kit.bridge import LoopBridge, NotRunning
from stylegenie.bots.kit.layout import plain_reply, reply_text
from stylegenie.bots.kit.order import ChatOrder
from stylegenie.bots.kit.outbox import LeadWiring, OutboxLoop
from stylegenie.bots.kit.progress import Pacing, ProgressPacer
from stylegenie.bots.kit.turns import APOLOGY, TurnRunner, engine_threads
from stylegenie.core.chats import ChatKey
from stylegenie.core.conversation.engine import ConversationEngine
from stylegenie.core.conversation.state import Incoming
from stylegenie.core.progress import Activity, ProgressCallback, drawing, rendering
from stylegenie.core.reply import AtelierCard, Choice, ImageRef, ProductCard, Reply
from tests.fakes.people import text

CHAT = ChatKey(platform="test", id="1")


class RecordingView:
    """A ProgressView that records what it was asked to show; can fail every call."""

    def __init__(self, failing: bool = False) -> None:
        self.shown: list[tuple[str, str]] = []
        self._failing = failing

    async def _record(self, what: str, value: str) -> None:
        self.shown.append((what, value))
        if self._failing:
            raise ConnectionError("the platform is unreachable")

    async def indicate(self, activity: Activity) -> None:
        await self._record("indicate", activity.value)

    async def post(self, words: str) -> None:
        await self._record("post", words)

    async def edit(self, words: str) -> None:
        await self._record("edit", words)

    async def remove(self) -> None:
        await self._record("remove", "")


def test_a_slow_turn_shows_its_indicator_before_it_starts_and_a_fast_one_only_if_late() -> None:
    async def shown_on_entry(slow: bool) -> list[tuple[str, str]]:
        view = RecordingView()
        async with ProgressPacer(view, Pacing(message_after_s=5.0), slow=slow):
            return list(view.shown)

    assert asyncio.run(shown_on_entry(slow=True)) == [("indicate", "thinking")]
    assert asyncio.run(shown_on_entry(slow=False)) == []


def test_progress_posts_after_the_delay_edits_as_events_come_and_is_removed() -> None:
    async def turn() -> list[tuple[str, str]]:
        view = RecordingView()
        pacing = Pacing(message_after_s=0.2, edit_every_s=0.1)
        async with ProgressPacer(view, pacing) as pacer:
            pacer.report(drawing(3))
            await asyncio.sleep(0.3)
            pacer.report(rendering(2, 3))
            await asyncio.sleep(0.3)
        await pacer.clear()
        return view.shown

    shown = asyncio.run(turn())
    assert shown[0] == ("indicate", "drawing"), "drawing shows its own indicator at once"
    assert ("post", "Drawing 3 designs…") in shown
    assert ("edit", "Rendering 2/3…") in shown
    assert shown[-1] == ("remove", "")


def test_progress_backs_off_while_the_platform_is_unreachable() -> None:
    async def turn() -> int:
        view = RecordingView(failing=True)
        async with ProgressPacer(view, Pacing(message_after_s=0.0), slow=True) as pacer:
            pacer.report(drawing(3))
            await asyncio.sleep(1.0)
        return len(view.shown)

    assert asyncio.run(turn()) <= 2, "one failure pauses progress instead of hammering"


def test_one_chats_events_run_in_order_while_other_chats_go_on() -> None:
    async def scenario() -> list[str]:
        order, done = ChatOrder(), []

        async def event(chat: str, name: str, seconds: float) -> None:
            async with order.turn_of(chat):
                await asyncio.sleep(seconds)
                done.append(name)

        await asyncio.gather(event("a", "a1", 0.2), event("a", "a2", 0.0), event("b", "b1", 0.0))
        assert len(order) == 0, "idle chats are forgotten"
        return done

    assert asyncio.run(scenario()) == ["b1", "a1", "a2"]


class EchoSurface:
    """A Surface that keeps every reply and admin notice; can fail sending one text."""

    def __init__(self, fail_on: str = "") -> None:
        self.sent: list[str] = []
        self.admins: list[str] = []
        self.view = RecordingView()
        self._fail_on = fail_on

    def progress_view(self, chat: ChatKey, event: object) -> RecordingView:
        return self.view

    async def send(self, chat: ChatKey, reply: Reply, event: object) -> None:
        if reply.text == self._fail_on:
            raise ConnectionError("send failed")
        self.sent.append(reply.text)

    async def tell_admins(self, words: str) -> None:
        self.admins.append(words)


class EchoEngine:
    """Answers "echo <text>", raises for "boom", sleeps for "slow" (reporting progress)."""

    may_be_slow = staticmethod(ConversationEngine.may_be_slow)

    def __init__(self) -> None:
        self.threads: list[str] = []

    def handle(
        self, chat: ChatKey, incoming: Incoming, progress: ProgressCallback | None = None
    ) -> Reply:
        self.threads.append(threading.current_thread().name)
        if incoming.text == "boom":
            raise RuntimeError("boom")
        if incoming.text == "slow" and progress:
            progress(drawing(1))
            time.sleep(0.3)
        return Reply(text=f"echo {incoming.text}")


def test_the_runner_answers_off_the_loop_and_apologises_for_failures() -> None:
    async def scenario(surface: EchoSurface, engine: EchoEngine, *lines: str) -> None:
        with ThreadPoolExecutor(2, thread_name_prefix="turn") as pool:
            runner = TurnRunner(engine, surface, pool, Pacing(message_after_s=0.1))
            for line in lines:
                await runner.run(CHAT, text(str(CHAT), line))

    surface, engine = EchoSurface(fail_on="echo unlucky"), EchoEngine()
    asyncio.run(scenario(surface, engine, "hello", "boom", "unlucky", "slow"))
    assert surface.sent == ["echo hello", APOLOGY, APOLOGY, "echo slow"]
    assert [notice.split(" with ")[1][:12] for notice in surface.admins] == [
        "RuntimeError",
        "ConnectionEr",
    ]
    assert all(name.startswith("turn") for name in engine.threads), "engine ran off the loop"
    assert ("post", "Drawing 1 design…") in surface.view.shown
    assert surface.view.shown[-1] == ("remove", ""), "progress is cleared after the reply"


def test_the_outbox_runs_at_start_and_when_woken_and_withdraws_at_stop() -> None:
    runs: list[float] = []
    withdrawn: list[bool] = []

    async def scenario() -> None:
        with ThreadPoolExecutor(1) as pool:
            leads = LeadWiring(
                hub=None,  # type: ignore[arg-type]
                run_outbox=lambda: runs.append(time.monotonic()),
                listen=lambda _: None,
                withdraw=lambda: withdrawn.append(True),
                every_s=60,
            )
            outbox = OutboxLoop(leads, pool)
            outbox.start()
            await asyncio.sleep(0.1)
            threading.Thread(target=outbox.wake).start()
            await asyncio.sleep(0.2)
            await outbox.stop()

    asyncio.run(scenario())
    assert len(runs) == 2, "once at start, once woken (not waiting for the minute)"
    assert withdrawn == [True], "its platforms are withdrawn when it stops"


def test_the_bridge_runs_sends_on_the_loop_for_other_threads() -> None:
    async def where() -> str:
        return threading.current_thread().name

    bridge = LoopBridge(timeout_s=2)
    with pytest.raises(NotRunning):
        bridge.call(where)

    async def scenario() -> Any:
        bridge.start()
        loop_thread = threading.current_thread().name
        result = await asyncio.to_thread(bridge.call, where)
        with pytest.raises(RuntimeError, match="worker thread"):
            bridge.call(where)
        return result == loop_thread

    assert asyncio.run(scenario())


def test_the_neutral_layout_numbers_products_and_ateliers_and_lists_buttons() -> None:
    reply = Reply(
        text="Here you go.",
        images=[ImageRef(ref="/tmp/d1.png", caption="Design 1")],
        products=[
            ProductCard(
                product_id="p1", name="Sage dress", brand="Lino", price=89.5, currency="EUR",
                url="https://shop.example/p1", why="same sage linen",
            )
        ],
        ateliers=[
            AtelierCard(
                atelier_id="a1", name="Moonthread", city="Lisbon", price_range="90–650 EUR",
                lead_time_days=21, rating=4.7, distance_km=2.4,
            )
        ],
        choices=[Choice(id="more", label="New designs")],
    )
    words = reply_text(reply)
    assert "1. Sage dress by Lino — 89.50 EUR\n   same sage linen" in words
    assert "1. Moonthread — Lisbon, 2 km · 90–650 EUR · ~21 days · ★4.7" in words
    plain = plain_reply(reply)
    assert "[image] /tmp/d1.png  (Design 1)" in plain
    assert "[shop 1] https://shop.example/p1" in plain and "buttons: [1] New designs" in plain


def test_the_turn_threads_are_all_started_before_the_first_turn() -> None:
    before = {t.name for t in threading.enumerate()}
    pool = engine_threads(5)
    try:
        started = [t for t in threading.enumerate() if t.name not in before]
        assert len(started) == 5 and all(t.name.startswith("turn") for t in started)
        assert pool.submit(lambda: 7).result(timeout=2) == 7
    finally:
        pool.shutdown()

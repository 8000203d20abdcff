"""The cost of the instrumentation (metrics, JSON logs, the turn's context and span), measured
on the conversation bench's turns run through the front-end kit (``conversation.py --overhead``).

"On" is what a production process runs: every hook recording, JSON log lines at INFO
(written to /dev/null, so the terminal stays readable while the formatting is paid). "Off"
replaces the hooks with no-ops and logs at WARNING: the code as it was before the
instrumentation. Whole journeys alternate between the two, so drift hits both alike.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, nullcontext
from typing import Any
from unittest import mock

from common import percentile

from stylegenie.adapters.observability import logs
from stylegenie.adapters.observability.metrics import metrics
from stylegenie.adapters.postgres import leads as lead_store
from stylegenie.bots.kit import turns
from stylegenie.bots.kit.progress import Pacing
from stylegenie.bots.wiring import ranking_weights_for, searched_catalog
from stylegenie.config import Settings
from stylegenie.config.settings import ObservabilitySettings
from stylegenie.core.chats import ChatKey, Sender
from stylegenie.core.conversation.state import Incoming
from stylegenie.core.progress import Activity
from stylegenie.core.reply import Choice, Reply
from stylegenie.core.search import ProductSearcher
from stylegenie.gpu_workers import tasks

Event = tuple[str, ChatKey, Sender, str]
KINDS = ("text-only", "search")
"""The turn kinds the issue's target names (≤ 3 % on the p50)."""


class _Nothing:
    """Accepts any attribute or call and does nothing: metrics that record nothing."""

    def __getattr__(self, name: str) -> _Nothing:
        return self

    def __call__(self, *args: object, **kwargs: object) -> _Nothing:
        return self


class _QuietView:
    """A progress view that shows nothing (the bench has no chat to show it in)."""

    async def indicate(self, activity: Activity) -> None:
        """Nothing to indicate."""

    async def post(self, text: str) -> None:
        """Nothing to post."""

    async def edit(self, text: str) -> None:
        """Nothing to edit."""

    async def remove(self) -> None:
        """Nothing to remove."""


class _QuietSurface:
    """The kit's view of a platform that sends nowhere."""

    def progress_view(self, chat: ChatKey, event: object) -> _QuietView:
        """A view that shows nothing."""
        return _QuietView()

    async def send(self, chat: ChatKey, reply: Reply, event: object) -> None:
        """Sends nothing."""

    async def tell_admins(self, text: str) -> None:
        """Tells nobody."""


class Instrumentation:
    """Switches the instrumentation on and off between journeys, and reports both."""

    def __init__(self, app: Any, settings: Settings) -> None:
        worker = app.worker_runtime()
        self._worker = worker
        searcher = dict(
            embedder=worker.embedder,
            index=worker.index,
            catalog=searched_catalog(settings, app.catalog),
            weights=ranking_weights_for(settings),
            candidates=settings.ranking.candidates,
        )
        self._searchers = {
            True: ProductSearcher(**searcher, stages=metrics()),
            False: ProductSearcher(**searcher),
        }

    @contextmanager
    def state(self, on: bool) -> Iterator[None]:
        """The instrumentation on or off for the block."""
        section = ObservabilitySettings(
            log_format="json" if on else "text", log_level="INFO" if on else "WARNING"
        )
        logs.configure_logging(section, service="bench", verbose=False)
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 (lives with the handler)
        self._worker.searcher = self._searchers[on]
        with ExitStack() as hooks:
            if not on:
                nothing = _Nothing()
                for module in (tasks, lead_store):
                    hooks.enter_context(mock.patch.object(module, "metrics", lambda: nothing))
                series = mock.patch.object(turns, "_turn_series", lambda *_: (nothing, nothing))
                hooks.enter_context(series)
                hooks.enter_context(mock.patch.object(turns, "log_context", _no_context))
                hooks.enter_context(mock.patch.object(turns, "turn_span", _no_context))
                hooks.enter_context(mock.patch.object(turns, "chat_hash", lambda chat: ""))
            yield

    def report(self, timings: dict[tuple[str, bool], list[float]]) -> None:
        """p50/p95 of each turn kind with the instrumentation off and on, and the p50 cost."""
        print(
            f"{'turn kind':<12}{'turns':>7}{'off p50':>9}{'on p50':>9}"
            f"{'off p95':>9}{'on p95':>9}{'p50 cost':>10}"
        )
        for kind in KINDS:
            off, on = timings[(kind, False)], timings[(kind, True)]
            cost = percentile(on, 0.5) / percentile(off, 0.5) - 1
            print(
                f"{kind:<12}{len(on) + len(off):>7}"
                f"{percentile(off, 0.5):>9.2f}{percentile(on, 0.5):>9.2f}"
                f"{percentile(off, 0.95):>9.2f}{percentile(on, 0.95):>9.2f}{cost:>+10.1%}"
            )


def _no_context(*args: object, **kwargs: object) -> nullcontext[None]:
    return nullcontext()


def run_through_kit(
    app: Any,
    journeys: list[list[Event]],
    switch: Instrumentation,
    incoming: Callable[[str, Sender, list[Choice]], Incoming],
) -> dict[tuple[str, bool], list[float]]:
    """Every journey through a TurnRunner, alternately instrumented; ms by (kind, on)."""
    timings: dict[tuple[str, bool], list[float]] = defaultdict(list)

    async def run() -> None:
        with ThreadPoolExecutor(1) as executor:
            runner = turns.TurnRunner(
                app.engine, _QuietSurface(), executor, Pacing(message_after_s=1.0)
            )
            for number, journey in enumerate(journeys):
                on = number % 2 == 1
                with switch.state(on):
                    choices: list[Choice] = []
                    for kind, key, sender, event in journey:
                        start = time.perf_counter()
                        reply = await runner.run(key, incoming(event, sender, choices))
                        timings[(kind, on)].append((time.perf_counter() - start) * 1000)
                        choices = reply.choices if reply else []

    asyncio.run(run())
    return timings

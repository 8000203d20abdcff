"""Concurrent searches share one encoder call and one batched index search.

The search route awaits ``SearchBatcher.search(query)``: the query waits up to ``window_s``
for others (or until ``batch_max`` have come), then the whole batch runs off the event loop,
on one of the batcher's threads: in "celery" mode as one ``search_products_batch`` task on
a worker, in "eager" mode on this process's searcher. ``ProductSearcher.search_many``
embeds every text in one encoder call and asks the index for all of them at once (one
Milvus call per filter expression, those calls concurrent), and each caller's future gets
its own hits, ranked as a search alone would rank them.

Only a few batches run at once (``EAGER_IN_FLIGHT``, ``CELERY_IN_FLIGHT``); while they do,
new queries keep collecting (up to ``batch_max`` a batch), so batches grow with the load
instead of queueing one by one. With a window of 0 every search runs alone.

Searches here do not go through the search-result cache (``adapters.search_cache``), whose
Workers wrapper has no batched search: each one reaches the encoder and the index.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import NamedTuple

from stylegenie.bots.wiring import StyleGenie
from stylegenie.core.domain import ProductHit
from stylegenie.core.ports import SearchQuery
from stylegenie.gpu_workers.client import CeleryWorkers

EAGER_IN_FLIGHT = 2
"""Batches (or lone searches) running at once in "eager" mode: one embeds while the other
waits on Milvus. More only share the same cores (measured on 2 cores, one search at a time:
4 in flight answered 10% fewer than 2, and 8 20% fewer), while waiting lets batches grow."""
CELERY_IN_FLIGHT = 8
"""Batches sent to Celery workers at once ("celery" mode): a thread here only waits."""

BatchSearch = Callable[[Sequence[SearchQuery]], list[list[ProductHit]]]
"""Answers several text queries at once: each query's hits, in order."""


def _batch_search(app: StyleGenie) -> BatchSearch:
    """How a batch is answered: one ``search_products_batch`` task on the Celery workers,
    or in "eager" mode this process's own searcher, called directly (the eager task would
    only add a JSON round trip of every query and hit, ~0.4 ms a query)."""
    if app.settings.workers.mode == "celery":
        return CeleryWorkers(app.settings.workers.task_timeout_s).search_many

    def eager(queries: Sequence[SearchQuery]) -> list[list[ProductHit]]:
        return app.worker_runtime().searcher.search_many(queries)

    return eager


class _Waiting(NamedTuple):
    """A query waiting for its batch, and the future its caller awaits."""

    query: SearchQuery
    answer: asyncio.Future[list[ProductHit]]


class SearchBatcher:
    """Collects concurrent text searches into batches and answers each caller.

    All its state lives on the event loop's thread; only the batches run elsewhere.
    """

    def __init__(self, app: StyleGenie, window_s: float, batch_max: int) -> None:
        workers = app.settings.workers
        self._search_many = _batch_search(app)
        self._window_s = window_s
        self._batch_max = batch_max if window_s > 0 else 1
        self._in_flight = EAGER_IN_FLIGHT if workers.mode == "eager" else CELERY_IN_FLIGHT
        self._threads = ThreadPoolExecutor(self._in_flight, thread_name_prefix="search-batch")
        self._waiting: list[_Waiting] = []
        self._timer: asyncio.TimerHandle | None = None
        self._due = False
        self._running = 0

    async def search(self, query: SearchQuery) -> list[ProductHit]:
        """The query's hits, best first, once its batch has run (raises what the batch
        raised)."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[list[ProductHit]] = loop.create_future()
        self._waiting.append(_Waiting(query, answer))
        if self._window_s <= 0:
            self._due = True
        elif self._timer is None and not self._due:
            self._timer = loop.call_later(self._window_s, self._window_over)
        self._start_due()
        return await answer

    def close(self) -> None:
        """Stop: waiting searches fail, running batches are left to finish on their own."""
        if self._timer is not None:
            self._timer.cancel()
        waiting, self._waiting = self._waiting, []
        for item in waiting:
            if not item.answer.done():
                item.answer.set_exception(RuntimeError("the server is shutting down"))
        self._threads.shutdown(wait=False, cancel_futures=True)

    def _window_over(self) -> None:
        self._timer = None
        self._due = True
        self._start_due()

    def _start_due(self) -> None:
        """Start batches while some are due (window over, or full) and a slot is free."""
        loop = asyncio.get_running_loop()
        while self._waiting and self._running < self._in_flight:
            if not self._due and len(self._waiting) < self._batch_max:
                return
            batch = self._waiting[: self._batch_max]
            del self._waiting[: self._batch_max]
            self._running += 1
            queries = [item.query for item in batch]
            run = loop.run_in_executor(self._threads, self._search_many, queries)
            run.add_done_callback(partial(self._answer, batch))
        if not self._waiting:
            self._due = False
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    def _answer(self, batch: list[_Waiting], done: asyncio.Future[list[list[ProductHit]]]) -> None:
        """Hand each caller its hits (or the batch's error), then start what is due."""
        self._running -= 1
        error = done.exception() if not done.cancelled() else RuntimeError("search cancelled")
        for i, item in enumerate(batch):
            if item.answer.done():  # the caller went away
                continue
            if error is not None:
                item.answer.set_exception(error)
            else:
                item.answer.set_result(done.result()[i])
        self._start_due()

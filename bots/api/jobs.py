"""Design jobs: ``POST /api/v1/generate`` drawn in the background, tracked in PostgreSQL.

A job goes: submitted (a queued row; a retry under the same Idempotency-Key finds it) →
running on this process's own threads, never on the event loop → its words moderated →
drawn by the workers, each progress event written to the row → done with its designs
stored, or failed with a reason in plain words. Jobs a dead process left unfinished are
failed when a process starts (``RunnerLock`` tells the dead from the live).
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

from stylegenie.adapters.postgres.api_jobs import ApiJob, PostgresApiJobs, RunnerLock
from stylegenie.bots.wiring import StyleGenie
from stylegenie.core.domain import Design, DesignBrief
from stylegenie.core.ports import RenderFailed, RenderRefused
from stylegenie.core.progress import ProgressEvent
from stylegenie.core.prompting import designs_for_brief

log = logging.getLogger(__name__)

RESTARTED = "The server restarted; please send it again."
RENDER_FAILED = "Drawing the designs failed this time; please send it again."
WENT_WRONG = "Something went wrong on our side while drawing; please send it again."


class KeyReused(Exception):
    """The caller's Idempotency-Key already names a job made from a different request."""

    def __init__(self) -> None:
        super().__init__(
            "This Idempotency-Key was already used with a different request; "
            "send a new key for a new request."
        )


def request_hash(request: dict[str, Any]) -> str:
    """The SHA-256 of a request's canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class DesignOrder:
    """What a job draws, and the request it came from.

    ``brief`` is the piece to draw, worn with ``companions``; ``count`` designs, seeded
    ``seed``, ``seed + 1``… when a seed is given. ``words`` is the brief as the caller
    wrote it (None for a brief given as fields), moderated before anything is drawn.
    ``request`` is the request with defaults filled in.
    """

    brief: DesignBrief
    count: int
    request: dict[str, Any]
    companions: list[DesignBrief] = field(default_factory=list)
    seed: int | None = None
    words: str | None = None
    idempotency_key: str | None = None

    @property
    def request_hash(self) -> str:
        """The digest that tells a retry of this request from a different one."""
        return request_hash(self.request)


def _unique_id(prefix: str) -> str:
    """An id unique across every job and process (``core.domain.new_id`` is short)."""
    return f"{prefix}-{uuid4().hex}"


class DesignJobs:
    """Takes design jobs, runs them on ``threads`` threads of its own and reports on them."""

    def __init__(self, app: StyleGenie, threads: int) -> None:
        self._services = app.services
        self._store = PostgresApiJobs(app.database)
        self._runner = RunnerLock(app.database)
        failed = self._store.fail_orphans(RESTARTED)
        if failed:
            log.warning("failed %d design job(s) left unfinished by a stopped process", failed)
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="design-job")

    def existing(self, caller_id: str, idempotency_key: str, digest: str) -> ApiJob | None:
        """The caller's job already made under this key from the request hashing to
        ``digest``; None when the key is new. Raises KeyReused for a different request."""
        job = self._store.by_key(caller_id, idempotency_key)
        return _retried(job, digest) if job else None

    def submit(self, caller_id: str, order: DesignOrder) -> ApiJob:
        """Queue a job for the order, or return the one its Idempotency-Key already made
        (raises KeyReused when that one came from a different request)."""
        job, created = self._store.create(
            ApiJob(
                id=_unique_id("job"),
                caller=caller_id,
                idempotency_key=order.idempotency_key,
                request_hash=order.request_hash,
                request=order.request,
                runner=self._runner.key,
                brief=order.brief,
                companions=order.companions,
            )
        )
        if not created:
            return _retried(job, order.request_hash)
        self._executor.submit(self._run, job.id, order)
        return job

    def job(self, job_id: str, caller_id: str) -> ApiJob | None:
        """The caller's job with its designs; None when unknown or another caller's."""
        return self._store.get(job_id, caller_id)

    def find_design(self, design_id: str, caller_id: str) -> Design | None:
        """A design drawn by one of the caller's jobs; None when unknown or another caller's."""
        return self._store.find_design(design_id, caller_id)

    def close(self) -> None:
        """Stop taking jobs: the ones not started fail now; the running ones finish on their
        threads (or are failed by the next process to start, if this one dies first)."""
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._store.fail_queued(self._runner.key, RESTARTED)
        self._runner.close()

    def _run(self, job_id: str, order: DesignOrder) -> None:
        """A job on one of the threads, from queued to done or failed."""
        try:
            if not self._store.start(job_id):
                return
            error = self._draw(job_id, order)
            if error:
                self._store.fail(job_id, error)
        except Exception:
            log.exception("design job %s could not be recorded", job_id)

    def _draw(self, job_id: str, order: DesignOrder) -> str | None:
        """Moderate, draw and store the order's designs; the reason it failed, if it did."""

        def report(event: ProgressEvent) -> None:
            self._store.report(job_id, event)

        try:
            refusal = self._services.moderator.refusal(order.words) if order.words else None
            if refusal:
                return refusal
            designs = self._services.workers.render_designs(_designs(order), report)
        except RenderRefused as refusal:
            return str(refusal)
        except RenderFailed as failure:
            log.warning("design job %s: render failed: %s", job_id, failure)
            return RENDER_FAILED
        except Exception:
            log.exception("design job %s failed", job_id)
            return WENT_WRONG
        self._store.finish(job_id, designs)
        return None


def _retried(job: ApiJob, digest: str) -> ApiJob:
    """A job found again under its Idempotency-Key, when the request is the same one."""
    if job.request_hash != digest:
        raise KeyReused
    return job


def _designs(order: DesignOrder) -> list[Design]:
    """The order's unrendered designs: variants of its piece, with ids unique everywhere
    and, when the order gives a seed, seeds ``seed``, ``seed + 1``…"""
    rng = random.Random(order.seed)
    variants = designs_for_brief(order.brief, order.count, "pending", order.companions, rng)
    return [
        design.model_copy(
            update={
                "id": _unique_id("d"),
                "seed": design.seed if order.seed is None else order.seed + n,
            }
        )
        for n, design in enumerate(variants)
    ]

"""The Prometheus metrics every StyleGenie process records, under names kept stable.

Dashboards and alert rules (``deploy/prometheus``) read these names, so a rename is a
breaking change. Each process builds the metrics once, on first use (``metrics()``); a
Celery prefork worker first switches to the library's multiprocess mode
(``share_through(folder)``), so that its forked children write to files the parent's
``/metrics`` adds up. Queue depth is read from the broker when scraped, not counted.
"""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from stylegenie.core.domain import LeadStatus

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
"""The variable prometheus-client reads to write per-process metric files."""

TURN_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0)
STAGE_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
RENDER_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 40.0, 80.0)
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass(frozen=True)
class Metrics:
    """This process's metrics: what front-ends, searches, renders, leads and the API count."""

    turns: Counter
    """``stylegenie_turns_total{platform,kind,outcome}``: chat turns answered (ok) or failed."""
    turn_seconds: Histogram
    """``stylegenie_turn_seconds{platform,kind}``: a turn from its event to its reply sent."""
    search_stage_seconds: Histogram
    """``stylegenie_search_stage_seconds{stage}``: embed, index, metadata and rank."""
    render_seconds: Histogram
    """``stylegenie_render_seconds{renderer}``: drawing one brief's designs."""
    renders: Counter
    """``stylegenie_renders_total{outcome}``: render tasks ok, refused or failed."""
    leads: Counter
    """``stylegenie_leads_total{state}``: leads entering each state of their life."""
    http_requests: Counter
    """``stylegenie_http_requests_total{method,route,status}``: API requests answered."""
    http_seconds: Histogram
    """``stylegenie_http_request_seconds{method,route}``: API request latency."""

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time one search stage (``embed``, ``index``, ``metadata`` or ``rank``)."""
        started = perf_counter()
        try:
            yield
        finally:
            self.search_stage_seconds.labels(name).observe(perf_counter() - started)


RENDER_OUTCOMES = ("ok", "refused", "failed")


@functools.cache
def metrics() -> Metrics:
    """This process's metrics, created on first use (after ``share_through`` if any).

    Leads and renders show every state and outcome from the start, at zero, so the first
    lead or failure after a restart counts in ``increase()`` like any other.
    """
    created = _created()
    for state in LeadStatus:
        created.leads.labels(state.value)
    for outcome in RENDER_OUTCOMES:
        created.renders.labels(outcome)
    return created


def _created() -> Metrics:
    return Metrics(
        turns=Counter(
            "stylegenie_turns_total",
            "Chat turns by platform, event kind and outcome (ok or failed).",
            ["platform", "kind", "outcome"],
        ),
        turn_seconds=Histogram(
            "stylegenie_turn_seconds",
            "Seconds from a chat event to its reply being sent.",
            ["platform", "kind"],
            buckets=TURN_BUCKETS,
        ),
        search_stage_seconds=Histogram(
            "stylegenie_search_stage_seconds",
            "Seconds spent in each product search stage (embed, index, metadata, rank).",
            ["stage"],
            buckets=STAGE_BUCKETS,
        ),
        render_seconds=Histogram(
            "stylegenie_render_seconds",
            "Seconds drawing one brief's designs, by renderer.",
            ["renderer"],
            buckets=RENDER_BUCKETS,
        ),
        renders=Counter(
            "stylegenie_renders_total",
            "Render tasks by outcome (ok, refused or failed).",
            ["outcome"],
        ),
        leads=Counter(
            "stylegenie_leads_total",
            "Leads entering each state (new, sent, accepted, declined, expired, undeliverable).",
            ["state"],
        ),
        http_requests=Counter(
            "stylegenie_http_requests_total",
            "API requests by method, route template and status code.",
            ["method", "route", "status"],
        ),
        http_seconds=Histogram(
            "stylegenie_http_request_seconds",
            "Seconds the API took to answer, by method and route template.",
            ["method", "route"],
            buckets=HTTP_BUCKETS,
        ),
    )


def share_through(folder: Path) -> None:
    """Record metrics in files under ``folder``, emptied now, for forked worker children.

    Call before the first ``metrics()`` of the process and before forking: the children
    inherit the setting and the parent's ``exposition()`` adds up every child's files.
    """
    if metrics.cache_info().currsize:
        raise RuntimeError("share_through must come before the process's first metric")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ[MULTIPROCESS_ENV] = str(folder)
    values.ValueClass = values.get_value_class()


class QueueDepth(Collector):
    """``stylegenie_queue_depth{queue}``: tasks waiting in each queue, read when scraped."""

    def __init__(self, depths: Callable[[], Mapping[str, int]]) -> None:
        self._depths = depths

    def collect(self) -> Iterable[Metric]:
        """The depth of every queue; nothing when the broker cannot be read."""
        family = GaugeMetricFamily(
            "stylegenie_queue_depth", "Tasks waiting in each Celery queue.", labels=["queue"]
        )
        try:
            depths = self._depths()
        except Exception:  # an unreachable broker shows as a missing series, and in /healthz
            return []
        for queue, depth in sorted(depths.items()):
            family.add_metric([queue], depth)
        return [family]


def exposition(extra: Iterable[Collector] = ()) -> tuple[bytes, str]:
    """This process's metrics in Prometheus' text format, and its content type.

    In multiprocess mode the values come from every process's files in the shared
    folder; ``extra`` collectors (queue depth) are read at the same time and follow.
    """
    metrics()  # every family shows from the first scrape, at zero
    registry = REGISTRY
    if MULTIPROCESS_ENV in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    text = generate_latest(registry)
    if extra:
        extras = CollectorRegistry()
        for collector in extra:
            extras.register(collector)
        text += generate_latest(extras)
    return text, CONTENT_TYPE_LATEST

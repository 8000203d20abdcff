"""OpenTelemetry traces and Sentry errors, each on only when its setting is set.

Why it is shaped this way:

- Both libraries are the optional extra ``stylegenie[observability]``. With neither setting
  nothing is imported, and ``turn_span`` (run on every chat turn) costs about a microsecond.
  A setting given without the extra installed is one warning line, not a crash.
- One trace follows a turn across processes: the front-end's ``turn`` span, the Celery
  publish span (its trace context travels in the task's headers), the worker's run span, and
  the psycopg, Redis and HTTP client calls under them. Every process instruments the same
  libraries, senders and workers alike.
- A client call with no parent (a broker poll, a Telegram long poll, a pool's check) starts no
  trace: traces begin at a turn, or at a task sent from outside one.
- Celery's prefork children: the SDK restarts its batch thread in a forked child, but the
  exporter's HTTP connection must not be shared with the parent (each process makes its own),
  and a child leaves with ``os._exit``, skipping ``atexit``, so it flushes on Celery's
  ``worker_process_shutdown``. Every other process flushes at exit (a worker's SIGTERM is a
  warm shutdown that exits normally).
- No message text leaves the process: the turn span carries the platform and kind only, bot
  tokens are cut from traced URLs, and Sentry gets no local variables, request bodies,
  breadcrumb messages or exception messages (pydantic and LLM errors quote their input);
  the process's own log keeps the details.
"""

from __future__ import annotations

import importlib
import logging
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from stylegenie.config.settings import ObservabilitySettings

if TYPE_CHECKING:
    from opentelemetry.context import Context
    from opentelemetry.sdk.trace import ReadableSpan
    from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
    from opentelemetry.sdk.trace.sampling import Sampler, SamplingResult
    from opentelemetry.trace import Link, Span, SpanKind, Tracer
    from opentelemetry.util.types import Attributes
    from sentry_sdk._types import Event

__all__ = ["configure_tracing", "turn_span"]

log = logging.getLogger(__name__)

PLATFORM = "stylegenie.platform"
TURN_KIND = "stylegenie.turn_kind"
MISSING_EXTRA = (
    "STYLEGENIE_OBSERVABILITY__%s is set but %s is not installed "
    "(pip install 'stylegenie[observability]'): running without %s"
)
BOT_TOKEN = re.compile(r"/bot\d+:[\w-]+")
"""A Telegram bot token in a Bot API path (``/bot123:ABC.../sendMessage``)."""
URL_ATTRIBUTES = ("url.full", "http.url")
FILTERED = "[Filtered]"

Flush = Callable[[], object]
"""Sends what a library still holds (spans, events) before the process goes."""

_tracer: Tracer | None = None
"""This process's tracer once tracing is configured; None keeps ``turn_span`` a no-op."""


def configure_tracing(section: ObservabilitySettings, service: str) -> None:
    """Send traces to ``section.otlp_endpoint`` and errors to ``section.sentry_dsn`` when set.

    Call once per process, after logging is configured and before connections are made;
    ``service`` names the process (chat, telegram, worker...).
    """
    started: list[Flush | None] = []
    if section.otlp_endpoint:
        started.append(_start_traces(section, service))
    if section.sentry_dsn is not None:
        dsn = section.sentry_dsn.get_secret_value()
        started.append(_start_errors(dsn, section.environment, service))
    flushes = [flush for flush in started if flush is not None]
    if flushes:
        _flush_in_pool_children(flushes)


@contextmanager
def turn_span(platform: str, kind: str) -> Iterator[None]:
    """A span named ``turn`` around one chat turn (nothing when tracing is off).

    It carries the platform and the kind of turn, never the message. A failure marks it
    with the exception's type only (its message may quote the shopper).
    """
    tracer = _tracer
    if tracer is None:
        yield
        return
    with tracer.start_as_current_span(
        "turn",
        attributes={PLATFORM: platform, TURN_KIND: kind},
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        try:
            yield
        except BaseException as error:
            from opentelemetry.trace import Status, StatusCode

            span.set_status(Status(StatusCode.ERROR, type(error).__name__))
            raise


# -- traces ---------------------------------------------------------------------------------


def _start_traces(section: ObservabilitySettings, service: str) -> Flush | None:
    """Install this process's tracer provider and instrument its libraries; its flush."""
    global _tracer
    try:
        from opentelemetry import trace
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        log.warning(MISSING_EXTRA, "OTLP_ENDPOINT", "OpenTelemetry", "traces")
        return None
    endpoint = str(section.otlp_endpoint).rstrip("/") + "/v1/traces"
    resource = Resource.create(
        {
            "service.name": f"stylegenie-{service}",
            "service.version": _release(),
            "deployment.environment": section.environment,
        }
    )
    provider = TracerProvider(resource=resource, sampler=_sampler(section.trace_sample_ratio))
    exporter = _PerProcessExporter(lambda: OTLPSpanExporter(endpoint=endpoint))
    provider.add_span_processor(BatchSpanProcessor(exporter))  # type: ignore[arg-type]
    trace.set_tracer_provider(provider)
    _instrument_libraries()
    _tracer = trace.get_tracer("stylegenie")
    return provider.force_flush


def _sampler(ratio: float) -> Sampler:
    """Children follow their parent; a new trace is kept at ``ratio``, unless it would be
    a lone client call."""
    from opentelemetry.sdk.trace.sampling import (
        Decision,
        ParentBased,
        Sampler,
        SamplingResult,
        TraceIdRatioBased,
    )
    from opentelemetry.trace import SpanKind

    ratio_based = TraceIdRatioBased(ratio)

    class NoLoneClientCalls(Sampler):
        """Drops a trace that would start at a client call (a poll, a pool's check)."""

        def should_sample(
            self,
            parent_context: Context | None,
            trace_id: int,
            name: str,
            kind: SpanKind | None = None,
            attributes: Attributes = None,
            links: Sequence[Link] | None = None,
            trace_state: Any = None,
        ) -> SamplingResult:
            if kind is SpanKind.CLIENT:
                return SamplingResult(Decision.DROP)
            return ratio_based.should_sample(
                parent_context, trace_id, name, kind, attributes, links, trace_state
            )

        def get_description(self) -> str:
            return f"NoLoneClientCalls{{{ratio_based.get_description()}}}"

    return ParentBased(root=NoLoneClientCalls())


class _PerProcessExporter:
    """A span exporter made afresh in each process that uses it.

    A forked child (a Celery prefork child) inherits its parent's exporter, and with it a
    live HTTP connection: two processes writing to one socket corrupt both. The batch
    processor calls ``export`` from the child's own thread; the first call there builds the
    child's exporter.
    """

    def __init__(self, make: Callable[[], SpanExporter]) -> None:
        self._make = make
        self._pid = os.getpid()
        self._inner = make()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Send ``spans`` on this process's own connection."""
        if self._pid != os.getpid():
            self._pid, self._inner = os.getpid(), self._make()
        return self._inner.export(spans)

    def shutdown(self) -> None:
        """Close this process's connection."""
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Nothing is buffered here (the batch processor holds the queue)."""
        return True


INSTRUMENTED = (
    ("psycopg", "opentelemetry.instrumentation.psycopg", "PsycopgInstrumentor"),
    ("redis", "opentelemetry.instrumentation.redis", "RedisInstrumentor"),
    ("celery", "opentelemetry.instrumentation.celery", "CeleryInstrumentor"),
    ("httpx", "opentelemetry.instrumentation.httpx", "HTTPXClientInstrumentor"),
    ("aiohttp", "opentelemetry.instrumentation.aiohttp_client", "AioHttpClientInstrumentor"),
)
"""(library, instrumentation module, instrumentor): httpx is litellm's and
python-telegram-bot's client, aiohttp discord.py's."""


def _instrument_libraries() -> None:
    """Instrument each library of ``INSTRUMENTED`` that is installed, URLs redacted."""
    options: dict[str, dict[str, Any]] = {
        "httpx": {"request_hook": _redact_span_url, "async_request_hook": _redact_async},
        "aiohttp": {"url_filter": lambda url: redact_url(str(url))},
    }
    for library, module, name in INSTRUMENTED:
        try:
            instrumentor = getattr(importlib.import_module(module), name)()
        except ImportError:
            log.info("no %s instrumentation: %s is not installed", library, library)
            continue
        instrumentor.instrument(**options.get(library, {}))


def redact_url(url: str) -> str:
    """``url`` without a bot token in its path."""
    return BOT_TOKEN.sub("/bot" + FILTERED, url)


def _redact_span_url(span: Span, request: object) -> None:
    """Replace the URL attributes of an HTTP client span with their redacted form."""
    attributes = getattr(span, "attributes", None) or {}
    for key in URL_ATTRIBUTES:
        value = attributes.get(key)
        if isinstance(value, str):
            span.set_attribute(key, redact_url(value))


async def _redact_async(span: Span, request: object) -> None:
    """``_redact_span_url`` for asynchronous clients."""
    _redact_span_url(span, request)


# -- errors ---------------------------------------------------------------------------------


def _start_errors(dsn: str, environment: str, service: str) -> Flush | None:
    """Send ERROR logs with their exceptions, and Celery task failures, to Sentry; its flush."""
    try:
        import sentry_sdk
        from sentry_sdk.integrations.celery import CeleryIntegration
        from sentry_sdk.integrations.logging import LoggingIntegration
    except ImportError:
        log.warning(MISSING_EXTRA, "SENTRY_DSN", "sentry-sdk", "error reports")
        return None
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=f"stylegenie@{_release()}",
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=0.0,
        before_send=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
        integrations=[
            LoggingIntegration(level=logging.INFO, event_level=logging.ERROR),
            CeleryIntegration(),
        ],
    )
    sentry_sdk.set_tag("service", service)
    return sentry_sdk.flush


def scrub_event(event: Event, hint: dict[str, Any]) -> Event:
    """An event without what may quote a shopper: exception messages, request bodies,
    query strings and cookies (breadcrumbs are scrubbed as they are recorded)."""
    for exception in (event.get("exception") or {}).get("values") or []:
        if exception.get("value"):
            exception["value"] = FILTERED
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "query_string", "cookies"):
            request.pop(key, None)
    return event


def scrub_breadcrumb(crumb: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """A breadcrumb kept as when, what kind and how bad, without its message or data (a
    log line's words, a URL with a token)."""
    crumb.pop("message", None)
    crumb.pop("data", None)
    return crumb


# -- both -----------------------------------------------------------------------------------


def _flush_in_pool_children(flushes: Sequence[Flush]) -> None:
    """Flush before a Celery prefork child exits: it leaves with ``os._exit``, skipping atexit."""
    from celery.signals import worker_process_shutdown

    def flush(**_: object) -> None:
        for each in flushes:
            each()

    worker_process_shutdown.connect(flush, weak=False)


def _release() -> str:
    """This installation's version of StyleGenie."""
    try:
        return version("stylegenie")
    except PackageNotFoundError:
        return "unknown"

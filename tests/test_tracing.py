"""Traces and errors: one trace from a chat turn through a real Celery worker, errors to
Sentry without the shopper's words, and nothing at all when neither is configured.

Processes that configure tracing or Sentry run as subprocesses: their global providers
and clients never touch the test process.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stylegenie.adapters.observability import tracing
from stylegenie.config.settings import ObservabilitySettings
from tests.fakes.otlp import FakeCollector, RecordedSpan
from tests.fakes.sentry import FakeSentry
from tests.fakes.workers import REDIS, WorkerProcess, celery_env

STYLEGENIE = Path(sys.executable).with_name("stylegenie")
MESSAGE = "a red linen dress for a garden wedding, under 120"
WORDS = ("red linen dress", "garden wedding")
"""Pieces of the shopper's message that must appear in no span and no event."""
CLIENT = 3  # SPAN_KIND_CLIENT in OTLP


@pytest.fixture
def stack_env(tmp_path: Path, pg_url: str, redis_prefix: str) -> dict[str, str]:
    """A front-end and its workers on Celery over the local Redis (preview renderer)."""
    return celery_env(tmp_path / "data", pg_url, redis_prefix)


@pytest.fixture
def collector() -> Iterator[FakeCollector]:
    with FakeCollector() as server:
        yield server


@pytest.fixture
def sentry() -> Iterator[FakeSentry]:
    with FakeSentry() as server:
        yield server


def chat(env: dict[str, str], tmp_path: Path, *lines: str) -> subprocess.CompletedProcess[str]:
    """``stylegenie chat --script`` with these lines, run to its end."""
    script = tmp_path / "script.txt"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return subprocess.run(
        [str(STYLEGENIE), "chat", "--script", str(script), "--user", "shopper"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def ancestors(span: RecordedSpan, spans: list[RecordedSpan]) -> list[str]:
    """Names of the spans above ``span``, nearest first."""
    by_id = {s.span_id: s for s in spans}
    chain: list[str] = []
    while span.parent_id in by_id:
        span = by_id[span.parent_id]
        chain.append(span.name)
    return chain


@pytest.mark.parametrize("pool", ["solo", "prefork"])
def test_one_trace_follows_a_turn_through_a_celery_worker(
    pool: str, stack_env: dict[str, str], collector: FakeCollector, tmp_path: Path
) -> None:
    """solo flushes at exit; a prefork child has its own exporter and flushes before it goes."""
    env = {
        **stack_env,
        "STYLEGENIE_OBSERVABILITY__OTLP_ENDPOINT": collector.endpoint,
        "OTEL_BSP_SCHEDULE_DELAY": "60000",  # nothing leaves before exit: exits must flush
    }
    options = ("--queues", "gpu", "--pool", pool, "--concurrency", "1")
    worker = WorkerProcess(env, tmp_path / "worker.log", *options)
    try:
        done = chat(env, tmp_path, MESSAGE)
        assert done.returncode == 0, done.stderr
        assert "[image]" in done.stdout, "the turn rendered designs on the worker"
        worker.process.send_signal(signal.SIGTERM)
        worker.process.wait(timeout=60)
    finally:
        worker.kill()

    spans = collector.spans()
    turns = [s for s in spans if s.name == "turn"]
    assert len(turns) == 1, [s.name for s in spans]
    turn = turns[0]
    assert turn.service == "stylegenie-chat"
    assert turn.attributes == {"stylegenie.platform": "terminal", "stylegenie.turn_kind": "text"}
    in_trace = [s for s in spans if s.trace_id == turn.trace_id]
    publish = [s for s in in_trace if s.name == "apply_async/stylegenie.render_designs"]
    run = [s for s in in_trace if s.name == "run/stylegenie.render_designs"]
    assert len(publish) == 1 and publish[0].service == "stylegenie-chat"
    assert len(run) == 1 and run[0].service == "stylegenie-worker"
    assert "turn" in ancestors(run[0], in_trace), "the worker's span hangs under the turn"
    assert ancestors(run[0], in_trace)[0] == publish[0].name
    databases = {
        s.attributes.get("db.system") or s.attributes.get("db.system.name") for s in in_trace
    }
    assert databases & {"postgresql", "redis"}, "the turn's database calls are in its trace"
    assert {s.service for s in in_trace} == {"stylegenie-chat", "stylegenie-worker"}

    assert all(s.parent_id or s.kind != CLIENT for s in spans), "no trace is a lone client call"
    exported = b"".join(collector.received())
    assert not any(words.encode() in exported for words in WORDS), "no span quotes the shopper"


def test_a_failed_turn_reaches_sentry_without_the_shoppers_words(
    stack_env: dict[str, str], redis_prefix: str, sentry: FakeSentry, tmp_path: Path
) -> None:
    import redis

    client = redis.Redis.from_url(REDIS)
    broken = '{"notes": "' + MESSAGE + '", "turns": '  # cut short: the turn cannot load it
    client.set(f"{redis_prefix}session:terminal:shopper", broken)
    client.close()
    env = {
        **stack_env,
        "STYLEGENIE_OBSERVABILITY__SENTRY_DSN": sentry.dsn,
        "STYLEGENIE_OBSERVABILITY__ENVIRONMENT": "test",
    }
    done = chat(env, tmp_path, MESSAGE)
    assert done.returncode == 0, done.stderr
    assert "went wrong" in done.stdout, done.stdout

    events = [e for e in sentry.events() if e.get("exception")]
    assert len(events) == 1, "the failed turn was reported once"
    event = events[0]
    assert event["logentry"]["formatted"] == "a terminal turn failed"
    assert event["environment"] == "test" and event["tags"]["service"] == "chat"
    assert [value["type"] for value in event["exception"]["values"]] == ["JSONDecodeError"]
    frames = event["exception"]["values"][0]["stacktrace"]["frames"]
    assert frames and not any("vars" in frame for frame in frames), "no local variables"
    everything = b"".join(sentry.received()).decode(errors="replace")
    assert not any(words in everything for words in WORDS)


def test_with_neither_setting_nothing_is_installed_or_imported() -> None:
    probe = (
        "import sys\n"
        "from stylegenie.adapters.observability.tracing import configure_tracing, turn_span\n"
        "from stylegenie.config.settings import ObservabilitySettings\n"
        "configure_tracing(ObservabilitySettings(), service='chat')\n"
        "with turn_span('terminal', 'text'):\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('opentelemetry', 'sentry_sdk'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout


def test_settings_without_the_extra_warn_once_each_and_go_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = ("opentelemetry.sdk", "opentelemetry.exporter", "sentry_sdk")
    for name in [*blocked, *(m for m in sys.modules if m.startswith(blocked))]:
        monkeypatch.setitem(sys.modules, name, None)  # importing it now raises ImportError
    section = ObservabilitySettings(
        otlp_endpoint="http://127.0.0.1:9", sentry_dsn="http://key@127.0.0.1:9/1"
    )
    with caplog.at_level("WARNING"):
        tracing.configure_tracing(section, service="chat")
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 2 and all("stylegenie[observability]" in w for w in warnings)
    assert "OTLP_ENDPOINT" in warnings[0] and "SENTRY_DSN" in warnings[1]
    assert tracing._tracer is None
    with tracing.turn_span("terminal", "text"):
        pass


def test_a_turn_span_names_the_failure_but_not_its_message(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exported = InMemorySpanExporter()
    provider = TracerProvider(shutdown_on_exit=False)  # this test's own, never the global one
    provider.add_span_processor(SimpleSpanProcessor(exported))
    monkeypatch.setattr(tracing, "_tracer", provider.get_tracer("test"))
    with pytest.raises(ValueError), tracing.turn_span("telegram", "photo"):
        raise ValueError(MESSAGE)
    (span,) = exported.get_finished_spans()
    assert span.name == "turn" and span.status.description == "ValueError"
    assert dict(span.attributes or {}) == {
        "stylegenie.platform": "telegram",
        "stylegenie.turn_kind": "photo",
    }
    assert not span.events, "no exception event: its message may quote the shopper"


def test_bot_tokens_are_cut_from_traced_urls() -> None:
    from opentelemetry.sdk.trace import Span, TracerProvider

    url = "https://api.telegram.org/bot123456:AAH-secret_token/sendMessage"
    span = (
        TracerProvider(shutdown_on_exit=False)
        .get_tracer("test")
        .start_span("POST", attributes={"url.full": url})
    )
    tracing._redact_span_url(span, None)
    assert isinstance(span, Span) and span.attributes == {
        "url.full": "https://api.telegram.org/bot[Filtered]/sendMessage"
    }
    assert tracing.redact_url("http://127.0.0.1:8000/v1/chat") == "http://127.0.0.1:8000/v1/chat"


def test_sentry_events_lose_what_may_quote_a_shopper() -> None:
    event: Any = {
        "exception": {"values": [{"type": "ValidationError", "value": f"input: {MESSAGE}"}]},
        "request": {"url": "/v1/chat", "data": {"text": MESSAGE}, "query_string": "q=dress"},
        "logentry": {"message": "a %s turn failed", "params": ["telegram"]},
    }
    scrubbed = tracing.scrub_event(event, {})
    assert MESSAGE not in json.dumps(scrubbed) and "dress" not in json.dumps(scrubbed)
    assert scrubbed["exception"]["values"][0]["type"] == "ValidationError"
    assert scrubbed["request"] == {"url": "/v1/chat"}
    assert scrubbed["logentry"]["params"] == ["telegram"]
    crumb = {"category": "app", "level": "info", "message": MESSAGE, "data": {"url": "/x"}}
    assert tracing.scrub_breadcrumb(crumb, {}) == {"category": "app", "level": "info"}

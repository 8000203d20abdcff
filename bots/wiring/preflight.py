"""Start-up checks: a command meets a dead server in its first seconds, in one plain line.

Without them a process starts on a Redis or PostgreSQL that does not answer and fails
later: at the first turn, or after the pool's wait, with a traceback that says nothing an
operator can act on. ``preflight`` probes every server the settings name (PostgreSQL,
Redis, a Milvus server URI, the Celery broker in celery mode; embedded backends need no
check) all at once, with the probes ``/healthz`` uses, and within ``DEADLINE_S`` raises
``ServerUnavailable``, one line per server that did not answer:

    PostgreSQL at postgresql://sg:***@db:5432/sg does not answer (connection refused):
    start it or fix STYLEGENIE_DATABASE__URL.

A command that opens the Milvus Lite file in its own process also checks that no other
process holds it (``MilvusLiteInUse`` names the one that does).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from stylegenie.config import Settings

from .health import connect_milvus, password_free, ping_broker, ping_postgres, ping_redis

DEADLINE_S = 3.0
"""How long the probes may take together; a server silent that long does not answer."""

_UNREACHABLE = re.compile(
    r"refused|timed out|timeout|no answer|resolve|not known|unreachable|no route|reset",
    re.IGNORECASE,
)
"""Reasons that mean nothing answered, rather than a server that turned us away."""


class ServerUnavailable(RuntimeError):
    """Servers the settings name do not answer; one line each: which, where, what to do."""


@dataclass(frozen=True)
class Server:
    """A server the settings name: what to call it, its URL, its setting and its probe."""

    name: str
    url: str
    setting: str
    probe: Callable[[str], None]


def configured_servers(settings: Settings) -> list[Server]:
    """Every server these settings name, in the order they are reported."""
    servers = []
    if settings.database.url:
        servers.append(
            Server("PostgreSQL", settings.database.url, "STYLEGENIE_DATABASE__URL", ping_postgres)
        )
    if settings.redis.url:
        servers.append(Server("Redis", settings.redis.url, "STYLEGENIE_REDIS__URL", ping_redis))
    if settings.milvus.uri:
        servers.append(
            Server("Milvus", settings.milvus.uri, "STYLEGENIE_MILVUS__URI", connect_milvus)
        )
    if settings.workers.mode == "celery":
        broker = settings.workers.broker_url
        servers.append(
            Server("The Celery broker", broker, "STYLEGENIE_WORKERS__BROKER_URL", ping_broker)
        )
    return servers


def preflight(settings: Settings, *, opens_index: bool) -> None:
    """Raise ``ServerUnavailable`` when a configured server does not answer, and with
    ``opens_index`` (this process will open the product index) ``MilvusLiteInUse`` when
    the index is a Milvus Lite file that another process holds."""
    servers = configured_servers(settings)
    failures = zip(servers, _probe_all(servers), strict=True)
    lines = [explain(server, error) for server, error in failures if error is not None]
    if lines:
        raise ServerUnavailable("\n".join(lines))
    milvus = settings.milvus
    if opens_index and not milvus.uri and not milvus.managed_server:
        from stylegenie.adapters.milvus_index import LITE_FILE
        from stylegenie.adapters.milvus_server import refuse_held_lite_file

        refuse_held_lite_file((settings.data_dir / LITE_FILE).resolve())


def explain(server: Server, error: BaseException) -> str:
    """The one line an operator reads for a server whose probe raised ``error``."""
    reason = _reason(error)
    where = f"{server.name} at {password_free(server.url)}"
    if _UNREACHABLE.search(reason):
        return f"{where} does not answer ({reason}): start it or fix {server.setting}."
    return f"{where} turns StyleGenie away ({reason}): fix {server.setting}."


def _probe_all(servers: list[Server]) -> list[BaseException | None]:
    """Each server's probe failure (None: it answered), all probed at once.

    A probe still waiting at the deadline counts as no answer; its daemon thread is left
    to its own timeout, so that it never holds up the process's exit.
    """
    silent = TimeoutError(f"no answer in {DEADLINE_S:g} s")
    outcomes: list[BaseException | None] = [silent] * len(servers)

    def probe(index: int, server: Server) -> None:
        try:
            server.probe(server.url)
        except Exception as error:
            outcomes[index] = error
        else:
            outcomes[index] = None

    threads = [
        threading.Thread(target=probe, args=(i, s), name=f"preflight-{s.name}", daemon=True)
        for i, s in enumerate(servers)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + DEADLINE_S
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return list(outcomes)


def _reason(error: BaseException) -> str:
    """What went wrong, in a few words: the socket's error when there is one ("connection
    refused"), else the last clause of the library's first line ('role "sg" does not
    exist')."""
    for link in _chain(error):
        if isinstance(link, OSError) and (link.strerror or str(link)):
            return _plain(link.strerror or str(link))
    first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return _plain(re.split(r"failed: |FATAL:\s+|\[Errno -?\d+\] ", first_line)[-1])


def _chain(error: BaseException) -> Iterator[BaseException]:
    """``error`` and the exceptions it was raised from or while handling, deepest last."""
    seen: set[int] = set()
    link: BaseException | None = error
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        yield link
        link = link.__cause__ or link.__context__


def _plain(text: str) -> str:
    """``text`` as a clause inside a sentence: trimmed, no final full stop, lower-case start."""
    text = text.strip().rstrip(".")
    return text[:1].lower() + text[1:]

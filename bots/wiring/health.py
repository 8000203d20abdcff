"""What each process checks to call itself healthy, and its operator's listener.

Every check answers one dependency the settings name: the database, Redis, the Milvus
server and the Celery broker. An embedded backend (Milvus Lite, eager tasks, in-process
limits) is reported as such and counts as healthy. The API's ``/readyz`` and the
``/healthz`` next to each bot's and worker's ``/metrics`` run the same checks, and every
command's start-up check (``preflight``) runs the same probes (``ping_postgres``,
``ping_redis``, ``connect_milvus``, ``ping_broker``) on the settings' URLs.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from stylegenie.adapters.observability.metrics import QueueDepth
from stylegenie.adapters.observability.server import DependencyCheck, OpsServer
from stylegenie.adapters.postgres.database import Database
from stylegenie.config import Settings
from stylegenie.gpu_workers.celery_app import QUEUES, WorkerApp

if TYPE_CHECKING:
    from kombu import Connection

CHECK_TIMEOUT_S = 2.0


def dependency_checks(
    settings: Settings, database: Database, celery: WorkerApp
) -> dict[str, DependencyCheck]:
    """The checks of every dependency this process's settings name, by name."""
    return {
        "database": partial(_database, database),
        "redis": partial(_redis, settings),
        "milvus": partial(_milvus, settings),
        "broker": partial(_broker, settings, celery),
    }


def queue_depths(celery: WorkerApp) -> Callable[[], dict[str, int]]:
    """Reads how many tasks wait in each Celery queue, from the broker.

    A declaration answers with the queue's message count; it changes nothing (workers
    declare the same queues), where a passive one fails before a worker first consumed.
    """

    def read() -> dict[str, int]:
        with celery.connection_for_read() as connection:
            channel = connection.default_channel
            return {
                queue: channel.queue_declare(queue=queue).message_count
                for queue in QUEUES
            }

    return read


def ops_server_for(
    settings: Settings, checks: dict[str, DependencyCheck], celery: WorkerApp | None = None
) -> OpsServer | None:
    """The started ``/metrics`` and ``/healthz`` listener, when a metrics port is set.

    With ``celery`` (a worker, in celery mode) it also reports the queues' depth.
    """
    section = settings.observability
    if not section.metrics_port:
        return None
    eager = settings.workers.mode == "eager"
    collectors = [QueueDepth(queue_depths(celery))] if celery is not None and not eager else []
    return OpsServer(section.metrics_host, section.metrics_port, checks, collectors).start()


def _database(database: Database) -> str:
    with database.connection() as conn:
        conn.execute("SELECT 1")
    return "PostgreSQL answers"


def _redis(settings: Settings) -> str:
    url = settings.redis.url
    if not url:
        return "not configured: sessions and limits live in this process"
    ping_redis(url)
    return "Redis answers"


def _milvus(settings: Settings) -> str:
    milvus = settings.milvus
    if milvus.uri:
        address = urlsplit(milvus.uri)
        connect_milvus(milvus.uri)
        return f"Milvus server at {address.hostname}:{address.port} accepts connections"
    if milvus.managed_server:
        _connect("127.0.0.1", milvus.managed_port)
        return f"managed Milvus server on port {milvus.managed_port} accepts connections"
    return "embedded: Milvus Lite file, opened by the process that searches"


def _broker(settings: Settings, celery: WorkerApp) -> str:
    if settings.workers.mode == "eager":
        return "eager: tasks run in this process"
    with celery.connection_for_write() as connection:
        _reach_broker(connection)
    return "Celery broker answers"


def ping_postgres(url: str) -> None:
    """Open one connection to the PostgreSQL at ``url`` (no pool) and run ``SELECT 1``;
    raises when it does not answer within ``CHECK_TIMEOUT_S`` per address."""
    import psycopg

    # libpq waits whole seconds, at least 2.
    with psycopg.connect(url, connect_timeout=max(2, round(CHECK_TIMEOUT_S))) as conn:
        conn.execute("SELECT 1")


def ping_redis(url: str) -> None:
    """Ping the Redis at ``url`` once, without retries; raises when it does not answer."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    client = redis.Redis.from_url(
        url,
        socket_timeout=CHECK_TIMEOUT_S,
        socket_connect_timeout=CHECK_TIMEOUT_S,
        retry=Retry(NoBackoff(), 0),
    )
    try:
        client.ping()
    finally:
        client.close()


def connect_milvus(uri: str) -> None:
    """Open (and close) a TCP connection to the Milvus server at ``uri``."""
    address = urlsplit(uri)
    _connect(address.hostname or "127.0.0.1", address.port or 19530)


def ping_broker(url: str) -> None:
    """Connect once to the Celery broker at ``url``; raises when it does not answer."""
    from kombu import Connection

    with Connection(url, connect_timeout=CHECK_TIMEOUT_S) as connection:
        _reach_broker(connection)


def password_free(url: str) -> str:
    """``url`` as it may be shown or logged: a password (in the address or a ``password=``
    parameter) reads ``***``, e.g. ``postgresql://sg:***@db:5432/sg``."""
    url = re.sub(r"(password=)[^&\s]*", r"\1***", url)
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=f"{user}:***@{host}").geturl()


def _reach_broker(connection: Connection) -> None:
    """Connect a kombu connection, retrying once at once, within ``CHECK_TIMEOUT_S``."""
    connection.ensure_connection(max_retries=1, interval_start=0, timeout=CHECK_TIMEOUT_S)


def _connect(host: str, port: int) -> None:
    socket.create_connection((host, port), timeout=CHECK_TIMEOUT_S).close()

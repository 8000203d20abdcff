"""The PostgreSQL connection pool, numbered migrations and the embedded server.

``open_database(url, pool_max)`` is the one entry point the application needs: it
connects and brings the schema up to date; ``embedded_database_url(data_dir)`` starts
an embedded PostgreSQL (``pgserver``) under the data folder for setups without a
server. Migrations are ``migrations/NNNN_name.sql`` files applied in order,
each in its own transaction, under an advisory lock so that two processes
starting at once apply each file exactly once.
"""

from __future__ import annotations

import logging
import re
import select
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import psycopg
from psycopg import Connection
from psycopg.rows import DictRow, dict_row
from psycopg_pool import ConnectionPool

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
"""Where the numbered ``NNNN_name.sql`` schema migrations live."""

CONNECT_TIMEOUT_S = 5
"""libpq's wait for one new connection (whole seconds): a dead server fails fast."""
BORROW_TIMEOUT_S = 10.0
"""The longest a ``connection()`` block waits for a pooled connection before it raises
``PoolTimeout`` (a turn then apologises instead of hanging 30 s)."""
OPEN_TIMEOUT_S = 10.0
"""How long ``open()`` waits for the first connection by default."""

_MIGRATION_NAME = re.compile(r"^(\d{4})_(\w+)\.sql$")
_MIGRATION_LOCK = 0x5347_4D49_4752  # "SGMIGR": the advisory lock key for migrations

_logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Migration:
    """One numbered schema migration file."""

    version: int
    name: str
    path: Path


def find_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migrations in ``directory``, ordered by version; a misnamed or duplicate file raises."""
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if match is None:
            raise ValueError(f"migration file {path.name!r} is not named NNNN_name.sql")
        version = int(match.group(1))
        if version in found:
            raise ValueError(f"two migrations share version {version}: {path.name}")
        found[version] = Migration(version, match.group(2), path)
    return [found[version] for version in sorted(found)]


def _check_if_spoken_to(conn: Connection[DictRow]) -> None:
    """The pool's borrow check: a real round trip only for a connection that looks stale.

    An idle connection has nothing to read unless the server spoke on it, which it does as
    it ends the session (a restart, an administrator); that one, or a closed one, gets the
    empty-query check, which fails and makes the pool lend a fresh connection. The test
    costs microseconds where the round trip on every borrow cost about 0.16 ms here.
    """
    try:
        spoken = bool(select.select([conn.fileno()], [], [], 0)[0])
    except (OSError, ValueError, psycopg.Error):
        spoken = True
    if spoken or conn.closed:
        ConnectionPool.check_connection(conn)


class Database:
    """A pool of psycopg connections whose rows come back as dicts.

    Use it as a context manager, or call ``open()`` and ``close()``. Each
    ``connection()`` block commits when it ends normally and rolls back on error.

    A borrowed connection the server ended is noticed and replaced before it is lent, so
    after a server restart the stale connections are replaced unseen instead of failing one
    turn each. While the server is down a block fails within ``BORROW_TIMEOUT_S``.
    """

    def __init__(self, url: str, *, pool_max: int) -> None:
        self.url = url
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_max,
            open=False,
            connection_class=Connection[DictRow],
            kwargs={"row_factory": dict_row, "connect_timeout": CONNECT_TIMEOUT_S},
            check=_check_if_spoken_to,
            timeout=BORROW_TIMEOUT_S,
            name="stylegenie",
        )

    def open(self, timeout: float = OPEN_TIMEOUT_S) -> None:
        """Open the pool and wait until one connection works (or raise ``PoolTimeout``)."""
        self._pool.open(wait=True, timeout=timeout)

    def close(self) -> None:
        """Close every connection of the pool; the Database cannot be reopened."""
        self._pool.close()

    def __enter__(self) -> Database:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def connection(self) -> Iterator[Connection[DictRow]]:
        """Borrow a connection; its transaction commits at the end of the block."""
        with self._pool.connection() as conn:
            yield conn

    def apply_migrations(self) -> list[int]:
        """Apply the migrations not yet recorded, in order; return the versions applied now.

        Each migration runs in its own transaction holding a transaction-level
        advisory lock, and re-checks ``schema_migrations`` once it has the lock,
        so concurrent callers never apply a file twice. Calling it again on an
        up-to-date database applies nothing.
        """
        applied: list[int] = []
        with self.connection() as conn:
            with conn.transaction():
                _lock_migrations(conn)
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations ("
                    " version integer PRIMARY KEY,"
                    " name text NOT NULL,"
                    " applied_at timestamptz NOT NULL DEFAULT now())"
                )
            for migration in find_migrations():
                with conn.transaction():
                    _lock_migrations(conn)
                    done = conn.execute(
                        "SELECT 1 FROM schema_migrations WHERE version = %s",
                        (migration.version,),
                    ).fetchone()
                    if done:
                        continue
                    # Without parameters psycopg sends the file as one simple query,
                    # so it may hold several statements.
                    conn.execute(migration.path.read_bytes())
                    conn.execute(
                        "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                        (migration.version, migration.name),
                    )
                _logger.info("applied migration %04d_%s", migration.version, migration.name)
                applied.append(migration.version)
        return applied


def _lock_migrations(conn: Connection[DictRow]) -> None:
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))


def embedded_database_url(data_dir: Path) -> str:
    """Start (or find running) an embedded PostgreSQL under ``data_dir / "postgres"``.

    The server keeps running after this process exits, so other processes
    (workers, a second bot) share it and the next start finds it ready. As root,
    pgserver runs the server as a system user ``pgserver`` that it creates, and
    opens read/traverse permissions on every parent folder of the data folder.
    """
    with warnings.catch_warnings():
        # pgserver reads platformdirs' runtime dir at import; the /tmp fallback is fine.
        warnings.simplefilter("ignore")
        import pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir / "postgres", cleanup_mode=None)
    return server.get_uri()


def open_database(url: str, pool_max: int) -> Database:
    """An open Database on ``url`` with an up-to-date schema (closed again if migrating fails)."""
    database = Database(url, pool_max=pool_max)
    database.open()
    try:
        database.apply_migrations()
    except BaseException:
        database.close()
        raise
    return database

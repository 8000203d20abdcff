"""Design jobs of the REST API on PostgreSQL: ``api_jobs`` rows and the ``api_designs`` they drew.

A job's state moves by conditional updates (queued → running → done | failed), so a job
failed as abandoned is never marked done later. Each API process holds a session-level
advisory lock (``RunnerLock``) for as long as it lives and writes its key on the jobs it
takes: an unfinished job whose runner holds no lock was left by a process that died.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any, Literal, LiteralString

import psycopg
from psycopg import Connection, sql
from psycopg.rows import DictRow
from psycopg.types.json import Jsonb
from pydantic import BaseModel, Field

from stylegenie.core.domain import Design, DesignBrief, utc_now
from stylegenie.core.progress import ProgressEvent

from .database import Database
from .repositories import select_query

JobStatus = Literal["queued", "running", "done", "failed"]
"""A job's state: waiting for a thread, drawing, finished with designs, or failed."""

RUNNER_LOCK_CLASS = 0x53474A42
"""The first key ("SGJB") of the advisory locks that mark live job runners."""


class ApiJob(BaseModel):
    """One design job: who asked, what it draws, where it stands and (once done) its designs.

    ``request`` is the request as received (defaults filled in) and ``request_hash`` its
    digest, which tells a retry under the same ``idempotency_key`` from a different request.
    ``brief`` is the piece drawn and ``companions`` the rest of its outfit. ``designs``
    come from ``api_designs``, in the order drawn.
    """

    id: str
    caller: str
    idempotency_key: str | None = None
    request_hash: str
    request: dict[str, Any]
    runner: int
    status: JobStatus = "queued"
    progress: ProgressEvent | None = None
    brief: DesignBrief
    companions: list[DesignBrief] = Field(default_factory=list)
    error: str | None = None
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)
    designs: list[Design] = Field(default_factory=list)


_COLUMNS = tuple(name for name in ApiJob.model_fields if name != "designs")
_JSON_COLUMNS = ("request", "progress", "brief", "companions")
_INSERT = sql.SQL(
    "INSERT INTO api_jobs ({columns}) VALUES ({values})"
    " ON CONFLICT (caller, idempotency_key) DO NOTHING RETURNING id"
).format(
    columns=sql.SQL(", ").join(map(sql.Identifier, _COLUMNS)),
    values=sql.SQL(", ").join(map(sql.Placeholder, _COLUMNS)),
)
_BY_ID = select_query("api_jobs", _COLUMNS, "WHERE id = %s AND caller = %s")
_BY_KEY = select_query("api_jobs", _COLUMNS, "WHERE caller = %s AND idempotency_key = %s")
_THIS_JOB = "id = %(of)s"
_UNFINISHED = "status IN ('queued', 'running')"
_ORPHANED = (
    f"{_UNFINISHED} AND NOT EXISTS (SELECT 1 FROM pg_locks l"
    " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2"
    " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    " AND l.classid::bigint = %(of)s AND l.objid::bigint = api_jobs.runner)"
)


class PostgresApiJobs:
    """Stores design jobs, their progress and their designs."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def create(self, job: ApiJob) -> tuple[ApiJob, bool]:
        """Store a new queued job: it and True; or, when the caller already used its
        idempotency key, the stored job and False."""
        row = job.model_dump(mode="json", include=set(_COLUMNS))
        row.update({name: Jsonb(row[name]) for name in _JSON_COLUMNS if row[name] is not None})
        row.update(created_at=job.created_at, updated_at=job.updated_at)
        with self._db.connection() as conn:
            if conn.execute(_INSERT, row).fetchone():
                return job, True
            stored = conn.execute(_BY_KEY, (job.caller, job.idempotency_key)).fetchone()
        assert stored is not None, "a conflicting insert leaves the stored job"
        return ApiJob.model_validate(stored), False

    def by_key(self, caller: str, idempotency_key: str) -> ApiJob | None:
        """The caller's job made under this idempotency key (without its designs), or None."""
        with self._db.connection() as conn:
            row = conn.execute(_BY_KEY, (caller, idempotency_key)).fetchone()
        return ApiJob.model_validate(row) if row else None

    def get(self, job_id: str, caller: str) -> ApiJob | None:
        """The caller's job with its designs; None when unknown or another caller's."""
        with self._db.connection() as conn:
            row = conn.execute(_BY_ID, (job_id, caller)).fetchone()
            if row is None:
                return None
            designs = conn.execute(
                "SELECT design FROM api_designs WHERE job_id = %s ORDER BY position", (job_id,)
            ).fetchall()
        return ApiJob.model_validate({**row, "designs": [d["design"] for d in designs]})

    def start(self, job_id: str) -> bool:
        """A queued job starts running; False when it is no longer queued."""
        return self._set_status("running", f"{_THIS_JOB} AND status = 'queued'", job_id) > 0

    def report(self, job_id: str, progress: ProgressEvent) -> None:
        """Record a running job's latest progress."""
        with self._db.connection() as conn:
            conn.execute(
                "UPDATE api_jobs SET progress = %s, updated_at = now()"
                " WHERE id = %s AND status = 'running'",
                (Jsonb(asdict(progress)), job_id),
            )

    def finish(self, job_id: str, designs: Sequence[Design]) -> bool:
        """A running job is done with these designs; False (nothing stored) when it is no
        longer running."""
        with self._db.connection() as conn:
            if not _set_status(conn, "done", f"{_THIS_JOB} AND status = 'running'", job_id):
                return False
            with conn.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO api_designs (id, job_id, position, design)"
                    " VALUES (%s, %s, %s, %s)",
                    [
                        (d.id, job_id, n, Jsonb(d.model_dump(mode="json")))
                        for n, d in enumerate(designs)
                    ],
                )
        return True

    def fail(self, job_id: str, error: str) -> bool:
        """An unfinished job fails for ``error`` (plain words); False when it had finished."""
        return self._set_status("failed", f"{_THIS_JOB} AND {_UNFINISHED}", job_id, error) > 0

    def fail_orphans(self, error: str) -> int:
        """Fail every unfinished job whose runner is gone; how many were failed."""
        return self._set_status("failed", _ORPHANED, RUNNER_LOCK_CLASS, error)

    def fail_queued(self, runner: int, error: str) -> int:
        """Fail the jobs a runner took and never started (it is stopping); how many."""
        return self._set_status("failed", "status = 'queued' AND runner = %(of)s", runner, error)

    def find_design(self, design_id: str, caller: str) -> Design | None:
        """A design one of the caller's jobs drew; None when unknown or another caller's."""
        with self._db.connection() as conn:
            row = conn.execute(
                "SELECT d.design FROM api_designs d JOIN api_jobs j ON j.id = d.job_id"
                " WHERE d.id = %s AND j.caller = %s",
                (design_id, caller),
            ).fetchone()
        return Design.model_validate(row["design"]) if row else None

    def _set_status(
        self, status: JobStatus, where: LiteralString, of: object, error: str | None = None
    ) -> int:
        with self._db.connection() as conn:
            return _set_status(conn, status, where, of, error)


def _set_status(
    conn: Connection[DictRow],
    status: JobStatus,
    where: LiteralString,
    of: object,
    error: str | None = None,
) -> int:
    """Set the status (and error) of the jobs ``where`` (with ``%(of)s`` bound to ``of``)
    selects; how many were set."""
    query = sql.SQL(
        "UPDATE api_jobs SET status = %(status)s, error = %(error)s, updated_at = now()"
        " WHERE {where}"
    ).format(where=sql.SQL(where))
    return conn.execute(query, {"status": status, "error": error, "of": of}).rowcount


class RunnerLock:
    """This process's mark of life for its jobs: an advisory lock held on a connection of
    its own until ``close()`` (or until the process dies and PostgreSQL drops it).

    ``key`` (the lock's second key, random) is written on every job the process takes.
    """

    def __init__(self, database: Database) -> None:
        self._conn = psycopg.connect(database.url, autocommit=True)
        self.key = self._take()

    def _take(self) -> int:
        while True:
            key = secrets.randbelow(2**31 - 1) + 1
            row = self._conn.execute(
                "SELECT pg_try_advisory_lock(%s, %s)", (RUNNER_LOCK_CLASS, key)
            ).fetchone()
            if row and row[0]:
                return key

    def close(self) -> None:
        """Let go of the lock: this runner's unfinished jobs count as abandoned from now."""
        self._conn.close()

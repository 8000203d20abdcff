"""Dead servers: every command checks the servers its settings name before it starts, and a
Redis lost mid-run costs the shopper one apology, not the conversation.

The faults are real: a port nothing listens on, a port that accepts and never answers, a
``redis-server`` killed between two turns and started again on the same port.
"""

from __future__ import annotations

import io
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from stylegenie.bots.cli import main
from stylegenie.bots.kit.progress import Pacing
from stylegenie.bots.kit.turns import APOLOGY
from stylegenie.bots.terminal import TerminalChat
from tests.fakes.threaded import free_port

Capture = pytest.CaptureFixture[str]
BOUND_S = 10.0
"""A generous upper bound on the promised 5 s: a hang fails, timing is for benchmarks."""
EVERY_COMMAND = [
    ["chat"],
    ["search", "red dress"],
    ["catalog", "ingest", "feed.csv"],
    ["ateliers", "import", "ateliers.csv"],
    ["worker"],
    ["telegram"],
    ["discord"],
    ["api"],
    ["api-keys", "list"],
    ["migrate"],
]


def dead_postgres_line(port: int) -> str:
    return (
        f"PostgreSQL at postgresql://sg:***@127.0.0.1:{port}/sg does not answer "
        "(connection refused): start it or fix STYLEGENIE_DATABASE__URL."
    )


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """The command's environment: its own data folder, nothing else configured."""
    monkeypatch.setenv("STYLEGENIE_DATA_DIR", str(tmp_path / "data"))
    return monkeypatch


@pytest.mark.parametrize("argv", EVERY_COMMAND, ids=lambda argv: argv[0])
def test_every_command_names_a_dead_postgres_in_one_line(
    argv: list[str], env: pytest.MonkeyPatch, capsys: Capture
) -> None:
    port = free_port()
    env.setenv("STYLEGENIE_DATABASE__URL", f"postgresql://sg:secret@127.0.0.1:{port}/sg")
    env.setenv("STYLEGENIE_WORKERS__MODE", "celery" if argv == ["worker"] else "eager")
    env.setenv("STYLEGENIE_TELEGRAM__TOKEN", "123:abc")
    env.setenv("STYLEGENIE_DISCORD__TOKEN", "token")
    started = time.monotonic()
    assert main(argv) == 2
    assert time.monotonic() - started < BOUND_S
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [dead_postgres_line(port)]
    assert captured.out == ""


def test_a_dead_redis_is_named_before_the_first_turn(
    env: pytest.MonkeyPatch, pg_url: str, capsys: Capture
) -> None:
    port = free_port()
    env.setenv("STYLEGENIE_DATABASE__URL", pg_url)
    env.setenv("STYLEGENIE_REDIS__URL", f"redis://:secret@127.0.0.1:{port}/0")
    started = time.monotonic()
    assert main(["chat"]) == 2
    assert time.monotonic() - started < BOUND_S
    assert capsys.readouterr().err.splitlines() == [
        f"Redis at redis://:***@127.0.0.1:{port}/0 does not answer (connection refused): "
        "start it or fix STYLEGENIE_REDIS__URL."
    ]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never says a word (a hung server)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield int(listener.getsockname()[1])


def test_a_server_that_accepts_but_never_answers_is_given_up_on_in_seconds(
    env: pytest.MonkeyPatch, silent_port: int, capsys: Capture
) -> None:
    env.setenv("STYLEGENIE_DATABASE__URL", f"postgresql://sg@127.0.0.1:{silent_port}/sg")
    env.setenv("STYLEGENIE_REDIS__URL", f"redis://127.0.0.1:{silent_port}/0")
    started = time.monotonic()
    assert main(["search", "red dress"]) == 2
    assert time.monotonic() - started < BOUND_S
    postgres, redis_line = capsys.readouterr().err.splitlines()
    assert postgres.startswith(
        f"PostgreSQL at postgresql://sg@127.0.0.1:{silent_port}/sg does not answer ("
    )
    assert postgres.endswith("): start it or fix STYLEGENIE_DATABASE__URL.")
    assert redis_line == (
        f"Redis at redis://127.0.0.1:{silent_port}/0 does not answer (timed out): "
        "start it or fix STYLEGENIE_REDIS__URL."
    )


def test_a_real_process_exits_on_dead_servers_within_the_bound(tmp_path: Path) -> None:
    """The console script end to end: Python's start, the imports, the checks, the exit."""
    pg_port, redis_port, broker_port = free_port(), free_port(), free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "STYLEGENIE_DATA_DIR": str(tmp_path / "data"),
        "STYLEGENIE_DATABASE__URL": f"postgresql://sg:secret@127.0.0.1:{pg_port}/sg",
        "STYLEGENIE_REDIS__URL": f"redis://127.0.0.1:{redis_port}/0",
        "STYLEGENIE_WORKERS__MODE": "celery",
        "STYLEGENIE_WORKERS__BROKER_URL": f"redis://:secret@127.0.0.1:{broker_port}/0",
    }
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "stylegenie.bots.cli", "worker"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert time.monotonic() - started < BOUND_S
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        dead_postgres_line(pg_port),
        f"Redis at redis://127.0.0.1:{redis_port}/0 does not answer (connection refused): "
        "start it or fix STYLEGENIE_REDIS__URL.",
        f"The Celery broker at redis://:***@127.0.0.1:{broker_port}/0 does not answer "
        "(connection refused): start it or fix STYLEGENIE_WORKERS__BROKER_URL.",
    ]


class RedisServer:
    """A ``redis-server`` of this test's own on a fixed port, to kill and start again."""

    def __init__(self, port: int, folder: Path) -> None:
        self.port = port
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(free_port(), tmp_path)
    server.start()
    yield server
    server.kill()


@pytest.mark.parametrize("jsonl", [False, True], ids=["text", "jsonl"])
def test_a_redis_lost_mid_run_costs_one_apology_and_the_chat_goes_on_when_it_returns(
    jsonl: bool, make_app: Any, own_redis: RedisServer
) -> None:
    """Sessions and rate limits in Redis: the terminal (and ``chat --script``) apologises for
    the turn Redis is gone, and the next turn after it is back works, with no restart."""
    app = make_app(redis={"url": own_redis.url})
    out, notes = io.StringIO(), io.StringIO()
    chat = TerminalChat(
        app.engine, "shopper", out, pacing=Pacing(message_after_s=30.0), jsonl=jsonl, notes=notes
    )
    try:
        chat.say("a red linen dress under 80")
        assert "designs" in out.getvalue() and APOLOGY not in out.getvalue()

        own_redis.kill()
        started = time.monotonic()
        chat.say("make it green")
        assert time.monotonic() - started < BOUND_S
        assert APOLOGY in out.getvalue()

        own_redis.start()
        answered = len(out.getvalue())
        chat.say("a navy linen shirt under 60")
        after = out.getvalue()[answered:]
        assert "designs" in after and APOLOGY not in after
    finally:
        chat.close()


def test_connections_postgres_dropped_are_replaced_before_the_next_turn(
    make_app: Any, pg_url: str
) -> None:
    """As after a PostgreSQL restart: every pooled connection is cut; once the server has
    ended them, the next turn borrows fresh ones and the shopper notices nothing."""
    app = make_app()
    out = io.StringIO()
    chat = TerminalChat(app.engine, "shopper", out, pacing=Pacing(message_after_s=30.0))
    try:
        chat.say("a dress in sage green, under 120")
        with psycopg.connect(pg_url, autocommit=True) as admin:
            cut = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()
            assert cut is not None and cut[0] >= 1
            while admin.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone() != (0,):
                time.sleep(0.01)
        answered = len(out.getvalue())
        chat.say("/products")  # reads the catalogue's version and products from PostgreSQL
        after = out.getvalue()[answered:]
        assert "Products like your design, under 120" in after and APOLOGY not in after
    finally:
        chat.close()

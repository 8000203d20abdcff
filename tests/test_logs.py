"""Logs as operators read them: JSON lines with a turn's context, and no personal data in them.

The unit tests configure logging for real (the root logger's stderr handler) and read what
reaches stderr; the end-to-end test runs the ``stylegenie`` command as a subprocess through a
whole lead flow with JSON logs on, and reads every line it wrote on stderr.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stylegenie.adapters.observability.logs import (
    QUIET_LOGGERS,
    chat_hash,
    configure_logging,
    log_context,
    redact,
)
from stylegenie.config.settings import ObservabilitySettings
from stylegenie.core.chats import ChatKey

ROOT = Path(__file__).resolve().parents[1]
CLI = Path(sys.executable).with_name("stylegenie")
log = logging.getLogger("stylegenie.tests.logs")

SECRETS = {
    "e-mail": ("write to ana.silva@example.org", "ana.silva@example.org"),
    "phone": ("call +351 912 345 678 today", "912 345 678"),
    "bot token": (
        "GET https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ/getMe",
        "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ",
    ),
    "URL password": ("postgresql://sg:s3cr3t-pw@db:5432/sg", "s3cr3t-pw"),
    "Fernet token": (
        "token gAAAAABmZ2xhc3Nlcy1hcmUtY29vbC1hbmQtc28tYXJlLXlvdQ== stored",
        "gAAAAABmZ2xhc3Nlcy1hcmUtY29vbC1hbmQtc28tYXJlLXlvdQ",
    ),
    "API key": ("key sg_Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4MTIzNDU2 refused", "Zm9vYmFyYmF6cXV4"),
    "Discord token": (
        "login with MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs",
        "ZnCjm1XVW7vRze4b7Cq4se7kKWs",
    ),
    "bearer token": ("Authorization: Bearer abc123def456ghi789", "abc123def456ghi789"),
    "Telegram link": ("Ana (@ana_silva) https://t.me/ana_silva", "ana_silva"),
}


@pytest.fixture
def logs(capsys: pytest.CaptureFixture[str]) -> Iterator[Any]:
    """``setup(level=..., format=..., service=...)`` configures logging on the captured
    stderr; calling the fixture's ``lines()`` parses what was written. Logging is put back
    as it was after the test."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    quiet = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}

    class Logs:
        def setup(self, level: str = "INFO", fmt: str = "json", service: str = "test") -> None:
            section = ObservabilitySettings(log_level=level, log_format=fmt)  # type: ignore[arg-type]
            configure_logging(section, service=service, verbose=False)

        def text(self) -> str:
            return capsys.readouterr().err

        def lines(self) -> list[dict[str, Any]]:
            return [json.loads(line) for line in self.text().splitlines()]

    yield Logs()
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    for name, level in quiet.items():
        logging.getLogger(name).setLevel(level)
    logging.captureWarnings(False)


def test_a_json_line_has_its_fields_and_the_context_only_inside_the_block(logs: Any) -> None:
    logs.setup(fmt="auto")  # stderr is not a terminal here: JSON
    chat = chat_hash(ChatKey(platform="telegram", id="1001"))
    with log_context(turn_id="t-1", platform="telegram", chat=chat):
        log.info("%s turn ok in %d ms", "text", 12)
    log.warning("after the turn")
    inside, outside = logs.lines()
    assert inside["message"] == "text turn ok in 12 ms"
    assert inside["level"] == "INFO" and inside["logger"] == "stylegenie.tests.logs"
    assert inside["service"] == "test"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", inside["timestamp"])
    assert (inside["turn_id"], inside["platform"], inside["chat"]) == ("t-1", "telegram", chat)
    assert outside["message"] == "after the turn"
    assert not {"turn_id", "platform", "chat"} & outside.keys()


def test_nested_contexts_merge_and_unwind(logs: Any) -> None:
    logs.setup()
    with log_context(request_id="r-1", platform="web"):
        with log_context(turn_id="t-2"):
            log.info("inner")
        log.info("outer")
    inner, outer = logs.lines()
    assert (inner["request_id"], inner["platform"], inner["turn_id"]) == ("r-1", "web", "t-2")
    assert outer["request_id"] == "r-1" and "turn_id" not in outer


def test_context_reaches_asyncio_tasks_and_only_threads_handed_a_copy(logs: Any) -> None:
    logs.setup()

    async def in_a_task() -> None:
        log.info("task")

    async def turn() -> None:
        with log_context(turn_id="t-3"):
            await asyncio.create_task(in_a_task())

    asyncio.run(turn())
    with log_context(turn_id="t-4"):
        bare = threading.Thread(target=log.info, args=("bare thread",))
        copied = threading.Thread(
            target=contextvars.copy_context().run, args=(log.info, "copied context")
        )
        for thread in (bare, copied):
            thread.start()
            thread.join()
    task, bare_line, copied_line = logs.lines()
    assert task["turn_id"] == "t-3"
    assert "turn_id" not in bare_line, "a thread starts with an empty context"
    assert copied_line["turn_id"] == "t-4"


@pytest.mark.parametrize("kind", SECRETS)
def test_each_kind_of_secret_is_redacted_in_messages_and_tracebacks(logs: Any, kind: str) -> None:
    text, secret = SECRETS[kind]
    logs.setup(level="DEBUG")  # tracebacks keep exception messages at DEBUG only
    log.info("sending: %s", text)
    try:
        raise RuntimeError(text)
    except RuntimeError:
        log.exception("it failed")
    message, failure = logs.lines()
    assert secret not in message["message"] and message["message"].startswith("sending: ")
    assert "RuntimeError" in failure["traceback"] and failure["error"] == "RuntimeError"
    assert secret not in failure["traceback"]


def test_ordinary_numbers_addresses_and_names_are_left_alone() -> None:
    text = (
        "text turn ok in 2547 ms; expires 2026-11-30; db 127.0.0.1:5432; took 2.5177664169s; "
        "celery@worker-1 ready; lead 4f3a2b of atelier at-lis-moonthread; guild 1234567890123456789"
    )
    assert redact(text) == text


def test_below_debug_a_traceback_keeps_frames_and_types_not_messages(logs: Any) -> None:
    logs.setup(level="INFO")
    said = "zebra-quokka marmalade"  # a variable: a frame shows its source line, not values
    try:
        try:
            raise KeyError(said)
        except KeyError as error:
            raise ValueError(f"the shopper said {said}") from error
    except ValueError:
        log.error("a turn failed", exc_info=True)
    (line,) = logs.lines()
    assert line["error"] == "ValueError" and "zebra-quokka" not in line["traceback"]
    assert "builtins.KeyError" in line["traceback"] and "builtins.ValueError" in line["traceback"]
    assert "test_below_debug_a_traceback_keeps_frames" in line["traceback"]


def test_chat_hash_is_short_stable_and_not_the_key() -> None:
    key = ChatKey(platform="telegram", id="1001")
    assert chat_hash(key) == "5dac91572ade"  # the same in every process, release after release
    assert chat_hash(ChatKey(platform="telegram", id="1002")) != chat_hash(key)
    assert "1001" not in chat_hash(key) and len(chat_hash(key)) == 12


def test_configuring_twice_keeps_one_handler_and_text_shows_the_context(logs: Any) -> None:
    logs.setup(fmt="json")
    logs.setup(fmt="text")
    with log_context(turn_id="t-5", platform="discord"):
        log.warning("one line")
    text = logs.text()
    assert text.count("one line") == 1 and "{" not in text
    assert re.search(
        r"WARNING stylegenie\.tests\.logs: one line .*turn_id=t-5 platform=discord", text
    )


def test_noisy_libraries_are_quiet_unless_debug_and_redacted_when_they_speak(
    logs: Any,
) -> None:
    url = SECRETS["bot token"][0]
    logs.setup(level="INFO")
    logging.getLogger("httpx").info("HTTP Request: %s", url)
    logging.getLogger("celery.app.trace").info("Task succeeded: {'prompt': 'sage dress'}")
    assert logs.text() == ""
    logs.setup(level="DEBUG")
    logging.getLogger("httpx").info("HTTP Request: %s", url)
    (line,) = logs.lines()
    assert line["logger"] == "httpx" and "api.telegram.org/bot[bot-token]/getMe" in line["message"]


def test_warnings_become_log_lines(logs: Any) -> None:
    import warnings

    logs.setup(level="WARNING")
    warnings.warn("an old call", UserWarning, stacklevel=1)
    (line,) = logs.lines()
    assert line["logger"] == "py.warnings" and "an old call" in line["message"]


def test_a_celery_worker_keeps_this_setup(logs: Any) -> None:
    from celery import Celery, signals
    from celery.app.log import Logging

    logs.setup(level="WARNING", service="worker")
    root = logging.getLogger()
    handlers, stdout, was_setup = list(root.handlers), sys.stdout, Logging._setup
    Logging._setup = False
    try:
        Celery("probe").log.setup(loglevel="INFO", redirect_stdouts=True)
        assert root.handlers == handlers and root.level == logging.WARNING
        assert sys.stdout is stdout, "stdout is not redirected into the log"
    finally:
        Logging._setup = was_setup
        sys.stdout = stdout
        signals.setup_logging.disconnect(dispatch_uid="stylegenie.adapters.observability.logs")


# -- end to end: the real command, a whole lead flow -----------------------------------------

PHRASE = "zebra-quokka marmalade"
SHOPPER = "ana.silva@example.org"  # the terminal user: the contact an atelier gets on accept
PHONE = "+351 912 345 678"
ATELIER_CONTACT = "hello@moonthread.example"
SCRIPT = f"""\
/start
something flowy for a garden wedding, I'm in Lisbon, {PHRASE}, or call me on {PHONE}
a dress in sage green, under 120
@choice Pick 1
@choice Find an atelier
@choice 1
@choice Send to Atelier Moonthread (fictional)
@as owner-moonthread
/leads
@choice Accept 1
@as
"""
TURN_LINE = re.compile(r"^\w+ turn \w+ in \d+ ms$")


def stylegenie(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The ``stylegenie`` command, its output captured (it must succeed)."""
    done = subprocess.run(
        [str(CLI), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def json_lines(stderr: str) -> list[dict[str, Any]]:
    """Every stderr line as JSON with the core fields (a line that is not fails the test)."""
    lines = []
    for raw in stderr.splitlines():
        line = json.loads(raw)
        assert {"timestamp", "level", "logger", "message", "service"} <= line.keys(), raw
        lines.append(line)
    return lines


def test_a_lead_flow_logs_json_with_turn_context_and_no_personal_data(
    tmp_path: Path, pg_url: str
) -> None:
    env = {
        **os.environ,
        "STYLEGENIE_DATA_DIR": str(tmp_path / "data"),
        "STYLEGENIE_DATABASE__URL": pg_url,
        "STYLEGENIE_OBSERVABILITY__LOG_FORMAT": "json",
        "STYLEGENIE_OBSERVABILITY__LOG_LEVEL": "DEBUG",  # every line, the turns' own too
        "OMP_NUM_THREADS": "1",
    }
    script = tmp_path / "lead.txt"
    script.write_text(SCRIPT)
    imported = stylegenie(
        ["ateliers", "import", str(ROOT / "examples" / "sample_ateliers.csv")], env, tmp_path
    )
    chat = stylegenie(["chat", "--user", SHOPPER, "--script", str(script)], env, tmp_path)

    assert f"Contact them at: {ATELIER_CONTACT}" in chat.stdout, "the flow reached the accept"
    assert f"The shopper's contact: {SHOPPER}" in chat.stdout
    lines = json_lines(imported.stderr) + json_lines(chat.stderr)
    turns = [line for line in lines if TURN_LINE.match(line["message"])]
    assert len(turns) == SCRIPT.count("\n") - SCRIPT.count("@as"), "one line per turn"
    shopper = chat_hash(ChatKey(platform="terminal", id=SHOPPER))
    owner = chat_hash(ChatKey(platform="terminal", id="owner-moonthread"))
    assert {line["chat"] for line in turns} == {shopper, owner}
    assert all(line["platform"] == "terminal" and line["turn_id"] for line in turns)
    assert len({line["turn_id"] for line in turns}) == len(turns)
    logged = imported.stderr + chat.stderr
    for private in (PHRASE, SHOPPER, "ana.silva", PHONE, "912 345 678", ATELIER_CONTACT):
        assert private not in logged, private

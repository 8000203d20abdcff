"""One logging setup for every process: JSON lines in production, readable text on a terminal.

Operators aggregate logs centrally, so a deployed process writes one JSON object a line on
stderr (``timestamp``, ``level``, ``logger``, ``message``, ``service``), and every line
written during a chat turn or an API request carries that turn's context: ``turn_id``,
``request_id``, ``platform`` and ``chat``, a short hash of the chat key that groups the
lines of one conversation without naming it. ``log_context`` sets those fields through a
context variable, so they follow the code into asyncio tasks (and into threads that are
handed a copied context) without being passed around.

Logs must never hold message text, contacts, tokens or keys. The code logs ids, counts and
error types; as a second line of defence every record's message and traceback pass through
``redact`` before they are formatted, which blanks e-mail addresses, phone numbers,
Telegram handles and links, bot and Discord tokens, bearer tokens, StyleGenie API keys,
Fernet tokens and passwords in URLs. An exception's own words can repeat what it was given
(a validation error quotes its input), so below DEBUG a traceback keeps its frames and the
exception types, not their messages.

Some libraries log too much at INFO: httpx logs every Bot API URL, which holds the Telegram
bot token, and Celery logs each task's return value, which holds a render's prompt. They are
held at WARNING unless the level is DEBUG. A Celery worker would replace this setup with its
own (``worker_hijack_root_logger``); in the ``worker`` service a receiver of Celery's
``setup_logging`` signal tells it to leave logging alone.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import sys
import time
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from stylegenie.config.settings import ObservabilitySettings
from stylegenie.core.chats import ChatKey

__all__ = ["QUIET_LOGGERS", "chat_hash", "configure_logging", "log_context", "redact"]

QUIET_LOGGERS = (
    "httpx",  # every request URL, the Telegram bot token in it
    "httpcore",
    "telegram",
    "discord",
    "aiohttp.access",
    "uvicorn.access",  # request lines with their query strings
    "celery",  # a task's return value at INFO
    "kombu",
    "pymilvus",
    "milvus_lite",
    "faiss",
    "urllib3",
    "LiteLLM",
    "openai",
)
"""Third-party loggers held at WARNING unless the level is DEBUG."""

_CONTEXT: ContextVar[Mapping[str, str]] = ContextVar(
    "stylegenie_log_context", default=MappingProxyType({})
)


@dataclass(frozen=True)
class _Rule:
    """One kind of secret: a cheap test that it may be in a text, its pattern, its stand-in.

    The test is a substring or a pattern that starts with a literal, which the regular
    expression engine scans for quickly; most log lines fail every test and cost little.
    """

    trigger: str | re.Pattern[str]
    pattern: re.Pattern[str]
    replacement: str

    def apply(self, text: str) -> str:
        """``text`` with this kind of secret replaced."""
        if isinstance(self.trigger, str):
            found = self.trigger in text
        else:
            found = self.trigger.search(text) is not None
        return self.pattern.sub(self.replacement, text) if found else text


_WORD = "[A-Za-z0-9_-]"
_RULES = (
    _Rule("://", re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@]*:)[^\s/@]+@"), r"\1***@"),
    _Rule("earer", re.compile(r"\b([Bb]earer\s+)[A-Za-z0-9._~+/=-]{8,}"), r"\1***"),
    _Rule("s/", re.compile(rf"(/(?:webhooks|interactions)/\d+/){_WORD}{{20,}}"), r"\1***"),
    _Rule(
        re.compile(rf":{_WORD}{{30}}"),
        re.compile(rf"(?<!\d)\d{{6,}}:{_WORD}{{30,}}"),
        "[bot-token]",
    ),
    _Rule(
        re.compile(rf"\.{_WORD}{{6,7}}\.{_WORD}{{27}}"),
        re.compile(rf"(?<![\w-]){_WORD}{{23,28}}\.{_WORD}{{6,7}}\.{_WORD}{{27,}}"),
        "[discord-token]",
    ),
    _Rule("sg_", re.compile(rf"\bsg_{_WORD}{{20,}}"), "sg_***"),
    _Rule("gAAAAA", re.compile(r"\bgAAAAA[A-Za-z0-9_=-]{20,}"), "[fernet-token]"),
    _Rule(
        "@",
        re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
        "[email]",
    ),
    _Rule("@", re.compile(r"(?<![\w.@/*])@[A-Za-z][A-Za-z0-9_]{3,31}\b"), "@***"),
    _Rule("t.me/", re.compile(r"\bt\.me/[A-Za-z0-9_]+"), "t.me/***"),
    _Rule("tg://", re.compile(r"\btg://user\?id=\d+"), "tg://user?id=***"),
    _Rule(
        re.compile(r"\d[\d ()-]{6}"),
        re.compile(r"(?<![\w+.-])(?!\d{4}-\d\d-\d\d)\+?\(?\d(?:[ ()-]{0,2}\d){6,14}(?![\w-]|\.\d)"),
        "[phone]",
    ),
)
"""Applied in this order: a URL's password before the address it looks like, tokens before
the digits in them are taken for a phone number."""

Format = Literal["json", "text"]
_JSON = json.JSONEncoder(ensure_ascii=False, default=str)
"""One encoder for every line (``json.dumps`` with options builds one per call)."""


_ANY_TRIGGER = re.compile(
    "|".join(
        re.escape(rule.trigger) if isinstance(rule.trigger, str) else rule.trigger.pattern
        for rule in _RULES
    )
)
"""Every rule's test in one scan: most lines have no secret, and pass after this alone."""


def redact(text: str) -> str:
    """``text`` with e-mails, phones, handles, tokens, keys and URL passwords blanked."""
    if not _ANY_TRIGGER.search(text):
        return text
    for rule in _RULES:
        text = rule.apply(text)
    return text


def chat_hash(chat: ChatKey) -> str:
    """A short stable hash of a chat key: lines of one chat can be grouped, not traced back.

    Twelve hex digits of the SHA-256 of ``"platform:id"``, the same in every process.
    """
    return hashlib.sha256(str(chat).encode()).hexdigest()[:12]


@contextmanager
def log_context(**fields: str) -> Iterator[None]:
    """Add ``fields`` to every log line written inside the block (this thread or task).

    Nested blocks merge, the inner value winning. The fields live in a context variable:
    an asyncio task started inside the block inherits them, a thread does not unless it
    runs in a copy (``contextvars.copy_context().run(...)``, as ``asyncio.to_thread`` does
    and ``loop.run_in_executor`` does not).
    """
    token = _CONTEXT.set({**_CONTEXT.get(), **fields})
    try:
        yield
    finally:
        _CONTEXT.reset(token)


class _Formatter(logging.Formatter):
    """A record as a JSON object or a text line, its context added, its secrets redacted."""

    def __init__(self, service: str, style: Format, exception_messages: bool) -> None:
        super().__init__()
        self._service = service
        self._shape = style
        self._exception_messages = exception_messages

    def format(self, record: logging.LogRecord) -> str:
        """The record, redacted, with the active log context."""
        message = redact(record.getMessage())
        trace = self._trace(record)
        if self._shape == "json":
            return self._json(record, message, trace)
        return self._text(record, message, trace)

    def _json(self, record: logging.LogRecord, message: str, trace: str) -> str:
        line: dict[str, Any] = {
            "timestamp": _timestamp(record, "T") + "Z",
            "level": record.levelname,
            "logger": record.name,
            "message": message,
            "service": self._service,
            **_CONTEXT.get(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            line["error"] = record.exc_info[0].__name__
        if trace:
            line["traceback"] = trace
        return _JSON.encode(line)

    def _text(self, record: logging.LogRecord, message: str, trace: str) -> str:
        context = " ".join(f"{key}={value}" for key, value in _CONTEXT.get().items())
        line = f"{_timestamp(record, ' ')} {record.levelname} {record.name}: {message}"
        line += f"  [{context}]" if context else ""
        return f"{line}\n{trace}" if trace else line

    def _trace(self, record: logging.LogRecord) -> str:
        parts = []
        if record.exc_info and record.exc_info[1] is not None:
            parts.append(_exception_text(record.exc_info[1], self._exception_messages))
        if record.stack_info:
            parts.append(record.stack_info)
        return redact("\n".join(parts).rstrip())


def _timestamp(record: logging.LogRecord, separator: str) -> str:
    """ISO 8601 in UTC with milliseconds, date and time joined by ``separator``."""
    return f"{_second(int(record.created), separator)}.{int(record.msecs):03d}"


@functools.lru_cache(maxsize=4)
def _second(seconds: int, separator: str) -> str:
    """One second's date and time, formatted once for all the lines written in it."""
    return time.strftime(f"%Y-%m-%d{separator}%H:%M:%S", time.gmtime(seconds))


def _exception_text(error: BaseException, with_messages: bool) -> str:
    """The traceback of ``error`` and its causes; without messages, only frames and types."""
    if with_messages:
        return "".join(traceback.format_exception(error))
    chain: list[str] = []
    current: BaseException | None = error
    while current is not None and len(chain) < 10:
        frames = "".join(traceback.format_tb(current.__traceback__))
        kind = type(current)
        chain.append(
            f"Traceback (most recent call last):\n{frames}{kind.__module__}.{kind.__qualname__}"
        )
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    return "\n\nThe above exception led to:\n\n".join(reversed(chain))


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """The one stderr handler this module installs on the root logger."""


def configure_logging(section: ObservabilitySettings, service: str, verbose: bool) -> None:
    """Log as ``section`` says for the process named ``service``.

    The root logger gets one stderr handler (a second call replaces it); the level is
    ``section.log_level``, or INFO with ``verbose`` when that is higher. Warnings are logged
    too, so stderr holds log lines only.
    """
    level = _level(section, verbose)
    handler = _Handler(sys.stderr)
    handler.setFormatter(_Formatter(service, _style(section), level <= logging.DEBUG))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    quiet = max(level, logging.WARNING) if level > logging.DEBUG else logging.NOTSET
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(quiet)
    logging.captureWarnings(True)
    if service == "worker":
        _keep_through_celery()


def _level(section: ObservabilitySettings, verbose: bool) -> int:
    level: int = getattr(logging, section.log_level)
    return min(level, logging.INFO) if verbose else level


def _style(section: ObservabilitySettings) -> Format:
    if section.log_format != "auto":
        return section.log_format
    return "text" if sys.stderr.isatty() else "json"


def _keep_through_celery() -> None:
    """Stop a Celery worker from replacing this setup with its own (one receiver suffices)."""
    from celery import signals

    signals.setup_logging.connect(_leave_logging_alone, weak=False, dispatch_uid=__name__)


def _leave_logging_alone(**_: object) -> None:
    """Celery's ``setup_logging`` receiver: logging is already configured."""

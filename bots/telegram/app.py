"""The Telegram Application: built from settings, run by long polling or a webhook.

``build_application`` wires the library the way the bot needs it: the Bot API root
from settings (a test points it at a fake server), updates processed concurrently
across chats and in order within one (``ChatOrderedUpdateProcessor``), sends throttled
and retried on flood control (``AIORateLimiter``), requests sent over aiohttp
(``AiohttpRequest``), the engine in a thread pool of ``engine_threads``, and the bot's
commands registered with ``setMyCommands`` at start.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from telegram import BotCommand, Update
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, BaseUpdateProcessor

from stylegenie.config.settings import TelegramSettings
from stylegenie.core.ports import ImageStore

from .handlers import BotDeps, ChatHandlers, TurnEngine
from .leads import LeadOutbox, NotifierRegistry, OutboxRun, TelegramNotifications
from .request import AiohttpRequest

ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]
MAX_UPDATES_IN_FLIGHT = 1024
"""Updates running or waiting for their chat at once; the engine threads bound the work."""
CONNECTIONS = 64
"""Sockets to the Bot API; more requests than this wait for a free one."""

COMMANDS = [
    BotCommand("start", "Start a new design conversation"),
    BotCommand("help", "What I can do"),
    BotCommand("new", "Start over"),
    BotCommand("saved", "Your saved designs"),
    BotCommand("save", "Save the design you picked"),
    BotCommand("prefs", "Your size, city and style, e.g. /prefs size M, Lisbon"),
    BotCommand("budget", "Set a budget, e.g. /budget 80"),
    BotCommand("products", "Shop items like your design"),
    BotCommand("ateliers", "Ateliers that can make your design"),
    BotCommand("cancel", "Drop the current request"),
    BotCommand("leads", "Open requests for your atelier (owners)"),
]


class ChatOrderedUpdateProcessor(BaseUpdateProcessor):
    """Runs updates concurrently across chats and in arrival order within a chat.

    python-telegram-bot's ``concurrent_updates`` runs every update in its own task; this
    update processor (the library's hook for exactly this) holds one ``asyncio.Lock`` per
    chat around each update. Tasks start in arrival order and ask for their chat's lock
    first, and the lock serves waiters first come, first served, so one chat's updates
    run one after another while other chats go on. Locks of idle chats are dropped.
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Await the update's handlers while holding its chat's lock (no lock without a chat)."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._waiting[chat.id] = self._waiting.get(chat.id, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[chat.id] -= 1
            if not self._waiting[chat.id]:
                del self._waiting[chat.id], self._locks[chat.id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


@dataclass(frozen=True)
class LeadWiring:
    """The app's lead flow as the bot sees it: the notifier hub and the outbox to run."""

    notifiers: NotifierRegistry
    run_outbox: OutboxRun


def build_application(
    settings: TelegramSettings,
    engine: TurnEngine,
    images: ImageStore,
    leads: LeadWiring | None = None,
) -> Application:  # type: ignore[type-arg]
    """The bot's Application; ``run`` (or ``serving``) serves it.

    With ``leads``, the bot also delivers lead messages to atelier owners and news to
    shoppers, and runs the lead outbox while it is up.
    """
    if settings.token is None:
        raise ValueError("the Telegram bot needs a token (STYLEGENIE_TELEGRAM__TOKEN)")
    executor = ThreadPoolExecutor(settings.engine_threads, thread_name_prefix="turn")
    notifications = TelegramNotifications(images)
    outbox = LeadOutbox(leads.run_outbox, executor) if leads else None
    if leads:
        notifications.register(leads.notifiers)

    async def started(application: Application) -> None:  # type: ignore[type-arg]
        await register_commands(application)
        notifications.start(application.bot)
        if outbox:
            outbox.start()

    async def stopped(_: Application) -> None:  # type: ignore[type-arg]
        if outbox:
            await outbox.stop()
        notifications.stop()
        executor.shutdown(wait=False, cancel_futures=True)

    root = settings.api_base.rstrip("/")
    application = (
        ApplicationBuilder()
        .token(settings.token.get_secret_value())
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .concurrent_updates(ChatOrderedUpdateProcessor(MAX_UPDATES_IN_FLIGHT))
        .rate_limiter(
            AIORateLimiter(
                overall_max_rate=settings.sends_per_second, max_retries=settings.flood_retries
            )
        )
        .request(AiohttpRequest(CONNECTIONS))
        .get_updates_request(AiohttpRequest(1))
        .post_init(started)
        .post_shutdown(stopped)
        .build()
    )
    ChatHandlers(BotDeps(engine, images, executor, settings)).register(application)
    return application


async def register_commands(application: Application) -> None:  # type: ignore[type-arg]
    """Tell Telegram the bot's commands, so clients offer them in the menu."""
    await application.bot.set_my_commands(COMMANDS)


def webhook_options(settings: TelegramSettings) -> dict[str, Any]:
    """Where the webhook listener binds, the address Telegram posts to, and its secret."""
    address = settings.webhook_address or ""
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": urlparse(address).path.lstrip("/"),
        "webhook_url": address,
        "secret_token": secret,
        "allowed_updates": ALLOWED_UPDATES,
    }


def use_fast_event_loop() -> bool:
    """Run asyncio on uvloop when it is installed (the ``telegram`` extra installs it).

    The bot's event loop is its bottleneck under a burst of chats: every Bot API call and
    update passes through it. Measured with ``bench/telegram_load.py`` (200 chats, Celery
    workers): p95 of the first reply 560–850 ms on uvloop against 650–1,290 ms without.
    Returns whether uvloop is now used.
    """
    try:
        import uvloop
    except ImportError:
        return False
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return True


def run(application: Application, settings: TelegramSettings) -> None:  # type: ignore[type-arg]
    """Serve until interrupted (SIGINT/SIGTERM): long polling, or a webhook listener."""
    if settings.mode == "webhook":
        application.run_webhook(**webhook_options(settings))
    else:
        application.run_polling(allowed_updates=ALLOWED_UPDATES)


@asynccontextmanager
async def serving(
    application: Application,  # type: ignore[type-arg]
    settings: TelegramSettings,
    poll_timeout: int = 10,
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Serve inside an already running event loop (tests, benchmarks, embedding).

    ``run`` owns the loop and the process signals; this takes the same steps (post_init,
    start, poll or listen, stop, shutdown, post_shutdown) for a caller that owns them.
    """
    try:
        async with application:
            if application.post_init:
                await application.post_init(application)
            await application.start()
            updater = application.updater
            assert updater is not None
            if settings.mode == "webhook":
                await updater.start_webhook(**webhook_options(settings))
            else:
                await updater.start_polling(timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES)
            try:
                yield application
            finally:
                await updater.stop()
                await application.stop()
    finally:
        if application.post_shutdown:
            await application.post_shutdown(application)

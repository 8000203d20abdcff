"""The Telegram Application: built from settings, run by long polling or a webhook.

``build_application`` wires the library the way the bot needs it: the Bot API root
from settings (a test points it at a fake server), updates processed concurrently
across chats and in order within one (the kit's ``ChatOrder`` behind the library's
update-processor hook), sends throttled and retried on flood control and paced per chat
(``ChatPacedRateLimiter``), requests sent over aiohttp (``AiohttpRequest``), turns run by
the kit's ``TurnRunner`` in a thread pool of ``engine_threads``, and the core's command
list registered with ``setMyCommands`` at start.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlparse

from telegram import Bot, BotCommand, Update
from telegram.ext import Application, ApplicationBuilder, BaseUpdateProcessor

from stylegenie.bots.kit.bridge import LoopBridge
from stylegenie.bots.kit.order import ChatOrder
from stylegenie.bots.kit.outbox import LeadWiring, OutboxLoop
from stylegenie.bots.kit.turns import TurnEngine, TurnRunner, engine_threads
from stylegenie.config.settings import TelegramSettings
from stylegenie.core.chats import ChatKey
from stylegenie.core.commands import COMMANDS
from stylegenie.core.ports import ImageStore
from stylegenie.core.reply import Reply

from .albums import Albums
from .channel import TelegramChannel
from .handlers import ChatHandlers, HandlerDeps
from .pacing import ChatPacedRateLimiter
from .progress import TelegramProgressView, pacing_for
from .request import AiohttpRequest
from .sending import ReplySender

ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]
MAX_UPDATES_IN_FLIGHT = 1024
"""Updates running or waiting for their chat at once; the engine threads bound the work."""
CONNECTIONS = 64
"""Sockets to the Bot API; more requests than this wait for a free one."""
SEND_TIMEOUT_S = 30.0
"""Longest an outbox thread waits for the bot to send one message outside a turn."""


class ChatOrderedUpdateProcessor(BaseUpdateProcessor):
    """Runs updates concurrently across chats and in arrival order within a chat.

    python-telegram-bot's ``concurrent_updates`` runs every update in its own task; this
    update processor (the library's hook for exactly this) holds the chat's turn in the
    kit's ``ChatOrder`` around each update. Album photos are noted before they wait.
    """

    def __init__(self, max_concurrent_updates: int, albums: Albums) -> None:
        super().__init__(max_concurrent_updates)
        self._order = ChatOrder()
        self._albums = albums

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Await the update's handlers in its chat's turn (no order without a chat)."""
        self._albums.note(update)
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        async with self._order.turn_of(chat.id):
            await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


class TelegramSurface:
    """The kit's Surface on Telegram: progress views, replies, admin notices."""

    def __init__(self, bot: Bot, images: ImageStore, admin_ids: list[int]) -> None:
        self._bot = bot
        self._images = images
        self._admin_ids = admin_ids

    def progress_view(self, chat: ChatKey, event: object) -> TelegramProgressView:
        """Chat actions and a progress message in the chat."""
        return TelegramProgressView(self._bot, int(chat.id))

    async def send(self, chat: ChatKey, reply: Reply, event: object) -> None:
        """Send the reply; a pressed lead message is settled to show its outcome."""
        sender = ReplySender(self._bot, self._images)
        await sender.send(int(chat.id), reply)
        query = event.callback_query if isinstance(event, Update) else None
        if reply.pressed_outcome and query is not None and query.message is not None:
            await sender.settle_pressed(query.message, reply.pressed_outcome)  # type: ignore[arg-type]

    async def tell_admins(self, text: str) -> None:
        """Message every admin of the bot."""
        for admin in self._admin_ids:
            await self._bot.send_message(admin, text)


def bot_commands() -> list[BotCommand]:
    """The core's command list as Telegram's menu entries."""
    return [BotCommand(command.name, command.description) for command in COMMANDS]


def build_application(
    settings: TelegramSettings,
    engine: TurnEngine,
    images: ImageStore,
    leads: LeadWiring | None = None,
) -> Application:  # type: ignore[type-arg]
    """The bot's Application; ``run`` (or ``serving``) serves it.

    With ``leads``, the bot also delivers lead messages to atelier owners and news to
    shoppers on Telegram, and runs the lead outbox while it is up.
    """
    if settings.token is None:
        raise ValueError("the Telegram bot needs a token (STYLEGENIE_TELEGRAM__TOKEN)")
    executor = engine_threads(settings.engine_threads)
    bridge = LoopBridge(SEND_TIMEOUT_S)
    channel = TelegramChannel(bridge, images)
    outbox = OutboxLoop(leads, executor) if leads else None
    if leads and outbox:
        leads.hub.register(channel.platform, channel)
        leads.listen(outbox.wake)

    async def started(application: Application) -> None:  # type: ignore[type-arg]
        await application.bot.set_my_commands(bot_commands())
        bridge.start()
        channel.attach(application.bot)
        if outbox:
            outbox.start()

    async def stopped(_: Application) -> None:  # type: ignore[type-arg]
        if outbox:
            await outbox.stop()
        bridge.stop()
        executor.shutdown(wait=False, cancel_futures=True)

    albums = Albums()
    root = settings.api_base.rstrip("/")
    application = (
        ApplicationBuilder()
        .token(settings.token.get_secret_value())
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .concurrent_updates(ChatOrderedUpdateProcessor(MAX_UPDATES_IN_FLIGHT, albums))
        .rate_limiter(ChatPacedRateLimiter(settings))
        .request(AiohttpRequest(CONNECTIONS))
        .get_updates_request(AiohttpRequest(1))
        .post_init(started)
        .post_shutdown(stopped)
        .build()
    )
    surface = TelegramSurface(application.bot, images, settings.admin_ids)
    runner = TurnRunner(engine, surface, executor, pacing_for(settings))
    ChatHandlers(HandlerDeps(runner, images, albums, settings)).register(application)
    return application


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

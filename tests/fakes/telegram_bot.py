"""The real Telegram bot served on its own event loop thread, for synchronous tests."""

from __future__ import annotations

import asyncio
import io
import threading

from PIL import Image

from stylegenie.bots.kit.outbox import LeadWiring
from stylegenie.bots.kit.turns import TurnEngine
from stylegenie.bots.telegram import build_application, serving
from stylegenie.config.settings import TelegramSettings
from stylegenie.core.ports import ImageStore


class RunningBot:
    """The bot's Application served (long polling or webhook) on its own loop thread."""

    def __init__(
        self,
        settings: TelegramSettings,
        engine: TurnEngine,
        images: ImageStore,
        leads: LeadWiring | None = None,
    ) -> None:
        self._application = build_application(settings, engine, images, leads)
        self._settings = settings
        self._started = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _main(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        async with serving(self._application, self._settings, poll_timeout=1):
            self._started.set()
            await self._stop.wait()

    def __enter__(self) -> RunningBot:
        self._thread.start()
        assert self._started.wait(20), "the bot did not start"
        return self

    def __exit__(self, *_: object) -> None:
        assert self._loop is not None and self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(20)


def png(colour: str = "green") -> bytes:
    """A small real PNG."""
    out = io.BytesIO()
    Image.new("RGB", (64, 64), colour).save(out, format="PNG")
    return out.getvalue()

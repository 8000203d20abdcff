"""The real Discord bot served on its own event loop thread, for synchronous tests."""

from __future__ import annotations

import asyncio
import threading

from stylegenie.bots.discord import StyleGenieClient, serving
from stylegenie.bots.kit.outbox import LeadWiring
from stylegenie.bots.kit.turns import TurnEngine
from stylegenie.config.settings import DiscordSettings
from stylegenie.core.ports import ImageStore


class RunningDiscordBot:
    """A ``StyleGenieClient`` logged in and connected to the gateway on its own loop thread."""

    def __init__(
        self,
        settings: DiscordSettings,
        engine: TurnEngine,
        images: ImageStore,
        leads: LeadWiring | None = None,
    ) -> None:
        self._build = lambda: StyleGenieClient(settings, engine, images, leads)
        self._started = threading.Event()
        self._failure: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as error:  # handed to the test thread by __enter__
            self._failure = error
            self._started.set()

    async def _main(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        async with serving(self._build()):
            self._started.set()
            await self._stop.wait()

    def __enter__(self) -> RunningDiscordBot:
        self._thread.start()
        assert self._started.wait(20), "the bot did not start"
        if self._failure is not None:
            raise RuntimeError("the bot failed to start") from self._failure
        return self

    def __exit__(self, *_: object) -> None:
        assert self._loop is not None and self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(20)

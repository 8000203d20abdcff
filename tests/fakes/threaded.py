"""A fake server that synchronous tests run on its own event loop thread."""

from __future__ import annotations

import asyncio
import threading
from typing import Self


class ThreadedServer:
    """``start_in_thread``/``stop_thread`` around a server's ``async start()`` and ``stop()``.

    ``start`` must set ``self._loop`` to the loop it runs on.
    """

    thread_name = "fake-server"
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None

    async def start(self) -> None:
        """Listen on 127.0.0.1 in the running loop."""
        raise NotImplementedError

    async def stop(self) -> None:
        """Stop listening."""
        raise NotImplementedError

    def start_in_thread(self) -> Self:
        """Run the server on its own event loop thread (for synchronous tests)."""
        ready = threading.Event()
        loop = asyncio.new_event_loop()

        def serve() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self.start())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.stop())
            loop.close()

        self._thread = threading.Thread(target=serve, name=self.thread_name, daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop_thread(self) -> None:
        """Stop a server started with ``start_in_thread``."""
        if self._thread is not None and self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

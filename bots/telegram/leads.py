"""Atelier owners on Telegram: lead messages with accept / decline buttons, news for shoppers.

The lead flow (``stylegenie.core.leads.LeadDesk``) stores a lead, then hands it to the
app's notifier hub; ``TelegramNotifications`` is the hub's sender for chats whose key
starts with ``telegram:``. The flow calls it synchronously from an engine thread, so it
passes the sending to the bot's event loop (``run_coroutine_threadsafe``) and waits:
a failed send raises, and the lead stays in the outbox to be retried. ``LeadOutbox``
runs the outbox at start and every minute (leads stored before a crash are delivered,
unanswered ones expire). An owner's button press (``lead-accept:<lead_id>``,
``lead-decline:<lead_id>``) and ``/leads`` are ordinary engine turns.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Protocol

from telegram import Bot

from stylegenie.core.domain import Atelier, Lead
from stylegenie.core.ports import ImageStore
from stylegenie.core.reply import Choice, ImageRef, Reply

from .sending import ReplySender

log = logging.getLogger(__name__)

OutboxRun = Callable[[], tuple[int, int]]
"""Delivers waiting leads and expires unanswered ones: (delivered, expired)."""


class NotifierRegistry(Protocol):
    """Where a platform registers its senders (the app's notifier hub)."""

    def register(
        self,
        platform: str,
        owners: Callable[[str, Lead, Atelier], None],
        shoppers: Callable[[str, Reply], None],
    ) -> None: ...


def lead_message(lead: Lead, atelier: Atelier) -> Reply:
    """What an owner receives: the design, brief, budget, size, city, deadline and two buttons."""
    brief = lead.design.brief
    deadline = lead.request.deadline_days or brief.deadline_days
    details = [
        ("Budget", brief.budget_text()),
        ("Size", brief.size or ""),
        ("City", brief.city or ""),
        ("Needed within", f"{deadline} days" if deadline else ""),
    ]
    lines = [f"New request for {atelier.name}: {brief.summary()}"]
    lines += [f"{label}: {value}" for label, value in details if value]
    lines.append("Accept to swap contacts with the shopper, or decline so they can ask another.")
    image = lead.design.image_ref
    return Reply(
        text="\n".join(lines),
        images=[ImageRef(ref=image, caption=brief.summary())] if image else [],
        choices=[
            Choice(id=f"lead-accept:{lead.id}", label="Accept"),
            Choice(id=f"lead-decline:{lead.id}", label="Decline"),
        ],
    )


class TelegramNotifications:
    """Telegram's senders for the notifier hub: leads to owners, news to shoppers."""

    def __init__(self, images: ImageStore, timeout_s: float = 30.0) -> None:
        self._images = images
        self._timeout_s = timeout_s
        self._bot: Bot | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def register(self, registry: NotifierRegistry) -> None:
        """Serve the ``telegram`` platform of the hub."""
        registry.register("telegram", self.owner, self.shopper)

    def start(self, bot: Bot) -> None:
        """Send through this bot on the running event loop from now on."""
        self._bot, self._loop = bot, asyncio.get_running_loop()

    def stop(self) -> None:
        """Refuse to send (the lead flow keeps leads for the next start)."""
        self._bot = self._loop = None

    def owner(self, chat_id: str, lead: Lead, atelier: Atelier) -> None:
        """Send a lead to an owner's chat; raises when it could not be delivered."""
        self._deliver(int(chat_id), lead_message(lead, atelier))

    def shopper(self, chat_id: str, reply: Reply) -> None:
        """Send news (an atelier accepted, the next match…) to a shopper's chat."""
        self._deliver(int(chat_id), reply)

    def _deliver(self, chat_id: int, reply: Reply) -> None:
        loop, bot = self._loop, self._bot
        if loop is None or bot is None:
            raise RuntimeError("the Telegram bot is not running")
        with contextlib.suppress(RuntimeError):
            if asyncio.get_running_loop() is loop:
                raise RuntimeError("Telegram notifications must be sent from a worker thread")
        sending = ReplySender(bot, self._images).send(chat_id, reply)
        asyncio.run_coroutine_threadsafe(sending, loop).result(self._timeout_s)


class LeadOutbox:
    """Runs the lead outbox in the turn threads at start and then every ``every_s``."""

    def __init__(self, run: OutboxRun, executor: Executor, every_s: float = 60.0) -> None:
        self._run = run
        self._executor = executor
        self._every_s = every_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the periodic runs on the running loop."""
        self._task = asyncio.create_task(self._forever(), name="lead-outbox")

    async def stop(self) -> None:
        """Stop the periodic runs (a run in progress finishes in its thread)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _forever(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                delivered, expired = await loop.run_in_executor(self._executor, self._run)
                if delivered or expired:
                    log.info("lead outbox: %d delivered, %d expired", delivered, expired)
            except Exception:
                log.exception("the lead outbox run failed; trying again later")
            await asyncio.sleep(self._every_s)

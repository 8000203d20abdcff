"""An album of photos is one turn.

Telegram delivers an album as one update per photo, sharing a ``media_group_id``. The
update processor notes every album photo as it arrives (before the chat's turn order
holds it back); the first photo's handler waits ``wait_s`` for the rest, then answers
once with the first photo and the album's caption. The other photos' handlers find
their album answered and say nothing.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict

from telegram import Message, Update

REMEMBERED_ALBUMS = 256


class Albums:
    """Album photos noted on arrival, answered once per album."""

    def __init__(self, wait_s: float = 0.6) -> None:
        self._wait_s = wait_s
        self._photos: OrderedDict[str, list[Message]] = OrderedDict()
        self._answered: set[str] = set()

    def note(self, update: object) -> None:
        """Remember an album photo as soon as its update arrives (the processor calls this)."""
        message = update.effective_message if isinstance(update, Update) else None
        if message is None or not message.media_group_id:
            return
        self._photos.setdefault(message.media_group_id, []).append(message)
        while len(self._photos) > REMEMBERED_ALBUMS:
            stale, _ = self._photos.popitem(last=False)
            self._answered.discard(stale)

    async def gather(self, message: Message) -> tuple[Message, str] | None:
        """For an album's first handled photo: (that photo, the album's caption) once the
        rest had time to arrive; None for the album's other photos."""
        group = message.media_group_id or ""
        if group in self._answered:
            return None
        self._answered.add(group)
        await asyncio.sleep(self._wait_s)
        photos = self._photos.get(group, [message])
        caption = next((m.caption for m in photos if m.caption), "")
        return photos[0], caption

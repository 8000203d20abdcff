"""Getting messages to people outside a turn: lead messages to atelier owners, news to shoppers.

Each front-end registers one ``Channel`` for its platform ("telegram", "discord",
"terminal"; the e-mail channel registers "email"); the hub routes each message by the
platform of its ChatKey. The lead outbox asks ``platforms()`` which leads this process
may take, so a process never touches a lead for a platform it cannot send on.

Nothing here logs a message or a contact: when news for a shopper cannot travel, the log
says so with the platform and the error type only.
"""

from __future__ import annotations

import logging
import threading

from stylegenie.core.chats import ChatKey
from stylegenie.core.ports import Channel
from stylegenie.core.reply import Reply

log = logging.getLogger("stylegenie.notifications")


class NoChannel(RuntimeError):
    """No channel serves the platform in this process (it may register later: retry)."""


class NotifierHub:
    """The core's Notifications port: every registered platform's Channel, by platform."""

    def __init__(self) -> None:
        self._channels: dict[str, Channel] = {}
        self._lock = threading.Lock()

    def register(self, platform: str, channel: Channel) -> None:
        """Send this platform's messages through ``channel`` from now on."""
        with self._lock:
            self._channels[platform] = channel

    def unregister(self, platform: str) -> None:
        """Stop sending on ``platform`` (its leads wait for a process that can)."""
        with self._lock:
            self._channels.pop(platform, None)

    def platforms(self) -> list[str]:
        """The platforms this process can send on, in registration order."""
        with self._lock:
            return list(self._channels)

    def deliver(self, chat: ChatKey, reply: Reply, idempotency_key: str) -> str:
        """Send through the chat's platform; the message reference. Raises what the channel
        raises (Unreachable for a chat that can never get it), NoChannel without one."""
        return self._channel(chat).deliver(chat.id, reply, idempotency_key)

    def settle(self, chat: ChatKey, message_ref: str, outcome: str) -> None:
        """Show ``outcome`` on a delivered message without its buttons; best effort."""
        with self._lock:
            channel = self._channels.get(chat.platform)
        if channel is None:
            return
        try:
            channel.settle(chat.id, message_ref, outcome)
        except Exception as error:
            log.info("a %s message could not be settled (%s)", chat.platform, type(error).__name__)

    def tell(self, user: ChatKey, reply: Reply) -> None:
        """Send news to a shopper on their platform; best effort (logs only that it failed)."""
        with self._lock:
            channel = self._channels.get(user.platform)
        if channel is None:
            log.warning("news for a %s shopper could not travel: no channel here", user.platform)
            return
        try:
            channel.deliver(user.id, reply, "")
        except Exception as error:
            log.warning(
                "news for a %s shopper could not travel (%s)", user.platform, type(error).__name__
            )

    def _channel(self, chat: ChatKey) -> Channel:
        with self._lock:
            channel = self._channels.get(chat.platform)
        if channel is None:
            raise NoChannel(f"no channel for {chat.platform} in this process")
        return channel

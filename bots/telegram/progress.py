"""A turn's progress in a Telegram chat: chat actions and one quiet message edited in place.

The kit's ``ProgressPacer`` decides when; this view makes the four Bot API calls.
Telegram shows a chat action for five seconds, so the pacer repeats it every 4.5 s.
"""

from __future__ import annotations

from telegram import Bot
from telegram.constants import ChatAction

from stylegenie.bots.kit.progress import Pacing
from stylegenie.config.settings import TelegramSettings
from stylegenie.core.progress import Activity

ACTION_LASTS_S = 4.5
"""Telegram clears a chat action after 5 s (or when a message arrives): repeat before."""


def pacing_for(settings: TelegramSettings) -> Pacing:
    """The kit's pacing with Telegram's chat-action lifetime and the settings' delay."""
    return Pacing(message_after_s=settings.progress_delay_s, indicate_every_s=ACTION_LASTS_S)


def chat_action(activity: Activity) -> ChatAction:
    """``upload_photo`` while designs are drawn, ``typing`` for everything else."""
    return ChatAction.UPLOAD_PHOTO if activity is Activity.DRAWING else ChatAction.TYPING


class TelegramProgressView:
    """The kit's ProgressView for one Telegram chat."""

    def __init__(self, bot: Bot, chat_id: int) -> None:
        self._bot = bot
        self._chat_id = chat_id
        self._message_id: int | None = None

    async def indicate(self, activity: Activity) -> None:
        """Send the chat action for the activity."""
        await self._bot.send_chat_action(self._chat_id, chat_action(activity))

    async def post(self, text: str) -> None:
        """Send the progress message without a notification sound."""
        message = await self._bot.send_message(self._chat_id, text, disable_notification=True)
        self._message_id = message.message_id

    async def edit(self, text: str) -> None:
        """Edit the progress message in place."""
        if self._message_id is not None:
            await self._bot.edit_message_text(text, self._chat_id, self._message_id)

    async def remove(self) -> None:
        """Delete the progress message."""
        if self._message_id is not None:
            message_id, self._message_id = self._message_id, None
            await self._bot.delete_message(self._chat_id, message_id)

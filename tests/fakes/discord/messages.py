"""Interaction callbacks, webhook follow-ups and edits, and channel messages."""

from __future__ import annotations

import time
from typing import Any

from tests.fakes.discord.checks import _apply, _files
from tests.fakes.discord.ids import APPLICATION_ID, EPHEMERAL, KEPT_FLAGS, LOADING
from tests.fakes.discord.records import (
    ApiError,
    Attachment,
    Call,
    InteractionRecord,
    Message,
    _form_error,
    _invalid_token,
    _unknown_interaction,
    _unknown_message,
)
from tests.fakes.discord.state import _State


class _Messages(_State):
    """The routes that create, edit and delete the bot's messages (under the lock)."""

    # ----- interactions -----

    def _callback(self, call: Call) -> tuple[int, Any]:
        iid = int(call.params["interaction_id"])
        call.interaction_id = iid
        record = self.interactions.get(iid)
        if record is None or record.token != call.params["token"] or not record.dispatched_at:
            raise _unknown_interaction()
        if record.acked_at is not None:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        if call.at - record.dispatched_at > self.ack_window:
            record.late = True
            raise _unknown_interaction()
        body = call.body or {}
        kind, data = body.get("type"), body.get("data") or {}
        allowed = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}}[record.type]
        if kind not in allowed:
            raise _form_error("type", "INTERACTION_RESPONSE_TYPE_INVALID", f"type {kind}")
        message: Message | None = None
        files = _files(call, data)
        if kind == 4:
            message = self._new_message(record.channel_id, record.guild_id, data, files, record)
            message.type = 20 if record.type == 2 else 0
        elif kind == 5:
            thinking = {"flags": LOADING | (data.get("flags", 0) & EPHEMERAL)}
            message = self._new_message(record.channel_id, record.guild_id, thinking, {}, record)
            message.type = 20 if record.type == 2 else 0
        elif kind in (6, 7) and record.pressed_message_id is not None:
            message = self._messages[record.pressed_message_id]
            if kind == 7:
                self._edit(message, data, files, record.attachment_size_limit)
                record.message_ids.append(message.id)
        elif kind == 9:
            record.modal = data
        record.acked_at = self.acked_at[iid] = call.at
        record.ack_type = kind
        if kind in (4, 5):
            assert message is not None
            record.original_id = message.id
        if call.query.get("with_response") not in ("1", "true", "True"):
            return 204, None
        response = {
            "interaction": {
                "id": str(iid),
                "type": record.type,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(message and message.ephemeral),
            },
            "resource": {"type": kind},
        }
        if message is not None:
            response["interaction"]["response_message_id"] = str(message.id)
            response["resource"]["message"] = message.payload(self.api_base)
        return 200, response

    def _token_record(self, call: Call) -> InteractionRecord:
        if int(call.params["application_id"]) != APPLICATION_ID:
            raise ApiError(404, 10015, "Unknown Webhook")
        record = self._by_token.get(call.params["token"])
        if record is None:
            raise _invalid_token()
        call.interaction_id = record.id
        if call.at - record.dispatched_at > self.token_lifetime:
            record.expired_calls += 1
            raise _invalid_token()
        return record

    def _follow_up(self, call: Call) -> tuple[int, Any]:
        record = self._token_record(call)
        if record.acked_at is None:
            raise ApiError(404, 10015, "Unknown Webhook")
        data, files = call.body or {}, _files(call, call.body or {})
        original = self._messages.get(record.original_id or 0)
        if original is not None and original.loading and not original.deleted:
            # the first follow-up after a "thinking" defer replaces the thinking message
            self._edit(original, data, files, record.attachment_size_limit)
            original.flags &= ~LOADING
            message = original
        else:
            message = self._new_message(record.channel_id, record.guild_id, data, files, record)
        if call.query.get("wait") in ("1", "true", "True"):
            return 200, message.payload(self.api_base)
        return 204, None

    def _webhook_message(self, call: Call) -> tuple[int, Any]:
        record = self._token_record(call)
        wanted = call.params["message_id"]
        if wanted == "@original":
            message = self._messages.get(self._original_id(record) or 0)
        else:
            message = self._messages.get(int(wanted))
            if (
                message is not None
                and not message.webhook
                and message.id != self._original_id(record)
            ):
                message = None
        if message is None or message.deleted:
            raise _unknown_message()
        if call.method == "DELETE":
            message.deleted = True
            return 204, None
        if call.method == "PATCH":
            data = call.body or {}
            self._edit(message, data, _files(call, data), record.attachment_size_limit)
            message.flags &= ~LOADING
            record.message_ids.append(message.id)
        return 200, message.payload(self.api_base)

    # ----- channel messages -----

    def _post(self, call: Call) -> dict[str, Any]:
        channel_id = int(call.params["channel_id"])
        channel = self._channel(channel_id)
        if channel["type"] == 1 and int(channel["recipients"][0]["id"]) in self._closed_dms:
            raise ApiError(403, 50007, "Cannot send messages to this user")
        data = call.body or {}
        data = {**data, "flags": data.get("flags", 0) & ~EPHEMERAL}
        guild_id = int(channel["guild_id"]) if "guild_id" in channel else None
        message = self._new_message(channel_id, guild_id, data, _files(call, data), None)
        return message.payload(self.api_base)

    def _channel_message(self, call: Call) -> tuple[int, Any]:
        channel_id = int(call.params["channel_id"])
        self._channel(channel_id)
        message = self._messages.get(int(call.params["message_id"]))
        if message is None or message.deleted or message.channel_id != channel_id:
            raise _unknown_message()
        if call.method == "DELETE":
            message.deleted = True
            return 204, None
        if call.method == "PATCH":
            data = call.body or {}
            self._edit(message, data, _files(call, data), self.attachment_size_limit)
        return 200, message.payload(self.api_base)

    def _new_message(
        self,
        channel_id: int,
        guild_id: int | None,
        data: dict[str, Any],
        files: dict[int, Attachment],
        record: InteractionRecord | None,
    ) -> Message:
        limit = record.attachment_size_limit if record else self.attachment_size_limit
        message = Message(self._snowflake(), channel_id, guild_id)
        message.flags = data.get("flags", 0) & (KEPT_FLAGS | LOADING)
        _apply(message, data, files, limit, new=True)
        if record is not None:
            message.interaction_id, message.webhook = record.id, True
            record.message_ids.append(message.id)
        self._messages[message.id] = message
        return message

    def _edit(
        self, message: Message, data: dict[str, Any], files: dict[int, Attachment], limit: int
    ) -> None:
        before = message.content
        _apply(message, data, files, limit, new=False)
        message.history.append(before)
        message.edits.append(time.monotonic())

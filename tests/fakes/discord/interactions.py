"""INTERACTION_CREATE payloads for a slash command or a pressed component."""

from __future__ import annotations

import mimetypes
import secrets
from typing import Any

from tests.fakes.discord.ids import (
    ALL_PERMISSIONS,
    APPLICATION_ID,
    CHANNEL_ID,
    GUILD_ID,
    OPTION_KINDS,
    SELECTS,
    _stable_id,
)
from tests.fakes.discord.payloads import _leaf_schema, _member, _named, _nest, _subcommand, _user
from tests.fakes.discord.records import Attachment, InteractionRecord
from tests.fakes.discord.state import _State


class _InteractionPayloads(_State):
    """Builds what ``slash`` and ``press`` dispatch, recording each interaction."""

    def command_payload(
        self,
        user_id: int,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        channel_id: int | None = None,
        guild_id: int | None = GUILD_ID,
        locale: str = "en-US",
    ) -> dict[str, Any]:
        """The INTERACTION_CREATE payload of ``slash`` (not dispatched)."""
        with self._lock:
            base = self._interaction_base(2, name, user_id, channel_id, guild_id, locale)
            parts = name.split()
            command, scope = self._synced(parts[0], guild_id)
            data: dict[str, Any] = {
                "id": command["id"] if command else str(_stable_id(parts[0])),
                "name": parts[0],
                "type": 1,
            }
            if scope is not None:
                data["guild_id"] = str(scope)
            resolved: dict[str, dict[str, Any]] = {}
            node = _subcommand(command or {}, parts[1:])
            leaf = self._options(node, options or {}, resolved, guild_id, channel_id)
            data["options"] = _nest(command or {}, parts[1:], leaf)
            if resolved:
                data["resolved"] = resolved
            base["data"] = data
            return base

    def component_payload(
        self,
        user_id: int,
        message_id: int,
        custom_id: str,
        *,
        values: list[str] | None = None,
        channel_id: int | None = None,
        guild_id: int | None = None,
        locale: str = "en-US",
    ) -> dict[str, Any]:
        """The INTERACTION_CREATE payload of ``press`` (not dispatched)."""
        with self._lock:
            message = self._messages.get(message_id)
            if message is None or message.deleted:
                raise KeyError(f"no message {message_id} to press a button on")
            component = next((c for c in message.buttons if c.get("custom_id") == custom_id), None)
            if component is None:
                raise ValueError(f"message {message_id} has no component {custom_id!r}")
            channel = channel_id or message.channel_id
            guild = guild_id if guild_id is not None else message.guild_id
            base = self._interaction_base(3, custom_id, user_id, channel, guild, locale)
            base["data"] = {"custom_id": custom_id, "component_type": component["type"]}
            if component["type"] in SELECTS:
                base["data"]["values"] = values or []
            base["message"] = message.payload(self.api_base)
            self.interactions[int(base["id"])].pressed_message_id = message_id
            return base

    def _interaction_base(
        self,
        kind: int,
        name: str,
        user_id: int,
        channel_id: int | None,
        guild_id: int | None,
        locale: str,
    ) -> dict[str, Any]:
        self._users.setdefault(user_id, f"person{user_id % 10000}")
        iid = self._snowflake()
        token = f"itok{iid}.{secrets.token_urlsafe(24)}"
        if guild_id is None:
            channel_id = channel_id or self._dm_channel(user_id)
        channel_id = channel_id or CHANNEL_ID
        record = InteractionRecord(
            iid, token, kind, name, user_id, channel_id, guild_id, self.attachment_size_limit
        )
        self.interactions[iid] = self._by_token[token] = record
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(APPLICATION_ID),
            "type": kind,
            "token": token,
            "version": 1,
            "channel_id": str(channel_id),
            "channel": {**self._channel(channel_id), "permissions": ALL_PERMISSIONS},
            "app_permissions": ALL_PERMISSIONS,
            "locale": locale,
            "entitlements": [],
            "attachment_size_limit": self.attachment_size_limit,
        }
        if guild_id is not None:
            payload.update(
                guild_id=str(guild_id),
                guild={"id": str(guild_id), "locale": "en-US", "features": []},
                guild_locale="en-US",
                member={**_member(user_id, self._users[user_id]), "permissions": ALL_PERMISSIONS},
                authorizing_integration_owners={"0": str(guild_id)},
                context=0,
            )
        else:
            payload.update(
                user=_user(user_id, self._users[user_id]),
                authorizing_integration_owners={"0": "0"},
                context=1,
            )
        return payload

    def _options(
        self,
        command: dict[str, Any],
        values: dict[str, Any],
        resolved: dict[str, dict[str, Any]],
        guild_id: int | None,
        channel_id: int | None,
    ) -> list[dict[str, Any]]:
        schema = {o["name"]: o for o in _leaf_schema(command)}
        options = []
        for name, value in values.items():
            kind = schema.get(name, {}).get("type") or OPTION_KINDS.get(type(value), 3)
            if kind == 6:  # a user: value is the id, the person in resolved
                person = _user(int(value), self._users.setdefault(int(value), f"person{value}"))
                resolved.setdefault("users", {})[str(value)] = person
                if guild_id is not None:
                    member = _member(int(value), person["username"])
                    del member["user"]
                    resolved.setdefault("members", {})[str(value)] = member
            elif kind == 7:  # a channel
                found = self._channel(int(value))
                found["permissions"] = ALL_PERMISSIONS
                resolved.setdefault("channels", {})[str(value)] = found
            elif kind == 11:  # an attachment: bytes, or (filename, bytes)
                filename, data = value if isinstance(value, tuple) else ("upload.png", value)
                kind_of_file = mimetypes.guess_type(filename)[0]
                upload = Attachment(self._snowflake(), filename, data, kind_of_file)
                self._uploads[upload.id] = upload
                where = channel_id or CHANNEL_ID
                resolved.setdefault("attachments", {})[str(upload.id)] = upload.payload(
                    self.api_base, where
                )
                value = str(upload.id)
            if kind in (3, 6, 7):
                value = str(value)
            elif kind == 4:
                value = int(value)
            options.append({"name": name, "type": kind, "value": value})
        return options

    def _synced(self, name: str, guild_id: int | None) -> tuple[dict[str, Any] | None, int | None]:
        """The synced command of that name: a guild one (its guild) or a global one."""
        if guild_id is not None:
            found = _named(self._commands.get(guild_id, []), name)
            if found:
                return found, guild_id
        return _named(self._commands.get(None, []), name), None

"""Discord's checks of what the bot sends (lengths, components, commands), and uploads."""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

from tests.fakes.discord.ids import COMPONENTS_V2, EPHEMERAL, KEPT_FLAGS, LOADING, SELECTS
from tests.fakes.discord.payloads import _walk
from tests.fakes.discord.records import ApiError, Attachment, Call, Message, _form_error


def _files(call: Call, data: dict[str, Any]) -> dict[int, Attachment]:
    """The uploaded files by index (``files[0]``...), named as the payload lists them."""
    listed = {str(a.get("id")): a for a in data.get("attachments") or []}
    found = {}
    for name, (filename, content) in call.files.items():
        index = re.fullmatch(r"files\[(\d+)\]", name)
        if index is None:
            continue
        entry = listed.get(index.group(1), {})
        found[int(index.group(1))] = Attachment(
            0,
            entry.get("filename") or filename,
            content,
            entry.get("content_type"),
            entry.get("description"),
        )
    return found


def _apply(
    message: Message, data: dict[str, Any], files: dict[int, Attachment], limit: int, new: bool
) -> None:
    """Check a create or edit payload like Discord does, then apply it to ``message``."""
    content = data.get("content", message.content) or ""
    embeds = data.get("embeds", message.embeds) or []
    components = data.get("components", message.components) or []
    if "attachments" in data:
        keep = {str(a["id"]) for a in data["attachments"] or []}
        attachments = [a for a in message.attachments if str(a.id) in keep]
    else:
        attachments = list(message.attachments)
    for index in sorted(files):
        attachment = files[index]
        attachment.id = int(time.time() * 1000) << 22 | secrets.randbits(22)
        attachments.append(attachment)
    if len(content) > 2000:
        raise _form_error("content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")
    _check_embeds(embeds)
    flags = data.get("flags", message.flags)
    _check_components(components, v2=bool(flags & COMPONENTS_V2))
    if len(attachments) > 10:
        raise _form_error("attachments", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    if any(len(a.data) > limit for a in files.values()):
        raise ApiError(413, 40005, "Request entity too large")
    empty = not (content or embeds or components or attachments or data.get("poll"))
    if empty and not flags & LOADING:
        raise ApiError(400, 50006, "Cannot send an empty message")
    message.content, message.embeds, message.components = content, embeds, components
    message.attachments = attachments
    if not new and "flags" in data:  # ephemerality is fixed when the message is made
        kept = data["flags"] & KEPT_FLAGS & ~EPHEMERAL
        message.flags = (message.flags & (EPHEMERAL | LOADING)) | kept


def _check_embeds(embeds: list[dict[str, Any]]) -> None:
    if len(embeds) > 10:
        raise _form_error("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    total = 0
    for i, embed in enumerate(embeds):
        for key, most in (("title", 256), ("description", 4096)):
            if len(embed.get(key) or "") > most:
                raise _form_error(f"embeds.{i}.{key}", "BASE_TYPE_MAX_LENGTH", f"over {most}")
        fields = embed.get("fields") or []
        if len(fields) > 25:
            raise _form_error(f"embeds.{i}.fields", "BASE_TYPE_MAX_LENGTH", "over 25")
        total += len(embed.get("title") or "") + len(embed.get("description") or "")
        total += sum(len(f.get("name", "")) + len(f.get("value", "")) for f in fields)
    if total > 6000:
        raise _form_error("embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size")


def _check_components(components: list[dict[str, Any]], *, v2: bool) -> None:
    if not v2 and len(components) > 5:
        raise _form_error("components", "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
    seen: set[str] = set()
    for i, row in enumerate(components):
        if not v2 and row.get("type") != 1:
            raise _form_error(f"components.{i}", "UNION_TYPE_CHOICES", "must be an action row")
        if row.get("type") == 1 and len(row.get("components", [])) > 5:
            raise _form_error(f"components.{i}.components", "BASE_TYPE_MAX_LENGTH", "over 5")
    for item in _walk(components):
        where = f"components.{item.get('custom_id', '?')}"
        if item.get("type") == 2 and item.get("style") in (5, 6):
            if "custom_id" in item:
                raise _form_error(where, "BUTTON_COMPONENT_CUSTOM_ID_FORBIDDEN", "no custom_id")
            continue
        if item.get("type") not in {2, *SELECTS}:
            continue
        custom_id = item.get("custom_id") or ""
        if not 1 <= len(custom_id) <= 100:
            raise _form_error(where, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        if custom_id in seen:
            raise _form_error(where, "COMPONENT_CUSTOM_ID_DUPLICATED", "duplicated custom_id")
        seen.add(custom_id)


def _check_command(command: dict[str, Any], where: str) -> None:
    name = command.get("name", "")
    kind = command.get("type", 1)
    if kind == 1 and (not re.fullmatch(r"[-_\w]{1,32}", name) or name != name.lower()):
        raise _form_error(f"{where}.name", "APPLICATION_COMMAND_INVALID_NAME", "Invalid name")
    if kind == 1 and not 1 <= len(command.get("description", "")) <= 100:
        raise _form_error(f"{where}.description", "BASE_TYPE_BAD_LENGTH", "1 to 100 characters")
    options = command.get("options") or []
    if len(options) > 25:
        raise _form_error(f"{where}.options", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer.")
    optional = False
    for i, option in enumerate(options):
        if option.get("type") in (1, 2):
            _check_command({**option, "type": 1}, f"{where}.options.{i}")
            continue
        if optional and option.get("required"):
            raise _form_error(
                f"{where}.options.{i}", "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", "order"
            )
        optional = optional or not option.get("required")

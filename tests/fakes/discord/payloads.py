"""The JSON shapes discord.py needs: users, members, the application, command schemas."""

from __future__ import annotations

from typing import Any

from tests.fakes.discord.ids import ADMIN, APPLICATION_ID, BOT_NAME, BOT_USER_ID, USERS


def _bot_user() -> dict[str, Any]:
    return {**_user(BOT_USER_ID, BOT_NAME), "bot": True}


def _user(user_id: int, name: str) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "global_name": name.replace("_", " ").title(),
        "avatar": None,
        "public_flags": 0,
    }


def _member(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    user = _bot_user() if bot else _user(user_id, name)
    return {
        "user": user,
        "roles": [],
        "joined_at": "2024-01-01T00:00:00+00:00",
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "nick": None,
        "avatar": None,
        "premium_since": None,
        "communication_disabled_until": None,
    }


def _app_info() -> dict[str, Any]:
    return {
        "id": str(APPLICATION_ID),
        "name": BOT_NAME,
        "description": "",
        "icon": None,
        "bot_public": True,
        "bot_require_code_grant": False,
        "owner": _user(ADMIN, USERS[ADMIN]),
        "team": None,
        "verify_key": "0" * 64,
        "summary": "",
        "flags": 0,
        "bot": _bot_user(),
        "interactions_endpoint_url": None,  # set, discord.py warns it gets no interactions
    }


def _named(commands: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    return next((c for c in commands if c["name"] == name and c.get("type", 1) == 1), None)


def _leaf_schema(command: dict[str, Any]) -> list[dict[str, Any]]:
    return [o for o in command.get("options", []) if o.get("type") not in (1, 2)]


def _subcommand(command: dict[str, Any], path: list[str]) -> dict[str, Any]:
    """The synced schema of ``command``'s subcommand at ``path`` ({} when unknown)."""
    for name in path:
        command = next((o for o in command.get("options", []) if o["name"] == name), {})
    return command


def _nest(
    command: dict[str, Any], path: list[str], leaf: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Wrap options in their subcommand (and group): ``["accept"]`` or ``["leads", "accept"]``."""
    if not path:
        return leaf
    node = next((o for o in command.get("options", []) if o["name"] == path[0]), None)
    kind = node["type"] if node else (1 if len(path) == 1 else 2)
    inner = _nest(node or {}, path[1:], leaf)
    return [{"name": path[0], "type": kind, "options": inner}]


def _walk(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for component in components:
        found.append(component)
        found += _walk(component.get("components", []))
        if isinstance(component.get("accessory"), dict):
            found.append(component["accessory"])
    return found

"""Ids, names and flags of the fake Discord's world, and the snowflake clock."""

from __future__ import annotations

from datetime import UTC, datetime

TOKEN = "FAKE.discord-bot.token"
BOT_USER_ID = APPLICATION_ID = 1300000000000000001  # the same id, as for any recent app
GUILD_ID = 1300000000000000100
CHANNEL_ID = 1300000000000000200
SHOPPER, OTHER, OWNER, ADMIN = (1300000000000001001 + i for i in range(4))
USERS = {SHOPPER: "shopper", OTHER: "other_shopper", OWNER: "atelier_owner", ADMIN: "admin"}
BOT_NAME = "StyleGenie"
ALL_PERMISSIONS = str((1 << 51) - 1)
DISCORD_EPOCH_MS = 1420070400000
LOADING, EPHEMERAL, COMPONENTS_V2 = 1 << 7, 1 << 6, 1 << 15
KEPT_FLAGS = EPHEMERAL | 1 << 2 | 1 << 12 | COMPONENTS_V2  # ephemeral, no embeds, silent, v2
SELECTS = {3, 5, 6, 7, 8}
OPTION_KINDS = {bool: 5, int: 4, float: 10, str: 3, bytes: 11, tuple: 11}


def _iso(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).isoformat()


def _snowflake_time(snowflake: int) -> float:
    return ((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000


def _stable_id(name: str) -> int:
    """An id for a command nobody synced (discord.py only looks commands up by name)."""
    return 1300000000000500000 + sum(ord(c) * 31**i for i, c in enumerate(name)) % 99991

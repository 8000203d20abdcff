"""A fake Discord on 127.0.0.1 for the real discord.py 2.7 client to talk to.

It speaks the gateway over a websocket (HELLO, IDENTIFY → READY and GUILD_CREATE,
heartbeat ACKs, RESUME, member chunks) and the REST routes a bot uses under ``/api/v10``:
login (``/users/@me``, ``/oauth2/applications/@me``), ``/gateway/bot``, application
command sync, interaction callbacks, webhook follow-ups and edits, DMs and channel
messages (JSON or multipart with ``payload_json`` and ``files[n]``). Every call is
recorded; every message the bot creates is stored, with its edits and files, so a test
can read what a person saw.

Point discord.py at it with ``discord.http.Route.BASE = f"{fake.api_base}/api/v10"`` and
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)``: a
plain ``Client`` dials that constant and never asks ``/gateway/bot``.

Like Discord it answers an interaction callback later than ``ack_window`` seconds after
the dispatch with 404/10062, a follow-up or edit later than ``token_lifetime`` with
401/50027, a message to a user whose DMs are closed (``close_dms``) with 403/50007, and
the next call matching a pattern (``fail_next``) with 429 and ``retry_after``. Run it
inside an event loop (``await start()``) or on its own thread (``start_in_thread()``);
the test side pushes interactions (``slash``, ``press``) from any thread.
"""

from tests.fakes.discord.ids import (
    ADMIN,
    APPLICATION_ID,
    BOT_USER_ID,
    CHANNEL_ID,
    GUILD_ID,
    OTHER,
    OWNER,
    SHOPPER,
    TOKEN,
    USERS,
)
from tests.fakes.discord.records import ApiError, Attachment, Call, InteractionRecord, Message
from tests.fakes.discord.server import FakeDiscord

__all__ = [
    "ADMIN",
    "APPLICATION_ID",
    "BOT_USER_ID",
    "CHANNEL_ID",
    "GUILD_ID",
    "OTHER",
    "OWNER",
    "SHOPPER",
    "TOKEN",
    "USERS",
    "ApiError",
    "Attachment",
    "Call",
    "FakeDiscord",
    "InteractionRecord",
    "Message",
]

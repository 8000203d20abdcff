"""The Discord front-end (discord.py 2.7): ``stylegenie discord``.

Only Discord API calls live here; the turn runner, progress pacing, lead outbox, chat
order and text limits come from the shared front-end kit (``stylegenie.bots.kit``).
``app`` builds and runs the Client and syncs its commands; ``commands`` are the slash
commands; ``interactions`` acknowledges every interaction and runs its turn; ``buttons``
are the choice buttons that survive restarts; ``progress`` is the kit's progress view on
Discord; ``rendering`` and ``sending`` lay a Reply out as messages, embeds and buttons
and send them as follow-ups or in the channel; ``surface`` ties these into the kit's
Surface; ``channel`` sends leads to owners and news to shoppers; ``chats`` names
conversations and people.
"""

from .app import StyleGenieClient, point_at_discord, run, serving, sync_commands
from .chats import Place, place_of, sender_of

__all__ = [
    "Place",
    "StyleGenieClient",
    "place_of",
    "point_at_discord",
    "run",
    "sender_of",
    "serving",
    "sync_commands",
]

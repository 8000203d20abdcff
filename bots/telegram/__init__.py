"""The Telegram front-end (python-telegram-bot 22): ``stylegenie telegram``.

Only Telegram API calls live here; the turn runner, progress pacing, lead outbox and
reply layout come from the shared front-end kit (``stylegenie.bots.kit``). ``app`` builds
and runs the Application; ``handlers`` turn updates into the core's events; ``albums``
makes an album one turn; ``progress`` is the kit's progress view on Telegram;
``rendering`` and ``sending`` lay a Reply out as albums, text and buttons; ``files``
moves images between Telegram and the ImageStore; ``channel`` sends leads to owners and
news to shoppers; ``pacing`` paces sends per chat; ``request`` is the HTTP client.
"""

from .app import build_application, run, serving, use_fast_event_loop
from .handlers import chat_key

__all__ = [
    "build_application",
    "chat_key",
    "run",
    "serving",
    "use_fast_event_loop",
]

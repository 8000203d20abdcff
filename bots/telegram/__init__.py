"""The Telegram front-end (python-telegram-bot 22): ``stylegenie telegram``.

``app`` builds and runs the Application (each chat's updates in order, chats side by
side); ``handlers`` turn updates into engine turns; ``progress`` shows a running turn;
``rendering`` and ``sending`` lay a Reply out as albums, text and buttons; ``files``
moves images between Telegram and the ImageStore; ``leads`` delivers leads to atelier
owners and news to shoppers.
"""

from .app import LeadWiring, build_application, run, serving, use_fast_event_loop
from .files import image_store_for
from .handlers import TurnEngine, chat_key

__all__ = [
    "LeadWiring",
    "TurnEngine",
    "build_application",
    "chat_key",
    "image_store_for",
    "run",
    "serving",
    "use_fast_event_loop",
]

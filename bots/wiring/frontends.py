"""What front-ends build from settings beyond the app itself."""

from __future__ import annotations

from stylegenie.bots.kit.progress import Pacing
from stylegenie.config import Settings


def text_pacing_for(settings: Settings) -> Pacing:
    """Progress pacing of the terminal and other text-only front-ends."""
    return Pacing(message_after_s=settings.chat.progress_after_s)

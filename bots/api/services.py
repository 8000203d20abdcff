"""What the API's routes share: the assembled product and the API's own parts."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from stylegenie.bots.kit.order import ChatOrder
from stylegenie.bots.kit.turns import TurnEngine
from stylegenie.bots.wiring import StyleGenie
from stylegenie.core.ports import ImageStore

from .access import Access, WaitingLimiter
from .inbox import WebInbox
from .jobs import DesignJobs
from .search_batching import SearchBatcher


@dataclass
class ApiServices:
    """Everything a route reaches through ``request.app.state.services``.

    ``executor`` runs blocking core calls (chat turns, searches, matching) off the event
    loop; ``jobs`` runs design jobs; ``search`` batches concurrent product searches;
    ``inbox`` holds web chat messages sent outside a turn; ``session_limiter`` counts the
    chat sessions each client address opens; ``order`` keeps each chat's turns in order.
    """

    app: StyleGenie
    engine: TurnEngine
    images: ImageStore
    access: Access
    executor: ThreadPoolExecutor
    jobs: DesignJobs
    search: SearchBatcher
    inbox: WebInbox
    session_limiter: WaitingLimiter
    order: ChatOrder = field(default_factory=ChatOrder)

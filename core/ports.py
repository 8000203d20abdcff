"""Ports: the only way the core reaches the outside world.

Each port is a ``typing.Protocol``; adapters in ``stylegenie.adapters`` and
``stylegenie.gpu_workers`` implement them. The core receives them in its
constructor and never imports a database, model or platform library.
All ports are synchronous: front-ends run core calls in worker threads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, Field

from .chats import ChatKey
from .domain import (
    Atelier,
    Design,
    Lead,
    LeadDelivery,
    LeadStatus,
    MatchRequest,
    Product,
    ProductHit,
    UserProfile,
)
from .progress import ProgressCallback
from .reply import Reply
from .understanding.turn import TurnContext, TurnUpdate


class SearchFilters(BaseModel):
    """Hard filters applied inside the product index before ranking.

    Prices are in the catalogue's currency; ``colours`` are the catalogue colours a product
    may have, ``exclude_colours`` those it must not have (the shopper ruled them out).
    """

    max_price: float | None = None
    min_price: float | None = None
    article_types: list[str] = Field(default_factory=list)
    colours: list[str] = Field(default_factory=list)
    exclude_colours: list[str] = Field(default_factory=list)
    genders: list[str] = Field(default_factory=list)
    in_stock_only: bool = True


class SearchQuery(BaseModel):
    """A product search: free text, optional image, the brief's filters and how many hits.

    The budget is in the catalogue's currency. ``prefer_terms`` are the shopper's own
    words for a shade and a fabric ("sage", "linen"): products naming them rank first.
    """

    text: str
    image_ref: str | None = None
    filters: SearchFilters = Field(default_factory=SearchFilters)
    budget_min: float | None = None
    budget_max: float | None = None
    prefer_terms: list[str] = Field(default_factory=list)
    top_k: int = Field(default=5, ge=1, le=100)


@dataclass(frozen=True, slots=True)
class VectorQuery:
    """One text-vector search of a batch: the vector, its hard filters, how many hits."""

    vector: Sequence[float]
    filters: SearchFilters
    limit: int


@dataclass(frozen=True, slots=True)
class IndexHit:
    """One raw vector-search hit: a product id and its cosine similarity."""

    product_id: str
    cosine: float


class BriefReader(Protocol):
    """Reads what a shopper's message means for their outfit (``understanding.turn``)."""

    def read(self, text: str, context: TurnContext) -> TurnUpdate:
        """The intent, the pieces the message touches and the fields it sets on each."""
        ...


class RenderRefused(Exception):
    """A design request the moderation refused; the message says why in plain words."""


class RenderFailed(Exception):
    """Rendering failed on the workers; the message is a short reason."""


RenderProgress = Callable[[int, int], None]
"""Hears (done, total) while a render runs: steps of a diffusion batch, or cards drawn."""


class Renderer(Protocol):
    """Draws designs as encoded images (WebP / JPEG / PNG), all of one call in one batch."""

    @property
    def model_name(self) -> str:
        """The model recorded in each design it draws."""
        ...

    @property
    def extension(self) -> str:
        """The file extension of the images it returns ("webp", "jpg", "png")."""
        ...

    def render(
        self, designs: Sequence[Design], progress: RenderProgress | None = None
    ) -> list[bytes]:
        """One encoded image per design, in order."""
        ...


class Embedder(Protocol):
    """Turns texts into unit-length vectors of a fixed dimension."""

    @property
    def dimension(self) -> int:
        """The size of every vector this embedder returns."""
        ...

    def embed_texts(self, texts: Sequence[str]) -> list[list[float]]: ...


class ImageEmbedder(Protocol):
    """A CLIP-style encoder: images and texts into one space of unit-length vectors."""

    @property
    def dimension(self) -> int:
        """The size of every vector this encoder returns."""
        ...

    def embed_images(self, images: Sequence[bytes]) -> list[list[float]]:
        """One vector per encoded image (JPEG/PNG/WebP bytes), in order."""
        ...

    def embed_texts(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, in the same space as the images."""
        ...


class ProductIndex(Protocol):
    """Vector index of products with scalar fields for filtering.

    Every product has a text vector; with an image encoder configured it may also have an
    image vector (one per product, None for a product without a photo).
    """

    def upsert(
        self,
        products: Sequence[Product],
        vectors: Sequence[Sequence[float]],
        image_vectors: Sequence[Sequence[float] | None] | None = None,
    ) -> None: ...

    def search(self, vector: Sequence[float], filters: SearchFilters, limit: int) -> list[IndexHit]:
        """Nearest text vectors that pass the filters; ``cosine`` is the text cosine."""
        ...

    def search_many(self, queries: Sequence[VectorQuery]) -> list[list[IndexHit]]:
        """``search`` for several text vectors at once: the hits of each, in order.

        Queries with the same filters and limit share one index call; the calls of
        different filters may run concurrently.
        """
        ...

    def search_image(
        self, vector: Sequence[float], filters: SearchFilters, limit: int
    ) -> list[IndexHit]:
        """Nearest image vectors among products with a photo; ``cosine`` is the image cosine."""
        ...

    def hybrid(
        self,
        text_vector: Sequence[float],
        image_vector: Sequence[float],
        filters: SearchFilters,
        limit: int,
    ) -> list[IndexHit]:
        """Text and image searches fused by the index, best first.

        ``cosine`` is the mean of the text and image cosines (0 for a product without a photo).
        """
        ...

    def count(self) -> int: ...


class SearchStages(Protocol):
    """Times the stages of a product search, for operators: embed, index, metadata, rank."""

    def stage(self, name: str) -> AbstractContextManager[None]:
        """A block timed as the stage ``name``."""
        ...


class CatalogRepo(Protocol):
    """Product metadata in the relational store."""

    def upsert_products(self, products: Sequence[Product]) -> None: ...

    def get_products(self, ids: Sequence[str]) -> dict[str, Product]: ...

    def count_products(self) -> int: ...


class AtelierRepo(Protocol):
    """Ateliers, their capabilities and (encrypted) contact details."""

    def upsert_ateliers(self, ateliers: Sequence[Atelier]) -> None: ...

    def list_ateliers(self, category: str | None = None) -> list[Atelier]: ...

    def get_atelier(self, atelier_id: str) -> Atelier | None: ...

    def find_ateliers(self, request: MatchRequest) -> list[Atelier]:
        """Candidates for a match: the category, near the origin or remote-friendly."""
        ...

    def ateliers_of_owner(self, owner_key: str) -> list[Atelier]:
        """The ateliers whose owner chats as ``owner_key`` ("telegram:123")."""
        ...


class UserRepo(Protocol):
    """Shopper profiles: preferences and saved designs."""

    def get_user(self, user_key: str) -> UserProfile: ...

    def save_user(self, profile: UserProfile) -> None: ...


class LeadRepo(Protocol):
    """Leads, written before any notification goes out (an outbox), and the platforms some
    running process can deliver them on."""

    def create_lead(self, lead: Lead) -> Lead:
        """Store a new lead; with an idempotency key already stored, return that lead instead."""
        ...

    def get_lead(self, lead_id: str) -> Lead | None: ...

    def transition(self, lead_id: str, allowed_from: Sequence[LeadStatus], to: LeadStatus) -> bool:
        """Move a lead to ``to`` only from one of ``allowed_from``; False when it was elsewhere."""
        ...

    def claim_next(self, claim: OutboxClaim) -> Lead | None:
        """Lease the oldest due ``new`` lead on one of the claim's platforms (skipping leads
        another runner holds), or None when none is due."""
        ...

    def delivery(self, lead_id: str) -> LeadDelivery | None:
        """The recorded delivery of a lead's message, or None while it was never delivered."""
        ...

    def record_delivery(self, delivery: LeadDelivery) -> None:
        """Record (and commit) that the owner's platform took the lead's message."""
        ...

    def mark_sent(self, lead_id: str) -> bool:
        """A delivered ``new`` lead becomes ``sent`` and its lease ends; False when not new."""
        ...

    def record_attempt(self, lead_id: str, next_attempt_at: datetime) -> int:
        """Count a failed delivery, end the lease, and say when to try again; the new count."""
        ...

    def heartbeat(self, runner: str, platforms: Sequence[str], seen_until: datetime) -> None:
        """Record that ``runner`` can deliver on ``platforms`` until ``seen_until``."""
        ...

    def live_platforms(self, now: datetime) -> set[str]:
        """The platforms some runner said it can deliver on, until after ``now``."""
        ...

    def sent_before(self, cutoff: datetime, platforms: Sequence[str]) -> list[Lead]:
        """Sent leads on these owner platforms not answered since ``cutoff`` (to expire)."""
        ...

    def count_created_since(self, user_key: str, since: datetime) -> int: ...

    def count_open(self, atelier_id: str) -> int:
        """Leads of an atelier still waiting for its answer (new or sent)."""
        ...

    def open_for_ateliers(self, atelier_ids: Sequence[str]) -> list[Lead]: ...

    def leads_for_user(self, user_key: str) -> list[Lead]: ...


@dataclass(frozen=True, slots=True)
class OutboxClaim:
    """What one outbox runner may take: leads due by ``now`` on its ``platforms``, not
    among ``skip`` (handled in this run), leased to ``runner`` until ``lease_until``."""

    runner: str
    platforms: Sequence[str]
    now: datetime
    lease_until: datetime
    skip: Sequence[str] = ()


class Place(BaseModel):
    """A resolved city: its canonical name, ISO country code and coordinates."""

    name: str
    country: str
    latitude: float
    longitude: float


class Geocoder(Protocol):
    """Cities to coordinates; None for places it does not know (never a guess)."""

    def locate(self, city: str, country: str | None = None) -> Place | None: ...


class Unreachable(Exception):
    """A chat can never receive this message (the person blocked the bot, never started it,
    or closed their DMs): retrying will not help; the message says why in plain words."""


class Channel(Protocol):
    """One platform's way to send a message outside a turn (a lead to an owner, news to a
    shopper). Front-ends register theirs with the notifier hub; calls come from any thread."""

    def deliver(self, chat_id: str, reply: Reply, idempotency_key: str) -> str:
        """Send ``reply`` to the platform's chat ``chat_id``; the sent message's reference.

        A second call with the same ``idempotency_key`` must not send again where the
        platform can tell (an empty key, as for news to a shopper, asks for no such check).
        Raises Unreachable for a chat that can never get it, any other exception for a
        failure worth retrying.
        """
        ...

    def settle(self, chat_id: str, message_ref: str, outcome: str) -> None:
        """Edit a delivered message to show ``outcome`` without its buttons (best effort)."""
        ...


class ShopperNotifier(Protocol):
    """Tells a shopper something outside a turn (an atelier accepted, declined...)."""

    def tell(self, user: ChatKey, reply: Reply) -> None:
        """Send ``reply`` to the shopper's chat on its platform (best effort, never raises)."""
        ...


class Notifications(ShopperNotifier, Protocol):
    """The lead flow's way out: every registered platform's Channel behind one face (the
    notifier hub). Chats are named by ChatKey; the platform picks the channel."""

    def platforms(self) -> list[str]:
        """The platforms this process can send on now."""
        ...

    def deliver(self, chat: ChatKey, reply: Reply, idempotency_key: str) -> str:
        """Send through the chat's platform channel; the message reference (see Channel)."""
        ...

    def settle(self, chat: ChatKey, message_ref: str, outcome: str) -> None:
        """Show ``outcome`` on a delivered message without its buttons (best effort)."""
        ...


class SessionStore(Protocol):
    """Conversation state by chat key; must survive a restart in production."""

    def load(self, key: str) -> dict[str, Any] | None: ...

    def save(self, key: str, state: dict[str, Any]) -> None: ...


class RateLimiter(Protocol):
    """Answers whether a key may do one more thing now."""

    def allow(self, key: str) -> bool: ...


class ImageStore(Protocol):
    """Stores image bytes and returns a reference a front-end can open or send."""

    def put(self, name: str, data: bytes) -> str: ...

    def open(self, ref: str) -> bytes: ...

    def url(self, ref: str) -> str | None:
        """A web address the image can be fetched at now, made when a reply is sent (a
        presigned URL dies); None for an image only ``open`` reads (upload its bytes)."""
        ...


class Moderator(Protocol):
    """Returns a plain-words reason when a request must be refused, else None."""

    def refusal(self, text: str) -> str | None: ...


class Workers(Protocol):
    """Heavy work run on workers (Celery in production, in-process by default)."""

    def render_designs(
        self, designs: Sequence[Design], progress: ProgressCallback | None = None
    ) -> list[Design]: ...

    def search_products(self, query: SearchQuery) -> list[ProductHit]: ...

    def search_by_photo(self, query: SearchQuery) -> list[ProductHit] | None:
        """Products like the photo ``query.image_ref`` (and its text, when any).

        None when the workers have no image encoder configured: photo search is off.
        """
        ...

    def embed_images(self, images: Sequence[bytes | str]) -> list[list[float] | None]:
        """CLIP vectors of image bytes or ImageStore references; None for an unreadable one."""
        ...

    def zero_shot_category(self, image_ref: str, categories: Sequence[str]) -> str | None:
        """The category whose CLIP prompt best matches the image; None without an image encoder."""
        ...

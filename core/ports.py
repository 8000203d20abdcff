"""Ports: the only way the core reaches the outside world.

Each port is a ``typing.Protocol``; adapters in ``stylegenie.adapters`` and
``stylegenie.gpu_workers`` implement them. The core receives them in its
constructor and never imports a database, model or platform library.
All ports are synchronous: front-ends run core calls in worker threads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from pydantic import BaseModel, Field

from .domain import Atelier, Design, DesignBrief, Lead, LeadStatus, Product, ProductHit, UserProfile

ProgressCallback = Callable[[str], None]
"""Receives a short progress line ("Rendering 2/4…") while slow work runs."""


class SearchFilters(BaseModel):
    """Hard filters applied inside the product index before ranking."""

    max_price: float | None = None
    min_price: float | None = None
    article_types: list[str] = Field(default_factory=list)
    colours: list[str] = Field(default_factory=list)
    genders: list[str] = Field(default_factory=list)
    in_stock_only: bool = True


class SearchQuery(BaseModel):
    """A product search: free text, optional image, the brief's filters and how many hits."""

    text: str
    image_ref: str | None = None
    filters: SearchFilters = Field(default_factory=SearchFilters)
    budget_min: float | None = None
    budget_max: float | None = None
    top_k: int = Field(default=5, ge=1, le=100)


class IndexHit(BaseModel):
    """One raw vector-search hit: a product id and its cosine similarity."""

    product_id: str
    cosine: float


class BriefReader(Protocol):
    """Turns a shopper's message into a brief update (only the fields it mentions are set)."""

    def read(self, text: str, current: DesignBrief) -> DesignBrief: ...


class Renderer(Protocol):
    """Draws one design as image bytes (PNG/JPEG/WebP)."""

    @property
    def model_name(self) -> str:
        """The model recorded in each design it draws."""
        ...

    def render(self, design: Design) -> bytes: ...


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
    """Vector index of products with scalar fields for filtering."""

    def upsert(self, products: Sequence[Product], vectors: Sequence[Sequence[float]]) -> None: ...

    def search(
        self, vector: Sequence[float], filters: SearchFilters, limit: int
    ) -> list[IndexHit]: ...

    def count(self) -> int: ...


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


class UserRepo(Protocol):
    """Shopper profiles: preferences and saved designs."""

    def get_user(self, user_key: str) -> UserProfile: ...

    def save_user(self, profile: UserProfile) -> None: ...


class LeadRepo(Protocol):
    """Leads, written before any notification goes out (an outbox)."""

    def create_lead(self, lead: Lead) -> None: ...

    def set_lead_status(self, lead_id: str, status: LeadStatus) -> None: ...

    def get_lead(self, lead_id: str) -> Lead | None: ...

    def leads_for_user(self, user_key: str) -> list[Lead]: ...


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


class LeadNotifier(Protocol):
    """Delivers a lead to the atelier owner's chat."""

    def notify(self, lead: Lead, atelier: Atelier) -> None: ...


class Moderator(Protocol):
    """Returns a plain-words reason when a request must be refused, else None."""

    def refusal(self, text: str) -> str | None: ...


class Workers(Protocol):
    """Heavy work run on workers (Celery in production, in-process by default)."""

    def render_designs(
        self, designs: Sequence[Design], progress: ProgressCallback | None = None
    ) -> list[Design]: ...

    def search_products(self, query: SearchQuery) -> list[ProductHit]: ...

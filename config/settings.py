"""One Settings object chooses every backend; nothing else reads the environment.

Keys come from ``STYLEGENIE_*`` environment variables (nested with ``__``, e.g.
``STYLEGENIE_LLM__MODEL``) or a ``.env`` file. Every section has an embedded
default, so an empty environment runs the whole product on one machine.
``config/stylegenie.example.env`` documents every key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "STYLEGENIE_"


class LLMSettings(BaseModel):
    """Brief understanding through litellm; no model means the offline rule-based parser."""

    model: str | None = None
    api_base: str | None = None
    api_key: SecretStr | None = None
    timeout_s: float = Field(default=20.0, gt=0)
    retries: int = Field(default=1, ge=0, le=5)


class DatabaseSettings(BaseModel):
    """PostgreSQL; without a URL an embedded server (pgserver) runs under the data folder."""

    url: str | None = None
    pool_max: int = Field(default=10, ge=1)


class RedisSettings(BaseModel):
    """Redis for sessions, cache and rate limits; without a URL all three stay in-process."""

    url: str | None = None
    key_prefix: str = "sg:"


class MilvusSettings(BaseModel):
    """Product vectors: a server URI, a managed local server, or (default) a Milvus Lite file."""

    uri: str | None = None
    token: SecretStr | None = None
    managed_server: bool = False
    managed_port: int = Field(default=19530, ge=1024, le=65535)
    collection: str = "products"
    index_type: Literal["FLAT", "HNSW", "IVF_FLAT", "AUTOINDEX"] = "FLAT"
    hybrid_ranker: Literal["rrf", "weighted"] = "rrf"


class EmbedderSettings(BaseModel):
    """The text encoder: all-MiniLM-L6-v2 from PyPI, or a local sentence-transformers folder."""

    text_model: str = "all-MiniLM-L6-v2"
    device: Literal["cpu", "cuda", "auto"] = "auto"
    batch_size: int = Field(default=64, ge=1)


class ImageEncoderSettings(BaseModel):
    """CLIP (open_clip) image and text towers; no model means text vectors only."""

    model: str | None = None
    pretrained: str | None = None
    device: Literal["cpu", "cuda", "auto"] = "auto"
    batch_size: int = Field(default=16, ge=1)


class SearchSettings(BaseModel):
    """Product search behaviour: result cache and product thumbnails."""

    cache_ttl_s: int = Field(default=600, ge=0)
    thumbnail_px: int = Field(default=320, ge=32, le=2048)


class RenderSettings(BaseModel):
    """How designs are drawn; "preview" draws a labelled card from the brief."""

    backend: Literal["preview"] = "preview"
    designs_per_brief: int = Field(default=3, ge=1, le=4)
    image_size: int = Field(default=512, ge=64, le=2048)


class WorkerSettings(BaseModel):
    """Celery: "eager" runs tasks in this process; "celery" sends them to worker processes."""

    mode: Literal["eager", "celery"] = "eager"
    broker_url: str = "redis://127.0.0.1:6379/0"
    result_backend: str = "redis://127.0.0.1:6379/1"
    task_timeout_s: float = Field(default=120.0, gt=0)


class ImageStoreSettings(BaseModel):
    """Where rendered images and thumbnails go; a local folder by default."""

    backend: Literal["local"] = "local"
    local_dir: Path | None = None


class RankingSettings(BaseModel):
    """Weights of score = α·cosine + β·price_alignment + γ·brand_score + δ·availability."""

    alpha: float = Field(default=0.65, ge=0)
    beta: float = Field(default=0.2, ge=0)
    gamma: float = Field(default=0.1, ge=0)
    delta: float = Field(default=0.05, ge=0)
    candidates: int = Field(default=50, ge=1, le=1000)

    @model_validator(mode="after")
    def _some_weight(self) -> RankingSettings:
        if self.alpha + self.beta + self.gamma + self.delta <= 0:
            raise ValueError("at least one ranking weight must be above 0")
        return self


class ChatSettings(BaseModel):
    """Limits that protect the conversation from floods and giant messages."""

    max_message_chars: int = Field(default=2000, ge=100)
    messages_per_minute: int = Field(default=30, ge=1)
    atelier_radius_km: float = Field(default=50.0, gt=0)


class Settings(BaseSettings):
    """Every setting of StyleGenie, with embedded defaults for all backends."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        env_file=".env",
        extra="forbid",
    )

    data_dir: Path = Path(".stylegenie")
    currency: str = "EUR"
    llm: LLMSettings = Field(default_factory=LLMSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    milvus: MilvusSettings = Field(default_factory=MilvusSettings)
    embedder: EmbedderSettings = Field(default_factory=EmbedderSettings)
    image_encoder: ImageEncoderSettings = Field(default_factory=ImageEncoderSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    render: RenderSettings = Field(default_factory=RenderSettings)
    workers: WorkerSettings = Field(default_factory=WorkerSettings)
    images: ImageStoreSettings = Field(default_factory=ImageStoreSettings)
    ranking: RankingSettings = Field(default_factory=RankingSettings)
    chat: ChatSettings = Field(default_factory=ChatSettings)

    @property
    def image_dir(self) -> Path:
        """The local image folder: the configured one, or ``<data_dir>/images``."""
        return self.images.local_dir or self.data_dir / "images"


class SettingsError(ValueError):
    """A setting has a wrong value; the message names the key and what is allowed."""


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment and ``.env``; wrong values raise SettingsError."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise SettingsError(_explain(error)) from None


def _explain(error: ValidationError) -> str:
    lines = ["StyleGenie cannot start: some settings have wrong values."]
    for problem in error.errors():
        key = ENV_PREFIX + "__".join(str(part) for part in problem["loc"]).upper()
        got = problem.get("input")
        lines.append(f"  {key}: {problem['msg']} (got {got!r})")
    return "\n".join(lines)

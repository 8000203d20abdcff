"""One Settings object chooses every backend; nothing else reads the environment.

Keys come from ``STYLEGENIE_*`` environment variables (nested with ``__``, e.g.
``STYLEGENIE_LLM__MODEL``) or a ``.env`` file. Every section has an embedded
default, so an empty environment runs the whole product on one machine.
``config/stylegenie.example.env`` documents every key.

``currency`` is the shop's: the catalogue's prices and the ateliers' ranges are in it.
``exchange_rates`` say what one unit of each currency is worth in euros (EUR is 1), so a
budget stated in another currency is searched in the shop's; the defaults are approximate
and meant to be replaced with current rates (``STYLEGENIE_EXCHANGE_RATES='{"USD": 0.92}'``).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal, NamedTuple

from pydantic import (
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "STYLEGENIE_"

DEFAULT_EXCHANGE_RATES = {
    "USD": 0.92,
    "GBP": 1.17,
    "INR": 0.011,
    "CAD": 0.66,
    "AUD": 0.60,
    "CHF": 1.05,
}
"""Approximate euros per unit (2024–2025 levels): good enough to read a budget, not to bill."""


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
    managed_auto_compaction: bool = True
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
    """Product search behaviour: result cache, metadata cache and product thumbnails."""

    cache_ttl_s: int = Field(default=600, ge=0)
    metadata_cache_products: int = Field(default=20_000, ge=0)
    metadata_check_s: float = Field(default=2.0, ge=0)
    thumbnail_px: int = Field(default=320, ge=32, le=2048)


class RenderPlan(NamedTuple):
    """Steps, guidance scale and square image size for one render call."""

    steps: int
    guidance: float
    size: int


RENDER_PRESETS = {
    "sdxl-turbo": RenderPlan(steps=1, guidance=0.0, size=512),
    "flux-schnell": RenderPlan(steps=4, guidance=0.0, size=1024),
    "custom": RenderPlan(steps=25, guidance=5.0, size=512),
}
"""Published fast settings: SDXL-Turbo renders in 1 step at 512 px, FLUX.1-schnell in 4 at 1024."""


class RenderSettings(BaseModel):
    """How designs are drawn: a labelled preview card, diffusers on GPU workers, or a hosted API.

    ``preset`` fills steps, guidance and size for a known model family; ``steps``,
    ``guidance`` and ``image_size`` override it when set.
    """

    backend: Literal["preview", "diffusers", "hosted"] = "preview"
    model: str | None = None
    preset: Literal["sdxl-turbo", "flux-schnell", "custom"] = "sdxl-turbo"
    steps: int | None = Field(default=None, ge=1, le=200)
    guidance: float | None = Field(default=None, ge=0)
    image_size: int | None = Field(default=None, ge=64, le=2048)
    designs_per_brief: int = Field(default=3, ge=1, le=4)
    variation_strength: float = Field(default=0.45, gt=0, le=1)
    device: Literal["cpu", "cuda", "auto"] = "auto"
    output_format: Literal["webp", "jpeg", "png"] = "webp"
    output_quality: int = Field(default=90, ge=1, le=100)
    warm_up: bool = False

    def plan(self) -> RenderPlan:
        """The preset's steps, guidance and size, with any explicit setting taking precedence."""
        preset = RENDER_PRESETS[self.preset]
        return RenderPlan(
            steps=self.steps or preset.steps,
            guidance=preset.guidance if self.guidance is None else self.guidance,
            size=self.image_size or preset.size,
        )

    @model_validator(mode="after")
    def _model_for_real_backends(self) -> RenderSettings:
        if self.backend != "preview" and not self.model:
            raise ValueError(f"render backend {self.backend!r} needs a model (RENDER__MODEL)")
        return self


class ModerationSettings(BaseModel):
    """What a request must not ask for: a blocklist, plus an LLM moderation model if set."""

    blocklist: list[str] = Field(
        default_factory=lambda: [
            "naked",
            "nsfw",
            "topless",
            "explicit",
            "lingerie model",
            "gore",
            "swastika",
            "child model",
        ]
    )
    llm_model: str | None = None


TIME_LIMIT_GRACE_S = 10.0
"""Seconds between a task's soft time limit (it is asked to stop) and its hard one (killed)."""
REDELIVERY_SLACK_S = 30.0
"""What the derived visibility timeout adds to the hard time limit: a retried task's message
is held through its backoff (at most 30 s, ``gpu_workers.tasks``) before it runs."""
RESTORE_SWEEP_S = 5.0
"""How often each worker looks for tasks whose worker died and whose visibility timeout
has passed, to deliver them again."""


class WorkerSettings(BaseModel):
    """Celery: "eager" runs tasks in this process; "celery" sends them to worker processes.

    A task is asked to stop after ``task_timeout_s`` (its soft time limit) and killed
    ``TIME_LIMIT_GRACE_S`` later (the hard one). Tasks are acknowledged once they ran, so
    a task whose worker died is delivered again ``visibility_timeout_s`` after that worker
    took it. Unset, that timeout is derived from the hard limit (85 s by default); set, it
    must exceed the hard limit, or a long task would be delivered again while it still
    runs. A client waits for a render through one such redelivery (``render_wait_s``), for
    other tasks ``task_timeout_s``. The solo pool (GPU workers) enforces no time limit: a
    render running past the visibility timeout runs twice, to the same result (same seeds,
    same image names).
    """

    mode: Literal["eager", "celery"] = "eager"
    broker_url: str = "redis://127.0.0.1:6379/0"
    result_backend: str = "redis://127.0.0.1:6379/1"
    task_timeout_s: float = Field(default=45.0, gt=0)
    visibility_timeout_s: float | None = Field(default=None, gt=0)

    @property
    def hard_time_limit_s(self) -> float:
        """Seconds after which a running task is killed."""
        return self.task_timeout_s + TIME_LIMIT_GRACE_S

    @property
    def redelivery_s(self) -> float:
        """Seconds after a worker took a task until it is delivered again, unacknowledged."""
        if self.visibility_timeout_s is not None:
            return self.visibility_timeout_s
        return self.hard_time_limit_s + REDELIVERY_SLACK_S

    @property
    def render_wait_s(self) -> float:
        """How long a client waits for a render: a first run whose worker died, the sweep
        that delivers it again, and a second whole run."""
        return self.redelivery_s + RESTORE_SWEEP_S + self.hard_time_limit_s

    @model_validator(mode="after")
    def _redelivered_after_the_hard_limit(self) -> WorkerSettings:
        limit = self.hard_time_limit_s
        if self.visibility_timeout_s is not None and self.visibility_timeout_s <= limit:
            raise ValueError(
                f"VISIBILITY_TIMEOUT_S ({self.visibility_timeout_s:g} s) must be above the hard "
                f"time limit (TASK_TIMEOUT_S + {TIME_LIMIT_GRACE_S:g} = {limit:g} s), or a long "
                "task is delivered again while it still runs; leave it unset to derive it"
            )
        return self


PRESIGNED_URL_MAX_S = 7 * 24 * 3600
"""The longest a presigned S3 URL can live (SigV4): 7 days."""


class ImageStoreSettings(BaseModel):
    """Where rendered images and thumbnails go: a local folder, or an S3-compatible bucket.

    An S3 image is stored by its key; the URL a reply carries is made when it is sent:
    under ``public_base_url`` when set, else presigned for ``url_expiry_s`` from then.
    """

    backend: Literal["local", "s3"] = "local"
    local_dir: Path | None = None
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    s3_access_key: SecretStr | None = None
    s3_secret_key: SecretStr | None = None
    public_base_url: str | None = None
    url_expiry_s: int = Field(default=PRESIGNED_URL_MAX_S, ge=60, le=PRESIGNED_URL_MAX_S)

    @model_validator(mode="after")
    def _bucket_for_s3(self) -> ImageStoreSettings:
        if self.backend == "s3" and not self.s3_bucket:
            raise ValueError("the s3 image store needs a bucket (IMAGES__S3_BUCKET)")
        return self


class RankingSettings(BaseModel):
    """Weights of score = α·cosine + β·price_alignment + γ·brand_score + δ·availability
    + ε·attribute_match (the share of the shopper's shade and fabric words a product names)."""

    alpha: float = Field(default=0.65, ge=0)
    beta: float = Field(default=0.2, ge=0)
    gamma: float = Field(default=0.1, ge=0)
    delta: float = Field(default=0.05, ge=0)
    epsilon: float = Field(default=0.1, ge=0)
    candidates: int = Field(default=50, ge=1, le=1000)

    @model_validator(mode="after")
    def _some_weight(self) -> RankingSettings:
        if self.alpha + self.beta + self.gamma + self.delta + self.epsilon <= 0:
            raise ValueError("at least one ranking weight must be above 0")
        return self


class LeadSettings(BaseModel):
    """The lead flow: delivery retries, expiry and the limits that keep owners from spam.

    Front-ends run the outbox every ``outbox_every_s`` (and at once after a lead is
    stored). A runner holds a lead it is delivering for ``lease_s`` (longer than one send
    may take); a platform counts as reachable while some runner renewed it within
    ``liveness_s`` (longer than the time between two outbox runs). With
    ``group_admins_answer`` a group chat's admins may answer its leads, besides the
    atelier's named owners (``owner_user_ids``).
    """

    expiry_hours: float = Field(default=48.0, gt=0)
    delivery_attempts: int = Field(default=5, ge=1, le=20)
    retry_backoff_s: float = Field(default=2.0, ge=0)
    daily_limit_per_shopper: int = Field(default=5, ge=1)
    open_cap_per_atelier: int = Field(default=20, ge=1)
    outbox_every_s: float = Field(default=60.0, gt=0)
    lease_s: float = Field(default=120.0, gt=0)
    liveness_s: float = Field(default=180.0, gt=0)
    group_admins_answer: bool = False

    @model_validator(mode="after")
    def _live_between_runs(self) -> LeadSettings:
        if self.liveness_s <= self.outbox_every_s:
            raise ValueError(
                "LEADS__LIVENESS_S must be longer than LEADS__OUTBOX_EVERY_S, or platforms "
                "would look unreachable between two outbox runs"
            )
        return self


class EmailSettings(BaseModel):
    """SMTP for ateliers reachable by e-mail; without a host and a from address it is off.

    With it on, an atelier whose contact is an e-mail address receives leads (the design,
    its picture and the shopper's contact) when no chat of its owner is reachable.
    """

    host: str | None = None
    port: int = Field(default=587, ge=1, le=65535)
    username: str | None = None
    password: SecretStr | None = None
    from_address: str | None = None
    starttls: bool = True
    timeout_s: float = Field(default=20.0, gt=0)

    @property
    def configured(self) -> bool:
        """Whether e-mail can be sent (a host and a from address are set)."""
        return bool(self.host and self.from_address)


class PrivacySettings(BaseModel):
    """Keys that encrypt atelier contact details at rest (Fernet).

    The first key encrypts; every key decrypts, so a new key goes first and the old one
    stays until ``stylegenie ateliers rotate-key`` has re-encrypted every row. Without a
    key, one is generated once under the data folder (embedded setups only).
    """

    contact_keys: list[SecretStr] = Field(default_factory=list)


class ChatSettings(BaseModel):
    """Limits that protect the conversation from floods and giant messages."""

    max_message_chars: int = Field(default=2000, ge=100)
    messages_per_minute: int = Field(default=30, ge=1)
    atelier_radius_km: float = Field(default=50.0, gt=0)
    products_per_search: int = Field(default=4, ge=1, le=10)
    """Products shown for one piece (a look shows half as many per piece, at least one)."""
    progress_after_s: float = Field(default=1.0, ge=0)
    """How long a turn runs before the terminal and text front-ends print its progress."""


class TelegramSettings(BaseModel):
    """The Telegram bot: token, polling or webhook, who may use it, and how hard it works.

    Messages per user are limited by the engine (``chat.messages_per_minute``); the
    settings here throttle what the bot sends to Telegram as a whole.
    """

    token: SecretStr | None = None
    mode: Literal["polling", "webhook"] = "polling"
    webhook_address: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    api_base: str = "https://api.telegram.org"
    allowed_chat_ids: list[int] = Field(default_factory=list)
    admin_ids: list[int] = Field(default_factory=list)
    engine_threads: int = Field(default=64, ge=1, le=1024)
    sends_per_second: float = Field(default=30.0, ge=0)
    per_chat_per_second: float = Field(default=1.0, gt=0)
    per_chat_burst: int = Field(default=4, ge=1)
    flood_retries: int = Field(default=3, ge=0, le=10)
    progress_delay_s: float = Field(default=1.0, ge=0)

    @model_validator(mode="after")
    def _address_and_secret_for_webhook(self) -> TelegramSettings:
        if self.mode == "webhook" and not self.webhook_address:
            raise ValueError("webhook mode needs a public address (TELEGRAM__WEBHOOK_ADDRESS)")
        if self.mode == "webhook" and not self.webhook_secret:
            raise ValueError(
                "webhook mode needs a secret token (STYLEGENIE_TELEGRAM__WEBHOOK_SECRET), so that "
                "only Telegram can post updates to the bot"
            )
        return self


class DiscordSettings(BaseModel):
    """The Discord bot: token and application, where Discord is, which servers, how it paces.

    ``api_base`` and ``gateway_address`` point the bot at Discord (a test points them at a
    fake). ``dev_guild_ids`` are the servers ``stylegenie discord sync-commands`` registers
    the slash commands in during development (instantly, unlike a global sync).
    ``followup_lifetime_s`` is how long an interaction's token lets the bot follow up
    (Discord: 15 minutes); a reply later than that is posted in the channel instead.
    """

    token: SecretStr | None = None
    application_id: int | None = None
    api_base: str = "https://discord.com"
    gateway_address: str = "wss://gateway.discord.gg/"
    dev_guild_ids: list[int] = Field(default_factory=list)
    allowed_guild_ids: list[int] = Field(default_factory=list)
    admin_ids: list[int] = Field(default_factory=list)
    engine_threads: int = Field(default=64, ge=1, le=1024)
    progress_after_s: float = Field(default=1.0, ge=0)
    progress_edit_every_s: float = Field(default=1.0, ge=1.0)
    max_ratelimit_timeout_s: float = Field(default=30.0, ge=30.0)
    followup_lifetime_s: float = Field(default=900.0, gt=0, le=900.0)


class ApiSettings(BaseModel):
    """The REST API and web chat page (``stylegenie api``): access, limits and batching."""

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    auth: Literal["key", "none"] = "key"
    """"key": every /api/v1 call needs an X-API-Key (or a web chat session token);
    "none": open, allowed only when the server binds to a loopback address."""
    cors_origins: list[str] = Field(default_factory=list)
    requests_per_minute: int = Field(default=120, ge=1)
    """Requests one API key (or one web chat session) may make per minute."""
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    max_upload_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    web_chat: bool = True
    """Serve the web chat page at / and let it open chat sessions without a key."""
    sessions_per_minute: int = Field(default=10, ge=1)
    """Web chat sessions one client address may open per minute."""
    session_secret: SecretStr | None = None
    """Signs web chat session tokens; without it one is generated under the data folder."""
    job_threads: int = Field(default=8, ge=1, le=256)
    """Design jobs (POST /generate) one API process runs at once."""
    search_batch_window_ms: float = Field(default=4.0, ge=0, le=100)
    """How long a search waits for others to share one encoder and index call (0: never)."""
    search_batch_max: int = Field(default=32, ge=1, le=256)
    engine_threads: int = Field(default=64, ge=1, le=1024)
    """Threads that run chat turns and searches off the event loop."""


class ObservabilitySettings(BaseModel):
    """What each process tells its operators: metrics, health, logs, traces and errors."""

    metrics_port: int = Field(default=0, ge=0, le=65535)
    """Port of this process's /metrics and /healthz listener (0: none). Bots, workers and the
    API each serve their own; give processes on one host different ports."""
    metrics_host: str = "127.0.0.1"
    """Address that listener binds to (0.0.0.0 in a container, for Prometheus to reach it)."""
    metrics_dir: Path | None = None
    """Folder prefork Celery workers share their metrics through; unset = <data dir>/metrics."""
    log_format: Literal["auto", "json", "text"] = "auto"
    """json: one JSON object a line (production); text: readable; auto: text on a terminal,
    JSON otherwise."""
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"
    """Least level logged; ``-v`` on the command line lowers it to INFO."""
    otlp_endpoint: str | None = None
    """OpenTelemetry collector (OTLP over HTTP), e.g. http://collector:4318; unset = no traces."""
    trace_sample_ratio: float = Field(default=1.0, ge=0.0, le=1.0)
    """Share of turns traced when an OTLP endpoint is set."""
    sentry_dsn: SecretStr | None = None
    """Sentry DSN: errors go to Sentry when set."""
    environment: str = "development"
    """Deployment name attached to traces and Sentry events (production, staging...)."""


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
    exchange_rates: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_EXCHANGE_RATES))
    llm: LLMSettings = Field(default_factory=LLMSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    milvus: MilvusSettings = Field(default_factory=MilvusSettings)
    embedder: EmbedderSettings = Field(default_factory=EmbedderSettings)
    image_encoder: ImageEncoderSettings = Field(default_factory=ImageEncoderSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    render: RenderSettings = Field(default_factory=RenderSettings)
    moderation: ModerationSettings = Field(default_factory=ModerationSettings)
    workers: WorkerSettings = Field(default_factory=WorkerSettings)
    images: ImageStoreSettings = Field(default_factory=ImageStoreSettings)
    ranking: RankingSettings = Field(default_factory=RankingSettings)
    chat: ChatSettings = Field(default_factory=ChatSettings)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    discord: DiscordSettings = Field(default_factory=DiscordSettings)
    leads: LeadSettings = Field(default_factory=LeadSettings)
    email: EmailSettings = Field(default_factory=EmailSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    observability: ObservabilitySettings = Field(default_factory=ObservabilitySettings)

    @field_validator("exchange_rates")
    @classmethod
    def _positive_rates(cls, rates: dict[str, float]) -> dict[str, float]:
        bad = {code: rate for code, rate in rates.items() if not (math.isfinite(rate) and rate > 0)}
        if bad:
            raise ValueError(f"exchange rates must be finite numbers above 0, got {bad}")
        return {code.upper(): rate for code, rate in rates.items()}

    @model_validator(mode="after")
    def _shop_currency_has_a_rate(self) -> Settings:
        if self.currency.upper() not in {"EUR", *self.exchange_rates}:
            raise ValueError(
                f"the shop currency {self.currency!r} needs a rate in EXCHANGE_RATES "
                "(euros per unit)"
            )
        return self

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

"""The composition root: every object built from Settings is built here, and nowhere else.

Front-ends (terminal, Telegram, Discord, REST) call ``assemble(settings)`` once at start
and ``close()`` at exit; commands and worker processes take the factories they need.
Adapters and the core take plain values or settings sections; only this package reads a
whole ``Settings``. One module per stage:

- ``stores``: the database, chat sessions and rate limits, the search cache, images, the
  contact cipher;
- ``conversation``: the brief reader, the moderator, currencies, the engine's options;
- ``leads``: the lead flow's policy and the notifier hub (with e-mail when configured);
- ``runtime``: what workers run on: encoders, the product index, search, rendering;
- ``workers``: the Celery app's configuration and runtime, and the Workers port;
- ``frontends``: what text front-ends take from settings (their progress pacing);
- ``app``: ``assemble`` and the ``StyleGenie`` it returns.
"""

from .app import CatalogRuntime, StyleGenie, assemble
from .conversation import brief_reader_for, currency_rates_for, engine_options_for, moderator_for
from .frontends import text_pacing_for
from .leads import lead_policy, notifier_hub_for
from .runtime import (
    image_embedder_for,
    ingestor_for,
    milvus_uri_for,
    product_index_for,
    ranking_weights_for,
    renderer_for,
    searched_catalog,
    text_embedder_for,
    worker_runtime_for,
)
from .stores import (
    chat_state_for,
    cipher_for,
    database_for,
    image_store_for,
    rate_limiter_for,
    search_cache_for,
)
from .workers import configure_celery, worker_app, workers_for

__all__ = [
    "CatalogRuntime",
    "StyleGenie",
    "assemble",
    "brief_reader_for",
    "chat_state_for",
    "cipher_for",
    "configure_celery",
    "currency_rates_for",
    "database_for",
    "engine_options_for",
    "image_embedder_for",
    "image_store_for",
    "ingestor_for",
    "lead_policy",
    "milvus_uri_for",
    "moderator_for",
    "notifier_hub_for",
    "product_index_for",
    "rate_limiter_for",
    "ranking_weights_for",
    "renderer_for",
    "search_cache_for",
    "searched_catalog",
    "text_embedder_for",
    "text_pacing_for",
    "worker_app",
    "worker_runtime_for",
    "workers_for",
]

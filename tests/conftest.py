"""Shared fixtures: real PostgreSQL and Redis on 127.0.0.1, each test isolated."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import psycopg
import pytest

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

PG_ADMIN_URL = os.environ.get("STYLEGENIE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("STYLEGENIE_TEST_REDIS", "redis://127.0.0.1:6379/0")
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread() -> None:
    """torch oversubscribes this 2-core machine; one thread keeps tests fast."""
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(1)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database on 127.0.0.1, dropped after the test."""
    name = f"sg_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A unique Redis key prefix; every key under it is deleted after the test."""
    import redis

    prefix = f"sgtest:{uuid.uuid4().hex[:10]}:"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture(scope="session")
def minilm() -> object:
    """The real all-MiniLM-L6-v2 text encoder, loaded once for the whole test run."""
    from stylegenie.adapters.text_embedder import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    embedder.load()
    return embedder


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture
def make_app(tmp_path: Path, pg_url: str, minilm: object) -> Iterator[object]:
    """Builds the assembled product on a fresh database and data folder, sample data loaded.

    Call it with setting overrides (e.g. ``redis={"url": ...}``); every app it built is
    closed after the test. All apps of one test share the Milvus Lite file and database,
    and one worker runtime (on the session's MiniLM), built by the first app.
    """
    from stylegenie.adapters.feeds import read_ateliers, read_products
    from stylegenie.adapters.postgres.repositories import PostgresCatalog
    from stylegenie.bots.wiring import assemble, worker_runtime_for
    from stylegenie.config import Settings
    from stylegenie.core.ingest import CatalogIngestor
    from stylegenie.core.ports import Embedder
    from stylegenie.gpu_workers.runtime import WorkerRuntime

    built: list[object] = []
    worker: list[WorkerRuntime] = []
    embedder = cast(Embedder, minilm)

    def build(**overrides: object) -> object:
        settings = Settings(
            data_dir=tmp_path / "data",
            database={"url": pg_url},
            render={"image_size": 96},
            **overrides,
        )

        def shared_runtime(catalog: PostgresCatalog) -> WorkerRuntime:
            if not worker:
                worker.append(worker_runtime_for(settings, catalog, embedder))
            return worker[0]

        app = assemble(settings, shared_runtime)
        if not built:
            products, _ = read_products(EXAMPLES / "sample_products.csv")
            CatalogIngestor(embedder, app.worker_runtime().index, app.catalog).ingest(products)
            app.ateliers.upsert_ateliers(
                read_ateliers(EXAMPLES / "sample_ateliers.csv", app.geocoder)[0]
            )
        built.append(app)
        return app

    yield build
    for app in built:
        app.close()  # type: ignore[attr-defined]
    if worker:
        worker[0].index.close()  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def tiny_pipeline_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random-weight Stable Diffusion pipeline, saved once, loadable like a model folder."""
    from stylegenie.adapters.random_pipelines import save_tiny_pipeline

    return save_tiny_pipeline(tmp_path_factory.mktemp("tiny-sd"))

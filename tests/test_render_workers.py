"""Rendering through a real Celery worker process on Redis, with a tiny random-weight pipeline.

A worker killed mid-render is tested in test_worker_redelivery.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stylegenie.bots.wiring import configure_celery
from stylegenie.config import Settings
from stylegenie.core.chats import ChatKey
from stylegenie.core.domain import DesignBrief
from stylegenie.core.ports import RenderRefused
from stylegenie.core.progress import ProgressEvent, drawing
from stylegenie.core.prompting import designs_for_brief
from stylegenie.gpu_workers.client import CeleryWorkers
from stylegenie.gpu_workers.tasks import render_designs
from tests.fakes.people import text
from tests.fakes.workers import WorkerProcess, celery_env, tiny_diffusers


@pytest.fixture
def worker_env(
    tmp_path: Path, pg_url: str, redis_prefix: str, tiny_pipeline_dir: Path
) -> dict[str, str]:
    """Settings shared by the test process and its workers, as the environment."""
    return celery_env(
        tmp_path / "data",
        pg_url,
        redis_prefix,
        **tiny_diffusers(tiny_pipeline_dir),
        RENDER__STEPS="2",
    )


@pytest.fixture
def client(worker_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[CeleryWorkers]:
    """This process configured as a Celery client of the test's workers (eager again after)."""
    for key, value in worker_env.items():
        if key.startswith("STYLEGENIE_"):
            monkeypatch.setenv(key, value)
    configure_celery(Settings())
    yield CeleryWorkers(timeout_s=120)
    configure_celery(Settings(_env_file=None, workers={"mode": "eager"}))  # type: ignore[call-arg]


@pytest.fixture
def workers(worker_env: dict[str, str], tmp_path: Path) -> Iterator[list[WorkerProcess]]:
    started: list[WorkerProcess] = []
    yield started
    for worker in started:
        worker.kill()


def stored_images(worker_env: dict[str, str]) -> list[Path]:
    return sorted((Path(worker_env["STYLEGENIE_DATA_DIR"]) / "images").glob("*.webp"))


def test_a_real_worker_renders_stores_and_reproduces(
    client: CeleryWorkers, workers: list[WorkerProcess], worker_env: dict[str, str], tmp_path: Path
) -> None:
    workers.append(WorkerProcess(worker_env, tmp_path / "worker.log"))
    designs = designs_for_brief(DesignBrief(garment="dress", colours=["Red"]), 3, "pending")
    progress: list[ProgressEvent] = []
    rendered = client.render_designs(designs, progress.append)
    assert [d.id for d in rendered] == [d.id for d in designs]
    assert all(d.model == worker_env["STYLEGENIE_RENDER__MODEL"] for d in rendered)
    files = stored_images(worker_env)
    assert [Path(d.image_ref or "").name for d in rendered] == [f"{d.id}.webp" for d in designs]
    assert len(files) == 3 and progress[0] == drawing(3)
    first = {f.name: f.read_bytes() for f in files}

    again = client.render_designs(designs)
    assert {
        Path(d.image_ref or "").name: Path(d.image_ref or "").read_bytes() for d in again
    } == first, "same seeds, same bytes"

    with pytest.raises(RenderRefused, match="explicit"):
        client.render_designs(
            designs_for_brief(DesignBrief(garment="dress", style_notes=["explicit"]), 2, "pending")
        )
    assert len(stored_images(worker_env)) == 3, "a refused request stores nothing"

    broken = render_designs.delay([{"not": "a design"}])
    with pytest.raises(Exception, match="malformed render arguments"):
        broken.get(timeout=60)
    assert client.render_designs(designs[:1])[0].image_ref, "the worker keeps serving"


def test_a_blocked_request_gets_a_polite_refusal_in_the_chat(make_app: Any) -> None:
    app = make_app()
    blocked = ChatKey.parse("test:blocked")
    reply = app.engine.handle(blocked, text(blocked, "a topless summer dress"))
    assert reply.text.startswith("I can't design that") and "topless" in reply.text
    assert not reply.images
    assert (app.engine._services.sessions.load("test:blocked") or {}).get("designs") in (None, [])
    spelled = app.engine.handle(blocked, text(blocked, "a n a k e d dress"))
    assert spelled.text.startswith("I can't design that") and "(naked)" in spelled.text

"""A render outlives its worker, at the default worker settings: SIGKILL a real worker in the
middle of a render and the task is delivered again within a couple of minutes, while the
shopper's client keeps waiting and hears it is still being worked on."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from stylegenie.bots.wiring import configure_celery
from stylegenie.config import Settings
from stylegenie.config.settings import RESTORE_SWEEP_S, WorkerSettings
from stylegenie.core.domain import DesignBrief
from stylegenie.core.progress import ProgressEvent, still_drawing
from stylegenie.core.prompting import designs_for_brief
from stylegenie.gpu_workers.client import CeleryWorkers
from tests.fakes.workers import WorkerProcess, celery_env, tiny_diffusers


@pytest.fixture
def worker_env(
    tmp_path: Path, pg_url: str, redis_prefix: str, tiny_pipeline_dir: Path
) -> dict[str, str]:
    """The test's settings as the environment: a tiny pipeline, no worker timeouts set."""
    return celery_env(tmp_path / "data", pg_url, redis_prefix, **tiny_diffusers(tiny_pipeline_dir))


@pytest.fixture
def settings(worker_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """This process as a Celery client of the test's workers (eager again after)."""
    for key, value in worker_env.items():
        if key.startswith("STYLEGENIE_"):
            monkeypatch.setenv(key, value)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    configure_celery(settings)
    yield settings
    configure_celery(Settings(_env_file=None, workers={"mode": "eager"}))  # type: ignore[call-arg]


@pytest.fixture
def workers() -> Iterator[list[WorkerProcess]]:
    started: list[WorkerProcess] = []
    yield started
    for worker in started:
        worker.kill()


def test_the_default_limits_redeliver_within_two_minutes() -> None:
    defaults = WorkerSettings()
    assert defaults.visibility_timeout_s is None
    assert defaults.hard_time_limit_s < defaults.redelivery_s <= 90
    assert defaults.render_wait_s > defaults.redelivery_s + defaults.hard_time_limit_s
    explicit = WorkerSettings(task_timeout_s=300, visibility_timeout_s=600)
    assert explicit.redelivery_s == 600


@pytest.mark.parametrize("visibility", [4, 55])
def test_a_visibility_timeout_within_the_hard_limit_is_refused(visibility: int) -> None:
    with pytest.raises(ValueError, match="above the hard time limit"):
        WorkerSettings(visibility_timeout_s=visibility)


def test_a_render_whose_worker_is_killed_is_redelivered_while_the_shopper_waits(
    settings: Settings, workers: list[WorkerProcess], worker_env: dict[str, str], tmp_path: Path
) -> None:
    limits = settings.workers
    client = CeleryWorkers(limits.task_timeout_s, render_wait_s=limits.render_wait_s)
    slow = {**worker_env, "STYLEGENIE_RENDER__STEPS": "200"}
    workers.append(WorkerProcess(slow, tmp_path / "first.log"))
    designs = designs_for_brief(DesignBrief(garment="coat"), 2, "pending")
    heard: list[ProgressEvent] = []

    with ThreadPoolExecutor(1) as pool:
        shopper = pool.submit(client.render_designs, designs, heard.append)
        deadline = time.monotonic() + 90
        while not any(event.done is not None for event in heard) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert any(event.done is not None for event in heard), "the first worker took it"
        workers[0].kill()
        killed = time.monotonic()
        fast = {**worker_env, "STYLEGENIE_RENDER__STEPS": "2", "STYLEGENIE_RENDER__WARM_UP": "1"}
        workers.append(WorkerProcess(fast, tmp_path / "second.log"))
        rendered = shopper.result(timeout=limits.render_wait_s + 30)
        waited = time.monotonic() - killed

    assert [d.id for d in rendered] == [d.id for d in designs]
    assert still_drawing() in heard, "the shopper heard it is still being worked on"
    assert waited < limits.redelivery_s + RESTORE_SWEEP_S + 20, "delivered again in time"
    images = sorted((Path(worker_env["STYLEGENIE_DATA_DIR"]) / "images").glob("*.webp"))
    assert [p.name for p in images] == sorted(f"{d.id}.webp" for d in designs), "ran once"

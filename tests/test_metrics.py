"""Metrics and health as operators see them: real processes, scraped over HTTP.

A prefork Celery worker and the REST API run as ``stylegenie`` processes with metrics
ports; a shopper's turns go through the API to the worker (a render, a product search),
then both ``/metrics`` are scraped and parsed, and both ``/healthz`` asked.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from stylegenie.adapters.observability.server import OpsServer
from tests.fakes.threaded import free_port
from tests.fakes.workers import WorkerProcess, celery_env

ROOT = Path(__file__).resolve().parents[1]
CHAT = "/api/v1/chat"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(port: int) -> Samples:
    """Every sample of a process's /metrics, by name and labels."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sample ``name`` with exactly these labels (0 when absent)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def health(port: int) -> tuple[int, dict[str, object]]:
    """The status and JSON body of a process's /healthz."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def wait_healthy(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until the process's /healthz answers 200 (it fails the test if the process dies)."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            if health(port)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"no healthy answer on port {port}:\n{log.read_text()[-3000:]}")


@pytest.fixture
def stack_env(tmp_path: Path, pg_url: str, redis_prefix: str) -> dict[str, str]:
    """Settings of a small production-like stack: celery mode on the local Redis, products
    loaded; JSON logs as in production."""
    env = celery_env(
        tmp_path / "data",
        pg_url,
        redis_prefix,
        API__AUTH="none",
        OBSERVABILITY__LOG_FORMAT="json",
    )
    products = ROOT / "examples" / "sample_products.csv"
    ingest = [sys.executable, "-m", "stylegenie.bots.cli", "catalog", "ingest", str(products)]
    subprocess.run([*ingest, "--quiet"], env=env, check=True, capture_output=True, timeout=120)
    return env


@pytest.fixture
def api_process(stack_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[int, int]]:
    """``stylegenie api`` with a metrics port: (API port, metrics port), once healthy."""
    port, metrics_port = free_port(), free_port()
    log = tmp_path / "api.log"
    env = stack_env | {"STYLEGENIE_OBSERVABILITY__METRICS_PORT": str(metrics_port)}
    command = [sys.executable, "-m", "stylegenie.bots.cli", "api", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_healthy(metrics_port, process, log)
        yield port, metrics_port
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_a_worker_and_the_api_count_and_time_what_a_shopper_does(
    stack_env: dict[str, str], api_process: tuple[int, int], tmp_path: Path
) -> None:
    worker_port = free_port()
    env = stack_env | {
        "STYLEGENIE_OBSERVABILITY__METRICS_PORT": str(worker_port),
        "STYLEGENIE_OBSERVABILITY__METRICS_DIR": str(tmp_path / "worker-metrics"),
    }
    options = ("--queues", "gpu,default", "--pool", "prefork", "--concurrency", "2")
    worker = WorkerProcess(env, tmp_path / "worker.log", *options)
    try:
        wait_healthy(worker_port, worker.process, tmp_path / "worker.log")
        api_port, api_metrics = api_process
        with httpx.Client(base_url=f"http://127.0.0.1:{api_port}", timeout=120) as client:
            opened = client.post(f"{CHAT}/sessions").json()
            headers = {"Authorization": f"Bearer {opened['token']}"}
            designs = client.post(CHAT, json={"message": "red linen shirt"}, headers=headers)
            pick = next(c["id"] for c in designs.json()["choices"] if c["label"] == "Pick 1")
            client.post(CHAT, json={"choice": pick}, headers=headers).raise_for_status()
            shown = client.post(CHAT, json={"choice": "products"}, headers=headers)
            assert shown.json()["products"], "the worker searched the catalogue"

        api = scrape(api_metrics)
        assert value(api, "stylegenie_turns_total", platform="web", kind="text", outcome="ok") == 1
        assert (
            value(api, "stylegenie_turns_total", platform="web", kind="choice", outcome="ok") == 2
        )
        assert value(api, "stylegenie_turn_seconds_count", platform="web", kind="choice") == 2
        assert value(api, "stylegenie_turn_seconds_sum", platform="web", kind="text") > 0
        chat_posts = value(
            api, "stylegenie_http_requests_total", method="POST", route=CHAT, status="200"
        )
        assert chat_posts == 3
        assert value(api, "stylegenie_http_request_seconds_count", method="POST", route=CHAT) == 3

        work = scrape(worker_port)  # summed over the prefork children
        assert value(work, "stylegenie_renders_total", outcome="ok") >= 1
        assert value(work, "stylegenie_render_seconds_count", renderer="preview-card") >= 1
        for stage in ("embed", "index", "metadata", "rank"):
            assert value(work, "stylegenie_search_stage_seconds_count", stage=stage) >= 1, stage
        assert ("stylegenie_queue_depth", frozenset({("queue", "gpu")})) in work
        assert value(work, "stylegenie_queue_depth", queue="default") == 0

        status, report = health(worker_port)
        assert status == 200 and report["healthy"] is True
        assert set(report["checks"]) == {"database", "redis", "milvus", "broker"}  # type: ignore[arg-type]
    finally:
        worker.kill()


def test_health_names_the_failing_dependency_and_answers_503() -> None:
    def broker() -> str:
        raise ConnectionRefusedError("redis://127.0.0.1:1 refused")

    server = OpsServer("127.0.0.1", 0, {"database": lambda: "PostgreSQL answers", "broker": broker})
    server.start()
    try:
        status, report = health(server.port)
    finally:
        server.stop()
    assert status == 503 and report["healthy"] is False
    checks = report["checks"]
    assert checks == {  # type: ignore[comparison-overlap]
        "database": {"ok": True, "detail": "PostgreSQL answers"},
        "broker": {"ok": False, "detail": "ConnectionRefusedError: redis://127.0.0.1:1 refused"},
    }

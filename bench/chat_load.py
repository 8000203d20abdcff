"""What the chat load benchmarks share: the sample data, paced renders, the Celery worker
process, and how much CPU and memory each process used.

A load benchmark runs three kinds of process: the driver (a fake chat platform and the
shoppers), the bot (the real front-end on the assembled app), and, with ``--workers
celery``, a Celery worker whose renders are paced like a GPU's.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from common import scratch_database

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
HEAVY = ("torch", "transformers", "sentence_transformers", "open_clip", "diffusers", "pymilvus")
"""Libraries a bot process must never import (it sends heavy work to workers)."""
WORKER_READY = "worker-ready"


class PacedRenderer:
    """A stand-in GPU: each call (one brief) takes ``seconds``; returns a card drawn once."""

    def __init__(self, inner: Any, seconds: float) -> None:
        self._inner, self._seconds, self._card = inner, seconds, b""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def render(self, designs: Sequence[Any], progress: Any = None) -> list[bytes]:
        """Sleep, then the card for every design."""
        time.sleep(self._seconds)
        self._card = self._card or bytes(self._inner.render(list(designs[:1]))[0])
        return [self._card] * len(designs)


def pace_runtime(worker: Any, render_s: float) -> None:
    """Warm the text model and pace the renderer of a process's worker runtime."""
    worker.embedder.load()
    worker.renderer = PacedRenderer(worker.renderer, render_s)


def heavy_modules() -> list[str]:
    """The heavy libraries this process has imported."""
    return sorted({m.split(".")[0] for m in sys.modules} & set(HEAVY))


def worker_role(args: argparse.Namespace) -> None:
    """A Celery worker (thread pool) with paced renders and the real search; it leaves
    ``worker-ready`` in the data folder once it consumes tasks (``wait_for_worker``)."""
    from celery.signals import worker_ready

    from stylegenie.bots.wiring import database_for, worker_app
    from stylegenie.config import load_settings

    settings = load_settings()
    celery = worker_app(settings, database_for(settings))
    pace_runtime(celery.runtime, args.render_s)
    ready = settings.data_dir / WORKER_READY
    worker_ready.connect(lambda **_: ready.touch(), weak=False)
    pool = ["--pool", "threads", "--concurrency", str(args.chats), "--loglevel", "WARNING"]
    celery.worker_main(["worker", "--queues", "gpu,default", *pool])


async def wait_for_worker(env: dict[str, str], timeout: float = 120) -> None:
    """Until the worker process consumes tasks (the first render must not wait for it)."""
    import asyncio

    ready = Path(env["STYLEGENIE_DATA_DIR"]) / WORKER_READY
    deadline = time.monotonic() + timeout
    while not ready.exists():
        if time.monotonic() > deadline:
            raise TimeoutError("the Celery worker did not start")
        await asyncio.sleep(0.2)


def prepare(data_dir: Path, database_url: str) -> None:
    """Load the sample catalogue and ateliers (in this process, then released)."""
    from stylegenie.adapters.feeds import read_ateliers, read_products
    from stylegenie.bots.wiring import assemble
    from stylegenie.config import Settings
    from stylegenie.core.ingest import CatalogIngestor

    app = assemble(Settings(data_dir=data_dir, database={"url": database_url}))
    worker = app.worker_runtime()
    products, _ = read_products(EXAMPLES / "sample_products.csv")
    CatalogIngestor(worker.embedder, worker.index, app.catalog).ingest(products)
    app.ateliers.upsert_ateliers(read_ateliers(EXAMPLES / "sample_ateliers.csv", app.geocoder)[0])
    app.close()
    worker.index.close()  # type: ignore[attr-defined]


@contextmanager
def loaded_environment(workers: str, extra: dict[str, str]) -> Iterator[dict[str, str]]:
    """A scratch database and data folder with the sample data, as the environment of the
    bot and worker processes (``extra`` adds the platform's settings)."""
    import tempfile

    with scratch_database() as url, tempfile.TemporaryDirectory() as folder:
        prepare(Path(folder), url)
        yield {
            **os.environ,
            "STYLEGENIE_DATA_DIR": folder,
            "STYLEGENIE_DATABASE__URL": url,
            "STYLEGENIE_DATABASE__POOL_MAX": "20",
            "STYLEGENIE_CHAT__MESSAGES_PER_MINUTE": "1000000",
            "STYLEGENIE_WORKERS__MODE": workers,
            "STYLEGENIE_WORKERS__BROKER_URL": "redis://127.0.0.1:6379/7",
            "STYLEGENIE_WORKERS__RESULT_BACKEND": "redis://127.0.0.1:6379/8",
            **extra,
        }


def memory(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak) of a process, in MiB."""
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    fields = dict(line.split(":", 1) for line in lines)
    return {k: int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM")}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_by_process(processes: dict[str, subprocess.Popen[bytes]], driver: str) -> dict[str, float]:
    """CPU seconds used so far by each child process and by this one (the driver)."""
    used = {name: cpu_seconds(process.pid) for name, process in processes.items()}
    return used | {driver: time.process_time()}


def stop_bot(
    bot: subprocess.Popen[bytes], report: Path, used: dict[str, float], workers: str
) -> None:
    """Stop the bot process and print its memory under the load and what it imported."""
    import json
    import signal

    bot.send_signal(signal.SIGTERM)
    bot.wait(60)
    heavy = json.loads(report.read_text())["heavy_modules"]
    print(
        f"bot process ({workers} workers): RSS {used['VmRSS']:.0f} MiB, "
        f"peak {used['VmHWM']:.0f} MiB; heavy modules imported: {heavy or 'none'}"
    )


def stop_all(*processes: subprocess.Popen[bytes] | None) -> None:
    """Terminate the child processes still running (kill those that do not stop)."""
    for process in processes:
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)

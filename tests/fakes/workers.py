"""A real ``stylegenie worker`` process for tests that need Celery beyond eager mode."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

REDIS = "redis://127.0.0.1:6379/0"
"""The local Redis, broker and result backend of test workers (keys under a test prefix)."""


def celery_env(data_dir: Path, pg_url: str, redis_prefix: str, **settings: str) -> dict[str, str]:
    """The environment of a test's front-end and workers on Celery over the local Redis.

    This test's data folder, database and key prefix; every other StyleGenie setting at its
    default (none inherited from the shell) but ``settings``, given as ``KEY=value`` without
    the ``STYLEGENIE_`` prefix (``RENDER__STEPS="2"``).
    """
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("STYLEGENIE_")}
    chosen = {f"STYLEGENIE_{key}": value for key, value in settings.items()}
    return (
        inherited
        | {
            "STYLEGENIE_DATA_DIR": str(data_dir),
            "STYLEGENIE_DATABASE__URL": pg_url,
            "STYLEGENIE_REDIS__URL": REDIS,
            "STYLEGENIE_REDIS__KEY_PREFIX": redis_prefix,
            "STYLEGENIE_WORKERS__MODE": "celery",
            "STYLEGENIE_WORKERS__BROKER_URL": REDIS,
            "STYLEGENIE_WORKERS__RESULT_BACKEND": REDIS,
            "OMP_NUM_THREADS": "1",
        }
        | chosen
    )


def tiny_diffusers(pipeline_dir: Path) -> dict[str, str]:
    """Settings (for ``celery_env``) that render with a tiny random-weight pipeline on the CPU."""
    return {
        "RENDER__BACKEND": "diffusers",
        "RENDER__MODEL": str(pipeline_dir),
        "RENDER__PRESET": "custom",
        "RENDER__IMAGE_SIZE": "64",
        "RENDER__DEVICE": "cpu",
    }


class WorkerProcess:
    """``stylegenie worker`` in its own process group, with the settings of one test."""

    def __init__(self, env: dict[str, str], log: Path, *options: str) -> None:
        """Start it now; ``options`` follow ``worker`` (default: the gpu queue, solo pool)."""
        self._log = log.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "stylegenie.bots.cli",
                "worker",
                *(options or ("--queues", "gpu")),
                "--hostname",
                f"test-{uuid.uuid4().hex[:6]}@%h",
            ],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL the worker and its children (a crash, as far as the broker can tell)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self._log.close()

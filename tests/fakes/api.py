"""The REST API in tests: in-process through httpx (``api_client``) or served for real by
uvicorn on a free port (``RunningApi``, for the browser and the contract suite)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi.testclient import TestClient

from stylegenie.adapters.postgres.api_keys import PostgresApiKeys
from stylegenie.bots.api import create_api

from .threaded import free_port


def api_key(app: Any, name: str = "tests") -> str:
    """A new live API key of the app's database."""
    return PostgresApiKeys(app.database).create(name)[1]


@contextmanager
def api_client(app: Any, engine: Any = None, key: str | None = None) -> Iterator[TestClient]:
    """An httpx client on the app's API, lifespan included; sends ``key`` when given."""
    headers = {"X-API-Key": key} if key else {}
    with TestClient(create_api(app, engine), headers=headers) as client:
        yield client


class RunningApi:
    """The API served by uvicorn on 127.0.0.1 in a thread: ``url`` once entered."""

    def __init__(self, app: Any, engine: Any = None) -> None:
        self._api = create_api(app, engine)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(self._api, host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="api", daemon=True)

    def __enter__(self) -> RunningApi:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the API did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self._server.should_exit = True
        self._thread.join(20)

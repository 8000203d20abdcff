"""Who may call the API and how much: keys (hashed, managed from the shell), limits, body
size, CORS, errors as problem+json, health and readiness, on the real app and backends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from stylegenie.bots.api import create_api
from stylegenie.bots.cli import main
from tests.fakes.api import api_client, api_key

UNKNOWN_JOB = "/api/v1/generate/job-unknown"
"""A route that needs a caller: 401 without one, 404 (no such job) with one."""


def problem(response: Any, status: int) -> dict[str, Any]:
    """The response's problem+json body, checked to have ``status``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def test_keys_are_made_listed_and_revoked_from_the_shell(
    make_app: Any, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    app = make_app()
    monkeypatch.setenv("STYLEGENIE_DATABASE__URL", pg_url)
    monkeypatch.setenv("STYLEGENIE_DATA_DIR", str(tmp_path / "data"))
    assert main(["api-keys", "create", "atelier-shop"]) == 0
    key = capsys.readouterr().out.strip().splitlines()[-1]
    assert key.startswith("sg_")
    with app.database.connection() as conn:
        stored = conn.execute("SELECT key_hash FROM api_keys").fetchall()
    assert len(stored) == 1 and key not in str(stored), "only a hash of the key is kept"

    with api_client(app, key=key) as client:
        problem(client.get(UNKNOWN_JOB), 404)
    assert main(["api-keys", "list"]) == 0
    listed = capsys.readouterr().out
    assert "atelier-shop" in listed and "live" in listed and key not in listed

    assert main(["api-keys", "revoke", "atelier-shop"]) == 0
    assert main(["api-keys", "revoke", "atelier-shop"]) == 1, "nothing live is left to revoke"
    with api_client(app, key=key) as client:
        assert "not valid" in problem(client.get(UNKNOWN_JOB), 401)["detail"]


def test_a_call_without_a_valid_key_is_refused_in_plain_words(make_app: Any) -> None:
    app = make_app()
    with api_client(app) as client:
        refused = client.get(UNKNOWN_JOB)
        assert "X-API-Key" in problem(refused, 401)["detail"]
        assert refused.headers["WWW-Authenticate"].startswith("ApiKey")
        problem(client.get(UNKNOWN_JOB, headers={"X-API-Key": "sg_guessed"}), 401)
        problem(client.get(UNKNOWN_JOB, headers={"Authorization": "Bearer s1.forged"}), 401)


def test_an_open_api_needs_no_key_but_only_binds_to_this_machine(
    make_app: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    app = make_app(api={"auth": "none"})
    with api_client(app) as client:
        problem(client.get(UNKNOWN_JOB), 404)
    monkeypatch.setenv("STYLEGENIE_API__AUTH", "none")
    assert main(["api", "--host", "0.0.0.0"]) == 2
    assert "127.0.0.1" in capsys.readouterr().err


def test_a_key_over_its_limit_is_told_when_to_come_back(make_app: Any, redis_prefix: str) -> None:
    redis = {"url": "redis://127.0.0.1:6379/0", "key_prefix": redis_prefix}
    app = make_app(api={"requests_per_minute": 3}, redis=redis)
    key, other = api_key(app), api_key(app, "other")
    with api_client(app, key=key) as client:
        for _ in range(3):
            problem(client.get(UNKNOWN_JOB), 404)
        limited = client.get(UNKNOWN_JOB)
        problem(limited, 429)
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        problem(client.get(UNKNOWN_JOB, headers={"X-API-Key": other}), 404)  # keys count apart
    with api_client(make_app(api={"requests_per_minute": 3}, redis=redis), key=key) as again:
        problem(again.get(UNKNOWN_JOB), 429)  # the count is shared through Redis


def test_a_body_over_the_limit_is_refused_before_it_is_read(make_app: Any) -> None:
    app = make_app(api={"max_body_bytes": 2048})
    with api_client(app, key=api_key(app)) as client:
        declared = client.post("/api/v1/generate", content=b"{" + b" " * 4000 + b"}")
        assert "2,048" in problem(declared, 413)["detail"]

        def chunks() -> Any:  # no Content-Length: counted while it is read
            for _ in range(4):
                yield b" " * 1000

        streamed = client.post(
            "/api/v1/generate", content=chunks(), headers={"Content-Type": "application/json"}
        )
        problem(streamed, 413)


def test_cors_answers_only_the_configured_origins(make_app: Any) -> None:
    app = make_app(api={"cors_origins": ["https://shop.example"]})
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "x-api-key",
    }
    with api_client(app) as client:
        allowed = client.options(
            "/api/v1/search", headers={"Origin": "https://shop.example", **preflight}
        )
        assert allowed.headers["access-control-allow-origin"] == "https://shop.example"
        other = client.options(
            "/api/v1/search", headers={"Origin": "https://evil.example", **preflight}
        )
        assert "access-control-allow-origin" not in other.headers


def test_errors_health_and_the_documented_schema(make_app: Any) -> None:
    app = make_app()
    with api_client(app) as client:
        problem(client.get("/api/v1/nothing-here"), 404)
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["ready"]
        assert set(ready.json()["checks"]) == {"database", "redis", "milvus", "broker"}
        schema = client.get("/openapi.json").json()
        for path in ("/api/v1/generate", "/api/v1/search", "/api/v1/ateliers", "/api/v1/chat"):
            assert path in schema["paths"], path
        assert "swagger" in client.get("/docs").text.lower()


def test_readiness_names_the_backend_that_is_down(make_app: Any) -> None:
    make_app()  # the sample catalogue, loaded while every backend is up
    app = make_app(redis={"url": "redis://127.0.0.1:1/0"}, milvus={"uri": "http://127.0.0.1:1"})
    with TestClient(create_api(app)) as client:
        ready = client.get("/readyz")
    assert ready.status_code == 503
    checks = ready.json()["checks"]
    assert not checks["redis"]["ok"] and not checks["milvus"]["ok"] and checks["database"]["ok"]

"""docker-compose.yml, the Dockerfile and config/stylegenie.example.env stay true to Settings.

When a setting is added, the example env must document it; when a server backend is
configured for production, compose must run it under the host name the env file uses.
"""

from __future__ import annotations

import functools
import json
import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml
from pydantic import BaseModel

from stylegenie.config.settings import ENV_PREFIX, Settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
EXAMPLE_ENV = ROOT / "config" / "stylegenie.example.env"
APP_ENV_FILE = "config/stylegenie.env"
PRODUCTION_HEADER = "# ===== Production"
# Backends compose must run, with the image each must come from.
BACKEND_IMAGES = {
    "postgres": "postgres:16",
    "redis": "redis:7",
    "milvus": "milvusdb/milvus:v2.4.",
    "etcd": "quay.io/coreos/etcd:v3.5.",
    "minio": "minio/minio",
}
ASSIGNMENT = re.compile(r"^(STYLEGENIE_[A-Z0-9_]+)=(.*)$")
COMMENTED_ASSIGNMENT = re.compile(r"^#\s*(STYLEGENIE_[A-Z0-9_]+)=(.*)$")

Path_ = tuple[str, ...]


def _leaves(model: type[BaseModel], path: Path_ = ()) -> dict[str, Path_]:
    """Every leaf setting as ``{ENV_KEY: attribute path}``, walking nested models."""
    keys: dict[str, Path_] = {}
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys.update(_leaves(annotation, (*path, name)))
        else:
            keys[ENV_PREFIX + "__".join((*path, name)).upper()] = (*path, name)
    return keys


SETTING_KEYS = _leaves(Settings)
# Settings that name a server: every URL/URI field except the external LLM provider.
SERVER_KEYS = sorted(
    key
    for key, path in SETTING_KEYS.items()
    if path[0] != "llm"
    and path[-1] != "public_base_url"  # the public address of images (a CDN), not a service
    and (path[-1].endswith(("url", "uri")) or path[-1] == "result_backend")
)


def _value(settings: Settings, path: Path_) -> Any:
    return functools.reduce(getattr, path, settings)


def _sections() -> tuple[str, str]:
    """The example env split into its defaults part and its production block."""
    defaults, marker, production = EXAMPLE_ENV.read_text(encoding="utf-8").partition(
        PRODUCTION_HEADER
    )
    assert marker, f"{EXAMPLE_ENV.name} has no production block"
    return defaults, production


def _assignments(text: str, pattern: re.Pattern[str]) -> dict[str, str]:
    return {m[1]: m[2].strip() for line in text.splitlines() if (m := pattern.match(line.strip()))}


PRODUCTION = _assignments(_sections()[1], ASSIGNMENT)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No STYLEGENIE_* variable of the machine leaks into these tests."""
    import os

    for key in [k for k in os.environ if k.startswith(ENV_PREFIX)]:
        monkeypatch.delenv(key)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """docker-compose.yml parsed."""
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("services"), dict)
    return data


def _container_ports(service: dict[str, Any]) -> set[int]:
    """Container-side ports a service publishes or exposes."""
    entries = [str(p) for p in [*service.get("ports", []), *service.get("expose", [])]]
    return {int(entry.split(":")[-1].split("/")[0]) for entry in entries}


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def test_backends_are_services_with_images(compose: dict[str, Any]) -> None:
    """postgres, redis and Milvus standalone (with etcd and MinIO) run from the right images."""
    services = compose["services"]
    for name, image in BACKEND_IMAGES.items():
        assert name in services, f"service {name} missing"
        assert str(services[name].get("image", "")).startswith(image), name
    assert {5432} <= _container_ports(services["postgres"])
    assert {6379} <= _container_ports(services["redis"])
    assert {19530, 9091} <= _container_ports(services["milvus"])
    assert services["postgres"].get("healthcheck") and services["postgres"].get("volumes")


def test_milvus_is_wired_to_etcd_and_minio(compose: dict[str, Any]) -> None:
    """Milvus runs standalone and reaches etcd and MinIO by their service names."""
    services = compose["services"]
    milvus = services["milvus"]
    assert milvus["command"] == ["milvus", "run", "standalone"]
    env = _environment(milvus)
    for variable, dependency in [("ETCD_ENDPOINTS", "etcd"), ("MINIO_ADDRESS", "minio")]:
        host, port = env[variable].split(":")
        assert host == dependency and int(port) in (_container_ports(services[host]) | {2379})
        assert dependency in milvus["depends_on"]


def test_app_services_read_the_env_file(compose: dict[str, Any]) -> None:
    """Every service built from this repository reads config/stylegenie.env."""
    apps = {name: s for name, s in compose["services"].items() if "build" in s}
    assert "worker-cpu" in apps
    assert apps["worker-cpu"]["command"].startswith("stylegenie worker --queues default")
    gpu = apps["worker-gpu"]
    assert gpu["command"].startswith("stylegenie worker --queues gpu")
    [device] = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert device["driver"] == "nvidia" and "gpu" in device["capabilities"]
    for name, service in apps.items():
        env_files = service.get("env_file")
        env_files = [env_files] if isinstance(env_files, str) else env_files or []
        assert APP_ENV_FILE in env_files, name


@pytest.mark.parametrize("key", SERVER_KEYS)
def test_production_hosts_are_compose_services(compose: dict[str, Any], key: str) -> None:
    """Each server setting's production value names a compose service and one of its ports."""
    assert key in PRODUCTION, f"{key} has no production value"
    url = urlparse(PRODUCTION[key])
    services = compose["services"]
    assert url.hostname in services, f"{key}: host {url.hostname} is not a compose service"
    assert url.port in _container_ports(services[url.hostname]), key


def test_production_database_matches_postgres_service(compose: dict[str, Any]) -> None:
    """The production database URL uses the user and database compose creates."""
    url = urlparse(PRODUCTION["STYLEGENIE_DATABASE__URL"])
    env = _environment(compose["services"]["postgres"])
    assert url.username == env["POSTGRES_USER"]
    assert url.path.lstrip("/") == env["POSTGRES_DB"]


def test_dockerfile_installs_every_package_dir() -> None:
    """The image is python:3.11-slim, copies every package folder and installs .[all]."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim\s*$", text, re.M)
    assert re.search(r"pip install [\"']?\.\[all\]", text)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for folder in set(pyproject["tool"]["setuptools"]["package-dir"].values()):
        assert re.search(rf"^COPY {re.escape(folder)}[/ ]", text, re.M), folder
    assert "COPY . " not in text, "copying the whole tree would ship .venv and secrets"


def test_example_env_documents_every_setting() -> None:
    """Every leaf of Settings appears in the example env, with a comment line above it."""
    lines = _sections()[0].splitlines()
    defaults = _assignments(_sections()[0], COMMENTED_ASSIGNMENT)
    missing = sorted(set(SETTING_KEYS) - defaults.keys())
    assert not missing, f"undocumented settings: {missing}"
    assert not set(defaults) - SETTING_KEYS.keys(), "documented keys that Settings lacks"
    for index, line in enumerate(lines):
        if COMMENTED_ASSIGNMENT.match(line):
            above = lines[index - 1]
            assert above.startswith("# ") and not COMMENTED_ASSIGNMENT.match(above), line


def test_example_env_defaults_are_the_real_defaults() -> None:
    """Each commented default, read as a setting, equals the embedded default."""
    default = Settings(_env_file=None)  # type: ignore[call-arg]
    for key, text in _assignments(_sections()[0], COMMENTED_ASSIGNMENT).items():
        path = SETTING_KEYS[key]
        if text == "":
            assert _value(default, path) is None, f"{key} is documented unset"
            continue
        value = json.loads(text) if text.startswith(("[", "{")) else text  # as the env source does
        parsed = Settings(_env_file=None, **{path[0]: _nest(path[1:], value)})  # type: ignore[arg-type,call-arg]
        assert _value(parsed, path) == _value(default, path), key


def _nest(path: Path_, value: str) -> Any:
    """``("llm", "model"), "x"`` -> ``{"llm": {"model": "x"}}``; an empty path gives the value."""
    nested: Any = value
    for name in reversed(path):
        nested = {name: nested}
    return nested


def test_example_env_loads_into_production_settings() -> None:
    """The live lines load as valid Settings and each changes its setting from the default."""
    assert PRODUCTION, "production block is empty"
    loaded = Settings(_env_file=EXAMPLE_ENV)  # type: ignore[call-arg]
    default = Settings(_env_file=None)  # type: ignore[call-arg]
    for key in PRODUCTION:
        assert key in SETTING_KEYS, f"{key} is not a setting"
        assert _value(loaded, SETTING_KEYS[key]) != _value(default, SETTING_KEYS[key]), key
    assert loaded.workers.mode == "celery"
    assert urlparse(loaded.workers.broker_url).hostname == "redis"

"""docker-compose.yml, the Dockerfile and config/stylegenie.example.env stay true to Settings.

When a setting is added, the example env must document it; when a server backend is
configured for production, compose must run it under the host name its settings use. The
stack is read as an operator would: every service, health check and dependency, what is
published, where each secret comes from. Nothing is started (there is no Docker here);
Prometheus' files are checked by promtool in tests/test_prometheus_rules.py.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
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
PROMETHEUS = ROOT / "deploy" / "prometheus" / "prometheus.yml"
GRAFANA = ROOT / "deploy" / "grafana"
APP_ENV_FILE = "config/stylegenie.env"
PRODUCTION_HEADER = "# ===== Production"
# Backends compose must run, with the image each must come from.
BACKEND_IMAGES = {
    "postgres": "postgres:16",
    "redis": "redis:7",
    "milvus": "milvusdb/milvus:v2.4.",
    "etcd": "quay.io/coreos/etcd:v3.5.",
    "minio": "minio/minio",
    "prometheus": "prom/prometheus:",
    "grafana": "grafana/grafana:",
}
# StyleGenie's long-running services and the command each runs.
APP_COMMANDS = {
    "api": "stylegenie api",
    "bot-telegram": "stylegenie telegram",
    "bot-discord": "stylegenie discord",
    "worker-gpu": "stylegenie worker --queues gpu --pool solo",
    "worker-cpu": "stylegenie worker --queues default --pool prefork",
}
# Jobs: run once, to completion, before (or, for ingest, beside) the app services.
JOBS = {"minio-bucket", "migrate", "ingest"}
SERVICES = set(BACKEND_IMAGES) | set(APP_COMMANDS) | JOBS
# The one service published on every interface, and what else the host sees on 127.0.0.1.
PUBLIC = {"api": {8000}}
LOOPBACK = {"prometheus": {9090}, "grafana": {3000}, "minio": {9001}}
# Variables docker-compose.yml reads that are not settings (documented in the production block).
COMPOSE_ONLY = {"STYLEGENIE_MODELS_DIR", "STYLEGENIE_FEEDS_DIR", "STYLEGENIE_FEED_OPTIONS"}
ASSIGNMENT = re.compile(r"^(STYLEGENIE_[A-Z0-9_]+)=(.*)$")
COMMENTED_ASSIGNMENT = re.compile(r"^#\s*(STYLEGENIE_[A-Z0-9_]+)=(.*)$")
COMMENTED_VARIABLE = re.compile(r"^#\s*([A-Z][A-Z0-9_]*)=(.*)$")
INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?])?")
# Stand-ins for the env file's secrets when the compose environment is resolved.
SECRETS = {
    "POSTGRES_PASSWORD": "pgsecret",
    "MINIO_ROOT_USER": "stylegenie",
    "MINIO_ROOT_PASSWORD": "miniosecret",
    "MILVUS_ROOT_PASSWORD": "milvussecret",
    "GRAFANA_ADMIN_PASSWORD": "grafanasecret",
}

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


def _interpolate(text: str, variables: dict[str, str]) -> str:
    """Compose's ``${VAR}``, ``${VAR:-default}`` and ``${VAR:?error}``, nested defaults too."""
    out, index = [], 0
    while (start := text.find("${", index)) >= 0:
        out.append(text[index:start])
        depth, end = 0, start + 1
        for end in range(start + 1, len(text)):
            depth += text[end] == "{"
            depth -= text[end] == "}"
            if depth == 0:
                break
        body = text[start + 2 : end]
        parsed = re.match(r"([A-Za-z_][A-Za-z0-9_]*)(:?[-?]|)(.*)", body, re.S)
        assert parsed, f"cannot read ${{{body}}}"
        name, operator, rest = parsed.groups()
        if variables.get(name):
            out.append(variables[name])
        elif operator == ":-":
            out.append(_interpolate(rest, variables))
        elif operator == ":?":
            raise LookupError(f"{name} is required: {rest}")
        else:
            out.append("")
        index = end + 1
    out.append(text[index:])
    return "".join(out)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No STYLEGENIE_* variable of the machine leaks into these tests."""
    import os

    for key in [k for k in os.environ if k.startswith(ENV_PREFIX)]:
        monkeypatch.delenv(key)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """docker-compose.yml parsed (variables left as written)."""
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("services"), dict)
    return data


@pytest.fixture(scope="module")
def resolved() -> dict[str, Any]:
    """docker-compose.yml as compose reads it with an env file holding only the secrets."""
    return yaml.safe_load(_interpolate(COMPOSE.read_text(encoding="utf-8"), SECRETS))


def _container_ports(service: dict[str, Any]) -> set[int]:
    """Container-side ports a service publishes or exposes."""
    entries = [str(p) for p in [*service.get("ports", []), *service.get("expose", [])]]
    return {int(entry.split(":")[-1].split("/")[0]) for entry in entries}


def _published(service: dict[str, Any]) -> list[tuple[str, int]]:
    """(host address, container port) of each published port; "" = every interface."""
    published = []
    for entry in service.get("ports", []):
        parts = str(entry).split(":")
        assert len(parts) in (2, 3), f"write ports as [ADDRESS:]HOST:CONTAINER, not {entry}"
        published.append((parts[0] if len(parts) == 3 else "", int(parts[-1].split("/")[0])))
    return published


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def _apps(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """StyleGenie's long-running services."""
    return {name: compose["services"][name] for name in APP_COMMANDS}


def _command(service: dict[str, Any]) -> str:
    command = service.get("command", "")
    return command if isinstance(command, str) else " ".join(command)


def test_the_stack_is_complete(compose: dict[str, Any]) -> None:
    """Backends, monitoring, jobs and StyleGenie's services; every image pinned."""
    services = compose["services"]
    assert set(services) == SERVICES
    for name, image in BACKEND_IMAGES.items():
        assert str(services[name].get("image", "")).startswith(image), name
        assert not str(services[name]["image"]).endswith(":latest"), name
    assert {5432} <= _container_ports(services["postgres"])
    assert {6379} <= _container_ports(services["redis"])
    assert {19530, 9091} <= _container_ports(services["milvus"])
    assert services["postgres"].get("volumes")
    for name, command in APP_COMMANDS.items():
        assert _command(services[name]).startswith(command), name


def test_every_service_has_a_health_check(compose: dict[str, Any]) -> None:
    """Each long-running service is checked; jobs run once and are never restarted."""
    for name, service in compose["services"].items():
        if name in JOBS:
            assert service.get("restart") == "no", name
            assert "healthcheck" not in service, name
            continue
        check = service.get("healthcheck") or {}
        assert check.get("test") and not check.get("disable"), f"{name} has no health check"
        assert service.get("restart") == "unless-stopped", name


def test_app_health_checks_ask_the_metrics_listener(resolved: dict[str, Any]) -> None:
    """Every process serves /metrics and /healthz on 9100 inside the network; its health
    check asks that /healthz with the image's Python (the slim image has no curl)."""
    for name, service in _apps(resolved).items():
        env = _environment(service)
        port = env["STYLEGENIE_OBSERVABILITY__METRICS_PORT"]
        assert port == "9100" and env["STYLEGENIE_OBSERVABILITY__METRICS_HOST"] == "0.0.0.0", name
        test = service["healthcheck"]["test"]
        assert test[:3] == ["CMD", "python", "-c"], name
        assert f"http://127.0.0.1:{port}/healthz" in test[3], name
        assert env["STYLEGENIE_OBSERVABILITY__LOG_FORMAT"] == "json", name
        # Every app container shares /data: prefork workers' metric files must stay apart.
        metrics_dir = env["STYLEGENIE_OBSERVABILITY__METRICS_DIR"]
        assert not Path(metrics_dir).is_relative_to(env["STYLEGENIE_DATA_DIR"]), name


def test_every_dependency_waits_on_a_condition(compose: dict[str, Any]) -> None:
    """depends_on is always a condition: healthy for a service (which then has a health
    check), completed for a job; nothing starts before what it needs."""
    services = compose["services"]
    for name, service in services.items():
        depends = service.get("depends_on", {})
        assert isinstance(depends, dict), f"{name}: depends_on without conditions"
        for dependency, rule in depends.items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            expected = "service_completed_successfully" if dependency in JOBS else "service_healthy"
            assert rule.get("condition") == expected, f"{name} -> {dependency}"
            if expected == "service_healthy":
                assert services[dependency].get("healthcheck"), dependency
    needs = {
        "milvus": {"etcd", "minio"},
        "minio-bucket": {"minio"},
        "migrate": {"postgres"},
        "grafana": {"prometheus"},
    }
    for name in APP_COMMANDS.keys() | {"ingest"}:
        needs[name] = {"postgres", "redis", "milvus", "migrate", "minio-bucket"}
    for name, dependencies in needs.items():
        assert set(services[name]["depends_on"]) == dependencies, name


def test_only_the_api_is_published(compose: dict[str, Any]) -> None:
    """The API on every interface; Prometheus, Grafana and the MinIO console on the host's
    127.0.0.1; PostgreSQL, Redis, etcd, MinIO's API and Milvus inside the network only."""
    for name, service in compose["services"].items():
        published = _published(service)
        public = {port for address, port in published if address != "127.0.0.1"}
        loopback = {port for address, port in published if address == "127.0.0.1"}
        assert public == PUBLIC.get(name, set()), name
        assert loopback == LOOPBACK.get(name, set()), name


def test_milvus_is_wired_to_etcd_and_minio(resolved: dict[str, Any]) -> None:
    """Milvus runs standalone and reaches etcd and MinIO by their service names, with the
    MinIO credentials MinIO itself was given."""
    services = resolved["services"]
    milvus = services["milvus"]
    assert milvus["command"] == ["milvus", "run", "standalone"]
    env = _environment(milvus)
    for variable, dependency in [("ETCD_ENDPOINTS", "etcd"), ("MINIO_ADDRESS", "minio")]:
        host, port = env[variable].split(":")
        assert host == dependency and int(port) in _container_ports(services[host])
        assert dependency in milvus["depends_on"]
    minio = _environment(services["minio"])
    assert env["MINIO_ACCESS_KEY_ID"] == minio["MINIO_ROOT_USER"] == SECRETS["MINIO_ROOT_USER"]
    assert env["MINIO_SECRET_ACCESS_KEY"] == minio["MINIO_ROOT_PASSWORD"]


def test_milvus_authentication_is_on(compose: dict[str, Any], resolved: dict[str, Any]) -> None:
    """Milvus refuses anonymous clients (its config read from the environment); the apps'
    token is root with the password Milvus is started with, from the env file."""
    raw = _environment(compose["services"]["milvus"])
    assert raw["COMMON_SECURITY_AUTHORIZATIONENABLED"] == "true"
    assert raw["COMMON_SECURITY_DEFAULTROOTPASSWORD"].startswith("${MILVUS_ROOT_PASSWORD:?")
    for name, service in _apps(resolved).items():
        token = _environment(service)["STYLEGENIE_MILVUS__TOKEN"]
        assert token == f"root:{SECRETS['MILVUS_ROOT_PASSWORD']}", name


def test_secrets_come_from_the_env_file(compose: dict[str, Any]) -> None:
    """No password or key is written in compose: each is a required variable of the env file,
    and app services read that file."""
    services = compose["services"]
    secrets = {
        "postgres": ["POSTGRES_PASSWORD"],
        "minio": ["MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"],
        "minio-bucket": ["MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"],
        "milvus": ["MINIO_ACCESS_KEY_ID", "MINIO_SECRET_ACCESS_KEY"],
        "grafana": ["GF_SECURITY_ADMIN_PASSWORD"],
    }
    for name, keys in secrets.items():
        env = _environment(services[name])
        for key in keys:
            assert re.fullmatch(r"\$\{[A-Z_]+:\?[^}]+\}", env[key]), f"{name} {key}={env[key]}"
    for name in APP_COMMANDS.keys() | {"migrate", "ingest"}:
        env = _environment(services[name])
        assert "${POSTGRES_PASSWORD:?" in env["STYLEGENIE_DATABASE__URL"], name
        assert env["STYLEGENIE_IMAGES__S3_SECRET_KEY"].startswith("${MINIO_ROOT_PASSWORD:?")
        env_files = services[name].get("env_file")
        env_files = [env_files] if isinstance(env_files, str) else env_files or []
        assert APP_ENV_FILE in env_files, name
    assert "minioadmin" not in COMPOSE.read_text(encoding="utf-8")


def test_compose_refuses_to_start_without_the_secrets() -> None:
    """Without its env file compose stops with a message naming the missing variable."""
    with pytest.raises(LookupError, match="POSTGRES_PASSWORD"):
        _interpolate(COMPOSE.read_text(encoding="utf-8"), {})


def test_gpu_worker_renders_with_diffusers_on_a_reserved_gpu(resolved: dict[str, Any]) -> None:
    """The GPU worker gets a GPU, the diffusers settings, and its model under /models."""
    gpu = resolved["services"]["worker-gpu"]
    [device] = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert device["driver"] == "nvidia" and "gpu" in device["capabilities"]
    assert device.get("count", 1) >= 1
    env = _environment(gpu)
    settings = Settings(_env_file=None, **_nested(env))  # type: ignore[arg-type,call-arg]
    assert settings.render.backend == "diffusers" and settings.render.device == "cuda"
    assert settings.render.warm_up and settings.render.model
    assert Path(settings.render.model).is_relative_to("/models")
    assert any(str(v).endswith(":/models:ro") for v in gpu["volumes"]), "models mounted read-only"
    assert "--pool solo" in _command(gpu)
    cpu = resolved["services"]["worker-cpu"]
    assert "--pool prefork" in _command(cpu) and "deploy" not in cpu
    assert "STYLEGENIE_RENDER__BACKEND" not in _environment(cpu)


def test_jobs_create_the_bucket_migrate_and_ingest(resolved: dict[str, Any]) -> None:
    """minio/mc creates the bucket the apps use; `stylegenie migrate` runs before them; the
    ingest job, on demand under the `ingest` profile, loads the mounted feed folder."""
    services = resolved["services"]
    bucket = _environment(services["api"])["STYLEGENIE_IMAGES__S3_BUCKET"]
    mc = services["minio-bucket"]
    assert str(mc["image"]).startswith("minio/mc:")
    assert f"mc mb --ignore-existing stack/{bucket}" in _command(mc)
    assert "http://minio:9000" in _command(mc)
    assert _command(services["migrate"]) == "stylegenie migrate"
    ingest = services["ingest"]
    assert ingest["profiles"] == ["ingest"]
    script = _command(ingest)
    assert "stylegenie catalog ingest" in script and "stylegenie ateliers import" in script
    assert "/feeds/products.csv" in script and "/feeds/ateliers.csv" in script
    assert "./feeds:/feeds:ro" in ingest["volumes"]
    assert "${STYLEGENIE_FEEDS_DIR:-./feeds}:/feeds:ro" in COMPOSE.read_text(encoding="utf-8")
    profiled = {name for name, service in services.items() if service.get("profiles")}
    assert profiled == {"ingest"}, "everything else starts with `docker compose up`"


@pytest.mark.parametrize("key", SERVER_KEYS)
def test_production_hosts_are_compose_services(resolved: dict[str, Any], key: str) -> None:
    """Each server setting of every app service names a compose service and one of its ports."""
    services = resolved["services"]
    for name, service in _apps(resolved).items():
        env = _environment(service)
        assert key in env, f"{name}: {key} has no production value"
        url = urlparse(env[key])
        assert url.hostname in services, f"{name} {key}: host {url.hostname} is not a service"
        assert url.port in _container_ports(services[url.hostname]), f"{name} {key}"


def test_production_database_matches_postgres_service(resolved: dict[str, Any]) -> None:
    """The production database URL uses the user, password and database compose creates."""
    postgres = _environment(resolved["services"]["postgres"])
    for name, service in _apps(resolved).items():
        url = urlparse(_environment(service)["STYLEGENIE_DATABASE__URL"])
        assert url.username == postgres["POSTGRES_USER"], name
        assert url.password == postgres["POSTGRES_PASSWORD"] == SECRETS["POSTGRES_PASSWORD"]
        assert url.path.lstrip("/") == postgres["POSTGRES_DB"], name


def _nested(env: dict[str, str]) -> dict[str, Any]:
    """``{"STYLEGENIE_A__B": "x"}`` -> ``{"a": {"b": "x"}}``, for Settings' keyword arguments."""
    nested: dict[str, Any] = {}
    for key, text in env.items():
        if key not in SETTING_KEYS:
            assert not key.startswith(ENV_PREFIX), f"{key} is not a setting"
            continue
        *parents, leaf = SETTING_KEYS[key]
        node = nested
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = json.loads(text) if text.startswith(("[", "{")) else text
    return nested


def test_compose_environment_loads_into_production_settings(resolved: dict[str, Any]) -> None:
    """The environment compose gives every app service loads as valid Settings, and each of
    its keys changes its setting from the embedded default."""
    default = Settings(_env_file=None)  # type: ignore[call-arg]
    for name, service in _apps(resolved).items():
        env = _environment(service)
        loaded = Settings(_env_file=None, **_nested(env))  # type: ignore[arg-type,call-arg]
        assert loaded.workers.mode == "celery", name
        assert urlparse(loaded.workers.broker_url).hostname == "redis", name
        assert loaded.images.backend == "s3" and loaded.milvus.uri, name
        if name == "worker-gpu":
            continue  # its render settings are checked above (the preset may be the default)
        for key in env.keys() & SETTING_KEYS.keys():
            path = SETTING_KEYS[key]
            assert _value(loaded, path) != _value(default, path), f"{name} {key}"


def test_dockerfile_installs_every_package_dir() -> None:
    """The image is python:3.11-slim, copies every package folder and installs .[all]."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim\s*$", text, re.M)
    assert re.search(r"pip install [\"']?\.\[all\]", text)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for folder in set(pyproject["tool"]["setuptools"]["package-dir"].values()):
        assert re.search(rf"^COPY {re.escape(folder)}[/ ]", text, re.M), folder
    assert "COPY . " not in text, "copying the whole tree would ship .venv and secrets"
    assert re.search(r"^USER \S+", text, re.M), "the services run as a user, not root"


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


def test_example_env_copied_to_dotenv_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every line is commented out: copied to .env for a local run, the settings are the
    embedded defaults (no host `postgres`, no 30 s of failing to resolve it)."""
    live = [
        line
        for line in EXAMPLE_ENV.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert not live, f"live lines in {EXAMPLE_ENV.name}: {live}"
    shutil.copy(EXAMPLE_ENV, tmp_path / ".env")
    monkeypatch.chdir(tmp_path)
    loaded = Settings()
    assert loaded == Settings(_env_file=None)  # type: ignore[call-arg]
    assert loaded.database.url is None and loaded.workers.mode == "eager"
    assert "postgres" not in loaded.model_dump_json()


def test_production_block_documents_what_compose_reads(compose: dict[str, Any]) -> None:
    """Every variable compose reads is a setting or documented in the production block, each
    required one there; every key of the block is a setting or a variable compose reads."""
    text = COMPOSE.read_text(encoding="utf-8")
    read = {m[1]: m[2] for m in INTERPOLATION.finditer(text)}
    documented = _assignments(_sections()[1], COMMENTED_VARIABLE)
    for variable, operator in read.items():
        if operator == ":?" or variable not in SETTING_KEYS:
            assert variable in documented, f"{variable} is not in the production block"
    for variable in documented:
        assert variable in read or variable in SETTING_KEYS, f"{variable}: nothing reads it"
    assert read.keys() >= COMPOSE_ONLY


def test_production_block_uncommented_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    """The production block's settings, uncommented as written, load as valid Settings."""
    block = _assignments(_sections()[1], COMMENTED_ASSIGNMENT)
    settings = {key: text for key, text in block.items() if key in SETTING_KEYS}
    assert "STYLEGENIE_TELEGRAM__TOKEN" in settings and "STYLEGENIE_DISCORD__TOKEN" in settings
    for key, text in settings.items():
        monkeypatch.setenv(key, text)
    loaded = Settings(_env_file=None)  # type: ignore[call-arg]
    assert loaded.telegram.token is not None and loaded.privacy.contact_keys


def test_prometheus_scrapes_every_app_service(compose: dict[str, Any]) -> None:
    """Prometheus finds every replica of every app service by DNS on the metrics port, and
    compose gives it this folder; Grafana gets its provisioning and dashboards."""
    config = yaml.safe_load(PROMETHEUS.read_text(encoding="utf-8"))
    [job] = [job for job in config["scrape_configs"] if job["job_name"] == "stylegenie"]
    [dns] = job["dns_sd_configs"]
    assert dns["type"] == "A" and set(dns["names"]) == set(APP_COMMANDS)
    ports = {
        _environment(s)["STYLEGENIE_OBSERVABILITY__METRICS_PORT"] for s in _apps(compose).values()
    }
    assert ports == {str(dns["port"])}
    assert {"source_labels": ["__meta_dns_name"], "target_label": "service"} in job[
        "relabel_configs"
    ]
    services = compose["services"]
    assert "./deploy/prometheus:/etc/prometheus:ro" in services["prometheus"]["volumes"]
    mounts = {str(v).split(":")[0] for v in services["grafana"]["volumes"]}
    assert {"./deploy/grafana/provisioning", "./deploy/grafana/dashboards"} <= mounts
    for mount in mounts - {"grafana-data"}:
        assert (ROOT / mount).is_dir(), mount


def test_grafana_reads_the_stack_prometheus(compose: dict[str, Any]) -> None:
    """The provisioned data source is the prometheus service; the dashboard panels name its uid."""
    sources = yaml.safe_load(
        (GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text(encoding="utf-8")
    )
    [source] = sources["datasources"]
    url = urlparse(source["url"])
    assert source["type"] == "prometheus" and url.hostname == "prometheus"
    assert url.port in _container_ports(compose["services"]["prometheus"])
    providers = yaml.safe_load(
        (GRAFANA / "provisioning" / "dashboards" / "stylegenie.yml").read_text(encoding="utf-8")
    )
    [provider] = providers["providers"]
    assert (
        f"./deploy/grafana/dashboards:{provider['options']['path']}:ro"
        in (compose["services"]["grafana"]["volumes"])
    )
    dashboard = json.loads((GRAFANA / "dashboards" / "stylegenie.json").read_text("utf-8"))
    for panel in dashboard["panels"]:
        if panel.get("targets"):
            assert panel["datasource"]["uid"] == source["uid"], panel["title"]

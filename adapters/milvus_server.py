"""A Milvus standalone server run by StyleGenie itself, for catalogues beyond Milvus Lite.

The PyPI package ``milvus`` (2.3.5, extra ``milvus-server``) bundles Milvus standalone: one
``milvus run standalone`` process with embedded etcd, RocksMQ and local-disk storage. Its
binaries ship xz-compressed in the wheel and are unpacked on the first start (~250 MB, ~4 s);
nothing is downloaded, and it runs as root. ``ManagedMilvusServer`` uses the package's config
template and unpacking but launches and watches the process itself, so that it:

- binds every port to one free on this machine: the gRPC port clients use (``port``; any
  free one when None), nine internal gRPC ports, the health port, and the embedded etcd's
  client and peer ports (the package leaves those at 2379/2380: two servers would clash),
  keeping the internal ones in ``<base_dir>/ports.json`` for the next start;
- reuses a Milvus already answering on ``port`` (another process of the deployment, or one
  left by a killed process), and serialises starts on one folder with a file lock;
- stops in ~2 s (a standalone query node otherwise waits 30 s for a peer to take its data);
- counts as started only once it accepts DDL: a restart holds DDL until the previous run's
  etcd sessions expire, so their TTL is cut from 30 s to 10 s (a restart takes ~15 s).

Milvus binds its gRPC ports on every interface: keep the firewall closed to them.

It is also the way out when a Milvus Lite file is in use: only one process may open a Lite
file, and ``refuse_held_lite_file`` names the process that holds it (from ``/proc/locks``)
and suggests this server or a Milvus URI instead.
"""

from __future__ import annotations

import atexit
import fcntl
import json
import os
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO

__all__ = [
    "SERVER_DIR",
    "ManagedMilvusServer",
    "MilvusLiteInUse",
    "MilvusServerError",
    "lite_file_holder",
    "managed_server",
    "refuse_held_lite_file",
    "stop_managed_servers",
]

SERVER_DIR = "milvus-server"
"""The server's folder inside the data folder: binaries, config, logs and data."""

_HOST = "127.0.0.1"
_ETCD_KEYS = ("etcd_client", "etcd_peer", "metrics")
_PROBE = "stylegenie_start_probe"
_NODE_STOP_S = 2
_SESSION_TTL_S = 10


class MilvusServerError(RuntimeError):
    """The managed Milvus server cannot start; the message says why and what to do."""


class MilvusLiteInUse(RuntimeError):
    """Another process holds the Milvus Lite file; the message names it and the way out."""


LITE_IN_USE = (
    "The Milvus Lite file {path} is in use by {holder}, and only one process can open it: "
    "stop that process, or share the index through a Milvus server "
    "(STYLEGENIE_MILVUS__MANAGED_SERVER=true, or STYLEGENIE_MILVUS__URI=http://HOST:19530)."
)
_LITE_LOCK = "LOCK"
"""The file in a Milvus Lite data folder that its process holds an exclusive flock on."""


def lite_file_holder(path: Path) -> str | None:
    """Who holds the Milvus Lite file ``path``: "process 123 (python stylegenie worker)", or
    "another process" when ``/proc`` does not tell; None when it is free or held by this
    process (which reuses its own Lite server for the file)."""
    try:
        fd = os.open(path / _LITE_LOCK, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _flock_owner(os.fstat(fd))
        else:
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
    finally:
        os.close(fd)
    if pid == os.getpid():
        return None
    return f"process {pid} ({_command_of(pid)})" if pid else "another process"


def refuse_held_lite_file(path: Path) -> None:
    """Raise ``MilvusLiteInUse`` when another process holds the Milvus Lite file ``path``."""
    holder = lite_file_holder(path)
    if holder is not None:
        raise MilvusLiteInUse(LITE_IN_USE.format(path=path, holder=holder))


def _flock_owner(stat: os.stat_result) -> int | None:
    """The pid ``/proc/locks`` gives for the flock on the file of ``stat``; None if unknown.

    Lines read ``1: FLOCK  ADVISORY  WRITE 19151 fe:00:2146542 0 EOF`` (device in hex).
    """
    device = f"{os.major(stat.st_dev):02x}:{os.minor(stat.st_dev):02x}:{stat.st_ino}"
    try:
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        if len(fields) >= 6 and fields[1] == "FLOCK" and fields[5] == device:
            return int(fields[4])
    return None


def _command_of(pid: int) -> str:
    """The command line of process ``pid``, programs by their names; "?" when unreadable."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    words = [word.decode(errors="replace") for word in raw.split(b"\0") if word]
    shown = [
        Path(word).name if i < 2 and word.startswith("/") else word for i, word in enumerate(words)
    ]
    command = " ".join(" ".join(shown).split()) or "?"  # one line, whatever the arguments
    return command if len(command) <= 100 else command[:99] + "…"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((_HOST, 0))
        return int(sock.getsockname()[1])


def _port_is_free(port: int) -> bool:
    """Whether a server could listen on ``port`` now (SO_REUSEADDR, as Milvus binds)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((_HOST, port))
        except OSError:
            return False
        return True


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((_HOST, port)) == 0


def _probe(uri: str, timeout_s: float, *, ddl: bool = False) -> bool:
    """Whether a Milvus answers at ``uri``; with ``ddl``, whether it creates a collection.

    A restarted server answers at once but holds DDL (and time ticks) until the sessions
    of its previous run expire, ``_SESSION_TTL_S`` after the stop: ready means past that.
    """
    from pymilvus import DataType, MilvusClient

    client: MilvusClient | None = None
    try:
        client = MilvusClient(uri=uri, timeout=min(timeout_s, 2.0))
        if not ddl:
            return bool(client.get_server_version())
        schema = MilvusClient.create_schema(auto_id=True, enable_dynamic_field=False)
        schema.add_field("id", DataType.INT64, is_primary=True)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=2)
        if client.has_collection(_PROBE, timeout=timeout_s):
            client.drop_collection(_PROBE, timeout=timeout_s)
        client.create_collection(_PROBE, schema=schema, timeout=timeout_s)
        client.drop_collection(_PROBE, timeout=timeout_s)
        return True
    except Exception:
        return False
    finally:
        if client is not None:
            client.close()


def _log_tail(folder: Path, lines: int = 15) -> str:
    tails = []
    for name in ("milvus-stderr.log", "milvus-stdout.log"):
        path = folder / "logs" / name
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
            tails.append(f"--- {path}\n" + "\n".join(text))
    return "\n".join(tails) or "(no server log)"


class ManagedMilvusServer:
    """One Milvus standalone process serving ``uri``, started on demand, stopped by ``stop()``.

    ``start()`` is idempotent: a second call, or a Milvus already answering on ``port``,
    returns at once. ``stop()`` stops only a process this object started; a reused server
    keeps running for whoever started it. The binaries are unpacked into
    ``<binaries_dir>/bin`` (default: ``base_dir``); servers may share one such folder.
    """

    def __init__(
        self,
        base_dir: Path,
        port: int | None,
        *,
        auto_compaction: bool,
        binaries_dir: Path | None = None,
        start_timeout_s: float = 180.0,
    ) -> None:
        self._base_dir = base_dir.resolve()
        self._auto_compaction = auto_compaction
        self._binaries_dir = (binaries_dir or base_dir).resolve()
        self._port = port
        self._timeout_s = start_timeout_s
        self._process: subprocess.Popen[bytes] | None = None
        self._logs: list[IO[str]] = []
        self._reused = False
        self._metrics_port = 0
        self._lock = threading.Lock()

    @property
    def base_dir(self) -> Path:
        """The folder holding the server's binaries, config, logs and data."""
        return self._base_dir

    @property
    def port(self) -> int:
        """The gRPC port clients connect to (chosen at ``start()`` when none was given)."""
        if self._port is None:
            raise MilvusServerError("the server has no port until it starts")
        return self._port

    @property
    def uri(self) -> str:
        """The URI for ``MilvusClient(uri=...)`` and ``STYLEGENIE_MILVUS__URI``."""
        return f"http://{_HOST}:{self.port}"

    @property
    def running(self) -> bool:
        """Whether this object started a server process that is still alive."""
        return self._process is not None and self._process.poll() is None

    @property
    def reused(self) -> bool:
        """Whether ``start()`` found a Milvus already answering on the port."""
        return self._reused

    def start(self) -> ManagedMilvusServer:
        """Start the server (or reuse the one on the port) and wait until it serves requests."""
        with self._lock:
            if self.running or self._reused:
                return self
            self._base_dir.mkdir(parents=True, exist_ok=True)
            with (self._base_dir / "start.lock").open("w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # one start per data folder at a time
                if self._port is not None and _listening(self._port):
                    if not _probe(self.uri, 2.0):
                        raise MilvusServerError(
                            f"port {self._port} is taken by something that is not Milvus: "
                            "choose another STYLEGENIE_MILVUS__MANAGED_PORT"
                        )
                    self._reused = True
                    return self
                self._launch()
                try:
                    self._wait_ready()
                except BaseException:
                    self._terminate(timeout_s=5.0)
                    raise
        return self

    def stop(self, timeout_s: float = 30.0) -> None:
        """Stop the process this object started (SIGTERM, then SIGKILL after ``timeout_s``)."""
        with self._lock:
            self._terminate(timeout_s)
            self._reused = False

    def __enter__(self) -> ManagedMilvusServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _internal_ports(self) -> dict[str, int]:
        """The ports kept from the last start where still free, fresh free ones otherwise."""
        from milvus import MilvusServerConfig

        keys = [k for k in MilvusServerConfig().configurable_items if k.endswith("_port")]
        keys = [k for k in keys if k not in ("proxy_port", "etcd_port")] + list(_ETCD_KEYS)
        path = self._base_dir / "ports.json"
        kept: dict[str, int] = json.loads(path.read_text()) if path.is_file() else {}
        ports: dict[str, int] = {}
        for key in keys:
            port = kept.get(key)
            taken = set(ports.values()) | {self._port}
            if port is None or port in taken or not _port_is_free(port):
                port = _free_port()
                while port in taken:
                    port = _free_port()
            ports[key] = port
        path.write_text(json.dumps(ports, indent=1))
        return ports

    def _launch(self) -> None:
        try:
            from milvus import MilvusServerConfig, _initialize_data_files
        except ImportError as error:
            raise MilvusServerError(
                "a managed Milvus server needs the package milvus: "
                "pip install 'stylegenie[milvus-server]'"
            ) from error
        if self._port is None:
            self._port = _free_port()
        ports = self._internal_ports()
        milvus_ports = {k: v for k, v in ports.items() if k not in _ETCD_KEYS}
        milvus_ports["etcd_port"] = ports["etcd_client"]
        config = MilvusServerConfig(data_dir=str(self._base_dir))
        config.template_text = self._with_etcd_config(config.template_text, ports)
        # A restart waits for the sessions of the previous run to expire before it accepts
        # DDL (their leases are not revoked on stop): 10 s instead of 30 s.
        config.set("common.session.ttl", _SESSION_TTL_S)
        # Compaction merges small segments and purges replaced rows; every merged segment is
        # indexed again. Off, segments stay as sealed (a bulk load is indexed once).
        compaction = "true" if self._auto_compaction else "false"
        config.set("dataCoord.compaction.enableAutoCompaction", compaction)
        # Not config.resolve(): its bind check has no SO_REUSEADDR, so it refuses a port
        # that the previous run's connections still hold in TIME_WAIT.
        busy = [p for p in (self._port, *milvus_ports.values()) if not _port_is_free(p)]
        if busy:
            raise MilvusServerError(f"cannot start Milvus: ports {busy} are in use")
        for key, port in milvus_ports.items():
            config.set(key, port)
        config.set("proxy_port", self._port)
        config.resolve_storage()
        config.write_config()
        self._binaries_dir.mkdir(parents=True, exist_ok=True)
        with (self._binaries_dir / "unpack.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # unpacks once; later calls check checksums
            _initialize_data_files(str(self._binaries_dir))
        binary = self._binaries_dir / "bin" / "milvus"
        env = {
            **os.environ,
            "DEPLOY_MODE": "STANDALONE",
            "METRICS_PORT": str(ports["metrics"]),
            "MILVUS_RUN_DIR": str(self._base_dir / "run"),
            "LD_LIBRARY_PATH": f"{binary.parent}:{os.environ.get('LD_LIBRARY_PATH', '')}",
        }
        self._logs = [
            (self._base_dir / "logs" / f"milvus-{name}.log").open("w", encoding="utf-8")
            for name in ("stdout", "stderr")
        ]
        self._metrics_port = ports["metrics"]
        self._process = subprocess.Popen(
            [str(binary), "run", "standalone"],
            cwd=self._base_dir,  # milvus reads ./configs/milvus.yaml
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._logs[0],
            stderr=self._logs[1],
            start_new_session=True,  # Ctrl+C reaches the app, which stops the server in order
        )

    def _with_etcd_config(self, template: str, ports: dict[str, int]) -> str:
        """The package's config template, with the embedded etcd on our own two ports."""
        client = f"http://{_HOST}:{ports['etcd_client']}"
        peer = f"http://{_HOST}:{ports['etcd_peer']}"
        etcd_config = self._base_dir / "configs" / "embedEtcd.yaml"
        etcd_config.parent.mkdir(parents=True, exist_ok=True)
        etcd_config.write_text(
            f"name: default\nlisten-client-urls: {client}\nadvertise-client-urls: {client}\n"
            f"listen-peer-urls: {peer}\ninitial-advertise-peer-urls: {peer}\n"
            f"initial-cluster: default={peer}\n"
        )
        edits = {
            "  use:\n    embed: true": f"  config:\n    path: {etcd_config}\n",
            # A standalone query node stopping waits for another node to take its segments
            # (30 s by default, then a kill that leaves etcd sessions to expire on restart).
            "\nqueryNode:\n": f"  gracefulStopTimeout: {_NODE_STOP_S}\n",
            "\nindexNode:\n": f"  gracefulStopTimeout: {_NODE_STOP_S}\n",
        }
        for anchor, lines in edits.items():
            if anchor not in template:
                raise MilvusServerError(f"unexpected config template: no {anchor.strip()!r}")
            head = anchor if anchor.startswith("\n") else ""
            tail = "" if head else anchor
            template = template.replace(anchor, head + lines + tail, 1)
        return template

    def _wait_ready(self) -> None:
        """Poll /healthz, then create a probe collection, until both work or the process dies."""
        assert self._process is not None
        health = f"http://{_HOST}:{self._metrics_port}/healthz"
        deadline = time.monotonic() + self._timeout_s
        healthy = False
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise MilvusServerError(
                    f"the Milvus server exited with code {self._process.returncode} while "
                    f"starting:\n{_log_tail(self._base_dir)}"
                )
            if not healthy:
                try:
                    with urllib.request.urlopen(health, timeout=2) as response:
                        healthy = b"OK" in response.read()
                except (OSError, urllib.error.URLError):
                    pass
            if healthy and _probe(self.uri, deadline - time.monotonic(), ddl=True):
                return
            time.sleep(0.2)
        raise MilvusServerError(
            f"the Milvus server did not become ready in {self._timeout_s:.0f} s:\n"
            f"{_log_tail(self._base_dir)}"
        )

    def _terminate(self, timeout_s: float) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        for log in self._logs:
            log.close()
        self._logs = []


_servers: dict[tuple[Path, int], ManagedMilvusServer] = {}
_servers_lock = threading.Lock()


def managed_server(data_dir: Path, port: int, *, auto_compaction: bool) -> ManagedMilvusServer:
    """This process's managed server under ``<data_dir>/milvus-server`` on ``port``, started.

    One per (folder, port) and process; stopped when the process exits normally.
    """
    base_dir = (data_dir / SERVER_DIR).resolve()
    key = (base_dir, port)
    with _servers_lock:
        server = _servers.get(key)
        if server is None:
            if not _servers:
                atexit.register(stop_managed_servers)
            server = _servers[key] = ManagedMilvusServer(
                base_dir, port, auto_compaction=auto_compaction
            )
    return server.start()


def stop_managed_servers() -> None:
    """Stop every managed server this process started (registered with ``atexit``)."""
    with _servers_lock:
        servers = list(_servers.values())
        _servers.clear()
    for server in servers:
        server.stop()

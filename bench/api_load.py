"""Benchmark: the REST API under open-loop load: product search batched vs one by one, and
chat text turns.

The driver (this process) prepares a work folder once (kept: a rerun skips the ingest): a
database, the managed Milvus server (HNSW) holding the 44k KAGL catalogue loaded by
``stylegenie catalog ingest`` (photos as thumbnails), and an API key. For each batching
window it serves the API with ``stylegenie api`` (uvicorn, eager workers, search-result
cache off) in a separate process, warms it up, then sends ``POST /api/v1/search`` at fixed
arrival rates, stepping up: each request leaves at its scheduled time whether or not the
earlier ones were answered (open loop), and its latency counts from that time. Bodies are
the shopper phrasings of the dev and held-out query sets (with their price caps), sent by
httpx clients on uvloop.

Per rate: the achieved rate (answers per second), p50 / p95 / p99 latency, errors, and the
CPU of the API process, of the driver and of the whole machine (Milvus included). Per
window: the highest rate sustained with p95 ≤ 100 ms. A window of 0 answers each search
alone. With ``--chat``, ``--chat-clients`` clients (50) then hold conversations of
text-only turns (``POST /api/v1/chat``), each sending its next turn ``--chat-think-s``
(±50%) after the last was answered (0: at once, which measures the machine's limit).

Variants: ``--workers celery`` searches in a ``stylegenie worker`` process through Redis;
``--encoder bf16`` serves the API with its text encoder under bfloat16 autocast (see
``Bf16Embedder``); ``--torch-threads`` sets the API process's encoder threads (1).
``--quick`` is a smoke run: the sample catalogue on Milvus Lite in a temporary folder, two
short low rates per window and a few chat turns.

    .venv/bin/python bench/api_load.py [--work-dir /var/tmp/sg-api-load] [--windows 4,0]
        [--rates 25,50,75,100,125,150,200] [--step-s 15] [--chat] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import itertools
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import AsyncExitStack, ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from chat_load import cpu_seconds, stop_all
from common import percentile, scratch_database
from search_latency import DATA, QUERY_FILES, STYLES, query_texts, table, wait_indexed

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample_products.csv"
KAGL_IMAGES = DATA / "kagl" / "images"
STYLEGENIE = Path(sys.executable).parent / "stylegenie"
TARGET_P95_MS = 100.0
SATURATED_P95_MS = 2000.0
"""A step this slow (or with errors) ends the sweep: higher rates would only queue more."""
REQUEST_TIMEOUT_S = 30.0
CLIENTS, POOL = 8, 32
"""The load goes through CLIENTS httpx clients of POOL connections each: one client with
hundreds of connections spends more CPU finding a free one than sending the request."""
INDEX_TIMEOUT_S = 1800.0
CORES = os.cpu_count() or 1
CPU_HEADS = ["API CPU", "driver CPU", "machine CPU"]
CHAT_TURNS = ("/help", "something for a garden wedding", "🤷", "/prefs size M, Lisbon")
"""Text-only turns (no render, no search), as ``bench/conversation.py`` counts them."""


@dataclass
class Bench:
    """What every stage shares: the options, the API's environment, its key, the size of
    the catalogue and the search bodies."""

    args: argparse.Namespace
    env: dict[str, str]
    key: str
    products: int
    bodies: list[dict[str, Any]]


class Usage:
    """CPU used from its creation on by the API process, this driver and the machine."""

    def __init__(self, pid: int) -> None:
        self._pid, self._api, self._driver = pid, cpu_seconds(pid), time.process_time()
        self._machine, self._start = machine_cpu(), time.perf_counter()

    def cells(self) -> list[str]:
        """Each one's CPU since then, as a share of one core (the machine: of all of them)."""
        wall = time.perf_counter() - self._start
        busy, total = (now - then for now, then in zip(machine_cpu(), self._machine, strict=True))
        used = [cpu_seconds(self._pid) - self._api, time.process_time() - self._driver]
        return [*(f"{seconds / wall:.0%}" for seconds in used), f"{busy / total * CORES:.0%}"]


@dataclass
class Step:
    """One rate's outcome: latencies of the answered requests (s), the errors and the CPU."""

    rate: float
    wall_s: float
    latencies: list[float]
    errors: int
    cpu: list[str]

    def row(self) -> list[str]:
        """The table row: target and achieved rates, p50 / p95 / p99 ms, errors, CPU."""
        ms = [percentile(self.latencies, q) * 1000 for q in (0.5, 0.95, 0.99)]
        return [
            f"{self.rate:g}",
            f"{self.achieved:.0f}",
            *(f"{value:.1f}" for value in ms),
            f"{self.errors}",
            *self.cpu,
        ]

    @property
    def achieved(self) -> float:
        """Answers per second over the step."""
        return len(self.latencies) / self.wall_s

    @property
    def p95_ms(self) -> float:
        """The 95th percentile in ms (infinite when nothing was answered)."""
        return percentile(self.latencies, 0.95) * 1000 if self.latencies else float("inf")


def machine_cpu() -> tuple[int, int]:
    """The machine's busy and total CPU time so far (all cores, in clock ticks)."""
    ticks = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle + iowait
    return sum(ticks) - idle, sum(ticks)


def options() -> argparse.Namespace:
    """The command line; ``--quick`` shrinks every default to a smoke run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--work-dir", type=Path, default=Path("/var/tmp/sg-api-load"), help="kept between runs")
    add("--windows", default="4,0", help="search batch windows in ms, 0 = one by one (4,0)")
    add("--batch-max", type=int, default=32, help="searches per batch at most (32)")
    add("--rates", help="arrival rates, requests/s (25,50,75,100,125,150,200)")
    add("--step-s", type=float, help="seconds per rate (15)")
    add("--chat", action="store_true", help="also measure chat text turns")
    add("--chat-clients", type=int, help="concurrent chat clients (50)")
    add("--chat-turns", type=int, help="text turns per chat client (20)")
    add("--chat-think-s", type=float, default=1.0, help="a client's pause between turns (1)")
    add("--torch-threads", type=int, default=1, help="the API process's encoder threads (1)")
    add("--port", type=int, default=8731, help="the API's port")
    add("--milvus-port", type=int, default=19641, help="the managed Milvus server's port")
    add("--quick", action="store_true", help="smoke run: the sample catalogue on Milvus Lite")
    add("--encoder", choices=("fp32", "bf16"), default="fp32", help="see Bf16Embedder (fp32)")
    add(
        "--workers",
        choices=("eager", "celery"),
        default="eager",
        help="search in the API process, or in a `stylegenie worker` process through Redis (eager)",
    )
    add("--worker-threads", type=int, default=2, help="the Celery worker's threads (2)")
    add("--role", choices=("api-bf16",), help=argparse.SUPPRESS)
    add("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    args.rates = args.rates or ("20,40" if args.quick else "25,50,75,100,125,150,200")
    args.step_s = args.step_s or (3.0 if args.quick else 15.0)
    args.chat_clients = args.chat_clients or (5 if args.quick else 50)
    args.chat_turns = args.chat_turns or (4 if args.quick else 20)
    return args


def environment(args: argparse.Namespace, data_dir: Path, url: str) -> dict[str, str]:
    """The settings of every StyleGenie process of the bench, as its environment."""
    milvus = {
        "STYLEGENIE_MILVUS__MANAGED_SERVER": "true",
        "STYLEGENIE_MILVUS__MANAGED_PORT": str(args.milvus_port),
        "STYLEGENIE_MILVUS__MANAGED_AUTO_COMPACTION": "false",
        "STYLEGENIE_MILVUS__INDEX_TYPE": "HNSW",
    }
    return {
        **os.environ,
        **({} if args.quick else milvus),
        "HF_HUB_OFFLINE": "1",
        "OMP_NUM_THREADS": str(args.torch_threads),
        "STYLEGENIE_DATA_DIR": str(data_dir),
        "STYLEGENIE_DATABASE__URL": url,
        "STYLEGENIE_DATABASE__POOL_MAX": "20",
        "STYLEGENIE_WORKERS__MODE": args.workers,
        "STYLEGENIE_WORKERS__BROKER_URL": "redis://127.0.0.1:6379/11",
        "STYLEGENIE_WORKERS__RESULT_BACKEND": "redis://127.0.0.1:6379/12",
        "STYLEGENIE_SEARCH__CACHE_TTL_S": "0",
        "STYLEGENIE_API__REQUESTS_PER_MINUTE": "100000000",
        "STYLEGENIE_CHAT__MESSAGES_PER_MINUTE": "100000000",
        "STYLEGENIE_API__SEARCH_BATCH_MAX": str(args.batch_max),
    }


def ingest(args: argparse.Namespace, env: dict[str, str], work: Path) -> None:
    """Load the catalogue with ``stylegenie catalog ingest`` unless this folder holds it
    already (it says so in ``ingested.json``, with how long the ingest took)."""
    marker = work / "ingested.json"
    if marker.exists():
        return
    feed = [str(SAMPLE)] if args.quick else [str(STYLES), "--preset", "kagl"]
    feed += [] if args.quick else ["--images", str(KAGL_IMAGES)]
    print(f"ingesting {feed[0]} (once per work folder)…", flush=True)
    start = time.monotonic()
    command = [str(STYLEGENIE), "catalog", "ingest", *feed, "--quiet"]
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    marker.write_text(json.dumps({"seconds": round(time.monotonic() - start)}))


def prepared(args: argparse.Namespace, env: dict[str, str]) -> tuple[int, str]:
    """How many products the catalogue holds (all indexed on the server, once this returns)
    and a new API key for the load."""
    from pymilvus import MilvusClient

    from stylegenie.adapters.postgres.api_keys import PostgresApiKeys
    from stylegenie.adapters.postgres.repositories import PostgresCatalog
    from stylegenie.bots.wiring import database_for
    from stylegenie.config import Settings

    database = database_for(Settings(database={"url": env["STYLEGENIE_DATABASE__URL"]}))
    try:
        products = PostgresCatalog(database).count_products()
        key = PostgresApiKeys(database).create("api-load")[1]
    finally:
        database.close()
    if not args.quick:
        raw = MilvusClient(uri=f"http://127.0.0.1:{args.milvus_port}")
        try:
            wait_indexed(raw, "products", products, INDEX_TIMEOUT_S)
        finally:
            raw.close()
    return products, key


@contextmanager
def served(bench: Bench, window_ms: float) -> Iterator[subprocess.Popen[bytes]]:
    """``stylegenie api`` (or, with ``--encoder bf16``, the ``api-bf16`` role) with this
    batching window, and with ``--workers celery`` a ``stylegenie worker``; warmed up: the
    encoder loaded and the Milvus collection searched."""
    env = bench.env | {"STYLEGENIE_API__SEARCH_BATCH_WINDOW_MS": f"{window_ms:g}"}
    port = ["--port", str(bench.args.port)]
    bf16 = [sys.executable, __file__, "--role", "api-bf16"]
    command = bf16 if bench.args.encoder == "bf16" else [str(STYLEGENIE), "api"]
    worker = None
    if bench.args.workers == "celery":
        threads = ["--pool", "threads", "--concurrency", str(bench.args.worker_threads)]
        worker = subprocess.Popen([str(STYLEGENIE), "worker", *threads], env=env)
    process = subprocess.Popen([*command, *port], env=env)
    try:
        asyncio.run(warm_up(bench, process))
        yield process
    finally:
        stop_all(process, worker)


class Bf16Embedder:
    """The text encoder under torch's bfloat16 autocast: what a precision setting of the
    embedder would give (it has none yet). On this CPU (AVX-512 BF16) it embeds a query
    in ~60% of the time, each vector at cosine ≥ 0.9999 to its float32 one."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.dimension = inner.dimension

    def embed_texts(self, texts: Sequence[str]) -> list[list[float]]:
        """The inner encoder's vectors, computed in bfloat16."""
        import torch

        with torch.autocast("cpu", dtype=torch.bfloat16):
            vectors: list[list[float]] = self._inner.embed_texts(texts)
        return vectors


def api_bf16_role(args: argparse.Namespace) -> None:
    """The API process of ``--encoder bf16``: what ``stylegenie api`` serves, its worker
    runtime built on ``Bf16Embedder``."""
    import uvicorn

    from stylegenie.bots.api import create_api
    from stylegenie.bots.wiring import assemble, text_embedder_for, worker_runtime_for
    from stylegenie.config import load_settings

    settings = load_settings()
    encoder = Bf16Embedder(text_embedder_for(settings))
    app = assemble(settings, lambda catalog: worker_runtime_for(settings, catalog, encoder))
    app.geocoder.load()
    try:
        uvicorn.run(create_api(app), host="127.0.0.1", port=args.port, log_level="warning")
    finally:
        app.close()


async def warm_up(bench: Bench, process: subprocess.Popen[bytes]) -> None:
    """Until the API answers a search; then 50 searches one after another."""
    deadline = time.monotonic() + 180
    async with client(bench, 4) as http:
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the API process did not start")
            try:
                if (await http.post("/api/v1/search", json=bench.bodies[0])).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.5)
        for body in bench.bodies[:50]:
            (await http.post("/api/v1/search", json=body)).raise_for_status()


def client(bench: Bench, connections: int) -> httpx.AsyncClient:
    """An HTTP client of the API with the bench's key and ``connections`` connections."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{bench.args.port}",
        headers={"X-API-Key": bench.key},
        limits=limits,
        timeout=REQUEST_TIMEOUT_S,
    )


async def load_step(
    bench: Bench, fleet: Sequence[httpx.AsyncClient], rate: float, pid: int
) -> Step:
    """``rate`` searches a second for ``--step-s`` seconds, each sent at its own time, in
    turn by the clients of ``fleet``."""
    count = int(rate * bench.args.step_s)
    sends = itertools.islice(zip(itertools.cycle(fleet), itertools.cycle(bench.bodies)), count)
    latencies: list[float] = []
    errors = 0

    async def one(due: float, http: httpx.AsyncClient, body: dict[str, Any]) -> None:
        nonlocal errors
        try:
            response = await http.post("/api/v1/search", json=body)
            ok = response.status_code == 200
        except httpx.HTTPError:
            ok = False
        if ok:
            latencies.append(time.perf_counter() - due)
        else:
            errors += 1

    usage, start = Usage(pid), time.perf_counter() + 0.05
    tasks = []
    for i, (http, body) in enumerate(sends):
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(one(due, http, body)))
    await asyncio.gather(*tasks)
    return Step(rate, time.perf_counter() - start, latencies, errors, usage.cells())


async def sweep(bench: Bench, pid: int) -> list[Step]:
    """Every rate in turn, until one misses by far (saturated) or fails requests."""
    steps: list[Step] = []
    rates = [float(rate) for rate in bench.args.rates.split(",")]
    async with AsyncExitStack() as stack:
        fleet = [await stack.enter_async_context(client(bench, POOL)) for _ in range(CLIENTS)]
        for rate in rates:
            step = await load_step(bench, fleet, rate, pid)
            steps.append(step)
            print("  " + " | ".join(step.row()), flush=True)
            if step.errors or step.p95_ms > SATURATED_P95_MS:
                break
            await asyncio.sleep(1.0)  # let the last step's stragglers settle
    return steps


async def chat_load(bench: Bench, pid: int) -> list[str]:
    """``--chat-clients`` conversations of text turns, each turn sent ``--chat-think-s``
    (±50%) after the last was answered: the table row of the turns' latencies."""
    latencies: list[float] = []
    pause = random.Random(7)

    async def converse(http: httpx.AsyncClient, number: int, think_s: float) -> None:
        turns = itertools.islice(itertools.cycle(CHAT_TURNS), bench.args.chat_turns)
        for message in turns:
            sent = time.perf_counter()
            body = {"session_id": f"load-{number}", "message": message}
            (await http.post("/api/v1/chat", json=body)).raise_for_status()
            latencies.append(time.perf_counter() - sent)
            await asyncio.sleep(think_s * pause.uniform(0.5, 1.5))

    clients, think = bench.args.chat_clients, bench.args.chat_think_s
    async with client(bench, clients) as http:
        await converse(http, -1, 0.0)  # the engine's first turn (imports, pools) is not timed
        latencies.clear()
        usage, start = Usage(pid), time.perf_counter()
        await asyncio.gather(*(converse(http, n, think) for n in range(clients)))
        rate = len(latencies) / (time.perf_counter() - start)
    ms = [f"{percentile(latencies, q) * 1000:.1f}" for q in (0.5, 0.95, 0.99)]
    return [str(clients), f"{think:g}", f"{rate:.0f}", *ms, *usage.cells()]


def sustained(steps: Sequence[Step]) -> str:
    """The highest achieved rate of a step with p95 ≤ 100 ms and no errors, or "none"."""
    good = [s.achieved for s in steps if s.p95_ms <= TARGET_P95_MS and not s.errors]
    return f"{max(good):.0f}" if good else "none"


def label(window_ms: float) -> str:
    """How a batching window is named in the tables."""
    return f"batched ({window_ms:g} ms window)" if window_ms else "one by one (window 0)"


def run(bench: Bench) -> None:
    """Every window's sweep (and the chat load on the first), then the tables."""
    windows = [float(w) for w in bench.args.windows.split(",")]
    heads = ["rate/s", "achieved/s", "p50 ms", "p95 ms", "p99 ms", "errors", *CPU_HEADS]
    summary: list[list[str]] = []
    chat: list[str] | None = None
    for window in windows:
        print(f"\n{label(window)}: {' | '.join(heads)}", flush=True)
        with served(bench, window) as process:
            steps = asyncio.run(sweep(bench, process.pid))
            if bench.args.chat and chat is None:
                chat = asyncio.run(chat_load(bench, process.pid))
        title = f"/api/v1/search, {label(window)}, {bench.products:,} products"
        table(f"{title}, {bench.args.step_s:g} s per rate", heads, [s.row() for s in steps])
        summary.append([label(window), sustained(steps)])
    table("highest rate sustained with p95 ≤ 100 ms (requests/s)", ["search", "rate"], summary)
    if chat is not None:
        heads = ["clients", "think s", "turns/s", "p50 ms", "p95 ms", "p99 ms", *CPU_HEADS]
        table("/api/v1/chat text turns (target p95 ≤ 50 ms)", heads, [chat])


def fast_event_loop() -> None:
    """uvloop for the load generator when it is installed (it halves the loop's overhead)."""
    try:
        import uvloop
    except ImportError:
        return
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


def main() -> None:
    """Prepare the work folder (or a temporary one with --quick), then run the loads."""
    args = options()
    if args.role:
        return api_bf16_role(args)
    fast_event_loop()
    if not all(path.is_file() for path in (STYLES, *QUERY_FILES)):
        return print(f"skipped: this bench needs the shared KAGL data and queries ({DATA})")
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory())) if args.quick else None
        work = (work or args.work_dir).resolve()
        work.mkdir(parents=True, exist_ok=True)
        name = "sg_api_load_" + hashlib.sha1(str(work).encode()).hexdigest()[:10]
        url = stack.enter_context(scratch_database(args.pg_url, name, keep=not args.quick))
        env = environment(args, work / "data", url)
        if not args.quick:  # one server for every process of the bench, stopped at exit
            from stylegenie.adapters.milvus_server import managed_server

            managed_server(work / "data", args.milvus_port, auto_compaction=False)
        ingest(args, env, work)
        products, key = prepared(args, env)
        bodies = [
            {"text": text, **({"max_price": price} if price else {})}
            for text, price in query_texts()
        ]
        run(Bench(args, env, key, products, bodies))


if __name__ == "__main__":
    main()

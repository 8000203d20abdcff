"""Benchmark: ingest rate, search latency beside raw Milvus, and peak memory, Lite vs server.

1. ingest: KAGL (``kagl`` preset) through ``CatalogIngestor`` as ``stylegenie catalog ingest``
   runs it (feed with its row checks → PostgreSQL → MiniLM → Milvus Lite) vs the encoder
   alone on the same texts, timed before and after the ingest (the mean is the reference:
   the machine is shared; the title carries the load average before → after).
2. latency per query, p50 / p95: ``embed`` (MiniLM on the text); ``search()`` (the whole
   ``ProductSearcher.search``, built as the product builds it: embedding, Milvus, product
   metadata, ranking, a second pass when a colour finds too few); ``excl. embed`` (that
   ``search()`` fed a vector computed beforehand) with the metadata in the searcher's
   in-memory cache (warm) or fetched from PostgreSQL (cold: the cache emptied before the
   query); ``raw`` (pymilvus ``client.search`` sending the very requests the project sent:
   same collection, vector, filter and limit, twice when the project searched twice, and
   reading the hits' ids and distances);
   overhead = excl. embed / raw − 1. Filters: the reader's plus in-stock, or none.
   ``warm read PG``: the share of warm searches that still fetched metadata, because the
   index answered the repeated query with other neighbours (HNSW does on random synthetic
   vectors, whose nearest neighbours are near-ties; on the real catalogue it does not).
   3. batched: B queries per encoder call and per pymilvus call vs one by one.
4. memory: peak RSS of a fresh search process (KAGL on Milvus Lite + MiniLM).

``44k`` is the real catalogue; other sizes are synthetic (fields of random KAGL rows, random
unit vectors, metadata in PostgreSQL too). The server (HNSW) is timed once ``describe_index``
counts every row indexed (1M rows: ~35 min on 2 cores).

    .venv/bin/python bench/search_latency.py --quick [--engines lite,server]
    .venv/bin/python bench/search_latency.py --ingest-only --kagl-rows 3000
    .venv/bin/python bench/search_latency.py --engines lite --sizes 44k,100k,300k
    .venv/bin/python bench/search_latency.py --engines server --sizes 44k,100k,1M \
        --work-dir /var/tmp/sg-latency      # kept: a rerun skips inserting and indexing
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from itertools import cycle, islice
from pathlib import Path
from typing import Any

import numpy as np
from common import scratch_database
from pymilvus import MilvusClient

from stylegenie.adapters.catalog_presets import PRESETS, synthetic_price
from stylegenie.adapters.feeds import FeedOptions, ProductFeed, read_products
from stylegenie.adapters.milvus_index import LITE_FILE, VECTOR_FIELD, MilvusProductIndex
from stylegenie.adapters.milvus_index import filter_expression as expression
from stylegenie.adapters.milvus_server import ManagedMilvusServer
from stylegenie.adapters.postgres.database import Database
from stylegenie.adapters.postgres.repositories import PostgresCatalog
from stylegenie.adapters.product_cache import CachedCatalog
from stylegenie.adapters.text_embedder import SentenceTransformerEmbedder
from stylegenie.bots.wiring import database_for, ranking_weights_for, searched_catalog
from stylegenie.config import Settings
from stylegenie.config.settings import MilvusSettings
from stylegenie.core.domain import Product
from stylegenie.core.ingest import CatalogIngestor
from stylegenie.core.ports import CatalogRepo, Embedder, SearchFilters
from stylegenie.core.search import ProductSearcher
from stylegenie.core.search_query import query_from_text

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
STYLES = DATA / "kagl" / "styles.csv"
QUERY_FILES = (DATA / "eval" / "dev_queries.jsonl", ROOT / "bench" / "heldout_queries.jsonl")
BATCH, CHUNK, TOP, WARM_UP, INDEX_TIMEOUT_S = 256, 5000, 10, 5, 4 * 3600
KAGL = FeedOptions(preset=PRESETS["kagl"])


@dataclass
class Run:
    """What every stage shares: options, stores, encoder, query texts and the result rows."""

    args: argparse.Namespace
    work: Path
    settings: Settings
    db: Database
    embedder: SentenceTransformerEmbedder
    texts: list[tuple[str, float | None]]
    stack: ExitStack
    catalog: PostgresCatalog
    templates: list[Product] = field(default_factory=list)
    kagl_vectors: list[list[float]] | None = None
    server: ManagedMilvusServer | None = None
    latency: list[list[str]] = field(default_factory=list)
    batched: list[list[str]] = field(default_factory=list)


def size_of(token: str) -> int | None:
    """``44k``/``kagl`` → None (the real catalogue); ``100k`` → 100000; ``1M`` → 1000000."""
    token, scale = token.strip().lower(), {"k": 1_000, "m": 1_000_000}
    return None if token in ("44k", "kagl") else int(float(token[:-1]) * scale[token[-1]])


def pct(values: Sequence[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


def ms(values: Sequence[float]) -> str:
    return f"{pct(values, 0.5) * 1000:.1f} / {pct(values, 0.95) * 1000:.1f}"


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    lines = [headers, ["---"] * len(headers), *rows]
    print(f"\n### {title}\n\n" + "\n".join("| " + " | ".join(r) + " |" for r in lines), flush=True)


def query_texts() -> list[tuple[str, float | None]]:
    """Shopper phrasings of the dev set and of our held-out set."""
    return [
        (item["text"], item.get("max_price"))
        for path in QUERY_FILES
        for item in map(json.loads, path.read_text(encoding="utf-8").splitlines())
    ]


def encode_alone(embedder: Embedder, texts: Sequence[str]) -> tuple[float, list[list[float]]]:
    """Seconds MiniLM alone takes on ``texts`` in the ingest's batches, and the vectors."""
    start = time.perf_counter()
    vectors: list[list[float]] = []
    for first in range(0, len(texts), BATCH):
        vectors += embedder.embed_texts(texts[first : first + BATCH])
    return time.perf_counter() - start, vectors


def load() -> str:
    """The 1-minute load average: the machine is shared, so every figure carries it."""
    return f"{os.getloadavg()[0]:.1f}"


def kagl_ingest(run: Run, index: MilvusProductIndex) -> None:
    """Table 1: the encoder alone, the project's ingest path into ``index`` (Lite), and the
    encoder alone again: on a shared machine the ingest is set against the mean of both."""
    rows = run.args.kagl_rows
    products = read_products(STYLES, KAGL)[0][:rows]
    texts = [product.search_text() for product in products]
    loads = [load()]
    before_s, vectors = encode_alone(run.embedder, texts)
    start = time.perf_counter()
    feed = islice(ProductFeed(STYLES, KAGL), rows)
    CatalogIngestor(run.embedder, index, run.catalog, batch_size=BATCH).ingest_items(feed)
    ingest_s = time.perf_counter() - start
    after_s, _ = encode_alone(run.embedder, texts)
    loads.append(load())
    encoder_s, n = (before_s + after_s) / 2, len(products)
    heads = ["path", "s", "products/s", "vs encoder"]
    encoder = f"{encoder_s:.1f} ({before_s:.1f} before, {after_s:.1f} after)"
    rows = [["MiniLM alone, same texts", encoder, f"{n / encoder_s:.0f}", "100%"]]
    rows += [["project: feed → PG → MiniLM → Lite", f"{ingest_s:.1f}", f"{n / ingest_s:.0f}"]]
    rows[1].append(f"{encoder_s / ingest_s:.0%}")
    title = (
        f"ingest: KAGL, {n:,} products, {run.args.threads} torch threads, load {'→'.join(loads)}"
    )
    table(title, heads, rows)
    run.templates, run.kagl_vectors = products, vectors


def synthetic(run: Run, start: int, stop: int) -> tuple[list[Product], list[list[float]]]:
    """Rows ``start``..``stop`` of the synthetic catalogue: the same for any run and engine."""
    pick = random.Random(start)
    products = []
    for i in range(start, stop):
        like = pick.choice(run.templates)
        update = {"id": f"syn-{i}", "name": f"{like.name} {i}", "in_stock": pick.random() < 0.9}
        update["price"] = synthetic_price(f"syn-{i}", like.category)
        products.append(like.model_copy(update=update))
    matrix = np.random.default_rng(start).standard_normal((stop - start, run.embedder.dimension))
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    return products, matrix.astype(np.float32).tolist()


def fill_synthetic(run: Run, index: MilvusProductIndex, rows: int, engine: str) -> None:
    """Upsert synthetic rows ``0..rows`` into PostgreSQL (once) and into the index (if short)."""
    with run.db.connection() as conn:
        have = conn.execute("SELECT count(*) AS n FROM products WHERE id LIKE 'syn-%'").fetchone()
    in_pg, in_index = int(have["n"]) if have else 0, index.count()
    if in_pg >= rows and in_index >= rows:
        return
    print(f"{engine}: inserting {rows:,} synthetic rows…", flush=True)
    start = time.perf_counter()
    for first in range(0, rows, CHUNK):
        products, vectors = synthetic(run, first, min(first + CHUNK, rows))
        if in_pg < rows:
            run.catalog.upsert_products(products)
        if in_index < rows:
            index.upsert(products, vectors)
    print(f"{engine}: inserted in {time.perf_counter() - start:.0f} s", flush=True)


def wait_indexed(raw: MilvusClient, collection: str, rows: int, timeout_s: float) -> None:
    """Flush, then poll ``describe_index`` until every row is in the HNSW index.

    Segments that compaction merges are indexed again (``pending_index_rows``); the wait
    lasts until none is pending, so that searches are timed on a settled server.
    """
    raw.flush(collection)
    start = last = time.monotonic()
    while True:
        info = raw.describe_index(collection, VECTOR_FIELD)
        done, pending = int(info.get("indexed_rows", 0)), int(info.get("pending_index_rows", 0))
        if done >= rows and pending == 0 and info.get("state") == "Finished":
            print(f"server: {done:,} rows indexed ({time.monotonic() - start:.0f} s)", flush=True)
            return
        if time.monotonic() - start > timeout_s:
            raise SystemExit(
                f"server: {done:,}/{rows:,} rows indexed, {pending:,} pending after {timeout_s} s"
            )
        if time.monotonic() - last > 30:
            print(f"server: {done:,}/{rows:,} rows indexed, {pending:,} pending…", flush=True)
            last = time.monotonic()
        time.sleep(2)


def searcher(embedder: Embedder, index: Any, catalog: CatalogRepo) -> ProductSearcher:
    """``ProductSearcher`` with the default ranking settings, as the product builds it."""
    settings = Settings()
    weights = ranking_weights_for(settings)
    return ProductSearcher(embedder, index, catalog, weights, settings.ranking.candidates)


@dataclass
class Precomputed:
    """An Embedder answering from vectors computed beforehand: ``search()`` minus embedding."""

    dimension: int
    vectors: dict[str, list[float]] = field(default_factory=dict)

    def embed_texts(self, texts: Sequence[str]) -> list[list[float]]:
        return [self.vectors[text] for text in texts]


@dataclass
class Recorded:
    """The index, recording the filter and limit of every search the project sends it."""

    index: MilvusProductIndex
    calls: list[tuple[str, int]] = field(default_factory=list)

    def search(self, vector: Sequence[float], filters: SearchFilters, limit: int) -> Any:
        self.calls.append((expression(filters), limit))
        return self.index.search(vector, filters, limit)


@dataclass
class Counted:
    """The PostgreSQL catalogue, counting ``get_products`` calls (metadata cache misses)."""

    catalog: PostgresCatalog
    reads: int = 0

    def get_products(self, ids: Sequence[str]) -> dict[str, Product]:
        self.reads += 1
        return self.catalog.get_products(ids)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.catalog, name)


def measure(run: Run, label: list[str], index: MilvusProductIndex, raw: MilvusClient) -> None:
    """Tables 2 and 3 for one engine and catalogue.

    Per query: the whole ``search()``; the same fed a precomputed vector, with product
    metadata in the searcher's memory (warm) and fetched from PostgreSQL (cold: the cache
    emptied first); and raw pymilvus sending the very requests the project sent (one, or
    two when a colour found too few and the project searched again without it). Warm and
    raw alternate which of them runs first after the embedding.
    """
    known, recorded = Precomputed(run.embedder.dimension), Recorded(index)
    settings = Settings()
    counted = Counted(run.catalog)
    metadata = searched_catalog(settings, counted)  # type: ignore[arg-type]
    assert isinstance(metadata, CachedCatalog), "the metadata cache is on by default"
    full = searcher(run.embedder, recorded, metadata)
    excl = searcher(known, recorded, metadata)
    params = {"metric_type": "COSINE"}

    def raw_search(vectors: list[list[float]], filters: str, limit: int) -> float:
        start = time.perf_counter()
        found = raw.search(
            index.collection, data=vectors, filter=filters, limit=limit,
            anns_field=VECTOR_FIELD, search_params=params, output_fields=[],
        )  # fmt: skip
        assert all(len(hits.ids) == len(hits.distances) for hits in found)  # read, as callers do
        return time.perf_counter() - start

    queries = [query_from_text(text, price, TOP) for text, price in run.texts]
    mean_search = 0.0
    for mode in ("filtered", "none"):
        keys = ("embed", "search", "warm", "cold", "raw")
        took: dict[str, list[float]] = {key: [] for key in keys}
        missed = 0  # warm searches that still read PostgreSQL
        for i in range(run.args.queries + WARM_UP):
            query = queries[i % len(queries)]
            if mode == "none":
                query = query.model_copy(update={"filters": SearchFilters(in_stock_only=False)})
            t0 = time.perf_counter()
            vector = known.vectors[query.text] = run.embedder.embed_texts([query.text])[0]
            t1 = time.perf_counter()
            recorded.calls.clear()
            full.search(query)
            t2 = time.perf_counter()
            calls = list(recorded.calls)
            # Warm and raw take turns at running first, right after the embedding (whose
            # torch threads may still hold a core for a moment): neither gets the better slot.
            raw_first = i % 2 == 1
            raw_s = sum(raw_search([vector], *call) for call in calls) if raw_first else 0.0
            reads = counted.reads
            t3 = time.perf_counter()
            excl.search(query)
            t4 = time.perf_counter()
            missed += i >= WARM_UP and counted.reads > reads
            if not raw_first:
                raw_s = sum(raw_search([vector], *call) for call in calls)
            metadata.clear()
            t5 = time.perf_counter()
            excl.search(query)
            t6 = time.perf_counter()
            spans = (t1 - t0, t2 - t1, t4 - t3, t6 - t5, raw_s)
            for key, seconds in zip(keys, spans, strict=True):
                took[key] += [seconds] if i >= WARM_UP else []
        over = [
            f"{(pct(took[key], 0.5) / pct(took['raw'], 0.5) - 1):+.0%} / "
            f"{(pct(took[key], 0.95) / pct(took['raw'], 0.95) - 1):+.0%}"
            for key in ("warm", "cold")
        ]
        warm_reads = f"{missed / run.args.queries:.0%}"
        run.latency.append([*label, mode, *(ms(took[key]) for key in keys), *over, warm_reads])
        mean_search = mean_search or statistics.mean(took["search"])
    # Table 3: B queries in one encoder call and one pymilvus call (the in-stock filter).
    texts = [queries[i % len(queries)].text for i in range(run.args.batch)]
    limit, spans = max(settings.ranking.candidates, TOP), []
    for _ in range(3):
        start = time.perf_counter()
        vectors = run.embedder.embed_texts(texts)
        spans.append((time.perf_counter() - start, raw_search(vectors, "in_stock == true", limit)))
    per = 1000 / run.args.batch
    cells = [f"{statistics.median(column) * per:.1f}" for column in zip(*spans, strict=True)]
    run.batched.append([*label, str(run.args.batch), *cells, f"{mean_search * 1000:.1f}"])


def open_engine(run: Run, engine: str, name: str) -> tuple[MilvusProductIndex, MilvusClient]:
    """The project's index and a raw pymilvus client on the same collection."""
    if engine == "lite":
        folder = run.work / f"lite-{name}"
        settings = MilvusSettings()  # FLAT, the Lite default
        uri = str((folder / LITE_FILE).resolve())  # the same in-process Lite server
    else:
        if run.server is None:
            # Each collection is loaded once and then only searched: without compaction it
            # is indexed once (with it, 1M rows were merged and re-indexed for over an hour).
            folder = run.work / "milvus-server"
            server = ManagedMilvusServer(folder, port=None, auto_compaction=False)
            run.server = run.stack.enter_context(server)
        folder, uri = run.work, run.server.uri
        settings = MilvusSettings(uri=uri, index_type="HNSW", collection=f"bench_{name}")
    return MilvusProductIndex(settings, run.embedder, folder), MilvusClient(uri=uri)


def timed_kagl_ingest(run: Run) -> None:
    """Table 1, once per run: KAGL into an empty Lite file, keeping its vectors for the server."""
    shutil.rmtree(run.work / "lite-kagl" / LITE_FILE, ignore_errors=True)  # Lite 3: a folder
    index = MilvusProductIndex(MilvusSettings(), run.embedder, run.work / "lite-kagl")
    kagl_ingest(run, index)
    index.close()


def engine_stage(run: Run, engine: str, size: int | None) -> None:
    """Fill one engine with one catalogue, wait for its index, and time it.

    KAGL is ingested (and timed) for Lite, and for a server collection still short of it.
    """
    if size is None and engine == "lite" and run.kagl_vectors is None:
        timed_kagl_ingest(run)
    index, raw = open_engine(run, engine, "kagl" if size is None else str(size))
    try:
        if size is not None:
            fill_synthetic(run, index, size, engine)
        elif index.count() < len(run.templates):
            if run.kagl_vectors is None:
                timed_kagl_ingest(run)
            index.upsert(run.templates, run.kagl_vectors or [])
        rows = size or len(run.templates)
        if engine == "server":
            wait_indexed(raw, index.collection, rows, INDEX_TIMEOUT_S)
        label = [engine, f"{rows:,} {'real' if size is None else 'synthetic'}"]
        measure(run, [*label, "HNSW" if engine == "server" else "FLAT"], index, raw)
    finally:
        raw.close()
        index.close()
    if engine == "lite" and size is None:
        memory(run, run.work / "lite-kagl")


def memory(run: Run, folder: Path) -> None:
    """Table 4: a fresh process opens the KAGL Lite file and PostgreSQL, loads MiniLM, searches."""
    command = [sys.executable, __file__, "--probe-rss", str(folder), run.db.url]
    command += ["--queries", str(run.args.queries), "--threads", str(run.args.threads)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"the memory probe failed:\n{done.stderr[-3000:]}")
    rows, peak = json.loads(done.stdout.strip().splitlines()[-1])
    title, cells = "memory: a search process, KAGL on Lite + MiniLM", [f"{rows:,}", f"{peak:.0f}"]
    table(title, ["rows", "peak RSS, MiB", "target"], [[*cells, "< 2048"]])


def probe_rss(folder: Path, url: str, queries: int) -> None:
    """The child of ``memory()``: prints [rows, peak RSS in MiB] as one JSON line."""
    embedder = SentenceTransformerEmbedder()
    embedder.load()
    index = MilvusProductIndex(MilvusSettings(), embedder, folder)
    settings = Settings(database={"url": url})
    with closing(database_for(settings)) as db:
        project = searcher(embedder, index, searched_catalog(settings, PostgresCatalog(db)))
        for text, price in islice(cycle(query_texts()), queries):
            project.search(query_from_text(text, price, TOP))
        status = Path("/proc/self/status").read_text().split("VmHWM:")[1]  # not ru_maxrss:
        print(json.dumps([index.count(), int(status.split()[0]) / 1024]))  # exec keeps that
    index.close()


def options() -> argparse.Namespace:
    """The command line; ``--quick`` shrinks every default to a smoke run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--sizes", help="44k (the real KAGL rows), 100k, 300k, 1M… (44k,100k,300k)")
    add("--engines", default="lite", help="lite, server, or lite,server (lite)")
    add("--queries", type=int, help="timed queries per case and filter mode (200)")
    add("--batch", type=int, help="queries per batched call (32)")
    add("--quick", action="store_true", help="smoke run: 1,000 KAGL rows + 5k synthetic")
    add("--kagl-rows", type=int, help="only the first N KAGL rows (all)")
    add("--ingest-only", action="store_true", help="only table 1: the ingest rate vs MiniLM")
    add("--lite-max", type=int, default=300_000, help="largest catalogue run on Lite (300000)")
    add("--threads", type=int, default=os.cpu_count() or 1, help="torch threads (all cores)")
    add("--work-dir", type=Path, help="keep the stores here: a rerun skips inserts and indexing")
    add("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    add("--probe-rss", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.sizes = args.sizes or ("44k,5k" if args.quick else "44k,100k,300k")
    args.queries = args.queries or (20 if args.quick else 200)
    args.batch = args.batch or (8 if args.quick else 32)
    args.kagl_rows = args.kagl_rows or (1000 if args.quick else None)
    return args


def main() -> None:
    """Run every engine × catalogue asked for, then print the latency tables."""
    args = options()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    torch.set_num_threads(args.threads)
    if args.probe_rss:
        return probe_rss(Path(args.probe_rss[0]), args.probe_rss[1], args.queries)
    if not all(path.is_file() for path in (STYLES, *QUERY_FILES)):
        return print(f"skipped: this bench needs the shared KAGL data and queries ({DATA})")
    with ExitStack() as stack:
        work = (args.work_dir or Path(stack.enter_context(tempfile.TemporaryDirectory()))).resolve()
        work.mkdir(parents=True, exist_ok=True)
        name = "sg_latency_" + hashlib.sha1(str(work).encode()).hexdigest()[:10]
        keep = args.work_dir is not None
        url = stack.enter_context(scratch_database(args.pg_url, name, keep=keep))
        settings = Settings(data_dir=work, database={"url": url})
        db = stack.enter_context(closing(database_for(settings)))
        embedder = SentenceTransformerEmbedder(settings.embedder)
        embedder.load()
        run = Run(args, work, settings, db, embedder, query_texts(), stack, PostgresCatalog(db))
        run.templates = read_products(STYLES, KAGL)[0][: args.kagl_rows]  # synthetic rows copy
        if args.ingest_only:
            return timed_kagl_ingest(run)
        for size in map(size_of, args.sizes.split(",")):
            for engine in (engine.strip() for engine in args.engines.split(",")):
                if engine == "lite" and (size or 0) > args.lite_max:
                    print(f"lite: skipping {size:,} rows (> --lite-max; ~5 s/query at 1M)")
                    continue
                engine_stage(run, engine, size)
    head = ["engine", "rows", "index"]
    cells = ["filters", "embed", "search()", "excl. embed (warm)", "excl. embed (cold)"]
    cells += ["raw Milvus, same requests", "overhead warm", "overhead cold", "warm read PG"]
    table(f"latency per query, ms p50 / p95 ({args.queries} queries)", [*head, *cells], run.latency)
    cells = ["B", "embed batched", "raw Milvus batched", "project one by one (mean)"]
    table(f"batched: ms per query, {args.batch} per call", [*head, *cells], run.batched)


if __name__ == "__main__":
    main()

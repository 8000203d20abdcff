"""Benchmark: search quality (P@10) and budget violations on the real KAGL catalogue.

Ingests all rows of ``../shared/data/kagl/styles.csv`` through the ``kagl`` preset into a
temporary Milvus Lite file and a temporary PostgreSQL database, then runs every query of
``../shared/data/eval/dev_queries.jsonl`` and of ``bench/heldout_queries.jsonl`` (our own
shopper phrasings, not in the dev set) through the project's search path —
``query_from_text`` then ``ProductSearcher.search``, top 10 — and prints per set:

- P@10 as ``../shared/data/README.md`` defines it: a product is relevant when its
  articleType, baseColour and (where given) gender are in the query's lists; precision =
  relevant products in the top 10 / min(10, n_relevant), averaged over queries;
- budget violations: returned products priced above the query's ``max_price`` (synthetic
  prices of the preset);
- every query that fell short, with the filters it was read into and what came back.

``n_relevant`` is counted from the catalogue (the dev set's own count is checked against it).

    .venv/bin/python bench/search_quality.py [--reuse DIR] [--pg-url URL] [--verbose]

``--reuse DIR`` keeps the Milvus Lite file and the database between runs (ingesting 44k
products with MiniLM takes a few minutes on two cores); without it both are dropped at exit.
A reused folder is trusted when its product counts match: delete it (and its database,
``sg_quality_<hash>``) after changing the preset, the product text or the encoder.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from common import scratch_database

from stylegenie.adapters.catalog_presets import PRESETS
from stylegenie.adapters.feeds import FeedOptions, read_products
from stylegenie.adapters.milvus_index import MilvusProductIndex
from stylegenie.adapters.postgres.repositories import PostgresCatalog
from stylegenie.adapters.text_embedder import SentenceTransformerEmbedder
from stylegenie.bots.wiring import database_for, ranking_weights_for
from stylegenie.config import Settings
from stylegenie.core.domain import ProductHit
from stylegenie.core.ingest import CatalogIngestor, unique_by_id
from stylegenie.core.search import ProductSearcher
from stylegenie.core.search_query import query_from_text

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
STYLES = DATA / "kagl" / "styles.csv"
QUERY_SETS = {
    "dev": DATA / "eval" / "dev_queries.jsonl",
    "held-out": ROOT / "bench" / "heldout_queries.jsonl",
}
TOP = 10


@dataclass
class Outcome:
    """One query's result: precision, budget violations and the top hits."""

    query: dict
    precision: float
    violations: int
    n_relevant: int
    hits: list[ProductHit] = field(default_factory=list)


def grades(path: Path) -> dict[str, tuple[str, str, str]]:
    """Every catalogue id → (articleType, baseColour, gender), as the relevance rule reads them."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            row["id"]: (row["articleType"], row["baseColour"], row["gender"])
            for row in csv.DictReader(handle)
        }


def is_relevant(grade: tuple[str, str, str], relevant: dict) -> bool:
    """The data README's rule: type, colour and (where given) gender all in the lists."""
    article_type, colour, gender = grade
    return (
        article_type in relevant["articleType"]
        and colour in relevant["baseColour"]
        and (not relevant.get("gender") or gender in relevant["gender"])
    )


def ingest(
    settings: Settings, catalog: PostgresCatalog, embedder: SentenceTransformerEmbedder
) -> MilvusProductIndex:
    """The index of the whole catalogue; ingested now unless a reused folder holds it already."""
    index = MilvusProductIndex(settings.milvus, embedder, settings.data_dir)
    products, errors = read_products(STYLES, FeedOptions(preset=PRESETS["kagl"]))
    products = unique_by_id(products)
    if index.count() == len(products) and catalog.count_products() == len(products):
        print(f"reusing the ingested catalogue ({len(products):,} products)")
        return index
    print(f"ingesting {len(products):,} products ({len(errors)} rows refused)…", flush=True)
    start = time.perf_counter()
    CatalogIngestor(embedder, index, catalog, batch_size=512).ingest(products)
    seconds = time.perf_counter() - start
    print(f"ingested in {seconds:.0f} s ({len(products) / seconds:.0f} products/s)")
    return index


def evaluate(
    searcher: ProductSearcher, queries: list[dict], catalogue: dict[str, tuple[str, str, str]]
) -> list[Outcome]:
    """Run each query through the search path and grade its top 10."""
    outcomes = []
    for query in queries:
        relevant = query["relevant"]
        n_relevant = sum(is_relevant(grade, relevant) for grade in catalogue.values())
        if "n_relevant" in query and query["n_relevant"] != n_relevant:
            print(
                f"note: {query['id']} says n_relevant {query['n_relevant']}, counted {n_relevant}"
            )
        max_price = query.get("max_price")
        hits = searcher.search(query_from_text(query["text"], max_price, top_k=TOP))
        good = sum(is_relevant(catalogue[hit.product.id], relevant) for hit in hits[:TOP])
        over = sum(1 for hit in hits if max_price is not None and hit.product.price > max_price)
        precision = good / min(TOP, n_relevant) if n_relevant else 0.0
        outcomes.append(Outcome(query, min(precision, 1.0), over, n_relevant, hits))
    return outcomes


def report(name: str, outcomes: list[Outcome], catalogue: dict, verbose: bool) -> float:
    """Print the set's metrics and its failures; return its P@10."""
    p_at_10 = sum(o.precision for o in outcomes) / len(outcomes)
    violations = sum(o.violations for o in outcomes)
    failed = [o for o in outcomes if o.precision < 1.0 or o.violations]
    print(
        f"\n{name}: {len(outcomes)} queries  P@10 {p_at_10:.3f}  "
        f"budget violations {violations}  queries below 1.0: {len(failed)}"
    )
    for outcome in failed if not verbose else outcomes:
        query = query_from_text(outcome.query["text"], outcome.query.get("max_price"), TOP)
        print(
            f"  {outcome.query['id']} P@10 {outcome.precision:.2f} (n={outcome.n_relevant}) "
            f"{outcome.query['text']!r}\n    filters "
            f"{query.filters.model_dump(exclude_defaults=True)}  text {query.text!r}"
        )
        for hit in outcome.hits[:TOP]:
            mark = "+" if is_relevant(catalogue[hit.product.id], outcome.query["relevant"]) else "-"
            print(
                f"    {mark} {hit.product.price:>7g} {hit.product.name} {catalogue[hit.product.id]}"
            )
    return p_at_10


def main() -> None:
    """Ingest (or reuse) the catalogue, run both query sets and print their metrics."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", type=Path, help="keep the ingested catalogue in this folder")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--verbose", action="store_true", help="show every query's top 10")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if not STYLES.is_file():
        raise SystemExit(f"{STYLES} is missing: this bench needs the shared KAGL data")
    import torch

    torch.set_num_threads(os.cpu_count() or 1)

    with tempfile.TemporaryDirectory() as scratch:
        folder = (args.reuse or Path(scratch)).resolve()
        folder.mkdir(parents=True, exist_ok=True)
        name = "sg_quality_" + hashlib.sha1(str(folder).encode()).hexdigest()[:10]
        with scratch_database(args.pg_url, name, keep=args.reuse is not None) as url:
            settings = Settings(data_dir=folder, database={"url": url})
            embedder = SentenceTransformerEmbedder(settings.embedder)
            embedder.load()
            with closing(database_for(settings)) as db:
                catalog = PostgresCatalog(db)
                index = ingest(settings, catalog, embedder)
                weights = ranking_weights_for(settings)
                candidates = settings.ranking.candidates
                searcher = ProductSearcher(embedder, index, catalog, weights, candidates)
                catalogue = grades(STYLES)
                scores = {}
                for set_name, path in QUERY_SETS.items():
                    queries = [json.loads(line) for line in path.open() if line.strip()]
                    outcomes = evaluate(searcher, queries, catalogue)
                    scores[set_name] = report(set_name, outcomes, catalogue, args.verbose)
                index.close()
    print("\n" + "  ".join(f"{n}: P@10 {p:.3f}" for n, p in scores.items()))


if __name__ == "__main__":
    main()

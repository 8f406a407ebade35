"""Vector search at 200,000 x 768 on this machine, for the embedded engine and the alternatives, in one
run: build time, top-10 query latency p50/p95 (one query a call, as the matching job and the API ask),
recall@10 against exact search, memory (RSS growth of this process while building, and the files).

Engines (each skipped with a note when its package does not import):
- embedded: shelfscope's EmbeddedIndex (faiss HNSW), built through `upsert` in `rebuild`'s batches and
  searched from a second instance on the same folder (as the API process does: the graph is mapped);
- exact: faiss IndexFlatIP (brute force, the recall reference);
- qdrant-local: the QdrantIndex adapter on qdrant-client's local mode (brute force in numpy);
- usearch: usearch HNSW with the embedded engine's M / efConstruction / efSearch;
- lancedb: LanceDB IVF_PQ (256 partitions, 96 sub-vectors), nprobes 20, refine 10.

Then, for the embedded engine: recall and latency across efSearch, and filters of several
selectivities answered both ways (exact over the kept points, and the graph walk with a bitmap), which
is how EXACT_BELOW was chosen. The vectors are synthetic and clustered like real embeddings
(bench/vector_data.py says how); `--data gaussian` is the structureless control (much slower to build).

    python -m bench.vector_search                   # 200,000 x 768, every engine
    python -m bench.vector_search --n 20000         # quick
    python -m bench.vector_search --engines embedded,exact --queries 300
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bench.common import machine
from bench.vector_data import F32, I64, Embeddings, clustered, exact_top, gaussian
from shelfscope.vectors import Filter, Payload
from shelfscope.vectors import embedded as engine
from shelfscope.vectors.embedded import EmbeddedIndex
from shelfscope.vectors.rebuild import BATCH

K = 10
ENGINES = ("embedded", "exact", "usearch", "lancedb", "qdrant-local")


@dataclass
class Row:
    engine: str
    params: str
    build_s: float
    p50_ms: float
    p95_ms: float
    recall: float
    rss_mb: float
    files_mb: float
    note: str = ""


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def load() -> str:
    return "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg()) + f" ({os.cpu_count()} cores)"


def timed_queries(search: Callable[[F32], list[int]], queries: F32) -> tuple[list[float], I64]:
    """One query a call; the first few warm caches and are not counted."""
    for q in queries[:5]:
        search(q)
    latencies: list[float] = []
    found = np.full((len(queries), K), -1, dtype=np.int64)
    for i, q in enumerate(queries):
        start = time.perf_counter()
        ids = search(q)
        latencies.append((time.perf_counter() - start) * 1000)
        found[i, : len(ids)] = ids[:K]
    return latencies, found


def recall_at_k(found: I64, truth: I64) -> float:
    return float(
        np.mean([len(set(f) & set(t)) / K for f, t in zip(found.tolist(), truth.tolist(), strict=True)])
    )


def pct(latencies: list[float], q: float) -> float:
    return float(np.percentile(latencies, q))


def payloads(data: Embeddings) -> list[Payload]:
    """Category follows the clusters (a filter on it is correlated with where vectors lie); kind and
    domain follow the row number, which is independent of the vectors (uncorrelated filters)."""
    return [
        Payload(
            kind="product_image" if i % 2 == 0 else "cutout",
            item_id=i,
            product_id=int(p) + 1,
            domain="real" if i % 5 == 0 else "synthetic",
            category=f"c{c}",
        )
        for i, (p, c) in enumerate(zip(data.product.tolist(), data.category.tolist(), strict=True))
    ]


# --- engines: each builds, measures, cleans up, and returns its row ---


def run_embedded(data: Embeddings, truth: I64, work: Path, report: list[str]) -> Row:
    folder = work / "embedded"
    base, n = data.base, len(data.base)
    ids = list(range(1, n + 1))
    points = payloads(data)
    before = rss_mb()
    start = time.perf_counter()
    writer = EmbeddedIndex(folder)
    writer.create_collection("bench", base.shape[1])
    for s in range(0, n, BATCH):
        writer.upsert("bench", ids[s : s + BATCH], base[s : s + BATCH], points[s : s + BATCH])
    build = time.perf_counter() - start
    grown = rss_mb() - before
    writer.close()
    del writer
    gc.collect()

    reader_before = rss_mb()
    reader = EmbeddedIndex(folder)
    start = time.perf_counter()
    reader.count("bench")
    opened = time.perf_counter() - start

    def search(q: F32) -> list[int]:
        return [h.id - 1 for h in reader.search("bench", q[None, :], K)[0]]

    latencies, found = timed_queries(search, data.queries)
    row = Row(
        "embedded",
        f"faiss HNSW M={engine.M} efC={engine.EF_CONSTRUCTION} efS={engine.EF_SEARCH}",
        build,
        pct(latencies, 50),
        pct(latencies, 95),
        recall_at_k(found, truth),
        grown,
        folder_mb(folder),
        f"open {opened:.2f} s; reader RSS +{rss_mb() - reader_before:.0f} MB (mapped, shared)",
    )
    report += sweep_ef(reader, data, truth)
    report += filtered(reader, data)
    report += writes(reader, folder, data)
    reader.close()
    return row


def sweep_ef(index: EmbeddedIndex, data: Embeddings, truth: I64) -> list[str]:
    lines = ["", "embedded engine, efSearch (no filter):"]
    chosen = engine.EF_SEARCH
    for ef in (16, 32, 48, 64, 96, 128, 256):
        engine.EF_SEARCH = ef
        latencies, found = timed_queries(
            lambda q: [h.id - 1 for h in index.search("bench", q[None, :], K)[0]], data.queries
        )
        lines.append(
            f"  efSearch {ef:4d}: recall@10 {recall_at_k(found, truth):.4f}  "
            f"p50 {pct(latencies, 50):6.2f} ms  p95 {pct(latencies, 95):6.2f} ms"
        )
    engine.EF_SEARCH = chosen
    return lines


def filtered(index: EmbeddedIndex, data: Embeddings) -> list[str]:
    """Filters keeping 1 % to 50 % of the points, answered exactly (faiss's flat scan over the kept
    rows) and by the graph walk with a bitmap; how EXACT_BELOW was chosen."""
    n = len(data.base)
    rows = np.arange(n)
    queries = data.queries[: min(300, len(data.queries))]
    categories = np.unique(data.category)
    cases: list[tuple[str, Filter, npt.NDArray[np.bool_]]] = []
    for share in (0.01, 0.05, 0.1, 0.2, 0.3, 0.5):
        kept = categories[: max(1, round(share * len(categories)))]
        cases.append(
            (
                f"{len(kept)} categories (correlated)",
                Filter(categories=[f"c{c}" for c in kept.tolist()]),
                np.isin(data.category, kept),
            )
        )
    cases += [
        ("kind+domain (uncorrelated)", Filter(kinds=["product_image"], domains=["real"]), rows % 10 == 0),
        ("domain (uncorrelated)", Filter(domains=["real"]), rows % 5 == 0),
        ("kind (uncorrelated)", Filter(kinds=["product_image"]), rows % 2 == 0),
    ]
    lines = ["", "embedded engine, filters: exact over the kept points vs the graph walk with a bitmap:"]
    chosen = engine.EXACT_BELOW
    for label, where, allowed in cases:
        truth = exact_top(data.base, queries, K, allowed)
        parts = [f"  {label:<28} keeps {int(allowed.sum()):7d} ({allowed.mean() * 100:4.1f} %):"]
        for method, threshold in (("exact", n + 1), ("graph", 0)):
            engine.EXACT_BELOW = threshold

            def search(q: F32, w: Filter = where) -> list[int]:
                return [h.id - 1 for h in index.search("bench", q[None, :], K, w)[0]]

            latencies, found = timed_queries(search, queries)
            parts.append(
                f"{method} p50 {pct(latencies, 50):6.2f} p95 {pct(latencies, 95):6.2f} ms "
                f"recall {recall_at_k(found, truth):.3f}"
            )
        lines.append("  ".join(parts))
        print(lines[-1], flush=True)
    engine.EXACT_BELOW = chosen
    lines.append(f"  (EXACT_BELOW = {chosen}: filters keeping at most that many points go exact)")
    return lines


def writes(reader: EmbeddedIndex, folder: Path, data: Embeddings) -> list[str]:
    """What the extraction job's batches cost: an upsert of 32 points into the full collection, and
    the reader's next search (it applies the delta)."""
    writer = EmbeddedIndex(folder)
    writer.count("bench")
    upserts: list[float] = []
    seen: list[float] = []
    batch_payloads = payloads(data)[:32]
    for b in range(20):
        ids = list(range(10_000_000 + b * 32, 10_000_000 + (b + 1) * 32))
        start = time.perf_counter()
        writer.upsert("bench", ids, data.queries[:32], batch_payloads)
        upserts.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        reader.search("bench", data.queries[:1], K)
        seen.append((time.perf_counter() - start) * 1000)
    writer.close()
    return [
        "",
        f"embedded engine, upsert of 32 points into {len(data.base)}: p50 {pct(upserts, 50):.1f} ms "
        f"p95 {pct(upserts, 95):.1f} ms; the other instance's next search (applies the delta): "
        f"p50 {pct(seen, 50):.1f} ms p95 {pct(seen, 95):.1f} ms",
    ]


def run_exact(data: Embeddings, truth: I64, work: Path, report: list[str]) -> Row:
    import faiss

    before = rss_mb()
    start = time.perf_counter()
    index = faiss.IndexFlatIP(data.base.shape[1])
    index.add(data.base)
    build = time.perf_counter() - start
    grown = rss_mb() - before
    faiss.write_index(index, str(work / "flat.faiss"))

    def search(q: F32) -> list[int]:
        return [int(i) for i in index.search(q[None, :], K)[1][0]]

    latencies, found = timed_queries(search, data.queries)
    return Row(
        "exact",
        "faiss IndexFlatIP",
        build,
        pct(latencies, 50),
        pct(latencies, 95),
        recall_at_k(found, truth),
        grown,
        (work / "flat.faiss").stat().st_size / 2**20,
    )


def run_qdrant(data: Embeddings, truth: I64, work: Path, report: list[str]) -> Row:
    from qdrant_client import QdrantClient

    from shelfscope.vectors.qdrant import QdrantIndex

    n = len(data.base)
    before = rss_mb()
    start = time.perf_counter()
    index = QdrantIndex(QdrantClient(path=str(work / "qdrant")), "bench_")
    index.create_collection("bench", data.base.shape[1])
    points = payloads(data)
    for s in range(0, n, BATCH):
        index.upsert(
            "bench", list(range(1, n + 1))[s : s + BATCH], data.base[s : s + BATCH], points[s : s + BATCH]
        )
    build = time.perf_counter() - start
    grown = rss_mb() - before
    queries = data.queries[: min(100, len(data.queries))]

    def search(q: F32) -> list[int]:
        return [h.id - 1 for h in index.search("bench", q[None, :], K)[0]]

    latencies, found = timed_queries(search, queries)
    index.close()
    return Row(
        "qdrant-local",
        "QdrantIndex on local mode",
        build,
        pct(latencies, 50),
        pct(latencies, 95),
        recall_at_k(found, truth[: len(queries)]),
        grown,
        folder_mb(work / "qdrant"),
        f"{len(queries)} queries",
    )


def run_usearch(data: Embeddings, truth: I64, work: Path, report: list[str]) -> Row:
    from usearch.index import Index

    before = rss_mb()
    start = time.perf_counter()
    index = Index(
        ndim=data.base.shape[1],
        metric="ip",
        dtype="f32",
        connectivity=engine.M,
        expansion_add=engine.EF_CONSTRUCTION,
        expansion_search=engine.EF_SEARCH,
    )
    index.add(np.arange(len(data.base)), data.base, threads=os.cpu_count() or 1)
    build = time.perf_counter() - start
    grown = rss_mb() - before
    index.save(str(work / "usearch.index"))

    def search(q: F32) -> list[int]:
        return [int(i) for i in index.search(q, K).keys]

    latencies, found = timed_queries(search, data.queries)
    return Row(
        "usearch",
        f"HNSW f32 M={engine.M} efC={engine.EF_CONSTRUCTION} efS={engine.EF_SEARCH}",
        build,
        pct(latencies, 50),
        pct(latencies, 95),
        recall_at_k(found, truth),
        grown,
        (work / "usearch.index").stat().st_size / 2**20,
    )


def run_lancedb(data: Embeddings, truth: I64, work: Path, report: list[str]) -> Row:
    import lancedb
    import pyarrow as pa  # type: ignore[import-untyped]

    n, dim = data.base.shape
    before = rss_mb()
    start = time.perf_counter()
    db = lancedb.connect(str(work / "lance"))
    vectors = pa.FixedSizeListArray.from_arrays(pa.array(data.base.reshape(-1)), dim)
    table = db.create_table("bench", pa.table({"id": pa.array(np.arange(n)), "vector": vectors}))
    table.create_index(metric="cosine", num_partitions=256, num_sub_vectors=96, index_type="IVF_PQ")
    build = time.perf_counter() - start
    grown = rss_mb() - before

    def search(q: F32) -> list[int]:
        query: Any = table.search(q)
        result = query.nprobes(20).refine_factor(10).limit(K).select(["id"]).to_arrow()
        return [int(i) for i in result.column("id").to_pylist()]

    queries = data.queries[: min(500, len(data.queries))]
    latencies, found = timed_queries(search, queries)
    return Row(
        "lancedb",
        "IVF_PQ 256x96, nprobes 20, refine 10",
        build,
        pct(latencies, 50),
        pct(latencies, 95),
        recall_at_k(found, truth[: len(queries)]),
        grown,
        folder_mb(work / "lance"),
        f"{len(queries)} queries",
    )


RUNNERS: dict[str, Callable[[Embeddings, I64, Path, list[str]], Row]] = {
    "embedded": run_embedded,
    "exact": run_exact,
    "qdrant-local": run_qdrant,
    "usearch": run_usearch,
    "lancedb": run_lancedb,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--dim", type=int, default=768)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--data", choices=["clustered", "gaussian"], default="clustered")
    parser.add_argument("--engines", default=",".join(ENGINES))
    args = parser.parse_args()

    print(f"machine: {machine()}")
    print(f"at start: {load()}")
    make = clustered if args.data == "clustered" else gaussian
    data = make(args.n, args.dim, args.queries)
    print(f"data: {args.n} x {args.dim}, {args.queries} queries; {data.how}")
    truth = exact_top(data.base, data.queries, K)
    report: list[str] = []
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="shelfscope-vectors-") as tmp:
        for name in [e.strip() for e in args.engines.split(",") if e.strip()]:
            work = Path(tmp) / name
            work.mkdir()
            gc.collect()
            try:
                row = RUNNERS[name](data, truth, work, report)
            except ImportError as exc:
                print(f"{name}: skipped ({exc})")
                continue
            rows.append(row)
            print(
                f"{row.engine}: build {row.build_s:.1f} s, p50 {row.p50_ms:.2f} ms, p95 {row.p95_ms:.2f} ms, "
                f"recall@10 {row.recall:.4f}  ({load()})",
                flush=True,
            )
            shutil.rmtree(work, ignore_errors=True)
            gc.collect()
    print()
    print(
        f"{'engine':<13} {'params':<44} {'build s':>8} {'p50 ms':>7} {'p95 ms':>7} {'rec@10':>7} "
        f"{'RSS+ MB':>8} {'files MB':>9}  note"
    )
    for r in rows:
        print(
            f"{r.engine:<13} {r.params:<44} {r.build_s:8.1f} {r.p50_ms:7.2f} {r.p95_ms:7.2f} {r.recall:7.4f} "
            f"{r.rss_mb:8.0f} {r.files_mb:9.0f}  {r.note}"
        )
    for line in report:
        print(line)
    print(f"\nat end: {load()}")


if __name__ == "__main__":
    main()

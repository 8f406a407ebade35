"""Product catalogue bench: list latency with 100,000 products through a real `shelfscope serve`, on
SQLite and PostgreSQL.

--products synthetic products (300 brands, 5% without one; 40 categories; 0-8 images each over the
four domains, with their image rows, so every page looks up real cover images) are bulk inserted, then
a fresh server answers: the first page (with its total), page 1,000 by cursor, each other sort, the
brand / category / domain / too-few-images filters, a search for one SKU and for a common name part,
and the facets. p50/p95 over --samples requests each, HTTP round trip included.

    .venv/bin/python -m bench.pr_products_bench [--products 100000] [--samples 50] [--db sqlite,postgres]
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
import uuid
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert

from bench.common import machine, percentiles
from bench.images_bench import database, serve
from shelfscope.db import Database
from shelfscope.db.migrate import upgrade
from shelfscope.pr.products.models import DOMAINS, Product, ProductImage

API = "/api/v1/pr/products"
SEED_BATCH = 10_000
BRANDS = [f"Brand {i:03d}" for i in range(300)]
CATEGORIES = [f"Category {i:02d}" for i in range(40)]
WORDS = ["Milk", "Juice", "Oat", "Yoghurt", "Apple", "Orange", "Cola", "Crisps", "Coffee", "Tea", "Soap"]


def _product(rnd: random.Random, i: int, at: datetime) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    counts = {d: 0 for d in DOMAINS}
    for _ in range(rnd.choice([0, 1, 2, 3, 3, 4, 5, 6, 8])):
        counts[rnd.choice(DOMAINS)] += 1
    product: dict[str, Any] = {
        "id": i + 1,
        "sku": f"SKU-{i:07d}",
        "barcode": f"73{i:011d}" if rnd.random() < 0.8 else None,
        "name": f"{rnd.choice(WORDS)} {rnd.choice(WORDS)} {i}",
        "brand": rnd.choice(BRANDS) if rnd.random() < 0.95 else None,
        "category": rnd.choice(CATEGORIES),
        "attributes": {},
        "status": "active" if rnd.random() < 0.9 else "draft",
        "image_count": sum(counts.values()),
        **{f"{d}_count": n for d, n in counts.items()},
        "created_by": None,
        "created_at": at,
        "updated_at": at,
    }
    images = []
    for domain, n in counts.items():
        for _ in range(n):
            token = uuid.uuid4().hex
            images.append(
                {
                    "product_id": i + 1,
                    "domain": domain,
                    "source": "upload",
                    "storage_key": f"pr_images/{token[:2]}/{token}.jpg",
                    "thumbnail_key": f"pr_thumbnails/{token[:2]}/{token}.jpg",
                    "filename": f"{token[:8]}.jpg",
                    "content_hash": token * 2,
                    "width": 348,
                    "height": 348,
                    "format": "JPEG",
                    "size_bytes": 22_000,
                    "created_by": None,
                    "created_at": at,
                    "updated_at": at,
                }
            )
    return product, images


def seed_products(database_url: str, count: int) -> int:
    """Synthetic products and their image rows straight into the tables; returns the image count."""
    db = Database(database_url, pooled=False)
    rnd = random.Random(42)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    step = timedelta(days=365) / count
    total_images = 0
    with db.write() as session:
        for first in range(0, count, SEED_BATCH):
            products: list[dict[str, Any]] = []
            images: list[dict[str, Any]] = []
            for i in range(first, min(count, first + SEED_BATCH)):
                product, its_images = _product(rnd, i, start + step * i)
                products.append(product)
                images += its_images
            session.execute(insert(Product), products)
            session.execute(insert(ProductImage), images)
            total_images += len(images)
    if not db.is_sqlite:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE pr_products")
            conn.exec_driver_sql("VACUUM ANALYZE pr_product_images")
    else:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    db.dispose()
    return total_images


def _timed(client: httpx.Client, path: str, samples: int, params_for: Any) -> list[float]:
    times: list[float] = []
    for i in range(-5, samples):  # 5 warm-up requests
        started = time.perf_counter()
        response = client.get(path, params=params_for(i))
        took = (time.perf_counter() - started) * 1000
        response.raise_for_status()
        if i >= 0:
            times.append(took)
    return times


def _deep_cursor(client: httpx.Client, pages: int, **params: Any) -> tuple[str, float]:
    cursor = None
    started = time.perf_counter()
    for _ in range(pages):
        page = client.get(
            API, params={"limit": 50, **params, **({"cursor": cursor} if cursor else {})}
        ).json()
        cursor = page["next_cursor"]
    assert cursor is not None
    return cursor, (time.perf_counter() - started) * 1000 / pages


def bench_list(kind: str, count: int, samples: int, root: Path) -> list[float]:
    data_dir = root / f"list-{kind}"
    all_times: list[float] = []
    with ExitStack() as stack:
        url = stack.enter_context(database(kind, root, stack))
        resolved = url or f"sqlite:///{data_dir / 'shelfscope.db'}"
        data_dir.mkdir(parents=True, exist_ok=True)
        upgrade(resolved)
        started = time.perf_counter()
        images = seed_products(resolved, count)
        took = time.perf_counter() - started
        print(f"  {kind}: seeded {count:,} products, {images:,} image rows in {took:.0f} s")
        server = stack.enter_context(serve(data_dir, url))
        client = stack.enter_context(
            httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {server.token}"}, timeout=60)
        )
        deep, walk_ms = _deep_cursor(client, 999)
        deep_brand, _ = _deep_cursor(client, 200, sort="brand", order="desc")
        print(f"  {kind}: paging to page 1,000 took {walk_ms:.1f} ms per page on average")
        brand_page = {"limit": 50, "sort": "brand", "order": "desc", "cursor": deep_brand}
        rnd = random.Random(1)
        skus = [f"sku-{rnd.randrange(count):07d}" for _ in range(samples + 5)]
        cases: list[tuple[str, str, Any]] = [
            ("first page (newest, total)", API, lambda i: {"limit": 50}),
            ("page 1,000 by cursor", API, lambda i: {"limit": 50, "cursor": deep}),
            ("sort name asc", API, lambda i: {"limit": 50, "sort": "name", "order": "asc"}),
            ("sort sku desc", API, lambda i: {"limit": 50, "sort": "sku", "order": "desc"}),
            ("sort brand desc, page 200", API, lambda i: brand_page),
            ("sort image_count desc", API, lambda i: {"limit": 50, "sort": "image_count", "order": "desc"}),
            ("brand filter (~330)", API, lambda i: {"limit": 50, "brand": BRANDS[i % len(BRANDS)]}),
            ("category + has real", API, lambda i: {"limit": 50, "category": CATEGORIES[i % 40],
                                                    "has_domain": "real"}),
            ("too few images (< 3)", API, lambda i: {"limit": 50, "min_images_below": 3}),
            ("missing synthetic", API, lambda i: {"limit": 50, "missing_domain": "synthetic"}),
            ("search one SKU", API, lambda i: {"limit": 50, "q": skus[i + 5]}),
            ("search common word", API, lambda i: {"limit": 50, "q": WORDS[i % len(WORDS)].lower()}),
            ("facets", f"{API}/facets", lambda i: {}),
        ]  # fmt: skip
        for label, path, params_for in cases:
            times = _timed(client, path, samples, params_for)
            if path == API:
                all_times += times
            print(f"  {kind:8s} {label:28s} {percentiles(times)}")
        print(f"  {kind:8s} {'all list requests':28s} {percentiles(all_times)}")
    return all_times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--db", default="sqlite,postgres")
    args = parser.parse_args()
    kinds = [k.strip() for k in args.db.split(",") if k.strip()]
    print(f"machine: {machine()}")
    print(
        f"product list latency with {args.products:,} products, {args.samples} requests each (HTTP included)"
    )
    root = Path(tempfile.mkdtemp(prefix="shelfscope-pr-products-bench-"))
    try:
        for kind in kinds:
            bench_list(kind, args.products, args.samples, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

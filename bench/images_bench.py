"""Image library bench: upload throughput through a real `shelfscope serve`, and list latency with
200,000 images, on SQLite and PostgreSQL.

(1) Upload: --images JPEGs of 3-6 MP, made by upscaling the photos in ../shared/data (raccoons, shelf
    photos) into a temporary folder, posted to `POST /api/v1/od/images` by --clients concurrent clients,
    --per-request files per request, with an API token from `shelfscope users token`. Reports images/s
    and the server process's peak resident memory (VmHWM).
(2) Listing: --library synthetic image rows (folders, 0-3 tags each from 30, a rare tag on 0.1%) bulk
    inserted, then a fresh `shelfscope serve` on that database answers: the first page, page 1,000
    (its cursor found by paging there), a common and a rare tag filter, and filename searches (a rare
    name and a common part). p50/p95 over --samples requests each, HTTP round trip included.

    .venv/bin/python -m bench.images_bench [--images 500] [--library 200000] [--db sqlite,postgres]
                                           [--skip-upload] [--skip-list]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, insert, text
from tests.support.servers import free_port, postgres_cluster

from bench.common import machine, percentiles
from bench.photos import make_photos
from shelfscope.auth.models import User
from shelfscope.db import Database
from shelfscope.db.migrate import upgrade
from shelfscope.od.images.models import Image, ImageTag

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data" / "detection"
SHELFSCOPE = Path(sys.executable).with_name("shelfscope")
API = "/api/v1/od/images"
TAGS = [f"tag{i:02d}" for i in range(30)]
SEED_BATCH = 10_000


# ---- photos ------------------------------------------------------------------------------------------


# ---- a real server -----------------------------------------------------------------------------------


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    url: str
    token: str

    def peak_rss_mib(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")


def _env(data_dir: Path, database_url: str, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "SHELFSCOPE_DATA_DIR": str(data_dir),
        "SHELFSCOPE_DATABASE_URL": database_url,
        "SHELFSCOPE_HOST": "127.0.0.1",
        "SHELFSCOPE_PORT": str(port),
        "SHELFSCOPE_LOCAL_WORKERS": "1",
        "SHELFSCOPE_LOG_LEVEL": "warning",
    }


def _admin_token(env: dict[str, str], database_url: str) -> str:
    """An admin row written straight into the database, and its API token from the CLI."""
    db = Database(database_url, pooled=False)
    with db.write() as session:
        session.add(User(username="bench", display_name="Bench", role="admin", password_hash=None))
    db.dispose()
    out = subprocess.run(
        [str(SHELFSCOPE), "users", "token", "bench"], env=env, check=True, capture_output=True
    )
    return out.stdout.decode().strip().splitlines()[-1].strip()


@contextmanager
def serve(data_dir: Path, database_url: str) -> Iterator[Server]:
    port = free_port()
    env = _env(data_dir, database_url, port)
    # Migrate first (serve would too) so the admin row can be written before the server starts.
    upgrade(database_url or f"sqlite:///{data_dir / 'shelfscope.db'}")
    token = _admin_token(env, database_url or f"sqlite:///{data_dir / 'shelfscope.db'}")
    proc = subprocess.Popen([str(SHELFSCOPE), "serve"], env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/v1/od/health", timeout=1).status_code in (200, 503):
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("shelfscope serve did not start")
            time.sleep(0.2)
        # A first GET records the token's first use; on SQLite that bookkeeping deadlocks for 30 s
        # when it happens inside a write request (auth/deps.py touches the token on a second writer).
        httpx.get(f"{url}{API}", headers={"Authorization": f"Bearer {token}"}, timeout=30).raise_for_status()
        yield Server(proc, url, token)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def database(kind: str, root: Path, stack: ExitStack) -> Iterator[str]:
    """'' (SQLite in the data folder) or a fresh database on a throwaway PostgreSQL cluster."""
    if kind == "sqlite":
        yield ""
        return
    server = stack.enter_context(postgres_cluster())
    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    yield f"{server}/{name}"


# ---- (1) upload --------------------------------------------------------------------------------------


def bench_upload(kind: str, photos: list[Path], clients: int, per_request: int, root: Path) -> None:
    data_dir = root / f"upload-{kind}"
    with ExitStack() as stack:
        url = stack.enter_context(database(kind, root, stack))
        server = stack.enter_context(serve(data_dir, url))
        headers = {"Authorization": f"Bearer {server.token}"}
        batches = [photos[i : i + per_request] for i in range(0, len(photos), per_request)]
        latencies: list[float] = []
        counts = {"stored": 0, "duplicate": 0, "rejected": 0}

        def post(batch: list[Path]) -> None:
            with ExitStack() as files:
                parts = [("files", (p.name, files.enter_context(p.open("rb")), "image/jpeg")) for p in batch]
                started = time.perf_counter()
                response = httpx.post(f"{server.url}{API}", files=parts, headers=headers, timeout=300)
                latencies.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
            body = response.json()
            for key in counts:
                counts[key] += body[key]

        rss_before = server.peak_rss_mib()
        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(post, batches))
        elapsed = time.perf_counter() - started
        megabytes = sum(p.stat().st_size for p in photos) / 1e6
        print(
            f"  {kind:8s} {len(photos)} images ({megabytes:.0f} MB) in {elapsed:.1f} s: "
            f"{len(photos) / elapsed:.1f} images/s, {megabytes / elapsed:.1f} MB/s; "
            f"request of {per_request}: {percentiles(latencies)}"
        )
        print(
            f"           results {counts}; server peak RSS {server.peak_rss_mib():.0f} MiB "
            f"(after start {rss_before:.0f} MiB)"
        )


# ---- (2) listing -------------------------------------------------------------------------------------


def seed_library(database_url: str, count: int) -> None:
    """Synthetic rows straight into the tables: realistic names, folders and tags, a year of dates."""
    db = Database(database_url, pooled=False)
    rnd = random.Random(42)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    step = timedelta(days=365) / count
    with db.write() as session:
        for first in range(0, count, SEED_BATCH):
            images: list[dict[str, Any]] = []
            tags: list[dict[str, Any]] = []
            for i in range(first, min(count, first + SEED_BATCH)):
                store = rnd.randrange(300)
                at = start + step * i
                images.append(
                    {
                        "id": i + 1,
                        "storage_key": f"images/{i % 256:02x}/{uuid.UUID(int=i).hex}.jpg",
                        "thumbnail_key": f"thumbnails/{i % 256:02x}/{uuid.UUID(int=i).hex}.jpg",
                        "filename": f"store{store:03d}_{at:%Y%m%d}_IMG_{i:06d}.jpg",
                        "content_hash": f"{i:064x}",
                        "width": 4032,
                        "height": 3024,
                        "format": "JPEG",
                        "size_bytes": rnd.randrange(500_000, 6_000_000),
                        "source": "upload",
                        "source_id": None,
                        "folder": f"stores/{store % 40:02d}",
                        "created_by": None,
                        "created_at": at,
                        "updated_at": at,
                    }
                )
                tags += [{"image_id": i + 1, "tag": t} for t in rnd.sample(TAGS, rnd.randrange(4))]
                if i % 1000 == 7:
                    tags.append({"image_id": i + 1, "tag": "recall"})
            session.execute(insert(Image), images)
            session.execute(insert(ImageTag), tags)
    if not db.is_sqlite:
        # What autovacuum does on its own shortly after a bulk load.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE od_images")
            conn.exec_driver_sql("VACUUM ANALYZE od_image_tags")
    db.dispose()


def _timed(client: httpx.Client, samples: int, params_for: Any) -> list[float]:
    times: list[float] = []
    for i in range(-5, samples):  # 5 warm-up requests
        params = params_for(i)
        started = time.perf_counter()
        response = client.get(API, params=params)
        took = (time.perf_counter() - started) * 1000
        response.raise_for_status()
        if i >= 0:
            times.append(took)
    return times


def bench_list(kind: str, count: int, samples: int, root: Path) -> None:
    data_dir = root / f"list-{kind}"
    with ExitStack() as stack:
        url = stack.enter_context(database(kind, root, stack))
        resolved = url or f"sqlite:///{data_dir / 'shelfscope.db'}"
        data_dir.mkdir(parents=True, exist_ok=True)
        upgrade(resolved)
        started = time.perf_counter()
        seed_library(resolved, count)
        print(f"  {kind}: seeded {count:,} images in {time.perf_counter() - started:.0f} s")
        server = stack.enter_context(serve(data_dir, url))
        client = stack.enter_context(
            httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {server.token}"}, timeout=60)
        )
        cursor = None
        started = time.perf_counter()
        for _ in range(999):
            page = client.get(API, params={"limit": 50, **({"cursor": cursor} if cursor else {})}).json()
            cursor = page["next_cursor"]
        walk_ms = (time.perf_counter() - started) * 1000 / 999
        rnd = random.Random(1)
        rare_names = [f"IMG_{rnd.randrange(count):06d}" for _ in range(samples + 5)]
        cases: list[tuple[str, Any]] = [
            ("first page", lambda i: {"limit": 50}),
            ("page 1,000 by cursor", lambda i: {"limit": 50, "cursor": cursor}),
            ("tag filter (~5% of images)", lambda i: {"limit": 50, "tags": TAGS[i % len(TAGS)]}),
            ("tag filter (rare, 0.1%)", lambda i: {"limit": 50, "tags": "recall"}),
            ("filename search (one match)", lambda i: {"limit": 50, "q": rare_names[i + 5]}),
            ("filename search (common part)", lambda i: {"limit": 50, "q": f"store{i % 300:03d}_"}),
            ("first page with total", lambda i: {"limit": 50, "with_total": "true"}),
        ]
        print(f"  {kind}: paging to page 1,000 took {walk_ms:.1f} ms per page on average")
        for label, params_for in cases:
            print(f"  {kind:8s} {label:32s} {percentiles(_timed(client, samples, params_for))}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--images", type=int, default=500)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--per-request", type=int, default=5)
    parser.add_argument("--library", type=int, default=200_000)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--skip-upload", action="store_true")
    parser.add_argument("--skip-list", action="store_true")
    args = parser.parse_args()
    kinds = [k.strip() for k in args.db.split(",") if k.strip()]
    print(f"machine: {machine()}")
    root = Path(tempfile.mkdtemp(prefix="shelfscope-images-bench-"))
    try:
        if not args.skip_upload:
            print(f"(1) upload through the HTTP API: {args.clients} clients, {args.per_request} files each")
            photos = make_photos(args.images, root / "photos")
            for kind in kinds:
                bench_upload(kind, photos, args.clients, args.per_request, root)
            shutil.rmtree(root / "photos", ignore_errors=True)
        if not args.skip_list:
            print(
                f"(2) list latency with {args.library:,} images, {args.samples} requests each (HTTP included)"
            )
            for kind in kinds:
                bench_list(kind, args.library, args.samples, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

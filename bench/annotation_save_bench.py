"""Editor save: time `PUT /api/v1/od/datasets/{d}/images/{i}/annotations` with 500 changed boxes, on SQLite
and PostgreSQL, through a real uvicorn server on loopback; also time the editor's load and navigation.

Seeds one dataset image holding --boxes boxes, then runs saves that each change 500 boxes (150 created,
200 moved or relabelled, 150 deleted, so the image keeps its size), each based on the revision the last
save returned. The clock covers the HTTP round trip of a body already encoded as JSON: parsing,
checks, the transaction, and the response with every box of the image. Navigation (`neighbors`,
`annotate/next`) is timed on a second dataset of --members images seeded with bulk inserts.

    .venv/bin/python -m bench.annotation_save_bench [--saves 50] [--boxes 600] [--members 50000]
                                                   [--db sqlite,postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from PIL import Image as PILImage
from sqlalchemy import create_engine, insert, select, text
from tests.support.servers import free_port, postgres_cluster

from bench.common import machine, percentiles
from shelfscope.app import create_app
from shelfscope.auth.deps import CSRF_COOKIE, CSRF_HEADER
from shelfscope.auth.models import User
from shelfscope.auth.service import hash_password
from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.db.base import utcnow
from shelfscope.db.migrate import upgrade
from shelfscope.od.classes.models import OdClass
from shelfscope.od.datasets.models import Dataset, DatasetImage
from shelfscope.od.images.ingest import ingest_stream
from shelfscope.od.images.models import Image

WIDTH, HEIGHT = 4032, 3024
CREATED, UPDATED, DELETED = 150, 200, 150
WARMUP = 5
PASSWORD = "bench password 1234"
BATCH = 10_000


@contextmanager
def serving(ctx: AppContext) -> Iterator[str]:
    """A real uvicorn server for the app on a free loopback port, in a thread."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(ctx, start_runner=False), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def signed_in(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        response = client.post("/api/v1/auth/login", json={"username": "bench", "password": PASSWORD})
        response.raise_for_status()
        client.headers[CSRF_HEADER] = client.cookies[CSRF_COOKIE]
        yield client


@dataclass(frozen=True)
class Seeded:
    dataset_id: int
    image_id: int
    class_ids: list[int]
    nav_dataset_id: int
    nav_image_ids: list[int]


def jpeg(width: int, height: int) -> bytes:
    buffer = BytesIO()
    PILImage.new("RGB", (width, height), (120, 130, 140)).save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def seed(ctx: AppContext, *, members: int) -> Seeded:
    now = utcnow()
    with ctx.db.write() as session:
        session.add(
            User(
                username="bench",
                display_name="Bench",
                role="annotator",
                password_hash=hash_password(PASSWORD),
            )
        )
        classes = [OdClass(name=f"product {i}", name_key=f"product {i}") for i in range(20)]
        dataset = Dataset(name="bench save")
        nav = Dataset(name="bench navigation")
        session.add_all([*classes, dataset, nav])
        session.flush()
        image = ingest_stream(
            session, ctx.storage, ctx.settings, BytesIO(jpeg(WIDTH, HEIGHT)), "shelf.jpg"
        ).image
        session.add(DatasetImage(dataset_id=dataset.id, image_id=image.id))
        seeded_ids = (dataset.id, image.id, [c.id for c in classes], nav.id)
    # Navigation: library rows without files (navigation never reads files), then memberships.
    rng = random.Random(7)
    tag = uuid.uuid4().hex[:8]
    with ctx.db.write() as session:
        rows = [
            {
                "storage_key": f"bench/{tag}/{i}.jpg",
                "filename": f"{i}.jpg",
                "content_hash": f"{tag}{i:056d}",
                "width": 1000,
                "height": 800,
                "format": "JPEG",
                "size_bytes": 1000,
                "source": "upload",
                "created_at": now,
                "updated_at": now,
            }
            for i in range(members)
        ]
        for start in range(0, len(rows), BATCH):
            session.execute(insert(Image), rows[start : start + BATCH])
        nav_image_ids = list(
            session.scalars(select(Image.id).where(Image.storage_key.like(f"bench/{tag}/%")))
        )
        statuses = ["completed"] * 6 + ["skipped", "in_progress", "new", "new"]
        memberships = [
            {
                "dataset_id": seeded_ids[3],
                "image_id": image_id,
                "status": rng.choice(statuses),
                "annotation_count": 0,
                "revision": 0,
                "created_at": now,
                "updated_at": now,
            }
            for image_id in nav_image_ids
        ]
        for start in range(0, len(memberships), BATCH):
            session.execute(insert(DatasetImage), memberships[start : start + BATCH])
    # The state autovacuum reaches soon after a bulk import: statistics and the visibility map are current.
    if ctx.db.is_sqlite:
        with ctx.db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with ctx.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    return Seeded(seeded_ids[0], seeded_ids[1], seeded_ids[2], seeded_ids[3], nav_image_ids)


def random_box(rng: random.Random, class_ids: list[int]) -> dict[str, Any]:
    w, h = rng.uniform(40, 300), rng.uniform(80, 500)
    x1, y1 = rng.uniform(0, WIDTH - w), rng.uniform(0, HEIGHT - h)
    return {"class_id": rng.choice(class_ids), "x1": x1, "y1": y1, "x2": x1 + w, "y2": y1 + h}


def time_saves(
    client: httpx.Client, seeded: Seeded, *, saves: int, boxes: int
) -> tuple[list[float], list[float], int]:
    rng = random.Random(1)
    url = f"/api/v1/od/datasets/{seeded.dataset_id}/images/{seeded.image_id}/annotations"
    first = {
        "base_revision": 0,
        "created": [{"client_id": f"s{i}", **random_box(rng, seeded.class_ids)} for i in range(boxes)],
    }
    response = client.put(url, json=first)
    response.raise_for_status()
    state = response.json()
    samples: list[float] = []
    cpu: list[float] = []
    response_bytes = 0
    for round_no in range(WARMUP + saves):
        ids = [item["id"] for item in state["items"]]
        rng.shuffle(ids)
        deleted, moved = ids[:DELETED], ids[DELETED : DELETED + UPDATED]
        body = {
            "base_revision": state["revision"],
            "created": [
                {"client_id": f"r{round_no}-{i}", **random_box(rng, seeded.class_ids)} for i in range(CREATED)
            ],
            "updated": [{"id": ann_id, **random_box(rng, seeded.class_ids)} for ann_id in moved],
            "deleted": deleted,
        }
        payload = json.dumps(body).encode()
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.put(url, content=payload, headers={"Content-Type": "application/json"})
        elapsed = (time.perf_counter() - started) * 1000
        cpu_ms = (time.process_time() - cpu_started) * 1000
        response.raise_for_status()
        state = response.json()
        assert state["annotation_count"] == boxes, state["annotation_count"]
        response_bytes = len(response.content)
        if round_no >= WARMUP:
            samples.append(elapsed)
            cpu.append(cpu_ms)
    return samples, cpu, response_bytes


def time_requests(client: httpx.Client, urls: list[str]) -> list[float]:
    samples = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return samples


@contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="shelfscope-bench-") as root:
        yield f"sqlite:///{root}/bench.db"


@contextmanager
def postgres_url() -> Iterator[str]:
    with postgres_cluster() as server:
        admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text('CREATE DATABASE "bench"'))
        admin.dispose()
        yield f"{server}/bench"


def run(backend: str, url_factory: Callable[[], Any], args: argparse.Namespace) -> None:
    with url_factory() as url, tempfile.TemporaryDirectory(prefix="shelfscope-bench-data-") as data:
        upgrade(url)
        settings = Settings(data_dir=Path(data), database_url=url, web_dir=Path(data) / "no-web")
        ctx = AppContext.from_settings(settings)
        try:
            seeded = seed(ctx, members=args.members)
            with serving(ctx) as base_url, signed_in(base_url) as client:
                samples, cpu, size = time_saves(client, seeded, saves=args.saves, boxes=args.boxes)
                print(
                    f"{backend:<10} save 500 changed of {args.boxes} boxes   {percentiles(samples)}"
                    f"  response {size / 1024:.0f} KiB"
                )
                # CPU of this process (server and client; PostgreSQL's own work is not in it): what the
                # save costs in Python, whatever else the machine is busy with.
                print(f"{backend:<10}   server+client CPU per save      {percentiles(cpu)}")
                load = time_requests(
                    client,
                    [f"/api/v1/od/datasets/{seeded.dataset_id}/images/{seeded.image_id}/annotations"] * 30,
                )
                print(f"{backend:<10} load image with {args.boxes} boxes        {percentiles(load)}")
                rng = random.Random(3)
                picks = [rng.choice(seeded.nav_image_ids) for _ in range(100)]
                nav = time_requests(
                    client,
                    [f"/api/v1/od/datasets/{seeded.nav_dataset_id}/images/{i}/neighbors" for i in picks],
                )
                print(f"{backend:<10} neighbors in {args.members} images      {percentiles(nav)}")
                following = time_requests(
                    client, [f"/api/v1/od/datasets/{seeded.nav_dataset_id}/annotate/next"] * 30
                )
                print(f"{backend:<10} annotate/next in {args.members} images  {percentiles(following)}")
        finally:
            ctx.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--saves", type=int, default=50)
    parser.add_argument("--boxes", type=int, default=600)
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--db", default="sqlite,postgres")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    # Other work on the machine shows up in the tail figures; say how busy it was.
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(
        f"SQLite {sqlite3.sqlite_version}; each save: {CREATED} created, {UPDATED} updated, {DELETED} deleted"
    )
    backends = {"sqlite": sqlite_url, "postgres": postgres_url}
    for name in args.db.split(","):
        run(name.strip(), backends[name.strip()], args)


if __name__ == "__main__":
    main()

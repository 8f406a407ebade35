"""Class merge: time `merge_classes` moving 100,000 annotations to one class, on SQLite and PostgreSQL.

Seeds the database directly with bulk inserts (images, datasets, memberships, classes and
annotations spread over a few thousand images), then times the service call a `POST
/api/v1/od/classes/merge` makes. Each round merges a fresh set of source classes holding
--annotations annotations into the same target, so later rounds run on a bigger table.

    .venv/bin/python -m bench.class_merge_bench [--annotations 100000] [--images 3000] [--rounds 3]
                                                [--db sqlite,postgres]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, insert, select, text, update
from tests.support.servers import postgres_cluster

from bench.common import machine
from shelfscope.db.base import utcnow
from shelfscope.db.engine import Database
from shelfscope.db.migrate import upgrade
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.classes import merge, service
from shelfscope.od.classes.models import OdClass
from shelfscope.od.classes.schemas import MergeIn
from shelfscope.od.datasets.models import Dataset, DatasetImage
from shelfscope.od.images.models import Image

BATCH = 10_000
SOURCES_PER_ROUND = 4
# Annotations of classes the merge must not touch, as a share of the moved ones.
BYSTANDER_SHARE = 0.5


@dataclass(frozen=True)
class Seeded:
    target_id: int
    rounds: list[list[int]]  # source class ids merged in each round
    bystander_id: int
    images: int
    annotations: int


def _insert(db: Database, model: Any, rows: list[dict[str, Any]]) -> None:
    with db.write() as session:
        for start in range(0, len(rows), BATCH):
            session.execute(insert(model), rows[start : start + BATCH])


def seed(db: Database, *, images: int, annotations: int, rounds: int, rng: random.Random) -> Seeded:
    now = utcnow()
    _insert(
        db,
        Image,
        [
            {
                "storage_key": f"bench/{i:08d}.jpg",
                "filename": f"shelf_{i:06d}.jpg",
                "content_hash": f"{i:064x}",
                "width": 4032,
                "height": 3024,
                "format": "JPEG",
                "size_bytes": 2_500_000,
                "source": "upload",
                "created_at": now,
                "updated_at": now,
            }
            for i in range(images)
        ],
    )
    with db.write() as session:
        datasets = [Dataset(name=f"bench {n}") for n in range(3)]
        session.add_all(datasets)
        names = ["Cola", "Other brand"] + [
            f"cola variant {r}.{s}" for r in range(rounds) for s in range(SOURCES_PER_ROUND)
        ]
        classes = [OdClass(name=n, name_key=n.casefold(), aliases=[f"{n} alias"]) for n in names]
        session.add_all(classes)
        session.flush()
        dataset_ids = [d.id for d in datasets]
        class_ids = [c.id for c in classes]
        image_ids = list(session.scalars(select(Image.id).order_by(Image.id)))
    _insert(
        db,
        DatasetImage,
        [
            {
                "dataset_id": dataset_ids[n % 3],
                "image_id": image_id,
                "status": "new",
                "created_at": now,
                "updated_at": now,
            }
            for n, image_id in enumerate(image_ids)
        ],
    )
    with db.read() as session:
        members = [(m.id, m.dataset_id) for m in session.scalars(select(DatasetImage))]

    target, bystander, sources = class_ids[0], class_ids[1], class_ids[2:]
    per_round = [sources[r * SOURCES_PER_ROUND : (r + 1) * SOURCES_PER_ROUND] for r in range(rounds)]
    owners = [c for group in per_round for c in group for _ in range(annotations // SOURCES_PER_ROUND)]
    owners += [bystander] * int(annotations * BYSTANDER_SHARE) + [target] * (annotations // 10)
    rows: list[dict[str, Any]] = []
    for class_id in owners:
        member_id, dataset_id = members[rng.randrange(len(members))]
        x, y = rng.uniform(0, 3800), rng.uniform(0, 2800)
        rows.append(
            {
                "dataset_id": dataset_id,
                "dataset_image_id": member_id,
                "class_id": class_id,
                "kind": "bbox",
                "x1": x,
                "y1": y,
                "x2": x + 120,
                "y2": y + 200,
                "source": "manual",
                "review_state": "none",
                "created_at": now,
                "updated_at": now,
            }
        )
    _insert(db, Annotation, rows)
    with db.write() as session:
        per_image = (
            select(func.count())
            .where(Annotation.dataset_image_id == DatasetImage.id)
            .correlate(DatasetImage)
            .scalar_subquery()
        )
        session.execute(update(DatasetImage).values(annotation_count=per_image))
    with db.engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    return Seeded(target, per_round, bystander, images, len(rows))


def run_backend(db: Database, label: str, args: argparse.Namespace) -> None:
    rng = random.Random(1234)
    started = time.perf_counter()
    seeded = seed(db, images=args.images, annotations=args.annotations, rounds=args.rounds, rng=rng)
    print(
        f"{label}: seeded {seeded.images:,} images, {seeded.annotations:,} annotations "
        f"in {time.perf_counter() - started:.1f} s"
    )
    times: list[float] = []
    for n, sources in enumerate(seeded.rounds, start=1):
        body = MergeIn(source_ids=sources, target_id=seeded.target_id)
        with db.reader() as session:
            t0 = time.perf_counter()
            preview = merge.merge_preview(session, body)
            preview_s = time.perf_counter() - t0
        with db.writer() as session:
            t0 = time.perf_counter()
            result = merge.merge_classes(session, body, user_id=None)
            merge_s = time.perf_counter() - t0
        assert result.annotations_moved == preview.annotations
        with db.reader() as session:
            left = session.scalar(select(func.count()).where(Annotation.class_id.in_(sources)))
            t0 = time.perf_counter()
            listed = service.list_classes(session)
            list_s = time.perf_counter() - t0
        assert left == 0 and listed.total is not None
        times.append(merge_s)
        print(
            f"{label}: round {n}: merged {len(sources)} classes, {result.annotations_moved:,} annotations "
            f"on {result.images:,} images: merge {merge_s * 1000:.0f} ms "
            f"(preview {preview_s * 1000:.0f} ms, class list after {list_s * 1000:.0f} ms)"
        )
    print(f"{label}: merge median {statistics.median(times) * 1000:.0f} ms over {len(times)} rounds")


@contextmanager
def sqlite_database() -> Iterator[Database]:
    with tempfile.TemporaryDirectory(prefix="shelfscope-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        db = Database(url)
        try:
            yield db
        finally:
            db.dispose()


@contextmanager
def postgres_database() -> Iterator[Database]:
    with postgres_cluster() as server:
        name = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            version = conn.execute(text("SHOW server_version")).scalar()
        admin.dispose()
        print(f"postgresql: server {version} (throwaway cluster: fsync off, default memory settings)")
        upgrade(f"{server}/{name}")
        db = Database(f"{server}/{name}")
        try:
            yield db
        finally:
            db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--annotations", type=int, default=100_000, help="annotations moved per merge")
    parser.add_argument("--images", type=int, default=3_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db", default="sqlite,postgres")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"sqlite: library {sqlite3.sqlite_version}")
    for backend in [b.strip() for b in args.db.split(",") if b.strip()]:
        opener = sqlite_database if backend == "sqlite" else postgres_database
        with opener() as db:
            run_backend(db, backend, args)


if __name__ == "__main__":
    main()

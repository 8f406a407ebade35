"""Thumbnails rendered after the fact: an import stores its images without them (a JPEG encode and a
second file per image would cost it about as much as storing the image) and queues
`od.images.build_thumbnails` in its last transaction, so the job exists exactly when the images do.
Until an image has its thumbnail, the thumbnail route renders one from the original on request.

Each batch of images is rendered, its thumbnails written under new keys listed in a manifest first
(like an import's files, staging.py), and linked in one short write transaction; an image that got a
thumbnail meanwhile, or was deleted, keeps what it has and the new file is removed. Rerunning the job
(it is resumable) skips every image that has one."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, and_, bindparam, func, select, update
from sqlalchemy.orm import Session

from shelfscope.config import Settings
from shelfscope.db import Database, utcnow
from shelfscope.jobs.models import Job
from shelfscope.jobs.reporting import Reporter
from shelfscope.jobs.service import queue_in
from shelfscope.od.images.decode import render_thumbnail
from shelfscope.od.images.models import Image
from shelfscope.od.images.staging import SWEEP_WINDOW, Staging, clean_token, manifest_key
from shelfscope.storage import Storage, new_key
from shelfscope.storage.base import StorageError

log = logging.getLogger("shelfscope.images")

THUMBNAILS_KIND = "od.images.build_thumbnails"
# Images per batch: one read, one manifest and one short write transaction each.
_BATCH = 256
# Ranges per job (one query each): an import with more queues more jobs.
MAX_RANGES = 1_000


class ThumbnailsPayload(BaseModel):
    """Which images: inclusive id ranges (an import's new ids are runs of consecutive ids, so the
    payload stays a few numbers however many images it stored). Every image in them that lacks a
    thumbnail gets one."""

    model_config = ConfigDict(extra="forbid")

    ranges: list[tuple[int, int]] = Field(min_length=1, max_length=MAX_RANGES)


@dataclass
class ThumbnailCounts:
    rendered: int = 0
    # Got a thumbnail from someone else (the verify job, the route) while this one was rendered.
    skipped: int = 0
    failed: int = 0


def id_ranges(ids: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted ids as inclusive runs: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    ranges: list[tuple[int, int]] = []
    for i in sorted(set(ids)):
        if ranges and ranges[-1][1] == i - 1:
            ranges[-1] = (ranges[-1][0], i)
        else:
            ranges.append((i, i))
    return ranges


def queue_thumbnails(
    session: Session, image_ids: Iterable[int], user_id: int | None, runner_name: str
) -> list[Job]:
    """Add the jobs that render these images' thumbnails to the caller's transaction (queued; hand
    them to the runner after the commit with `jobs.runners.hand_over`). None without images."""
    ranges = id_ranges(image_ids)
    return [
        queue_in(
            session,
            THUMBNAILS_KIND,
            ThumbnailsPayload(ranges=ranges[start : start + MAX_RANGES]).model_dump(),
            user_id,
            runner_name,
        )
        for start in range(0, len(ranges), MAX_RANGES)
    ]


def _without_thumbnail(lo: int, hi: int) -> ColumnElement[bool]:
    return and_(Image.id.between(lo, hi), Image.thumbnail_key.is_(None))


def _count(db: Database, ranges: Sequence[tuple[int, int]]) -> int:
    query = select(func.count()).select_from(Image)
    with db.read() as session:
        return sum(int(session.scalar(query.where(_without_thumbnail(lo, hi))) or 0) for lo, hi in ranges)


def _missing(db: Database, ranges: Sequence[tuple[int, int]]) -> Iterator[list[tuple[int, str]]]:
    """Batches of (id, storage key) of the images in the ranges that have no thumbnail yet."""
    for lo, hi in ranges:
        after = lo - 1
        while True:
            with db.read() as session:
                rows = session.execute(
                    select(Image.id, Image.storage_key)
                    .where(_without_thumbnail(after + 1, hi))
                    .order_by(Image.id)
                    .limit(_BATCH)
                ).all()
            if not rows:
                break
            yield [(r.id, r.storage_key) for r in rows]
            after = rows[-1].id


def _render(storage: Storage, settings: Settings, storage_key: str) -> bytes:
    with storage.open(storage_key) as source:
        return render_thumbnail(
            source, settings.thumbnail_size, memory_limit_bytes=settings.decode_memory_bytes
        )


def _link(db: Database, made: dict[int, str]) -> set[int]:
    """Give each image its new thumbnail key unless it got one meanwhile; the ids that took theirs."""
    with db.write() as session:
        query = select(Image.id).where(Image.id.in_(list(made)), Image.thumbnail_key.is_(None))
        if not db.is_sqlite:
            query = query.with_for_update()
        free = set(session.scalars(query))
        if free:
            statement = (
                update(Image.__table__)  # type: ignore[arg-type]
                .where(Image.__table__.c.id == bindparam("image_id"))
                .values(thumbnail_key=bindparam("key"))
            )
            session.connection().execute(statement, [{"image_id": i, "key": made[i]} for i in sorted(free)])
    return free


def build_thumbnails(
    db: Database,
    storage: Storage,
    settings: Settings,
    ranges: Sequence[tuple[int, int]],
    reporter: Reporter,
    token: str,
) -> ThumbnailCounts:
    """Render and link the thumbnails the images in these id ranges lack; an image whose file cannot
    be rendered is logged and left without one (the thumbnail route and the verify job try again)."""
    # A run after a lost worker: what the last run stored but never linked goes first.
    clean_token(db, storage, token)
    counts = ThumbnailCounts()
    total = _count(db, ranges)
    for todo in _missing(db, ranges):
        reporter.check_cancelled()
        made: dict[int, str] = {}
        rendered: dict[int, bytes] = {}
        for image_id, storage_key in todo:
            try:
                rendered[image_id] = _render(storage, settings, storage_key)
            except Exception as exc:  # a missing or undecodable file: reported, the others go on
                counts.failed += 1
                reporter.log(f"image {image_id}: no thumbnail could be rendered ({exc})", "warning")
                continue
            made[image_id] = new_key("thumbnails", ".jpg")
        _store(db, storage, token, made, rendered, counts)
        done = counts.rendered + counts.skipped + counts.failed
        reporter.progress(done / max(total, 1), f"rendered {counts.rendered} of {total} thumbnails")
    return counts


def _store(
    db: Database,
    storage: Storage,
    token: str,
    made: dict[int, str],
    rendered: dict[int, bytes],
    counts: ThumbnailCounts,
) -> None:
    """Write one batch's thumbnails (listed in a manifest first) and link them; on any failure, the
    files no row took up are removed again."""
    if not made:
        return
    staging = Staging(storage, token)
    staging.reserve(list(made.values()))
    try:
        for image_id, key in made.items():
            storage.put_fresh(key, rendered[image_id], "image/jpeg")
        linked = _link(db, made)
    except BaseException:
        staging.discard(db)
        raise
    staging.release(key for image_id, key in made.items() if image_id not in linked)
    counts.rendered += len(linked)
    counts.skipped += len(made) - len(linked)


def sweep_abandoned_thumbnails(db: Database, storage: Storage) -> list[int]:
    """Remove the unlinked files of thumbnail jobs that ended without cleaning up (their worker died
    once too often); returns the ids of the jobs cleaned."""
    since = utcnow() - SWEEP_WINDOW
    with db.read() as session:
        ended = session.scalars(
            select(Job.id).where(
                Job.kind == THUMBNAILS_KIND,
                Job.status.in_(("failed", "cancelled")),
                Job.created_at >= since,
            )
        ).all()
    cleaned = []
    for job_id in ended:
        try:
            if storage.exists(manifest_key(str(job_id), 0)):
                clean_token(db, storage, str(job_id))
                cleaned.append(job_id)
        except (StorageError, ValueError) as exc:
            log.warning("could not clean up after thumbnail job %s: %s", job_id, exc)
    return cleaned

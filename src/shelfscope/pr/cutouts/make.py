"""The make-cutouts run: a dataset's images in membership order, batch by batch, each image decoded
once at full size and its boxes cut out, stored and inserted.

Boxes come from the images' annotations (human boxes: not pending or rejected AI proposals) or from
a detector (boxes.py). A box that has a cutout already (same image, same box at 0.01 px) is counted
as existing and not cut again. Each batch's files are written first, then its rows and the job's
checkpoint commit in one transaction; when that transaction does not commit (a cancel, an error) the
batch's files are removed, and a requeued job resumes after the last committed batch.

Decoding, cutting and JPEG encoding run on a few threads (Pillow releases the GIL for them)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from PIL import Image as PILImage
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shelfscope.db.base import utcnow
from shelfscope.db.dialect import id_in, insert_ignore
from shelfscope.jobs import service as jobs
from shelfscope.jobs.context import JobCancelled, JobContext
from shelfscope.od.datasets.models import DatasetImage
from shelfscope.od.images.models import Image
from shelfscope.pr.cutouts.crops import CropBox, clipped, cut
from shelfscope.pr.cutouts.decode import upright_rgb
from shelfscope.pr.cutouts.models import Cutout
from shelfscope.pr.cutouts.schemas import MakePayload, MakeResult, Skipped
from shelfscope.pr.cutouts.service import remove_files
from shelfscope.storage import new_key

_MAX_SKIPPED_LISTED = 100
# Rows per INSERT: well under SQLite's bound-parameter limit (20 columns a row).
_INSERT_CHUNK = 500
MAX_THREADS = 4


@dataclass(frozen=True, slots=True)
class Work:
    """One image of the dataset to cut from."""

    member_id: int
    image_id: int
    storage_key: str
    filename: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Found:
    """A box to cut: where it came from (an annotation, or a detector's prediction)."""

    box: CropBox
    class_id: int | None
    annotation_id: int | None = None
    confidence: float | None = None


@dataclass
class Outcome:
    """What one image gave: rows to insert (their files written), boxes it had already, or an error."""

    work: Work
    rows: list[dict[str, Any]] = field(default_factory=list)
    existing: int = 0
    empty: int = 0
    error: str | None = None


# (works, decoded images or None) -> found boxes per image id
BoxSource = Callable[[Sequence[Work], Sequence[PILImage.Image | None]], dict[int, list[Found]]]


def _scope(payload: MakePayload, session: Session, after: int) -> list[Any]:
    where = [DatasetImage.dataset_id == payload.dataset_id, DatasetImage.id > after]
    if payload.image_ids:
        where.append(id_in(session, DatasetImage.image_id, payload.image_ids))
    return where


def count_scope(session: Session, payload: MakePayload, after: int = 0) -> int:
    stmt = select(func.count()).select_from(DatasetImage).where(*_scope(payload, session, after))
    return int(session.scalar(stmt) or 0)


def scope_chunk(session: Session, payload: MakePayload, after: int, limit: int) -> list[Work]:
    stmt = (
        select(DatasetImage.id, Image.id, Image.storage_key, Image.filename, Image.width, Image.height)
        .join(Image, Image.id == DatasetImage.image_id)
        .where(*_scope(payload, session, after))
        .order_by(DatasetImage.id)
        .limit(limit)
    )
    return [Work(*row) for row in session.execute(stmt).all()]


def existing_boxes(session: Session, image_ids: Sequence[int]) -> set[tuple[int, float, float, float, float]]:
    stmt = select(Cutout.image_id, Cutout.x1, Cutout.y1, Cutout.x2, Cutout.y2).where(
        id_in(session, Cutout.image_id, image_ids)
    )
    return {(int(i), float(a), float(b), float(c), float(d)) for i, a, b, c, d in session.execute(stmt)}


class MakeRun:
    """One attempt of a `pr.cutouts.make` job; resumes from the checkpoint of an earlier attempt."""

    def __init__(
        self, ctx: JobContext, payload: MakePayload, boxes: BoxSource, *, needs_pixels_first: bool
    ) -> None:
        self.ctx, self.payload, self.boxes = ctx, payload, boxes
        # Predictions need the decoded images before the boxes; annotations only after.
        self.needs_pixels_first = needs_pixels_first
        self.state = self._resume()
        self.started = time.monotonic() - self.state.wall_s
        self.pool = ThreadPoolExecutor(max_workers=max(1, min(MAX_THREADS, os.cpu_count() or 1)))

    def _resume(self) -> MakeResult:
        fresh = MakeResult(
            dataset_id=self.payload.dataset_id,
            dataset_name=self.payload.dataset_name,
            source=self.payload.source,
            model=self.payload.model,
        )
        with self.ctx.db.read() as session:
            saved = jobs.get_job(session, self.ctx.job_id).result if self.ctx.attempt > 1 else None
            state = MakeResult.model_validate(saved) if saved and "last_member_id" in saved else fresh
            left = count_scope(session, self.payload, state.last_member_id)
        state.images_total = state.images + left
        return state

    def run(self) -> MakeResult:
        self.ctx.progress(self._fraction(), self._stage())
        try:
            while True:
                self.ctx.check_cancelled()
                with self.ctx.db.read() as session:
                    batch = scope_chunk(
                        session, self.payload, self.state.last_member_id, self.payload.batch_size
                    )
                if not batch:
                    break
                self._run_batch(batch)
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)
        self.state.wall_s = round(time.monotonic() - self.started, 3)
        self.ctx.progress(1.0, self._stage())
        return self.state

    def _decode(self, work: Work) -> PILImage.Image | None:
        try:
            with self.ctx.storage.open(work.storage_key) as data:
                return upright_rgb(
                    data, work.filename, work.width, work.height, self.ctx.settings.decode_memory_bytes
                )
        except Exception:  # a missing or unreadable file skips its image, not the job
            return None

    def _run_batch(self, batch: list[Work]) -> None:
        with self.ctx.db.read() as session:
            seen = existing_boxes(session, [w.image_id for w in batch])
        pictures: list[PILImage.Image | None] = [None] * len(batch)
        if self.needs_pixels_first:
            pictures = list(self.pool.map(self._decode, batch))
        found = self.boxes(batch, pictures)
        wanted = [self._new_boxes(w, found.get(w.image_id, []), seen) for w in batch]
        outcomes = list(self.pool.map(self._cut_image, batch, pictures, wanted))
        self._commit(outcomes)

    def _new_boxes(
        self, work: Work, found: list[Found], seen: set[tuple[int, float, float, float, float]]
    ) -> tuple[list[Found], int, int]:
        """The boxes of one image still to cut (clipped to it, not cut before), existing and empty counts."""
        fresh, existing, empty = [], 0, 0
        for item in found:
            box = clipped(item.box, work.width, work.height)
            if box is None:
                empty += 1
                continue
            key = (work.image_id, *box.key)
            if key in seen:
                existing += 1
                continue
            seen.add(key)
            fresh.append(Found(box, item.class_id, item.annotation_id, item.confidence))
        return fresh, existing, empty

    def _cut_image(
        self, work: Work, picture: PILImage.Image | None, wanted: tuple[list[Found], int, int]
    ) -> Outcome:
        boxes, existing, empty = wanted
        outcome = Outcome(work, existing=existing, empty=empty)
        if self.needs_pixels_first and picture is None:
            outcome.error = "the stored file is missing or cannot be decoded"
            return outcome
        if not boxes:
            return outcome
        if picture is None:
            picture = self._decode(work)
        if picture is None:
            outcome.error = "the stored file is missing or cannot be decoded"
            return outcome
        try:
            for item in boxes:
                outcome.rows.append(self._store(work, item, picture))
        except BaseException:
            remove_files(self.ctx.storage, [r["storage_key"] for r in outcome.rows])
            raise
        return outcome

    def _store(self, work: Work, item: Found, picture: PILImage.Image) -> dict[str, Any]:
        crop = cut(picture, item.box, self.payload.margin)
        key = new_key("cutouts", ".jpg")
        self.ctx.storage.put_fresh(key, crop.jpeg, "image/jpeg")
        now = utcnow()
        return {
            "image_id": work.image_id,
            "dataset_id": self.payload.dataset_id,
            "annotation_id": item.annotation_id,
            "class_id": item.class_id,
            "source": "annotation" if self.payload.source == "annotations" else "prediction",
            "model": self.payload.model,
            "confidence": item.confidence,
            "x1": item.box.x1,
            "y1": item.box.y1,
            "x2": item.box.x2,
            "y2": item.box.y2,
            "margin": self.payload.margin,
            "storage_key": key,
            "width": crop.width,
            "height": crop.height,
            "state": "unmatched",
            "job_id": self.ctx.job_id,
            "created_by": self.ctx.user_id,
            "created_at": now,
            "updated_at": now,
        }

    def _commit(self, outcomes: list[Outcome]) -> None:
        """The batch's rows and the checkpoint after its last image in one transaction; files of rows
        that did not go in (a concurrent job took the box first, or no commit at all) are removed."""
        rows = [row for o in outcomes for row in o.rows]
        written = [row["storage_key"] for row in rows]
        inserted: set[str] = set()
        try:
            with self.ctx.db.write() as session:
                for start in range(0, len(rows), _INSERT_CHUNK):
                    stmt = insert_ignore(session, Cutout.__table__).values(
                        rows[start : start + _INSERT_CHUNK]
                    )
                    inserted.update(session.scalars(stmt.returning(Cutout.storage_key)))
                state = self._advanced(outcomes, len(inserted))
                if not jobs.checkpoint(
                    session, self.ctx.job_id, self.ctx.worker, state.model_dump(mode="json")
                ):
                    raise JobCancelled(f"job {self.ctx.job_id} was cancelled")
        except BaseException:
            remove_files(self.ctx.storage, written)
            raise
        remove_files(self.ctx.storage, [k for k in written if k not in inserted])
        self.state = state
        self.ctx.progress(self._fraction(), self._stage())

    def _advanced(self, outcomes: list[Outcome], created: int) -> MakeResult:
        state = self.state.model_copy(deep=True)
        state.created += created
        state.existing += sum(o.existing for o in outcomes) + sum(len(o.rows) for o in outcomes) - created
        state.empty_boxes += sum(o.empty for o in outcomes)
        state.images += len(outcomes)
        state.images_total = max(state.images_total, state.images)
        state.last_member_id = outcomes[-1].work.member_id
        for o in outcomes:
            if o.error is not None and len(state.skipped) < _MAX_SKIPPED_LISTED:
                state.skipped.append(Skipped(image_id=o.work.image_id, reason=o.error))
        state.wall_s = round(time.monotonic() - self.started, 3)
        return state

    def _fraction(self) -> float:
        total = self.state.images_total
        return self.state.images / total if total else 1.0

    def _stage(self) -> str:
        return f"{self.state.images} of {self.state.images_total} images, {self.state.created} cutouts"

"""The frame extraction job's work: decode the stored video, pick frames by its policy, and store each
as a product image (domain synthetic, source video, with its frame index and time) through the
products' own `add_product_image`.

Frames are written in small batches, each one transaction that first checks the job still runs here
(jobs.service.checkpoint): the product page sees frames appear while the job runs, and another writer
waits at most one batch. A rerun after a lost worker skips the frames already stored. The video file
is dropped in the last transaction's wake when SHELFSCOPE_PR_KEEP_VIDEOS is off.
"""

from __future__ import annotations

import io
import logging
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from sqlalchemy import select, update

from shelfscope.config import Settings
from shelfscope.db import Database
from shelfscope.errors import NotFound, ValidationFailed
from shelfscope.jobs.context import JobCancelled, JobContext
from shelfscope.jobs.service import checkpoint
from shelfscope.pr.products.images import add_product_image
from shelfscope.pr.products.models import ProductImage, ProductVideo
from shelfscope.pr.videos.frames import Frame, FramePolicy, iter_frames, jpeg_bytes
from shelfscope.pr.videos.schemas import ExtractFramesResult, FramePolicyIn
from shelfscope.storage import Storage

log = logging.getLogger(__name__)
# Frames per transaction, and the longest a decoded frame waits for its batch to be written.
BATCH_FRAMES = 8
BATCH_SECONDS = 2.0


@dataclass(frozen=True)
class _Video:
    id: int
    product_id: int
    storage_key: str
    filename: str
    created_by: int | None
    policy: FramePolicy
    duration_s: float | None


@dataclass
class _Counts:
    stored: int = 0
    duplicate: int = 0
    extracted: int = 0
    pending: list[tuple[Frame, bytes]] = field(default_factory=list)
    since: float = field(default_factory=time.monotonic)


def scratch_root(settings: Settings) -> Path:
    return settings.data_dir / "tmp" / "videos"


def _begin(db: Database, video_id: int) -> _Video:
    """Mark the video extracting and read what the job needs."""
    with db.write() as session:
        video = session.get(ProductVideo, video_id)
        if video is None:
            raise NotFound(
                f"Video {video_id} no longer exists (deleted with its product?).", video_id=video_id
            )
        if video.storage_key is None:
            raise NotFound(f"Video {video_id}'s file is no longer stored.", video_id=video_id)
        video.status, video.error = "extracting", None
        policy = FramePolicyIn.model_validate(video.frame_policy or {})
        return _Video(
            id=video.id,
            product_id=video.product_id,
            storage_key=video.storage_key,
            filename=video.filename,
            created_by=video.created_by,
            policy=FramePolicy(policy.mode, policy.every_s, policy.max_frames),
            duration_s=video.duration_s,
        )


def _taken_frames(db: Database, video_id: int) -> frozenset[int]:
    with db.read() as session:
        rows = session.scalars(
            select(ProductImage.frame_index).where(
                ProductImage.video_id == video_id, ProductImage.frame_index.is_not(None)
            )
        )
        return frozenset(int(i) for i in rows if i is not None)


def _frame_name(video: _Video, frame: Frame) -> str:
    stem = PurePath(video.filename).stem or "video"
    return f"{stem}_frame{frame.index:06d}.jpg"


def _partial(video: _Video, counts: _Counts, kept: bool) -> dict[str, Any]:
    return ExtractFramesResult(
        video_id=video.id,
        product_id=video.product_id,
        frames_stored=counts.stored,
        frames_duplicate=counts.duplicate,
        frames_extracted=counts.extracted,
        kept=kept,
    ).model_dump(mode="json")


def _write_batch(ctx: JobContext, video: _Video, counts: _Counts) -> None:
    """One transaction: the pending frames as product images and the video's frame count."""
    batch, counts.pending = counts.pending, []
    counts.since = time.monotonic()
    if not batch:
        return
    with ctx.db.write() as session:
        stored = duplicate = 0
        for frame, data in batch:
            result = add_product_image(
                session,
                ctx.storage,
                ctx.settings,
                product_id=video.product_id,
                stream=io.BytesIO(data),
                filename=_frame_name(video, frame),
                domain="synthetic",
                source="video",
                created_by=video.created_by,
                video_id=video.id,
                frame_index=frame.index,
                frame_time_s=frame.time_s,
            )
            if result.status == "stored":
                stored += 1
            else:
                duplicate += 1
        session.execute(
            update(ProductVideo)
            .where(ProductVideo.id == video.id)
            .values(frames_extracted=ProductVideo.frames_extracted + stored)
        )
        done = _Counts(counts.stored + stored, counts.duplicate + duplicate, counts.extracted + stored)
        if not checkpoint(session, ctx.job_id, ctx.worker, _partial(video, done, True)):
            raise JobCancelled(f"job {ctx.job_id} was cancelled or taken away; batch not written")
    counts.stored, counts.duplicate, counts.extracted = done.stored, done.duplicate, done.extracted


def _take_frames(ctx: JobContext, video: _Video, path: Path, counts: _Counts) -> None:
    skip = _taken_frames(ctx.db, video.id)
    counts.extracted = len(skip)
    for frame in iter_frames(path, video.policy, skip):
        ctx.check_cancelled()
        counts.pending.append((frame, jpeg_bytes(frame.image)))
        if len(counts.pending) >= BATCH_FRAMES or time.monotonic() - counts.since >= BATCH_SECONDS:
            _write_batch(ctx, video, counts)
        if video.duration_s:
            ctx.progress(
                min(0.99, frame.time_s / video.duration_s), f"frame {frame.index} at {frame.time_s:g} s"
            )
    _write_batch(ctx, video, counts)


def _finish(db: Database, storage: Storage, video: _Video, keep: bool) -> None:
    with db.write() as session:
        values: dict[str, Any] = {"status": "ready", "error": None}
        if not keep:
            values["storage_key"] = None
        session.execute(update(ProductVideo).where(ProductVideo.id == video.id).values(**values))
    if not keep:
        try:
            storage.delete(video.storage_key)
        except Exception:
            log.exception("could not remove video file %s after its frames were taken", video.storage_key)


def _fail(db: Database, video_id: int, message: str) -> None:
    try:
        with db.write() as session:
            session.execute(
                update(ProductVideo)
                .where(ProductVideo.id == video_id)
                .values(status="failed", error=message[:2000])
            )
    except Exception:
        log.exception("could not mark video %s failed", video_id)


def extract_frames(ctx: JobContext, video_id: int) -> ExtractFramesResult:
    """The whole job; the video ends ready, or failed with the reason (frames already stored stay)."""
    video = _begin(ctx.db, video_id)
    scratch = scratch_root(ctx.settings) / str(ctx.job_id)
    scratch.mkdir(parents=True, exist_ok=True)
    counts = _Counts()
    keep = ctx.settings.pr_keep_videos
    try:
        path = scratch / f"video{PurePath(video.storage_key).suffix}"
        ctx.progress(0.0, "reading the video")
        ctx.storage.download_to(video.storage_key, path)
        _take_frames(ctx, video, path, counts)
        if counts.extracted == 0:
            raise ValidationFailed(
                f"{video.filename}: no frame could be taken with this frame policy.", video_id=video_id
            )
        _finish(ctx.db, ctx.storage, video, keep)
    except JobCancelled:
        _fail(ctx.db, video_id, f"cancelled after {counts.extracted} frames")
        raise
    except Exception as exc:
        _fail(ctx.db, video_id, getattr(exc, "detail", None) or f"{type(exc).__name__}: {exc}")
        raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    ctx.progress(1.0, f"{counts.extracted} frames")
    return ExtractFramesResult.model_validate(_partial(video, counts, keep))

"""Product videos: an upload is checked by its content (PyAV), stored, and handed to the frame
extraction job in one transaction; listing, reading and deleting them (with or without their frames).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from shelfscope.config import Settings
from shelfscope.errors import Conflict, NotFound, PayloadTooLarge
from shelfscope.jobs.models import Job
from shelfscope.jobs.service import is_terminal, queue_in
from shelfscope.od.images.decode import display_name
from shelfscope.pr.products.images import remove_product_images
from shelfscope.pr.products.models import Product, ProductImage, ProductVideo
from shelfscope.pr.videos.frames import VideoFacts, probe_video
from shelfscope.pr.videos.schemas import EXTRACT_FRAMES_KIND, FramePolicyIn, VideoOut
from shelfscope.storage import Storage, new_key

if TYPE_CHECKING:
    from shelfscope.jobs.runners import JobRunner

log = logging.getLogger(__name__)
_CHUNK = 1024 * 1024


def file_url(video_id: int) -> str:
    return f"/api/v1/pr/videos/{video_id}/file"


def _effective_state(video: ProductVideo, job: Job | None) -> tuple[str, str | None]:
    """A video whose job ended without finishing it (cancelled, or failed before the handler ran) is
    shown as failed with the job's reason, whatever its row still says."""
    running = video.status in ("pending", "extracting")
    if running and job is not None and is_terminal(job.status) and job.status != "succeeded":
        return "failed", job.error or f"the frame extraction job was {job.status}"
    return video.status, video.error


def video_out(video: ProductVideo, job: Job | None = None) -> VideoOut:
    status, error = _effective_state(video, job)
    return VideoOut(
        id=video.id,
        product_id=video.product_id,
        filename=video.filename,
        size_bytes=video.size_bytes,
        format=video.format,
        width=video.width,
        height=video.height,
        duration_s=video.duration_s,
        fps=video.fps,
        frame_policy=dict(video.frame_policy or {}),
        status=status,
        frames_extracted=video.frames_extracted,
        error=error,
        job_id=video.job_id,
        kept=video.storage_key is not None,
        created_at=video.created_at,
        file_url=file_url(video.id) if video.storage_key else None,
    )


def require_product(session: Session, product_id: int) -> Product:
    product = session.get(Product, product_id)
    if product is None:
        raise NotFound(f"Product {product_id} does not exist.", product_id=product_id)
    return product


def require_video(session: Session, video_id: int) -> ProductVideo:
    video = session.get(ProductVideo, video_id)
    if video is None:
        raise NotFound(f"Video {video_id} does not exist.", video_id=video_id)
    return video


def _hash_within_limit(stream: BinaryIO, name: str, max_bytes: int) -> tuple[str, int]:
    """sha256 and size of a seekable upload, refusing it by name past the size limit."""
    digest = hashlib.sha256()
    size = 0
    stream.seek(0)
    while chunk := stream.read(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise PayloadTooLarge(
                f"{name} is larger than the {max_bytes / (1024 * 1024):g} MiB limit for product videos.",
                file=name,
                field="file",
                limit_bytes=max_bytes,
            )
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest(), size


def _new_video(
    product_id: int, name: str, digest: str, size: int, facts: VideoFacts, policy: FramePolicyIn, key: str
) -> ProductVideo:
    return ProductVideo(
        product_id=product_id,
        storage_key=key,
        filename=name,
        content_hash=digest,
        size_bytes=size,
        format=facts.format,
        width=facts.width,
        height=facts.height,
        duration_s=facts.duration_s,
        fps=facts.fps,
        frame_policy=policy.model_dump(mode="json"),
        status="pending",
    )


def accept_video(
    session: Session,
    storage: Storage,
    settings: Settings,
    runner: JobRunner,
    *,
    product_id: int,
    stream: BinaryIO,
    filename: str,
    policy: FramePolicyIn,
    user_id: int | None,
) -> tuple[Job, VideoOut]:
    """Check the upload (size, then content: an accepted container whose first frame decodes), store
    it, and add the video row and its extraction job in one transaction. Nothing is stored when any
    check fails; the stored file is removed again when the transaction does not commit."""
    name = display_name(filename)
    require_product(session, product_id)
    session.commit()  # no lock held while the file is hashed, probed and stored
    digest, size = _hash_within_limit(stream, name, settings.max_video_bytes)
    facts = probe_video(stream, name, settings.max_image_pixels)
    stream.seek(0)
    key = new_key("videos", facts.extension)
    storage.put_stream(key, stream, facts.content_type)
    try:
        require_product(session, product_id)
        video = _new_video(product_id, name, digest, size, facts, policy, key)
        video.created_by = user_id
        session.add(video)
        session.flush()
        payload = {"video_id": video.id, "upload_name": name}
        job = queue_in(session, EXTRACT_FRAMES_KIND, payload, user_id, settings.runner)
        video.job_id = job.id
        session.commit()
    except BaseException:
        session.rollback()
        storage.delete(key)
        raise
    _hand_over(runner, job)
    return job, video_out(video, job)


def _hand_over(runner: JobRunner, job: Job) -> None:
    """Wake a worker for the committed job (best effort: local workers also find it by polling)."""
    try:
        runner.submit(job.id, job.queue)
    except Exception:
        log.exception("could not hand job %s to the %s runner; it stays queued", job.id, runner.name)


def _jobs_by_id(session: Session, job_ids: Sequence[int | None]) -> dict[int, Job]:
    wanted = sorted({j for j in job_ids if j is not None})
    if not wanted:
        return {}
    return {job.id: job for job in session.scalars(select(Job).where(Job.id.in_(wanted)))}


def list_videos(session: Session, product_id: int) -> list[VideoOut]:
    """The product's videos, newest first (a product has a handful: no pagination)."""
    require_product(session, product_id)
    videos = list(
        session.scalars(
            select(ProductVideo).where(ProductVideo.product_id == product_id).order_by(ProductVideo.id.desc())
        )
    )
    jobs = _jobs_by_id(session, [v.job_id for v in videos])
    return [video_out(v, jobs.get(v.job_id) if v.job_id else None) for v in videos]


def get_video(session: Session, video_id: int) -> VideoOut:
    video = require_video(session, video_id)
    jobs = _jobs_by_id(session, [video.job_id])
    return video_out(video, jobs.get(video.job_id) if video.job_id else None)


def video_file(session: Session, video_id: int) -> tuple[str, str, str]:
    """(storage key, content type, filename) of a kept video; NotFound once it was dropped."""
    video = require_video(session, video_id)
    if video.storage_key is None:
        raise NotFound(
            f"Video {video_id}'s file was not kept (SHELFSCOPE_PR_KEEP_VIDEOS is off); its frames remain.",
            video_id=video_id,
        )
    content_type = {"mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm"}.get(
        video.format, "application/octet-stream"
    )
    return video.storage_key, content_type, video.filename


def frame_image_ids(session: Session, video_id: int) -> list[int]:
    return list(session.scalars(select(ProductImage.id).where(ProductImage.video_id == video_id)))


def delete_video(session: Session, storage: Storage, video_id: int, *, delete_frames: bool) -> None:
    """Remove a video row and its file (after the commit); its frames stay as product images unless
    `delete_frames` (then they go too, under the product images' rule for frozen dataset versions).
    Refused while its extraction job still runs: cancel the job first."""
    video = require_video(session, video_id)
    jobs = _jobs_by_id(session, [video.job_id])
    job = jobs.get(video.job_id) if video.job_id else None
    if job is not None and not is_terminal(job.status):
        raise Conflict(
            f"Video {video_id}'s frames are being taken by job {job.id}; cancel that job or wait for it "
            "before deleting the video.",
            video_id=video_id,
            job_id=job.id,
        )
    key = video.storage_key
    if delete_frames:
        ids = frame_image_ids(session, video_id)
        if ids:
            remove_product_images(session, storage, ids, force=False)
            video = require_video(session, video_id)
    session.delete(video)
    session.commit()
    if key is not None:
        try:
            storage.delete(key)
        except Exception:  # the row is gone; a leftover file is logged, not shown as a failure
            log.exception("could not remove the file %s of deleted video %s", key, video_id)

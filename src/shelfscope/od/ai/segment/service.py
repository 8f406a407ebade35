"""The SAM tool's request: checked here against the catalogue, the weights folder and the image, then
run as one interactive job (`od.ai.segment.run`) where the model is loaded, and answered with the
mask as COCO RLE, its outline polygon, its box and its score. Nothing is stored: a mask becomes an
annotation only when the editor saves it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.errors import NotFound, ValidationFailed
from shelfscope.jobs import interactive
from shelfscope.ml.catalogue import CATALOGUE, get_spec
from shelfscope.ml.weights import resolve
from shelfscope.od.ai.segment import rle
from shelfscope.od.ai.segment.schemas import (
    SEGMENT_KIND,
    RleOut,
    SegmentIn,
    SegmentJob,
    SegmentOut,
    SegmentResult,
)
from shelfscope.od.datasets.lookup import require_dataset
from shelfscope.od.datasets.models import DatasetImage
from shelfscope.od.images.models import Image


def segment(session: Session, ctx: AppContext, body: SegmentIn, user_id: int) -> SegmentOut:
    """The mask for `body`'s points and box. Raises ValidationFailed naming `model`, `points[i]` or
    `box`, NotFound naming `dataset_id` or `image_id`, WeightsMissing (409) before any job is made."""
    job = checked_job(session, ctx.settings, body)
    # The request's own transaction ends here: the job is written through a session of its own, and
    # SQLite has one writer at a time.
    session.commit()
    return response(run_job(ctx, job, user_id))


def checked_job(session: Session, settings: Settings, body: SegmentIn) -> SegmentJob:
    spec = get_spec(body.model, field="model")
    if spec.task != "segmenter":
        segmenters = ", ".join(s.key for s in CATALOGUE if s.task == "segmenter")
        raise ValidationFailed.field(
            "model", f"{spec.key!r} is a {spec.task}; use a segmenter ({segmenters})"
        )
    if not body.points and body.box is None:
        raise ValidationFailed.field("points", "give at least one point, or a box")
    image = _image_in_dataset(session, body.dataset_id, body.image_id)
    _check_prompts(body, image.width, image.height)
    resolve(settings, spec)
    return SegmentJob(
        model=spec.key,
        image_id=image.id,
        storage_key=image.storage_key,
        content_hash=image.content_hash,
        width=image.width,
        height=image.height,
        points=body.points,
        box=body.box,
        polygon=body.polygon,
    )


def _image_in_dataset(session: Session, dataset_id: int, image_id: int) -> Image:
    require_dataset(session, dataset_id)
    found = session.scalars(
        select(Image)
        .join(DatasetImage, DatasetImage.image_id == Image.id)
        .where(DatasetImage.dataset_id == dataset_id, DatasetImage.image_id == image_id)
    ).one_or_none()
    if found is None:
        raise NotFound(
            f"Image {image_id} is not in dataset {dataset_id}.", dataset_id=dataset_id, image_id=image_id
        )
    return found


def _check_prompts(body: SegmentIn, width: int, height: int) -> None:
    """Every point on the image (its edges included), and a box with area inside it."""
    for index, point in enumerate(body.points):
        if not (0 <= point.x <= width and 0 <= point.y <= height):
            raise ValidationFailed.field(
                f"points[{index}]", f"({point.x:g}, {point.y:g}) is outside the {width} x {height} image"
            )
    if body.box is not None:
        x1, y1, x2, y2 = body.box
        if not (x1 < x2 and y1 < y2):
            raise ValidationFailed.field("box", "must be [x1, y1, x2, y2] with x1 < x2 and y1 < y2")
        if x1 < 0 or y1 < 0 or x2 > width or y2 > height:
            raise ValidationFailed.field(
                "box", f"[{x1:g}, {y1:g}, {x2:g}, {y2:g}] leaves the {width} x {height} image"
            )


def run_job(ctx: AppContext, job: SegmentJob, user_id: int) -> SegmentResult:
    """Run the job on the interactive queue and wait for its result (or the error it raised: a 409
    for weights deleted meanwhile, a 503 when no interactive worker runs)."""
    result = interactive.call(
        ctx.settings, ctx.db, ctx.runner, kind=SEGMENT_KIND, payload=job, user_id=user_id
    )
    return SegmentResult.model_validate(result)


def response(result: SegmentResult) -> SegmentOut:
    return SegmentOut(
        mask=RleOut(size=result.size, counts=rle.unpack_counts(result.counts)),
        polygon=result.polygon,
        box=result.box,
        score=result.score,
    )

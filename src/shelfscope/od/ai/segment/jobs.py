"""The `od.ai.segment.run` handler: load the segmenter (this worker's model cache), the image's
embedding (this worker's embedding cache, so later clicks on the image skip the encoder), decode the
prompts, and encode the mask for the answer. Torch is imported inside the functions: the server
loads this module to know the kind."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image as PILImage
from PIL import ImageOps

from shelfscope.config import Settings
from shelfscope.errors import ValidationFailed
from shelfscope.jobs.context import JobContext
from shelfscope.jobs.registry import job_handler
from shelfscope.od.ai.segment import rle
from shelfscope.od.ai.segment.schemas import SEGMENT_KIND, SegmentJob, SegmentResult
from shelfscope.od.images.budget import decode_budget
from shelfscope.od.images.decode import decoded_bytes, eight_bit
from shelfscope.storage import Storage

# Past this many runs a mask is noise, not an object, and no longer fits a job result (jobs.caps).
MAX_RLE_RUNS = 100_000


@job_handler(SEGMENT_KIND, payload=SegmentJob, queue="interactive")
def run(ctx: JobContext, payload: SegmentJob) -> SegmentResult:
    return segment_image(ctx.settings, ctx.storage, payload)


def segment_image(settings: Settings, storage: Storage, job: SegmentJob) -> SegmentResult:
    from shelfscope.ml.segmenters import masks
    from shelfscope.ml.segmenters.base import PointPrompt
    from shelfscope.ml.segmenters.loader import embedding_for, load_segmenter

    segmenter = load_segmenter(settings, job.model)
    embedding = embedding_for(
        segmenter, job.content_hash, lambda: _upright_rgb(settings, storage, job.storage_key)
    )
    points = [PointPrompt(p.x, p.y, p.positive) for p in job.points]
    found = segmenter.segment(embedding, points, job.box)
    box = masks.int_box(found.box)
    counts = masks.to_rle(found.mask, box)["counts"]
    if len(counts) > MAX_RLE_RUNS:
        raise ValidationFailed.field(
            "points", f"the mask is {len(counts):,} scattered runs, not one object; add points or a box"
        )
    return SegmentResult(
        size=(job.height, job.width),
        counts=rle.pack_counts(counts),
        polygon=[(x, y) for x, y in masks.to_polygon(found.mask, box)],
        box=found.box if box is not None else None,
        score=found.score,
    )


@contextmanager
def _upright_rgb(settings: Settings, storage: Storage, key: str) -> Iterator[PILImage.Image]:
    """The stored image decoded, turned upright per EXIF and as 8-bit RGB, its memory reserved from
    the process's decode budget while it is in use."""
    budget = decode_budget(settings.decode_memory_bytes)
    with (
        storage.open(key) as stream,
        PILImage.open(stream) as im,
        budget.reserve(decoded_bytes(im), "the stored image"),
    ):
        im.load()
        yield eight_bit(ImageOps.exif_transpose(im)).convert("RGB")

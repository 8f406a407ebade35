"""The `od.ai.segment.run` handler: load the segmenter (this worker's model cache), the image's
embedding (this worker's embedding cache, so later clicks on the image skip the encoder), decode the
prompts, and encode the mask for the answer. Torch is imported inside the functions: the server
loads this module to know the kind."""

from __future__ import annotations

import logging
import threading
import time

from PIL import Image as PILImage

from shelfscope.config import Settings
from shelfscope.errors import ValidationFailed
from shelfscope.jobs import service
from shelfscope.jobs.context import JobContext
from shelfscope.jobs.registry import job_handler, on_worker_start
from shelfscope.od.ai.decode import decode_for_model
from shelfscope.od.ai.segment import rle
from shelfscope.od.ai.segment.schemas import SEGMENT_KIND, SegmentJob, SegmentResult
from shelfscope.storage import Storage

log = logging.getLogger(__name__)

# Past this many runs a mask is noise, not an object, and no longer fits a job result (jobs.caps).
MAX_RLE_RUNS = 100_000


@job_handler(SEGMENT_KIND, payload=SegmentJob, queue="interactive")
def run(ctx: JobContext, payload: SegmentJob) -> SegmentResult:
    from shelfscope.ml import runtime
    from shelfscope.ml.segmenters.loader import load_segmenter

    settings = ctx.settings
    load_segmenter(settings, payload.model)  # a first load sets the worker's own thread count
    runtime.use_threads(
        runtime.interactive_threads(
            settings, lambda: service.others_running(ctx.db, ctx.job_id, settings.runner)
        )
    )
    return segment_image(settings, ctx.storage, payload)


def segment_image(settings: Settings, storage: Storage, job: SegmentJob) -> SegmentResult:
    from shelfscope.ml.segmenters import masks
    from shelfscope.ml.segmenters.base import PointPrompt
    from shelfscope.ml.segmenters.loader import embedding_for, load_segmenter

    segmenter = load_segmenter(settings, job.model)

    def decode() -> PILImage.Image:
        with storage.open(job.storage_key) as stream:
            return decode_for_model(
                stream,
                "the stored image",
                job.width,
                job.height,
                lambda _w, _h: segmenter.input_size,
                memory_limit_bytes=settings.decode_memory_bytes,
            ).image

    embedding = embedding_for(segmenter, job.content_hash, (job.width, job.height), decode)
    points = [PointPrompt(p.x, p.y, p.positive) for p in job.points]
    found = segmenter.segment(embedding, points, job.box)
    box = masks.int_box(found.box)
    counts = masks.rle_counts(found.mask, box)
    if len(counts) > MAX_RLE_RUNS:
        raise ValidationFailed.field(
            "points", f"the mask is {len(counts):,} scattered runs, not one object; add points or a box"
        )
    return SegmentResult(
        size=(job.height, job.width),
        counts=rle.pack_counts(counts),
        polygon=[(x, y) for x, y in masks.to_polygon(found.mask, box)] if job.polygon else [],
        box=found.box if box is not None else None,
        score=found.score,
    )


@on_worker_start
def preload_models(settings: Settings, queues: tuple[str, ...]) -> None:
    """An interactive worker loads the models named in settings.ml_preload as it starts (in a thread
    of its own, so it takes jobs meanwhile: a click that arrives during the load waits for it rather
    than loading a second copy), so a person's first click does not pay the load."""
    if "interactive" not in queues or not settings.ml_preload:
        return
    threading.Thread(target=_preload, args=(settings,), name="ml-preload", daemon=True).start()


def _preload(settings: Settings) -> None:
    from shelfscope.ml.catalogue import get_spec
    from shelfscope.ml.detectors.loader import load_detector
    from shelfscope.ml.segmenters.loader import load_segmenter

    for key in settings.ml_preload:
        started = time.monotonic()
        try:
            # A registry model (trained:<id>) is a detector outside the catalogue.
            if not key.startswith("trained:") and get_spec(key, field="ml_preload").task == "segmenter":
                load_segmenter(settings, key)
            else:
                load_detector(settings, key)
        except Exception as exc:  # a missing model is the first click's error to report, not ours
            log.warning("preloading %s failed: %s", key, exc)
            continue
        log.info("preloaded %s in %.1fs", key, time.monotonic() - started)

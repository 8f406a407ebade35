"""The AI jobs: `od.ai.annotate.run` (a batch over a dataset's images) and `od.ai.detect.run` (one
image, for the editor). Torch is imported inside the handlers only: this module is loaded by the
server too (to validate payloads), which must stay free of ML libraries."""

from __future__ import annotations

from typing import Any

from shelfscope.jobs.context import JobContext
from shelfscope.jobs.registry import job_handler
from shelfscope.od.ai.schemas import ANNOTATE_KIND, DETECT_KIND, AnnotatePayload, DetectPayload


@job_handler(ANNOTATE_KIND, payload=AnnotatePayload, resumable=True, queue="ml")
def annotate_dataset(ctx: JobContext, payload: AnnotatePayload) -> dict[str, Any]:
    """Resumable: every image commits with a checkpoint, so a requeued run starts after the last one."""
    from shelfscope.ml.detectors.loader import load_detector
    from shelfscope.od.ai.pipeline import AnnotateRun

    detector = load_detector(ctx.settings, payload.model)
    result = AnnotateRun(ctx, payload, detector).run()
    stored = ", ".join(f"{c.count} {c.name}" for c in result.counts) or "no boxes"
    ctx.log(
        f"{result.images_done} images: {stored} ({result.duplicates_dropped} duplicates of existing boxes "
        f"and {result.unknown_dropped} unknown labels dropped); model {result.timings.model_s:.1f}s of "
        f"{result.timings.wall_s:.1f}s"
    )
    return result.model_dump(mode="json")


@job_handler(DETECT_KIND, payload=DetectPayload, queue="interactive")
def detect_image(ctx: JobContext, payload: DetectPayload) -> dict[str, Any]:
    from shelfscope.ml.detectors.loader import load_detector
    from shelfscope.od.ai.pipeline import detect_one

    detector = load_detector(ctx.settings, payload.model)
    return detect_one(ctx, payload, detector).model_dump(mode="json")

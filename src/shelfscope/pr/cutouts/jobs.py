"""The `pr.cutouts.make` job: cutouts from a dataset's annotations or a detector's predictions.
Torch is imported inside the handler only (the server loads this module to validate payloads)."""

from __future__ import annotations

from typing import Any

from shelfscope.jobs.context import JobContext
from shelfscope.jobs.registry import job_handler
from shelfscope.pr.cutouts.schemas import MAKE_KIND, MakePayload


@job_handler(MAKE_KIND, payload=MakePayload, resumable=True)
def make_cutouts(ctx: JobContext, payload: MakePayload) -> dict[str, Any]:
    """Resumable: every batch commits with a checkpoint; a requeued run starts after the last one, and
    a box cut before is never cut twice. The service queues it on `ml` when a detector runs."""
    from shelfscope.pr.cutouts.boxes import annotation_boxes
    from shelfscope.pr.cutouts.make import MakeRun

    if payload.source == "predictions":
        from shelfscope.ml.detectors.loader import load_detector
        from shelfscope.pr.cutouts.boxes import prediction_boxes

        assert payload.model is not None
        detector = load_detector(ctx.settings, payload.model)
        source = prediction_boxes(ctx.db, payload, detector)
        result = MakeRun(ctx, payload, source, needs_pixels_first=True).run()
    else:
        result = MakeRun(ctx, payload, annotation_boxes(ctx.db, payload), needs_pixels_first=False).run()
    ctx.log(
        f"{result.images} images: {result.created} cutouts made, {result.existing} boxes had one already, "
        f"{len(result.skipped)} images skipped, in {result.wall_s:.1f}s"
    )
    return result.model_dump(mode="json")

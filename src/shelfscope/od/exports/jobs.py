"""The export job: `od.exports.run` writes one dataset or version archive to storage."""

from __future__ import annotations

from typing import Any

from shelfscope.jobs.context import JobContext
from shelfscope.jobs.registry import job_handler
from shelfscope.od.exports.schemas import EXPORT_KIND, ExportPayload
from shelfscope.od.exports.service import run_export


@job_handler(EXPORT_KIND, payload=ExportPayload, resumable=True)
def export_dataset(ctx: JobContext, payload: ExportPayload) -> dict[str, Any]:
    """Resumable: an interrupted export left nothing behind, so running it again is safe."""
    result = run_export(ctx.settings, ctx.db, ctx.storage, payload, ctx, f"{ctx.job_id}-{ctx.attempt}")
    ctx.log(
        f"exported {result.images} images (+{result.augmented_images} augmented) and {result.annotations} "
        f"annotations as {result.format.upper()}: {result.filename}, {result.size_bytes:,} bytes"
    )
    return result.model_dump(mode="json")

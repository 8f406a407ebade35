"""The version build job: `od.versions.build` splits and snapshots one `building` version."""

from __future__ import annotations

from typing import Any

from shelfscope.jobs.context import JobContext
from shelfscope.jobs.registry import job_handler
from shelfscope.od.versions import service
from shelfscope.od.versions.schemas import BUILD_KIND, BuildPayload


@job_handler(BUILD_KIND, payload=BuildPayload, resumable=False)
def build_version(ctx: JobContext, payload: BuildPayload) -> dict[str, Any]:
    ctx.progress(0.0, "splitting and copying images and annotations")
    try:
        version = service.build_version(ctx.db, payload.version_id)
    except Exception as exc:
        service.mark_failed(ctx.db, payload.version_id, f"{type(exc).__name__}: {exc}")
        raise
    counts = version.counts
    ctx.log(
        f"version {version.number}: {counts.total_images} images, {counts.total_annotations} annotations, "
        f"{len(version.class_mapping)} classes; splits {counts.images}"
    )
    ctx.progress(1.0, "ready")
    return {"version_id": version.id, "number": version.number, "counts": counts.model_dump(mode="json")}

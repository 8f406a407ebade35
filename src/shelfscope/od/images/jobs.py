"""Image library jobs: `od.images.verify` proves every stored image is present and intact;
`od.images.sync` pulls new images from the configured image source."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from shelfscope.jobs.context import JobContext
from shelfscope.jobs.registry import job_handler
from shelfscope.od.images.schemas import SYNC_KIND, VERIFY_KIND, SyncIn, VerifyPayload
from shelfscope.od.images.sync import run_sync
from shelfscope.od.images.verify import verify_library


@job_handler(VERIFY_KIND, payload=VerifyPayload, resumable=False)
def verify_images(ctx: JobContext, payload: VerifyPayload) -> dict[str, Any]:
    """Re-hash every image's stored bytes, report missing and altered objects, restore thumbnails."""
    return asdict(verify_library(ctx.db, ctx.storage, ctx.settings, payload, ctx))


# Resumable: a rerun after a lost worker skips every image the first run stored (by source id).
@job_handler(SYNC_KIND, payload=SyncIn, resumable=True)
def sync_images(ctx: JobContext, payload: SyncIn) -> dict[str, Any]:
    """Pull new images from the sync source (docs/sync-connector.md) into the library."""
    return run_sync(ctx, payload).model_dump()

"""Image library jobs: `od.images.verify` proves every stored image is present and intact;
`od.images.sync` pulls new images from the configured image source; `od.images.import_url` fetches
images from URLs."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from shelfscope.jobs.context import JobContext
from shelfscope.jobs.registry import job_handler
from shelfscope.od.images.schemas import (
    SYNC_KIND,
    URL_IMPORT_KIND,
    VERIFY_KIND,
    SyncIn,
    UrlImportIn,
    VerifyPayload,
)
from shelfscope.od.images.sync import run_sync
from shelfscope.od.images.url_import import import_urls
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


# Resumable: a rerun finds the images the first run stored by their bytes (reported as duplicates).
@job_handler(URL_IMPORT_KIND, payload=UrlImportIn, resumable=True)
def import_from_urls(ctx: JobContext, payload: UrlImportIn) -> dict[str, Any]:
    """Fetch each URL (limits of the safe fetcher) and ingest it; per-URL results like an upload."""
    with ctx.db.writer() as session:
        result = import_urls(session, ctx.storage, ctx.settings, payload, ctx, ctx.user_id)
    return result.model_dump(mode="json")

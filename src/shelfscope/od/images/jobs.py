"""Image library jobs: `od.images.verify` proves every stored image is present and intact;
`od.images.sync` pulls new images from the configured image source; `od.images.import_url` fetches
images from URLs; `od.images.build_thumbnails` renders the thumbnails an import left to it."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from shelfscope.config import Settings
from shelfscope.db import Database
from shelfscope.jobs.context import JobContext
from shelfscope.jobs.registry import job_handler, on_jobs_interrupted
from shelfscope.od.images.schemas import (
    SYNC_KIND,
    URL_IMPORT_KIND,
    VERIFY_KIND,
    SyncIn,
    UrlImportIn,
    VerifyPayload,
)
from shelfscope.od.images.sync import run_sync
from shelfscope.od.images.thumbnails import (
    THUMBNAILS_KIND,
    ThumbnailsPayload,
    build_thumbnails,
    sweep_abandoned_thumbnails,
)
from shelfscope.od.images.url_import import import_urls
from shelfscope.od.images.verify import verify_library
from shelfscope.storage import open_storage


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


# Resumable: a rerun first removes the files its last run stored but never linked, then skips every
# image that has a thumbnail by now.
@job_handler(THUMBNAILS_KIND, payload=ThumbnailsPayload, resumable=True)
def render_thumbnails(ctx: JobContext, payload: ThumbnailsPayload) -> dict[str, Any]:
    """Render the thumbnails of images an import stored without them."""
    counts = build_thumbnails(ctx.db, ctx.storage, ctx.settings, payload.ranges, ctx, str(ctx.job_id))
    ctx.log(
        f"rendered {counts.rendered} thumbnails; {counts.skipped} got one meanwhile; {counts.failed} failed"
    )
    return asdict(counts)


@on_jobs_interrupted
def remove_files_of_interrupted_thumbnail_jobs(settings: Settings, db: Database) -> None:
    sweep_abandoned_thumbnails(db, open_storage(settings))

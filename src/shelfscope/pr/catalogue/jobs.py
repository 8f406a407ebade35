"""The catalogue import job: `pr.catalogue.import` (see service.run_catalogue_import)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from shelfscope.config import Settings
from shelfscope.db import Database, utcnow
from shelfscope.jobs.context import JobContext
from shelfscope.jobs.models import Job
from shelfscope.jobs.registry import job_handler, on_jobs_interrupted
from shelfscope.jobs.service import record_result
from shelfscope.od.images.staging import SWEEP_WINDOW
from shelfscope.pr.catalogue.schemas import CATALOGUE_IMPORT_KIND, CatalogueImportPayload
from shelfscope.pr.catalogue.service import CatalogueRejected, ImportRun, remove_uploads, run_catalogue_import
from shelfscope.storage import open_storage

log = logging.getLogger(__name__)
# Issues also written to the job's log (the result lists up to service.MAX_LISTED_ISSUES).
_LOGGED_ISSUES = 200


@job_handler(CATALOGUE_IMPORT_KIND, payload=CatalogueImportPayload, resumable=False)
def import_catalogue(ctx: JobContext, payload: CatalogueImportPayload) -> dict[str, Any]:
    """Import a catalogue of products with their images, all or nothing."""
    run = ImportRun(
        settings=ctx.settings,
        db=ctx.db,
        storage=ctx.storage,
        reporter=ctx,
        user_id=ctx.user_id,
        job_id=ctx.job_id,
        worker=ctx.worker,
        token=str(ctx.job_id),
    )
    try:
        report = run_catalogue_import(run, payload)
    except CatalogueRejected as exc:
        # A failed job keeps no result of its own: the report, which names every bad row and file, is
        # stored on the job before it is failed.
        record_result(ctx.db, ctx.job_id, ctx.worker, exc.report.model_dump(mode="json"))
        for issue in exc.report.issues[:_LOGGED_ISSUES]:
            place = f"row {issue.row}" if issue.row is not None else issue.file
            ctx.log(f"{place}{f' {issue.field}' if issue.field else ''}: {issue.detail}", "error")
        raise
    ctx.log(
        f"{report.products_created} products created, {report.products_updated} updated, "
        f"{report.products_skipped} skipped; {report.images_stored} images stored, "
        f"{report.images_duplicate} already in the catalogue"
    )
    return report.model_dump(mode="json")


@on_jobs_interrupted
def remove_uploads_of_interrupted_imports(settings: Settings, db: Database) -> None:
    """An import whose worker died left its uploaded catalogue and archive in storage."""
    storage = open_storage(settings)
    with db.read() as session:
        rows = session.execute(
            select(Job.payload).where(
                Job.kind == CATALOGUE_IMPORT_KIND,
                Job.status.in_(("failed", "cancelled")),
                Job.created_at >= utcnow() - SWEEP_WINDOW,
            )
        ).all()
    for (raw,) in rows:
        try:
            remove_uploads(storage, CatalogueImportPayload.model_validate(raw or {}))
        except Exception:  # one broken payload must not stop the others
            log.exception("could not remove the uploads of an interrupted catalogue import")

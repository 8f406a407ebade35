"""HTTP routes of dataset exports (mounted at /api/v1/od): start an export job, download its archive.

The download honours single byte ranges (206 with Content-Range; 416 when the range is malformed or
outside the file; see http.ranges), so browsers and download managers can resume a large archive.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from shelfscope.auth.deps import CurrentUser, WriterUser
from shelfscope.deps import Ctx, DbSession
from shelfscope.http.ranges import ranged_response
from shelfscope.ids import Id, Number
from shelfscope.jobs.schemas import JobEnvelope, JobOut
from shelfscope.od.datasets.deps import DatasetId
from shelfscope.od.exports import service
from shelfscope.od.exports.schemas import ExportFormat, ExportIn

router = APIRouter()


@router.post("/datasets/{dataset_id}/export/{fmt}", status_code=202, response_model=JobEnvelope)
def start_export(
    fmt: ExportFormat,
    session: DbSession,
    ctx: Ctx,
    user: WriterUser,
    dataset_id: DatasetId,
    body: ExportIn | None = None,
) -> JobEnvelope:
    """Export the dataset as it is now, or one of its versions (`version`), as a zip archive job."""
    job = service.start_export(session, ctx.runner, dataset_id, fmt, body or ExportIn(), user.id)
    return JobEnvelope(job=JobOut.model_validate(job))


@router.post(
    "/datasets/{dataset_id}/versions/{number}/export/{fmt}", status_code=202, response_model=JobEnvelope
)
def export_version(
    number: Number,
    fmt: ExportFormat,
    session: DbSession,
    ctx: Ctx,
    user: WriterUser,
    dataset_id: DatasetId,
    body: ExportIn | None = None,
) -> JobEnvelope:
    """Quick export of a version (the body's own `version`, if any, is replaced by this one)."""
    options = (body or ExportIn()).model_copy(update={"version": number})
    job = service.start_export(session, ctx.runner, dataset_id, fmt, options, user.id)
    return JobEnvelope(job=JobOut.model_validate(job))


@router.head("/export/{job_id}/download", response_model=None, include_in_schema=False)
async def download_head(
    job_id: Id, request: Request, session: DbSession, ctx: Ctx, user: CurrentUser
) -> Response:
    """The headers a download would have (size, ranges), without the body."""
    return await download(job_id, request, session, ctx, user)


@router.get("/export/{job_id}/download", response_model=None)
async def download(job_id: Id, request: Request, session: DbSession, ctx: Ctx, user: CurrentUser) -> Response:
    """The export's zip archive; supports `Range: bytes=first-last` (206 Partial Content)."""
    found = await run_in_threadpool(service.export_download, session, ctx.storage, job_id)
    await run_in_threadpool(session.close)
    headers = {
        "Content-Disposition": f'attachment; filename="{found.filename}"',
        "Cache-Control": "private, max-age=0",
    }
    return ranged_response(
        size=found.size,
        range_header=request.headers.get("range"),
        chunks=lambda byte_range: ctx.storage.iter_range(found.key, *(byte_range or (0, found.size - 1))),
        media_type="application/zip",
        headers=headers,
        with_body=request.method != "HEAD",
    )

"""HTTP routes of dataset exports (mounted at /api/v1/od): start an export job, download its archive.

The download honours single byte ranges (206 with Content-Range; 416 when the range is outside the
file), so browsers and download managers can resume a large archive.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response, StreamingResponse

from shelfscope.auth.deps import CurrentUser, WriterUser
from shelfscope.deps import Ctx, DbSession
from shelfscope.ids import Id, Number
from shelfscope.jobs.schemas import JobEnvelope, JobOut
from shelfscope.od.exports import jobs as _jobs  # noqa: F401  (registers the od.export handler)
from shelfscope.od.exports import service
from shelfscope.od.exports.schemas import ExportFormat, ExportIn

router = APIRouter()

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


@router.post("/datasets/{dataset_id}/export/{fmt}", status_code=202, response_model=JobEnvelope)
def start_export(
    dataset_id: Id,
    fmt: ExportFormat,
    session: DbSession,
    ctx: Ctx,
    user: WriterUser,
    body: ExportIn | None = None,
) -> JobEnvelope:
    """Export the dataset as it is now, or one of its versions (`version`), as a zip archive job."""
    job = service.start_export(session, ctx.runner, dataset_id, fmt, body or ExportIn(), user.id)
    return JobEnvelope(job=JobOut.model_validate(job))


@router.post(
    "/datasets/{dataset_id}/versions/{number}/export/{fmt}", status_code=202, response_model=JobEnvelope
)
def export_version(
    dataset_id: Id,
    number: Number,
    fmt: ExportFormat,
    session: DbSession,
    ctx: Ctx,
    user: WriterUser,
    body: ExportIn | None = None,
) -> JobEnvelope:
    """Quick export of a version (the body's own `version`, if any, is replaced by this one)."""
    options = (body or ExportIn()).model_copy(update={"version": number})
    job = service.start_export(session, ctx.runner, dataset_id, fmt, options, user.id)
    return JobEnvelope(job=JobOut.model_validate(job))


def _byte_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """(first, last) of a single satisfiable range, None for the whole file, "unsatisfiable" else."""
    if not header:
        return None
    found = _RANGE.match(header.strip())
    if found is None:
        # Several ranges or another unit: answering with the whole file is allowed (RFC 9110 14.2).
        return None
    first_text, last_text = found.groups()
    if not first_text and not last_text:
        return None
    if not first_text:
        suffix = int(last_text)
        if suffix == 0:
            return "unsatisfiable"
        return max(0, size - suffix), size - 1
    first = int(first_text)
    last = min(int(last_text), size - 1) if last_text else size - 1
    if first >= size or first > last:
        return "unsatisfiable"
    return first, last


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
        "Accept-Ranges": "bytes",
        "Content-Disposition": f'attachment; filename="{found.filename}"',
        "Cache-Control": "private, max-age=0",
    }
    wanted = _byte_range(request.headers.get("range"), found.size)
    if wanted == "unsatisfiable":
        return JSONResponse(
            {
                "error": "RangeNotSatisfiable",
                "detail": f"The range {request.headers.get('range')} lies outside the archive "
                f"({found.size:,} bytes).",
                "size": found.size,
            },
            status_code=416,
            headers={"Content-Range": f"bytes */{found.size}", "Accept-Ranges": "bytes"},
        )
    status = 200
    first, last = 0, found.size - 1
    if isinstance(wanted, tuple):
        first, last = wanted
        status = 206
        headers["Content-Range"] = f"bytes {first}-{last}/{found.size}"
    headers["Content-Length"] = str(last - first + 1)
    if request.method == "HEAD" or found.size == 0:
        return Response(status_code=status, headers=headers, media_type="application/zip")
    chunks = ctx.storage.iter_range(found.key, first, last)
    return StreamingResponse(chunks, status_code=status, headers=headers, media_type="application/zip")

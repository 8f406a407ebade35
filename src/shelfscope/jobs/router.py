"""HTTP routes for jobs (mounted at /api/v1/jobs): list, read, logs, metrics, cancel, live stream."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from shelfscope.auth.deps import CurrentUser, WriterUser, require_admin
from shelfscope.deps import Ctx, DbSession
from shelfscope.ids import Id, in_id_range
from shelfscope.jobs import service
from shelfscope.jobs.schemas import JobEnvelope, JobOut, JobPage, LogOut, LogPage, MetricOut, MetricPage
from shelfscope.jobs.stream import job_event_stream

router = APIRouter()


@router.get("", response_model=JobPage)
def list_jobs(
    session: DbSession,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
    status: Annotated[
        list[str] | None,
        Query(
            description="queued, running, succeeded, failed, cancelled; repeat or comma-separate for several"
        ),
    ] = None,
    kind: str | None = None,
    queue: Annotated[str | None, Query(description="default, ml or interactive")] = None,
    include_interactive: Annotated[
        bool,
        Query(
            description="false: leave out the interactive queue's jobs (one per SAM click or one-image "
            "detection), unless `queue` names it"
        ),
    ] = True,
) -> JobPage:
    """Newest first."""
    page = service.list_jobs(
        session,
        limit=limit,
        cursor=cursor,
        statuses=status or (),
        kind=kind,
        queue=queue,
        include_interactive=include_interactive,
    )
    return JobPage(
        items=[JobOut.model_validate(job) for job in page.items],
        next_cursor=page.next_cursor,
        total=page.total,
    )


@router.get("/{job_id}", response_model=JobOut)
def get_job(job_id: Id, session: DbSession, user: CurrentUser) -> JobOut:
    return JobOut.model_validate(service.get_job(session, job_id))


@router.get("/{job_id}/logs", response_model=LogPage)
def get_logs(
    job_id: Id,
    session: DbSession,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    cursor: str | None = None,
) -> LogPage:
    """Oldest first, the order a log is read in."""
    page = service.list_events(session, job_id, "log", limit=limit, cursor=cursor)
    return LogPage(
        items=[LogOut.model_validate(e) for e in page.items], next_cursor=page.next_cursor, total=page.total
    )


@router.get("/{job_id}/metrics", response_model=MetricPage)
def get_metrics(
    job_id: Id,
    session: DbSession,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
    cursor: str | None = None,
    name: str | None = None,
) -> MetricPage:
    page = service.list_events(session, job_id, "metric", limit=limit, cursor=cursor, name=name)
    return MetricPage(
        items=[MetricOut.model_validate(e) for e in page.items],
        next_cursor=page.next_cursor,
        total=page.total,
    )


@router.post("/{job_id}/cancel", status_code=202, response_model=JobEnvelope)
def cancel_job(job_id: Id, session: DbSession, ctx: Ctx, user: WriterUser) -> JobEnvelope:
    """A writer cancels their own jobs; another user's (or the system's) needs an admin."""
    if service.get_job(session, job_id).created_by != user.id:
        require_admin(user, "cancel another user's job")
    job = service.cancel_job(session, ctx.runner, job_id, user.id)
    return JobEnvelope(job=JobOut.model_validate(job))


@router.get("/{job_id}/stream", response_class=StreamingResponse)
async def stream_job(
    job_id: Id,
    request: Request,
    session: DbSession,
    ctx: Ctx,
    user: CurrentUser,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    """Server-sent events: `job` (the job JSON) on every change, `log` per new line, `end` when done."""
    await run_in_threadpool(service.get_job, session, job_id)
    # The stream polls with its own short sessions; don't hold the request's connection for hours.
    await run_in_threadpool(session.close)
    resume = (
        int(last_event_id) if last_event_id and last_event_id.isascii() and last_event_id.isdigit() else 0
    )
    after = resume if in_id_range(resume) else 0
    frames = job_event_stream(ctx.db, job_id, is_disconnected=request.is_disconnected, after_log_id=after)
    return StreamingResponse(
        frames,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )

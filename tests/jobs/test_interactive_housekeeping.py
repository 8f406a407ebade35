"""Interactive jobs (one per SAM click) stay out of the way: job lists leave them out when asked (the
web app's Jobs page and recent-jobs views do), and ended ones are deleted after the retention time."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from shelfscope.context import AppContext
from shelfscope.db import utcnow
from shelfscope.jobs import service
from shelfscope.jobs.executor import prune_ended_interactive, run_job_inline
from shelfscope.jobs.models import Job, JobEvent


def submit(ctx: AppContext, kind: str, payload: dict[str, object] | None = None) -> int:
    with ctx.db.writer() as session:
        return service.submit_job(session, ctx.runner, kind, payload or {}, None).id


def finished_ago(ctx: AppContext, job_id: int, hours: float) -> None:
    with ctx.db.write() as session:
        session.execute(
            update(Job).where(Job.id == job_id).values(finished_at=utcnow() - timedelta(hours=hours))
        )


def ids(client: TestClient, **params: str) -> tuple[list[int], int]:
    page = client.get("/api/v1/jobs", params=params).json()
    return [item["id"] for item in page["items"]], page["total"]


def test_a_job_list_can_leave_out_interactive_jobs_unless_their_queue_is_asked_for(
    client: TestClient, ctx: AppContext
) -> None:
    default = submit(ctx, "test.steps")
    ml = submit(ctx, "test.ml.echo")
    click = submit(ctx, "test.interactive.echo")

    assert ids(client) == ([click, ml, default], 3)
    assert ids(client, include_interactive="false") == ([ml, default], 2)
    assert ids(client, include_interactive="false", queue="interactive") == ([click], 1)
    bad = client.get("/api/v1/jobs", params={"include_interactive": "maybe"})
    assert bad.status_code == 422
    assert bad.json()["fields"][0]["field"] == "include_interactive"


def test_ended_interactive_jobs_past_the_retention_are_deleted_with_their_events(ctx: AppContext) -> None:
    old_click = submit(ctx, "test.interactive.echo", {"value": 1})
    recent_click = submit(ctx, "test.interactive.echo", {"value": 2})
    old_import = submit(ctx, "test.steps")
    for job_id in (old_click, recent_click, old_import):
        run_job_inline(ctx.settings, ctx.db, ctx.storage, job_id)
    with ctx.db.write() as session:
        session.add(JobEvent(job_id=old_click, type="log", at=utcnow(), level="info", message="a line"))
    waiting_click = submit(ctx, "test.interactive.echo", {"value": 3})
    retention = ctx.settings.interactive_job_retention_h
    for job_id in (old_click, old_import):
        finished_ago(ctx, job_id, retention + 1)
    finished_ago(ctx, recent_click, retention - 1)

    assert prune_ended_interactive(ctx.settings, ctx.db) == 1

    with ctx.db.read() as session:
        left = set(session.scalars(select(Job.id)))
        events = session.scalar(select(func.count()).where(JobEvent.job_id == old_click))
    assert left == {recent_click, old_import, waiting_click}
    assert events == 0


def test_a_retention_of_zero_keeps_every_interactive_job(ctx: AppContext) -> None:
    click = submit(ctx, "test.interactive.echo", {"value": 1})
    run_job_inline(ctx.settings, ctx.db, ctx.storage, click)
    finished_ago(ctx, click, 24 * 365)
    keep = ctx.settings.model_copy(update={"interactive_job_retention_h": 0.0})

    assert prune_ended_interactive(keep, ctx.db) == 0
    with ctx.db.read() as session:
        assert session.get(Job, click) is not None

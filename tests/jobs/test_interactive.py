"""interactive.call: a request runs one job on the interactive queue and gets its result, the error its
handler raised (same status, kind, detail and fields), or a clean timeout that cancels the job."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from shelfscope.context import AppContext
from shelfscope.errors import Conflict, Internal, TimedOut, Unavailable, ValidationFailed
from shelfscope.jobs import interactive, service
from shelfscope.jobs.executor import run_job_inline
from shelfscope.jobs.models import Job
from tests.support.jobs import Harness, wait_for

INVALID_POINT = "point 3 (x=900) is outside the 640 x 480 image"


def call(
    ctx: AppContext, kind: str, payload: dict[str, Any] | None = None, timeout_s: float = 20
) -> dict[str, Any]:
    return interactive.call(
        ctx.settings, ctx.db, ctx.runner, kind=kind, payload=payload or {}, user_id=None, timeout_s=timeout_s
    )


def job_row(ctx: AppContext, job_id: int) -> Job:
    with ctx.db.read() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def test_call_returns_the_jobs_result(running: Harness) -> None:
    result = call(running.ctx, "test.interactive.echo", {"value": {"x": 12, "y": 40}})

    assert result["echo"] == {"x": 12, "y": 40}


def test_a_validation_error_raised_in_the_handler_comes_back_as_that_422(running: Harness) -> None:
    with pytest.raises(ValidationFailed) as caught:
        call(running.ctx, "test.interactive.invalid")

    error = caught.value
    assert error.status_code == 422
    assert error.to_body() == {
        "error": "ValidationFailed",
        "detail": f"points: {INVALID_POINT}",
        "fields": [{"field": "points", "message": INVALID_POINT}],
    }


def test_a_handler_that_crashes_is_a_500_with_its_one_line_error(local_running: Harness) -> None:
    with pytest.raises(Internal) as caught:
        call(local_running.ctx, "test.interactive.crash")

    assert caught.value.detail == "The test.interactive.crash job failed: RuntimeError: a bug in the handler"
    assert "Traceback" not in caught.value.detail


def test_a_job_past_its_time_is_a_504_and_ends_cancelled(local_running: Harness) -> None:
    with pytest.raises(TimedOut) as caught:
        call(local_running.ctx, "test.interactive.wait", {"seconds": 30}, timeout_s=0.5)

    assert caught.value.status_code == 504
    assert "within 0.5s" in caught.value.detail
    # What to do about it: a first request loads the model; the settings that help are named.
    assert "SHELFSCOPE_INTERACTIVE_TIMEOUT_S" in caught.value.detail
    assert "SHELFSCOPE_ML_PRELOAD" in caught.value.detail
    job = local_running.wait_status(caught.value.extra["job_id"], "cancelled", timeout=10)
    assert job.started_at is not None and job.result is None
    # The interactive worker is free again for the next click.
    assert call(local_running.ctx, "test.interactive.echo", {"value": 1})["echo"] == 1


def test_no_worker_to_take_the_job_is_a_503_and_the_job_never_runs(ctx: AppContext) -> None:
    # `ctx`'s runner is never started: no worker exists.
    with pytest.raises(Unavailable) as caught:
        call(ctx, "test.interactive.echo", timeout_s=0.2)

    assert caught.value.status_code == 503
    job = job_row(ctx, caught.value.extra["job_id"])
    assert (job.status, job.started_at, job.queue) == ("cancelled", None, "interactive")


def test_a_job_cancelled_by_someone_else_is_a_conflict(ctx: AppContext) -> None:
    def queued_job() -> int | None:
        with ctx.db.read() as session:
            return session.scalar(select(Job.id).where(Job.status == "queued"))

    def cancel_when_queued() -> None:
        job_id = wait_for(queued_job, 5, "a queued job")
        with ctx.db.writer() as session:
            service.cancel_job(session, ctx.runner, job_id)

    canceller = threading.Thread(target=cancel_when_queued)
    canceller.start()
    try:
        with pytest.raises(Conflict, match="was cancelled before it finished"):
            call(ctx, "test.interactive.echo", timeout_s=10)
    finally:
        canceller.join()


def test_only_interactive_kinds_may_be_called(ctx: AppContext) -> None:
    with pytest.raises(ValueError, match="runs on the ml queue"):
        call(ctx, "test.ml.echo")
    with ctx.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Job)) == 0


def test_a_failed_job_keeps_the_body_of_the_error_its_handler_raised(ctx: AppContext) -> None:
    with ctx.db.writer() as session:
        job_id = service.submit_job(session, ctx.runner, "test.interactive.invalid", {}, None).id
        crash_id = service.submit_job(session, ctx.runner, "test.interactive.crash", {}, None).id

    job = run_job_inline(ctx.settings, ctx.db, ctx.storage, job_id)
    crashed = run_job_inline(ctx.settings, ctx.db, ctx.storage, crash_id)

    assert (job.status, job.error) == ("failed", f"ValidationFailed: points: {INVALID_POINT}")
    assert job.error_body == {
        "error": "ValidationFailed",
        "detail": f"points: {INVALID_POINT}",
        "fields": [{"field": "points", "message": INVALID_POINT}],
    }
    assert (crashed.status, crashed.error_body) == ("failed", None)


def test_a_stored_error_of_a_kind_this_server_does_not_know_keeps_its_name_as_a_500() -> None:
    error = interactive.stored_error(
        {"error": "GpuOutOfMemory", "detail": "CUDA ran out", "device": "cuda:0"}
    )

    assert (error.status_code, error.to_body()) == (
        500,
        {"error": "GpuOutOfMemory", "detail": "CUDA ran out", "device": "cuda:0"},
    )

"""Jobs without any runner: submitting (validation), inline execution, throttled progress, cancel rules."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import event, func, select

from shelfscope.context import AppContext
from shelfscope.errors import Conflict, NotFound, ValidationFailed
from shelfscope.jobs import service
from shelfscope.jobs.executor import WorkerEnv, run_claimed_job, run_job_inline
from shelfscope.jobs.models import Job, JobEvent
from shelfscope.jobs.registry import job_handler
from tests.support.job_handlers import StepsPayload
from tests.support.jobs import wait_for


def submit(ctx: AppContext, kind: str, payload: dict[str, Any] | None = None) -> int:
    with ctx.db.writer() as session:
        return service.submit_job(session, ctx.runner, kind, payload or {}, None).id


def run_inline(ctx: AppContext, job_id: int) -> Job:
    return run_job_inline(ctx.settings, ctx.db, ctx.storage, job_id)


def count_rows(ctx: AppContext, model: type[Job] | type[JobEvent]) -> int:
    with ctx.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_submit_stores_a_queued_job_with_the_validated_payload(ctx: AppContext) -> None:
    job_id = submit(ctx, "test.steps", {"steps": "4"})

    with ctx.db.read() as session:
        job = service.get_job(session, job_id)
    assert (job.kind, job.status, job.runner) == ("test.steps", "queued", "local")
    assert (job.attempt, job.progress) == (0, 0)
    assert job.payload == {"steps": 4, "sleep_s": 0.0}  # coerced and completed by the handler's model


def test_submit_refuses_an_unknown_kind_and_stores_nothing(ctx: AppContext) -> None:
    with pytest.raises(ValidationFailed) as caught:
        submit(ctx, "test.nope")

    assert caught.value.extra["fields"][0]["field"] == "kind"
    assert "test.nope" in caught.value.detail
    assert count_rows(ctx, Job) == 0


def test_submit_refuses_a_bad_payload_naming_the_field_and_stores_nothing(ctx: AppContext) -> None:
    with pytest.raises(ValidationFailed) as caught:
        submit(ctx, "test.steps", {"steps": "many"})

    assert caught.value.extra["fields"][0]["field"] == "payload.steps"
    assert "payload.steps" in caught.value.detail
    assert count_rows(ctx, Job) == 0


def test_a_handler_runs_inline_without_any_runner(ctx: AppContext) -> None:
    job_id = submit(ctx, "test.steps", {"steps": 3})

    job = run_inline(ctx, job_id)

    assert (job.status, job.result, job.progress) == ("succeeded", {"steps": 3}, 1.0)
    assert job.worker is not None and job.worker.startswith("inline@")
    with ctx.db.read() as session:
        logs = service.list_events(session, job_id, "log").items
        metrics = service.list_events(session, job_id, "metric").items
    assert [e.message for e in logs] == ["step 1 of 3", "step 2 of 3", "step 3 of 3"]
    assert [(m.name, m.step) for m in metrics] == [("loss", 0), ("loss", 1), ("loss", 2)]


def _count_job_updates(ctx: AppContext) -> list[str]:
    statements: list[str] = []

    @event.listens_for(ctx.db.engine, "before_cursor_execute")
    def _seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE JOBS"):
            statements.append(statement)

    return statements


def test_progress_writes_are_throttled_but_the_last_value_is_always_written(ctx: AppContext) -> None:
    job_id = submit(ctx, "test.chatty", {"calls": 5000, "fail": True})
    updates = _count_job_updates(ctx)

    job = run_inline(ctx, job_id)

    assert job.status == "failed"
    # The last report, made a moment before the failure, is what the row shows.
    assert job.progress == pytest.approx(0.9)
    assert job.stage == "call 5000"
    assert len(updates) < 50, f"{len(updates)} UPDATEs for 5000 progress calls"


def test_cancel_of_a_queued_job_is_immediate_and_it_never_runs(ctx: AppContext) -> None:
    job_id = submit(ctx, "test.steps")
    with ctx.db.writer() as session:
        job = service.cancel_job(session, ctx.runner, job_id, user_id=None)
    assert (job.status, job.cancel_requested) == ("cancelled", True)

    job = run_inline(ctx, job_id)  # a worker that picks it up anyway does nothing

    assert (job.status, job.started_at, job.attempt) == ("cancelled", None, 0)


def test_cancel_of_a_finished_job_is_a_conflict_naming_its_status_and_changes_nothing(
    ctx: AppContext,
) -> None:
    job_id = submit(ctx, "test.steps", {"steps": 1})
    before = run_inline(ctx, job_id)
    events_before = count_rows(ctx, JobEvent)

    with ctx.db.writer() as session, pytest.raises(Conflict) as caught:
        service.cancel_job(session, ctx.runner, job_id)

    assert caught.value.extra["status"] == "succeeded"
    assert "succeeded" in caught.value.detail
    with ctx.db.read() as session:
        after = service.get_job(session, job_id)
    assert (after.status, after.cancel_requested, after.updated_at) == ("succeeded", False, before.updated_at)
    assert count_rows(ctx, JobEvent) == events_before


def test_cancel_of_an_unknown_job_is_not_found(ctx: AppContext) -> None:
    with ctx.db.writer() as session, pytest.raises(NotFound):
        service.cancel_job(session, ctx.runner, 4242)


def test_a_running_job_sees_the_cancel_and_ends_cancelled_inline(ctx: AppContext) -> None:
    job_id = submit(ctx, "test.wait", {"seconds": 30})
    outcome: list[Job] = []
    thread = threading.Thread(target=lambda: outcome.append(run_inline(ctx, job_id)))
    thread.start()
    wait_for(lambda: run_status(ctx, job_id) == "running", what="the job to start")

    with ctx.db.writer() as session:
        service.cancel_job(session, ctx.runner, job_id)
    thread.join(10)

    assert not thread.is_alive()
    assert outcome[0].status == "cancelled"


def run_status(ctx: AppContext, job_id: int) -> str:
    with ctx.db.read() as session:
        return service.get_job(session, job_id).status


def test_a_late_finish_never_overwrites_a_cancel(ctx: AppContext) -> None:
    """The handler returns normally after the cancel was recorded: the cancel stands, no result."""
    job_id = submit(ctx, "test.steps", {"steps": 1})
    env = WorkerEnv(settings=ctx.settings, db=ctx.db, storage=ctx.storage, worker_id="test:1")
    assert service.claim_job(ctx.db, job_id, env.worker_id)
    with ctx.db.writer() as session:
        service.cancel_job(session, ctx.runner, job_id)
    # Finishing is attempted directly, as a worker that missed the flag would.
    assert not service.finish_job(ctx.db, job_id, env.worker_id, {"late": True}, None)
    run_claimed_job(env, job_id, hard_stop=None)

    with ctx.db.read() as session:
        job = service.get_job(session, job_id)
    assert (job.status, job.result) == ("cancelled", None)


def test_stale_running_jobs_are_failed_or_requeued_by_recovery(ctx: AppContext) -> None:
    plain = submit(ctx, "test.wait")
    resumable = submit(ctx, "test.resumable")
    for job_id in (plain, resumable):
        assert service.claim_job(ctx.db, job_id, "gone-host:1")

    recovery = service.recover_interrupted(ctx.db, "local", workers=["gone-host:1"])

    assert (recovery.failed, recovery.requeued) == ([plain], [resumable])
    with ctx.db.read() as session:
        failed, requeued = service.get_job(session, plain), service.get_job(session, resumable)
    assert (failed.status, failed.error) == ("failed", service.INTERRUPTED_ERROR)
    assert (requeued.status, requeued.attempt, requeued.worker) == ("queued", 1, None)


def test_registering_a_second_handler_for_a_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="already handled"):

        @job_handler("test.steps", payload=StepsPayload)
        def impostor(ctx: Any, payload: StepsPayload) -> dict[str, Any]:
            return {}


def test_a_handler_stores_artifacts_and_odd_metric_values_become_null(ctx: AppContext) -> None:
    job_id = submit(ctx, "test.artifact", {"text": "model weights"})

    job = run_inline(ctx, job_id)

    assert job.status == "succeeded", job.error
    assert job.result is not None
    assert ctx.storage.read_bytes(job.result["key"]) == b"model weights"
    with ctx.db.read() as session:
        values = [m.value for m in service.list_events(session, job_id, "metric").items]
    assert values == [None, 0.5]


def test_a_result_json_cannot_hold_fails_the_job_with_a_clear_error(ctx: AppContext) -> None:
    job = run_inline(ctx, submit(ctx, "test.bad_result"))

    assert job.status == "failed"
    assert job.error is not None and job.error.startswith("ValueError: Out of range float values")


def test_others_running_counts_running_jobs_of_the_runner_but_the_asking_one(ctx: AppContext) -> None:
    asking, other = (submit(ctx, "test.steps", {"steps": "1"}) for _ in range(2))
    assert service.claim_job(ctx.db, asking, "w1")

    assert not service.others_running(ctx.db, asking, "local")  # queued jobs do not count

    assert service.claim_job(ctx.db, other, "w2")
    assert service.others_running(ctx.db, asking, "local")
    assert not service.others_running(ctx.db, asking, "celery")  # another runner's: other machines
    with ctx.db.write() as session:
        session.get_one(Job, other).status = "succeeded"
    assert not service.others_running(ctx.db, asking, "local")

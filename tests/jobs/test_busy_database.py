"""A job whose heartbeat and reports meet a busy database (another writer holds the lock past the busy
timeout) keeps running: its reports wait for the next flush, the stale sweep does not call a live
worker's job interrupted, and the job ends with the status of what it did."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.db import utcnow
from shelfscope.jobs import service
from shelfscope.jobs.context import JobContext
from shelfscope.jobs.runners.local import LocalRunner
from tests.support.jobs import Harness
from tests.support.locks import job_lock_held


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"job_heartbeat_s": 0.1, "job_stale_after_s": 0.5, "database_busy_timeout_s": 0.2}
    )


@pytest.fixture
def local(settings: Settings) -> Iterator[Harness]:
    ctx = AppContext.from_settings(settings)
    harness = Harness(kind="local", ctx=ctx)
    try:
        ctx.runner.start()
        harness.wait_workers()
        yield harness
    finally:
        ctx.close()


def test_a_job_outlives_a_database_lock_longer_than_its_stale_limit(local: Harness) -> None:
    steps = 25
    job_id = local.submit("test.steps", {"steps": steps, "sleep_s": 0.1})
    local.wait_log(job_id, "step 2 of")

    with job_lock_held(local.ctx, job_id):
        # Three times the stale limit: heartbeats and the job's reports all wait.
        time.sleep(3 * local.ctx.settings.job_stale_after_s)
    job = local.wait_status(job_id, "succeeded", "failed", "cancelled")

    assert (job.status, job.error, job.result) == ("succeeded", None, {"steps": steps})
    # Nothing the job reported while the database was busy was lost.
    assert local.logs(job_id) == [f"step {i} of {steps}" for i in range(1, steps + 1)]


def test_the_stale_sweep_spares_a_live_workers_job_and_not_a_dead_ones(local: Harness) -> None:
    job_id = local.submit("test.wait", {"seconds": 30})
    local.wait_log(job_id, "waiting")
    runner = local.ctx.runner
    assert isinstance(runner, LocalRunner)
    long_ago = utcnow() + timedelta(hours=1)  # every heartbeat is older than this

    spared = service.recover_interrupted(local.ctx.db, "local", stale_before=long_ago, alive=runner._alive())
    assert spared.failed == [] and local.job(job_id).status == "running"

    failed = service.recover_interrupted(local.ctx.db, "local", stale_before=long_ago)
    assert failed.failed == [job_id] and local.job(job_id).status == "failed"


def test_a_report_written_while_the_database_is_busy_waits_for_the_next_flush(ctx: AppContext) -> None:
    with ctx.db.writer() as session:
        job = service.submit_job(session, ctx.runner, "test.steps", {}, None)
    assert service.claim_job(ctx.db, job.id, "me")
    job_ctx = JobContext(
        job_id=job.id,
        kind="test.steps",
        user_id=None,
        attempt=1,
        worker="me",
        settings=ctx.settings,
        db=ctx.db,
        storage=ctx.storage,
    )
    with job_lock_held(ctx, job.id):
        job_ctx.log("written while busy")
        job_ctx.progress(0.5, "half")
        signal = job_ctx.flush(heartbeat=True)
    assert signal.still_mine and not job_ctx.cancelled()

    job_ctx.flush()
    with ctx.db.read() as session:
        logs = [e.message for e in service.list_events(session, job.id, "log").items]
        row = service.get_job(session, job.id)
    assert logs == ["written while busy"]
    assert (row.progress, row.stage) == (0.5, "half")


def test_a_workers_last_word_is_retried_while_the_database_is_busy(ctx: AppContext) -> None:
    with ctx.db.writer() as session:
        job = service.submit_job(session, ctx.runner, "test.steps", {}, None)
    assert service.claim_job(ctx.db, job.id, "me")
    finished: list[bool] = []
    with job_lock_held(ctx, job.id):
        writer = threading.Thread(
            target=lambda: finished.append(service.finish_job(ctx.db, job.id, "me", {"ok": True}, "done"))
        )
        writer.start()
        time.sleep(0.5)  # more than two busy timeouts
    writer.join(10)
    assert finished == [True]
    with ctx.db.read() as session:
        assert service.get_job(session, job.id).status == "succeeded"

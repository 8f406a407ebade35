"""Both runners, with real worker processes: round trip, cancel (queued, cooperative, stubborn),
failure, and a worker killed mid-job (interrupted, or requeued when the handler is resumable)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.jobs.service import INTERRUPTED_ERROR
from tests.support.jobs import REPO_ROOT, Harness, settings_env, wait_for


def test_job_round_trip_reports_progress_logs_and_metrics(running: Harness) -> None:
    job_id = running.submit("test.steps", {"steps": 5, "sleep_s": 0.05})

    job = running.wait_status(job_id, "succeeded")

    assert job.result == {"steps": 5}
    assert (job.progress, job.stage) == (1.0, "step 5 of 5")
    assert job.attempt == 1
    assert job.error is None
    assert job.started_at is not None and job.finished_at is not None and job.heartbeat_at is not None
    assert job.created_at <= job.started_at <= job.finished_at
    assert running.logs(job_id) == [f"step {i} of 5" for i in range(1, 6)]
    metrics = running.events(job_id, "metric")
    assert [(m.name, m.step) for m in metrics] == [("loss", i) for i in range(5)]
    assert [m.value for m in metrics] == pytest.approx([1 / (i + 1) for i in range(5)])
    if running.kind == "celery":
        assert job.external_id  # the Celery task id, so a cancel can revoke it


def test_cancelling_a_queued_job_means_it_never_runs(running: Harness) -> None:
    busy = running.submit("test.wait", {"seconds": 30})  # holds the only worker
    running.wait_status(busy, "running")
    queued = running.submit("test.steps", {"steps": 1})

    job = running.cancel(queued)

    assert job.status == "cancelled"
    running.cancel(busy)
    running.wait_status(busy, "cancelled")
    # The worker is free again; give it a moment to (not) pick the cancelled job up.
    follow_up = running.submit("test.steps", {"steps": 1})
    running.wait_status(follow_up, "succeeded")
    job = running.job(queued)
    assert (job.status, job.started_at, job.attempt, job.result) == ("cancelled", None, 0, None)
    assert running.logs(queued) == ["cancelled before it started"]


def test_cancelling_a_running_cooperative_job_stops_it_and_keeps_the_worker(running: Harness) -> None:
    job_id = running.submit("test.wait", {"seconds": 30})
    running.wait_log(job_id, "waiting")

    started = time.monotonic()
    assert running.cancel(job_id).cancel_requested
    job = running.wait_status(job_id, "cancelled")

    # Seen at the next heartbeat, well inside the grace period: the handler stopped by itself.
    assert time.monotonic() - started < running.ctx.settings.job_cancel_grace_s + 1.0
    assert job.finished_at is not None and job.result is None
    logs = running.logs(job_id)
    assert "saw the cancel; cleaning up" in logs
    assert "stopped after the cancel request" in logs
    assert not any("did not stop" in line for line in logs)
    after = running.submit("test.steps", {"steps": 1})
    assert running.wait_status(after, "succeeded").worker == job.worker  # same process, not replaced


def test_cancelling_a_job_that_ignores_it_stops_its_process_within_the_grace(running: Harness) -> None:
    job_id = running.submit("test.stubborn", {"seconds": 60})
    running.wait_log(job_id, "ignores cancellation")
    worker = running.job(job_id).worker

    started = time.monotonic()
    running.cancel(job_id)
    job = running.wait_status(job_id, "cancelled", timeout=10)

    settings = running.ctx.settings
    elapsed = time.monotonic() - started
    grace, beat = settings.job_cancel_grace_s, settings.job_heartbeat_s
    assert grace <= elapsed < grace + 4 * beat + 1
    assert any("did not stop within" in line for line in running.logs(job_id))
    assert job.result is None
    # The stopped process was replaced: the next job runs, in a new process.
    after = running.submit("test.steps", {"steps": 1})
    assert running.wait_status(after, "succeeded").worker != worker


def test_failing_handler_marks_the_job_failed_with_the_traceback_only_in_the_server_log(
    running: Harness, client: TestClient
) -> None:
    job_id = running.submit("test.fail", {"message": "the scale is off by 3 grams"})

    job = running.wait_status(job_id, "failed")

    assert job.error == "RuntimeError: the scale is off by 3 grams"
    body = client.get(f"/api/v1/jobs/{job_id}").json()
    assert body["status"] == "failed"
    assert body["error"] == "RuntimeError: the scale is off by 3 grams"
    assert "Traceback" not in str(body)
    logs = running.logs(job_id)
    assert logs[0] == "about to fail"
    # The job log is shown to users: one line, the traceback went to the server log.
    assert logs[-1] == "the job failed: RuntimeError: the scale is off by 3 grams"
    assert "Traceback" not in client.get(f"/api/v1/jobs/{job_id}/logs").text


def test_worker_killed_mid_job_leaves_the_job_failed_as_interrupted(running: Harness) -> None:
    job_id = running.submit("test.wait", {"seconds": 60})
    running.wait_log(job_id, "waiting")

    running.kill_workers()
    job = running.wait_status(job_id, "failed")

    assert job.error == INTERRUPTED_ERROR
    assert job.finished_at is not None
    running.start_workers()
    after = running.submit("test.steps", {"steps": 1})
    running.wait_status(after, "succeeded")


def test_resumable_job_is_requeued_when_its_worker_dies_and_finishes_on_the_next_attempt(
    running: Harness,
) -> None:
    job_id = running.submit("test.resumable", {"seconds": 60})
    running.wait_log(job_id, "first attempt")

    running.kill_workers()
    running.wait_status(job_id, "queued", "succeeded")
    running.start_workers()
    job = running.wait_status(job_id, "succeeded")

    assert job.attempt == 2
    assert job.result == {"attempt": 2}
    assert any("requeued" in line for line in running.logs(job_id))


# A stand-in for `shelfscope serve`: a server process whose local runner runs one long job.
SERVER = """
import time
from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.jobs.service import submit_job

ctx = AppContext.from_settings(Settings())
ctx.runner.start()
with ctx.db.writer() as session:
    print(submit_job(session, ctx.runner, "test.wait", {"seconds": 60}, None).id, flush=True)
time.sleep(120)
"""


def process_gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state == "Z"  # exited; only its parent-to-be has not reaped it yet


def test_job_running_when_the_server_dies_is_failed_at_the_next_start(settings: Settings) -> None:
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER], env=settings_env(settings), cwd=REPO_ROOT, stdout=subprocess.PIPE
    )
    assert server.stdout is not None
    job_id = int(server.stdout.readline())
    ctx = AppContext.from_settings(settings)  # the next server, not started yet
    harness = Harness(kind="local", ctx=ctx)
    try:
        harness.wait_log(job_id, "waiting")
        worker = harness.job(job_id).worker
        assert worker is not None

        server.kill()
        server.wait(10)
        # Its worker notices the server is gone and exits too, leaving the row "running".
        wait_for(lambda: process_gone(int(worker.rsplit(":", 1)[1])), 5, "the orphaned worker to exit")
        assert harness.job(job_id).status == "running"
        time.sleep(settings.job_stale_after_s)

        ctx.runner.start()

        job = harness.job(job_id)  # settled by start() itself, before any worker could run
        assert (job.status, job.error) == ("failed", INTERRUPTED_ERROR)
    finally:
        server.kill()
        ctx.close()


def test_runner_health_reports_its_workers(running: Harness) -> None:
    health = wait_for(lambda: (found := running.ctx.runner.health())["ok"] and found, 10, "a healthy runner")

    assert (health["runner"], health["workers"]) == (running.kind, 1)
    assert health["detail"]


def test_local_runner_health_counts_every_pool(local_running: Harness) -> None:
    health = local_running.ctx.runner.health()

    assert (health["ok"], health["workers"]) == (True, 3)
    assert health["detail"] == "3 of 3 worker processes alive (default 1/1, ml 1/1, interactive 1/1)"


@pytest.mark.celery
def test_celery_runner_with_its_broker_down_says_so_and_fails_the_submitted_job(settings: Settings) -> None:
    from shelfscope.errors import Internal
    from tests.support.servers import free_port

    ctx = AppContext.from_settings(
        settings.model_copy(update={"runner": "celery", "broker_url": f"redis://127.0.0.1:{free_port()}/0"})
    )
    harness = Harness(kind="celery", ctx=ctx)
    try:
        started = time.monotonic()
        health = ctx.runner.health()
        assert time.monotonic() - started < 1.0
        assert (health["ok"], health["runner"], health["workers"]) == (False, "celery", 0)
        assert "broker not reachable" in health["detail"]

        with pytest.raises(Internal) as caught:
            harness.submit("test.steps")

        job = harness.job(caught.value.extra["job_id"])
        assert job.status == "failed"
        assert job.error is not None and job.error.startswith("could not be queued")
    finally:
        ctx.close()

"""A run whose worker died resumes from its last checkpoint with the remaining epochs; a cancelled run
stops within seconds, keeps its best checkpoint and registers nothing."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient

from shelfscope.context import AppContext
from shelfscope.jobs import service as jobs
from shelfscope.jobs.models import Job
from shelfscope.ml.trainers.base import EpochRecord
from shelfscope.od.trained_models.models import TrainedModel
from shelfscope.od.training.events import RunEvents
from shelfscope.od.training.models import TrainingRun
from tests.support.dataset_files import run_job
from tests.support.jobs import wait_for
from tests.training.conftest import start


class WorkerDied(BaseException):
    """Stands for the worker process dying: nothing in the job machinery catches it, so the job row
    stays running under the dead worker's name, as after a real crash."""


def _run(ctx: AppContext, run_id: int) -> TrainingRun:
    with ctx.db.read() as session:
        run = session.get(TrainingRun, run_id)
        assert run is not None
        session.expunge(run)
        return run


def test_a_killed_workers_run_resumes_after_its_last_epoch_with_the_remaining_ones(
    client: TestClient, ctx: AppContext, version_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = start(client, version_id, epochs=2)
    run_id, job_id = created["run"]["id"], created["job"]["id"]
    original = RunEvents.epoch_end

    def dies_after_epoch_1(self: RunEvents, record: EpochRecord) -> None:
        original(self, record)
        if record.epoch == 1 and self.ctx.attempt == 1:
            raise WorkerDied()

    monkeypatch.setattr(RunEvents, "epoch_end", dies_after_epoch_1)
    with pytest.raises(WorkerDied):
        run_job(ctx, job_id)
    with ctx.db.read() as session:
        job = session.get(Job, job_id)
        assert job is not None and job.status == "running" and job.worker
        worker = job.worker
    dead = _run(ctx, run_id)
    assert dead.status == "running" and dead.current_epoch == 1 and dead.last_checkpoint_key
    # The supervisor's recovery: the worker is gone, the resumable job is requeued.
    recovery = jobs.recover_interrupted(ctx.db, ctx.runner.name, workers=[worker])
    assert recovery.requeued == [job_id]

    job = run_job(ctx, job_id)
    assert job.status == "succeeded", job.error
    assert job.attempt == 2
    logs = [line["message"] for line in client.get(f"/api/v1/od/training/{run_id}/logs").json()["items"]]
    assert any("resuming after epoch 1" in m and "1 epoch left" in m for m in logs), logs
    # Epoch 2 only ran on the second attempt: one row per epoch, in order.
    epoch_lines = [m for m in logs if m.startswith("epoch ") and "/2:" in m]
    assert [m.split(":")[0] for m in epoch_lines] == ["epoch 1/2", "epoch 2/2"]
    run = client.get(f"/api/v1/od/training/{run_id}").json()
    assert run["status"] == "succeeded" and run["current_epoch"] == 2 and run["model_id"] is not None
    rows = client.get(f"/api/v1/od/training/{run_id}/metrics").json()["epochs"]
    assert [r["epoch"] for r in rows] == [1, 2]


def test_a_cancel_stops_within_seconds_and_keeps_the_best_checkpoint(
    client: TestClient, ctx: AppContext, version_id: int
) -> None:
    created = start(client, version_id, epochs=200)
    run_id, job_id = created["run"]["id"], created["job"]["id"]
    worker = threading.Thread(target=run_job, args=(ctx, job_id))
    worker.start()
    try:
        wait_for(
            lambda: _run(ctx, run_id).best_checkpoint_key is not None, timeout=120, what="a best checkpoint"
        )
        asked = time.monotonic()
        response = client.delete(f"/api/v1/od/training/{run_id}")
        assert response.status_code == 202, response.text
        assert response.json()["run"]["id"] == run_id
    finally:
        worker.join(120)
    assert time.monotonic() - asked < 15
    with ctx.db.read() as session:
        job = session.get(Job, job_id)
        assert job is not None and job.status == "cancelled"
        assert session.query(TrainedModel).count() == 0
    run = _run(ctx, run_id)
    assert run.status == "cancelled" and run.current_epoch < 200
    assert run.best_checkpoint_key and ctx.storage.exists(run.best_checkpoint_key)
    shown = client.get(f"/api/v1/od/training/{run_id}").json()
    assert shown["status"] == "cancelled" and shown["best_epoch"] >= 1 and shown["model_id"] is None
    # A finished run without a model is deleted with its checkpoints.
    assert client.delete(f"/api/v1/od/training/{run_id}").status_code == 204
    assert not list(ctx.storage.iter_keys(f"training/{run_id}/"))


def test_a_run_whose_last_attempt_died_is_closed_as_failed(
    client: TestClient, ctx: AppContext, version_id: int
) -> None:
    from sqlalchemy import update

    from shelfscope.jobs.registry import run_recovery_hooks

    created = start(client, version_id)
    run_id, job_id = created["run"]["id"], created["job"]["id"]
    with ctx.db.write() as session:
        session.execute(update(Job).where(Job.id == job_id).values(max_attempts=1))
        session.execute(update(TrainingRun).where(TrainingRun.id == run_id).values(status="running"))
    assert jobs.claim_job(ctx.db, job_id, "gone@1")
    recovery = jobs.recover_interrupted(ctx.db, ctx.runner.name, workers=["gone@1"])
    assert recovery.failed == [job_id]
    run_recovery_hooks(ctx.settings, ctx.db)
    run = _run(ctx, run_id)
    assert run.status == "failed" and run.error and run.finished_at is not None

"""Cancel, checkpoints (list, delete with and without force), resume with the remaining epochs, and
delete, on runs whose checkpoints are written as the worker leaves them (no training here; the
end-to-end tests train for real)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from shelfscope.context import AppContext
from shelfscope.jobs.models import Job
from shelfscope.pr.trained_models.models import PrTrainedModel
from shelfscope.pr.training.models import PrCheckpoint
from tests.pr.training.helpers import finish_with_checkpoints, start, stored_state, write_catalogue

SIX = {f"P{i}": {"real": 3} for i in range(6)}


def _run(client: TestClient, ctx: AppContext, **config: int) -> tuple[int, int]:
    write_catalogue(ctx, SIX)
    created = start(client, config={"epochs": 5} | config)
    return created["run"]["id"], created["job"]["id"]


def test_cancelling_a_queued_run_cancels_its_job_and_a_finished_one_is_refused(
    client: TestClient, ctx: AppContext
) -> None:
    run_id, job_id = _run(client, ctx)
    answer = client.post(f"/api/v1/pr/training/{run_id}/cancel")
    assert answer.status_code == 202
    assert answer.json()["run"]["status"] == "cancelled" and answer.json()["job"]["status"] == "cancelled"
    with ctx.db.read() as session:
        job = session.get(Job, job_id)
        assert job is not None and job.status == "cancelled"
    again = client.post(f"/api/v1/pr/training/{run_id}/cancel")
    assert again.status_code == 409 and again.json()["status"] == "cancelled"


def test_checkpoints_list_with_the_best_flag_and_their_models(client: TestClient, ctx: AppContext) -> None:
    run_id, _ = _run(client, ctx)
    ids = finish_with_checkpoints(ctx, run_id, [0.2, 0.6, 0.4])
    listed = client.get(f"/api/v1/pr/training/{run_id}/checkpoints").json()
    assert [c["epoch"] for c in listed] == [1, 2, 3] and [c["id"] for c in listed] == ids
    assert [c["is_best"] for c in listed] == [False, True, False]
    assert listed[1]["metrics"]["val_recall_at_1"] == 0.6 and listed[1]["size_bytes"] > 0
    model = client.post("/api/v1/pr/models", json={"checkpoint_id": ids[1], "name": "m"}).json()
    assert client.get(f"/api/v1/pr/training/{run_id}/checkpoints").json()[1]["model_ids"] == [model["id"]]
    assert client.get(f"/api/v1/pr/training/{run_id}").json()["model_count"] == 1


def test_a_checkpoint_a_model_came_from_needs_force_and_the_model_keeps_its_copy(
    client: TestClient, ctx: AppContext
) -> None:
    run_id, _ = _run(client, ctx)
    ids = finish_with_checkpoints(ctx, run_id, [0.2, 0.6])
    model = client.post("/api/v1/pr/models", json={"checkpoint_id": ids[1], "name": "m"}).json()
    key = f"checkpoints/pr/{run_id}/epoch-0002.pt"
    before = stored_state(ctx)
    refused = client.delete(f"/api/v1/pr/training/{run_id}/checkpoints/{ids[1]}")
    assert refused.status_code == 409 and refused.json()["model_ids"] == [model["id"]]
    assert stored_state(ctx) == before and ctx.storage.exists(key)

    assert (
        client.delete(
            f"/api/v1/pr/training/{run_id}/checkpoints/{ids[1]}", params={"force": True}
        ).status_code
        == 204
    )
    assert not ctx.storage.exists(key)
    assert [c["id"] for c in client.get(f"/api/v1/pr/training/{run_id}/checkpoints").json()] == [ids[0]]
    kept = client.get(f"/api/v1/pr/models/{model['id']}").json()
    assert kept["checkpoint_id"] is None and kept["run_id"] == run_id
    assert ctx.storage.exists(f"models/pr/{model['id']}/model.pt")
    # An unlinked checkpoint goes without force, file and all.
    assert client.delete(f"/api/v1/pr/training/{run_id}/checkpoints/{ids[0]}").status_code == 204
    assert not list(ctx.storage.iter_keys(f"checkpoints/pr/{run_id}/"))
    assert client.delete(f"/api/v1/pr/training/{run_id}/checkpoints/{ids[0]}").status_code == 404


def test_a_live_runs_checkpoints_and_the_run_itself_cannot_be_deleted(
    client: TestClient, ctx: AppContext
) -> None:
    run_id, _ = _run(client, ctx)
    ids = finish_with_checkpoints(ctx, run_id, [0.2], status="running")
    before = stored_state(ctx)
    assert client.delete(f"/api/v1/pr/training/{run_id}/checkpoints/{ids[0]}").status_code == 409
    answer = client.delete(f"/api/v1/pr/training/{run_id}")
    assert (
        answer.status_code == 409
        and answer.json()["status"] == "running"
        and "cancel" in answer.json()["detail"]
    )
    assert stored_state(ctx) == before


def test_deleting_a_run_removes_its_checkpoints_and_keeps_registered_models_with_force(
    client: TestClient, ctx: AppContext
) -> None:
    run_id, _ = _run(client, ctx)
    ids = finish_with_checkpoints(ctx, run_id, [0.2, 0.6, 0.4])
    model = client.post("/api/v1/pr/models", json={"checkpoint_id": ids[1], "name": "m"}).json()
    before = stored_state(ctx)
    refused = client.delete(f"/api/v1/pr/training/{run_id}")
    assert refused.status_code == 409 and refused.json()["model_ids"] == [model["id"]]
    assert stored_state(ctx) == before

    assert client.delete(f"/api/v1/pr/training/{run_id}", params={"force": True}).status_code == 204
    after = stored_state(ctx)
    assert after["runs"] == after["images"] == after["checkpoints"] == after["evaluations"] == 0
    assert after["keys"] == [f"models/pr/{model['id']}/model.pt"]
    kept = client.get(f"/api/v1/pr/models/{model['id']}").json()
    assert kept["run_id"] is None and kept["checkpoint_id"] is None and kept["run_name"] is None
    assert client.get(f"/api/v1/pr/training/{run_id}").status_code == 404


def test_resume_continues_from_the_latest_checkpoint_with_the_remaining_epochs(
    client: TestClient, ctx: AppContext
) -> None:
    run_id, first_job = _run(client, ctx)
    finish_with_checkpoints(ctx, run_id, [0.2, 0.6], status="cancelled")
    answer = client.post(f"/api/v1/pr/training/{run_id}/resume", json={})
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert body["remaining_epochs"] == 3 and body["start_epoch"] == 3
    assert body["run"]["status"] == "queued" and body["run"]["current_epoch"] == 2
    assert body["job"]["kind"] == "pr.training.run" and body["job"]["id"] != first_job
    assert body["run"]["job_id"] == body["job"]["id"]
    # Live again: a second resume is refused.
    assert client.post(f"/api/v1/pr/training/{run_id}/resume", json={}).status_code == 409


def test_resume_from_an_earlier_checkpoint_drops_the_later_ones_and_can_raise_the_total(
    client: TestClient, ctx: AppContext
) -> None:
    run_id, _ = _run(client, ctx)
    ids = finish_with_checkpoints(ctx, run_id, [0.2, 0.6, 0.4], status="failed")
    answer = client.post(f"/api/v1/pr/training/{run_id}/resume", json={"checkpoint_id": ids[0], "epochs": 8})
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert body["remaining_epochs"] == 7 and body["run"]["total_epochs"] == 8
    assert body["run"]["config"]["epochs"] == 8 and body["run"]["error"] is None
    assert [h["epoch"] for h in body["run"]["metrics_history"]] == [1]
    assert body["run"]["best_epoch"] == 1
    with ctx.db.read() as session:
        rows = session.query(PrCheckpoint).filter_by(run_id=run_id).all()
        assert [(r.epoch, r.is_best) for r in rows] == [(1, True)]
    assert [k.rsplit("/", 1)[1] for k in ctx.storage.iter_keys(f"checkpoints/pr/{run_id}/")] == [
        "epoch-0001.pt"
    ]


def test_bad_resumes_are_named_and_change_nothing(client: TestClient, ctx: AppContext) -> None:
    run_id, _ = _run(client, ctx)
    assert client.post(f"/api/v1/pr/training/{run_id}/resume", json={}).status_code == 409  # queued
    client.post(f"/api/v1/pr/training/{run_id}/cancel")
    before = stored_state(ctx)
    none = client.post(f"/api/v1/pr/training/{run_id}/resume", json={})
    assert none.status_code == 422 and none.json()["fields"][0]["field"] == "checkpoint_id"
    ids = finish_with_checkpoints(ctx, run_id, [0.2, 0.6], status="cancelled")
    before = stored_state(ctx)
    for body, field in (
        ({"checkpoint_id": 99999}, "checkpoint_id"),
        ({"epochs": 2}, "epochs"),
        ({"epochs": 0}, "epochs"),
        ({"checkpoint_id": ids[1], "epochs": 1}, "epochs"),
        ({"from": 1}, "from"),
    ):
        answer = client.post(f"/api/v1/pr/training/{run_id}/resume", json=body)
        assert answer.status_code == 422 and answer.json()["fields"][0]["field"] == field, (body, answer.text)
        assert stored_state(ctx) == before
    # A later checkpoint a model came from is not thrown away by resuming from an earlier one.
    model = client.post("/api/v1/pr/models", json={"checkpoint_id": ids[1], "name": "keep"}).json()
    before = stored_state(ctx)
    blocked = client.post(f"/api/v1/pr/training/{run_id}/resume", json={"checkpoint_id": ids[0]})
    assert blocked.status_code == 409 and blocked.json()["model_ids"] == [model["id"]]
    assert stored_state(ctx) == before
    with ctx.db.read() as session:
        assert session.get(PrTrainedModel, model["id"]) is not None


def test_a_run_whose_last_attempt_died_is_closed_as_failed_and_its_downloads_removed(
    client: TestClient, ctx: AppContext
) -> None:
    from sqlalchemy import update

    from shelfscope.jobs import service as jobs
    from shelfscope.jobs.registry import run_recovery_hooks
    from shelfscope.pr.training.execute import image_cache
    from shelfscope.pr.training.models import PrTrainingRun

    run_id, job_id = _run(client, ctx)
    with ctx.db.write() as session:
        session.execute(update(Job).where(Job.id == job_id).values(max_attempts=1))
        session.execute(update(PrTrainingRun).where(PrTrainingRun.id == run_id).values(status="running"))
    downloads = image_cache(ctx.settings.data_dir, run_id)
    downloads.mkdir(parents=True)
    (downloads / "image.jpg").write_bytes(b"x")
    assert jobs.claim_job(ctx.db, job_id, "gone@1")
    assert jobs.recover_interrupted(ctx.db, ctx.runner.name, workers=["gone@1"]).failed == [job_id]
    run_recovery_hooks(ctx.settings, ctx.db)
    run = client.get(f"/api/v1/pr/training/{run_id}").json()
    assert run["status"] == "failed" and run["error"] and run["finished_at"]
    assert not downloads.exists()

"""The embedding model registry through the API: register from a checkpoint (its own copy of the file,
test metrics from the checkpoint's evaluation or an evaluation job queued), list, edit, delete, and the
aligned metrics table of a comparison. Checkpoints are written as the worker leaves them."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from shelfscope.context import AppContext
from shelfscope.jobs.models import Job
from shelfscope.pr.evaluation.models import PrEvaluation
from tests.pr.training.helpers import (
    MODEL_INFO,
    add_evaluation,
    finish_with_checkpoints,
    start,
    stored_state,
    write_catalogue,
)

METRICS = {"recall_at_1": 0.8, "recall_at_5": 0.95, "recall_at_10": 1.0, "map_at_r": 0.7, "queries": 40}


@pytest.fixture
def checkpoints(client: TestClient, ctx: AppContext) -> tuple[int, list[int]]:
    write_catalogue(ctx, {f"P{i}": {"real": 3} for i in range(6)})
    run_id = int(start(client, name="the run", config={"epochs": 3})["run"]["id"])
    return run_id, finish_with_checkpoints(ctx, run_id, [0.2, 0.6, 0.4])


def _register(client: TestClient, checkpoint_id: int, name: str, **extra: Any) -> dict[str, Any]:
    response = client.post("/api/v1/pr/models", json={"checkpoint_id": checkpoint_id, "name": name} | extra)
    assert response.status_code == 201, response.text
    out: dict[str, Any] = response.json()
    return out


def test_a_model_registered_from_an_evaluated_checkpoint_is_ready_with_its_test_metrics(
    client: TestClient, ctx: AppContext, checkpoints: tuple[int, list[int]]
) -> None:
    run_id, ids = checkpoints
    evaluation_id = add_evaluation(ctx, ids[1], METRICS)
    model = _register(client, ids[1], "shelf-v1", description="first")
    assert model["status"] == "ready" and model["test_metrics"] == METRICS
    assert model["evaluation_id"] == evaluation_id and model["epoch"] == 2
    assert (model["run_id"], model["run_name"], model["checkpoint_id"]) == (run_id, "the run", ids[1])
    assert model["backbone"] == "dinov2-small" and model["embedding_dim"] == 16 and model["image_size"] == 28
    assert model["preprocessing"] == MODEL_INFO["preprocessing"] and model["description"] == "first"
    # Its own copy of the weights, byte for byte.
    copy = ctx.storage.read_bytes(f"models/pr/{model['id']}/model.pt")
    assert copy == ctx.storage.read_bytes(f"checkpoints/pr/{run_id}/epoch-0002.pt")
    assert model["size_bytes"] == len(copy)
    listed = client.get("/api/v1/pr/models").json()["items"]
    assert [m["id"] for m in listed] == [model["id"]] and listed[0] == model
    assert client.get(f"/api/v1/pr/models/{model['id']}").json() == model


def test_a_model_from_an_unevaluated_checkpoint_queues_its_evaluation(
    client: TestClient, ctx: AppContext, checkpoints: tuple[int, list[int]]
) -> None:
    run_id, ids = checkpoints
    model = _register(client, ids[0], "early")
    assert model["status"] == "evaluating" and model["test_metrics"] is None
    with ctx.db.read() as session:
        evaluation = session.get(PrEvaluation, model["evaluation_id"])
        assert evaluation is not None and evaluation.status == "queued" and evaluation.checkpoint_id == ids[0]
        job = session.get(Job, evaluation.job_id)
        assert (
            job is not None
            and job.kind == "pr.evaluation.run"
            and job.payload == {"evaluation_id": evaluation.id}
        )
    shown = client.get(f"/api/v1/pr/evaluations/{model['evaluation_id']}").json()
    assert shown["status"] == "queued" and shown["run_id"] == run_id and shown["epoch"] == 1
    # A second model of the same checkpoint waits for the same evaluation.
    second = _register(client, ids[0], "early too")
    assert second["evaluation_id"] == model["evaluation_id"] and second["status"] == "evaluating"
    # Asking again while it is queued is refused.
    again = client.post(f"/api/v1/pr/training/{run_id}/checkpoints/{ids[0]}/evaluate")
    assert again.status_code == 409 and again.json()["evaluation_id"] == model["evaluation_id"]


def test_evaluating_a_checkpoint_queues_a_job_and_the_run_shows_its_newest_finished_one(
    client: TestClient, ctx: AppContext, checkpoints: tuple[int, list[int]]
) -> None:
    run_id, ids = checkpoints
    assert client.get(f"/api/v1/pr/training/{run_id}/evaluation").status_code == 404
    queued = client.post(f"/api/v1/pr/training/{run_id}/checkpoints/{ids[2]}/evaluate")
    assert queued.status_code == 202
    assert (
        queued.json()["evaluation"]["status"] == "queued"
        and queued.json()["job"]["kind"] == "pr.evaluation.run"
    )
    finished = add_evaluation(ctx, ids[1], METRICS)
    shown = client.get(f"/api/v1/pr/training/{run_id}/evaluation").json()
    assert shown["id"] == finished and shown["metrics"] == METRICS and shown["status"] == "succeeded"
    assert client.post(f"/api/v1/pr/training/{run_id}/checkpoints/99999/evaluate").status_code == 404


def test_names_are_unique_ignoring_case_and_a_refused_register_stores_nothing(
    client: TestClient, ctx: AppContext, checkpoints: tuple[int, list[int]]
) -> None:
    _, ids = checkpoints
    first = _register(client, ids[1], "Shelf")
    before = stored_state(ctx)
    for body, status, field in (
        ({"checkpoint_id": ids[0], "name": "shelf"}, 409, "name"),
        ({"checkpoint_id": ids[0], "name": "  "}, 422, "name"),
        ({"checkpoint_id": 99999, "name": "x"}, 422, "checkpoint_id"),
        ({"checkpoint_id": ids[0]}, 422, "name"),
        ({"checkpoint_id": ids[0], "name": "x", "size": 1}, 422, "size"),
    ):
        answer = client.post("/api/v1/pr/models", json=body)
        assert answer.status_code == status, (body, answer.text)
        assert answer.json()["fields"][0]["field"] == field
        assert stored_state(ctx) == before
    assert (
        client.post("/api/v1/pr/models", json={"checkpoint_id": ids[0], "name": "shelf"}).json()["model_id"]
        == first["id"]
    )


def test_edit_and_delete(client: TestClient, ctx: AppContext, checkpoints: tuple[int, list[int]]) -> None:
    _, ids = checkpoints
    a = _register(client, ids[1], "a")
    b = _register(client, ids[2], "b")
    renamed = client.patch(f"/api/v1/pr/models/{a['id']}", json={"name": "A2", "description": "better"})
    assert (
        renamed.status_code == 200
        and renamed.json()["name"] == "A2"
        and renamed.json()["description"] == "better"
    )
    taken = client.patch(f"/api/v1/pr/models/{b['id']}", json={"name": "a2"})
    assert taken.status_code == 409 and taken.json()["field"] == "name"
    assert client.patch(f"/api/v1/pr/models/{b['id']}", json={"name": ""}).status_code == 422
    assert client.get(f"/api/v1/pr/models/{b['id']}").json()["name"] == "b"
    assert client.delete(f"/api/v1/pr/models/{a['id']}").status_code == 204
    assert not ctx.storage.exists(f"models/pr/{a['id']}/model.pt")
    assert [m["id"] for m in client.get("/api/v1/pr/models").json()["items"]] == [b["id"]]
    assert client.delete(f"/api/v1/pr/models/{a['id']}").status_code == 404
    assert client.get(f"/api/v1/pr/models/{a['id']}").status_code == 404


def test_the_comparison_table_aligns_metrics_and_names_the_best(
    client: TestClient, ctx: AppContext, checkpoints: tuple[int, list[int]]
) -> None:
    _, ids = checkpoints
    add_evaluation(ctx, ids[1], METRICS)
    add_evaluation(ctx, ids[2], METRICS | {"recall_at_1": 0.9, "map_at_r": 0.7})
    a = _register(client, ids[1], "a")
    b = _register(client, ids[2], "b")
    c = _register(client, ids[0], "c")  # still evaluating: no figures
    table = client.get("/api/v1/pr/models/compare", params={"ids": f"{a['id']},{b['id']},{c['id']}"}).json()
    assert [m["id"] for m in table["models"]] == [a["id"], b["id"], c["id"]]
    rows = {r["metric"]: r for r in table["rows"]}
    assert list(rows) == ["recall_at_1", "recall_at_5", "recall_at_10", "map_at_r"]
    assert rows["recall_at_1"]["values"] == {str(a["id"]): 0.8, str(b["id"]): 0.9, str(c["id"]): None}
    assert rows["recall_at_1"]["best"] == b["id"]
    # A tie goes to the model listed first.
    assert rows["map_at_r"]["best"] == a["id"]


def test_bad_comparisons_are_named(
    client: TestClient, ctx: AppContext, checkpoints: tuple[int, list[int]]
) -> None:
    _, ids = checkpoints
    a, b = _register(client, ids[1], "a"), _register(client, ids[2], "b")
    for ids_param in (
        str(a["id"]),
        f"{a['id']},x",
        f"{a['id']},99999",
        f"{a['id']},{a['id']}",
        ",".join(["1"] * 6),
    ):
        answer = client.get("/api/v1/pr/models/compare", params={"ids": ids_param})
        assert answer.status_code == 422 and answer.json()["fields"][0]["field"] == "ids", ids_param
    jobs_before = stored_state(ctx)["jobs"]
    for body, field in (
        ({"model_ids": [a["id"]]}, "model_ids"),
        ({"model_ids": [a["id"], 99999]}, "model_ids"),
        ({"model_ids": [a["id"], a["id"]]}, "model_ids"),
        ({"model_ids": [a["id"], b["id"]], "queries": 0}, "queries"),
    ):
        answer = client.post("/api/v1/pr/models/compare", json=body)
        assert answer.status_code == 422 and answer.json()["fields"][0]["field"] == field, body
    assert stored_state(ctx)["jobs"] == jobs_before
    queued = client.post("/api/v1/pr/models/compare", json={"model_ids": [a["id"], b["id"]], "queries": 4})
    assert queued.status_code == 202 and queued.json()["job"]["kind"] == "pr.models.compare"
    assert queued.json()["job"]["payload"] == {"model_ids": [a["id"], b["id"]], "queries": 4, "seed": 0}

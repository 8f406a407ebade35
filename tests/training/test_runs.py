"""A run from start to end through the real job: epoch rows, the best checkpoint in storage, test-split
metrics, a registered model whose folder loads and predicts, and the scratch data released."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from shelfscope.context import AppContext
from shelfscope.ml.trainers.base import MANIFEST_NAME
from shelfscope.od.trained_models.models import TrainedModel
from shelfscope.od.training.data import cache_root
from shelfscope.od.training.models import TrainingRun
from tests.support.dataset_files import run_job
from tests.training.conftest import start


def test_a_run_records_each_epoch_keeps_the_best_and_registers_its_model(
    client: TestClient, ctx: AppContext, version_id: int, tmp_path: Path
) -> None:
    created = start(client, version_id, epochs=2)
    run_id, job_id = created["run"]["id"], created["job"]["id"]
    assert created["run"]["status"] == "queued" and created["run"]["job_id"] == job_id
    assert created["run"]["config"]["image_size"] == 64 and created["run"]["total_epochs"] == 2

    job = run_job(ctx, job_id)
    assert job.status == "succeeded", job.error
    run = client.get(f"/api/v1/od/training/{run_id}").json()
    assert run["status"] == "succeeded" and run["progress"] == 1.0
    assert run["current_epoch"] == 2 and run["family"] == "rtdetrv2"
    assert [row["epoch"] for row in client.get(f"/api/v1/od/training/{run_id}/metrics").json()["epochs"]] == [
        1,
        2,
    ]
    metrics = client.get(f"/api/v1/od/training/{run_id}/metrics").json()
    assert all(row["train_loss"] > 0 and row["val_loss"] is not None for row in metrics["epochs"])
    assert metrics["steps"] and {s["epoch"] for s in metrics["steps"]} == {1, 2}
    assert metrics["steps"][-1]["step"] == 4  # 6 train images, batch 4: 2 steps an epoch
    assert run["best_epoch"] in (1, 2) and set(run["best_metrics"]) == {"map50", "map50_95"}
    assert run["latest"]["epoch"] == 2
    test = run["test_metrics"]
    assert test["split"] == "test" and test["images"] == 3
    assert len(test["per_class"]) == 3 and len(test["confusion"]["matrix"]) == 4
    assert test["confusion"]["labels"][-1] == "background"
    assert sum(map(sum, test["confusion"]["matrix"])) >= test["instances"] > 0

    with ctx.db.read() as session:
        row = session.get(TrainingRun, run_id)
        assert row is not None and row.best_checkpoint_key and row.last_checkpoint_key
        assert ctx.storage.exists(row.best_checkpoint_key) and ctx.storage.exists(row.last_checkpoint_key)
        assert row.best_checkpoint_key.startswith(f"training/{run_id}/best/")
        model = session.get(TrainedModel, run["model_id"])
        assert model is not None and model.is_active and model.training_run_id == run_id
        assert model.architecture == "rtdetrv2-r18" and model.family == "rtdetrv2" and model.input_size == 64
        assert [m["name"] for m in model.class_mapping] == ["circle", "square", "triangle"]
        assert all(isinstance(m["class_id"], int) for m in model.class_mapping)
        assert model.metrics["map50"] == test["map50"] and model.dataset_version_id == version_id
        assert model.artifact_key == f"models/od/{model.id}/" and model.artifact_size > 0
        prefix = model.artifact_key
    manifest = json.loads(ctx.storage.read_bytes(prefix + MANIFEST_NAME))
    assert manifest["classes"] == ["circle", "square", "triangle"] and manifest["input_size"] == 64

    # The stored folder loads and predicts in the image's own pixels.
    import torch
    from PIL import Image

    from shelfscope.ml.trainers.families import load_predictor

    folder = tmp_path / "model"
    folder.mkdir()
    for key in ctx.storage.iter_keys(prefix):
        ctx.storage.download_to(key, folder / key[len(prefix) :])
    image = Image.new("RGB", (200, 120), (90, 120, 30))
    (found,) = load_predictor(folder, torch.device("cpu")).predict([image], [], 0.0)
    assert len(found) > 0 and set(found.labels) <= {"circle", "square", "triangle"}
    assert found.boxes[:, [0, 2]].max() <= 200 and found.boxes[:, [1, 3]].max() <= 120

    logs = client.get(f"/api/v1/od/training/{run_id}/logs").json()["items"]
    assert any("epoch 2/2" in line["message"] for line in logs)
    assert any("registered model" in line["message"] for line in logs)
    # No live run needs the exported data any more.
    assert not any(p for p in cache_root(ctx.settings).glob("v*") if p.is_dir())

    listed = client.get("/api/v1/od/training", params={"status": "succeeded"}).json()
    assert [r["id"] for r in listed["items"]] == [run_id] and listed["total"] == 1
    assert client.get("/api/v1/od/training", params={"status": "running"}).json()["total"] == 0

    # Deleting the finished run needs force (it registered a model); the model stays.
    refused = client.delete(f"/api/v1/od/training/{run_id}")
    assert refused.status_code == 409 and refused.json()["model_id"] == run["model_id"]
    assert client.delete(f"/api/v1/od/training/{run_id}", params={"force": "true"}).status_code == 204
    assert client.get(f"/api/v1/od/training/{run_id}").status_code == 404
    assert not list(ctx.storage.iter_keys(f"training/{run_id}/"))
    with ctx.db.read() as session:
        kept = session.get(TrainedModel, run["model_id"])
        assert kept is not None and kept.training_run_id is None


def test_architectures_and_estimate(client: TestClient, ctx: AppContext, version_id: int) -> None:
    from shelfscope.ml.trainers import yolo_nas

    archs = {a["key"]: a for a in client.get("/api/v1/od/training/architectures").json()}
    assert archs["rtdetrv2-r18"]["available"] and archs["rtdetrv2-r18"]["size_multiple"] == 32
    # YOLO-NAS trains once its environment is installed (`make test` installs one and points the
    # setting at it; elsewhere a test's data folder has none).
    installed = yolo_nas.is_installed(yolo_nas.env_dir(ctx.settings))
    assert archs["yolo-nas-s"]["available"] is installed
    assert (archs["yolo-nas-s"]["unavailable_reason"] is None) is installed
    params: dict[str, str | int] = {
        "dataset_version_id": version_id,
        "architecture": "rtdetrv2-r50",
        "epochs": 10,
    }
    small = client.get("/api/v1/od/training/estimate", params=params | {"image_size": 320}).json()
    big = client.get("/api/v1/od/training/estimate", params=params | {"image_size": 640}).json()
    assert small["images_per_epoch"] == 6 and 0 < small["seconds"] < big["seconds"]

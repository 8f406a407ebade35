"""RF-DETR and YOLO-NAS through the same run as RT-DETRv2: the API starts a run, the real
`od.training.run` job trains it (RF-DETR inside the library's own trainer, YOLO-NAS in its own
environment over the JSON-lines protocol), and the registered model predicts through the registry."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.ml.trainers import yolo_nas
from tests.support.dataset_files import run_job
from tests.support.registry import inference
from tests.training.conftest import tiny_config

REPO = Path(__file__).resolve().parents[2]
YOLO_NAS_ENV = Path(os.environ.get(yolo_nas.ENV_VARIABLE) or REPO / ".cache" / "yolo-nas-env")
# A small RF-DETR decoder (one query group, 30 queries) so a CPU step takes seconds; the nano backbone.
RFDETR_TINY = {"group_detr": 1, "num_queries": 30, "num_select": 30, "dec_layers": 1}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"yolo_nas_env": YOLO_NAS_ENV})


@pytest.fixture
def one_batch_epochs() -> Iterator[None]:
    """RF-DETR pads tiny sets to 5 batches an epoch (`_MIN_TRAIN_BATCHES`); one is enough here."""
    from shelfscope.ml.runtime import load_torchvision

    load_torchvision()
    from rfdetr.training import module_data

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module_data, "_MIN_TRAIN_BATCHES", 1)
        yield


def _train(
    client: TestClient, ctx: AppContext, version_id: int, architecture: str, config: dict[str, Any]
) -> Any:
    response = client.post(
        "/api/v1/od/training",
        json={"dataset_version_id": version_id, "architecture": architecture, "config": config},
    )
    assert response.status_code == 202, response.text
    run_id, job_id = response.json()["run"]["id"], response.json()["job"]["id"]
    job = run_job(ctx, job_id)
    assert job.status == "succeeded", job.error
    run = client.get(f"/api/v1/od/training/{run_id}").json()
    assert run["status"] == "succeeded" and run["model_id"] is not None
    epochs = client.get(f"/api/v1/od/training/{run_id}/metrics").json()["epochs"]
    assert [row["epoch"] for row in epochs] == list(range(1, config["epochs"] + 1))
    assert all(row["train_loss"] > 0 and 0 <= row["map50"] <= 1 for row in epochs)
    return run


def _predicts(client: TestClient, ctx: AppContext, model_id: int, version_id: int) -> None:
    model = client.get(f"/api/v1/od/models/{model_id}").json()
    assert [c["name"] for c in model["classes"]] == ["circle", "square", "triangle"]
    image_id = _an_image(client, model["dataset_id"])
    response = inference(client, ctx, model_id, json={"image_id": image_id, "threshold": 0})
    assert response.status_code == 200, response.text
    boxes = response.json()["boxes"]
    assert boxes and {b["label"] for b in boxes} <= {"circle", "square", "triangle"}


def _an_image(client: TestClient, dataset_id: int) -> int:
    page = client.get(f"/api/v1/od/datasets/{dataset_id}/images", params={"limit": 1}).json()
    return int(page["items"][0]["image_id"] if "image_id" in page["items"][0] else page["items"][0]["id"])


@pytest.mark.usefixtures("one_batch_epochs")
def test_rf_detr_trains_through_a_run_and_its_model_predicts(
    client: TestClient, ctx: AppContext, version_id: int
) -> None:
    config = tiny_config(epochs=2, batch_size=2, model_overrides=RFDETR_TINY, learning_rate=1e-4)
    run = _train(client, ctx, version_id, "rfdetr-nano", config)
    assert run["family"] == "rfdetr" and run["best_epoch"] in (1, 2)
    _predicts(client, ctx, run["model_id"], version_id)


def test_yolo_nas_trains_in_its_environment_and_its_model_predicts(
    client: TestClient, ctx: AppContext, version_id: int
) -> None:
    if not yolo_nas.is_installed(YOLO_NAS_ENV):
        if os.environ.get("SHELFSCOPE_SKIP_YOLO_NAS") == "1":
            pytest.skip("SHELFSCOPE_SKIP_YOLO_NAS=1")
        pytest.fail(f"no YOLO-NAS test environment at {YOLO_NAS_ENV}: run `make yolo-nas-env`")
    config = tiny_config(epochs=1, batch_size=2, model_overrides={})
    run = _train(client, ctx, version_id, "yolo-nas-s", config)
    assert run["family"] == "yolo-nas"
    _predicts(client, ctx, run["model_id"], version_id)

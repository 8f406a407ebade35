"""Every refusal names its field in the error shape, and nothing is stored: no run, no job, no model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from shelfscope.context import AppContext
from tests.training.conftest import make_version, stored_counts, tiny_config


def _body(version: int, **config: Any) -> dict[str, Any]:
    return {"dataset_version_id": version, "architecture": "rtdetrv2-r18", "config": tiny_config(**config)}


def _refused(
    client: TestClient, ctx: AppContext, body: dict[str, Any], status: int, field: str | None
) -> dict[str, Any]:
    before = stored_counts(ctx)
    response = client.post("/api/v1/od/training", json=body)
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()
    if field is not None:
        assert error["error"] == "ValidationFailed"
        assert [f["field"] for f in error["fields"]] == [field], error
    assert stored_counts(ctx) == before
    return error


BAD_CHANGES: list[tuple[dict[str, Any], str]] = [
    ({"architecture": "rtdetrv2-r9000"}, "architecture"),
    ({"config": tiny_config(batch_size=0)}, "config.batch_size"),
    ({"config": tiny_config(image_size=100)}, "config.image_size"),
    ({"config": tiny_config(epochs=0)}, "config.epochs"),
    ({"config": tiny_config(scheduler="sometimes")}, "config.scheduler"),
    ({"config": tiny_config(learning_rate=0)}, "config.learning_rate"),
    ({"config": tiny_config(device="tpu")}, "config.device"),
    ({"config": tiny_config(init_model_id=12345)}, "config.init_model_id"),
    ({"config": {"epochs": 2, "colour": "red"}}, "config.colour"),
    ({"dataset_version_id": 999999}, "dataset_version_id"),
]


def test_bad_config_is_refused_naming_the_field(client: TestClient, ctx: AppContext, version_id: int) -> None:
    for change, field in BAD_CHANGES:
        error = _refused(client, ctx, _body(version_id) | change, 422, field)
        if field == "config.image_size":
            assert "multiple of 32" in error["detail"]


def test_versions_that_cannot_train_are_refused(
    client: TestClient, ctx: AppContext, tmp_path: Path, shared_data: Path, make_user: Any
) -> None:
    no_val = make_version(client, ctx, tmp_path / "a", {"train": 5, "test": 1})
    error = _refused(client, ctx, _body(no_val), 422, "dataset_version_id")
    assert "no val images" in error["detail"]
    too_few = make_version(client, ctx, tmp_path / "b", {"train": 3, "val": 1})
    error = _refused(client, ctx, _body(too_few), 422, "dataset_version_id")
    assert "at least 4" in error["detail"]
    no_boxes = make_version(client, ctx, tmp_path / "c", {"train": 4, "val": 1}, boxes=False)
    error = _refused(client, ctx, _body(no_boxes), 422, "dataset_version_id")
    assert "no boxes" in error["detail"]


def test_a_viewer_cannot_start_a_run(viewer_client: TestClient, ctx: AppContext, version_id: int) -> None:
    before = stored_counts(ctx)
    response = viewer_client.post("/api/v1/od/training", json=_body(version_id))
    assert response.status_code == 403 and response.json()["error"] == "Forbidden"
    assert stored_counts(ctx) == before
    # Viewers may read.
    assert viewer_client.get("/api/v1/od/training").status_code == 200


def test_unknown_runs_and_bad_list_filters(client: TestClient) -> None:
    assert client.get("/api/v1/od/training/424242").json()["error"] == "NotFound"
    assert client.delete("/api/v1/od/training/424242").status_code == 404
    bad = client.get("/api/v1/od/training", params={"status": "sleeping"})
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "status"


def test_pretrained_weights_missing_offline_are_refused(
    client: TestClient, ctx: AppContext, version_id: int
) -> None:
    ctx.settings.ml_offline = True
    error = _refused(client, ctx, _body(version_id, pretrained=True), 409, None)
    assert error["error"] == "Conflict" and "pretrained: false" in error["detail"]

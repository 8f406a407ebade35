"""Every bad request answers the error shape naming what is wrong, and nothing is stored: no job, no
annotation, no revision bump."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shelfscope.context import AppContext
from shelfscope.ml.weights import model_dir
from tests.support.ai import GD, annotate_body, job_count, revisions, rows
from tests.support.annotations import Scene


def _nothing_stored(ctx: AppContext, scene: Scene, revisions_before: dict[int, int]) -> None:
    assert job_count(ctx) == 0
    assert rows(ctx) == []
    assert revisions(ctx, scene.dataset_id) == revisions_before


def _field(body: dict[str, Any]) -> str:
    return str(body.get("field") or body["fields"][0]["field"])


@pytest.mark.parametrize(
    ("overrides", "status", "field"),
    [
        ({"model": "no-such-model"}, 422, "model"),
        ({"model": "sam2.1-hiera-tiny"}, 422, "model"),
        ({"prompts": []}, 422, "prompts"),
        ({"prompts": [{"text": "cola"}, {"text": "   "}]}, 422, "prompts[1].text"),
        ({"prompts": [{"text": "pepsi"}]}, 422, "prompts[0].class_id"),
        ({"prompts": [{"text": "cola", "class_id": 999999}]}, 422, "prompts[0].class_id"),
        ({"unknown_labels": 999999}, 422, "unknown_labels"),
        ({"threshold": 1.5}, 422, "threshold"),
        ({"threshold": -0.1}, 422, "threshold"),
        ({"nms_iou": 2}, 422, "nms_iou"),
        ({"max_boxes_per_image": 0}, 422, "max_boxes_per_image"),
    ],
)
def test_bad_annotate_requests_name_the_field_and_store_nothing(
    client: TestClient, ctx: AppContext, scene: Scene, overrides: dict[str, Any], status: int, field: str
) -> None:
    before = revisions(ctx, scene.dataset_id)
    response = client.post("/api/v1/od/ai/annotate", json=annotate_body(scene, **overrides))
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == "ValidationFailed" and _field(body) == field
    _nothing_stored(ctx, scene, before)


def test_images_outside_the_dataset_are_listed_and_nothing_starts(
    client: TestClient, ctx: AppContext, scene: Scene
) -> None:
    before = revisions(ctx, scene.dataset_id)
    images = {"scope": "selected", "image_ids": [scene.image_ids[0], scene.other_image_id, 987654]}
    response = client.post("/api/v1/od/ai/annotate", json=annotate_body(scene, images=images))
    assert response.status_code == 422
    body = response.json()
    assert _field(body) == "images.image_ids"
    assert body["missing_ids"] == sorted([scene.other_image_id, 987654])
    _nothing_stored(ctx, scene, before)


def test_missing_weights_are_a_conflict_naming_the_model_and_both_ways_to_get_them(
    client: TestClient, ctx: AppContext, scene: Scene
) -> None:
    shutil.rmtree(model_dir(ctx.settings, GD))
    before = revisions(ctx, scene.dataset_id)
    for path, body in (
        ("annotate", annotate_body(scene)),
        ("detect", annotate_body(scene, image_id=scene.image_ids[0])),
    ):
        response = client.post(f"/api/v1/od/ai/{path}", json=body)
        assert response.status_code == 409, response.text
        error = response.json()
        assert error["error"] == "Conflict" and error["model"] == GD
        assert error["hub_id"] == "IDEA-Research/grounding-dino-tiny"
        assert error["folder"] == str(model_dir(ctx.settings, GD))
        assert "shelfscope models fetch" in error["detail"] and "models import" in error["detail"]
    _nothing_stored(ctx, scene, before)


def test_detect_on_an_image_of_another_dataset_is_not_found(
    client: TestClient, ctx: AppContext, scene: Scene
) -> None:
    before = revisions(ctx, scene.dataset_id)
    response = client.post("/api/v1/od/ai/detect", json=annotate_body(scene, image_id=scene.other_image_id))
    assert response.status_code == 404
    assert response.json()["image_id"] == scene.other_image_id
    response = client.post(
        "/api/v1/od/ai/detect", json=annotate_body(scene, image_id=scene.image_ids[0], threshold=7)
    )
    assert response.status_code == 422 and _field(response.json()) == "threshold"
    _nothing_stored(ctx, scene, before)


def test_viewers_can_read_but_not_run_the_models(
    viewer_client: TestClient, ctx: AppContext, scene: Scene
) -> None:
    before = revisions(ctx, scene.dataset_id)
    for path, body in (
        ("annotate", annotate_body(scene)),
        ("detect", annotate_body(scene, image_id=scene.image_ids[0])),
    ):
        response = viewer_client.post(f"/api/v1/od/ai/{path}", json=body)
        assert response.status_code == 403
        assert response.json()["error"] == "Forbidden"
    assert viewer_client.get(f"/api/v1/od/ai/review?dataset_id={scene.dataset_id}").status_code == 200
    assert viewer_client.get("/api/v1/od/ai/review/stats").status_code == 200
    _nothing_stored(ctx, scene, before)

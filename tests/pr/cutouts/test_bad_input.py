"""Every bad request about cutouts answers the error shape naming its field, and stores nothing: no job,
no cutout row, no crop file, no product image, no state change."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from shelfscope.context import AppContext
from shelfscope.od.datasets.models import Dataset
from tests.support.ai import GD
from tests.support.shelves import (
    Shelves,
    cutout_rows,
    field_of,
    job_count,
    make_cutouts,
    make_product,
    product_images,
    stored_crops,
)


def _nothing_stored(ctx: AppContext, jobs_before: int) -> None:
    assert job_count(ctx) == jobs_before
    assert cutout_rows(ctx) == [] and stored_crops(ctx) == []


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"dataset_id": 999_999}, 422, "dataset_id"),
        ({"class_ids": [999_999]}, 422, "class_ids"),
        ({"threshold": 1.5}, 422, "threshold"),
        ({"threshold": -0.1}, 422, "threshold"),
        ({"margin": 2}, 422, "margin"),
        ({"source": "everything"}, 422, "source"),
        ({"source": "predictions"}, 422, "model"),
        ({"source": "predictions", "model": "no-such-model"}, 422, "model"),
        ({"source": "predictions", "model": "trained:999999"}, 422, "model"),
        ({"source": "predictions", "model": "sam2.1-hiera-tiny"}, 422, "model"),
        ({"model": GD}, 422, "model"),
        ({"image_ids": [999_999]}, 422, "image_ids"),
        ({"prompts": ["cola"]}, 422, "prompts"),
        ({"unknown": 1}, 422, "unknown"),
    ],
)
def test_a_bad_job_request_names_its_field_and_starts_nothing(
    client: TestClient, ctx: AppContext, shelves: Shelves, change: dict[str, Any], status: int, field: str
) -> None:
    before = job_count(ctx)
    response = client.post("/api/v1/pr/cutouts/jobs", json={"dataset_id": shelves.dataset_id, **change})
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == "ValidationFailed" and body["detail"]
    assert field in field_of(response)
    _nothing_stored(ctx, before)


def test_a_detector_without_weights_is_refused_before_any_job(
    client: TestClient, ctx: AppContext, shelves: Shelves
) -> None:
    before = job_count(ctx)
    body = {"dataset_id": shelves.dataset_id, "source": "predictions", "model": GD, "prompts": ["cola"]}
    response = client.post("/api/v1/pr/cutouts/jobs", json=body)
    assert response.status_code == 409 and response.json()["error"] == "Conflict"
    assert GD in response.json()["detail"]
    _nothing_stored(ctx, before)


def test_a_viewer_cannot_start_create_change_or_delete(
    viewer_client: TestClient, client: TestClient, ctx: AppContext, shelves: Shelves
) -> None:
    make_cutouts(client, ctx, dataset_id=shelves.dataset_id)
    rows, crops, before = cutout_rows(ctx), stored_crops(ctx), job_count(ctx)
    first = rows[0]["id"]
    box = {"x1": 1, "y1": 1, "x2": 20, "y2": 20}
    answers = [
        viewer_client.post("/api/v1/pr/cutouts/jobs", json={"dataset_id": shelves.dataset_id}),
        viewer_client.post("/api/v1/pr/cutouts", json={"image_id": shelves.image_ids[0], "box": box}),
        viewer_client.patch(f"/api/v1/pr/cutouts/{first}", json={"state": "rejected"}),
        viewer_client.post("/api/v1/pr/cutouts/bulk", json={"ids": [first], "action": "reject"}),
        viewer_client.delete(f"/api/v1/pr/cutouts/{first}"),
    ]
    assert [a.status_code for a in answers] == [403] * 5
    assert {a.json()["error"] for a in answers} == {"Forbidden"}
    assert cutout_rows(ctx) == rows and stored_crops(ctx) == crops and job_count(ctx) == before
    assert viewer_client.get("/api/v1/pr/cutouts").json()["total"] == len(rows)
    assert viewer_client.get(f"/api/v1/pr/cutouts/{first}/file").status_code == 200


@pytest.mark.parametrize(
    ("box", "named"),
    [
        ({"x1": 10, "y1": 10, "x2": 400, "y2": 50}, "x2"),
        ({"x1": 300, "y1": 300, "x2": 400, "y2": 400}, "box"),
        ({"x1": 50, "y1": 10, "x2": 20, "y2": 50}, "x2"),
        ({"x1": 10, "y1": 10, "x2": 10, "y2": 50}, "x2"),
        ({"x1": -5, "y1": 10, "x2": 20, "y2": 50}, "x1"),
    ],
)
def test_a_box_outside_its_image_is_422_naming_box_and_stores_nothing(
    client: TestClient, ctx: AppContext, shelves: Shelves, box: dict[str, float], named: str
) -> None:
    response = client.post("/api/v1/pr/cutouts", json={"image_id": shelves.image_ids[0], "box": box})
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "ValidationFailed" and field_of(response)[0] == "box"
    assert named in response.json()["detail"]
    assert cutout_rows(ctx) == [] and stored_crops(ctx) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"image_id": 999_999}, "image_id"),
        ({"dataset_id": 999_999}, "dataset_id"),
        ({"class_id": 999_999}, "class_id"),
        ({"margin": 1.5}, "margin"),
        ({"box": {"x1": 1, "y1": 1, "x2": 5}}, "box.y2"),
    ],
)
def test_a_bad_manual_cutout_names_its_field_and_stores_nothing(
    client: TestClient, ctx: AppContext, shelves: Shelves, change: dict[str, Any], field: str
) -> None:
    body = {"image_id": shelves.image_ids[0], "box": {"x1": 1, "y1": 1, "x2": 50, "y2": 50}, **change}
    response = client.post("/api/v1/pr/cutouts", json=body)
    assert response.status_code == 422, response.text
    assert field in field_of(response)
    assert cutout_rows(ctx) == [] and stored_crops(ctx) == []


def test_an_image_outside_the_named_dataset_is_refused(
    client: TestClient, ctx: AppContext, shelves: Shelves
) -> None:
    with ctx.db.write() as session:
        other = Dataset(name="Other")
        session.add(other)
        session.flush()
        other_id = other.id
    box = {"x1": 1, "y1": 1, "x2": 9, "y2": 9}
    body = {"image_id": shelves.image_ids[0], "dataset_id": other_id, "box": box}
    response = client.post("/api/v1/pr/cutouts", json=body)
    assert response.status_code == 422 and "image_id" in field_of(response)
    assert cutout_rows(ctx) == [] and stored_crops(ctx) == []


def test_bad_state_changes_name_their_field_and_change_nothing(
    client: TestClient, ctx: AppContext, shelves: Shelves
) -> None:
    make_cutouts(client, ctx, dataset_id=shelves.dataset_id)
    rows, crops = cutout_rows(ctx), stored_crops(ctx)
    first = rows[0]["id"]
    product = make_product(ctx, "SKU-1")
    answers = {
        "product_id": client.patch(f"/api/v1/pr/cutouts/{first}", json={"product_id": 999_999}),
        "product_id ": client.patch(f"/api/v1/pr/cutouts/{first}", json={"state": "matched"}),
        "product_id  ": client.patch(
            f"/api/v1/pr/cutouts/{first}", json={"state": "rejected", "product_id": product}
        ),
        "state": client.patch(f"/api/v1/pr/cutouts/{first}", json={"state": "lost"}),
        "body": client.patch(f"/api/v1/pr/cutouts/{first}", json={}),
        "ids": client.post("/api/v1/pr/cutouts/bulk", json={"ids": [first, 999_999], "action": "reject"}),
        "product_id   ": client.post("/api/v1/pr/cutouts/bulk", json={"ids": [first], "action": "match"}),
        "action": client.post("/api/v1/pr/cutouts/bulk", json={"ids": [first], "action": "explode"}),
    }
    for field, response in answers.items():
        assert response.status_code == 422, (field, response.text)
        assert field.strip() in field_of(response), (field, response.json())
    assert cutout_rows(ctx) == rows and stored_crops(ctx) == crops and product_images(ctx) == []
    assert client.patch("/api/v1/pr/cutouts/999999", json={"state": "rejected"}).status_code == 404
    assert client.delete("/api/v1/pr/cutouts/999999").status_code == 404

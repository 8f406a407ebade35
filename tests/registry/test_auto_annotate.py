"""Registered models put back to work: listed for AI auto-annotation as `trained:<id>` (the default
first), and a real auto-annotation run with one stores its boxes as pending proposals of the dataset
classes the model was trained on."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from shelfscope.context import AppContext
from shelfscope.jobs.models import Job
from tests.registry.conftest import Registered
from tests.support.ai import annotate, iou, rows
from tests.support.registry import inference
from tests.support.trained_models import register_tiny_model


def _body(registered: Registered, **overrides: Any) -> dict[str, Any]:
    body = {
        "dataset_id": registered.scene.dataset_id,
        "model": f"trained:{registered.model_id}",
        "threshold": 0.3,
        "nms_iou": 1.0,
        "max_boxes_per_image": 1000,
    }
    return {**body, **overrides}


def test_the_ai_model_list_offers_active_trained_models_with_the_default_first(
    client: TestClient, ctx: AppContext, registered: Registered
) -> None:
    cola, fanta = registered.scene.class_ids
    other = register_tiny_model(ctx, [(cola, "Cola"), (fanta, "Fanta")], name="Other").id
    hidden = register_tiny_model(ctx, [(cola, "Cola")], name="Hidden").id
    client.patch(f"/api/v1/od/models/{hidden}", json={"is_active": False})

    plain = client.get("/api/v1/ml/models").json()["items"]
    assert all(m["source"] == "catalogue" for m in plain)

    listed = client.get("/api/v1/ml/models", params={"include_trained": "true"}).json()["items"]
    trained = [m for m in listed if m["source"] == "trained"]
    assert {m["key"] for m in trained} == {f"trained:{registered.model_id}", f"trained:{other}"}
    assert listed[0]["source"] == "catalogue" and not any(m["is_default"] for m in listed)

    client.post(f"/api/v1/od/models/{registered.model_id}/set-default")
    listed = client.get("/api/v1/ml/models", params={"include_trained": "true"}).json()["items"]
    first = listed[0]
    assert first["key"] == f"trained:{registered.model_id}" and first["is_default"]
    assert first["present"] and first["task"] == "detector" and first["capabilities"] == ["fixed_classes"]
    assert first["classes"] == ["Fanta", "Cola"]
    assert sum(m["is_default"] for m in listed) == 1


def test_auto_annotation_with_a_trained_model_stores_its_boxes_as_the_right_classes(
    client: TestClient, ctx: AppContext, registered: Registered
) -> None:
    job = annotate(client, ctx, _body(registered))
    stored = rows(ctx, registered.scene.dataset_id)
    assert stored, "the tiny model scores its queries above 0.3"
    key = f"trained:{registered.model_id}"
    assert {(r["source"], r["review_state"], r["model"]) for r in stored} == {("ai", "pending", key)}
    assert {r["image_id"] for r in stored} == set(registered.scene.image_ids)
    assert job.result is not None and job.result["images_done"] == len(registered.scene.image_ids)

    # Every stored box is a box the model gives through the registry, with the class its index maps to.
    for image_id in registered.scene.image_ids[:1]:
        shown = inference(
            client, ctx, registered.model_id, json={"image_id": image_id, "threshold": 0.3}
        ).json()
        for row in (r for r in stored if r["image_id"] == image_id):
            twins = [
                b
                for b in shown["boxes"]
                if b["class_id"] == row["class_id"]
                and iou(row["box"], (b["x1"], b["y1"], b["x2"], b["y2"])) > 0.99
            ]
            assert twins, row
            assert abs(twins[0]["score"] - row["confidence"]) < 1e-4

    queue = client.get("/api/v1/od/ai/review", params={"dataset_id": registered.scene.dataset_id}).json()
    assert {item["image_id"] for item in queue["items"]} == set(registered.scene.image_ids)
    assert all(item["models"] == [key] for item in queue["items"])


def test_trained_model_requests_that_cannot_run_are_refused_and_nothing_is_stored(
    client: TestClient, ctx: AppContext, registered: Registered
) -> None:
    cola, _ = registered.scene.class_ids
    inactive = register_tiny_model(ctx, [(cola, "Cola")], name="Off").id
    client.patch(f"/api/v1/od/models/{inactive}", json={"is_active": False})
    with ctx.db.read() as session:
        jobs_before = session.scalar(select(func.count()).select_from(Job))
    cases = [
        (_body(registered, prompts=[{"text": "cola"}]), "prompts"),
        (_body(registered, model="trained:999999"), "model"),
        (_body(registered, model="trained:abc"), "model"),
        (_body(registered, model=f"trained:{inactive}"), "model"),
    ]
    for body, field in cases:
        refused = client.post("/api/v1/od/ai/annotate", json=body)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.json()["fields"][0]["field"] == field
    with ctx.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Job)) == jobs_before
    assert rows(ctx, registered.scene.dataset_id) == []


def test_a_class_merged_away_since_training_maps_to_the_class_that_took_it_in(
    client: TestClient, ctx: AppContext, registered: Registered
) -> None:
    cola, fanta = registered.scene.class_ids
    merged = client.post("/api/v1/od/classes/merge", json={"source_ids": [fanta], "target_id": cola})
    assert merged.status_code == 200, merged.text
    annotate(client, ctx, _body(registered))
    stored = rows(ctx, registered.scene.dataset_id)
    assert stored and {r["class_id"] for r in stored} == {cola}

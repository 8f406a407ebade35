"""The make-cutouts job from a detector's predictions: a registered model (`trained:<id>`), a catalogue
detector (the tiny random-weight Grounding DINO, installed where an offline user puts weights), and a
detector with fixed boxes for exact answers."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
from fastapi.testclient import TestClient
from PIL import Image as PILImage

from shelfscope.context import AppContext
from shelfscope.jobs.models import Job
from shelfscope.ml.detections import Detections
from shelfscope.ml.detectors import loader
from tests.support.ai import GD, forget_loaded_detectors
from tests.support.shelves import Shelves, cutout_rows, make_cutouts, stored_crops
from tests.support.tiny_models import install_tiny_model
from tests.support.trained_models import register_tiny_model


def _inside(rows: list[dict[str, Any]], shelves: Shelves) -> bool:
    for row in rows:
        x1, y1, x2, y2 = row["box"]
        width, height = shelves.sizes[row["image_id"]]
        if not (0 <= x1 < x2 <= width and 0 <= y1 < y2 <= height):
            return False
    return True


def test_a_registered_model_cuts_what_it_finds_above_the_threshold(
    client: TestClient, ctx: AppContext, shelves: Shelves
) -> None:
    beans, cake = shelves.classes["beans"], shelves.classes["cake"]
    model = register_tiny_model(ctx, [(beans, "beans"), (cake, "cake")])
    job = make_cutouts(
        client,
        ctx,
        dataset_id=shelves.dataset_id,
        source="predictions",
        model=f"trained:{model.id}",
        threshold=0.3,
    )
    assert job.queue == "ml"
    assert job.result is not None and job.result["created"] > 0
    rows = cutout_rows(ctx)
    assert len(rows) == job.result["created"]
    assert {r["source"] for r in rows} == {"prediction"} and {r["class_id"] for r in rows} <= {beans, cake}
    assert _inside(rows, shelves)
    listed = client.get("/api/v1/pr/cutouts", params={"source": "prediction", "limit": 500}).json()
    assert listed["total"] == len(rows)
    assert all(i["model"] == f"trained:{model.id}" and i["confidence"] >= 0.3 for i in listed["items"])
    again = make_cutouts(
        client,
        ctx,
        dataset_id=shelves.dataset_id,
        source="predictions",
        model=f"trained:{model.id}",
        threshold=0.3,
    )
    assert again.result is not None and again.result["created"] == 0
    # One cutout a box, whatever class a box is found for: the same box of two classes is cut once.
    assert again.result["existing"] == job.result["existing"] + len(rows) and cutout_rows(ctx) == rows


def test_class_ids_keep_only_those_classes_of_a_registered_model(
    client: TestClient, ctx: AppContext, shelves: Shelves
) -> None:
    beans, cake = shelves.classes["beans"], shelves.classes["cake"]
    model = register_tiny_model(ctx, [(beans, "beans"), (cake, "cake")])
    make_cutouts(
        client,
        ctx,
        dataset_id=shelves.dataset_id,
        source="predictions",
        model=f"trained:{model.id}",
        class_ids=[cake],
        threshold=0.0,
    )
    assert {r["class_id"] for r in cutout_rows(ctx)} == {cake}


def test_a_catalogue_detector_prompted_with_the_class_names(
    client: TestClient, ctx: AppContext, shelves: Shelves
) -> None:
    install_tiny_model(ctx.settings, GD)
    beans = shelves.classes["beans"]
    job = make_cutouts(
        client,
        ctx,
        dataset_id=shelves.dataset_id,
        source="predictions",
        model=GD,
        class_ids=[beans],
        threshold=0.0,
        image_ids=shelves.image_ids[:2],
    )
    assert job.result is not None and job.result["created"] > 0 and job.result["images"] == 2
    rows = cutout_rows(ctx)
    assert {r["class_id"] for r in rows} == {beans} and _inside(rows, shelves)
    assert job.payload["prompts"] == [{"text": "beans", "class_id": beans}]


class FixedDetector:
    """Two boxes on every image: one scored 0.9, one 0.2; it keeps those at or above the threshold."""

    key = "fixed"
    memory_bytes = 1

    def predict(
        self, images: Sequence[PILImage.Image], prompts: Sequence[str], threshold: float
    ) -> list[Detections]:
        boxes = np.array([[10, 10, 60, 80], [20, 20, 90, 90]], dtype=np.float32)
        scores = np.array([0.9, 0.2], dtype=np.float32)
        keep = scores >= threshold
        found = Detections(boxes, scores, ("product", "product"), np.zeros(2, np.int32)).select(keep)
        return [found for _ in images]


@contextmanager
def fixed_detector() -> Iterator[None]:
    original = loader.FACTORIES["grounding-dino"]
    loader.register_factory("grounding-dino", lambda spec, folder, device: FixedDetector())
    forget_loaded_detectors()
    try:
        yield
    finally:
        loader.register_factory("grounding-dino", original)
        forget_loaded_detectors()


def test_boxes_under_the_threshold_are_not_cut_and_prompts_need_no_class(
    client: TestClient, ctx: AppContext, shelves: Shelves
) -> None:
    install_tiny_model(ctx.settings, GD)
    with fixed_detector():
        job = make_cutouts(
            client, ctx, dataset_id=shelves.dataset_id, source="predictions", model=GD, prompts=["product"]
        )
    assert job.result is not None and job.result["created"] == len(shelves.image_ids)
    rows = cutout_rows(ctx)
    assert {r["box"] for r in rows} == {(10.0, 10.0, 60.0, 80.0)}
    assert {r["class_id"] for r in rows} == {None}
    assert stored_crops(ctx) == sorted(r["storage_key"] for r in rows)
    # The same box drawn by hand is the cutout that exists.
    taken = client.post(
        "/api/v1/pr/cutouts",
        json={"image_id": shelves.image_ids[0], "box": {"x1": 10, "y1": 10, "x2": 60, "y2": 80}},
    )
    assert taken.status_code == 409 and taken.json()["cutout_id"] == rows[0]["id"]


def test_a_cancelled_run_keeps_only_whole_batches(
    client: TestClient, ctx: AppContext, shelves: Shelves
) -> None:
    """Cancel before the job starts: nothing is cut and no crop is left in storage."""
    response = client.post("/api/v1/pr/cutouts/jobs", json={"dataset_id": shelves.dataset_id})
    job_id = response.json()["job"]["id"]
    assert client.post(f"/api/v1/jobs/{job_id}/cancel").status_code in (200, 202)
    with ctx.db.read() as session:
        assert session.get_one(Job, job_id).status == "cancelled"
    assert cutout_rows(ctx) == [] and stored_crops(ctx) == []

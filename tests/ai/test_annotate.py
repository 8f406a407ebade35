"""Batch auto-annotation with the tiny Grounding DINO loaded from its save_pretrained folder: what is
stored, what is never touched, what a re-run replaces."""

from __future__ import annotations

from collections import Counter

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from shelfscope.context import AppContext
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.datasets.models import DatasetImage
from tests.support.ai import GD, annotate, annotate_body, iou, revisions, rows, slow_grounding_dino
from tests.support.annotations import Scene
from tests.support.tiny_models import install_tiny_model


def test_predictions_are_stored_as_pending_ai_boxes_with_confidence_and_model(
    client: TestClient, ctx: AppContext, scene: Scene
) -> None:
    before = revisions(ctx, scene.dataset_id)
    job = annotate(client, ctx, annotate_body(scene, max_boxes_per_image=5))

    stored = rows(ctx, scene.dataset_id)
    assert stored, "the tiny model proposes boxes above 0.3 on these images"
    assert {r["source"] for r in stored} == {"ai"}
    assert {r["review_state"] for r in stored} == {"pending"}
    assert {r["model"] for r in stored} == {GD}
    assert all(0.3 <= r["confidence"] <= 1.0 for r in stored)
    assert {r["class_id"] for r in stored} <= set(scene.class_ids)
    per_image = Counter(r["image_id"] for r in stored)
    assert max(per_image.values()) <= 5
    after = revisions(ctx, scene.dataset_id)
    assert all(after[i] == before[i] + 1 for i in per_image)

    status = client.get(f"/api/v1/od/ai/annotate/{job.id}").json()
    assert status["job"]["status"] == "succeeded"
    assert status["images_done"] == status["images_total"] == len(scene.image_ids)
    by_class = Counter(r["class_id"] for r in stored)
    assert {c["class_id"]: c["count"] for c in status["counts"]} == dict(by_class)
    assert {c["name"] for c in status["counts"]} <= {"Cola", "Fanta"}


def test_threshold_nms_and_max_boxes_hold(client: TestClient, ctx: AppContext, scene: Scene) -> None:
    annotate(client, ctx, annotate_body(scene, threshold=0.9, nms_iou=1.0, max_boxes_per_image=1000))
    high = rows(ctx, scene.dataset_id)
    assert all(r["confidence"] >= 0.9 for r in high)

    annotate(client, ctx, annotate_body(scene, threshold=0.2, nms_iou=1.0, max_boxes_per_image=1000))
    low = rows(ctx, scene.dataset_id)
    assert all(r["confidence"] >= 0.2 for r in low)
    assert len(low) > len(high)

    annotate(client, ctx, annotate_body(scene, threshold=0.2, nms_iou=0.3, max_boxes_per_image=1000))
    thinned = rows(ctx, scene.dataset_id)
    assert len(thinned) < len(low)
    for a in thinned:
        for b in thinned:
            if a["id"] < b["id"] and a["image_id"] == b["image_id"] and a["class_id"] == b["class_id"]:
                assert iou(a["box"], b["box"]) <= 0.3 + 1e-6


def test_manual_imported_and_accepted_boxes_stay_and_their_duplicates_are_dropped(
    client: TestClient, ctx: AppContext, scene: Scene
) -> None:
    annotate(client, ctx, annotate_body(scene))
    first = rows(ctx, scene.dataset_id)
    image = first[0]["image_id"]
    on_image = sorted((r for r in first if r["image_id"] == image), key=lambda r: -r["confidence"])
    assert len(on_image) >= 3
    # A person drew the best box by hand, an import brought the second, the third was accepted.
    manual, imported, accepted = on_image[0], on_image[1], on_image[2]
    with ctx.db.write() as session:
        for row, values in (
            (manual, {"source": "manual", "review_state": "none", "model": None, "confidence": None}),
            (imported, {"source": "import", "review_state": "none", "model": None, "confidence": None}),
            (accepted, {"review_state": "accepted"}),
        ):
            session.execute(update(Annotation).where(Annotation.id == row["id"]).values(**values))
    kept_before = {
        r["id"]: r
        for r in rows(ctx, scene.dataset_id)
        if r["id"] in (manual["id"], imported["id"], accepted["id"])
    }

    job = annotate(client, ctx, annotate_body(scene))

    after = rows(ctx, scene.dataset_id)
    assert {r["id"]: r for r in after if r["id"] in kept_before} == kept_before
    proposals = [r for r in after if r["image_id"] == image and r["review_state"] == "pending"]
    for person_box in kept_before.values():
        # The model proposes the same boxes again; those repeating a kept box were dropped.
        assert not any(
            p["class_id"] == person_box["class_id"] and iou(p["box"], person_box["box"]) >= 0.7
            for p in proposals
        )
    assert job.result is not None and job.result["duplicates_dropped"] >= 3


def test_a_rerun_replaces_only_that_models_pending_proposals(
    client: TestClient, ctx: AppContext, scene: Scene
) -> None:
    install_tiny_model(ctx.settings, "mm-grounding-dino-tiny")
    annotate(client, ctx, annotate_body(scene))
    annotate(client, ctx, annotate_body(scene, model="mm-grounding-dino-tiny", threshold=0.01))
    first = rows(ctx, scene.dataset_id)
    gd = [r for r in first if r["model"] == GD]
    mm = [r for r in first if r["model"] == "mm-grounding-dino-tiny"]
    assert gd and mm
    rejected, edited = gd[0], gd[1]
    with ctx.db.write() as session:
        session.execute(
            update(Annotation).where(Annotation.id == rejected["id"]).values(review_state="rejected")
        )
        session.execute(
            update(Annotation)
            .where(Annotation.id == edited["id"])
            .values(review_edited=True, x1=edited["box"][0] + 1)
        )
    kept = {
        r["id"]: r
        for r in rows(ctx, scene.dataset_id)
        if r["model"] != GD or r["id"] in (rejected["id"], edited["id"])
    }

    annotate(client, ctx, annotate_body(scene))

    after = rows(ctx, scene.dataset_id)
    assert {r["id"]: r for r in after if r["id"] in kept} == kept
    replaced = {r["id"] for r in gd} - {rejected["id"], edited["id"]}
    assert not replaced & {r["id"] for r in after}
    new_gd = [r for r in after if r["model"] == GD and r["id"] not in kept]
    assert new_gd and all(r["review_state"] == "pending" for r in new_gd)


def test_a_batch_of_images_is_written_together_each_image_whole_with_its_own_count_and_revision(
    client: TestClient, ctx: AppContext, scene: Scene
) -> None:
    """Three images per model call and per transaction: each image gets its own rows, its own
    annotation count and exactly one revision bump; the checkpoint counts them all."""
    before = revisions(ctx, scene.dataset_id)
    with slow_grounding_dino(delay_s=0.0, batch_size=3):
        job = annotate(client, ctx, annotate_body(scene, max_boxes_per_image=4, threshold=0.2))

    stored = rows(ctx, scene.dataset_id)
    per_image = Counter(r["image_id"] for r in stored)
    assert len(per_image) >= 2, "the tiny model proposes boxes above 0.2 on these images"
    with ctx.db.read() as session:
        members = {
            m.image_id: (m.annotation_count, m.revision)
            for m in session.scalars(select(DatasetImage).where(DatasetImage.dataset_id == scene.dataset_id))
        }
    for image_id in scene.image_ids:
        count, revision = members[image_id]
        assert count == per_image.get(image_id, 0)
        assert revision == before[image_id] + (1 if per_image.get(image_id) else 0)
    status = client.get(f"/api/v1/od/ai/annotate/{job.id}").json()
    assert status["images_done"] == status["images_total"] == len(scene.image_ids)
    assert sum(c["count"] for c in status["counts"]) == len(stored)

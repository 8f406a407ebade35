"""The make-cutouts job from annotations: every chosen box cut out once, with its margin, stored, and
listed beside its place on the shelf photo; a second run cuts nothing twice."""

from __future__ import annotations

import io
import math

from fastapi.testclient import TestClient
from PIL import Image as PILImage
from PIL import ImageStat
from sqlalchemy import update

from shelfscope.context import AppContext
from shelfscope.od.annotations.models import Annotation
from shelfscope.pr.cutouts.crops import crop_region, rounded
from tests.support.shelves import Shelves, cutout_rows, make_cutouts, stored_crops


def test_every_annotation_becomes_one_cutout_with_its_margin(
    client: TestClient, ctx: AppContext, shelves: Shelves
) -> None:
    job = make_cutouts(client, ctx, dataset_id=shelves.dataset_id, source="annotations", margin=0.1)

    assert job.result is not None
    assert job.result["created"] == len(shelves.boxes) and job.result["existing"] == 0
    assert job.result["images"] == len(shelves.image_ids) and job.progress == 1.0
    rows = cutout_rows(ctx)
    assert sorted(r["annotation_id"] for r in rows) == sorted(b[1] for b in shelves.boxes)
    assert {r["source"] for r in rows} == {"annotation"} and {r["state"] for r in rows} == {"unmatched"}
    assert stored_crops(ctx) == sorted(r["storage_key"] for r in rows)
    by_annotation = {b[1]: b for b in shelves.boxes}
    for row in rows:
        image_id, _, class_id, box = by_annotation[row["annotation_id"]]
        assert row["image_id"] == image_id and row["class_id"] == class_id
        assert row["box"] == rounded(*box).key
        crop = client.get(f"/api/v1/pr/cutouts/{row['id']}/file")
        assert crop.status_code == 200 and crop.headers["content-type"] == "image/jpeg"
        width, height = shelves.sizes[image_id]
        left, top, right, bottom = crop_region(rounded(*box), 0.1, width, height)
        with PILImage.open(io.BytesIO(crop.content)) as im:
            assert im.format == "JPEG" and im.size == (right - left, bottom - top)


def test_the_crop_shows_the_box_region_of_the_photo(
    client: TestClient, ctx: AppContext, shelves: Shelves
) -> None:
    make_cutouts(client, ctx, dataset_id=shelves.dataset_id, margin=0.0)
    item = client.get("/api/v1/pr/cutouts", params={"limit": 1}).json()["items"][0]
    photo = client.get(item["image"]["file_url"])
    crop = client.get(item["crop_url"])
    box = item["box"]
    with PILImage.open(io.BytesIO(photo.content)) as im:
        region = im.convert("RGB").crop(
            (math.floor(box["x1"]), math.floor(box["y1"]), math.ceil(box["x2"]), math.ceil(box["y2"]))
        )
    with PILImage.open(io.BytesIO(crop.content)) as cut:
        assert cut.size == region.size
        # JPEG at quality 90: the mean colour of the crop is the region's, within a few levels.
        mean_cut = ImageStat.Stat(cut.convert("RGB")).mean
        mean_region = ImageStat.Stat(region).mean
        assert all(abs(a - b) < 4 for a, b in zip(mean_cut, mean_region, strict=True))


def test_only_the_chosen_classes_are_cut(client: TestClient, ctx: AppContext, shelves: Shelves) -> None:
    chosen = next(iter(shelves.classes))
    job = make_cutouts(client, ctx, dataset_id=shelves.dataset_id, class_ids=[shelves.classes[chosen]])
    assert job.result is not None and job.result["created"] == len(shelves.boxes_of(chosen))
    assert {r["class_id"] for r in cutout_rows(ctx)} == {shelves.classes[chosen]}


def test_a_second_run_cuts_no_box_twice(client: TestClient, ctx: AppContext, shelves: Shelves) -> None:
    make_cutouts(client, ctx, dataset_id=shelves.dataset_id)
    before = cutout_rows(ctx)
    again = make_cutouts(client, ctx, dataset_id=shelves.dataset_id, margin=0.3)
    assert again.result is not None
    assert again.result["created"] == 0 and again.result["existing"] == len(shelves.boxes)
    assert cutout_rows(ctx) == before
    assert stored_crops(ctx) == sorted(r["storage_key"] for r in before)


def test_selected_images_only(client: TestClient, ctx: AppContext, shelves: Shelves) -> None:
    chosen = shelves.image_ids[1:3]
    job = make_cutouts(client, ctx, dataset_id=shelves.dataset_id, image_ids=chosen)
    assert job.result is not None and job.result["images"] == 2
    assert {r["image_id"] for r in cutout_rows(ctx)} == set(chosen)


def test_pending_and_rejected_ai_proposals_are_not_cut(
    client: TestClient, ctx: AppContext, shelves: Shelves
) -> None:
    pending, rejected = shelves.boxes[0][1], shelves.boxes[1][1]
    with ctx.db.write() as session:
        for ann_id, state in ((pending, "pending"), (rejected, "rejected")):
            session.execute(
                update(Annotation).where(Annotation.id == ann_id).values(source="ai", review_state=state)
            )
    job = make_cutouts(client, ctx, dataset_id=shelves.dataset_id)
    assert job.result is not None and job.result["created"] == len(shelves.boxes) - 2
    assert {pending, rejected}.isdisjoint(r["annotation_id"] for r in cutout_rows(ctx))


def test_an_image_whose_file_is_gone_is_skipped_and_named(
    client: TestClient, ctx: AppContext, shelves: Shelves
) -> None:
    from shelfscope.od.images.models import Image

    with ctx.db.read() as session:
        key = session.get_one(Image, shelves.image_ids[0]).storage_key
    ctx.storage.delete(key)
    job = make_cutouts(client, ctx, dataset_id=shelves.dataset_id)
    assert job.result is not None
    assert [s["image_id"] for s in job.result["skipped"]] == [shelves.image_ids[0]]
    assert shelves.image_ids[0] not in {r["image_id"] for r in cutout_rows(ctx)}
    assert stored_crops(ctx) == sorted(r["storage_key"] for r in cutout_rows(ctx))


def test_the_job_runs_on_the_default_queue_for_annotations(
    client: TestClient, ctx: AppContext, shelves: Shelves
) -> None:
    response = client.post("/api/v1/pr/cutouts/jobs", json={"dataset_id": shelves.dataset_id})
    assert response.status_code == 202
    job = response.json()["job"]
    assert job["kind"] == "pr.cutouts.make"
    from shelfscope.jobs.models import Job

    with ctx.db.read() as session:
        assert session.get_one(Job, job["id"]).queue == "default"

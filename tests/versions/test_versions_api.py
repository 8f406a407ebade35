"""Versions: immutable snapshots with frozen class mappings, recorded splits, counts, and export."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import yaml
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from shelfscope.context import AppContext
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.classes.models import OdClass
from shelfscope.od.datasets.models import DatasetImage
from tests.support.dataset_files import Box, Item, run_job, sample_items, upload, write_voc, zip_folder


def _dataset(client: TestClient, ctx: AppContext, tmp_path: Path, items: list[Item]) -> int:
    response = upload(client, "voc", zip_folder(write_voc(tmp_path / "src", items)))
    assert response.status_code == 202, response.text
    job = run_job(ctx, response.json()["job"]["id"])
    assert job.status == "succeeded" and job.result is not None, job.error
    return int(job.result["dataset_id"])


def _create(
    client: TestClient, ctx: AppContext, dataset_id: int, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = client.post(f"/api/v1/od/datasets/{dataset_id}/versions", json=body or {})
    assert response.status_code == 202, response.text
    created = response.json()
    assert created["version"]["status"] == "building"
    assert created["version"]["job_id"] == created["job"]["id"]
    job = run_job(ctx, created["job"]["id"])
    assert job.status == "succeeded", job.error
    got = client.get(f"/api/v1/od/datasets/{dataset_id}/versions/{created['version']['number']}")
    assert got.status_code == 200
    version: dict[str, Any] = got.json()
    return version


def _unsplit(ctx: AppContext) -> None:
    with ctx.db.write() as session:
        session.execute(update(DatasetImage).values(split=None))


def test_a_version_freezes_images_annotations_classes_and_records_new_splits(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    dataset_id = _dataset(client, ctx, tmp_path, sample_items(10))
    _unsplit(ctx)

    version = _create(
        client,
        ctx,
        dataset_id,
        {"name": "first", "split": {"ratios": {"train": 0.6, "val": 0.2, "test": 0.2}, "seed": 5}},
    )

    assert version["status"] == "ready" and version["number"] == 1 and version["name"] == "first"
    assert [m["name"] for m in version["class_mapping"]] == ["chips", "cola", "water"]
    assert [m["index"] for m in version["class_mapping"]] == [0, 1, 2]
    counts = version["counts"]
    assert counts["images"] == {"train": 6, "val": 2, "test": 2} and counts["total_images"] == 10
    assert counts["total_annotations"] == sum(len(it.boxes) for it in sample_items(10))
    assert version["split_config"]["seed"] == 5 and version["split_config"]["assigned_now"] == 10
    with ctx.db.read() as session:
        recorded = dict(session.execute(select(DatasetImage.id, DatasetImage.split)).all())
    assert sorted(str(s) for s in recorded.values()) == sorted(["train"] * 6 + ["val"] * 2 + ["test"] * 2)

    # A second version keeps every image in its split.
    second = _create(client, ctx, dataset_id, {"split": {"seed": 99}})
    assert second["number"] == 2 and second["counts"]["images"] == counts["images"]
    assert second["split_config"]["assigned_now"] == 0


def test_renaming_a_class_later_changes_no_version_and_its_export(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    dataset_id = _dataset(client, ctx, tmp_path, sample_items(4))
    version = _create(client, ctx, dataset_id)
    with ctx.db.write() as session:
        session.execute(
            update(OdClass).where(OdClass.name == "cola").values(name="Coca-Cola", name_key="coca-cola")
        )

    again = client.get(f"/api/v1/od/datasets/{dataset_id}/versions/1").json()
    assert again["class_mapping"] == version["class_mapping"]
    response = client.post(f"/api/v1/od/datasets/{dataset_id}/versions/1/export/yolo", json={})
    assert response.status_code == 202, response.text
    job = run_job(ctx, response.json()["job"]["id"])
    assert job.status == "succeeded", job.error
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/api/v1/od/export/{job.id}/download").content))
    assert yaml.safe_load(archive.read("data.yaml"))["names"] == {0: "chips", 1: "cola", 2: "water"}
    assert job.result is not None and job.result["version"] == 1 and "-v1-" in job.result["filename"]
    live = client.post(f"/api/v1/od/datasets/{dataset_id}/export/yolo", json={})
    live_job = run_job(ctx, live.json()["job"]["id"])
    assert live_job.result is not None and "Coca-Cola" in live_job.result["classes"]


def test_pending_and_rejected_proposals_and_skipped_images_stay_out(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    items = [
        Item("a.jpg", 1, "train", boxes=[Box("cola", 1, 1, 9, 9), Box("cola", 2, 2, 8, 8)]),
        Item("b.jpg", 2, "val", boxes=[Box("cola", 1, 1, 5, 5)]),
    ]
    dataset_id = _dataset(client, ctx, tmp_path, items)
    with ctx.db.write() as session:
        first = session.scalars(select(Annotation).order_by(Annotation.id)).first()
        assert first is not None
        first.review_state = "pending"
        member = session.scalars(select(DatasetImage).order_by(DatasetImage.id.desc())).first()
        assert member is not None
        member.status = "skipped"

    version = _create(client, ctx, dataset_id)

    assert version["counts"]["total_images"] == 1 and version["counts"]["total_annotations"] == 1


def test_versions_list_newest_first_and_missing_ones_are_404(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    dataset_id = _dataset(client, ctx, tmp_path, sample_items(3))
    for _ in range(3):
        _create(client, ctx, dataset_id)

    page = client.get(f"/api/v1/od/datasets/{dataset_id}/versions", params={"limit": 2}).json()
    assert [v["number"] for v in page["items"]] == [3, 2] and page["total"] == 3
    rest = client.get(
        f"/api/v1/od/datasets/{dataset_id}/versions", params={"cursor": page["next_cursor"]}
    ).json()
    assert [v["number"] for v in rest["items"]] == [1] and rest["next_cursor"] is None
    assert client.get(f"/api/v1/od/datasets/{dataset_id}/versions/9").status_code == 404
    assert client.get("/api/v1/od/datasets/999/versions").status_code == 404
    assert client.post("/api/v1/od/datasets/999/versions", json={}).status_code == 404


def test_a_version_that_is_still_building_cannot_be_exported(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    dataset_id = _dataset(client, ctx, tmp_path, sample_items(2))
    created = client.post(f"/api/v1/od/datasets/{dataset_id}/versions", json={}).json()

    response = client.post(
        f"/api/v1/od/datasets/{dataset_id}/export/coco", json={"version": created["version"]["number"]}
    )

    assert response.status_code == 409 and response.json()["status"] == "building"


def test_bad_split_ratios_are_refused(client: TestClient, ctx: AppContext, tmp_path: Path) -> None:
    dataset_id = _dataset(client, ctx, tmp_path, sample_items(2))
    response = client.post(
        f"/api/v1/od/datasets/{dataset_id}/versions",
        json={"split": {"ratios": {"train": 0.9, "val": 0.2, "test": 0.1}}},
    )
    assert response.status_code == 422 and "must be 1" in response.json()["detail"]


def test_viewers_read_versions_but_cannot_create_them(
    client: TestClient, viewer_client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    dataset_id = _dataset(client, ctx, tmp_path, sample_items(2))
    _create(client, ctx, dataset_id)
    assert viewer_client.get(f"/api/v1/od/datasets/{dataset_id}/versions").status_code == 200
    assert viewer_client.post(f"/api/v1/od/datasets/{dataset_id}/versions", json={}).status_code == 403


def test_a_version_whose_build_job_was_cancelled_shows_as_failed(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    dataset_id = _dataset(client, ctx, tmp_path, sample_items(2))
    created = client.post(f"/api/v1/od/datasets/{dataset_id}/versions", json={}).json()
    assert client.post(f"/api/v1/jobs/{created['job']['id']}/cancel").status_code == 202

    version = client.get(f"/api/v1/od/datasets/{dataset_id}/versions/1").json()

    assert version["status"] == "failed" and "cancelled" in version["counts"]["error"]
    assert client.get(f"/api/v1/od/datasets/{dataset_id}/versions").json()["items"][0]["status"] == "failed"

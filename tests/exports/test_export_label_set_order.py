"""Exports number classes in the dataset's label-set order (the order the editor's keys 1-9 follow):
COCO category ids, YOLO `names` and VOC `labelmap.txt`, for the live dataset and for a version, whose
frozen class mapping keeps the order it had when it was made."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from shelfscope.context import AppContext
from tests.exports.test_export_api import _export, _import
from tests.support.dataset_files import dataset_boxes, run_job, sample_items, write_coco, zip_folder

# sample_items uses cola, chips and water; the stored order places two, chips follows unplaced.
ORDER = ["water", "cola"]
EXPECTED = ["water", "cola", "chips"]


def _ordered_dataset(client: TestClient, ctx: AppContext, tmp_path: Path) -> int:
    dataset_id = _import(client, ctx, zip_folder(write_coco(tmp_path / "src", sample_items(6))))
    items = client.get(f"/api/v1/od/datasets/{dataset_id}/classes").json()["items"]
    ids = {item["name"]: item["id"] for item in items}
    response = client.put(
        f"/api/v1/od/datasets/{dataset_id}/classes", json={"class_ids": [ids[n] for n in ORDER]}
    )
    assert response.status_code == 200, response.text
    assert [item["name"] for item in response.json()["items"]] == EXPECTED
    return dataset_id


def _class_names(fmt: str, archive: bytes) -> list[str]:
    zf = zipfile.ZipFile(io.BytesIO(archive))
    if fmt == "yolo":
        names = yaml.safe_load(zf.read("data.yaml"))["names"]
        return [names[i] for i in range(len(names))]
    if fmt == "voc":
        return zf.read("labelmap.txt").decode().split()
    categories = json.loads(zf.read("annotations/instances_train.json"))["categories"]
    return [c["name"] for c in sorted(categories, key=lambda c: c["id"])]


@pytest.mark.parametrize("fmt", ["yolo", "coco", "voc"])
def test_an_export_numbers_classes_in_the_label_set_order_and_keeps_every_box_on_its_class(
    fmt: str, client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    source = _ordered_dataset(client, ctx, tmp_path)

    _, archive = _export(client, ctx, source, fmt)

    assert _class_names(fmt, archive) == EXPECTED
    again = _import(client, ctx, archive, fmt, dataset_name="Round trip")
    assert {h: [b[0] for b in boxes] for h, boxes in dataset_boxes(ctx, again).items()} == {
        h: [b[0] for b in boxes] for h, boxes in dataset_boxes(ctx, source).items()
    }


def test_a_version_freezes_the_label_set_order_it_was_made_with(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    source = _ordered_dataset(client, ctx, tmp_path)
    created = client.post(f"/api/v1/od/datasets/{source}/versions", json={})
    assert created.status_code == 202, created.text
    assert run_job(ctx, created.json()["job"]["id"]).status == "succeeded"
    # Reordering the live dataset afterwards does not renumber the version.
    client.put(f"/api/v1/od/datasets/{source}/classes", json={"class_ids": []})

    version = client.get(f"/api/v1/od/datasets/{source}/versions/1").json()
    assert [m["name"] for m in sorted(version["class_mapping"], key=lambda m: m["index"])] == EXPECTED
    response = client.post(f"/api/v1/od/datasets/{source}/versions/1/export/yolo", json={})
    assert response.status_code == 202, response.text
    job = run_job(ctx, response.json()["job"]["id"])
    assert job.status == "succeeded", job.error
    archive = client.get(f"/api/v1/od/export/{job.id}/download").content
    assert _class_names("yolo", archive) == EXPECTED
    _, live = _export(client, ctx, source, "yolo")
    assert _class_names("yolo", live) == sorted(EXPECTED)

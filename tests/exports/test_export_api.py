"""Exports: layouts per format, untouched image bytes, pycocotools, round trips, range downloads,
reproducible preprocessing and augmentation."""

from __future__ import annotations

import hashlib
import io
import json
import math
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from shelfscope.context import AppContext
from tests.support.dataset_files import (
    Box,
    Item,
    dataset_boxes,
    dataset_splits,
    jpeg,
    run_job,
    sample_items,
    upload,
    write_coco,
    write_yolo,
    zip_folder,
)


def _import(client: TestClient, ctx: AppContext, archive: bytes, fmt: str = "coco", **fields: Any) -> int:
    response = upload(client, fmt, archive, **fields)
    assert response.status_code == 202, response.text
    job = run_job(ctx, response.json()["job"]["id"])
    assert job.status == "succeeded", (job.error, job.result)
    assert job.result is not None
    return int(job.result["dataset_id"])


def _export(
    client: TestClient, ctx: AppContext, dataset_id: int, fmt: str, body: dict[str, Any] | None = None
) -> tuple[dict[str, Any], bytes]:
    response = client.post(f"/api/v1/od/datasets/{dataset_id}/export/{fmt}", json=body or {})
    assert response.status_code == 202, response.text
    job_id = response.json()["job"]["id"]
    job = run_job(ctx, job_id)
    assert job.status == "succeeded", job.error
    assert job.result is not None
    download = client.get(f"/api/v1/od/export/{job_id}/download")
    assert download.status_code == 200
    return {**job.result, "job_id": job_id}, download.content


def _polygon_items() -> list[Item]:
    items = sample_items(5)
    items[0].boxes.append(Box("cola", 5, 5, 25, 20, [[5.0, 5.0], [25.0, 8.5], [15.25, 20.0]]))
    return items


def test_yolo_export_has_data_yaml_labels_and_untouched_images(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    items = sample_items(4)
    dataset_id = _import(client, ctx, zip_folder(write_coco(tmp_path / "src", items)))

    result, data = _export(client, ctx, dataset_id, "yolo")

    zf = zipfile.ZipFile(io.BytesIO(data))
    spec = yaml.safe_load(zf.read("data.yaml"))
    assert spec["names"] == {0: "chips", 1: "cola", 2: "water"} and spec["nc"] == 3
    assert spec["train"] == "images/train" and spec["val"] == "images/val" and spec["test"] == "images/test"
    for it in items:
        member = f"images/{it.split}/{it.name}"
        assert zf.read(member) == jpeg(it.seed)
        assert zf.getinfo(member).compress_type == zipfile.ZIP_STORED
        lines = zf.read(f"labels/{it.split}/{Path(it.name).stem}.txt").decode().splitlines()
        assert len(lines) == len(it.boxes)
    assert result["images"] == 4 and result["annotations"] == sum(len(it.boxes) for it in items)
    assert result["filename"].endswith("-yolo.zip")


@pytest.mark.filterwarnings("ignore::DeprecationWarning:pycocotools")  # its own numpy 2 notice
def test_coco_export_loads_in_pycocotools(client: TestClient, ctx: AppContext, tmp_path: Path) -> None:
    items = _polygon_items()
    dataset_id = _import(client, ctx, zip_folder(write_coco(tmp_path / "src", items)))

    _, data = _export(client, ctx, dataset_id, "coco")

    zf = zipfile.ZipFile(io.BytesIO(data))
    total = 0
    for split in ("train", "val", "test"):
        path = tmp_path / f"{split}.json"
        path.write_bytes(zf.read(f"annotations/instances_{split}.json"))
        api = COCO(str(path))
        total += len(api.getAnnIds())
        for image in api.loadImgs(api.getImgIds()):
            assert f"images/{split}/{image['file_name']}" in zf.namelist()
        anns = api.loadAnns(api.getAnnIds())
        for ann in anns:
            if ann["segmentation"]:
                assert api.annToMask(ann).shape == (48, 64)
        # Our own boxes, scored as detections, evaluate to a perfect AP: the file is what COCOeval expects.
        detections = [
            {"image_id": a["image_id"], "category_id": a["category_id"], "bbox": a["bbox"], "score": 1.0}
            for a in anns
        ]
        if detections:
            evaluation = COCOeval(api, api.loadRes(detections), "bbox")
            evaluation.evaluate()
            evaluation.accumulate()
            evaluation.summarize()
            assert evaluation.stats[0] == pytest.approx(1.0)
    assert total == sum(len(it.boxes) for it in items)


@pytest.mark.parametrize("fmt", ["yolo", "coco", "voc"])
def test_import_of_an_export_equals_the_dataset(
    fmt: str, client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    items = _polygon_items() if fmt == "coco" else sample_items(5)
    items[1].boxes.append(Box("water", 0.125, 0.0, 63.875, 47.999999))
    source = _import(client, ctx, zip_folder(write_coco(tmp_path / "src", items)))

    _, data = _export(client, ctx, source, fmt)
    again = _import(client, ctx, data, fmt, dataset_name="Round trip")

    before, after = dataset_boxes(ctx, source), dataset_boxes(ctx, again)
    assert before.keys() == after.keys()
    for content_hash, boxes in before.items():
        other = after[content_hash]
        assert [b[0] for b in boxes] == [b[0] for b in other]
        for a, b in zip(boxes, other, strict=True):
            for x, y in zip(a[1:], b[1:], strict=True):
                assert math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-9), (a, b)
    assert dataset_splits(ctx, source) == dataset_splits(ctx, again)


def test_download_honours_byte_ranges(client: TestClient, ctx: AppContext, tmp_path: Path) -> None:
    dataset_id = _import(client, ctx, zip_folder(write_yolo(tmp_path / "src", sample_items(3))), "yolo")
    result, whole = _export(client, ctx, dataset_id, "voc")
    url = f"/api/v1/od/export/{result['job_id']}/download"

    part = client.get(url, headers={"Range": "bytes=10-99"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 10-99/{len(whole)}"
    assert part.content == whole[10:100] and part.headers["accept-ranges"] == "bytes"
    tail = client.get(url, headers={"Range": "bytes=-20"})
    assert tail.status_code == 206 and tail.content == whole[-20:]
    rest = client.get(url, headers={"Range": f"bytes={len(whole) - 5}-"})
    assert rest.content == whole[-5:]
    outside = client.get(url, headers={"Range": f"bytes={len(whole)}-"})
    assert outside.status_code == 416 and outside.headers["content-range"] == f"bytes */{len(whole)}"
    head = client.head(url)
    assert head.status_code == 200 and int(head.headers["content-length"]) == len(whole)
    assert "attachment" in head.headers["content-disposition"]


def test_download_of_a_job_that_is_not_a_finished_export_is_refused(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    dataset_id = _import(client, ctx, zip_folder(write_yolo(tmp_path / "src", sample_items(2))), "yolo")
    queued = client.post(f"/api/v1/od/datasets/{dataset_id}/export/coco", json={}).json()["job"]["id"]
    assert client.get(f"/api/v1/od/export/{queued}/download").status_code == 409
    assert client.get(f"/api/v1/od/export/{queued - 1}/download").status_code == 404
    assert client.get("/api/v1/od/export/99999/download").status_code == 404
    assert client.post("/api/v1/od/datasets/999/export/yolo", json={}).status_code == 404


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_preprocessing_and_augmentation_are_applied_to_boxes_and_reproducible(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    items = [
        Item("a.jpg", 1, "train", (64, 32), [Box("cola", 0, 0, 32, 16)]),
        Item("b.jpg", 2, "val", (64, 32), [Box("cola", 32, 16, 64, 32)]),
    ]
    dataset_id = _import(client, ctx, zip_folder(write_coco(tmp_path / "src", items)))
    body = {
        "preprocessing": {"resize": {"width": 100, "height": 100, "mode": "letterbox"}, "grayscale": True},
        "augmentation": {
            "copies": 3,
            "flip_horizontal": True,
            "rotate90": True,
            "brightness": 0.3,
            "noise": 0.05,
        },
        "seed": 7,
    }

    first, data = _export(client, ctx, dataset_id, "coco", body)
    _, again = _export(client, ctx, dataset_id, "coco", body)
    _, other_seed = _export(client, ctx, dataset_id, "coco", {**body, "seed": 8})

    assert _digest(data) == _digest(again) and _digest(data) != _digest(other_seed)
    assert first["images"] == 2 and first["augmented_images"] == 3  # only the training image is augmented
    zf = zipfile.ZipFile(io.BytesIO(data))
    val = json.loads(zf.read("annotations/instances_val.json"))
    assert (val["images"][0]["width"], val["images"][0]["height"]) == (100, 100)
    # 64x32 letterboxed into 100x100: scale 1.5625, 25 px bars above and below.
    assert val["annotations"][0]["bbox"] == pytest.approx([50.0, 50.0, 50.0, 25.0])
    train = json.loads(zf.read("annotations/instances_train.json"))
    assert len(train["images"]) == 4
    for ann in train["annotations"]:
        x, y, w, h = ann["bbox"]
        assert sorted([w, h]) == pytest.approx([25.0, 50.0])  # quarter turns swap the sides, nothing else
        assert x >= 0 and y >= 0 and x + w <= 100 and y + h <= 100

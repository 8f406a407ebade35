"""Every COCO, YOLO and VOC sample of Datumaro's test assets imports, or fails saying why; the real
raccoon and Freiburg sets import with the right counts, and Freiburg's VOC and YOLO copies agree.
Skipped when ../shared/data is not beside the repository."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shelfscope.context import AppContext
from shelfscope.jobs.models import Job
from shelfscope.jobs.service import submit_job
from shelfscope.od.imports.schemas import IMPORT_KIND
from tests.support.dataset_files import dataset_boxes, dataset_splits, run_job

ASSETS = "formats/datumaro/assets"
# sample folder → (images added, annotations imported), or the error kind when out of scope.
EXPECTED: dict[str, dict[str, tuple[int, int] | str]] = {
    "coco": {
        "coco_dataset/coco": (2, 8),
        "coco_dataset/coco_captions": "out_of_scope",
        "coco_dataset/coco_image_info": (2, 0),
        "coco_dataset/coco_instances": (2, 3),
        "coco_dataset/coco_labels": "out_of_scope",
        "coco_dataset/coco_panoptic": "out_of_scope",
        "coco_dataset/coco_person_keypoints": (2, 3),
        "coco_dataset/coco_roboflow": (2, 3),
        "coco_dataset/coco_stuff": (2, 2),
        "coco_dataset/mmdet_coco": (2, 3),
        # The three Roboflow images are the same bytes: one image with every box.
        "roboflow_dataset/coco": (1, 4),
    },
    "voc": {
        "voc_dataset/voc_dataset1": (1, 2),
        # Annotation files without any image file.
        "voc_dataset/voc_dataset2": "missing_image",
        "voc_dataset/voc_dataset3": (1, 1),
        "roboflow_dataset/voc": (1, 4),
    },
    "yolo": {
        "yolo_dataset/annotations": (1, 2),
        "yolo_dataset/labels": (1, 2),
        "yolo_dataset/strict": (1, 2),
        "yolo_dataset/yolov8": (1, 2),
        "yolo_dataset/yolov8_oriented_boxes": (1, 2),
        "yolo_dataset/yolov8_pose": (1, 1),
        "yolo_dataset/yolov8_pose_two_values_per_point": (1, 1),
        "yolo_dataset/yolov8_segmentation": (1, 2),
        "yolo_dataset/yolov8_with_list_of_imgs": (1, 2),
        "yolo_dataset/yolov8_with_list_of_names": (1, 2),
        "yolo_dataset/yolov8_with_subset_txt": (1, 2),
        "roboflow_dataset/yolo": (1, 4),
        "roboflow_dataset/yolo_obb": "out_of_scope",
    },
}


def _import(ctx: AppContext, fmt: str, path: Path, **extra: Any) -> Job:
    with ctx.db.writer() as session:
        job = submit_job(session, ctx.runner, IMPORT_KIND, {"format": fmt, "path": str(path), **extra}, None)
    return run_job(ctx, job.id)


@pytest.mark.parametrize("fmt", ["coco", "voc", "yolo"])
def test_every_datumaro_sample_imports_or_says_why_not(fmt: str, ctx: AppContext, shared_data: Path) -> None:
    samples = {p.relative_to(shared_data / ASSETS).as_posix() for p in (shared_data / ASSETS).glob("*/*")}
    ours = {s for s in samples if f"{fmt}_" in s.split("/")[0] or s.startswith(f"roboflow_dataset/{fmt}")}
    assert ours == set(EXPECTED[fmt]), "a sample was added or removed; list its outcome here"
    for sample, expected in sorted(EXPECTED[fmt].items()):
        job = _import(ctx, fmt, shared_data / ASSETS / sample)
        if isinstance(expected, str):
            assert job.status == "failed", (sample, job.result)
            assert job.result is not None, sample
            kinds = set(job.result["issue_counts"])
            assert expected in kinds, (sample, job.result["issues"])
            assert job.error and len(job.error) > 40, sample
            continue
        assert job.status == "succeeded", (sample, job.error, job.result and job.result["issues"])
        assert job.result is not None
        got = (job.result["images"]["added_to_dataset"], job.result["annotations"]["imported"])
        assert got == expected, (sample, job.result)


def test_raccoon_imports_200_files_as_196_images_with_213_boxes(ctx: AppContext, shared_data: Path) -> None:
    job = _import(ctx, "voc", shared_data / "detection" / "raccoon")

    assert job.status == "succeeded", job.error
    report = job.result
    assert report is not None
    # Four of the 200 files are byte-identical copies of others: one image each, their two labellings
    # merged, the four boxes drawn on both copies (IoU >= 0.7) kept once: 217 - 4.
    assert report["images"]["listed"] == 200
    assert (report["images"]["stored"], report["images"]["merged"]) == (196, 4)
    assert report["annotations"]["imported"] == 213 and report["annotations"]["skipped"] == 0
    assert report["classes"]["created"] == ["raccoon"]
    assert report["issue_counts"] == {"duplicate_image": 4, "near_duplicate_annotation": 1}


def test_freiburg_voc_and_yolo_copies_give_the_same_boxes(ctx: AppContext, shared_data: Path) -> None:
    voc = _import(ctx, "voc", shared_data / "detection" / "freiburg" / "voc")
    yolo = _import(ctx, "yolo", shared_data / "detection" / "freiburg" / "yolo")

    assert voc.status == yolo.status == "succeeded", (voc.error, yolo.error)
    assert voc.result is not None and yolo.result is not None
    assert voc.result["annotations"]["imported"] == yolo.result["annotations"]["imported"] == 217
    assert yolo.result["images"]["reused"] == 100  # the same image files: the library keeps one copy
    assert yolo.result["splits"] == {"train": 75, "val": 25}
    voc_boxes = dataset_boxes(ctx, voc.result["dataset_id"])
    yolo_boxes = dataset_boxes(ctx, yolo.result["dataset_id"])
    assert voc_boxes.keys() == yolo_boxes.keys() and len(voc_boxes) == 100
    for content_hash, boxes in voc_boxes.items():
        other = yolo_boxes[content_hash]
        assert [b[0] for b in boxes] == [b[0] for b in other]
        for a, b in zip(boxes, other, strict=True):
            assert max(abs(x - y) for x, y in zip(a[1:], b[1:], strict=True)) < 1e-3
    assert set(dataset_splits(ctx, yolo.result["dataset_id"]).values()) == {"train", "val"}

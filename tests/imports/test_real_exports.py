"""Archives as other tools and other machines write them: foreign config paths, duplicate files
labelled twice, several problems at once, the wrong format chosen."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shelfscope.context import AppContext
from tests.support.dataset_files import (
    assert_nothing_written,
    counts,
    dataset_splits,
    jpeg,
    run_job,
    sample_items,
    upload,
    write_coco,
    write_voc,
    write_yolo,
    zip_folder,
)


def _run(client: TestClient, ctx: AppContext, fmt: str, data: bytes, **fields: Any) -> Any:
    response = upload(client, fmt, data, **fields)
    assert response.status_code == 202, response.text
    return run_job(ctx, response.json()["job"]["id"])


def _warnings(result: dict[str, Any]) -> list[str]:
    return [i["message"] for i in result["issues"] if i.get("severity") == "warning"]


_NAMES = "names:\n  0: chips\n  1: cola\n  2: water\n"


@pytest.mark.parametrize("base", ["C:/Users/annotator/datasets/shelf", "/home/annotator/datasets/shelf"])
def test_a_yolo_config_pointing_at_another_machine_falls_back_to_the_layout_beside_it(
    client: TestClient, ctx: AppContext, tmp_path: Path, base: str
) -> None:
    items = sample_items(6)
    root = write_yolo(tmp_path / "yolo", items)
    splits = sorted({it.split or "train" for it in items})
    (root / "data.yaml").write_text(
        f"path: {base}\n" + "".join(f"{s}: {base}/images/{s}\n" for s in splits) + _NAMES
    )

    job = _run(client, ctx, "yolo", zip_folder(root))

    assert job.status == "succeeded", (job.error, job.result)
    assert job.result["images"]["stored"] == 6
    assert job.result["annotations"]["imported"] == sum(len(it.boxes) for it in items)
    assert sorted(str(s) for s in dataset_splits(ctx, job.result["dataset_id"]).values()) == sorted(
        it.split or "train" for it in items
    )
    assert any(base in w and "beside" in w for w in _warnings(job.result)), job.result["issues"]


def test_yolo_train_lists_of_dot_slash_image_paths_are_read_beside_the_config(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    items = sample_items(6)
    root = write_yolo(tmp_path / "yolo", items)
    splits = sorted({it.split or "train" for it in items})
    for s in splits:
        names = [it.name for it in items if (it.split or "train") == s]
        (root / f"{s}.txt").write_text("".join(f"./images/{s}/{n}\n" for n in names))
    (root / "data.yaml").write_text(
        "path: C:/Users/annotator/shelf\n" + "".join(f"{s}: {s}.txt\n" for s in splits) + _NAMES
    )

    job = _run(client, ctx, "yolo", zip_folder(root))

    assert job.status == "succeeded", (job.error, job.result)
    assert job.result["images"]["stored"] == 6
    assert sorted(str(s) for s in dataset_splits(ctx, job.result["dataset_id"]).values()) == sorted(
        it.split or "train" for it in items
    )
    assert any("C:/Users/annotator/shelf" in w for w in _warnings(job.result))
    assert counts(ctx)["images"] == 6


def test_fail_mode_checks_everything_then_rejects_with_every_problem_and_stores_nothing(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    root = tmp_path / "coco"
    (root / "images").mkdir(parents=True)
    (root / "images" / "a.jpg").write_bytes(jpeg(1))
    doc = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 64, "height": 48}],
        "categories": [{"id": 1, "name": "cola"}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 10, "wide"]},
            {"id": 2, "image_id": 1, "category_id": 1, "bbox": [50, 2, 40, 10]},
        ],
    }
    (root / "annotations.json").write_text(json.dumps(doc))

    job = _run(client, ctx, "coco", zip_folder(root), on_invalid="fail")

    assert job.status == "failed" and job.error is not None and "1 more" in job.error
    assert job.result["outcome"] == "rejected"
    fields = {i["kind"]: i["field"] for i in job.result["issues"] if i["severity"] == "invalid"}
    assert fields == {"bad_box": "annotations[0].bbox", "box_outside_image": "annotations[1].bbox"}
    assert_nothing_written(ctx)


def test_reimporting_a_datasets_own_export_reports_every_label_as_matched(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    items = sample_items(4)
    first = _run(client, ctx, "coco", zip_folder(write_coco(tmp_path / "c", items)))
    dataset_id = first.result["dataset_id"]
    export = client.post(f"/api/v1/od/datasets/{dataset_id}/export/coco", json={})
    export_job = run_job(ctx, export.json()["job"]["id"])
    archive = client.get(f"/api/v1/od/export/{export_job.id}/download").content

    again = _run(client, ctx, "coco", archive, dataset_id=dataset_id)

    assert again.status == "succeeded", again.error
    classes = again.result["classes"]
    assert classes["unused"] == [] and classes["created"] == []
    assert sorted(classes["matched"]) == ["chips", "cola", "water"]
    assert again.result["annotations"]["imported"] == 0
    assert again.result["annotations"]["duplicates"] == sum(len(it.boxes) for it in items)


@pytest.mark.parametrize(
    ("chosen", "writer", "named"),
    [("coco", write_voc, "VOC"), ("voc", write_coco, "COCO"), ("coco", write_yolo, "YOLO")],
)
def test_the_wrong_format_chosen_says_what_the_archive_looks_like(
    client: TestClient, ctx: AppContext, tmp_path: Path, chosen: str, writer: Any, named: str
) -> None:
    job = _run(client, ctx, chosen, zip_folder(writer(tmp_path / "src", sample_items(3))))

    assert job.status == "failed"
    assert job.error is not None and f"This looks like {named}" in job.error, job.error
    assert job.result["issues"][0]["kind"] == "wrong_format"
    assert_nothing_written(ctx)


def test_two_labellings_of_one_image_keep_each_object_once(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    root = tmp_path / "coco"
    (root / "images").mkdir(parents=True)
    for name in ("a.jpg", "copy_of_a.jpg"):
        (root / "images" / name).write_bytes(jpeg(1))
    doc = {
        "images": [
            {"id": 1, "file_name": "a.jpg", "width": 64, "height": 48},
            {"id": 2, "file_name": "copy_of_a.jpg", "width": 64, "height": 48},
        ],
        "categories": [{"id": 1, "name": "cola"}, {"id": 2, "name": "chips"}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 20, 20]},
            {"id": 2, "image_id": 1, "category_id": 1, "bbox": [12, 10, 20, 20]},  # same file: both kept
            {"id": 3, "image_id": 2, "category_id": 1, "bbox": [11, 11, 20, 20]},  # IoU 0.82: merged
            {"id": 4, "image_id": 2, "category_id": 2, "bbox": [11, 11, 20, 20]},  # other class: kept
            {"id": 5, "image_id": 2, "category_id": 1, "bbox": [40, 5, 10, 10]},  # elsewhere: kept
        ],
    }
    (root / "annotations.json").write_text(json.dumps(doc))

    job = _run(client, ctx, "coco", zip_folder(root))

    assert job.status == "succeeded", job.error
    assert job.result["images"]["stored"] == 1 and job.result["images"]["merged"] == 1
    assert job.result["annotations"]["imported"] == 4
    assert job.result["issue_counts"]["near_duplicate_annotation"] == 1
    assert any(w.startswith("1 box of") and "0.7" in w for w in _warnings(job.result))
    assert counts(ctx)["annotations"] == 4

"""Imports through the API: uploads and server folders, all or nothing, every bad entry named."""

from __future__ import annotations

import io
import json
import stat
import zipfile
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from shelfscope.context import AppContext
from shelfscope.od.classes.models import ClassAlias, OdClass
from shelfscope.od.datasets.models import DatasetImage
from tests.support.dataset_files import (
    Box,
    Item,
    assert_nothing_written,
    counts,
    dataset_boxes,
    dataset_splits,
    jpeg,
    run_job,
    sample_items,
    stored_keys,
    upload,
    write_coco,
    write_voc,
    write_yolo,
    zip_folder,
)


def _start(client: TestClient, fmt: str, data: bytes, **fields: Any) -> int:
    response = upload(client, fmt, data, **fields)
    assert response.status_code == 202, response.text
    return int(response.json()["job"]["id"])


def _issues(result: dict[str, Any]) -> list[dict[str, Any]]:
    return list(result["issues"])


def test_coco_upload_imports_images_boxes_classes_and_splits(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    items = sample_items(6)
    job_id = _start(client, "coco", zip_folder(write_coco(tmp_path / "coco", items)), dataset_name="Shelf A")

    job = run_job(ctx, job_id)

    assert job.status == "succeeded", job.error
    report = job.result
    assert report is not None
    assert report["outcome"] == "imported" and report["dataset_created"] is True
    assert report["images"]["stored"] == 6 and report["images"]["added_to_dataset"] == 6
    expected_boxes = sum(len(it.boxes) for it in items)
    assert report["annotations"]["imported"] == expected_boxes
    assert sorted(report["classes"]["created"]) == ["chips", "cola", "water"]
    assert report["splits"] == {"train": 4, "val": 1, "test": 1}
    assert counts(ctx) == {
        "images": 6,
        "datasets": 1,
        "members": 6,
        "annotations": expected_boxes,
        "classes": 3,
    }
    boxes = dataset_boxes(ctx, report["dataset_id"])
    assert sorted(b for bs in boxes.values() for b in bs) == sorted(
        (b.label, b.x1, b.y1, b.x2, b.y2) for it in items for b in it.boxes
    )
    # Every stored file is an image the rows reference: no upload, no manifest left; the thumbnails
    # are the follow-up job's (tests/imports/test_thumbnail_follow_up.py).
    assert all(k.startswith("images/") for k in stored_keys(ctx))
    assert len(stored_keys(ctx)) == 6


def test_import_into_an_existing_dataset_twice_adds_nothing_the_second_time(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    created = client.post("/api/v1/od/datasets", json={"name": "Existing"})
    assert created.status_code == 201, created.text
    dataset_id = created.json()["id"]
    archive = zip_folder(write_yolo(tmp_path / "yolo", sample_items(4)))

    first = run_job(ctx, _start(client, "yolo", archive, dataset_id=dataset_id))
    second = run_job(ctx, _start(client, "yolo", archive, dataset_id=dataset_id))

    assert first.status == second.status == "succeeded"
    assert second.result is not None
    assert second.result["images"]["reused"] == 4 and second.result["images"]["already_in_dataset"] == 4
    assert second.result["annotations"]["imported"] == 0
    assert second.result["annotations"]["duplicates"] == first.result["annotations"]["imported"]  # type: ignore[index]
    assert counts(ctx)["annotations"] == first.result["annotations"]["imported"]  # type: ignore[index]


def test_labels_map_to_classes_by_name_ignoring_case_and_by_alias(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    with ctx.db.write() as session:
        cola = OdClass(name="Coca-Cola", name_key="coca-cola", aliases=["cola"])
        chips = OdClass(name="CHIPS", name_key="chips")
        session.add_all([cola, chips])
        session.flush()
        session.add(ClassAlias(alias_key="cola", class_id=cola.id))
    job = run_job(ctx, _start(client, "voc", zip_folder(write_voc(tmp_path / "voc", sample_items(3)))))

    assert job.status == "succeeded", job.error
    classes = job.result["classes"]  # type: ignore[index]
    assert classes["matched"] == ["chips"]
    assert classes["matched_by_alias"] == [{"label": "cola", "class_name": "Coca-Cola"}]
    assert classes["created"] == ["water"]
    assert counts(ctx)["classes"] == 3


def _bad_coco(root: Path) -> Path:
    """One good box, and one of each thing COCO files get wrong."""
    (root / "images").mkdir(parents=True)
    (root / "images" / "a.jpg").write_bytes(jpeg(1))
    (root / "images" / "b.jpg").write_bytes(jpeg(2))
    doc = {
        "images": [
            {"id": 1, "file_name": "a.jpg", "width": 64, "height": 48},
            {"id": 2, "file_name": "b.jpg", "width": 64, "height": 48},
            {"id": 3, "file_name": "missing.jpg", "width": 64, "height": 48},
        ],
        "categories": [{"id": 1, "name": "cola"}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 10, 10]},
            {"id": 2, "image_id": 1, "category_id": 1, "bbox": [50, 2, 40, 10]},
            {"id": 3, "image_id": 1, "category_id": 9, "bbox": [1, 2, 10, 10]},
            {"id": 4, "image_id": 77, "category_id": 1, "bbox": [1, 2, 10, 10]},
            {"id": 5, "image_id": 2, "category_id": 1, "bbox": [1, 2, -3, 10]},
            {"id": 6, "image_id": 2, "category_id": 1, "bbox": [1, 2, 10, "wide"]},
        ],
    }
    (root / "annotations.json").write_text(json.dumps(doc, indent=1))
    return root


def test_invalid_entries_fail_the_import_naming_file_and_field_and_nothing_is_stored(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    job = run_job(ctx, _start(client, "coco", zip_folder(_bad_coco(tmp_path / "bad")), on_invalid="fail"))

    assert job.status == "failed"
    assert job.error is not None and "rejected" in job.error
    report = job.result
    assert report is not None and report["outcome"] == "rejected"
    by_kind = {i["kind"]: i for i in _issues(report)}
    assert by_kind["bad_box"]["field"] == "annotations[5].bbox"
    assert by_kind["bad_box"]["file"] == "annotations.json" and by_kind["bad_box"]["line"] > 1
    # Everything is checked before the rejection: every problem of the source is listed at once.
    assert set(report["issue_counts"]) >= {
        "bad_box", "box_outside_image", "unknown_category", "unknown_image", "negative_size", "missing_image",
    }  # fmt: skip
    assert report["issue_counts"]["bad_box"] == 1
    assert_nothing_written(ctx)


def test_on_invalid_skip_imports_the_valid_entries_and_lists_every_skipped_one(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    job = run_job(ctx, _start(client, "coco", zip_folder(_bad_coco(tmp_path / "bad")), on_invalid="skip"))

    assert job.status == "succeeded", job.error
    report = job.result
    assert report is not None
    kinds = {i["kind"]: i for i in _issues(report)}
    assert set(kinds) >= {
        "bad_box", "box_outside_image", "unknown_category", "unknown_image", "negative_size", "missing_image",
    }  # fmt: skip
    assert kinds["box_outside_image"]["field"] == "annotations[1].bbox"
    assert "64x48" in kinds["box_outside_image"]["message"]
    assert (
        kinds["unknown_category"]["field"] == "annotations[2].bbox"
        and "9" in kinds["unknown_category"]["message"]
    )
    assert "77" in kinds["unknown_image"]["message"]
    assert (
        kinds["missing_image"]["field"] == "images[2]" and "missing.jpg" in kinds["missing_image"]["message"]
    )
    assert report["annotations"]["imported"] == 1
    assert counts(ctx)["annotations"] == 1 and counts(ctx)["images"] == 2


def test_yolo_lines_with_wrong_field_counts_bad_numbers_and_nan_are_named_by_line(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    root = write_yolo(tmp_path / "yolo", [Item("a.jpg", 1, "train", boxes=[Box("cola", 1, 1, 10, 10)])])
    (root / "labels" / "train" / "a.txt").write_text(
        "0 0.5 0.5 0.2 0.2\n0 0.5 0.5 0.2\n0 0.5 abc 0.2 0.2\n0 nan 0.5 0.2 0.2\n"
        "0 0.5 0.5 inf 0.2\n3 0.5 0.5 0.1 0.1\n"
    )

    job = run_job(ctx, _start(client, "yolo", zip_folder(root), on_invalid="fail"))

    assert job.status == "failed"
    issues = _issues(job.result)  # type: ignore[arg-type]
    by_line = {i["line"]: i["kind"] for i in issues if i["file"] == "labels/train/a.txt"}
    assert by_line[2] == "bad_field_count" and by_line[3] == "bad_number"
    assert_nothing_written(ctx)
    # The reading stage stops first; with skip, the checks against the image also name their lines.
    job = run_job(ctx, _start(client, "yolo", zip_folder(root), on_invalid="skip"))
    assert job.status == "succeeded", job.error
    by_line = {i["line"]: i["kind"] for i in _issues(job.result) if i["file"] == "labels/train/a.txt"}  # type: ignore[arg-type]
    assert by_line == {
        2: "bad_field_count",
        3: "bad_number",
        4: "not_finite",
        5: "not_finite",
        6: "unknown_category",
    }
    assert job.result["annotations"]["imported"] == 1  # type: ignore[index]


def test_voc_with_entities_or_external_references_is_refused_naming_the_file(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    root = write_voc(tmp_path / "voc", sample_items(2))
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        "<annotation><filename>img_000.jpg</filename><object><name>&lol2;</name></object></annotation>"
    )
    (root / "Annotations" / "img_000.xml").write_text(laughs)
    external = (
        '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        "<annotation><filename>img_001.jpg</filename><object><name>&xxe;</name></object></annotation>"
    )
    (root / "Annotations" / "img_001.xml").write_text(external)

    job = run_job(ctx, _start(client, "voc", zip_folder(root)))

    assert job.status == "failed"
    issues = {i["file"]: i["kind"] for i in _issues(job.result)}  # type: ignore[arg-type]
    assert issues == {"Annotations/img_000.xml": "unsafe_xml", "Annotations/img_001.xml": "unsafe_xml"}
    assert_nothing_written(ctx)


def test_malformed_json_fails_with_its_line_and_stores_nothing(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    root = write_coco(tmp_path / "coco", sample_items(2))
    path = root / "annotations" / "instances_train.json"
    lines = path.read_text().splitlines()
    lines[5] = lines[5] + " oops"
    path.write_text("\n".join(lines))

    job = run_job(ctx, _start(client, "coco", zip_folder(root)))

    assert job.status == "failed"
    assert job.error is not None and "not valid JSON" in job.error and "line 6" in job.error
    issue = _issues(job.result)[0]  # type: ignore[arg-type]
    assert (issue["kind"], issue["file"], issue["line"]) == (
        "malformed_json",
        "annotations/instances_train.json",
        6,
    )
    assert_nothing_written(ctx)


def test_a_file_that_is_not_an_image_is_named_and_nothing_is_stored(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    root = write_yolo(tmp_path / "yolo", sample_items(3))
    (root / "images" / "train" / "img_000.jpg").write_bytes(b"this is not a jpeg at all")

    job = run_job(ctx, _start(client, "yolo", zip_folder(root)))

    assert job.status == "failed"
    issue = next(i for i in _issues(job.result) if i["kind"] == "not_an_image")  # type: ignore[arg-type]
    assert "img_000.jpg" in issue["message"]
    assert_nothing_written(ctx)


def _zip_with(members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in members:
            zf.writestr(info, data)
    return out.getvalue()


def test_unsafe_archives_are_refused_at_upload_and_nothing_is_stored(
    client: TestClient, ctx: AppContext
) -> None:
    link = zipfile.ZipInfo("images/evil.jpg")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    cases = {
        "../escape.json": _zip_with([("../escape.json", b"{}")]),
        "/etc/passwd": _zip_with([("/etc/passwd", b"x")]),
        "symbolic link": _zip_with([(link, b"/etc/passwd")]),
        "zip bomb": _zip_with([("annotations.json", b" " * (4 * 1024 * 1024))]),
    }
    for expected, data in cases.items():
        response = upload(client, "coco", data)
        assert response.status_code == 422, (expected, response.text)
        body = response.json()
        assert body["error"] == "ValidationFailed"
        assert body["kind"] == "unsafe_archive"
        detail = body["detail"]
        if expected == "zip bomb":
            assert "zip bomb" in detail
        elif expected == "symbolic link":
            assert "symbolic link" in detail
        else:
            assert expected.lstrip("/").split("/")[0] in detail
    response = upload(client, "coco", b"not a zip")
    assert response.status_code == 415 and response.json()["error"] == "UnsupportedMedia"
    assert_nothing_written(ctx)


def test_archive_size_limits_refuse_large_totals_and_member_counts(
    client: TestClient, ctx: AppContext
) -> None:
    ctx.settings.max_zip_total_bytes = 1000
    response = upload(client, "coco", _zip_with([("a.json", b"x" * 600), ("b.json", b"y" * 600)]))
    assert response.status_code == 422 and "1,000 bytes" in response.json()["detail"]
    ctx.settings.max_zip_total_bytes = 10**9
    ctx.settings.max_zip_members = 3
    response = upload(client, "coco", _zip_with([(f"{i}.json", b"{}") for i in range(5)]))
    assert response.status_code == 422 and "members" in response.json()["detail"]
    assert_nothing_written(ctx)


def test_folder_imports_are_limited_to_the_import_roots(
    client: TestClient, ctx: AppContext, import_root: Path, tmp_path: Path
) -> None:
    outside = write_voc(tmp_path / "outside", sample_items(2))
    response = client.post("/api/v1/od/images/import/voc", json={"path": str(outside)})
    assert response.status_code == 422 and response.json()["field"] == "path"
    response = client.post("/api/v1/od/images/import/voc", json={"path": str(import_root / ".." / "outside")})
    assert response.status_code == 422
    assert_nothing_written(ctx)

    inside = write_voc(import_root / "shelf", sample_items(2))
    response = client.post(
        "/api/v1/od/images/import/voc", json={"path": str(inside), "dataset_name": "From disk"}
    )
    assert response.status_code == 202, response.text
    job = run_job(ctx, response.json()["job"]["id"])
    assert job.status == "succeeded", job.error
    assert job.result is not None and job.result["dataset_name"] == "From disk"
    assert dataset_splits(ctx, job.result["dataset_id"]) and counts(ctx)["images"] == 2


def test_request_problems_are_refused_before_a_job_starts(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    archive = zip_folder(write_yolo(tmp_path / "y", sample_items(1)))
    assert upload(client, "yolo", archive, dataset_id=999).status_code == 404
    response = upload(client, "yolo", archive, dataset_id=1, dataset_name="both")
    assert response.status_code == 422
    response = upload(client, "yolo", archive, on_invalid="maybe")
    assert response.status_code == 422 and "on_invalid" in response.json()["detail"]
    assert client.post("/api/v1/od/images/import/tfrecord", json={"path": "/x"}).status_code == 422
    response = client.post(
        "/api/v1/od/images/import/yolo", content=b"x", headers={"content-type": "text/plain"}
    )
    assert response.status_code == 415
    assert_nothing_written(ctx)


def test_viewers_cannot_import(viewer_client: TestClient, ctx: AppContext, tmp_path: Path) -> None:
    response = upload(viewer_client, "yolo", zip_folder(write_yolo(tmp_path / "y", sample_items(1))))
    assert response.status_code == 403
    assert_nothing_written(ctx)


def test_splits_are_recorded_on_the_memberships(client: TestClient, ctx: AppContext, tmp_path: Path) -> None:
    job = run_job(ctx, _start(client, "voc", zip_folder(write_voc(tmp_path / "voc", sample_items(4)))))
    assert job.status == "succeeded", job.error
    with ctx.db.read() as session:
        splits = sorted(s or "-" for s in session.scalars(select(DatasetImage.split)))
    assert splits == ["test", "train", "train", "val"]


def test_importing_boxes_onto_images_already_in_the_dataset_updates_their_membership(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    items = sample_items(3)
    bare = [Item(it.name, it.seed, None, boxes=[]) for it in items]
    job = run_job(ctx, _start(client, "yolo", zip_folder(write_yolo(tmp_path / "bare", bare))))
    assert job.status == "succeeded" and job.result is not None, job.error
    dataset_id = job.result["dataset_id"]
    with ctx.db.write() as session:
        session.execute(update(DatasetImage).values(split=None))

    job = run_job(
        ctx, _start(client, "coco", zip_folder(write_coco(tmp_path / "full", items)), dataset_id=dataset_id)
    )

    assert job.status == "succeeded", job.error
    assert job.result is not None and job.result["images"]["already_in_dataset"] == 3
    with ctx.db.read() as session:
        rows = session.execute(
            select(
                DatasetImage.split, DatasetImage.status, DatasetImage.annotation_count, DatasetImage.revision
            )
        ).all()
    assert sorted(rows) == sorted((it.split, "completed", len(it.boxes), 1) for it in items)


def test_the_image_librarys_url_import_route_is_not_taken_for_a_format(client: TestClient) -> None:
    response = client.post("/api/v1/od/images/import/url", json={})
    assert not any(f.get("field") == "fmt" for f in response.json().get("fields", []))

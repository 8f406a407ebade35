"""Polygon datasets through export and import: COCO `segmentation` and YOLO-seg label lines give back the
same polygons (within 1e-4 px), and a polygon dataset's YOLO labels are all polygon lines."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from shelfscope.context import AppContext
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.classes.models import OdClass
from shelfscope.od.datasets.models import Dataset, DatasetImage
from shelfscope.od.images.models import Image as ImageRow
from tests.exports.test_export_api import _import
from tests.support.dataset_files import Box, Item, run_job, write_coco, write_yolo, zip_folder

TOLERANCE_PX = 1e-4
# Per content hash: (class, kind, vertices) sorted; a box's vertices are its two corners.
Shapes = dict[str, list[tuple[str, str, list[tuple[float, float]]]]]


def _items() -> list[Item]:
    """Two polygon images and one with a polygon and a plain box, on 64 x 48 photos."""
    return [
        Item(
            "a.jpg", 1, "train", boxes=[Box("cola", 5, 5, 25, 20, [[5.0, 5.0], [25.0, 8.5], [15.25, 20.0]])]
        ),
        Item(
            "b.jpg",
            2,
            "val",
            boxes=[
                Box(
                    "chips",
                    0,
                    0,
                    64,
                    48,
                    [[0.0, 0.0], [64.0, 0.0], [64.0, 48.0], [31.123456789, 40.5], [0.0, 48.0]],
                ),
                Box("cola", 40.333333, 1.1, 60.7, 30.9, [[40.333333, 1.1], [60.7, 12.25], [50.5, 30.9]]),
            ],
        ),
        Item(
            "c.jpg",
            3,
            "train",
            boxes=[
                Box("chips", 2.5, 3.25, 20.5, 30.75),
                Box("cola", 30, 10, 50, 40, [[30.0, 10.0], [50.0, 25.0], [35.0, 40.0]]),
            ],
        ),
    ]


def _export(client: TestClient, ctx: AppContext, url: str) -> bytes:
    response = client.post(url, json={})
    assert response.status_code == 202, response.text
    job = run_job(ctx, response.json()["job"]["id"])
    assert job.status == "succeeded", job.error
    download = client.get(f"/api/v1/od/export/{job.id}/download")
    assert download.status_code == 200
    content: bytes = download.content
    return content


def _shapes(ctx: AppContext, dataset_id: int) -> Shapes:
    out: Shapes = {}
    with ctx.db.read() as session:
        rows = session.execute(
            select(
                ImageRow.content_hash,
                OdClass.name,
                Annotation.kind,
                Annotation.points,
                Annotation.x1,
                Annotation.y1,
                Annotation.x2,
                Annotation.y2,
            )
            .join(DatasetImage, DatasetImage.id == Annotation.dataset_image_id)
            .join(ImageRow, ImageRow.id == DatasetImage.image_id)
            .join(OdClass, OdClass.id == Annotation.class_id)
            .where(Annotation.dataset_id == dataset_id)
        ).all()
    for content_hash, name, kind, points, x1, y1, x2, y2 in rows:
        vertices = [(float(x), float(y)) for x, y in points] if points else [(x1, y1), (x2, y2)]
        out.setdefault(content_hash, []).append((name, kind, vertices))
    return {k: sorted(v, key=lambda s: (s[0], s[1], s[2][0])) for k, v in out.items()}


def _as_polygons(shapes: Shapes) -> Shapes:
    out: Shapes = {}
    for content_hash, items in shapes.items():
        converted = []
        for name, kind, vertices in items:
            if kind == "bbox":
                (x1, y1), (x2, y2) = vertices
                vertices = [(x1, y1), (x2, y1), (x2, y2), (x1, y2)]
            converted.append((name, "polygon", vertices))
        out[content_hash] = sorted(converted, key=lambda s: (s[0], s[1], s[2][0]))
    return out


def _annotation_type(ctx: AppContext, dataset_id: int) -> str:
    with ctx.db.read() as session:
        dataset = session.get(Dataset, dataset_id)
        assert dataset is not None
        return dataset.annotation_type


def _assert_same(before: Shapes, after: Shapes) -> None:
    assert before.keys() == after.keys()
    for content_hash, shapes in before.items():
        other = after[content_hash]
        assert [(s[0], s[1], len(s[2])) for s in shapes] == [(s[0], s[1], len(s[2])) for s in other]
        for (_, _, a), (_, _, b) in zip(shapes, other, strict=True):
            for (ax, ay), (bx, by) in zip(a, b, strict=True):
                assert abs(ax - bx) <= TOLERANCE_PX and abs(ay - by) <= TOLERANCE_PX, (a, b)


def _label_lines(archive: bytes) -> list[list[str]]:
    zf = zipfile.ZipFile(io.BytesIO(archive))
    return [
        line.split()
        for name in zf.namelist()
        if name.startswith("labels/") and name.endswith(".txt")
        for line in zf.read(name).decode().splitlines()
    ]


def test_coco_polygons_survive_import_export_import(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    source = _import(client, ctx, zip_folder(write_coco(tmp_path / "src", _items())), "coco")
    assert _annotation_type(ctx, source) == "polygon"

    archive = _export(client, ctx, f"/api/v1/od/datasets/{source}/export/coco")
    again = _import(client, ctx, archive, "coco", dataset_name="COCO round trip")

    assert _annotation_type(ctx, again) == "polygon"
    before = _shapes(ctx, source)
    assert sum(s[1] == "polygon" for shapes in before.values() for s in shapes) == 4
    _assert_same(before, _shapes(ctx, again))


def test_yolo_seg_polygons_survive_import_export_import(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    items = [it for it in _items() if all(b.points for b in it.boxes)]
    source = _import(client, ctx, zip_folder(write_yolo(tmp_path / "src", items)), "yolo")
    assert _annotation_type(ctx, source) == "polygon"

    archive = _export(client, ctx, f"/api/v1/od/datasets/{source}/export/yolo")
    lines = _label_lines(archive)
    assert len(lines) == 3 and all(len(line) >= 7 and len(line) % 2 == 1 for line in lines)
    again = _import(client, ctx, archive, "yolo", dataset_name="YOLO-seg round trip")

    assert _annotation_type(ctx, again) == "polygon"
    _assert_same(_shapes(ctx, source), _shapes(ctx, again))


def test_a_polygon_dataset_writes_boxes_as_four_corner_polygons_and_a_box_dataset_writes_boxes(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    items = _items()
    polygons = _import(client, ctx, zip_folder(write_coco(tmp_path / "src", items)), "coco")

    lines = _label_lines(_export(client, ctx, f"/api/v1/od/datasets/{polygons}/export/yolo"))
    # Ultralytics reads a label file with any polygon line as all polygons: no 5-value lines here.
    assert sorted(len(line) for line in lines) == [7, 7, 7, 9, 11]
    box_line = next(line for line in lines if len(line) == 9)
    xy = [float(v) for v in box_line[1:]]
    assert [(round(x * 64, 6), round(y * 48, 6)) for x, y in zip(xy[0::2], xy[1::2], strict=True)] == [
        (2.5, 3.25),
        (20.5, 3.25),
        (20.5, 30.75),
        (2.5, 30.75),
    ]

    boxes_only = [
        Item(it.name, it.seed + 10, it.split, boxes=[Box(b.label, b.x1, b.y1, b.x2, b.y2) for b in it.boxes])
        for it in items
    ]
    plain = _import(
        client, ctx, zip_folder(write_coco(tmp_path / "boxes", boxes_only)), "coco", dataset_name="Boxes"
    )
    assert _annotation_type(ctx, plain) == "bbox"
    assert {
        len(line) for line in _label_lines(_export(client, ctx, f"/api/v1/od/datasets/{plain}/export/yolo"))
    } == {5}


def test_a_version_of_a_polygon_dataset_exports_its_frozen_polygons(
    client: TestClient, ctx: AppContext, tmp_path: Path
) -> None:
    source = _import(client, ctx, zip_folder(write_coco(tmp_path / "src", _items())), "coco")
    created = client.post(f"/api/v1/od/datasets/{source}/versions", json={})
    assert created.status_code == 202, created.text
    assert run_job(ctx, created.json()["job"]["id"]).status == "succeeded"

    archive = _export(client, ctx, f"/api/v1/od/datasets/{source}/versions/1/export/yolo")
    assert all(len(line) >= 7 for line in _label_lines(archive))
    again = _import(client, ctx, archive, "yolo", dataset_name="From version 1")
    # Every polygon comes back as it was; the box comes back as its four corners.
    _assert_same(_as_polygons(_shapes(ctx, source)), _shapes(ctx, again))

"""Small real datasets for import/export tests: distinct tiny JPEGs, COCO/YOLO/VOC files, zips, and
helpers that run a job inline and check that nothing was written."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select

from shelfscope.context import AppContext
from shelfscope.jobs.executor import run_job_inline
from shelfscope.jobs.models import Job
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.classes.models import OdClass
from shelfscope.od.datasets.models import Dataset, DatasetImage
from shelfscope.od.images.models import Image as ImageRow


def jpeg(seed: int, size: tuple[int, int] = (64, 48)) -> bytes:
    """A real JPEG whose bytes differ per seed."""
    im = Image.new("RGB", size, ((seed * 37) % 256, (seed * 91) % 256, (seed * 53) % 256))
    im.putpixel((seed % size[0], (seed // size[0]) % size[1]), (255 - (seed % 256), 7, 200))
    out = io.BytesIO()
    im.save(out, "JPEG", quality=90)
    return out.getvalue()


@dataclass
class Box:
    label: str
    x1: float
    y1: float
    x2: float
    y2: float
    points: list[list[float]] | None = None


@dataclass
class Item:
    name: str
    seed: int
    split: str | None = "train"
    size: tuple[int, int] = (64, 48)
    boxes: list[Box] = field(default_factory=list)


def sample_items(n: int = 6, labels: Sequence[str] = ("cola", "chips", "water")) -> list[Item]:
    items = []
    for i in range(n):
        split = ("train", "train", "val", "test")[i % 4]
        boxes = [
            Box(labels[(i + k) % len(labels)], 2.5 + k * 10, 3.25 + k, 20.5 + k * 10, 30.75 + k)
            for k in range(1 + i % 3)
        ]
        items.append(Item(f"img_{i:03d}.jpg", i + 1, split, boxes=boxes))
    return items


def write_coco(root: Path, items: Sequence[Item], *, per_split: bool = True) -> Path:
    """Datumaro's layout: annotations/instances_<split>.json and images/<split>/<name>."""
    labels = sorted({b.label for it in items for b in it.boxes})
    cats = [{"id": i + 1, "name": name, "supercategory": ""} for i, name in enumerate(labels)]
    groups: dict[str, list[Item]] = {}
    for it in items:
        groups.setdefault((it.split or "default") if per_split else "default", []).append(it)
    ann_id = 1
    for split, members in groups.items():
        images, anns = [], []
        for n, it in enumerate(members, 1):
            folder = root / "images" / split
            folder.mkdir(parents=True, exist_ok=True)
            (folder / it.name).write_bytes(jpeg(it.seed, it.size))
            images.append({"id": n, "file_name": it.name, "width": it.size[0], "height": it.size[1]})
            for b in it.boxes:
                seg = [[v for p in b.points for v in p]] if b.points else []
                anns.append(
                    {
                        "id": ann_id, "image_id": n, "category_id": labels.index(b.label) + 1,
                        "bbox": [b.x1, b.y1, b.x2 - b.x1, b.y2 - b.y1], "area": 1.0, "iscrowd": 0,
                        "segmentation": seg,
                    }
                )  # fmt: skip
                ann_id += 1
        (root / "annotations").mkdir(parents=True, exist_ok=True)
        doc = {"images": images, "annotations": anns, "categories": cats}
        (root / "annotations" / f"instances_{split}.json").write_text(json.dumps(doc, indent=1))
    return root


def _yolo_line(index: int, box: Box, size: tuple[int, int]) -> str:
    """`class cx cy w h`, or for a box with points a YOLO-seg line `class x1 y1 x2 y2 ...`, normalised."""
    w, h = size
    if box.points:
        return f"{index} " + " ".join(f"{x / w!r} {y / h!r}" for x, y in box.points)
    return (
        f"{index} {(box.x1 + box.x2) / 2 / w!r} {(box.y1 + box.y2) / 2 / h!r} "
        f"{(box.x2 - box.x1) / w!r} {(box.y2 - box.y1) / h!r}"
    )


def write_yolo(root: Path, items: Sequence[Item]) -> Path:
    """Ultralytics' layout: data.yaml, images/<split>/ and labels/<split>/ (boxes with points as
    segmentation lines)."""
    labels = sorted({b.label for it in items for b in it.boxes})
    splits = sorted({it.split or "train" for it in items})
    (root).mkdir(parents=True, exist_ok=True)
    yaml_lines = (
        ["path: ."]
        + [f"{s}: images/{s}" for s in splits]
        + ["names:"]
        + [f"  {i}: {n}" for i, n in enumerate(labels)]
    )
    (root / "data.yaml").write_text("\n".join(yaml_lines) + "\n")
    for it in items:
        split = it.split or "train"
        (root / "images" / split).mkdir(parents=True, exist_ok=True)
        (root / "labels" / split).mkdir(parents=True, exist_ok=True)
        (root / "images" / split / it.name).write_bytes(jpeg(it.seed, it.size))
        lines = [_yolo_line(labels.index(b.label), b, it.size) for b in it.boxes]
        (root / "labels" / split / (Path(it.name).stem + ".txt")).write_text("\n".join(lines) + "\n")
    return root


def write_voc(root: Path, items: Sequence[Item]) -> Path:
    for sub in ("Annotations", "JPEGImages", "ImageSets/Main"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    lists: dict[str, list[str]] = {}
    for it in items:
        (root / "JPEGImages" / it.name).write_bytes(jpeg(it.seed, it.size))
        objects = "".join(
            f"<object><name>{b.label}</name><difficult>0</difficult><bndbox><xmin>{b.x1}</xmin><ymin>{b.y1}</ymin>"
            f"<xmax>{b.x2}</xmax><ymax>{b.y2}</ymax></bndbox></object>"
            for b in it.boxes
        )
        xml = (
            f"<annotation><filename>{it.name}</filename><size><width>{it.size[0]}</width>"
            f"<height>{it.size[1]}</height><depth>3</depth></size>{objects}</annotation>"
        )
        (root / "Annotations" / (Path(it.name).stem + ".xml")).write_text(xml)
        lists.setdefault(it.split or "trainval", []).append(Path(it.name).stem)
    for split, stems in lists.items():
        (root / "ImageSets" / "Main" / f"{split}.txt").write_text("\n".join(stems) + "\n")
    return root


def zip_folder(root: Path) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(root).as_posix())
    return out.getvalue()


def upload(client: TestClient, fmt: str, data: bytes, name: str = "dataset.zip", **fields: Any) -> Any:
    form = {k: str(v) for k, v in fields.items()}
    return client.post(
        f"/api/v1/od/images/import/{fmt}", files={"file": (name, data, "application/zip")}, data=form
    )


def start_import(client: TestClient, fmt: str, data: bytes, **fields: Any) -> int:
    """Upload an archive for import; the id of the queued job (202 asserted)."""
    response = upload(client, fmt, data, **fields)
    assert response.status_code == 202, response.text
    return int(response.json()["job"]["id"])


def run_job(ctx: AppContext, job_id: int) -> Job:
    return run_job_inline(ctx.settings, ctx.db, ctx.storage, job_id)


def counts(ctx: AppContext) -> dict[str, int]:
    with ctx.db.read() as session:
        return {
            name: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for name, model in (
                ("images", ImageRow),
                ("datasets", Dataset),
                ("members", DatasetImage),
                ("annotations", Annotation),
                ("classes", OdClass),
            )
        }


def stored_keys(ctx: AppContext) -> list[str]:
    return list(ctx.storage.iter_keys())


def assert_nothing_written(ctx: AppContext) -> None:
    assert counts(ctx) == {"images": 0, "datasets": 0, "members": 0, "annotations": 0, "classes": 0}
    assert stored_keys(ctx) == []


def dataset_boxes(
    ctx: AppContext, dataset_id: int
) -> dict[str, list[tuple[str, float, float, float, float]]]:
    """Boxes per image content hash: (class name, x1, y1, x2, y2), sorted."""
    out: dict[str, list[tuple[str, float, float, float, float]]] = {}
    with ctx.db.read() as session:
        rows = session.execute(
            select(
                ImageRow.content_hash,
                OdClass.name,
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
        members = session.execute(
            select(ImageRow.content_hash)
            .join(DatasetImage, DatasetImage.image_id == ImageRow.id)
            .where(DatasetImage.dataset_id == dataset_id)
        ).all()
    for (content_hash,) in members:
        out.setdefault(content_hash, [])
    for content_hash, name, x1, y1, x2, y2 in rows:
        out[content_hash].append((name, x1, y1, x2, y2))
    return {k: sorted(v) for k, v in out.items()}


def dataset_splits(ctx: AppContext, dataset_id: int) -> dict[str, str | None]:
    with ctx.db.read() as session:
        rows = session.execute(
            select(ImageRow.content_hash, DatasetImage.split)
            .join(DatasetImage, DatasetImage.image_id == ImageRow.id)
            .where(DatasetImage.dataset_id == dataset_id)
        ).all()
    return {h: s for h, s in rows}

"""Annotated shelf photos for the product-recognition tests: real grocery photos of ../shared/data
(Freiburg, VOC boxes) ingested into the library, in a dataset with their boxes as annotations, and
readers of the cutout rows and files that tests compare before and after a request."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as ET
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from shelfscope.context import AppContext
from shelfscope.jobs.executor import run_job_inline
from shelfscope.jobs.models import Job
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.classes.models import OdClass
from shelfscope.od.datasets.models import Dataset, DatasetImage
from shelfscope.od.images.ingest import ingest_stream
from shelfscope.pr.cutouts.models import Cutout
from shelfscope.pr.products.models import Product, ProductImage

Box = tuple[float, float, float, float]


def freiburg_photos(shared_data: Path, count: int) -> list[tuple[Path, list[tuple[str, Box]]]]:
    """The first `count` Freiburg photos (by name) with their labelled boxes."""
    root = shared_data / "detection" / "freiburg" / "voc"
    picked = []
    for xml in sorted((root / "annotations").glob("*.xml"))[:count]:
        tree = ET.parse(xml).getroot()
        assert tree is not None
        boxes = []
        for obj in tree.iter("object"):
            bb = obj.find("bndbox")
            assert bb is not None
            coords = tuple(float(bb.findtext(k) or 0) for k in ("xmin", "ymin", "xmax", "ymax"))
            boxes.append((str(obj.findtext("name")), (coords[0], coords[1], coords[2], coords[3])))
        picked.append((root / "images" / f"{xml.stem}.png", boxes))
    return picked


@dataclass
class Shelves:
    """One dataset of real shelf photos (library ids in membership order) with their boxes."""

    dataset_id: int
    image_ids: list[int]
    classes: dict[str, int]
    # (image id, annotation id, class id, box) for every box, in annotation order.
    boxes: list[tuple[int, int, int, Box]] = field(default_factory=list)
    sizes: dict[int, tuple[int, int]] = field(default_factory=dict)

    def boxes_of(self, class_name: str) -> list[tuple[int, int, int, Box]]:
        return [b for b in self.boxes if b[2] == self.classes[class_name]]


def _class_ids(session: Any, names: set[str]) -> dict[str, int]:
    classes = {n: OdClass(name=n, name_key=n.casefold(), display_name=n.title()) for n in sorted(names)}
    session.add_all(classes.values())
    session.flush()
    return {n: c.id for n, c in classes.items()}


def make_shelves(ctx: AppContext, shared_data: Path, count: int = 6, name: str = "Shelves") -> Shelves:
    photos = freiburg_photos(shared_data, count)
    with ctx.db.write() as session:
        classes = _class_ids(session, {label for _, boxes in photos for label, _ in boxes})
        dataset = Dataset(name=name)
        session.add(dataset)
        session.flush()
        shelves = Shelves(dataset_id=dataset.id, image_ids=[], classes=classes)
        for path, boxes in photos:
            image = ingest_stream(
                session, ctx.storage, ctx.settings, io.BytesIO(path.read_bytes()), path.name
            )
            member = DatasetImage(dataset_id=dataset.id, image_id=image.image.id, annotation_count=len(boxes))
            session.add(member)
            session.flush()
            shelves.image_ids.append(image.image.id)
            shelves.sizes[image.image.id] = (image.image.width, image.image.height)
            for label, box in boxes:
                ann = Annotation(
                    dataset_id=dataset.id,
                    dataset_image_id=member.id,
                    class_id=classes[label],
                    x1=box[0],
                    y1=box[1],
                    x2=box[2],
                    y2=box[3],
                )
                session.add(ann)
                session.flush()
                shelves.boxes.append((image.image.id, ann.id, classes[label], box))
        return shelves


def run_job(ctx: AppContext, job_id: int) -> Job:
    return run_job_inline(ctx.settings, ctx.db, ctx.storage, job_id)


def make_cutouts(client: TestClient, ctx: AppContext, **body: Any) -> Job:
    response = client.post("/api/v1/pr/cutouts/jobs", json=body)
    assert response.status_code == 202, response.text
    job = run_job(ctx, response.json()["job"]["id"])
    assert job.status == "succeeded", (job.error, job.result)
    return job


def cutout_rows(ctx: AppContext) -> list[dict[str, Any]]:
    with ctx.db.read() as session:
        return [
            {
                "id": c.id,
                "image_id": c.image_id,
                "annotation_id": c.annotation_id,
                "class_id": c.class_id,
                "source": c.source,
                "box": (c.x1, c.y1, c.x2, c.y2),
                "state": c.state,
                "product_id": c.product_id,
                "storage_key": c.storage_key,
                "updated_at": c.updated_at,
            }
            for c in session.scalars(select(Cutout).order_by(Cutout.id))
        ]


def stored_crops(ctx: AppContext) -> list[str]:
    return sorted(ctx.storage.iter_keys("cutouts/"))


def job_count(ctx: AppContext) -> int:
    with ctx.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Job)) or 0)


def make_product(ctx: AppContext, sku: str, **fields: Any) -> int:
    """A product row written directly (the products part's API is not what these tests are about)."""
    with ctx.db.write() as session:
        product = Product(sku=sku, name=fields.pop("name", sku.title()), **fields)
        session.add(product)
        session.flush()
        return product.id


def product_images(ctx: AppContext) -> list[dict[str, Any]]:
    with ctx.db.read() as session:
        return [
            {
                "id": i.id,
                "product_id": i.product_id,
                "domain": i.domain,
                "source": i.source,
                "cutout_id": i.cutout_id,
            }
            for i in session.scalars(select(ProductImage).order_by(ProductImage.id))
        ]


def field_of(response: Any) -> list[str]:
    """The fields an error answer names (its `field` and every `fields[].field`)."""
    body = response.json()
    named = [f["field"] for f in body.get("fields", [])]
    return [body["field"], *named] if "field" in body else named

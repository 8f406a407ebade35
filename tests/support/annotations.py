"""Annotation helpers: a dataset of real ingested images and classes (a Scene), and readers of the rows
that tests compare before and after a request."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from typing import Any

from PIL import Image as PILImage
from sqlalchemy import select

from shelfscope.context import AppContext
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.classes.models import OdClass
from shelfscope.od.datasets.models import Dataset, DatasetImage
from shelfscope.od.images.ingest import ingest_stream

WIDTH, HEIGHT = 640, 480


def jpeg_bytes(shade: int, size: tuple[int, int] = (WIDTH, HEIGHT)) -> bytes:
    buffer = BytesIO()
    PILImage.new("RGB", size, (shade, 255 - shade, (shade * 7) % 256)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


@dataclass
class Scene:
    """One dataset of `image_ids` (in membership order), two classes, and another dataset's image."""

    dataset_id: int
    image_ids: list[int]
    class_ids: list[int]
    other_dataset_id: int
    other_image_id: int

    def url(self, image_index: int = 0, suffix: str = "annotations", *, dataset_id: int | None = None) -> str:
        dataset = self.dataset_id if dataset_id is None else dataset_id
        return f"/api/v1/od/datasets/{dataset}/images/{self.image_ids[image_index]}/{suffix}"


def make_scene(ctx: AppContext, images: int = 3) -> Scene:
    with ctx.db.write() as session:
        classes = [OdClass(name=n, name_key=n.casefold(), display_name=n) for n in ("Cola", "Fanta")]
        dataset = Dataset(name="Shelves")
        other = Dataset(name="Other")
        session.add_all([*classes, dataset, other])
        session.flush()
        image_ids = []
        for i in range(images + 1):
            image = ingest_stream(
                session, ctx.storage, ctx.settings, BytesIO(jpeg_bytes(10 + i * 20)), f"s{i}.jpg"
            )
            image_ids.append(image.image.id)
        session.flush()
        for image_id in image_ids[:images]:
            session.add(DatasetImage(dataset_id=dataset.id, image_id=image_id))
            session.flush()
        session.add(DatasetImage(dataset_id=other.id, image_id=image_ids[images]))
        return Scene(
            dataset_id=dataset.id,
            image_ids=image_ids[:images],
            class_ids=[c.id for c in classes],
            other_dataset_id=other.id,
            other_image_id=image_ids[images],
        )


def box(
    class_id: int, x1: float = 10, y1: float = 20, x2: float = 110, y2: float = 220, **extra: Any
) -> dict[str, Any]:
    return {"class_id": class_id, "x1": x1, "y1": y1, "x2": x2, "y2": y2, **extra}


def stored_annotations(ctx: AppContext, dataset_id: int | None = None) -> list[dict[str, Any]]:
    """Every annotation row (of one dataset, or all), as plain dicts ordered by id."""
    with ctx.db.read() as session:
        stmt = select(Annotation).order_by(Annotation.id)
        if dataset_id is not None:
            stmt = stmt.where(Annotation.dataset_id == dataset_id)
        return [
            {
                "id": a.id,
                "dataset_image_id": a.dataset_image_id,
                "class_id": a.class_id,
                "kind": a.kind,
                "box": (a.x1, a.y1, a.x2, a.y2),
                "points": a.points,
                "source": a.source,
                "updated_at": a.updated_at,
            }
            for a in session.scalars(stmt)
        ]


def member_state(ctx: AppContext, dataset_id: int, image_id: int) -> dict[str, Any]:
    with ctx.db.read() as session:
        member = session.execute(
            select(DatasetImage).where(
                DatasetImage.dataset_id == dataset_id, DatasetImage.image_id == image_id
            )
        ).scalar_one()
        return {
            "status": member.status,
            "revision": member.revision,
            "annotation_count": member.annotation_count,
        }


def snapshot(ctx: AppContext, scene: Scene) -> tuple[Any, ...]:
    """Everything a rejected request must leave untouched."""
    return (
        stored_annotations(ctx),
        [member_state(ctx, scene.dataset_id, i) for i in scene.image_ids],
    )

"""Test data builders shared by the class and dataset tests: real images, datasets and annotations."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image as PILImage
from sqlalchemy import Engine, event, func, select, update

from shelfscope.context import AppContext
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.classes.models import ClassChange
from shelfscope.od.datasets.models import Dataset, DatasetImage
from shelfscope.od.images.ingest import ingest_stream


def jpeg(index: int, size: tuple[int, int] = (32, 24)) -> io.BytesIO:
    """A tiny JPEG whose bytes differ per index (a distinct colour), so each one is a new image."""
    buf = io.BytesIO()
    color = (index * 37 % 256, index * 91 % 256, (index * 53 + 11) % 256)
    PILImage.new("RGB", size, color).save(buf, "JPEG")
    buf.seek(0)
    return buf


def make_images(ctx: AppContext, count: int, *, start: int = 0, folder: str | None = None) -> list[int]:
    with ctx.db.write() as session:
        images = [
            ingest_stream(
                session, ctx.storage, ctx.settings, jpeg(start + i), f"shelf_{start + i}.jpg", folder=folder
            )
            for i in range(count)
        ]
        session.flush()
        ids = [r.image.id for r in images]
    assert len(set(ids)) == count, "test images must be distinct"
    return ids


def make_dataset(ctx: AppContext, name: str, image_ids: list[int]) -> tuple[int, dict[int, int]]:
    """A dataset holding the images; returns its id and {image_id: dataset_image_id}."""
    with ctx.db.write() as session:
        dataset = Dataset(name=name)
        session.add(dataset)
        session.flush()
        members = {i: DatasetImage(dataset_id=dataset.id, image_id=i) for i in image_ids}
        session.add_all(members.values())
        session.flush()
        return dataset.id, {i: m.id for i, m in members.items()}


def annotate(ctx: AppContext, dataset_image_id: int, class_id: int, count: int = 1) -> None:
    """Boxes of one class on one dataset image, keeping the image's annotation_count right."""
    with ctx.db.write() as session:
        member = session.get_one(DatasetImage, dataset_image_id)
        session.add_all(
            Annotation(
                dataset_id=member.dataset_id,
                dataset_image_id=member.id,
                class_id=class_id,
                x1=1.0 + n,
                y1=2.0,
                x2=10.0 + n,
                y2=12.0,
            )
            for n in range(count)
        )
        session.execute(
            update(DatasetImage)
            .where(DatasetImage.id == member.id)
            .values(annotation_count=DatasetImage.annotation_count + count)
        )


def class_annotation_counts(ctx: AppContext) -> dict[int, int]:
    with ctx.db.read() as session:
        rows = session.execute(select(Annotation.class_id, func.count()).group_by(Annotation.class_id))
        return {int(c): int(n) for c, n in rows}


def image_counts(ctx: AppContext) -> dict[int, tuple[int, int]]:
    """{dataset_image_id: (annotation_count column, annotations really there)}."""
    with ctx.db.read() as session:
        real = {
            i: int(n)
            for i, n in session.execute(
                select(Annotation.dataset_image_id, func.count()).group_by(Annotation.dataset_image_id)
            )
        }
        return {
            m.id: (m.annotation_count, int(real.get(m.id, 0))) for m in session.scalars(select(DatasetImage))
        }


def audit_rows(ctx: AppContext) -> list[ClassChange]:
    with ctx.db.read() as session:
        return list(session.scalars(select(ClassChange).order_by(ClassChange.id)))


@contextmanager
def count_statements(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement sent to the database inside the block."""
    statements: list[str] = []

    def _record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", _record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _record)

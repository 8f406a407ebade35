"""Annotation rows and the membership rows that carry their image's revision: reading and locking them,
set-based writes (db.dialect.BulkWriter), and the revision and count bookkeeping every write does.

Every write to an image's annotations bumps that image's revision (optimistic concurrency for the
editor) and keeps `annotation_count` equal to its rows. Writers lock the membership row first
(SQLite: the write transaction is BEGIN IMMEDIATE; PostgreSQL: SELECT ... FOR UPDATE), check, then
write with set-based statements, so a rejected request changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Table, delete, func, select, update
from sqlalchemy.orm import Session

from shelfscope.db.base import utcnow
from shelfscope.db.dialect import BulkWriter, id_in
from shelfscope.errors import NotFound
from shelfscope.od.annotations.checks import WRITABLE, Row
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.annotations.schemas import (
    AnnotationOut,
    CurrentState,
    DatasetImageState,
    EditorImage,
    ImageRevision,
)
from shelfscope.od.datasets.lookup import dataset_not_found
from shelfscope.od.datasets.models import Dataset, DatasetImage
from shelfscope.od.images.models import Image
from shelfscope.od.images.schemas import file_url, thumbnail_url
from shelfscope.od.vocabulary import ImageStatus, Split

ANNOTATIONS = cast(Table, Annotation.__table__)
MEMBERS = cast(Table, DatasetImage.__table__)

# Every column an insert writes, and its PostgreSQL type for the unnest arrays.
_PG_TYPES = {
    "id": "bigint",
    "dataset_id": "bigint",
    "dataset_image_id": "bigint",
    "class_id": "bigint",
    "kind": "text",
    "x1": "float8",
    "y1": "float8",
    "x2": "float8",
    "y2": "float8",
    "points": "jsonb",
    "source": "text",
    "confidence": "float8",
    "review_state": "text",
    "review_edited": "boolean",
    "model": "text",
    "trained_model_id": "bigint",
    "attributes": "jsonb",
    "created_by": "bigint",
    "created_at": "timestamptz",
    "updated_at": "timestamptz",
}
# insert(session, rows) -> new ids, in order; update(session, rows): the writable columns, by id.
WRITER = BulkWriter(
    ANNOTATIONS, _PG_TYPES, (*WRITABLE, "review_edited", "updated_at"), json_columns=("points", "attributes")
)


# ---- reading -----------------------------------------------------------------------------------------


def member(
    session: Session, dataset_id: int, image_id: int, *, lock: bool = False
) -> tuple[DatasetImage, Image]:
    """The image's membership row (locked when asked) and the image, or NotFound naming what is missing."""
    stmt = (
        select(DatasetImage, Image)
        .join(Image, Image.id == DatasetImage.image_id)
        .where(DatasetImage.dataset_id == dataset_id, DatasetImage.image_id == image_id)
    )
    if lock:
        stmt = stmt.with_for_update(of=DatasetImage)
    row = session.execute(stmt).one_or_none()
    if row is None:
        raise not_member(session, dataset_id, image_id)
    found, image = row
    return found, image


def not_member(session: Session, dataset_id: int, image_id: int) -> NotFound:
    """Says which is missing: the dataset, or the image in it (another dataset's image is not here)."""
    if session.get(Dataset, dataset_id) is None:
        return dataset_not_found(dataset_id)
    return NotFound(
        f"Image {image_id} is not in dataset {dataset_id}.", dataset_id=dataset_id, image_id=image_id
    )


def rows_of(session: Session, dataset_image_id: int) -> dict[int, Row]:
    """The image's annotations in this dataset by id, in id order."""
    table = ANNOTATIONS
    result = session.execute(
        select(table).where(table.c.dataset_image_id == dataset_image_id).order_by(table.c.id)
    )
    return {row["id"]: dict(row) for row in result.mappings()}


def count_of(session: Session, dataset_image_id: int) -> int:
    return session.scalar(select(func.count()).where(ANNOTATIONS.c.dataset_image_id == dataset_image_id)) or 0


def annotation_out(row: Row, image_id: int) -> AnnotationOut:
    return AnnotationOut(image_id=image_id, **row)


def state(found: DatasetImage) -> DatasetImageState:
    return DatasetImageState(
        dataset_image_id=found.id,
        status=cast(ImageStatus, found.status),
        revision=found.revision,
        annotation_count=found.annotation_count,
        split=cast(Split | None, found.split),
    )


def current_state(found: DatasetImage, rows: Mapping[int, Row]) -> CurrentState:
    return CurrentState(
        revision=found.revision,
        status=cast(ImageStatus, found.status),
        annotation_count=found.annotation_count,
        items=[annotation_out(r, found.image_id) for r in rows.values()],
    )


def editor_image(image: Image) -> EditorImage:
    return EditorImage(
        id=image.id,
        filename=image.filename,
        width=image.width,
        height=image.height,
        file_url=file_url(image.id),
        thumbnail_url=thumbnail_url(image.id),
    )


# ---- writing -----------------------------------------------------------------------------------------


def stamped(values: Row, user_id: int | None, now: datetime) -> Row:
    """A new row's server-set columns on top of its values (which carry dataset_id and dataset_image_id)."""
    return {
        "review_edited": False,
        **values,
        "trained_model_id": None,
        "created_by": user_id,
        "created_at": now,
        "updated_at": now,
    }


def delete_rows(session: Session, ids: Iterable[int]) -> int:
    ids = list(ids)
    if not ids:
        return 0
    result = session.execute(delete(ANNOTATIONS).where(id_in(session, ANNOTATIONS.c.id, ids)))
    return int(cast("CursorResult[Any]", result).rowcount)


def touch_member(found: DatasetImage, count: int, *, mark_started: bool) -> None:
    """A write to the image's annotations: new revision, count, and 'new' becomes 'in_progress'."""
    found.revision += 1
    found.annotation_count = count
    if mark_started and found.status == "new":
        found.status = "in_progress"
    found.updated_at = utcnow()


def lock_members(session: Session, member_ids: Iterable[int]) -> dict[int, tuple[DatasetImage, Image]]:
    """Locks membership rows in id order (one order for every writer: no deadlocks) with their images."""
    ids = sorted(set(member_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(DatasetImage, Image)
        .join(Image, Image.id == DatasetImage.image_id)
        .where(DatasetImage.id.in_(ids))
        .order_by(DatasetImage.id)
        .with_for_update(of=DatasetImage)
    ).all()
    return {found.id: (found, image) for found, image in rows}


def recount(session: Session, member_ids: Iterable[int]) -> list[ImageRevision]:
    """Bumps the revision and recounts annotations of these memberships in one statement."""
    ids = sorted(set(member_ids))
    if not ids:
        return []
    members = MEMBERS
    count = select(func.count()).where(ANNOTATIONS.c.dataset_image_id == members.c.id).scalar_subquery()
    session.execute(
        update(members)
        .where(members.c.id.in_(ids))
        .values(revision=members.c.revision + 1, annotation_count=count, updated_at=utcnow())
    )
    rows = session.execute(
        select(members.c.image_id, members.c.revision, members.c.annotation_count)
        .where(members.c.id.in_(ids))
        .order_by(members.c.id)
    ).all()
    return [ImageRevision(image_id=r[0], revision=r[1], annotation_count=r[2]) for r in rows]

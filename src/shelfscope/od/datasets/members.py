"""Work on many images of a dataset at once: boxes for the grid's thumbnails, bulk status and split."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from shelfscope.od.annotations.models import Annotation
from shelfscope.od.classes.models import OdClass
from shelfscope.od.datasets.lookup import require_dataset
from shelfscope.od.datasets.models import DatasetImage
from shelfscope.od.datasets.schemas import THUMB_BOXES, BulkImagesOut, BulkImagesPatch, ThumbBox

ID_CHUNK = 5_000


def thumbnail_boxes(
    session: Session, sizes: dict[int, tuple[int, int]], per_image: int = THUMB_BOXES
) -> dict[int, list[ThumbBox]]:
    """Up to `per_image` boxes of each membership in `sizes` (membership id -> image width, height),
    in 0..1 coordinates with their class colour; one query for the whole page."""
    if not sizes:
        return {}
    rank = (
        func.row_number().over(partition_by=Annotation.dataset_image_id, order_by=Annotation.id).label("rank")
    )
    ranked = (
        select(
            Annotation.dataset_image_id,
            Annotation.x1,
            Annotation.y1,
            Annotation.x2,
            Annotation.y2,
            OdClass.color,
            rank,
        )
        .join(OdClass, OdClass.id == Annotation.class_id)
        .where(Annotation.dataset_image_id.in_(list(sizes)))
        .subquery()
    )
    rows = session.execute(
        select(ranked).where(ranked.c.rank <= per_image).order_by(ranked.c.dataset_image_id, ranked.c.rank)
    ).all()
    boxes: dict[int, list[ThumbBox]] = {member_id: [] for member_id in sizes}
    for member_id, x1, y1, x2, y2, color, _ in rows:
        width, height = sizes[member_id]
        if width <= 0 or height <= 0:
            continue
        boxes[member_id].append(
            ThumbBox(
                x=round(x1 / width, 4),
                y=round(y1 / height, 4),
                w=round((x2 - x1) / width, 4),
                h=round((y2 - y1) / height, 4),
                color=color,
            )
        )
    return boxes


def bulk_update(session: Session, dataset_id: int, body: BulkImagesPatch) -> BulkImagesOut:
    """Sets the status and/or split of the named images of the dataset in one transaction."""
    require_dataset(session, dataset_id)
    values: dict[str, Any] = {}
    if "status" in body.model_fields_set:
        values["status"] = body.status
    if "split" in body.model_fields_set:
        values["split"] = body.split
    ids = list(dict.fromkeys(body.image_ids))
    updated = 0
    for start in range(0, len(ids), ID_CHUNK):
        chunk: Sequence[int] = ids[start : start + ID_CHUNK]
        result = session.execute(
            update(DatasetImage)
            .where(DatasetImage.dataset_id == dataset_id, DatasetImage.image_id.in_(chunk))
            .values(**values),
            execution_options={"synchronize_session": False},
        )
        updated += int(cast("CursorResult[Any]", result).rowcount)
    session.commit()
    return BulkImagesOut(updated=updated, not_present=len(ids) - updated)

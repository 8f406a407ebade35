"""Which memberships a batch works on, in membership order, from where it left off (torch-free).

"unannotated" is read as it goes: an image someone annotates while the job runs is skipped when the
job reaches it. Boxes that do not count as annotated: AI proposals pending review, and rejected ones."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import Session

from shelfscope.db.dialect import id_in
from shelfscope.od.ai.schemas import AnnotatePayload
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.datasets.models import DatasetImage
from shelfscope.od.images.models import Image

# Review states of boxes a person made or kept: an image with one of them is annotated.
_HUMAN_STATES = ("none", "accepted")


@dataclass(frozen=True, slots=True)
class Work:
    """One image to run the model on: its membership, library id, stored file and upright size."""

    member_id: int
    image_id: int
    storage_key: str
    filename: str
    width: int
    height: int
    format: str


def _where(session: Session, payload: AnnotatePayload, after_member_id: int) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        DatasetImage.dataset_id == payload.dataset_id,
        DatasetImage.id > after_member_id,
    ]
    if payload.scope == "selected":
        conditions.append(id_in(session, DatasetImage.image_id, payload.image_ids))
    elif payload.scope == "unannotated":
        annotated = exists().where(
            and_(
                Annotation.dataset_image_id == DatasetImage.id,
                Annotation.review_state.in_(_HUMAN_STATES),
            )
        )
        conditions.append(~annotated)
    return conditions


def count_scope(session: Session, payload: AnnotatePayload, after_member_id: int = 0) -> int:
    stmt = select(func.count()).select_from(DatasetImage).where(*_where(session, payload, after_member_id))
    return int(session.scalar(stmt) or 0)


def scope_chunk(session: Session, payload: AnnotatePayload, after_member_id: int, limit: int) -> list[Work]:
    stmt = (
        select(
            DatasetImage.id,
            Image.id,
            Image.storage_key,
            Image.filename,
            Image.width,
            Image.height,
            Image.format,
        )
        .join(Image, Image.id == DatasetImage.image_id)
        .where(*_where(session, payload, after_member_id))
        .order_by(DatasetImage.id)
        .limit(limit)
    )
    return [Work(*row) for row in session.execute(stmt).all()]

"""Moving through a dataset in the editor: where an image sits, its neighbours, the next image to annotate.

Images are ordered by membership id (the order they joined the dataset). Previous/next are index
seeks on (dataset_id, status, id), one per status, so they cost the same at any dataset size; the
position and total are one pass over the dataset's index entries, answered in the same statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import ColumnElement, ScalarSelect, Select, func, select, union_all
from sqlalchemy.orm import Session

from shelfscope.od.annotations import store
from shelfscope.od.annotations.schemas import Neighbors, NextImage
from shelfscope.od.datasets.lookup import require_dataset
from shelfscope.od.vocabulary import IMAGE_STATUSES, OPEN_STATUSES, ImageStatus

_DI = store.MEMBERS


def _edge(
    dataset_id: int, statuses: Sequence[str], condition: ColumnElement[bool] | None, *, last: bool
) -> Select[int, str]:
    """The first (or last) member by id among `statuses`: (image_id, status), or no row."""
    order = _DI.c.id.desc() if last else _DI.c.id
    parts = []
    for status in statuses:
        stmt = select(_DI.c.id, _DI.c.image_id, _DI.c.status).where(
            _DI.c.dataset_id == dataset_id, _DI.c.status == status
        )
        if condition is not None:
            stmt = stmt.where(condition)
        parts.append(select(stmt.order_by(order).limit(1).subquery()))
    merged = union_all(*parts).subquery()
    return (
        select(merged.c.image_id, merged.c.status)
        .order_by(merged.c.id.desc() if last else merged.c.id)
        .limit(1)
    )


def _edge_image(
    dataset_id: int, statuses: Sequence[str], condition: ColumnElement[bool] | None, *, last: bool
) -> ScalarSelect[int]:
    edge = _edge(dataset_id, statuses, condition, last=last).subquery()
    return select(edge.c.image_id).scalar_subquery()


def neighbors(session: Session, dataset_id: int, image_id: int) -> Neighbors:
    """Where an image sits in its dataset; null neighbours at the ends."""
    here = session.scalar(select(_DI.c.id).where(_DI.c.dataset_id == dataset_id, _DI.c.image_id == image_id))
    if here is None:
        raise store.not_member(session, dataset_id, image_id)
    row = session.execute(
        select(
            func.count(),
            func.count().filter(_DI.c.id <= here),
            _edge_image(dataset_id, IMAGE_STATUSES, _DI.c.id < here, last=True),
            _edge_image(dataset_id, IMAGE_STATUSES, _DI.c.id > here, last=False),
            _edge_image(dataset_id, OPEN_STATUSES, _DI.c.id > here, last=False),
            # Past the last open image the search wraps to the start.
            _edge_image(dataset_id, OPEN_STATUSES, _DI.c.id < here, last=False),
        ).where(_DI.c.dataset_id == dataset_id)
    ).one()
    total, index, prev_id, next_id, open_after, open_before = row
    return Neighbors(
        image_id=image_id,
        index=index,
        total=total,
        prev_image_id=prev_id,
        next_image_id=next_id,
        next_unannotated_image_id=open_after if open_after is not None else open_before,
    )


def next_to_annotate(session: Session, dataset_id: int) -> NextImage:
    """The first image still new or in progress, with how many are left."""
    require_dataset(session, dataset_id)
    first = _edge(dataset_id, OPEN_STATUSES, None, last=False).subquery()
    total, remaining, image_id, status = session.execute(
        select(
            func.count(),
            func.count().filter(_DI.c.status.in_(OPEN_STATUSES)),
            select(first.c.image_id).scalar_subquery(),
            select(first.c.status).scalar_subquery(),
        ).where(_DI.c.dataset_id == dataset_id)
    ).one()
    return NextImage(
        image_id=image_id,
        status=cast(ImageStatus | None, status),
        remaining=remaining,
        total=total,
    )

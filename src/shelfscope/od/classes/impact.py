"""What deletes and merges touch: the annotations of some classes, counted per dataset, moved to
another class in one set-based UPDATE, and the revisions of their images bumped."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, Executable, Select, distinct, func, select, update
from sqlalchemy.orm import Session

from shelfscope.db.base import utcnow
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.classes.schemas import DatasetImpact
from shelfscope.od.datasets.models import Dataset, DatasetImage


def impact(session: Session, class_ids: Sequence[int]) -> tuple[int, int, list[DatasetImpact]]:
    """(annotations, images, per-dataset breakdown) of the annotations using these classes."""
    rows = session.execute(
        select(
            Annotation.dataset_id,
            Dataset.name,
            func.count(),
            func.count(distinct(Annotation.dataset_image_id)),
        )
        .join(Dataset, Dataset.id == Annotation.dataset_id)
        .where(Annotation.class_id.in_(class_ids))
        .group_by(Annotation.dataset_id, Dataset.name)
        .order_by(func.count().desc(), Annotation.dataset_id)
    ).all()
    datasets = [
        DatasetImpact(dataset_id=int(d), dataset_name=name, annotations=int(n), images=int(i))
        for d, name, n, i in rows
    ]
    # A dataset image belongs to one dataset, so per-dataset image counts add up.
    return sum(d.annotations for d in datasets), sum(d.images for d in datasets), datasets


def images_using(class_ids: Sequence[int]) -> Select[int]:
    return select(Annotation.dataset_image_id).where(Annotation.class_id.in_(class_ids))


def rowcount(session: Session, statement: Executable) -> int:
    """Rows a bulk UPDATE/DELETE/INSERT ... SELECT touched (ORM sync off: no objects are loaded)."""
    result = session.execute(statement, execution_options={"synchronize_session": False})
    return int(cast("CursorResult[Any]", result).rowcount)


def bump_revisions(session: Session, class_ids: Sequence[int]) -> int:
    """Open editors holding these images must reload: their annotations are about to change."""
    return rowcount(
        session,
        update(DatasetImage)
        .where(DatasetImage.id.in_(images_using(class_ids)))
        .values(revision=DatasetImage.revision + 1),
    )


def move_annotations(session: Session, source_ids: Sequence[int], target_id: int) -> int:
    return rowcount(
        session,
        update(Annotation)
        .where(Annotation.class_id.in_(source_ids))
        .values(class_id=target_id, updated_at=utcnow()),
    )

"""Loading classes by id (a missing one is a NotFound naming the field) and counting their annotations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shelfscope.errors import NotFound
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.classes.models import OdClass
from shelfscope.od.classes.schemas import ClassOut


def class_out(cls: OdClass, annotation_count: int) -> ClassOut:
    return ClassOut(
        id=cls.id,
        name=cls.name,
        display_name=cls.display_name,
        color=cls.color,
        category=cls.category,
        description=cls.description,
        aliases=list(cls.aliases),
        annotation_count=annotation_count,
        created_at=cls.created_at,
        updated_at=cls.updated_at,
    )


def load_class(session: Session, class_id: int, *, lock: bool = False, field: str = "id") -> OdClass:
    stmt = select(OdClass).where(OdClass.id == class_id)
    if lock:
        stmt = stmt.with_for_update()
    found = session.scalars(stmt).one_or_none()
    if found is None:
        raise NotFound(f"There is no class with id {class_id}.", field=field, missing_ids=[class_id])
    return found


def load_classes(session: Session, ids: Sequence[int], *, field: str, lock: bool = False) -> list[OdClass]:
    """The classes in the order of ids; one NotFound listing every missing id."""
    stmt = select(OdClass).where(OdClass.id.in_(ids)).order_by(OdClass.id)
    if lock:
        stmt = stmt.with_for_update()
    found = list(session.scalars(stmt))
    missing = sorted(set(ids) - {c.id for c in found})
    if missing:
        listed = ", ".join(str(i) for i in missing)
        raise NotFound(f"{field}: no class with id {listed}.", field=field, missing_ids=missing)
    by_id = {c.id: c for c in found}
    return [by_id[i] for i in ids]


def annotation_counts(session: Session, class_ids: Iterable[int]) -> dict[int, int]:
    ids = list(class_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Annotation.class_id, func.count())
        .where(Annotation.class_id.in_(ids))
        .group_by(Annotation.class_id)
    )
    counts = {int(class_id): int(n) for class_id, n in rows}
    return {i: counts.get(i, 0) for i in ids}

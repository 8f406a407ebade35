"""Deleting a class: refused while annotations use it, unless they are deleted with it or moved to
another class; audited with what it took."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from shelfscope.errors import Conflict, ValidationFailed
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.classes.history import record_change, snapshot
from shelfscope.od.classes.impact import bump_revisions, images_using, impact, move_annotations, rowcount
from shelfscope.od.classes.lookup import annotation_counts, load_class
from shelfscope.od.classes.models import OdClass
from shelfscope.od.classes.schemas import DeletePreview, DeleteResult
from shelfscope.od.datasets.label_set import hand_over
from shelfscope.od.datasets.models import DatasetImage


def delete_preview(session: Session, class_id: int) -> DeletePreview:
    cls = load_class(session, class_id)
    annotations, images, datasets = impact(session, [cls.id])
    return DeletePreview(id=cls.id, name=cls.name, annotations=annotations, images=images, datasets=datasets)


def _delete_annotations(session: Session, cls: OdClass) -> tuple[int, int]:
    """(annotations deleted, images touched); each image's annotation_count is recomputed from what
    stays, so it is right afterwards."""
    remaining = (
        select(func.count())
        .select_from(Annotation)
        .where(Annotation.dataset_image_id == DatasetImage.id, Annotation.class_id != cls.id)
        .scalar_subquery()
    )
    images = rowcount(
        session,
        update(DatasetImage)
        .where(DatasetImage.id.in_(images_using([cls.id])))
        .values(annotation_count=remaining, revision=DatasetImage.revision + 1),
    )
    deleted = rowcount(session, delete(Annotation).where(Annotation.class_id == cls.id))
    return deleted, images


def delete_class(
    session: Session,
    class_id: int,
    *,
    annotations: Literal["delete"] | None,
    reassign_to: int | None,
    user_id: int | None,
) -> DeleteResult:
    """Refuse while annotations use the class, unless told to delete them or move them elsewhere."""
    if annotations is not None and reassign_to is not None:
        raise ValidationFailed.field("reassign_to", "cannot be combined with annotations=delete; choose one")
    if reassign_to is not None and reassign_to == class_id:
        raise ValidationFailed.field("reassign_to", "must be another class than the one being deleted")
    cls = load_class(session, class_id, lock=True)
    target = (
        load_class(session, reassign_to, lock=True, field="reassign_to") if reassign_to is not None else None
    )
    count = annotation_counts(session, [cls.id])[cls.id]
    deleted = reassigned = images = 0
    if count and annotations is None and target is None:
        n, images, datasets = impact(session, [cls.id])
        raise Conflict(
            f"'{cls.name}' is used by {n} annotations on {images} images; delete them with "
            "?annotations=delete or move them to another class with ?reassign_to=<class id>.",
            annotations=n,
            images=images,
            datasets=[d.model_dump() for d in datasets],
        )
    if target is not None:
        hand_over(session, [cls.id], target.id)
    if count and target is not None:
        images = bump_revisions(session, [cls.id])
        reassigned = move_annotations(session, [cls.id], target.id)
    elif count:
        deleted, images = _delete_annotations(session, cls)
    after: dict[str, Any] = {"annotations_deleted": deleted, "images": images}
    if target is not None:
        after = {
            "reassigned_to": target.id,
            "reassigned_to_name": target.name,
            "annotations_reassigned": reassigned,
            "images": images,
        }
    record_change(
        session,
        class_id=None,
        class_name=cls.name,
        action="delete",
        before={**snapshot(cls), "annotation_count": count},
        after=after,
        user_id=user_id,
    )
    session.execute(delete(OdClass).where(OdClass.id == cls.id).execution_options(synchronize_session=False))
    session.commit()
    return DeleteResult(
        id=cls.id,
        name=cls.name,
        annotations_deleted=deleted,
        annotations_reassigned=reassigned,
        reassigned_to=target.id if target is not None else None,
        images=images,
    )

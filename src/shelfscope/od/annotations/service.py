"""Annotation logic: an image's annotations for the editor, single creates, updates and deletes, and
an image's workflow status. The editor's save (editor.py), bulk writes (bulk.py) and navigation
(navigation.py) sit beside this; what every write checks is in checks.py, the row bookkeeping in
store.py, the geometry rules in od.geometry.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from shelfscope.db.base import utcnow
from shelfscope.errors import NotFound
from shelfscope.od.annotations import store
from shelfscope.od.annotations.checks import (
    Problems,
    Row,
    check_classes,
    clean,
    create_values,
    merge_patch,
    unchanged,
)
from shelfscope.od.annotations.schemas import (
    AnnotationCreate,
    AnnotationDeleted,
    AnnotationPatch,
    AnnotationWritten,
    DatasetImageState,
    ImageAnnotations,
)
from shelfscope.od.datasets.models import DatasetImage
from shelfscope.od.images.models import Image
from shelfscope.od.vocabulary import ImageStatus

_T = store.ANNOTATIONS


def get_image_annotations(session: Session, dataset_id: int, image_id: int) -> ImageAnnotations:
    """Everything the editor needs to open an image: the image, its membership state and its annotations."""
    member, image = store.member(session, dataset_id, image_id)
    rows = store.rows_of(session, member.id)
    return ImageAnnotations(
        dataset_id=dataset_id,
        image=store.editor_image(image),
        dataset_image=store.state(member),
        items=[store.annotation_out(r, image.id) for r in rows.values()],
    )


def create_annotation(
    session: Session, dataset_id: int, image_id: int, body: AnnotationCreate, user_id: int | None
) -> AnnotationWritten:
    member, image = store.member(session, dataset_id, image_id, lock=True)
    problems = Problems()
    cleaned = clean("", create_values(body.model_dump()), image, problems)
    if cleaned is not None:
        check_classes(session, {cleaned["class_id"]: ["class_id"]}, problems)
    problems.raise_if_any()
    assert cleaned is not None
    row = store.stamped(
        {**cleaned, "dataset_id": dataset_id, "dataset_image_id": member.id}, user_id, utcnow()
    )
    (row["id"],) = store.WRITER.insert(session, [row])
    store.touch_member(member, store.count_of(session, member.id), mark_started=True)
    session.commit()
    return AnnotationWritten(
        annotation=store.annotation_out(row, image.id), dataset_image=store.state(member)
    )


def _no_annotation(annotation_id: int) -> NotFound:
    return NotFound(f"There is no annotation with id {annotation_id}.", annotation_id=annotation_id)


def _load_one(session: Session, annotation_id: int) -> tuple[Row, DatasetImage, Image]:
    """The annotation, with its membership row locked and its image, or NotFound."""
    found = session.execute(
        select(_T.c.dataset_image_id).where(_T.c.id == annotation_id)
    ).scalar_one_or_none()
    if found is None:
        raise _no_annotation(annotation_id)
    member, image = session.execute(
        select(DatasetImage, Image)
        .join(Image, Image.id == DatasetImage.image_id)
        .where(DatasetImage.id == found)
        .with_for_update(of=DatasetImage)
    ).one()
    # Read again under the lock: a concurrent delete may have won.
    row = session.execute(select(_T).where(_T.c.id == annotation_id)).mappings().one_or_none()
    if row is None:
        raise _no_annotation(annotation_id)
    return dict(row), member, image


def update_annotation(session: Session, annotation_id: int, body: AnnotationPatch) -> AnnotationWritten:
    existing, member, image = _load_one(session, annotation_id)
    problems = Problems()
    cleaned = clean("", merge_patch(existing, body), image, problems)
    if cleaned is not None and cleaned["class_id"] != existing["class_id"]:
        check_classes(session, {cleaned["class_id"]: ["class_id"]}, problems)
    problems.raise_if_any()
    assert cleaned is not None
    if unchanged(cleaned, existing):
        return AnnotationWritten(
            annotation=store.annotation_out(existing, image.id), dataset_image=store.state(member)
        )
    row = {**existing, **cleaned, "updated_at": utcnow()}
    store.WRITER.update(session, [row])
    store.touch_member(member, member.annotation_count, mark_started=True)
    session.commit()
    return AnnotationWritten(
        annotation=store.annotation_out(row, image.id), dataset_image=store.state(member)
    )


def delete_annotation(session: Session, annotation_id: int) -> AnnotationDeleted:
    _, member, _ = _load_one(session, annotation_id)
    store.delete_rows(session, [annotation_id])
    store.touch_member(member, store.count_of(session, member.id), mark_started=False)
    session.commit()
    return AnnotationDeleted(deleted_id=annotation_id, dataset_image=store.state(member))


def set_status(session: Session, dataset_id: int, image_id: int, status: ImageStatus) -> DatasetImageState:
    """Sets the image's workflow status and recounts its annotations (the count heals here if it drifted)."""
    member, _ = store.member(session, dataset_id, image_id, lock=True)
    member.annotation_count = store.count_of(session, member.id)
    if member.status != status:
        member.status = status
        member.updated_at = utcnow()
    session.commit()
    return store.state(member)

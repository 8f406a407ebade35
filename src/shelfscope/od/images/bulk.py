"""Bulk actions on library images named by ids or by a filter: tag, untag, set the folder, delete."""

from __future__ import annotations

from sqlalchemy import ColumnElement, String, delete, exists, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from shelfscope.db.base import utcnow
from shelfscope.errors import ValidationFailed
from shelfscope.od.images.listing import image_filter_conditions
from shelfscope.od.images.models import Image, ImageTag
from shelfscope.od.images.schemas import BulkIn, BulkOut
from shelfscope.od.images.service import annotated_in, frozen_in_versions, remove_objects
from shelfscope.storage import Storage

# Bulk deletes work through the matches in batches of this many ids, committing each batch.
_DELETE_BATCH = 500


def _bulk_target(body: BulkIn) -> list[ColumnElement[bool]]:
    if body.ids is not None:
        return [Image.id.in_(body.ids)]
    if body.filter is None:
        raise ValidationFailed.field("ids", "give the image ids, or a filter")
    if body.action == "delete" and body.filter.is_empty():
        raise ValidationFailed.field(
            "filter", "an empty filter matches the whole library; name at least one filter to delete by"
        )
    return image_filter_conditions(body.filter)


def _count(session: Session, *where: ColumnElement[bool]) -> int:
    return int(session.scalar(select(func.count()).select_from(Image).where(*where)) or 0)


def bulk_action(session: Session, storage: Storage, body: BulkIn) -> BulkOut:
    """Tag, untag, set the folder of, or delete every image named by ids or matching a filter.

    Tags and folders change in one set-based statement each (no per-image round trips); deletes go in
    batches of ids, each batch committed, so a huge delete neither holds one long transaction nor
    loads every row. Repeating a bulk request is harmless: it changes only what still differs.
    """
    target = _bulk_target(body)
    matched = _count(session, *target)
    if body.action in ("tag", "untag") and not body.tags:
        raise ValidationFailed.field("tags", f"name at least one tag to {body.action}")
    if body.action == "tag":
        missing = or_(*(~exists().where(ImageTag.image_id == Image.id, ImageTag.tag == t) for t in body.tags))
        changed = _count(session, *target, missing)
        for tag in body.tags:
            lacking = select(Image.id, literal(tag, String())).where(
                *target, ~exists().where(ImageTag.image_id == Image.id, ImageTag.tag == tag)
            )
            session.execute(insert(ImageTag).from_select(["image_id", "tag"], lacking))
        session.commit()
        return BulkOut(action="tag", matched=matched, changed=changed)
    if body.action == "untag":
        having = exists().where(ImageTag.image_id == Image.id, ImageTag.tag.in_(body.tags))
        changed = _count(session, *target, having)
        ids = select(Image.id).where(*target).scalar_subquery()
        session.execute(delete(ImageTag).where(ImageTag.tag.in_(body.tags), ImageTag.image_id.in_(ids)))
        session.commit()
        return BulkOut(action="untag", matched=matched, changed=changed)
    if body.action == "set_folder":
        result = session.execute(
            update(Image)
            .where(*target, Image.folder.is_distinct_from(body.folder))
            .values(folder=body.folder, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        session.commit()
        return BulkOut(action="set_folder", matched=matched, changed=int(getattr(result, "rowcount", 0) or 0))
    return _bulk_delete(session, storage, target, matched, force=body.force)


def _bulk_delete(
    session: Session, storage: Storage, target: list[ColumnElement[bool]], matched: int, *, force: bool
) -> BulkOut:
    deleted = 0
    skipped: dict[str, int] = {}
    last_id = 0
    while True:
        batch = session.execute(
            select(Image.id, Image.storage_key, Image.thumbnail_key)
            .where(*target, Image.id > last_id)
            .order_by(Image.id)
            .limit(_DELETE_BATCH)
        ).all()
        if not batch:
            break
        last_id = batch[-1].id
        ids = [row.id for row in batch]
        frozen = set(frozen_in_versions(session, ids))
        annotated = set() if force else set(annotated_in(session, ids)) - frozen
        doomed = [row for row in batch if row.id not in frozen and row.id not in annotated]
        if frozen:
            skipped["in_dataset_version"] = skipped.get("in_dataset_version", 0) + len(frozen)
        if annotated:
            skipped["annotated"] = skipped.get("annotated", 0) + len(annotated)
        if doomed:
            session.execute(delete(Image).where(Image.id.in_([row.id for row in doomed])))
        session.commit()
        deleted += len(doomed)
        remove_objects(storage, (k for row in doomed for k in (row.storage_key, row.thumbnail_key)))
    return BulkOut(
        action="delete",
        matched=matched,
        changed=deleted,
        skipped=sum(skipped.values()),
        skipped_reasons=skipped,
    )

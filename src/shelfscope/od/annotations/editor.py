"""The editor's save: one image's created, updated and deleted annotations applied together in one
transaction, guarded by the image's revision, or nothing at all."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy.orm import Session

from shelfscope.db.base import utcnow
from shelfscope.errors import Conflict
from shelfscope.od.annotations import store
from shelfscope.od.annotations.checks import (
    Problems,
    Row,
    check_classes,
    clean,
    create_values,
    merge_patch,
    unchanged,
    with_review_edit,
)
from shelfscope.od.annotations.schemas import SaveIn, SaveOut
from shelfscope.od.datasets.models import DatasetImage
from shelfscope.od.images.models import Image
from shelfscope.od.vocabulary import ImageStatus


@dataclass
class _Changes:
    """A save's lists as checked: what to delete (id -> index), update and create."""

    deleted: dict[int, int] = field(default_factory=dict)
    updates: list[Row] = field(default_factory=list)
    creates: list[Row] = field(default_factory=list)
    client_ids: list[str] = field(default_factory=list)
    class_refs: dict[int, list[str]] = field(default_factory=dict)

    def any(self) -> bool:
        return bool(self.deleted or self.updates or self.creates)


def _refuse_if_stale(image_id: int, body: SaveIn, member: DatasetImage, existing: Mapping[int, Row]) -> None:
    if body.base_revision != member.revision:
        raise Conflict(
            f"Image {image_id} was changed by someone else (your revision {body.base_revision}, "
            f"now {member.revision}); nothing was saved. Reload or merge with `current`.",
            base_revision=body.base_revision,
            current=store.current_state(member, existing).model_dump(mode="json"),
        )


def _check_deleted(body: SaveIn, existing: Mapping[int, Row], changes: _Changes, problems: Problems) -> None:
    for i, ann_id in enumerate(body.deleted):
        if ann_id not in existing:
            problems.add(f"deleted[{i}]", f"annotation {ann_id} is not on this image")
        changes.deleted.setdefault(ann_id, i)


def _check_updated(
    body: SaveIn, existing: Mapping[int, Row], image: Image, changes: _Changes, problems: Problems
) -> None:
    seen: dict[int, int] = {}
    for i, patch in enumerate(body.updated):
        prefix = f"updated[{i}]"
        if patch.id not in existing:
            problems.add(f"{prefix}.id", f"annotation {patch.id} is not on this image")
            continue
        if patch.id in seen:
            problems.add(
                f"{prefix}.id", f"annotation {patch.id} is also updated at updated[{seen[patch.id]}]"
            )
            continue
        seen[patch.id] = i
        if patch.id in changes.deleted:
            problems.add(
                f"{prefix}.id",
                f"annotation {patch.id} is also deleted at deleted[{changes.deleted[patch.id]}]",
            )
            continue
        stored = existing[patch.id]
        cleaned = clean(prefix, merge_patch(stored, patch), image, problems)
        if cleaned is None:
            continue
        if "class_id" in patch.model_fields_set and cleaned["class_id"] != stored["class_id"]:
            changes.class_refs.setdefault(cleaned["class_id"], []).append(f"{prefix}.class_id")
        if not unchanged(cleaned, stored):
            changes.updates.append({**stored, **with_review_edit(stored, cleaned)})


def _check_created(body: SaveIn, image: Image, changes: _Changes, problems: Problems) -> None:
    seen: dict[str, int] = {}
    for i, item in enumerate(body.created):
        prefix = f"created[{i}]"
        if item.client_id in seen:
            problems.add(
                f"{prefix}.client_id", f"{item.client_id!r} is also used at created[{seen[item.client_id]}]"
            )
            continue
        seen[item.client_id] = i
        cleaned = clean(prefix, create_values(item.model_dump()), image, problems)
        if cleaned is None:
            continue
        changes.class_refs.setdefault(cleaned["class_id"], []).append(f"{prefix}.class_id")
        changes.creates.append(cleaned)
        changes.client_ids.append(item.client_id)


def _apply(
    session: Session,
    member: DatasetImage,
    existing: Mapping[int, Row],
    changes: _Changes,
    user_id: int | None,
) -> tuple[dict[int, Row], list[int]]:
    """Writes the changes; the image's annotations afterwards by id, and the new ids in create order."""
    now = utcnow()
    store.delete_rows(session, changes.deleted)
    for row in changes.updates:
        row["updated_at"] = now
    store.WRITER.update(session, changes.updates)
    where = {"dataset_id": member.dataset_id, "dataset_image_id": member.id}
    new_rows = [store.stamped({**values, **where}, user_id, now) for values in changes.creates]
    new_ids = store.WRITER.insert(session, new_rows)
    final = {k: v for k, v in existing.items() if k not in changes.deleted}
    for row in changes.updates:
        final[row["id"]] = row
    for new_id, row in zip(new_ids, new_rows, strict=True):
        row["id"] = new_id
        final[new_id] = row
    return final, new_ids


def save_image_annotations(
    session: Session, dataset_id: int, image_id: int, body: SaveIn, user_id: int | None
) -> SaveOut:
    """Applies the editor's created/updated/deleted lists in one transaction, guarded by the revision."""
    member, image = store.member(session, dataset_id, image_id, lock=True)
    existing = store.rows_of(session, member.id)
    _refuse_if_stale(image_id, body, member, existing)
    problems = Problems()
    changes = _Changes()
    _check_deleted(body, existing, changes, problems)
    _check_updated(body, existing, image, changes, problems)
    _check_created(body, image, changes, problems)
    check_classes(session, changes.class_refs, problems)
    problems.raise_if_any()

    final: dict[int, Row] = dict(existing)
    new_ids: list[int] = []
    if changes.any():
        final, new_ids = _apply(session, member, existing, changes, user_id)
        store.touch_member(member, len(final), mark_started=True)
        session.commit()
    return SaveOut(
        revision=member.revision,
        status=cast(ImageStatus, member.status),
        annotation_count=member.annotation_count,
        id_map=dict(zip(changes.client_ids, new_ids, strict=True)),
        items=[store.annotation_out(final[k], image.id) for k in sorted(final)]
        if body.return_items
        else None,
    )

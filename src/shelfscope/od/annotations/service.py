"""Annotation logic: the editor's load and all-or-nothing save, single and bulk writes, status, navigation.

Geometry rules live in `od.geometry` (`check_box` / `check_polygon`), shared with every writer of boxes.

Every write to an image's annotations bumps that image's revision (optimistic concurrency for the
editor) and keeps `annotation_count` equal to its rows. Writers lock the membership row first
(SQLite: the write transaction is BEGIN IMMEDIATE; PostgreSQL: SELECT ... FOR UPDATE), check, then
write with set-based statements, so a rejected request changes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    ScalarSelect,
    Select,
    Table,
    delete,
    func,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from shelfscope.auth.models import User
from shelfscope.db.base import utcnow
from shelfscope.db.dialect import BulkWriter, id_in, is_postgres
from shelfscope.errors import Conflict, NotFound, ValidationFailed
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.annotations.schemas import (
    AnnotationCreate,
    AnnotationDeleted,
    AnnotationOut,
    AnnotationPatch,
    AnnotationWritten,
    BulkDeleteIn,
    BulkDeleteOut,
    BulkIn,
    BulkItemResult,
    BulkOut,
    CurrentState,
    DatasetImageState,
    EditorImage,
    ImageAnnotations,
    ImageRevision,
    Neighbors,
    NextImage,
    SaveIn,
    SaveOut,
)
from shelfscope.od.classes.models import OdClass
from shelfscope.od.datasets.lookup import dataset_not_found, require_dataset
from shelfscope.od.datasets.models import Dataset, DatasetImage
from shelfscope.od.geometry import GeometryError, check_box, check_polygon
from shelfscope.od.images.models import Image
from shelfscope.od.vocabulary import (
    ANNOTATION_SOURCES,
    IMAGE_STATUSES,
    OPEN_STATUSES,
    AnnotationSource,
    ImageStatus,
    Split,
)

IMAGES_API = "/api/v1/od/images"
# A rejected request lists at most this many problems.
MAX_PROBLEMS = 100

_T = cast(Table, Annotation.__table__)
_DI = cast(Table, DatasetImage.__table__)
# The columns a client writes; the rest are set by the server.
_WRITABLE = (
    "class_id",
    "kind",
    "x1",
    "y1",
    "x2",
    "y2",
    "points",
    "source",
    "confidence",
    "review_state",
    "model",
    "attributes",
)
_NOT_NULL = ("class_id", "kind", "source", "review_state")
_CREATE_DEFAULTS: dict[str, Any] = {"kind": "bbox", "source": "manual", "review_state": "none"}

Row = dict[str, Any]


# --- problems: every failed check of a request, named by field ------------------------------------


def _name(prefix: str, field: str) -> str:
    return f"{prefix}.{field}" if prefix else field


class _Problems:
    def __init__(self) -> None:
        self.fields: list[dict[str, str]] = []
        self.total = 0

    def add(self, field: str, message: str) -> None:
        self.total += 1
        if len(self.fields) < MAX_PROBLEMS:
            self.fields.append({"field": field, "message": message})

    def raise_if_any(self) -> None:
        if not self.total:
            return
        first = self.fields[0]
        more = f" (and {self.total - 1} more)" if self.total > 1 else ""
        raise ValidationFailed(
            f"{first['field']}: {first['message']}{more}. Nothing was changed.",
            field=first["field"],
            fields=self.fields,
            problem_count=self.total,
        )


def _clean(prefix: str, values: Row, image: Image, problems: _Problems) -> Row | None:
    """Checks one annotation's writable values against the image; the values as stored, or None."""
    ok = True
    for field in _NOT_NULL:
        if values.get(field) is None:
            problems.add(_name(prefix, field), "must not be null")
            ok = False
    confidence = values.get("confidence")
    if confidence is not None and not (math.isfinite(confidence) and 0.0 <= confidence <= 1.0):
        problems.add(_name(prefix, "confidence"), "must be between 0 and 1")
        ok = False
    out = dict(values)
    try:
        if values.get("kind") == "polygon":
            points, box = check_polygon(values.get("points"), image.width, image.height)
            out["points"] = points
        else:
            if values.get("points") is not None:
                raise GeometryError("points", "only a polygon has points; send null for a box")
            box = check_box(
                values.get("x1"),
                values.get("y1"),
                values.get("x2"),
                values.get("y2"),
                image.width,
                image.height,
            )
            out["points"] = None
        out.update(x1=box.x1, y1=box.y1, x2=box.x2, y2=box.y2)
    except GeometryError as exc:
        problems.add(_name(prefix, exc.field), exc.message)
        ok = False
    return out if ok else None


def _merge_patch(existing: Row, patch: AnnotationPatch) -> Row:
    """The stored values with the patch's given fields on top; turning a polygon into a box drops points."""
    merged = {k: existing[k] for k in _WRITABLE}
    given = patch.model_dump(include=set(_WRITABLE) & patch.model_fields_set)
    merged.update(given)
    if merged["kind"] == "bbox" and "points" not in given:
        merged["points"] = None
    return merged


def _create_values(fields: Mapping[str, Any]) -> Row:
    return {k: fields.get(k) for k in _WRITABLE}


def _check_classes(session: Session, wanted: Mapping[int, list[str]], problems: _Problems) -> None:
    """Every class id named must exist; locked FOR KEY SHARE on PostgreSQL so it cannot vanish mid-save."""
    if not wanted:
        return
    found = set(
        session.scalars(
            select(OdClass.id).where(OdClass.id.in_(list(wanted))).with_for_update(read=True, key_share=True)
        )
    )
    for class_id, fields in wanted.items():
        if class_id not in found:
            for field in fields:
                problems.add(field, f"no class with id {class_id}")


def _unchanged(cleaned: Row, existing: Row) -> bool:
    return all(cleaned[k] == existing[k] for k in _WRITABLE)


# --- reading -----------------------------------------------------------------------------------------


def _member(
    session: Session, dataset_id: int, image_id: int, *, lock: bool = False
) -> tuple[DatasetImage, Image]:
    stmt = (
        select(DatasetImage, Image)
        .join(Image, Image.id == DatasetImage.image_id)
        .where(DatasetImage.dataset_id == dataset_id, DatasetImage.image_id == image_id)
    )
    if lock:
        stmt = stmt.with_for_update(of=DatasetImage)
    row = session.execute(stmt).one_or_none()
    if row is None:
        raise _not_member(session, dataset_id, image_id)
    member, image = row
    return member, image


def _not_member(session: Session, dataset_id: int, image_id: int) -> NotFound:
    """Says which is missing: the dataset, or the image in it (another dataset's image is not here)."""
    if session.get(Dataset, dataset_id) is None:
        return dataset_not_found(dataset_id)
    return NotFound(
        f"Image {image_id} is not in dataset {dataset_id}.", dataset_id=dataset_id, image_id=image_id
    )


def _rows(session: Session, dataset_image_id: int) -> dict[int, Row]:
    result = session.execute(select(_T).where(_T.c.dataset_image_id == dataset_image_id).order_by(_T.c.id))
    return {row["id"]: dict(row) for row in result.mappings()}


def _out(row: Row, image_id: int) -> AnnotationOut:
    return AnnotationOut(image_id=image_id, **row)


def _state(member: DatasetImage) -> DatasetImageState:
    return DatasetImageState(
        dataset_image_id=member.id,
        status=cast(ImageStatus, member.status),
        revision=member.revision,
        annotation_count=member.annotation_count,
        split=cast(Split | None, member.split),
    )


def _editor_image(image: Image) -> EditorImage:
    return EditorImage(
        id=image.id,
        filename=image.filename,
        width=image.width,
        height=image.height,
        file_url=f"{IMAGES_API}/{image.id}/file",
        thumbnail_url=f"{IMAGES_API}/{image.id}/thumbnail",
    )


def get_image_annotations(session: Session, dataset_id: int, image_id: int) -> ImageAnnotations:
    member, image = _member(session, dataset_id, image_id)
    rows = _rows(session, member.id)
    return ImageAnnotations(
        dataset_id=dataset_id,
        image=_editor_image(image),
        dataset_image=_state(member),
        items=[_out(r, image.id) for r in rows.values()],
    )


def _current_state(member: DatasetImage, rows: Mapping[int, Row]) -> CurrentState:
    return CurrentState(
        revision=member.revision,
        status=cast(ImageStatus, member.status),
        annotation_count=member.annotation_count,
        items=[_out(r, member.image_id) for r in rows.values()],
    )


# --- set-based writes ---------------------------------------------------------------------------------

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
    "model": "text",
    "trained_model_id": "bigint",
    "attributes": "jsonb",
    "created_by": "bigint",
    "created_at": "timestamptz",
    "updated_at": "timestamptz",
}
_WRITER = BulkWriter(_T, _PG_TYPES, (*_WRITABLE, "updated_at"), json_columns=("points", "attributes"))


def _delete(session: Session, ids: Iterable[int]) -> int:
    ids = list(ids)
    if not ids:
        return 0
    result = cast("CursorResult[Any]", session.execute(delete(_T).where(id_in(session, _T.c.id, ids))))
    return int(result.rowcount)


def _touch_member(member: DatasetImage, count: int, *, mark_started: bool) -> None:
    """A write to the image's annotations: new revision, count, and 'new' becomes 'in_progress'."""
    member.revision += 1
    member.annotation_count = count
    if mark_started and member.status == "new":
        member.status = "in_progress"
    member.updated_at = utcnow()


# --- the editor save -----------------------------------------------------------------------------------


def save_image_annotations(
    session: Session, dataset_id: int, image_id: int, body: SaveIn, user_id: int | None
) -> SaveOut:
    """Applies the editor's created/updated/deleted lists in one transaction, guarded by the revision."""
    member, image = _member(session, dataset_id, image_id, lock=True)
    existing = _rows(session, member.id)
    if body.base_revision != member.revision:
        raise Conflict(
            f"Image {image_id} was changed by someone else (your revision {body.base_revision}, "
            f"now {member.revision}); nothing was saved. Reload or merge with `current`.",
            base_revision=body.base_revision,
            current=_current_state(member, existing).model_dump(mode="json"),
        )

    problems = _Problems()
    class_refs: dict[int, list[str]] = {}

    deleted: dict[int, int] = {}
    for i, ann_id in enumerate(body.deleted):
        if ann_id not in existing:
            problems.add(f"deleted[{i}]", f"annotation {ann_id} is not on this image")
        deleted.setdefault(ann_id, i)

    updates: list[Row] = []
    seen_updates: dict[int, int] = {}
    for i, patch in enumerate(body.updated):
        prefix = f"updated[{i}]"
        if patch.id not in existing:
            problems.add(f"{prefix}.id", f"annotation {patch.id} is not on this image")
            continue
        if patch.id in seen_updates:
            problems.add(
                f"{prefix}.id", f"annotation {patch.id} is also updated at updated[{seen_updates[patch.id]}]"
            )
            continue
        seen_updates[patch.id] = i
        if patch.id in deleted:
            problems.add(
                f"{prefix}.id", f"annotation {patch.id} is also deleted at deleted[{deleted[patch.id]}]"
            )
            continue
        cleaned = _clean(prefix, _merge_patch(existing[patch.id], patch), image, problems)
        if cleaned is None:
            continue
        if "class_id" in patch.model_fields_set and cleaned["class_id"] != existing[patch.id]["class_id"]:
            class_refs.setdefault(cleaned["class_id"], []).append(f"{prefix}.class_id")
        if not _unchanged(cleaned, existing[patch.id]):
            updates.append({**existing[patch.id], **cleaned})

    creates: list[Row] = []
    client_ids: list[str] = []
    seen_clients: dict[str, int] = {}
    for i, item in enumerate(body.created):
        prefix = f"created[{i}]"
        if item.client_id in seen_clients:
            problems.add(
                f"{prefix}.client_id",
                f"{item.client_id!r} is also used at created[{seen_clients[item.client_id]}]",
            )
            continue
        seen_clients[item.client_id] = i
        cleaned = _clean(prefix, _create_values(item.model_dump()), image, problems)
        if cleaned is None:
            continue
        class_refs.setdefault(cleaned["class_id"], []).append(f"{prefix}.class_id")
        creates.append(cleaned)
        client_ids.append(item.client_id)

    _check_classes(session, class_refs, problems)
    problems.raise_if_any()

    if not (deleted or updates or creates):
        return SaveOut(
            revision=member.revision,
            status=cast(ImageStatus, member.status),
            annotation_count=member.annotation_count,
            id_map={},
            items=[_out(r, image.id) for r in existing.values()] if body.return_items else None,
        )

    now = utcnow()
    _delete(session, deleted)
    for row in updates:
        row["updated_at"] = now
    _WRITER.update(session, updates)
    new_rows = [
        {
            **values,
            "dataset_id": dataset_id,
            "dataset_image_id": member.id,
            "trained_model_id": None,
            "created_by": user_id,
            "created_at": now,
            "updated_at": now,
        }
        for values in creates
    ]
    new_ids = _WRITER.insert(session, new_rows)

    final = {k: v for k, v in existing.items() if k not in deleted}
    for row in updates:
        final[row["id"]] = row
    for new_id, row in zip(new_ids, new_rows, strict=True):
        row["id"] = new_id
        final[new_id] = row
    _touch_member(member, len(final), mark_started=True)
    session.commit()
    return SaveOut(
        revision=member.revision,
        status=cast(ImageStatus, member.status),
        annotation_count=member.annotation_count,
        id_map=dict(zip(client_ids, new_ids, strict=True)),
        items=[_out(final[k], image.id) for k in sorted(final)] if body.return_items else None,
    )


# --- single annotations ------------------------------------------------------------------------------


def create_annotation(
    session: Session, dataset_id: int, image_id: int, body: AnnotationCreate, user_id: int | None
) -> AnnotationWritten:
    member, image = _member(session, dataset_id, image_id, lock=True)
    problems = _Problems()
    cleaned = _clean("", _create_values(body.model_dump()), image, problems)
    if cleaned is not None:
        _check_classes(session, {cleaned["class_id"]: ["class_id"]}, problems)
    problems.raise_if_any()
    assert cleaned is not None
    now = utcnow()
    row = {
        **cleaned,
        "dataset_id": dataset_id,
        "dataset_image_id": member.id,
        "trained_model_id": None,
        "created_by": user_id,
        "created_at": now,
        "updated_at": now,
    }
    (row["id"],) = _WRITER.insert(session, [row])
    count = session.scalar(select(func.count()).where(_T.c.dataset_image_id == member.id)) or 0
    _touch_member(member, count, mark_started=True)
    session.commit()
    return AnnotationWritten(annotation=_out(row, image.id), dataset_image=_state(member))


def _load_one(session: Session, annotation_id: int) -> tuple[Row, DatasetImage, Image]:
    """The annotation, with its membership row locked and its image, or NotFound."""
    found = session.execute(
        select(_T.c.dataset_image_id).where(_T.c.id == annotation_id)
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"There is no annotation with id {annotation_id}.", annotation_id=annotation_id)
    member, image = session.execute(
        select(DatasetImage, Image)
        .join(Image, Image.id == DatasetImage.image_id)
        .where(DatasetImage.id == found)
        .with_for_update(of=DatasetImage)
    ).one()
    # Read again under the lock: a concurrent delete may have won.
    row = session.execute(select(_T).where(_T.c.id == annotation_id)).mappings().one_or_none()
    if row is None:
        raise NotFound(f"There is no annotation with id {annotation_id}.", annotation_id=annotation_id)
    return dict(row), member, image


def update_annotation(session: Session, annotation_id: int, body: AnnotationPatch) -> AnnotationWritten:
    existing, member, image = _load_one(session, annotation_id)
    problems = _Problems()
    cleaned = _clean("", _merge_patch(existing, body), image, problems)
    if cleaned is not None and cleaned["class_id"] != existing["class_id"]:
        _check_classes(session, {cleaned["class_id"]: ["class_id"]}, problems)
    problems.raise_if_any()
    assert cleaned is not None
    if _unchanged(cleaned, existing):
        return AnnotationWritten(annotation=_out(existing, image.id), dataset_image=_state(member))
    row = {**existing, **cleaned, "updated_at": utcnow()}
    _WRITER.update(session, [row])
    _touch_member(member, member.annotation_count, mark_started=True)
    session.commit()
    return AnnotationWritten(annotation=_out(row, image.id), dataset_image=_state(member))


def delete_annotation(session: Session, annotation_id: int) -> AnnotationDeleted:
    _, member, _ = _load_one(session, annotation_id)
    _delete(session, [annotation_id])
    count = session.scalar(select(func.count()).where(_T.c.dataset_image_id == member.id)) or 0
    _touch_member(member, count, mark_started=False)
    session.commit()
    return AnnotationDeleted(deleted_id=annotation_id, dataset_image=_state(member))


# --- bulk -------------------------------------------------------------------------------------------


def _lock_members(session: Session, member_ids: Iterable[int]) -> dict[int, tuple[DatasetImage, Image]]:
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
    return {member.id: (member, image) for member, image in rows}


def _recount(session: Session, member_ids: Iterable[int]) -> list[ImageRevision]:
    """Bumps the revision and recounts annotations of these memberships in one statement."""
    ids = sorted(set(member_ids))
    if not ids:
        return []
    count = select(func.count()).where(_T.c.dataset_image_id == _DI.c.id).scalar_subquery()
    session.execute(
        update(_DI)
        .where(_DI.c.id.in_(ids))
        .values(revision=_DI.c.revision + 1, annotation_count=count, updated_at=utcnow())
    )
    rows = session.execute(
        select(_DI.c.image_id, _DI.c.revision, _DI.c.annotation_count)
        .where(_DI.c.id.in_(ids))
        .order_by(_DI.c.id)
    ).all()
    return [ImageRevision(image_id=r[0], revision=r[1], annotation_count=r[2]) for r in rows]


def _geometry_key(values: Mapping[str, Any]) -> tuple[Any, ...]:
    points = values.get("points")
    return (
        values["class_id"],
        values["kind"],
        values["x1"],
        values["y1"],
        values["x2"],
        values["y2"],
        tuple(tuple(p) for p in points) if points else None,
    )


def bulk_write(session: Session, body: BulkIn, user_id: int | None) -> BulkOut:
    """Creates (no id) and updates (id) across images of one dataset, all or nothing."""
    dataset_id = body.dataset_id
    require_dataset(session, dataset_id)
    problems = _Problems()

    update_ids = [item.id for item in body.items if item.id is not None]
    update_members: list[int] = []
    if update_ids:
        update_members = list(
            session.scalars(
                select(_T.c.dataset_image_id)
                .where(id_in(session, _T.c.id, update_ids), _T.c.dataset_id == dataset_id)
                .distinct()
            )
        )
    create_image_ids = {item.image_id for item in body.items if item.id is None and item.image_id is not None}
    by_image: dict[int, int] = {}
    if create_image_ids:
        by_image = {
            image_id: member_id
            for member_id, image_id in session.execute(
                select(DatasetImage.id, DatasetImage.image_id).where(
                    DatasetImage.dataset_id == dataset_id, DatasetImage.image_id.in_(create_image_ids)
                )
            )
        }
    members = _lock_members(session, [*by_image.values(), *update_members])
    # Read under the locks: a concurrent save of these images has either finished or not started.
    stored: dict[int, Row] = {}
    if update_ids:
        result = session.execute(
            select(_T).where(id_in(session, _T.c.id, update_ids), _T.c.dataset_id == dataset_id)
        )
        stored = {row["id"]: dict(row) for row in result.mappings()}
    # Existing annotations of images receiving creates, to find exact repeats (a retried request).
    existing_keys: dict[tuple[int, tuple[Any, ...]], int] = {}
    if by_image:
        result = session.execute(select(_T).where(_T.c.dataset_image_id.in_(list(by_image.values()))))
        for found in result.mappings():
            existing_keys.setdefault((found["dataset_image_id"], _geometry_key(dict(found))), found["id"])

    class_refs: dict[int, list[str]] = {}
    seen_updates: dict[int, int] = {}
    updates: list[tuple[int, Row]] = []
    unchanged: list[tuple[int, int]] = []
    creates: list[tuple[int, Row]] = []
    repeats: list[tuple[int, int]] = []
    pending_keys: dict[tuple[int, tuple[Any, ...]], int] = {}
    for i, item in enumerate(body.items):
        prefix = f"items[{i}]"
        if item.id is not None:
            row = stored.get(item.id)
            if row is None or row["dataset_image_id"] not in members:
                problems.add(f"{prefix}.id", f"no annotation {item.id} in dataset {dataset_id}")
                continue
            if item.id in seen_updates:
                problems.add(
                    f"{prefix}.id", f"annotation {item.id} is also updated at items[{seen_updates[item.id]}]"
                )
                continue
            seen_updates[item.id] = i
            member, image = members[row["dataset_image_id"]]
            if item.image_id is not None and item.image_id != image.id:
                problems.add(
                    f"{prefix}.image_id",
                    f"annotation {item.id} is on image {image.id}; it cannot move to another image",
                )
                continue
            cleaned = _clean(prefix, _merge_patch(row, item), image, problems)
            if cleaned is None:
                continue
            if cleaned["class_id"] != row["class_id"]:
                class_refs.setdefault(cleaned["class_id"], []).append(f"{prefix}.class_id")
            if _unchanged(cleaned, row):
                unchanged.append((i, item.id))
            else:
                updates.append((i, {**row, **cleaned}))
            continue
        if item.image_id is None:
            problems.add(
                f"{prefix}.image_id", "is required to create an annotation (or give id to update one)"
            )
            continue
        if item.image_id not in by_image:
            problems.add(f"{prefix}.image_id", f"image {item.image_id} is not in dataset {dataset_id}")
            continue
        member, image = members[by_image[item.image_id]]
        given = item.model_dump(include=item.model_fields_set & set(_WRITABLE))
        cleaned = _clean(prefix, _create_values({**_CREATE_DEFAULTS, **given}), image, problems)
        if cleaned is None:
            continue
        class_refs.setdefault(cleaned["class_id"], []).append(f"{prefix}.class_id")
        key = (member.id, _geometry_key(cleaned))
        if key in existing_keys:
            repeats.append((i, existing_keys[key]))
        elif key in pending_keys:
            repeats.append((i, -pending_keys[key] - 1))
        else:
            pending_keys[key] = i
            creates.append((i, {**cleaned, "dataset_id": dataset_id, "dataset_image_id": member.id}))

    _check_classes(session, class_refs, problems)
    problems.raise_if_any()

    now = utcnow()
    for _, row in updates:
        row["updated_at"] = now
    _WRITER.update(session, [row for _, row in updates])
    new_rows = [
        {**row, "trained_model_id": None, "created_by": user_id, "created_at": now, "updated_at": now}
        for _, row in creates
    ]
    new_ids = _WRITER.insert(session, new_rows)
    id_of_index = {i: new_id for (i, _), new_id in zip(creates, new_ids, strict=True)}
    touched = [row["dataset_image_id"] for _, row in updates] + [row["dataset_image_id"] for row in new_rows]
    images = _recount(session, touched)
    session.commit()

    results = [BulkItemResult(index=i, id=row["id"], status="updated") for i, row in updates]
    results += [BulkItemResult(index=i, id=ann_id, status="unchanged") for i, ann_id in unchanged]
    results += [BulkItemResult(index=i, id=id_of_index[i], status="created") for i, _ in creates]
    # A repeat inside this request points at the index that created it (encoded as -index-1).
    results += [
        BulkItemResult(index=i, id=ann_id if ann_id >= 0 else id_of_index[-ann_id - 1], status="exists")
        for i, ann_id in repeats
    ]
    results.sort(key=lambda r: r.index)
    return BulkOut(
        created=len(creates), updated=len(updates), unchanged=len(unchanged), results=results, images=images
    )


def bulk_delete(session: Session, body: BulkDeleteIn) -> BulkDeleteOut:
    """Deletes the annotations named; ids already gone are reported, not refused, so retries succeed."""
    wanted = list(dict.fromkeys(body.ids))
    found = session.execute(
        select(_T.c.id, _T.c.dataset_image_id).where(id_in(session, _T.c.id, wanted))
    ).all()
    member_ids = {member_id for _, member_id in found}
    _lock_members(session, member_ids)
    ids = [ann_id for ann_id, _ in found]
    deleted = _delete(session, ids)
    images = _recount(session, member_ids)
    session.commit()
    present = set(ids)
    return BulkDeleteOut(deleted=deleted, not_found=[i for i in wanted if i not in present], images=images)


# --- status -----------------------------------------------------------------------------------------


def set_status(session: Session, dataset_id: int, image_id: int, status: ImageStatus) -> DatasetImageState:
    """Sets the image's workflow status and recounts its annotations (the count heals here if it drifted)."""
    member, _ = _member(session, dataset_id, image_id, lock=True)
    member.annotation_count = (
        session.scalar(select(func.count()).where(_T.c.dataset_image_id == member.id)) or 0
    )
    if member.status != status:
        member.status = status
        member.updated_at = utcnow()
    session.commit()
    return _state(member)


# --- navigation -------------------------------------------------------------------------------------
# Images are ordered by membership id (the order they joined the dataset). Previous/next are index
# seeks on (dataset_id, status, id), one per status, so they cost the same at any dataset size; the
# position and total are one pass over the dataset's index entries, answered in the same statement.


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
        raise _not_member(session, dataset_id, image_id)
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


# ---- many new annotations at once (imports, AI predictions) -----------------------------------------

# What varies per annotation; the rest (dataset, source, review state, author, time) is one value
# for the whole write.
INSERT_MANY_COLUMNS = ("dataset_image_id", "class_id", "kind", "x1", "y1", "x2", "y2", "points", "attributes")
_ALL_INSERT_MANY_COLUMNS = ", ".join(
    ("dataset_id", *INSERT_MANY_COLUMNS, "source", "review_state", "created_by", "created_at", "updated_at")
)


@dataclass(frozen=True)
class SharedValues:
    """The columns every annotation of one bulk write has in common, and the classes it uses."""

    dataset_id: int
    user_id: int | None
    at: datetime
    class_ids: tuple[int, ...] = ()
    # "import" now, "ai" for predictions.
    source: AnnotationSource = "import"


def _skip_row_checks_on_postgresql(session: Session, shared: SharedValues) -> bool:
    """Foreign keys are checked by a trigger per row on PostgreSQL, which takes half of a
    million-row COPY. When the role may set `session_replication_role` (a superuser, or PostgreSQL 15+
    with GRANT SET ON PARAMETER), the writer takes the same guarantees once per referenced row instead
    (the caller holds the dataset row locked; the memberships are its transaction's own or locked by
    it; the classes and the user are share-locked here, so nothing they reference can be deleted before
    the commit) and turns the per-row triggers off for its COPY. Otherwise the triggers run as usual."""
    conn = session.connection()
    try:
        with conn.begin_nested():
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
    except DBAPIError:
        return False
    if shared.class_ids:
        session.execute(
            select(OdClass.id).where(OdClass.id.in_(shared.class_ids)).with_for_update(key_share=True)
        )
    if shared.user_id is not None:
        session.execute(select(User.id).where(User.id == shared.user_id).with_for_update(key_share=True))
    return True


def _copy_many(session: Session, batches: Iterable[Sequence[tuple[Any, ...]]], shared: SharedValues) -> int:
    conn = session.connection()
    raw = conn.connection.driver_connection
    assert raw is not None
    head = (shared.dataset_id,)
    tail = (shared.source, "none", shared.user_id, shared.at, shared.at)
    fast = _skip_row_checks_on_postgresql(session, shared)
    total = 0
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY od_annotations ({_ALL_INSERT_MANY_COLUMNS}) FROM STDIN") as copy,
    ):
        write = copy.write_row
        for batch in batches:
            for row in batch:
                write(head + row + tail)
            total += len(batch)
    if fast:
        conn.exec_driver_sql("SET LOCAL session_replication_role = origin")
    return total


def _execute_many_sqlite(
    session: Session, batches: Iterable[Sequence[tuple[Any, ...]]], shared: SharedValues
) -> int:
    conn = session.connection()
    # The literals are integers, a timestamp formatted here (as SQLAlchemy stores it) and a source
    # checked against the fixed list: nothing given by a user reaches the statement.
    at = shared.at.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    user = "NULL" if shared.user_id is None else str(int(shared.user_id))
    shared_tail = f"'{shared.source}', 'none', {user}, '{at}', '{at}'"
    values = f"{int(shared.dataset_id)}, ?, ?, ?, ?, ?, ?, ?, ?, ?, {shared_tail}"
    sql = f"INSERT INTO od_annotations ({_ALL_INSERT_MANY_COLUMNS}) VALUES ({values})"  # noqa: S608 (see above)
    # Every row was checked before (boxes ordered and inside the image, kind/source/review state
    # constants), and SQLite's evaluation of the table's CHECK constraints costs about 40% of a
    # million-row insert; so they are skipped for these statements only (foreign keys still apply).
    conn.exec_driver_sql("PRAGMA ignore_check_constraints = ON")
    total = 0
    try:
        for batch in batches:
            conn.exec_driver_sql(sql, batch)
            total += len(batch)
    finally:
        conn.exec_driver_sql("PRAGMA ignore_check_constraints = OFF")
    return total


def insert_many(session: Session, batches: Iterable[Sequence[tuple[Any, ...]]], shared: SharedValues) -> int:
    """Write checked annotations in bulk, without ORM objects; returns how many. Each row holds the
    INSERT_MANY_COLUMNS in order (points and attributes as JSON text or None), already checked against
    its image (geometry, kind) by the caller; `shared` gives the rest. PostgreSQL: one COPY; SQLite: one
    executemany per batch with the shared values written into the statement (half the parameters to
    bind). Memberships' annotation counts are the caller's (datasets.service.add_members); does not
    commit."""
    if shared.source not in ANNOTATION_SOURCES:
        raise ValueError(f"source must be one of {', '.join(ANNOTATION_SOURCES)}, not {shared.source!r}")
    if is_postgres(session):
        return _copy_many(session, batches, shared)
    return _execute_many_sqlite(session, batches, shared)

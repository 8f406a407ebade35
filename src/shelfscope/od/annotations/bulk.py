"""Bulk writes across the images of one dataset: creates (no id) and updates (id) all or nothing, and
deletes by id that report ids already gone instead of refusing them, so a retried request succeeds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shelfscope.db.base import utcnow
from shelfscope.db.dialect import id_in
from shelfscope.od.annotations import store
from shelfscope.od.annotations.checks import (
    CREATE_DEFAULTS,
    WRITABLE,
    Problems,
    Row,
    check_classes,
    clean,
    create_values,
    geometry_key,
    merge_patch,
    unchanged,
    with_review_edit,
)
from shelfscope.od.annotations.schemas import (
    BulkDeleteIn,
    BulkDeleteOut,
    BulkIn,
    BulkItem,
    BulkItemResult,
    BulkOut,
)
from shelfscope.od.datasets.lookup import require_dataset
from shelfscope.od.datasets.models import DatasetImage
from shelfscope.od.images.models import Image

_T = store.ANNOTATIONS
GeometryKey = tuple[int, tuple[Any, ...]]


@dataclass
class _Targets:
    """What a bulk request touches, read under the membership locks."""

    dataset_id: int
    members: dict[int, tuple[DatasetImage, Image]]
    # Library image id -> membership id, for the images receiving creates.
    by_image: dict[int, int]
    # Annotations named by the updates.
    stored: dict[int, Row]
    # Existing annotations of images receiving creates, to find exact repeats (a retried request).
    existing_keys: dict[GeometryKey, int]


@dataclass
class _Plan:
    updates: list[tuple[int, Row]] = field(default_factory=list)
    unchanged: list[tuple[int, int]] = field(default_factory=list)
    creates: list[tuple[int, Row]] = field(default_factory=list)
    # (index, annotation id); a repeat of a create in this request is encoded as -index-1.
    repeats: list[tuple[int, int]] = field(default_factory=list)
    class_refs: dict[int, list[str]] = field(default_factory=dict)
    seen_updates: dict[int, int] = field(default_factory=dict)
    pending_keys: dict[GeometryKey, int] = field(default_factory=dict)


def _targets(session: Session, body: BulkIn) -> _Targets:
    dataset_id = body.dataset_id
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
        rows = session.execute(
            select(DatasetImage.image_id, DatasetImage.id).where(
                DatasetImage.dataset_id == dataset_id, DatasetImage.image_id.in_(create_image_ids)
            )
        )
        by_image = {image_id: member_id for image_id, member_id in rows}
    members = store.lock_members(session, [*by_image.values(), *update_members])
    # Read under the locks: a concurrent save of these images has either finished or not started.
    stored: dict[int, Row] = {}
    if update_ids:
        result = session.execute(
            select(_T).where(id_in(session, _T.c.id, update_ids), _T.c.dataset_id == dataset_id)
        )
        stored = {row["id"]: dict(row) for row in result.mappings()}
    existing_keys: dict[GeometryKey, int] = {}
    if by_image:
        result = session.execute(select(_T).where(_T.c.dataset_image_id.in_(list(by_image.values()))))
        for found in result.mappings():
            existing_keys.setdefault((found["dataset_image_id"], geometry_key(dict(found))), found["id"])
    return _Targets(dataset_id, members, by_image, stored, existing_keys)


def _plan_update(i: int, item: BulkItem, targets: _Targets, plan: _Plan, problems: Problems) -> None:
    assert item.id is not None
    prefix = f"items[{i}]"
    row = targets.stored.get(item.id)
    if row is None or row["dataset_image_id"] not in targets.members:
        problems.add(f"{prefix}.id", f"no annotation {item.id} in dataset {targets.dataset_id}")
        return
    if item.id in plan.seen_updates:
        problems.add(
            f"{prefix}.id", f"annotation {item.id} is also updated at items[{plan.seen_updates[item.id]}]"
        )
        return
    plan.seen_updates[item.id] = i
    _, image = targets.members[row["dataset_image_id"]]
    if item.image_id is not None and item.image_id != image.id:
        problems.add(
            f"{prefix}.image_id",
            f"annotation {item.id} is on image {image.id}; it cannot move to another image",
        )
        return
    cleaned = clean(prefix, merge_patch(row, item), image, problems)
    if cleaned is None:
        return
    if cleaned["class_id"] != row["class_id"]:
        plan.class_refs.setdefault(cleaned["class_id"], []).append(f"{prefix}.class_id")
    if unchanged(cleaned, row):
        plan.unchanged.append((i, item.id))
    else:
        plan.updates.append((i, {**row, **with_review_edit(row, cleaned)}))


def _plan_create(i: int, item: BulkItem, targets: _Targets, plan: _Plan, problems: Problems) -> None:
    prefix = f"items[{i}]"
    if item.image_id is None:
        problems.add(f"{prefix}.image_id", "is required to create an annotation (or give id to update one)")
        return
    if item.image_id not in targets.by_image:
        problems.add(f"{prefix}.image_id", f"image {item.image_id} is not in dataset {targets.dataset_id}")
        return
    member, image = targets.members[targets.by_image[item.image_id]]
    given = item.model_dump(include=item.model_fields_set & set(WRITABLE))
    cleaned = clean(prefix, create_values({**CREATE_DEFAULTS, **given}), image, problems)
    if cleaned is None:
        return
    plan.class_refs.setdefault(cleaned["class_id"], []).append(f"{prefix}.class_id")
    key = (member.id, geometry_key(cleaned))
    if key in targets.existing_keys:
        plan.repeats.append((i, targets.existing_keys[key]))
    elif key in plan.pending_keys:
        plan.repeats.append((i, -plan.pending_keys[key] - 1))
    else:
        plan.pending_keys[key] = i
        plan.creates.append((i, {**cleaned, "dataset_id": targets.dataset_id, "dataset_image_id": member.id}))


def _results(plan: _Plan, id_of_index: dict[int, int]) -> list[BulkItemResult]:
    results = [BulkItemResult(index=i, id=row["id"], status="updated") for i, row in plan.updates]
    results += [BulkItemResult(index=i, id=ann_id, status="unchanged") for i, ann_id in plan.unchanged]
    results += [BulkItemResult(index=i, id=id_of_index[i], status="created") for i, _ in plan.creates]
    # A repeat inside this request points at the index that created it (encoded as -index-1).
    results += [
        BulkItemResult(index=i, id=ann_id if ann_id >= 0 else id_of_index[-ann_id - 1], status="exists")
        for i, ann_id in plan.repeats
    ]
    results.sort(key=lambda r: r.index)
    return results


def bulk_write(session: Session, body: BulkIn, user_id: int | None) -> BulkOut:
    """Creates (no id) and updates (id) across images of one dataset, all or nothing."""
    require_dataset(session, body.dataset_id)
    targets = _targets(session, body)
    problems = Problems()
    plan = _Plan()
    for i, item in enumerate(body.items):
        if item.id is not None:
            _plan_update(i, item, targets, plan, problems)
        else:
            _plan_create(i, item, targets, plan, problems)
    check_classes(session, plan.class_refs, problems)
    problems.raise_if_any()

    now = utcnow()
    for _, row in plan.updates:
        row["updated_at"] = now
    store.WRITER.update(session, [row for _, row in plan.updates])
    new_rows = [store.stamped(row, user_id, now) for _, row in plan.creates]
    new_ids = store.WRITER.insert(session, new_rows)
    id_of_index = {i: new_id for (i, _), new_id in zip(plan.creates, new_ids, strict=True)}
    touched = [row["dataset_image_id"] for _, row in plan.updates] + [
        row["dataset_image_id"] for row in new_rows
    ]
    images = store.recount(session, touched)
    session.commit()
    return BulkOut(
        created=len(plan.creates),
        updated=len(plan.updates),
        unchanged=len(plan.unchanged),
        results=_results(plan, id_of_index),
        images=images,
    )


def bulk_delete(session: Session, body: BulkDeleteIn) -> BulkDeleteOut:
    """Deletes the annotations named; ids already gone are reported, not refused, so retries succeed."""
    wanted = list(dict.fromkeys(body.ids))
    found = session.execute(
        select(_T.c.id, _T.c.dataset_image_id).where(id_in(session, _T.c.id, wanted))
    ).all()
    member_ids = {member_id for _, member_id in found}
    store.lock_members(session, member_ids)
    ids = [ann_id for ann_id, _ in found]
    deleted = store.delete_rows(session, ids)
    images = store.recount(session, member_ids)
    session.commit()
    present = set(ids)
    return BulkDeleteOut(deleted=deleted, not_found=[i for i in wanted if i not in present], images=images)

"""Dataset logic: datasets, their membership of library images, per-image status, and statistics.

Adding images is set-based (INSERT ... SELECT that skips images already present), so adding a
50,000-image library filter is one statement. Removing a dataset or a membership never touches
the library: rows in od_images and their files stay.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Executable,
    ScalarSelect,
    Select,
    bindparam,
    delete,
    distinct,
    exists,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Session

from shelfscope.db.base import UTCDateTime, utcnow
from shelfscope.db.dialect import contains_ignore_case, insert_ignore, like_escape
from shelfscope.errors import Conflict, NotFound, ValidationFailed
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.classes.models import OdClass
from shelfscope.od.datasets.lookup import dataset_not_found, require_dataset
from shelfscope.od.datasets.members import thumbnail_boxes
from shelfscope.od.datasets.models import Dataset, DatasetImage
from shelfscope.od.datasets.schemas import (
    AddImagesIn,
    AddImagesOut,
    ChartPoint,
    ClassCount,
    DatasetCreate,
    DatasetImageOut,
    DatasetImagePatch,
    DatasetOut,
    DatasetStats,
    DatasetUpdate,
    ImageInfo,
    RemoveImagesOut,
    SplitCounts,
    StatusCounts,
)
from shelfscope.od.images.listing import image_filter_query
from shelfscope.od.images.models import Image
from shelfscope.od.images.schemas import file_url, thumbnail_url
from shelfscope.od.training.models import TrainingRun
from shelfscope.od.versions.models import DatasetVersion
from shelfscope.od.vocabulary import IMAGE_STATUSES, Split
from shelfscope.pagination import Page, check_limit, decode_cursor, encode_cursor, newest_first_after

# Ids per IN (...) list: well under SQLite's 32,766 bound parameters and PostgreSQL's 65,535.
ID_CHUNK = 5_000


def _chunks(ids: Sequence[int], size: int = ID_CHUNK) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _rowcount(session: Session, statement: Executable) -> int:
    """Rows a bulk statement touched (ORM sync off: no objects are loaded)."""
    result = session.execute(statement, execution_options={"synchronize_session": False})
    return int(cast("CursorResult[Any]", result).rowcount)


# --- datasets ------------------------------------------------------------------------------------


def _status_count(status: str) -> ScalarSelect[int]:
    # A correlated count per status: an index range scan of (dataset_id, status, id) for the
    # datasets on the page only, instead of aggregating every membership in the database.
    return (
        select(func.count())
        .select_from(DatasetImage)
        .where(DatasetImage.dataset_id == Dataset.id, DatasetImage.status == status)
        .correlate(Dataset)
        .scalar_subquery()
    )


def _datasets_with_counts() -> Select[Dataset, int, int, int, int, int]:
    annotations = (
        select(func.count())
        .select_from(Annotation)
        .where(Annotation.dataset_id == Dataset.id)
        .correlate(Dataset)
        .scalar_subquery()
    )
    return select(
        Dataset,
        _status_count("new"),
        _status_count("in_progress"),
        _status_count("completed"),
        _status_count("skipped"),
        annotations,
    )


def _dataset_out(row: Sequence[Any]) -> DatasetOut:
    dataset: Dataset = row[0]
    counts = StatusCounts(**{s: int(n or 0) for s, n in zip(IMAGE_STATUSES, row[1:5], strict=True)})
    return DatasetOut(
        id=dataset.id,
        name=dataset.name,
        description=dataset.description,
        annotation_type=dataset.annotation_type,
        created_by=dataset.created_by,
        created_at=dataset.created_at,
        updated_at=dataset.updated_at,
        image_count=counts.total,
        annotation_count=int(row[5] or 0),
        status_counts=counts,
        progress=counts.progress,
    )


def get_dataset(session: Session, dataset_id: int) -> DatasetOut:
    row = session.execute(_datasets_with_counts().where(Dataset.id == dataset_id)).one_or_none()
    if row is None:
        raise dataset_not_found(dataset_id)
    return _dataset_out(row)


def list_datasets(
    session: Session, *, q: str | None = None, limit: int = 50, cursor: str | None = None
) -> Page[DatasetOut]:
    """Newest first, each with image counts by status, annotation count and progress (one query)."""
    check_limit(limit)
    where: list[ColumnElement[bool]] = []
    if q and q.strip():
        escaped = like_escape(q.strip().lower())
        where.append(func.lower(Dataset.name).like(f"%{escaped}%", escape="\\"))
    stmt = (
        _datasets_with_counts()
        .where(*where)
        .order_by(Dataset.created_at.desc(), Dataset.id.desc())
        .limit(limit + 1)
    )
    if cursor:
        stmt = stmt.where(newest_first_after(cursor, Dataset.created_at, Dataset.id))
    rows = session.execute(stmt).all()
    total = session.scalar(select(func.count()).select_from(Dataset).where(*where)) or 0
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit and page:
        last: Dataset = page[-1][0]
        next_cursor = encode_cursor([last.created_at.isoformat(), last.id])
    return Page(items=[_dataset_out(r) for r in page], next_cursor=next_cursor, total=total)


def create_dataset(session: Session, body: DatasetCreate, user_id: int | None) -> DatasetOut:
    dataset = Dataset(
        name=body.name,
        description=body.description,
        annotation_type=body.annotation_type,
        created_by=user_id,
    )
    session.add(dataset)
    session.commit()
    return get_dataset(session, dataset.id)


def update_dataset(session: Session, dataset_id: int, body: DatasetUpdate) -> DatasetOut:
    dataset = require_dataset(session, dataset_id, lock=True)
    for field in ("name", "description", "annotation_type"):
        if field in body.model_fields_set:
            setattr(dataset, field, getattr(body, field))
    session.commit()
    return get_dataset(session, dataset_id)


def delete_dataset(session: Session, dataset_id: int) -> None:
    """Deletes the dataset, its memberships, annotations and versions; the library images stay.

    Refused while a training run was trained on one of its versions (runs must stay reproducible).
    """
    dataset = require_dataset(session, dataset_id, lock=True)
    runs = session.scalar(
        select(func.count())
        .select_from(TrainingRun)
        .join(DatasetVersion, DatasetVersion.id == TrainingRun.dataset_version_id)
        .where(DatasetVersion.dataset_id == dataset.id)
    )
    if runs:
        raise Conflict(
            f"Dataset '{dataset.name}' has versions used by {runs} training runs; delete those runs first.",
            training_runs=int(runs),
        )
    session.execute(
        delete(Dataset).where(Dataset.id == dataset.id).execution_options(synchronize_session=False)
    )
    session.commit()


# --- membership ----------------------------------------------------------------------------------


def _insert_members(session: Session, dataset_id: int, image_ids: Select[int]) -> int:
    """INSERT ... SELECT of the given image ids not already in the dataset; returns rows added."""
    src = image_ids.subquery("src")
    now = utcnow()
    rows = (
        select(
            literal(dataset_id),
            src.c.id,
            literal("new"),
            literal(0),
            literal(0),
            literal(now, UTCDateTime()),
            literal(now, UTCDateTime()),
        )
        .where(~exists().where(DatasetImage.dataset_id == dataset_id, DatasetImage.image_id == src.c.id))
        .order_by(src.c.id)
    )
    columns = ["dataset_id", "image_id", "status", "annotation_count", "revision", "created_at", "updated_at"]
    # ON CONFLICT DO NOTHING: a concurrent add of the same image is skipped, not an error.
    stmt = insert_ignore(session, DatasetImage).from_select(columns, rows)
    # preserve_rowcount: without it the driver's rowcount is only kept for UPDATE and DELETE.
    result = session.connection().execute(stmt, execution_options={"preserve_rowcount": True})
    return int(result.rowcount)


def add_images(session: Session, dataset_id: int, body: AddImagesIn) -> AddImagesOut:
    """Add library images by id (all must exist, else nothing is added) or by library filter."""
    if (body.image_ids is None) == (body.filter is None):
        raise ValidationFailed.field("image_ids", "give either image_ids or filter (exactly one of them)")
    dataset = require_dataset(session, dataset_id, lock=True)
    if body.image_ids is not None:
        ids = list(dict.fromkeys(body.image_ids))
        missing: list[int] = []
        for chunk in _chunks(ids):
            found = set(session.scalars(select(Image.id).where(Image.id.in_(chunk))))
            missing.extend(i for i in chunk if i not in found)
        if missing:
            shown = ", ".join(str(i) for i in missing[:20]) + (" ..." if len(missing) > 20 else "")
            raise NotFound(
                f"image_ids: no library image with id {shown}; nothing was added.",
                field="image_ids",
                missing_ids=missing[:1000],
                missing_count=len(missing),
            )
        added = sum(
            _insert_members(session, dataset.id, select(Image.id).where(Image.id.in_(chunk)))
            for chunk in _chunks(ids)
        )
        matched = len(ids)
    else:
        assert body.filter is not None
        source = image_filter_query(body.filter)
        matched = session.scalar(select(func.count()).select_from(source.subquery())) or 0
        added = _insert_members(session, dataset.id, source)
    if added:
        dataset.updated_at = utcnow()
    session.commit()
    return AddImagesOut(added=added, already_present=matched - added)


def _remove(session: Session, dataset_id: int, image_ids: Sequence[int]) -> tuple[int, int]:
    """(memberships removed, annotations removed with them) for these library image ids."""
    removed = annotations = 0
    for chunk in _chunks(image_ids):
        members = select(DatasetImage.id).where(
            DatasetImage.dataset_id == dataset_id, DatasetImage.image_id.in_(chunk)
        )
        annotations += (
            session.scalar(
                select(func.count()).select_from(Annotation).where(Annotation.dataset_image_id.in_(members))
            )
            or 0
        )
        removed += _rowcount(
            session,
            delete(DatasetImage).where(
                DatasetImage.dataset_id == dataset_id, DatasetImage.image_id.in_(chunk)
            ),
        )
    return removed, annotations


def remove_image(session: Session, dataset_id: int, image_id: int) -> None:
    dataset = require_dataset(session, dataset_id, lock=True)
    removed, _ = _remove(session, dataset.id, [image_id])
    if not removed:
        session.rollback()
        raise NotFound(f"Image {image_id} is not in dataset {dataset_id}.", image_id=image_id)
    dataset.updated_at = utcnow()
    session.commit()


def remove_images(session: Session, dataset_id: int, image_ids: Sequence[int]) -> RemoveImagesOut:
    dataset = require_dataset(session, dataset_id, lock=True)
    ids = list(dict.fromkeys(image_ids))
    removed, annotations = _remove(session, dataset.id, ids)
    if removed:
        dataset.updated_at = utcnow()
    session.commit()
    return RemoveImagesOut(removed=removed, not_present=len(ids) - removed, annotations_removed=annotations)


def _image_out(member: DatasetImage, image: Image) -> DatasetImageOut:
    return DatasetImageOut(
        id=member.id,
        dataset_id=member.dataset_id,
        image_id=member.image_id,
        image=ImageInfo(
            id=image.id,
            filename=image.filename,
            width=image.width,
            height=image.height,
            format=image.format,
            size_bytes=image.size_bytes,
            folder=image.folder,
            file_url=file_url(image.id),
            thumbnail_url=thumbnail_url(image.id),
        ),
        status=member.status,
        split=member.split,
        annotation_count=member.annotation_count,
        revision=member.revision,
        assigned_to=member.assigned_to,
        added_at=member.created_at,
        updated_at=member.updated_at,
    )


def list_images(
    session: Session,
    dataset_id: int,
    *,
    statuses: Sequence[str] = (),
    split: str | None = None,
    q: str | None = None,
    with_boxes: bool = False,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[DatasetImageOut]:
    """The dataset's images in the order they were added; filter by status(es), split
    ('none' for images in no split) and a filename fragment; `with_boxes` adds each image's first
    boxes for its thumbnail."""
    check_limit(limit)
    require_dataset(session, dataset_id)
    where: list[ColumnElement[bool]] = [DatasetImage.dataset_id == dataset_id]
    if q:
        where.append(contains_ignore_case(Image.filename, q))
    if statuses:
        where.append(DatasetImage.status.in_(list(dict.fromkeys(statuses))))
    if split == "none":
        where.append(DatasetImage.split.is_(None))
    elif split is not None:
        where.append(DatasetImage.split == split)
    stmt = (
        select(DatasetImage, Image)
        .join(Image, Image.id == DatasetImage.image_id)
        .where(*where)
        .order_by(DatasetImage.id)
        .limit(limit + 1)
    )
    if cursor:
        (after_id,) = decode_cursor(cursor, 1)
        try:
            stmt = stmt.where(DatasetImage.id > int(after_id))
        except (TypeError, ValueError):
            raise ValidationFailed.field("cursor", "is not a cursor this list returned") from None
    rows = session.execute(stmt).all()
    count = select(func.count()).select_from(DatasetImage)
    if q:
        count = count.join(Image, Image.id == DatasetImage.image_id)
    total = session.scalar(count.where(*where)) or 0
    page = rows[:limit]
    next_cursor = encode_cursor([page[-1][0].id]) if len(rows) > limit and page else None
    items = [_image_out(m, i) for m, i in page]
    if with_boxes:
        boxes = thumbnail_boxes(session, {m.id: (i.width, i.height) for m, i in page})
        for item in items:
            item.boxes = boxes.get(item.id, [])
    return Page(items=items, next_cursor=next_cursor, total=total)


def update_image(
    session: Session, dataset_id: int, image_id: int, body: DatasetImagePatch
) -> DatasetImageOut:
    row = session.execute(
        select(DatasetImage, Image)
        .join(Image, Image.id == DatasetImage.image_id)
        .where(DatasetImage.dataset_id == dataset_id, DatasetImage.image_id == image_id)
        .with_for_update(of=DatasetImage)
    ).one_or_none()
    if row is None:
        require_dataset(session, dataset_id)
        raise NotFound(f"Image {image_id} is not in dataset {dataset_id}.", image_id=image_id)
    member, image = row
    if "status" in body.model_fields_set and body.status is not None:
        member.status = body.status
    if "split" in body.model_fields_set:
        member.split = body.split
    session.commit()
    return _image_out(member, image)


# --- statistics ----------------------------------------------------------------------------------


def dataset_stats(session: Session, dataset_id: int) -> DatasetStats:
    """Images by status and split, annotations by class (with name and colour), chart data."""
    require_dataset(session, dataset_id)
    by_status: dict[str, int] = {s: 0 for s in IMAGE_STATUSES}
    splits = SplitCounts()
    for status, split, n in session.execute(
        select(DatasetImage.status, DatasetImage.split, func.count())
        .where(DatasetImage.dataset_id == dataset_id)
        .group_by(DatasetImage.status, DatasetImage.split)
    ):
        by_status[status] = by_status.get(status, 0) + int(n)
        key = split if split in ("train", "val", "test") else "unassigned"
        setattr(splits, key, getattr(splits, key) + int(n))
    counts = StatusCounts(**by_status)

    annotations = func.count(Annotation.id)
    classes = [
        ClassCount(
            class_id=int(class_id),
            name=name,
            display_name=display_name,
            color=color,
            annotations=int(n),
            images=int(images),
        )
        for class_id, name, display_name, color, n, images in session.execute(
            select(
                OdClass.id,
                OdClass.name,
                OdClass.display_name,
                OdClass.color,
                annotations,
                func.count(distinct(Annotation.dataset_image_id)),
            )
            .join(OdClass, OdClass.id == Annotation.class_id)
            .where(Annotation.dataset_id == dataset_id)
            .group_by(OdClass.id, OdClass.name, OdClass.display_name, OdClass.color)
            .order_by(annotations.desc(), OdClass.name_key)
        )
    ]
    total_annotations = sum(c.annotations for c in classes)
    chart = [
        ChartPoint(
            class_id=c.class_id,
            label=c.display_name or c.name,
            color=c.color,
            value=c.annotations,
            percent=round(100 * c.annotations / total_annotations, 2) if total_annotations else 0.0,
        )
        for c in classes
    ]
    return DatasetStats(
        dataset_id=dataset_id,
        image_count=counts.total,
        images_by_status=counts,
        progress=counts.progress,
        annotation_count=total_annotations,
        annotations_by_class=classes,
        class_distribution=chart,
        splits=splits,
    )


# --- many memberships at once (imports, AI predictions, product recognition) ---------------------


@dataclass(frozen=True, slots=True)
class NewMember:
    """A library image to put in a dataset, the split it comes with, and how many annotations the
    caller is about to write for it (they make it `completed`)."""

    image_id: int
    split: Split | None
    annotations: int = 0


# Rows per INSERT executemany, and ids per IN (...) list.
_MEMBER_INSERT_CHUNK = 50_000
_MEMBER_QUERY_CHUNK = 500


def _present_members(
    session: Session, dataset_id: int, image_ids: Sequence[int]
) -> dict[int, tuple[int, str | None, str]]:
    """image id -> (membership id, split, status) for the images already in the dataset."""
    present: dict[int, tuple[int, str | None, str]] = {}
    for chunk in _chunks(image_ids, _MEMBER_QUERY_CHUNK):
        for member_id, image_id, split, status in session.execute(
            select(DatasetImage.id, DatasetImage.image_id, DatasetImage.split, DatasetImage.status).where(
                DatasetImage.dataset_id == dataset_id, DatasetImage.image_id.in_(chunk)
            )
        ):
            present[image_id] = (member_id, split, status)
    return present


def _insert_new_members(
    session: Session, dataset_id: int, members: Sequence[NewMember], at: datetime | None
) -> None:
    now = at or utcnow()
    rows = [
        {
            "dataset_id": dataset_id,
            "image_id": m.image_id,
            "status": "completed" if m.annotations else "new",
            "split": m.split,
            "annotation_count": m.annotations,
            "revision": 0,
            "created_at": now,
            "updated_at": now,
        }
        for m in members
    ]
    stmt = insert_ignore(session, DatasetImage)
    for start in range(0, len(rows), _MEMBER_INSERT_CHUNK):
        session.connection().execute(stmt, rows[start : start + _MEMBER_INSERT_CHUNK])


def _update_present_members(
    session: Session, members: Sequence[NewMember], present: dict[int, tuple[int, str | None, str]]
) -> None:
    """Present images gain the new annotations (and become completed if they were new) and keep their
    split, or take the given one when they had none; their revision is bumped (open editors reload)."""
    updates = []
    for m in members:
        member_id, split, status = present[m.image_id]
        if m.annotations or (split is None and m.split is not None):
            updates.append(
                {
                    "b_id": member_id,
                    "b_n": m.annotations,
                    "b_split": split or m.split,
                    "b_status": "completed" if (m.annotations and status == "new") else status,
                }
            )
    if updates:
        # Core execution (not the ORM's bulk UPDATE by primary key): one executemany.
        session.connection().execute(
            update(DatasetImage)
            .where(DatasetImage.id == bindparam("b_id"))
            .values(
                annotation_count=DatasetImage.annotation_count + bindparam("b_n"),
                split=bindparam("b_split"),
                status=bindparam("b_status"),
                revision=DatasetImage.revision + 1,
            ),
            updates,
        )


def add_members(
    session: Session, dataset_id: int, members: Sequence[NewMember], at: datetime | None = None
) -> tuple[list[int], int, int]:
    """(membership id per member, memberships added, images already in the dataset). One entry per
    image; a new membership is `completed` when annotations come with it, else `new`, with the given
    split, created `at` (default now). Batched (executemany inserts and updates, ids looked up 500 at
    a time); does not commit."""
    image_ids = [m.image_id for m in members]
    present = _present_members(session, dataset_id, image_ids)
    fresh = [m for m in members if m.image_id not in present]
    _insert_new_members(session, dataset_id, fresh, at)
    _update_present_members(session, [m for m in members if m.image_id in present], present)
    member_of = {image_id: found[0] for image_id, found in present.items()}
    for chunk in _chunks([m.image_id for m in fresh], _MEMBER_QUERY_CHUNK):
        for member_id, image_id in session.execute(
            select(DatasetImage.id, DatasetImage.image_id).where(
                DatasetImage.dataset_id == dataset_id, DatasetImage.image_id.in_(chunk)
            )
        ):
            member_of[image_id] = member_id
    return [member_of[i] for i in image_ids], len(fresh), len(present)

"""Annotation logic: an image's annotations for the editor, single creates, updates and deletes, and
an image's workflow status. The editor's save (editor.py), bulk writes (bulk.py) and navigation
(navigation.py) sit beside this; what every write checks is in checks.py, the row bookkeeping in
store.py, the geometry rules in od.geometry.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from shelfscope.auth.models import User
from shelfscope.db.base import utcnow
from shelfscope.db.dialect import is_postgres
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
    with_review_edit,
)
from shelfscope.od.annotations.schemas import (
    AnnotationCreate,
    AnnotationDeleted,
    AnnotationPatch,
    AnnotationWritten,
    DatasetImageState,
    ImageAnnotations,
)
from shelfscope.od.classes.models import OdClass
from shelfscope.od.datasets.models import DatasetImage
from shelfscope.od.images.models import Image
from shelfscope.od.vocabulary import ANNOTATION_SOURCES, AnnotationSource, ImageStatus

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
    row = {**existing, **with_review_edit(existing, cleaned), "updated_at": utcnow()}
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
    locked = set(
        session.scalars(
            select(OdClass.id).where(OdClass.id.in_(shared.class_ids)).with_for_update(key_share=True)
        )
        if shared.class_ids
        else ()
    )
    user_ok = shared.user_id is None or session.scalar(
        select(User.id).where(User.id == shared.user_id).with_for_update(key_share=True)
    )
    if locked != set(shared.class_ids) or not user_ok:
        # A class or the user was deleted since the caller found it: the triggers stay on, so the
        # COPY fails on the row that refers to it as it would without this shortcut.
        conn.exec_driver_sql("SET LOCAL session_replication_role = origin")
        return False
    return True


# The binary COPY's column types, in _ALL_INSERT_MANY_COLUMNS order.
_COPY_TYPES = (
    "int8", "int8", "int8", "varchar", "float8", "float8", "float8", "float8", "jsonb", "jsonb",
    "varchar", "varchar", "int8", "timestamptz", "timestamptz",
)  # fmt: skip


def _as_is(text: str) -> str:
    return text


def _jsonb(text: str | None) -> Any:
    """JSON text the caller made (points, attributes) sent as it is, not encoded again."""
    from psycopg.types.json import Jsonb  # the postgres extra: only imported where PostgreSQL runs

    return None if text is None else Jsonb(text, dumps=_as_is)


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
        cursor.copy(f"COPY od_annotations ({_ALL_INSERT_MANY_COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        # Binary: numbers and times go as their bytes, no text to format here or parse on the server.
        copy.set_types(_COPY_TYPES)
        write = copy.write_row
        for batch in batches:
            for row in batch:
                if row[7] is not None or row[8] is not None:
                    row = (*row[:7], _jsonb(row[7]), _jsonb(row[8]))
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

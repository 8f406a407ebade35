"""Storing predictions: each image's revision bumped (an editor open on it gets a conflict rather
than overwriting), people's boxes never touched. The batch run writes the images of one model call
together, with its checkpoint, in one transaction (a handful of statements for the whole batch, not
a handful per image): every image is whole or untouched, and a cancel stops within one batch.

What a run replaces is only its model's proposals still pending and never edited; everything else on
the image (manual, imported, accepted, rejected, edited, other models') stays, and a prediction that
repeats one of those boxes (same class, IoU >= 0.7) is dropped: a rejected box is not proposed again."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from shelfscope.db import Database
from shelfscope.db.base import utcnow
from shelfscope.db.dialect import id_in
from shelfscope.od.ai.predictions import Prediction, duplicates
from shelfscope.od.annotations import store
from shelfscope.od.annotations.checks import Row
from shelfscope.od.geometry import GeometryError, check_box
from shelfscope.od.images.models import Image

_A, _M = store.ANNOTATIONS, store.MEMBERS
# Built once: these run for every image of a batch (Core statements, no ORM flush).
_TARGET = (
    select(_M.c.id, _M.c.dataset_id, _M.c.revision, Image.width, Image.height)
    .join(Image, Image.id == _M.c.image_id)
    .where(_M.c.id == bindparam("member_id"))
    .with_for_update(of=_M)
)
_ROWS = select(_A).where(_A.c.dataset_image_id == bindparam("member_id")).order_by(_A.c.id)
_TARGETS = (
    select(_M.c.id, _M.c.dataset_id, _M.c.revision, Image.width, Image.height)
    .join(Image, Image.id == _M.c.image_id)
    .order_by(_M.c.id)  # row locks taken in id order: two batch writers never deadlock
)
_TOUCH = (
    update(_M)
    .where(_M.c.id == bindparam("member_id"))
    .values(revision=_M.c.revision + 1, annotation_count=bindparam("count"), updated_at=bindparam("at"))
)


class NotCommitted(Exception):
    """The guard refused the commit; nothing of this image was written."""


@dataclass
class Written:
    """What one image's write did. `new_rows` are the stored proposals (with ids)."""

    member_found: bool = True
    new_rows: list[Row] = field(default_factory=list)
    replaced_ids: list[int] = field(default_factory=list)
    duplicates: int = 0
    previous_revision: int = 0
    revision: int = 0
    # The image's annotation count once written (set when anything changed).
    annotation_count: int = 0


# Called inside the image's transaction with what it wrote, before it commits: False means "do not
# commit" (the job was cancelled or taken away).
CommitGuard = Callable[[Session, Written], bool]
# The same for a batch: what each image's write did, in the order given.
BatchGuard = Callable[[Session, list[Written]], bool]


@dataclass(frozen=True, slots=True)
class ImagePredictions:
    """One image's predictions to store (membership id and boxes in the stored image's pixels)."""

    member_id: int
    predictions: list[Prediction]


@dataclass(frozen=True, slots=True)
class Target:
    """The membership written to (locked) and its image's size."""

    member_id: int
    dataset_id: int
    revision: int
    width: int
    height: int


def lock_target(session: Session, member_id: int) -> Target | None:
    """The membership, locked (SQLite: the write transaction holds the database), or None when the
    image left the dataset."""
    found = session.execute(_TARGET, {"member_id": member_id}).one_or_none()
    return None if found is None else Target(*found)


def _replaceable(row: Row, model: str) -> bool:
    return (
        row["source"] == "ai"
        and row["model"] == model
        and row["review_state"] == "pending"
        and not row["review_edited"]
    )


def _new_row(target: Target, p: Prediction, model: str, user_id: int | None) -> Row | None:
    """The row for a prediction inside the image (clamped), or None when nothing of it is left."""
    x1, y1 = max(p.x1, 0.0), max(p.y1, 0.0)
    x2, y2 = min(p.x2, float(target.width)), min(p.y2, float(target.height))
    try:
        box = check_box(x1, y1, x2, y2, target.width, target.height)
    except GeometryError:
        return None
    values = {
        "dataset_id": target.dataset_id,
        "dataset_image_id": target.member_id,
        "class_id": p.class_id,
        "kind": "bbox",
        "x1": box.x1,
        "y1": box.y1,
        "x2": box.x2,
        "y2": box.y2,
        "points": None,
        "source": "ai",
        "confidence": min(max(p.score, 0.0), 1.0),
        "review_state": "pending",
        "model": model,
        "attributes": None,
    }
    return store.stamped(values, user_id, utcnow())


def lock_targets(session: Session, member_ids: Sequence[int]) -> dict[int, Target]:
    """The memberships (locked, in id order) by id; those no longer in their dataset are absent."""
    if not member_ids:
        return {}
    query = _TARGETS.where(id_in(session, _M.c.id, sorted(set(member_ids)))).with_for_update(of=_M)
    return {row[0]: Target(*row) for row in session.execute(query)}


def _existing_rows(session: Session, member_ids: Sequence[int]) -> dict[int, list[Row]]:
    """The stored annotations of these memberships, by membership, oldest first."""
    found: dict[int, list[Row]] = {member_id: [] for member_id in member_ids}
    if not member_ids:
        return found
    query = select(_A).where(id_in(session, _A.c.dataset_image_id, list(member_ids))).order_by(_A.c.id)
    for row in session.execute(query).mappings():
        found[row["dataset_image_id"]].append(dict(row))
    return found


def _plan(
    target: Target, existing: list[Row], model: str, predictions: list[Prediction], user_id: int | None
) -> tuple[Written, list[int]]:
    """What replacing this model's proposals on one image writes: the Written (new rows without ids
    yet) and the ids of the stale proposals to delete."""
    stale = [row["id"] for row in existing if _replaceable(row, model)]
    kept = [
        (r["class_id"], (r["x1"], r["y1"], r["x2"], r["y2"])) for r in existing if not _replaceable(r, model)
    ]
    repeated = duplicates(predictions, kept)
    fresh = [
        _new_row(target, p, model, user_id) for p, dup in zip(predictions, repeated, strict=True) if not dup
    ]
    new_rows = [row for row in fresh if row is not None]
    written = Written(duplicates=sum(repeated), previous_revision=target.revision, revision=target.revision)
    if stale or new_rows:
        written.new_rows, written.replaced_ids, written.revision = new_rows, stale, target.revision + 1
        written.annotation_count = len(existing) - len(stale) + len(new_rows)
    return written, stale


def replace_many(
    session: Session, images: Sequence[ImagePredictions], model: str, user_id: int | None
) -> list[Written]:
    """Within the caller's transaction: for every image, this model's replaceable proposals out and
    the new ones in (minus duplicates of what stays), its revision bumped when anything changed. The
    memberships are locked first; one statement each for the reads, the delete, the insert and the
    revision bumps, whatever the number of images. An image no longer in its dataset is skipped."""
    member_ids = [item.member_id for item in images]
    targets = lock_targets(session, member_ids)
    existing = _existing_rows(session, list(targets))
    out: list[Written] = []
    stale_ids: list[int] = []
    for item in images:
        target = targets.get(item.member_id)
        if target is None:
            out.append(Written(member_found=False))
            continue
        written, stale = _plan(target, existing[target.member_id], model, item.predictions, user_id)
        out.append(written)
        stale_ids += stale
    pairs = zip(out, images, strict=True)
    changed = [(w, item.member_id) for w, item in pairs if w.revision != w.previous_revision]
    if not changed:
        return out
    store.delete_rows(session, stale_ids)
    new_rows = [row for w, _ in changed for row in w.new_rows]
    for row, new_id in zip(new_rows, store.WRITER.insert(session, new_rows), strict=True):
        row["id"] = new_id
    # Proposals are not a person's work: the image's workflow status stays as it was.
    now = utcnow()
    session.execute(
        _TOUCH, [{"member_id": member_id, "count": w.annotation_count, "at": now} for w, member_id in changed]
    )
    return out


def replace_predictions(
    session: Session, target: Target, model: str, predictions: list[Prediction], user_id: int | None
) -> Written:
    """Within the caller's transaction, with the membership locked: this model's replaceable proposals
    out, the new ones in (minus duplicates of what stays), revision bumped when anything changed."""
    existing = [dict(row) for row in session.execute(_ROWS, {"member_id": target.member_id}).mappings()]
    stale = [row["id"] for row in existing if _replaceable(row, model)]
    kept = [
        (r["class_id"], (r["x1"], r["y1"], r["x2"], r["y2"])) for r in existing if not _replaceable(r, model)
    ]
    repeated = duplicates(predictions, kept)
    fresh = [
        _new_row(target, p, model, user_id) for p, dup in zip(predictions, repeated, strict=True) if not dup
    ]
    new_rows = [row for row in fresh if row is not None]
    written = Written(duplicates=sum(repeated), previous_revision=target.revision, revision=target.revision)
    if not stale and not new_rows:
        return written
    store.delete_rows(session, stale)
    for row, new_id in zip(new_rows, store.WRITER.insert(session, new_rows), strict=True):
        row["id"] = new_id
    # Proposals are not a person's work: the image's workflow status stays as it was.
    count = len(existing) - len(stale) + len(new_rows)
    session.execute(_TOUCH, {"member_id": target.member_id, "count": count, "at": utcnow()})
    written.new_rows, written.replaced_ids, written.revision = new_rows, stale, target.revision + 1
    return written


def write_image(
    db: Database,
    member_id: int,
    model: str,
    predictions: list[Prediction],
    user_id: int | None,
    guard: CommitGuard,
) -> Written:
    """One image's predictions in their own transaction; NotCommitted when `guard` refuses. An image
    no longer in the dataset is skipped (member_found False), its guard still consulted."""
    with db.writer() as session:
        target = lock_target(session, member_id)
        if target is None:
            written = Written(member_found=False)
        else:
            written = replace_predictions(session, target, model, predictions, user_id)
        if not guard(session, written):
            session.rollback()
            raise NotCommitted(f"membership {member_id}")
        session.commit()
        return written


def write_images(
    db: Database,
    images: Sequence[ImagePredictions],
    model: str,
    user_id: int | None,
    guard: BatchGuard,
) -> list[Written]:
    """Several images' predictions in one transaction (replace_many); NotCommitted, with nothing of
    any of them written, when `guard` refuses."""
    with db.writer() as session:
        written = replace_many(session, images, model, user_id)
        if not guard(session, written):
            session.rollback()
            raise NotCommitted(f"memberships {[item.member_id for item in images]}")
        session.commit()
        return written


def commit_without_writing(db: Database, guard: CommitGuard) -> None:
    """The guard's own write alone (a job's checkpoint past an image it could not read)."""
    with db.writer() as session:
        if not guard(session, Written(member_found=False)):
            session.rollback()
            raise NotCommitted("checkpoint")
        session.commit()

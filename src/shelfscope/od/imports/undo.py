"""Removing what an import committed before it failed, from its journal (models.ImportCommit).

An import larger than one batch commits image by image in several transactions (commit.py), so a
failure after the first commit leaves rows behind. Every image, membership and annotation row it
inserted carries its `at` stamp as created_at, so they can be found again: `undo_import` deletes
them in bounded transactions (other writers wait at most one batch), recounts the memberships that
lost annotations, removes the dataset when the import created it, then the images and classes it
created that nothing else uses by now, and last the journal. Every step is idempotent: the import
itself undoes on failure, and the sweep (staging.sweep_abandoned_imports) finishes the work when the
worker died first or the undo itself failed.

What is not restored: images that were already in the dataset keep a split or a `completed` status
the import gave them (their annotation counts are recomputed).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.orm import Session

from shelfscope.db import Database
from shelfscope.db.dialect import id_in
from shelfscope.od.annotations.models import Annotation
from shelfscope.od.classes.models import ClassChange, OdClass
from shelfscope.od.datasets.models import Dataset, DatasetImage
from shelfscope.od.images.models import Image
from shelfscope.od.imports.models import ImportCommit
from shelfscope.od.versions.models import VersionImage

log = logging.getLogger(__name__)

# Rows deleted per transaction while undoing.
UNDO_BATCH = 5_000


@dataclass(frozen=True)
class Journal:
    token: str
    job_id: int | None
    dataset_id: int
    dataset_created: bool
    user_id: int | None
    at: datetime
    class_ids: tuple[int, ...]


def open_journal(session: Session, journal: Journal) -> None:
    """In the import's first transaction: the rows it writes from now on can be found again."""
    session.add(
        ImportCommit(
            token=journal.token,
            job_id=journal.job_id,
            dataset_id=journal.dataset_id,
            dataset_created=journal.dataset_created,
            user_id=journal.user_id,
            at=journal.at,
            class_ids=list(journal.class_ids),
        )
    )


def close_journal(session: Session, token: str) -> None:
    """In the import's last transaction: everything it wrote is committed for good."""
    session.execute(delete(ImportCommit).where(ImportCommit.token == token))


def read_journal(db: Database, token: str) -> Journal | None:
    with db.read() as session:
        row = session.get(ImportCommit, token)
        if row is None:
            return None
        return Journal(
            token=row.token,
            job_id=row.job_id,
            dataset_id=row.dataset_id,
            dataset_created=row.dataset_created,
            user_id=row.user_id,
            at=row.at,
            class_ids=tuple(int(c) for c in row.class_ids or ()),
        )


def undo_import(db: Database, token: str) -> bool:
    """Remove what the import with this token committed; False when it left nothing to undo."""
    journal = read_journal(db, token)
    if journal is None:
        return False
    _delete_in_batches(db, lambda s: _annotation_batch(s, journal))
    _delete_in_batches(db, lambda s: _member_batch(s, journal))
    with db.write() as session:
        if journal.dataset_created:
            session.execute(delete(Dataset).where(Dataset.id == journal.dataset_id))
    _delete_in_batches(db, lambda s: _image_batch(s, journal))
    with db.write() as session:
        _delete_unused_classes(session, journal)
        close_journal(session, token)
    log.warning("import %s: removed what it had committed before it failed", token)
    return True


def _delete_in_batches(db: Database, one_batch: Callable[[Session], int]) -> None:
    while True:
        with db.write() as session:
            if one_batch(session) < UNDO_BATCH:
                return


def _annotation_batch(session: Session, journal: Journal) -> int:
    """Deletes up to a batch of the import's annotations (every annotation of a dataset it created)
    and recounts the memberships that held them; how many it deleted."""
    query = select(Annotation.id, Annotation.dataset_image_id).where(
        Annotation.dataset_id == journal.dataset_id
    )
    if not journal.dataset_created:
        query = query.where(
            Annotation.source == "import",
            Annotation.created_at == journal.at,
            Annotation.created_by.is_not_distinct_from(journal.user_id),
        )
    rows = session.execute(query.order_by(Annotation.id).limit(UNDO_BATCH)).all()
    if not rows:
        return 0
    session.execute(delete(Annotation).where(id_in(session, Annotation.id, [r.id for r in rows])))
    members = sorted({r.dataset_image_id for r in rows})
    count = select(func.count()).where(Annotation.dataset_image_id == DatasetImage.id).scalar_subquery()
    session.execute(
        update(DatasetImage)
        .where(id_in(session, DatasetImage.id, members))
        .values(annotation_count=count, revision=DatasetImage.revision + 1)
    )
    return len(rows)


def _member_batch(session: Session, journal: Journal) -> int:
    """Deletes up to a batch of the memberships the import made (all of a dataset it created)."""
    query = select(DatasetImage.id).where(DatasetImage.dataset_id == journal.dataset_id)
    if not journal.dataset_created:
        query = query.where(DatasetImage.created_at == journal.at)
    ids = list(session.scalars(query.order_by(DatasetImage.id).limit(UNDO_BATCH)))
    if ids:
        session.execute(delete(DatasetImage).where(id_in(session, DatasetImage.id, ids)))
    return len(ids)


def _image_batch(session: Session, journal: Journal) -> int:
    """Deletes up to a batch of the images the import added to the library that no dataset or
    version uses by now (another import or a dataset may have taken one up meanwhile)."""
    query = (
        select(Image.id)
        .where(
            Image.source == "import",
            Image.created_at == journal.at,
            Image.created_by.is_not_distinct_from(journal.user_id),
            ~exists().where(DatasetImage.image_id == Image.id),
            ~exists().where(VersionImage.image_id == Image.id),
        )
        .order_by(Image.id)
        .limit(UNDO_BATCH)
    )
    ids = list(session.scalars(query))
    if ids:
        session.execute(delete(Image).where(id_in(session, Image.id, ids)))
    return len(ids)


def _delete_unused_classes(session: Session, journal: Journal) -> None:
    """The classes the import created, with their creation audit rows, unless annotations use them."""
    if not journal.class_ids:
        return
    unused = list(
        session.scalars(
            select(OdClass.id).where(
                OdClass.id.in_(journal.class_ids), ~exists().where(Annotation.class_id == OdClass.id)
            )
        )
    )
    if unused:
        session.execute(
            delete(ClassChange).where(ClassChange.class_id.in_(unused), ClassChange.action == "create")
        )
        session.execute(delete(OdClass).where(OdClass.id.in_(unused)))

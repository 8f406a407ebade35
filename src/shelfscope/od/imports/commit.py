"""Phase 4 of an import: the writes, through the features' own bulk writers (classes, images, dataset
members, annotations).

An import of up to `batch_rows` rows writes everything in one transaction, or nothing. A larger one
writes batches of consecutive images (batches.py), each one transaction with those images' rows,
memberships and all their annotations: another writer waits at most one batch (SQLite lets one writer
in at a time), and each committed image is whole. Its first transaction records a journal (undo.py);
when a later batch fails, the batches already committed are removed again, and after a worker death
the sweep does it. Every transaction first checks that the job still runs here (row-locked on
PostgreSQL), so a job taken away or cancelled meanwhile writes nothing more. The last transaction also
marks the job succeeded with its report: the job's status and the data commit together, and a stale
sweep can never fail an import whose rows are in."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shelfscope.auth.models import User
from shelfscope.db import Database, utcnow
from shelfscope.db.dialect import is_busy_error
from shelfscope.errors import Conflict
from shelfscope.jobs.models import Job
from shelfscope.jobs.service import hold_running_job, succeed_in
from shelfscope.od.annotations import service as annotations_service
from shelfscope.od.classes.models import OdClass
from shelfscope.od.classes.service import ensure_classes
from shelfscope.od.datasets.lookup import require_dataset
from shelfscope.od.datasets.models import Dataset, DatasetImage
from shelfscope.od.datasets.service import NewMember, add_members
from shelfscope.od.images import service as images_service
from shelfscope.od.images.models import Image
from shelfscope.od.images.rows import NewImage
from shelfscope.od.images.thumbnails import queue_thumbnails
from shelfscope.od.imports.batches import batch_of_units, split_rows
from shelfscope.od.imports.ingest import Unit
from shelfscope.od.imports.schemas import AliasMatch
from shelfscope.od.imports.spill import Spill
from shelfscope.od.imports.undo import Journal, close_journal, open_journal, undo_import

log = logging.getLogger(__name__)
# Taking a batch's locks is tried this often while another writer keeps the database busy (each try
# already waited the busy timeout), with a growing pause between tries.
_BEGIN_TRIES = 6
_BEGIN_PAUSE_S = 0.5
_QUERY_CHUNK = 500


@dataclass(frozen=True)
class JobGuard:
    """The job this import runs as: the final transaction checks it is still running here."""

    job_id: int
    worker: str


class ImportCancelled(Exception):
    pass


@dataclass
class CommitPlan:
    dataset_id: int | None
    dataset_name: str
    description: str
    units: list[Unit]
    unit_counts: npt.NDArray[np.int64]
    labels: list[str]
    label_counts: npt.NDArray[np.int64]
    rows: Spill
    any_polygon: bool
    user_id: int | None
    guard: JobGuard | None
    # Names the import's journal (its job id).
    token: str = ""
    # Rows per transaction (settings.import_batch_rows).
    batch_rows: int = 10_000
    # The job's result from the outcome, stored in the last transaction (the job succeeds with it).
    result_of: Callable[[CommitOutcome], dict[str, Any]] | None = None
    # Where a large import's rows are split per batch.
    scratch: Path | None = None
    # Told the fraction of batches committed.
    progress: Callable[[float], None] | None = None
    # The job runner the thumbnail job of the new images is queued for (None: no such job).
    runner_name: str | None = None


@dataclass
class ClassOutcome:
    """Which class each label became (-1: unused), and how the used labels were matched."""

    class_of: npt.NDArray[np.int64]
    matched: list[str]
    matched_by_alias: list[AliasMatch]
    created: list[str]
    created_ids: list[int] = field(default_factory=list)


@dataclass
class CommitOutcome:
    dataset_id: int
    dataset_name: str
    created: bool
    classes: ClassOutcome
    added: int
    already: int
    imported: int
    # Staged keys that turned out not to be needed (another upload stored the same bytes first).
    unused_keys: list[str]
    splits: dict[str, int]
    # Queued in the last transaction: the thumbnails of the new images (hand them to the runner).
    follow_ups: list[Job] = field(default_factory=list)


def _target_dataset(session: Session, plan: CommitPlan) -> tuple[Dataset, bool]:
    """(the dataset, whether it was created): a new one, or the given one locked against deletion."""
    if plan.dataset_id is None:
        dataset = Dataset(
            name=plan.dataset_name,
            description=plan.description,
            annotation_type="polygon" if plan.any_polygon else "bbox",
            created_by=plan.user_id,
        )
        session.add(dataset)
        session.flush()
        return dataset, True
    return require_dataset(session, plan.dataset_id, lock=True), False


def _classes(session: Session, plan: CommitPlan) -> ClassOutcome:
    """The class of every label an imported annotation uses (found by name or alias, or created)."""
    counts = plan.label_counts
    used = [i for i in range(len(plan.labels)) if i < len(counts) and counts[i] > 0]
    ensured = ensure_classes(session, [plan.labels[i] for i in used], plan.user_id, source="import")
    outcome = ClassOutcome(np.full(max(len(plan.labels), 1), -1, dtype=np.int64), [], [], [])
    created: set[int] = set()
    for index in used:
        name = plan.labels[index]
        found = ensured[name]
        outcome.class_of[index] = found.class_id
        if found.matched == "name":
            outcome.matched.append(name)
        elif found.matched == "alias":
            outcome.matched_by_alias.append(AliasMatch(label=name, class_name=found.class_name))
        elif found.class_id not in created:
            created.add(found.class_id)
            outcome.created.append(found.class_name)
    outcome.created_ids = sorted(created)
    return outcome


def _images(
    session: Session, units: list[Unit], user_id: int | None, at: datetime
) -> tuple[list[int], list[str], list[int]]:
    """Image id per unit (reused ones have theirs), the storage keys no row refers to, and the ids of
    the rows this import inserted (they have no thumbnail yet)."""
    image_ids = [u.existing_id or 0 for u in units]
    fresh = [i for i, u in enumerate(units) if u.existing_id is None and u.key is not None and u.entries]
    rows = [
        NewImage(
            content_hash=u.content_hash,
            storage_key=u.key or "",
            thumbnail_key=None,
            filename=u.filename,
            width=u.width,
            height=u.height,
            format=u.format,
            size_bytes=u.size_bytes,
            source="import",
        )
        for u in (units[i] for i in fresh)
    ]
    ids, unused = images_service.insert_many(session, rows, user_id, at)
    for i, image_id in zip(fresh, ids, strict=True):
        image_ids[i] = image_id
    taken = set(unused)
    inserted = [image_id for row, image_id in zip(rows, ids, strict=True) if row.storage_key not in taken]
    return image_ids, unused, inserted


def _members(
    session: Session, plan: CommitPlan, state: _State, units: list[int], image_ids: list[int]
) -> None:
    """Memberships of these units (their images' ids in the same order) in the dataset, with the
    number of annotations each gets; their ids go into `state.member`."""
    live = [(i, image_id) for i, image_id in zip(units, image_ids, strict=True) if plan.units[i].entries]
    new = [NewMember(image_id, plan.units[i].split, int(plan.unit_counts[i])) for i, image_id in live]
    ids, added, already = add_members(session, state.dataset_id, new, state.at)
    state.member[[i for i, _ in live]] = ids
    state.added += added
    state.already += already


def _annotation_rows(
    rows: Spill, member: npt.NDArray[np.int64], class_of: npt.NDArray[np.int64]
) -> Iterator[list[tuple[Any, ...]]]:
    """Chunks of annotations.INSERT_MANY_COLUMNS (points and attributes as JSON text)."""
    kinds = np.array(["bbox", "polygon"], dtype=object)
    for chunk, extras in rows.chunks():
        n = len(chunk)
        points: list[str | None] = [None] * n
        attributes: list[str | None] = [None] * n
        for i in np.flatnonzero(chunk["extra"] >= 0):
            pts, attrs = extras[int(chunk["extra"][i])]
            points[i] = json.dumps(pts) if pts is not None else None
            attributes[i] = json.dumps(attrs) if attrs else None
        yield list(
            zip(
                member[chunk["unit"]].tolist(),
                class_of[chunk["label"]].tolist(),
                kinds[chunk["kind"]].tolist(),
                chunk["x1"].tolist(),
                chunk["y1"].tolist(),
                chunk["x2"].tolist(),
                chunk["y2"].tolist(),
                points,
                attributes,
                strict=True,
            )
        )


def _split_counts(session: Session, dataset_id: int) -> dict[str, int]:
    """Images per split in the dataset ("none": no split)."""
    splits: dict[str, int] = {}
    for split, n in session.execute(
        select(DatasetImage.split, func.count())
        .where(DatasetImage.dataset_id == dataset_id)
        .group_by(DatasetImage.split)
    ):
        splits[split or "none"] = int(n)
    return splits


@dataclass
class _State:
    """What the batches of one import build up."""

    at: datetime
    member: npt.NDArray[np.int64]
    dataset_id: int = 0
    dataset_name: str = ""
    created: bool = False
    classes: ClassOutcome | None = None
    added: int = 0
    already: int = 0
    imported: int = 0
    unused: list[str] = field(default_factory=list)
    inserted: list[int] = field(default_factory=list)


class _Transactions:
    """The import's write transactions. Each begins by checking that the job still runs here (and on
    PostgreSQL keeps its row locked until the commit) and, after the first, by locking the dataset
    against deletion."""

    def __init__(self, db: Database, guard: JobGuard | None) -> None:
        self.db = db
        self.guard = guard
        self.dataset_id: int | None = None

    @contextmanager
    def begin(self) -> Iterator[Session]:
        # Leaving the block without the commit (an error anywhere) closes the session: rolled back.
        with ExitStack() as outer:
            session = self._locked(outer)
            yield session
            session.commit()

    def _locked(self, outer: ExitStack) -> Session:
        """A write session that holds the job's row (and the dataset): taking them is retried while
        another writer keeps the database busy past the busy timeout, since nothing is written yet."""
        for attempt in range(1, _BEGIN_TRIES + 1):
            stack = ExitStack()
            # Foreign keys are checked by _parents_present instead of per row (SQLite).
            session = stack.enter_context(self.db.bulk_writer())
            try:
                guard = self.guard
                if guard is not None and not hold_running_job(session, guard.job_id, guard.worker):
                    raise ImportCancelled("the import job was cancelled or taken away before it could commit")
                if self.dataset_id is not None:
                    require_dataset(session, self.dataset_id, lock=True)
            except Exception as exc:
                stack.close()
                if attempt == _BEGIN_TRIES or not is_busy_error(exc):
                    raise
                log.warning("import commit: the database is busy (try %d of %d)", attempt, _BEGIN_TRIES)
                time.sleep(_BEGIN_PAUSE_S * attempt)
                continue
            outer.push(stack)
            return session
        raise AssertionError("unreachable")


def _open(session: Session, plan: CommitPlan, state: _State, journal: bool) -> None:
    """The first transaction's extra work: the dataset, the classes, and the journal of a large import."""
    dataset, state.created = _target_dataset(session, plan)
    state.dataset_id, state.dataset_name = dataset.id, dataset.name
    state.classes = _classes(session, plan)
    if journal:
        open_journal(
            session,
            Journal(
                plan.token,
                plan.guard.job_id if plan.guard else None,
                dataset.id,
                state.created,
                plan.user_id,
                state.at,
                tuple(state.classes.created_ids),
            ),
        )


def _write_batch(session: Session, plan: CommitPlan, state: _State, units: list[int], rows: Spill) -> None:
    """Images, memberships and annotations of these units."""
    assert state.classes is not None
    image_ids, unused, inserted = _images(session, [plan.units[i] for i in units], plan.user_id, state.at)
    state.unused += unused
    state.inserted += inserted
    _members(session, plan, state, units, image_ids)
    class_of = state.classes.class_of
    used_classes = tuple(sorted({int(c) for c in class_of if c >= 0}))
    shared = annotations_service.SharedValues(
        state.dataset_id, plan.user_id, state.at, used_classes, source="import"
    )
    state.imported += annotations_service.insert_many(
        session, _annotation_rows(rows, state.member, class_of), shared
    )
    reused = [image_id for i, image_id in zip(units, image_ids, strict=True) if plan.units[i].existing_id]
    _parents_present(session, used_classes, plan.user_id, reused)


def _parents_present(
    session: Session, class_ids: tuple[int, ...], user_id: int | None, reused: list[int]
) -> None:
    """What SQLite's per-row foreign key checks would prove, once per transaction (db.bulk_writer turns
    them off): the classes, the user and the library images the rows refer to exist. The dataset was
    locked when the transaction began, the memberships and new images are its own, and the write lock
    keeps anyone from deleting a row until the commit. PostgreSQL enforces them itself."""
    if session.get_bind().dialect.name != "sqlite":
        return
    found = set(session.scalars(select(OdClass.id).where(OdClass.id.in_(class_ids)))) if class_ids else set()
    if missing := sorted(set(class_ids) - found):
        raise Conflict(f"Classes {missing} were deleted while the import ran; nothing was imported.")
    if user_id is not None and session.get(User, user_id) is None:
        raise Conflict(f"User {user_id}, who started the import, was deleted while it ran.")
    for start in range(0, len(reused), _QUERY_CHUNK):
        chunk = set(reused[start : start + _QUERY_CHUNK])
        if missing := sorted(chunk - set(session.scalars(select(Image.id).where(Image.id.in_(chunk))))):
            raise Conflict(f"Images {missing[:10]} of the library were deleted while the import ran.")


def _close(session: Session, plan: CommitPlan, state: _State, journal: bool) -> CommitOutcome:
    """The last transaction's extra work: the outcome, the journal closed, and the job succeeded."""
    assert state.classes is not None
    outcome = CommitOutcome(
        state.dataset_id,
        state.dataset_name,
        state.created,
        state.classes,
        state.added,
        state.already,
        state.imported,
        state.unused,
        _split_counts(session, state.dataset_id),
    )
    if journal:
        close_journal(session, plan.token)
    if plan.runner_name is not None:
        outcome.follow_ups = queue_thumbnails(session, state.inserted, plan.user_id, plan.runner_name)
    if plan.guard is not None and plan.result_of is not None:
        succeed_in(session, plan.guard.job_id, plan.guard.worker, plan.result_of(outcome), "imported")
    return outcome


def commit_import(db: Database, plan: CommitPlan) -> CommitOutcome:
    """Everything the import writes: in one transaction, or in batches of about `plan.batch_rows` rows
    that are removed again when a later one fails (see the module docstring)."""
    batch_of_unit = batch_of_units(plan.units, plan.unit_counts, plan.batch_rows)
    batches = int(batch_of_unit.max()) + 1 if len(batch_of_unit) else 1
    parts = split_rows(plan.rows, batch_of_unit, batches, plan.scratch) if batches > 1 else [plan.rows]
    state = _State(at=utcnow(), member=np.full(len(plan.units) + 1, -1, dtype=np.int64))
    tx = _Transactions(db, plan.guard)
    try:
        for number, rows in enumerate(parts):
            with tx.begin() as session:
                if number == 0:
                    _open(session, plan, state, journal=batches > 1)
                _write_batch(session, plan, state, np.flatnonzero(batch_of_unit == number).tolist(), rows)
                if number == batches - 1:
                    outcome = _close(session, plan, state, journal=batches > 1)
            tx.dataset_id = state.dataset_id
            if plan.progress is not None and number < batches - 1:
                plan.progress((number + 1) / batches)
    except BaseException:
        if batches > 1:
            _undo(db, plan.token)
        raise
    finally:
        if batches > 1:
            for part in parts:
                part.close()
    return outcome


def _undo(db: Database, token: str) -> None:
    """Remove the batches already committed; when that fails too, the sweep does it later."""
    try:
        undo_import(db, token)
    except Exception:
        log.exception("import %s: could not remove its committed batches yet; the sweep will", token)

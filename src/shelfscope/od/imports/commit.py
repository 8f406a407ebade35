"""Phase 4 of an import: one transaction that writes everything through the features' own bulk
writers (classes, images, dataset members, annotations), or nothing. It first checks that the job
still runs here, so a job taken away or cancelled meanwhile commits nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shelfscope.db import Database, utcnow
from shelfscope.jobs.service import hold_running_job
from shelfscope.od.annotations import service as annotations_service
from shelfscope.od.classes.service import ensure_classes
from shelfscope.od.datasets.lookup import require_dataset
from shelfscope.od.datasets.models import Dataset, DatasetImage
from shelfscope.od.datasets.service import NewMember, add_members
from shelfscope.od.images import service as images_service
from shelfscope.od.images.rows import NewImage
from shelfscope.od.imports.ingest import Unit
from shelfscope.od.imports.schemas import AliasMatch
from shelfscope.od.imports.spill import Spill


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


@dataclass
class ClassOutcome:
    """Which class each label became (-1: unused), and how the used labels were matched."""

    class_of: npt.NDArray[np.int64]
    matched: list[str]
    matched_by_alias: list[AliasMatch]
    created: list[str]


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
    return outcome


def _images(session: Session, units: list[Unit], user_id: int | None) -> tuple[list[int], list[str]]:
    """Image id per unit (reused ones have theirs), and the storage keys no row refers to."""
    image_ids = [u.existing_id or 0 for u in units]
    fresh = [i for i, u in enumerate(units) if u.existing_id is None and u.key is not None and u.entries]
    rows = [
        NewImage(
            content_hash=u.content_hash,
            storage_key=u.key or "",
            thumbnail_key=u.thumbnail_key,
            filename=u.filename,
            width=u.width,
            height=u.height,
            format=u.format,
            size_bytes=u.size_bytes,
            source="import",
        )
        for u in (units[i] for i in fresh)
    ]
    ids, unused = images_service.insert_many(session, rows, user_id)
    for i, image_id in zip(fresh, ids, strict=True):
        image_ids[i] = image_id
    return image_ids, unused


def _members(
    session: Session, dataset_id: int, plan: CommitPlan, image_ids: list[int]
) -> tuple[npt.NDArray[np.int64], int, int]:
    """Membership id per unit (-1: not in the import; one spare slot), added, already present."""
    live = [i for i, u in enumerate(plan.units) if u.entries]
    new = [NewMember(image_ids[i], plan.units[i].split, int(plan.unit_counts[i])) for i in live]
    ids, added, already = add_members(session, dataset_id, new)
    member = np.full(len(plan.units) + 1, -1, dtype=np.int64)
    member[live] = ids
    return member, added, already


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


def commit_import(db: Database, plan: CommitPlan) -> CommitOutcome:
    """Everything the import writes, in one transaction."""
    with db.writer() as session:
        try:
            if plan.guard is not None and not hold_running_job(session, plan.guard.job_id, plan.guard.worker):
                raise ImportCancelled("the import job was cancelled or taken away before it could commit")
            dataset, created = _target_dataset(session, plan)
            classes = _classes(session, plan)
            image_ids, unused = _images(session, plan.units, plan.user_id)
            member, added, already = _members(session, dataset.id, plan, image_ids)
            used_classes = tuple(sorted({int(c) for c in classes.class_of if c >= 0}))
            shared = annotations_service.SharedValues(
                dataset.id, plan.user_id, utcnow(), used_classes, source="import"
            )
            imported = annotations_service.insert_many(
                session, _annotation_rows(plan.rows, member, classes.class_of), shared
            )
            outcome = CommitOutcome(
                dataset.id,
                dataset.name,
                created,
                classes,
                added,
                already,
                imported,
                unused,
                _split_counts(session, dataset.id),
            )
            session.commit()
        except BaseException:
            session.rollback()
            raise
    return outcome

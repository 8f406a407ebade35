"""Finding a dataset by id: the one NotFound every feature answers for a dataset that is not there."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from shelfscope.errors import NotFound
from shelfscope.od.datasets.models import Dataset


def dataset_not_found(dataset_id: int) -> NotFound:
    return NotFound(f"There is no dataset with id {dataset_id}.", dataset_id=dataset_id)


def require_dataset(session: Session, dataset_id: int, *, lock: bool = False) -> Dataset:
    """The dataset, or NotFound. `lock`: SELECT ... FOR UPDATE on PostgreSQL, so it cannot be deleted
    before the caller commits (SQLite writers hold the database lock already)."""
    if lock:
        found = session.scalars(
            select(Dataset).where(Dataset.id == dataset_id).with_for_update()
        ).one_or_none()
    else:
        found = session.get(Dataset, dataset_id)
    if found is None:
        raise dataset_not_found(dataset_id)
    return found

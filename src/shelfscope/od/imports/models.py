"""The journal of an import that commits in more than one transaction (see commit.py and undo.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from shelfscope.db.base import Base


class ImportCommit(Base):
    """What an import has begun to write, recorded in its first transaction and deleted by its last:
    while the row exists, the rows the import wrote can be found again (by its dataset and the `at`
    stamp every one of them carries) and removed, by the import itself when it fails, or by the sweep
    after its worker died. No foreign keys: the row must outlive a deleted dataset or job."""

    __tablename__ = "od_import_commits"

    # The import's token: its job id as text.
    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    job_id: Mapped[int | None] = mapped_column(BigInteger, default=None, index=True)
    dataset_id: Mapped[int] = mapped_column(BigInteger)
    # True: the import made the dataset, and undoing it removes the dataset.
    dataset_created: Mapped[bool] = mapped_column(Boolean)
    user_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # created_at of every image, membership and annotation row the import inserts.
    at: Mapped[datetime]
    # Classes the import created (removed again unless something else uses them by then).
    class_ids: Mapped[list[Any]] = mapped_column(default=list)

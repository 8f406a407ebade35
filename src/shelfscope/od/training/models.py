"""The training run table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, synonym

from shelfscope.db.base import Base, BigIntId, TimestampMixin


class TrainingRun(TimestampMixin, Base):
    __tablename__ = "od_training_runs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')", name="status"),
        Index("ix_od_training_runs_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    dataset_id: Mapped[int | None] = mapped_column(ForeignKey("od_datasets.id", ondelete="SET NULL"))
    # RESTRICT: a version that trained a model stays so the run can be reproduced.
    dataset_version_id: Mapped[int] = mapped_column(
        ForeignKey("od_dataset_versions.id", ondelete="RESTRICT"), index=True
    )
    # The architecture's catalogue key ("rtdetrv2-r18"); `architecture` is the same column.
    base_model: Mapped[str] = mapped_column(String(64))
    family: Mapped[str] = mapped_column(String(16), default="", server_default="")
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"), index=True)
    current_epoch: Mapped[int] = mapped_column(Integer, default=0)
    total_epochs: Mapped[int] = mapped_column(Integer, default=0)
    # [{"epoch": 1, "train_loss": .., "map50": .., ...}, ...]; per-step points are job metrics.
    metrics_history: Mapped[list[Any]] = mapped_column(default=list)
    best_metrics: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    best_epoch: Mapped[int | None] = mapped_column(Integer, default=None)
    best_checkpoint_key: Mapped[str | None] = mapped_column(String(255), default=None)
    # The newest epoch's checkpoint: a run requeued after its worker died resumes from it.
    last_checkpoint_key: Mapped[str | None] = mapped_column(String(255), default=None)
    # Evaluation of the best checkpoint on the test split (the registered model's metrics).
    test_metrics: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    # Optimiser steps per epoch: per-step metrics carry a global step, and this gives their epoch.
    steps_per_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(Text, default=None)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)

    architecture = synonym("base_model")

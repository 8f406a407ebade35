"""Evaluations: one checkpoint's retrieval metrics and report on its run's test products."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shelfscope.db.base import Base, BigIntId, TimestampMixin

EVALUATION_STATUSES = ("queued", "running", "succeeded", "failed")


class PrEvaluation(TimestampMixin, Base):
    __tablename__ = "pr_evaluations"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'succeeded', 'failed')", name="status"),
        Index("ix_pr_evaluations_run_id", "run_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("pr_training_runs.id", ondelete="CASCADE"))
    # SET NULL: the report stays with the run (and its models) when the checkpoint is deleted.
    checkpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("pr_checkpoints.id", ondelete="SET NULL"), index=True
    )
    epoch: Mapped[int | None] = mapped_column(default=None)
    split: Mapped[str] = mapped_column(String(8), default="test")
    status: Mapped[str] = mapped_column(String(16), default="queued")
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"), index=True)
    # {"recall_at_1", "recall_at_5", "recall_at_10", "map_at_r", "queries", "products"}
    metrics: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    # The whole report (see ml/metrics/retrieval.py): cross_domain, per_category, hard_cases,
    # confused_pairs.
    report: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)

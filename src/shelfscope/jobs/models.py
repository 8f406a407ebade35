"""Job tables: one row per long task, and its append-only log and metric history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shelfscope.db.base import Base, BigIntId, TimestampMixin, utcnow
from shelfscope.jobs.caps import MAX_ERROR_CHARS, MAX_LOG_CHARS, CappedResult, CappedText

JOB_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")
TERMINAL_STATUSES = frozenset({"succeeded", "failed", "cancelled"})


class Job(TimestampMixin, Base):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')", name="status"),
        CheckConstraint("progress >= 0 AND progress <= 1", name="progress"),
        Index("ix_jobs_status_created", "status", "created_at"),
        Index("ix_jobs_created_id", "created_at", "id"),
        Index("ix_jobs_kind_created", "kind", "created_at"),
        CheckConstraint("queue IN ('default', 'ml', 'interactive')", name="queue"),
        # A worker claims the oldest queued job of its own queue.
        Index("ix_jobs_queue_status_created", "queue", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    runner: Mapped[str] = mapped_column(String(16))
    # Which workers run it (registry.QUEUES); fixed by the handler's declaration at submit.
    queue: Mapped[str] = mapped_column(String(16), default="default", server_default="default")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Capped on every write (jobs/caps.py): a result or error quoting hostile input stays small.
    result: Mapped[dict[str, Any] | None] = mapped_column(CappedResult(), default=None)
    error: Mapped[str | None] = mapped_column(CappedText(MAX_ERROR_CHARS), default=None)
    # When the handler raised a ShelfscopeError: its body ({"error": kind, "detail", ...extra}), so a
    # caller waiting on the job (jobs.interactive) raises the same error the handler did.
    error_body: Mapped[dict[str, Any] | None] = mapped_column(CappedResult(), default=None)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    stage: Mapped[str | None] = mapped_column(String(255), default=None)
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=1)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    # Which process holds it ("host:pid"), and the runner's own id for it (a Celery task id).
    worker: Mapped[str | None] = mapped_column(String(128), default=None)
    external_id: Mapped[str | None] = mapped_column(String(64), default=None)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)


class JobEvent(Base):
    """A log line or a metric point. Rows are only ever appended."""

    __tablename__ = "job_events"
    __table_args__ = (
        CheckConstraint("type IN ('log', 'metric')", name="type"),
        Index("ix_job_events_job_type_id", "job_id", "type", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    level: Mapped[str | None] = mapped_column(String(8), default=None)
    message: Mapped[str | None] = mapped_column(CappedText(MAX_LOG_CHARS), default=None)
    name: Mapped[str | None] = mapped_column(String(64), default=None)
    value: Mapped[float | None] = mapped_column(Float, default=None)
    step: Mapped[int | None] = mapped_column(Integer, default=None)
    data: Mapped[dict[str, Any] | None] = mapped_column(default=None)

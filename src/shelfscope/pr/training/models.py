"""Tables of embedding training: the run, the image list it froze, and its per-epoch checkpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from shelfscope.db.base import Base, BigIntId, TimestampMixin

RUN_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")
SPLITS = ("train", "val", "test")


class PrTrainingRun(TimestampMixin, Base):
    __tablename__ = "pr_training_runs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')", name="status"),
        Index("ix_pr_training_runs_status_created", "status", "created_at"),
        Index("ix_pr_training_runs_created_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    # The backbone's catalogue key ("dinov2-base").
    backbone: Mapped[str] = mapped_column(String(64))
    # False: the backbone's architecture with random weights (benchmarks, tests).
    pretrained: Mapped[bool] = mapped_column(Boolean, default=True)
    # The method: losses and weights, P-K batch, schedule, LLRD, early stopping, precision, seed.
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The data: source, dataset, domains, frame selection, minimum images, split ratios, seed.
    data_config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    dataset_id: Mapped[int | None] = mapped_column(ForeignKey("pr_datasets.id", ondelete="SET NULL"))
    # Per split {"products": n, "images": n, "domains": {...}}, plus "skipped": [{"image_id", "reason"}].
    data_summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"), index=True)
    current_epoch: Mapped[int] = mapped_column(Integer, default=0)
    total_epochs: Mapped[int] = mapped_column(Integer, default=0)
    current_batch: Mapped[int] = mapped_column(Integer, default=0)
    total_batches: Mapped[int] = mapped_column(Integer, default=0)
    # [{"epoch", "loss", "loss_arcface", "loss_triplet", "loss_domain", "lr", "val_recall_at_1", ...}]
    metrics_history: Mapped[list[Any]] = mapped_column(default=list)
    best_epoch: Mapped[int | None] = mapped_column(Integer, default=None)
    best_metrics: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class PrTrainingImage(Base):
    """One image of a run's frozen list, with its split. No foreign key to the product image: the list
    records what the run trained on even after the catalogue changes."""

    __tablename__ = "pr_training_images"
    __table_args__ = (
        CheckConstraint("split IN ('train', 'val', 'test')", name="split"),
        UniqueConstraint("run_id", "product_image_id"),
        Index("ix_pr_training_images_run_split", "run_id", "split", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("pr_training_runs.id", ondelete="CASCADE"))
    product_image_id: Mapped[int] = mapped_column(BigInteger)
    product_id: Mapped[int] = mapped_column(BigInteger)
    domain: Mapped[str] = mapped_column(String(16))
    split: Mapped[str] = mapped_column(String(8))
    storage_key: Mapped[str] = mapped_column(String(255))


class PrCheckpoint(TimestampMixin, Base):
    """One epoch's FP16 weights, stored under checkpoints/pr/<run>/; `is_best` marks the epoch with the
    best validation metric (one per run)."""

    __tablename__ = "pr_checkpoints"
    __table_args__ = (UniqueConstraint("run_id", "epoch"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("pr_training_runs.id", ondelete="CASCADE"), index=True)
    epoch: Mapped[int] = mapped_column(Integer)
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    # That epoch's validation metrics (val_recall_at_1, val_map_at_r, ...).
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    is_best: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the file holds, so the torch-free server can register a model from it: {"format", "backbone",
    # "family", "embedding_dim", "image_size", "preprocessing"}.
    model_info: Mapped[dict[str, Any]] = mapped_column(default=dict)

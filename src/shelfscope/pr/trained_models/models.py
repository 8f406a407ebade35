"""Registered embedding models: a checkpoint promoted to a model with its test metrics."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shelfscope.db.base import Base, BigIntId, TimestampMixin


class PrTrainedModel(TimestampMixin, Base):
    __tablename__ = "pr_trained_models"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    # Unique case-insensitively (the service compares lower(name)).
    name: Mapped[str] = mapped_column(String(255), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    run_id: Mapped[int | None] = mapped_column(
        ForeignKey("pr_training_runs.id", ondelete="SET NULL"), index=True
    )
    # The checkpoint it came from; deleting that checkpoint needs `force` and leaves this NULL.
    checkpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("pr_checkpoints.id", ondelete="SET NULL"), index=True
    )
    # The model's own copy of the weights (models/pr/<id>/model.pt): it outlives its checkpoint.
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    backbone: Mapped[str] = mapped_column(String(64))
    embedding_dim: Mapped[int] = mapped_column(Integer)
    image_size: Mapped[int] = mapped_column(Integer)
    # {"image_size", "resize", "mean", "std"}: what an extractor must do to an image before the model.
    preprocessing: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The checkpoint's evaluation on its run's test products (recall_at_1/5/10, map_at_r, ...); None
    # until that evaluation has finished.
    test_metrics: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    evaluation_id: Mapped[int | None] = mapped_column(
        ForeignKey("pr_evaluations.id", ondelete="SET NULL"), default=None
    )
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

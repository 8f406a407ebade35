"""The trained model table."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, synonym

from shelfscope.db.base import Base, BigIntId, TimestampMixin


class TrainedModel(TimestampMixin, Base):
    __tablename__ = "od_trained_models"
    __table_args__ = (
        Index("ix_od_trained_models_created_id", "created_at", "id"),
        # At most one default, whatever the requests race (migration 0010).
        Index(
            "uq_od_trained_models_one_default",
            "is_default",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    training_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("od_training_runs.id", ondelete="SET NULL"), index=True
    )
    # The architecture's catalogue key ("rtdetrv2-r18"); `architecture` is the same column.
    base_model: Mapped[str] = mapped_column(String(64), index=True)
    family: Mapped[str] = mapped_column(String(16), default="", server_default="")
    # The frozen version it was trained on (kept when the run is deleted).
    dataset_id: Mapped[int | None] = mapped_column(ForeignKey("od_datasets.id", ondelete="SET NULL"))
    dataset_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("od_dataset_versions.id", ondelete="SET NULL")
    )
    artifact_key: Mapped[str] = mapped_column(String(255))
    artifact_size: Mapped[int] = mapped_column(BigInteger, default=0)
    artifact_format: Mapped[str] = mapped_column(String(16), default="pytorch")
    input_size: Mapped[int] = mapped_column(Integer, default=640)
    # [{"index": 0, "class_id": 7, "name": "cola"}, ...] frozen from the training version.
    class_mapping: Mapped[list[Any]] = mapped_column(default=list)
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # At most one model is the default for AI annotation; the service keeps it so.
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The ONNX export and its parity check (registry service: OnnxInfo), None until one was asked for.
    onnx: Mapped[dict[str, Any] | None] = mapped_column(default=None)

    architecture = synonym("base_model")

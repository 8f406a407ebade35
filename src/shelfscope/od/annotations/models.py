"""The annotation table: one row per box or polygon."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column

from shelfscope.db.base import Base, BigIntId, TimestampMixin


class Annotation(TimestampMixin, Base):
    __tablename__ = "od_annotations"
    __table_args__ = (
        CheckConstraint("kind IN ('bbox', 'polygon')", name="kind"),
        CheckConstraint("source IN ('manual', 'ai', 'import')", name="source"),
        CheckConstraint("review_state IN ('none', 'pending', 'accepted', 'rejected')", name="review_state"),
        CheckConstraint("x2 >= x1 AND y2 >= y1", name="box_ordered"),
        CheckConstraint("confidence IS NULL OR (confidence >= 0 AND confidence <= 1)", name="confidence"),
        Index("ix_od_annotations_dataset_image", "dataset_image_id"),
        Index("ix_od_annotations_dataset_class", "dataset_id", "class_id"),
        Index("ix_od_annotations_class", "class_id"),
        # The review queue: a dataset's images with AI proposals still pending.
        Index("ix_od_annotations_dataset_review", "dataset_id", "review_state", "dataset_image_id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    # dataset_id repeats the membership's dataset so per-dataset counts need no join.
    dataset_id: Mapped[int] = mapped_column(ForeignKey("od_datasets.id", ondelete="CASCADE"))
    dataset_image_id: Mapped[int] = mapped_column(ForeignKey("od_dataset_images.id", ondelete="CASCADE"))
    # RESTRICT: a class with annotations is only removed by an explicit delete/reassign/merge.
    class_id: Mapped[int] = mapped_column(ForeignKey("od_classes.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(8), default="bbox")
    # Image pixel coordinates; for a polygon, its bounding box.
    x1: Mapped[float] = mapped_column(Float)
    y1: Mapped[float] = mapped_column(Float)
    x2: Mapped[float] = mapped_column(Float)
    y2: Mapped[float] = mapped_column(Float)
    # Polygon vertices [[x, y], ...] in image pixels; null for a box.
    points: Mapped[list[Any] | None] = mapped_column(default=None)
    source: Mapped[str] = mapped_column(String(8), default="manual")
    confidence: Mapped[float | None] = mapped_column(Float, default=None)
    review_state: Mapped[str] = mapped_column(String(10), default="none")
    # An AI proposal whose box or class a person changed while it was pending: accepting it then
    # counts as "accepted after edit" in the review stats, and a re-run of its model keeps it.
    review_edited: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The model that proposed it: a zero-shot model name or "trained:<id>".
    model: Mapped[str | None] = mapped_column(String(128), default=None)
    trained_model_id: Mapped[int | None] = mapped_column(
        ForeignKey("od_trained_models.id", ondelete="SET NULL"), index=True
    )
    attributes: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

"""Cutouts: crops of one product each, cut from shelf photos of the image library."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shelfscope.db.base import Base, BigIntId, TimestampMixin

CUTOUT_STATES = ("unmatched", "matched", "rejected")
CUTOUT_SOURCES = ("annotation", "prediction", "manual")


class Cutout(TimestampMixin, Base):
    __tablename__ = "pr_cutouts"
    __table_args__ = (
        CheckConstraint("state IN ('unmatched', 'matched', 'rejected')", name="state"),
        CheckConstraint("source IN ('annotation', 'prediction', 'manual')", name="source"),
        CheckConstraint("x2 > x1 AND y2 > y1", name="box_positive"),
        CheckConstraint("state != 'matched' OR product_id IS NOT NULL", name="matched_has_product"),
        # One cutout a box: coordinates are rounded to 0.01 px by the service before they are written.
        UniqueConstraint("image_id", "x1", "y1", "x2", "y2"),
        Index("ix_pr_cutouts_state_id", "state", "id"),
        Index("ix_pr_cutouts_dataset_id", "dataset_id", "id"),
        Index("ix_pr_cutouts_class_id", "class_id", "id"),
        Index("ix_pr_cutouts_product_id", "product_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    image_id: Mapped[int] = mapped_column(ForeignKey("od_images.id", ondelete="CASCADE"))
    # Where it came from: the dataset, and the annotation or the model that drew the box.
    dataset_id: Mapped[int | None] = mapped_column(ForeignKey("od_datasets.id", ondelete="SET NULL"))
    annotation_id: Mapped[int | None] = mapped_column(
        ForeignKey("od_annotations.id", ondelete="SET NULL"), default=None
    )
    class_id: Mapped[int | None] = mapped_column(ForeignKey("od_classes.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16))
    model: Mapped[str | None] = mapped_column(String(255), default=None)
    confidence: Mapped[float | None] = mapped_column(Float, default=None)
    # The box in the source image's pixels, without the margin.
    x1: Mapped[float] = mapped_column(Float)
    y1: Mapped[float] = mapped_column(Float)
    x2: Mapped[float] = mapped_column(Float)
    y2: Mapped[float] = mapped_column(Float)
    # The crop as stored: the box grown by `margin` (a fraction of its size), clipped to the image.
    margin: Mapped[float] = mapped_column(Float, default=0.0)
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default="unmatched")
    product_id: Mapped[int | None] = mapped_column(ForeignKey("pr_products.id", ondelete="SET NULL"))
    match_score: Mapped[float | None] = mapped_column(Float, default=None)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

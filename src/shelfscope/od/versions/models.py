"""Tables of dataset versions and their frozen contents."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shelfscope.db.base import Base, BigIntId, TimestampMixin


class DatasetVersion(TimestampMixin, Base):
    __tablename__ = "od_dataset_versions"
    __table_args__ = (
        CheckConstraint("status IN ('building', 'ready', 'failed')", name="status"),
        UniqueConstraint("dataset_id", "number"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("od_datasets.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="building")
    # [{"index": 0, "class_id": 7, "name": "cola"}, ...] as it was at creation.
    class_mapping: Mapped[list[Any]] = mapped_column(default=list)
    # {"ratios": {"train": .7, ...}, "seed": 1, "stratified": false, ...}
    split_config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # {"images": {"train": n, ...}, "annotations": {...}, "classes": {...}}
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class VersionImage(Base):
    __tablename__ = "od_dataset_version_images"
    __table_args__ = (
        CheckConstraint("split IN ('train', 'val', 'test')", name="split"),
        UniqueConstraint("version_id", "image_id"),
        Index("ix_od_dataset_version_images_version_split", "version_id", "split", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("od_dataset_versions.id", ondelete="CASCADE"))
    # RESTRICT: an image frozen in a version cannot silently vanish from it.
    image_id: Mapped[int] = mapped_column(ForeignKey("od_images.id", ondelete="RESTRICT"), index=True)
    split: Mapped[str] = mapped_column(String(8))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)


class VersionAnnotation(Base):
    __tablename__ = "od_dataset_version_annotations"
    __table_args__ = (Index("ix_od_dataset_version_annotations_image", "version_image_id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("od_dataset_versions.id", ondelete="CASCADE"), index=True
    )
    version_image_id: Mapped[int] = mapped_column(
        ForeignKey("od_dataset_version_images.id", ondelete="CASCADE")
    )
    # Index into the version's frozen class_mapping, not a live class id.
    class_index: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8), default="bbox")
    x1: Mapped[float] = mapped_column(Float)
    y1: Mapped[float] = mapped_column(Float)
    x2: Mapped[float] = mapped_column(Float)
    y2: Mapped[float] = mapped_column(Float)
    points: Mapped[list[Any] | None] = mapped_column(default=None)
    # The annotation's attributes as frozen (VOC difficult/truncated/occluded/pose, COCO iscrowd).
    attributes: Mapped[dict[str, Any] | None] = mapped_column(default=None)

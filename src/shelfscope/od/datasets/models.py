"""Tables of datasets and their membership."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shelfscope.db.base import Base, BigIntId, TimestampMixin


class Dataset(TimestampMixin, Base):
    __tablename__ = "od_datasets"
    __table_args__ = (
        CheckConstraint("annotation_type IN ('bbox', 'polygon')", name="annotation_type"),
        Index("ix_od_datasets_created_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    annotation_type: Mapped[str] = mapped_column(String(16), default="bbox")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)


class DatasetImage(TimestampMixin, Base):
    __tablename__ = "od_dataset_images"
    __table_args__ = (
        CheckConstraint("status IN ('new', 'in_progress', 'completed', 'skipped')", name="status"),
        CheckConstraint("split IS NULL OR split IN ('train', 'val', 'test')", name="split"),
        UniqueConstraint("dataset_id", "image_id"),
        Index("ix_od_dataset_images_dataset_status", "dataset_id", "status", "id"),
        Index("ix_od_dataset_images_image", "image_id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("od_datasets.id", ondelete="CASCADE"))
    # Removing an image from the library removes its memberships; the image service refuses first
    # when annotations would be lost.
    image_id: Mapped[int] = mapped_column(ForeignKey("od_images.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="new")
    split: Mapped[str | None] = mapped_column(String(8), default=None)
    annotation_count: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped on every editor save; a save naming an older revision is a conflict.
    revision: Mapped[int] = mapped_column(Integer, default=0)
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)


class DatasetClass(Base):
    """A dataset's label set: the classes it uses, in the order the editor offers them (keys 1-9 go
    to the first nine). Deleting the dataset or the class removes the row."""

    __tablename__ = "od_dataset_classes"
    __table_args__ = (UniqueConstraint("dataset_id", "position"),)

    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("od_datasets.id", ondelete="CASCADE"), primary_key=True
    )
    class_id: Mapped[int] = mapped_column(
        ForeignKey("od_classes.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer)

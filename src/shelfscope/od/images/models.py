"""Tables of the image library."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shelfscope.db.base import Base, BigIntId, TimestampMixin

IMAGE_SOURCES = ("upload", "url", "sync", "import")


class Image(TimestampMixin, Base):
    __tablename__ = "od_images"
    __table_args__ = (
        CheckConstraint("source IN ('upload', 'url', 'sync', 'import')", name="source"),
        CheckConstraint("width > 0 AND height > 0", name="size_positive"),
        # A synced image is skipped when its source id is already present.
        UniqueConstraint("source", "source_id"),
        # Keyset pagination for every sort the list offers.
        Index("ix_od_images_created_id", "created_at", "id"),
        Index("ix_od_images_filename_id", "filename", "id"),
        Index("ix_od_images_size_id", "size_bytes", "id"),
        Index("ix_od_images_folder_id", "folder", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)
    thumbnail_key: Mapped[str | None] = mapped_column(String(255), default=None)
    # Display only; never used to build a storage path.
    filename: Mapped[str] = mapped_column(String(512))
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(16))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(16), default="upload")
    source_id: Mapped[str | None] = mapped_column(String(255), default=None)
    folder: Mapped[str | None] = mapped_column(String(512), default=None)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)


class ImageTag(Base):
    """Tags live in their own table so a tag filter is an index lookup, not a JSON scan."""

    __tablename__ = "od_image_tags"
    __table_args__ = (Index("ix_od_image_tags_tag_image", "tag", "image_id"),)

    image_id: Mapped[int] = mapped_column(ForeignKey("od_images.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(128), primary_key=True)

"""Tables of the image library."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
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
        # Filename search (case-insensitive substring): a pg_trgm GIN index answers ILIKE '%q%' on
        # PostgreSQL. SQLite has no trigram index outside FTS5 virtual tables (which would sit outside
        # the migrated schema), so there this index is declared empty (WHERE 0) and the search scans
        # ix_od_images_filename_id instead (service.list_images; ~20 ms at 200,000 images, see
        # bench/images_bench.py).
        Index(
            "ix_od_images_filename_trgm",
            "filename",
            postgresql_using="gin",
            postgresql_ops={"filename": "gin_trgm_ops"},
            sqlite_where=text("0"),
        ),
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

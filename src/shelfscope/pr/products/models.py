"""Tables of the product catalogue: products, their images (by domain) and their videos."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from shelfscope.db.base import Base, BigIntId, TimestampMixin

PRODUCT_STATUSES = ("active", "draft", "archived")
# synthetic: catalogue packshots and video frames; real: in-store photos; augmented: made from others;
# cutout: crops of the product cut from shelf photos.
DOMAINS = ("synthetic", "real", "augmented", "cutout")
IMAGE_SOURCES = ("upload", "url", "video", "import", "cutout")
VIDEO_STATUSES = ("pending", "extracting", "ready", "failed")


class Product(TimestampMixin, Base):
    __tablename__ = "pr_products"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'draft', 'archived')", name="status"),
        # Keyset pagination for every sort the list offers.
        Index("ix_pr_products_created_id", "created_at", "id"),
        Index("ix_pr_products_name_id", "name", "id"),
        Index("ix_pr_products_brand_id", "brand", "id"),
        Index("ix_pr_products_category_id", "category", "id"),
        Index("ix_pr_products_image_count_id", "image_count", "id"),
        # Barcodes are optional but, when present, name one product.
        Index(
            "uq_pr_products_barcode",
            "barcode",
            unique=True,
            sqlite_where=text("barcode IS NOT NULL"),
            postgresql_where=text("barcode IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    sku: Mapped[str] = mapped_column(String(128), unique=True)
    barcode: Mapped[str | None] = mapped_column(String(64), default=None)
    name: Mapped[str] = mapped_column(String(512))
    brand: Mapped[str | None] = mapped_column(String(255), default=None)
    category: Mapped[str | None] = mapped_column(String(255), default=None)
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="active")
    # Counters kept by the service in the same transaction as every image write, so "too few images"
    # and "has real images" filter by an indexed column at 100,000 products, not an aggregate.
    image_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    synthetic_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    real_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    augmented_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    cutout_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ProductVideo(TimestampMixin, Base):
    __tablename__ = "pr_product_videos"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'extracting', 'ready', 'failed')", name="status"),
        Index("ix_pr_product_videos_product_id", "product_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("pr_products.id", ondelete="CASCADE"))
    # None once the frames are taken when the setting drops videos.
    storage_key: Mapped[str | None] = mapped_column(String(255), default=None)
    filename: Mapped[str] = mapped_column(String(512))
    content_hash: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    format: Mapped[str] = mapped_column(String(16))
    width: Mapped[int | None] = mapped_column(Integer, default=None)
    height: Mapped[int | None] = mapped_column(Integer, default=None)
    duration_s: Mapped[float | None] = mapped_column(Float, default=None)
    fps: Mapped[float | None] = mapped_column(Float, default=None)
    # {"mode": "first" | "key_frames" | "interval", "every_s": 1.0, "max_frames": 50}
    frame_policy: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    frames_extracted: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(Text, default=None)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ProductImage(TimestampMixin, Base):
    __tablename__ = "pr_product_images"
    __table_args__ = (
        CheckConstraint("domain IN ('synthetic', 'real', 'augmented', 'cutout')", name="domain"),
        CheckConstraint("source IN ('upload', 'url', 'video', 'import', 'cutout')", name="source"),
        CheckConstraint("width > 0 AND height > 0", name="size_positive"),
        Index("ix_pr_product_images_product_domain_id", "product_id", "domain", "id"),
        Index("ix_pr_product_images_video_frame", "video_id", "frame_index"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("pr_products.id", ondelete="CASCADE"))
    domain: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16), default="upload")
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)
    thumbnail_key: Mapped[str | None] = mapped_column(String(255), default=None)
    # Display only; never used to build a storage path.
    filename: Mapped[str] = mapped_column(String(512))
    # One file, one product: the same bytes on two SKUs is a labelling mistake, answered as a duplicate
    # naming the product that has it (moving it is an explicit operation).
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(16))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    video_id: Mapped[int | None] = mapped_column(
        ForeignKey("pr_product_videos.id", ondelete="SET NULL"), default=None
    )
    frame_index: Mapped[int | None] = mapped_column(Integer, default=None)
    frame_time_s: Mapped[float | None] = mapped_column(Float, default=None)
    # A cutout promoted into the product's gallery (domain "cutout"); the FK lives on the cutout side.
    cutout_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

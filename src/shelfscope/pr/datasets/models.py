"""PR datasets (named sets of products and which of their images count) and their frozen versions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shelfscope.db.base import Base, BigIntId, TimestampMixin

DATASET_SOURCES = ("all_products", "matched_products", "selection")


class PrDataset(TimestampMixin, Base):
    __tablename__ = "pr_datasets"
    __table_args__ = (
        CheckConstraint("source IN ('all_products', 'matched_products', 'selection')", name="source"),
        CheckConstraint("min_images_per_product >= 0", name="min_images"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    # Unique case-insensitively (the service compares lower(name)).
    name: Mapped[str] = mapped_column(String(255), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(24), default="all_products")
    # selection: {"product_ids": [...]} and/or {"brand": ..., "category": ..., "status": ...}
    selection: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Which image domains count, e.g. ["synthetic", "real"].
    domains: Mapped[list[Any]] = mapped_column(default=list)
    min_images_per_product: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class PrDatasetVersion(TimestampMixin, Base):
    __tablename__ = "pr_dataset_versions"
    __table_args__ = (UniqueConstraint("dataset_id", "number"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("pr_datasets.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255), default="")
    # The dataset's source, selection, domains and minimum as they were when frozen.
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # {"products": n, "images": n, "domains": {"real": n, ...}, "excluded": n}
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class PrVersionImage(Base):
    """One image frozen in a version. RESTRICT: a product delete that would take an image out of a
    version is refused unless forced (the service then removes these rows first, in one transaction)."""

    __tablename__ = "pr_dataset_version_images"
    __table_args__ = (
        UniqueConstraint("version_id", "product_image_id"),
        Index("ix_pr_dataset_version_images_version_product", "version_id", "product_id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("pr_dataset_versions.id", ondelete="CASCADE"))
    product_image_id: Mapped[int] = mapped_column(
        ForeignKey("pr_product_images.id", ondelete="RESTRICT"), index=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("pr_products.id", ondelete="RESTRICT"), index=True)
    domain: Mapped[str] = mapped_column(String(16))

"""Product recognition data: products with their images and videos, cutouts from shelf photos, PR datasets
and their frozen versions

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import shelfscope.db.base

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "pr_datasets",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=24), nullable=False),
        sa.Column("selection", _JSON, nullable=False),
        sa.Column("domains", _JSON, nullable=False),
        sa.Column("min_images_per_product", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "created_at",
            shelfscope.db.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            shelfscope.db.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "source IN ('all_products', 'matched_products', 'selection')", name=op.f("ck_pr_datasets_source")
        ),
        sa.CheckConstraint("min_images_per_product >= 0", name=op.f("ck_pr_datasets_min_images")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_pr_datasets_created_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pr_datasets")),
        sa.UniqueConstraint("name", name=op.f("uq_pr_datasets_name")),
    )
    op.create_table(
        "pr_products",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("sku", sa.String(length=128), nullable=False),
        sa.Column("barcode", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=512), nullable=False),
        sa.Column("brand", sa.String(length=255), nullable=True),
        sa.Column("category", sa.String(length=255), nullable=True),
        sa.Column("attributes", _JSON, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("image_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("synthetic_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("real_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("augmented_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("cutout_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "created_at",
            shelfscope.db.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            shelfscope.db.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint("status IN ('active', 'draft', 'archived')", name=op.f("ck_pr_products_status")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_pr_products_created_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pr_products")),
        sa.UniqueConstraint("sku", name=op.f("uq_pr_products_sku")),
    )
    with op.batch_alter_table("pr_products", schema=None) as batch_op:
        batch_op.create_index("ix_pr_products_brand_id", ["brand", "id"], unique=False)
        batch_op.create_index("ix_pr_products_category_id", ["category", "id"], unique=False)
        batch_op.create_index("ix_pr_products_created_id", ["created_at", "id"], unique=False)
        batch_op.create_index("ix_pr_products_image_count_id", ["image_count", "id"], unique=False)
        batch_op.create_index("ix_pr_products_name_id", ["name", "id"], unique=False)
        batch_op.create_index(
            "uq_pr_products_barcode",
            ["barcode"],
            unique=True,
            sqlite_where=sa.text("barcode IS NOT NULL"),
            postgresql_where=sa.text("barcode IS NOT NULL"),
        )

    op.create_table(
        "pr_dataset_versions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("dataset_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("config", _JSON, nullable=False),
        sa.Column("counts", _JSON, nullable=False),
        sa.Column("created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "created_at",
            shelfscope.db.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            shelfscope.db.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_pr_dataset_versions_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["pr_datasets.id"],
            name=op.f("fk_pr_dataset_versions_dataset_id_pr_datasets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pr_dataset_versions")),
        sa.UniqueConstraint("dataset_id", "number", name=op.f("uq_pr_dataset_versions_dataset_id_number")),
    )
    op.create_table(
        "pr_product_videos",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("product_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("storage_key", sa.String(length=255), nullable=True),
        sa.Column("filename", sa.String(length=512), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("fps", sa.Float(), nullable=True),
        sa.Column("frame_policy", _JSON, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("frames_extracted", sa.Integer(), server_default="0", nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("job_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "created_at",
            shelfscope.db.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            shelfscope.db.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'extracting', 'ready', 'failed')", name=op.f("ck_pr_product_videos_status")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_pr_product_videos_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_pr_product_videos_job_id_jobs"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["pr_products.id"],
            name=op.f("fk_pr_product_videos_product_id_pr_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pr_product_videos")),
    )
    with op.batch_alter_table("pr_product_videos", schema=None) as batch_op:
        batch_op.create_index("ix_pr_product_videos_product_id", ["product_id", "id"], unique=False)

    op.create_table(
        "pr_product_images",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("product_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("domain", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("storage_key", sa.String(length=255), nullable=False),
        sa.Column("thumbnail_key", sa.String(length=255), nullable=True),
        sa.Column("filename", sa.String(length=512), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("video_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("frame_index", sa.Integer(), nullable=True),
        sa.Column("frame_time_s", sa.Float(), nullable=True),
        sa.Column("cutout_id", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "created_at",
            shelfscope.db.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            shelfscope.db.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "domain IN ('synthetic', 'real', 'augmented', 'cutout')", name=op.f("ck_pr_product_images_domain")
        ),
        sa.CheckConstraint(
            "source IN ('upload', 'url', 'video', 'import', 'cutout')",
            name=op.f("ck_pr_product_images_source"),
        ),
        sa.CheckConstraint("width > 0 AND height > 0", name=op.f("ck_pr_product_images_size_positive")),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_pr_product_images_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["pr_products.id"],
            name=op.f("fk_pr_product_images_product_id_pr_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["video_id"],
            ["pr_product_videos.id"],
            name=op.f("fk_pr_product_images_video_id_pr_product_videos"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pr_product_images")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_pr_product_images_content_hash")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_pr_product_images_storage_key")),
    )
    with op.batch_alter_table("pr_product_images", schema=None) as batch_op:
        batch_op.create_index(
            "ix_pr_product_images_product_domain_id", ["product_id", "domain", "id"], unique=False
        )
        batch_op.create_index("ix_pr_product_images_video_frame", ["video_id", "frame_index"], unique=False)

    op.create_table(
        "pr_dataset_version_images",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("version_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("product_image_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("product_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("domain", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["pr_products.id"],
            name=op.f("fk_pr_dataset_version_images_product_id_pr_products"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["product_image_id"],
            ["pr_product_images.id"],
            name=op.f("fk_pr_dataset_version_images_product_image_id_pr_product_images"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["pr_dataset_versions.id"],
            name=op.f("fk_pr_dataset_version_images_version_id_pr_dataset_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pr_dataset_version_images")),
        sa.UniqueConstraint(
            "version_id",
            "product_image_id",
            name=op.f("uq_pr_dataset_version_images_version_id_product_image_id"),
        ),
    )
    with op.batch_alter_table("pr_dataset_version_images", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pr_dataset_version_images_product_id"), ["product_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pr_dataset_version_images_product_image_id"), ["product_image_id"], unique=False
        )
        batch_op.create_index(
            "ix_pr_dataset_version_images_version_product", ["version_id", "product_id"], unique=False
        )

    op.create_table(
        "pr_cutouts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("image_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("dataset_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("annotation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("class_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("model", sa.String(length=255), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("x1", sa.Float(), nullable=False),
        sa.Column("y1", sa.Float(), nullable=False),
        sa.Column("x2", sa.Float(), nullable=False),
        sa.Column("y2", sa.Float(), nullable=False),
        sa.Column("margin", sa.Float(), nullable=False),
        sa.Column("storage_key", sa.String(length=255), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("product_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("match_score", sa.Float(), nullable=True),
        sa.Column("job_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "created_at",
            shelfscope.db.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            shelfscope.db.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "source IN ('annotation', 'prediction', 'manual')", name=op.f("ck_pr_cutouts_source")
        ),
        sa.CheckConstraint(
            "state != 'matched' OR product_id IS NOT NULL", name=op.f("ck_pr_cutouts_matched_has_product")
        ),
        sa.CheckConstraint("state IN ('unmatched', 'matched', 'rejected')", name=op.f("ck_pr_cutouts_state")),
        sa.CheckConstraint("x2 > x1 AND y2 > y1", name=op.f("ck_pr_cutouts_box_positive")),
        sa.ForeignKeyConstraint(
            ["annotation_id"],
            ["od_annotations.id"],
            name=op.f("fk_pr_cutouts_annotation_id_od_annotations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["od_classes.id"],
            name=op.f("fk_pr_cutouts_class_id_od_classes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_pr_cutouts_created_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["od_datasets.id"],
            name=op.f("fk_pr_cutouts_dataset_id_od_datasets"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["image_id"], ["od_images.id"], name=op.f("fk_pr_cutouts_image_id_od_images"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_pr_cutouts_job_id_jobs"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["pr_products.id"],
            name=op.f("fk_pr_cutouts_product_id_pr_products"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pr_cutouts")),
        sa.UniqueConstraint(
            "image_id", "x1", "y1", "x2", "y2", name=op.f("uq_pr_cutouts_image_id_x1_y1_x2_y2")
        ),
        sa.UniqueConstraint("storage_key", name=op.f("uq_pr_cutouts_storage_key")),
    )
    with op.batch_alter_table("pr_cutouts", schema=None) as batch_op:
        batch_op.create_index("ix_pr_cutouts_class_id", ["class_id", "id"], unique=False)
        batch_op.create_index("ix_pr_cutouts_dataset_id", ["dataset_id", "id"], unique=False)
        batch_op.create_index("ix_pr_cutouts_product_id", ["product_id", "id"], unique=False)
        batch_op.create_index("ix_pr_cutouts_state_id", ["state", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pr_cutouts", schema=None) as batch_op:
        batch_op.drop_index("ix_pr_cutouts_state_id")
        batch_op.drop_index("ix_pr_cutouts_product_id")
        batch_op.drop_index("ix_pr_cutouts_dataset_id")
        batch_op.drop_index("ix_pr_cutouts_class_id")

    op.drop_table("pr_cutouts")
    with op.batch_alter_table("pr_dataset_version_images", schema=None) as batch_op:
        batch_op.drop_index("ix_pr_dataset_version_images_version_product")
        batch_op.drop_index(batch_op.f("ix_pr_dataset_version_images_product_image_id"))
        batch_op.drop_index(batch_op.f("ix_pr_dataset_version_images_product_id"))

    op.drop_table("pr_dataset_version_images")
    with op.batch_alter_table("pr_product_images", schema=None) as batch_op:
        batch_op.drop_index("ix_pr_product_images_video_frame")
        batch_op.drop_index("ix_pr_product_images_product_domain_id")

    op.drop_table("pr_product_images")
    with op.batch_alter_table("pr_product_videos", schema=None) as batch_op:
        batch_op.drop_index("ix_pr_product_videos_product_id")

    op.drop_table("pr_product_videos")
    op.drop_table("pr_dataset_versions")
    with op.batch_alter_table("pr_products", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_pr_products_barcode",
            sqlite_where=sa.text("barcode IS NOT NULL"),
            postgresql_where=sa.text("barcode IS NOT NULL"),
        )
        batch_op.drop_index("ix_pr_products_name_id")
        batch_op.drop_index("ix_pr_products_image_count_id")
        batch_op.drop_index("ix_pr_products_created_id")
        batch_op.drop_index("ix_pr_products_category_id")
        batch_op.drop_index("ix_pr_products_brand_id")

    op.drop_table("pr_products")
    op.drop_table("pr_datasets")

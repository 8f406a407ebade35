"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import shelfscope.db.base

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "od_classes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("name_key", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=False),
        sa.Column("color", sa.String(length=9), nullable=False),
        sa.Column("category", sa.String(length=128), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "aliases",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_od_classes")),
        sa.UniqueConstraint("name_key", name=op.f("uq_od_classes_name_key")),
    )
    with op.batch_alter_table("od_classes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_od_classes_category"), ["category"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("last_login_at", shelfscope.db.base.UTCDateTime(timezone=True), nullable=True),
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
        sa.CheckConstraint("role IN ('admin', 'annotator', 'viewer')", name=op.f("ck_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", shelfscope.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", shelfscope.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", shelfscope.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", shelfscope.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "jobs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("runner", sa.String(length=16), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "result",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("stage", sa.String(length=255), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("worker", sa.String(length=128), nullable=True),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("started_at", shelfscope.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", shelfscope.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", shelfscope.db.base.UTCDateTime(timezone=True), nullable=True),
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
            "status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')", name=op.f("ck_jobs_status")
        ),
        sa.CheckConstraint("progress >= 0 AND progress <= 1", name=op.f("ck_jobs_progress")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_jobs_created_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jobs_created_by"), ["created_by"], unique=False)
        batch_op.create_index("ix_jobs_created_id", ["created_at", "id"], unique=False)
        batch_op.create_index("ix_jobs_kind_created", ["kind", "created_at"], unique=False)
        batch_op.create_index("ix_jobs_status_created", ["status", "created_at"], unique=False)

    op.create_table(
        "od_class_aliases",
        sa.Column("alias_key", sa.String(length=255), nullable=False),
        sa.Column("class_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["od_classes.id"],
            name=op.f("fk_od_class_aliases_class_id_od_classes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("alias_key", name=op.f("pk_od_class_aliases")),
    )
    with op.batch_alter_table("od_class_aliases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_od_class_aliases_class_id"), ["class_id"], unique=False)

    op.create_table(
        "od_class_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("class_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("class_name", sa.String(length=255), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column(
            "before",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "after",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("at", shelfscope.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "action IN ('create', 'update', 'rename', 'merge', 'delete')",
            name=op.f("ck_od_class_changes_action"),
        ),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["od_classes.id"],
            name=op.f("fk_od_class_changes_class_id_od_classes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_od_class_changes_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_od_class_changes")),
    )
    with op.batch_alter_table("od_class_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_od_class_changes_at"), ["at"], unique=False)
        batch_op.create_index("ix_od_class_changes_class_at", ["class_id", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_od_class_changes_user_id"), ["user_id"], unique=False)

    op.create_table(
        "od_datasets",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("annotation_type", sa.String(length=16), nullable=False),
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
            "annotation_type IN ('bbox', 'polygon')", name=op.f("ck_od_datasets_annotation_type")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_od_datasets_created_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_od_datasets")),
    )
    with op.batch_alter_table("od_datasets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_od_datasets_created_by"), ["created_by"], unique=False)
        batch_op.create_index("ix_od_datasets_created_id", ["created_at", "id"], unique=False)

    op.create_table(
        "od_images",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("storage_key", sa.String(length=255), nullable=False),
        sa.Column("thumbnail_key", sa.String(length=255), nullable=True),
        sa.Column("filename", sa.String(length=512), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=True),
        sa.Column("folder", sa.String(length=512), nullable=True),
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
        sa.CheckConstraint("source IN ('upload', 'url', 'sync', 'import')", name=op.f("ck_od_images_source")),
        sa.CheckConstraint("width > 0 AND height > 0", name=op.f("ck_od_images_size_positive")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_od_images_created_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_od_images")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_od_images_content_hash")),
        sa.UniqueConstraint("source", "source_id", name=op.f("uq_od_images_source_source_id")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_od_images_storage_key")),
    )
    with op.batch_alter_table("od_images", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_od_images_created_by"), ["created_by"], unique=False)
        batch_op.create_index("ix_od_images_created_id", ["created_at", "id"], unique=False)
        batch_op.create_index("ix_od_images_filename_id", ["filename", "id"], unique=False)
        batch_op.create_index("ix_od_images_folder_id", ["folder", "id"], unique=False)
        batch_op.create_index("ix_od_images_size_id", ["size_bytes", "id"], unique=False)

    op.create_table(
        "sessions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", shelfscope.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", shelfscope.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", shelfscope.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("user_agent", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sessions_token_hash")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sessions_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "setup_links",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_at", shelfscope.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", shelfscope.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", shelfscope.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("purpose IN ('first_admin', 'set_password')", name=op.f("ck_setup_links_purpose")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_setup_links_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_setup_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_setup_links_token_hash")),
    )
    with op.batch_alter_table("setup_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_setup_links_user_id"), ["user_id"], unique=False)

    op.create_table(
        "job_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("job_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("type", sa.String(length=8), nullable=False),
        sa.Column("at", shelfscope.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("name", sa.String(length=64), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.CheckConstraint("type IN ('log', 'metric')", name=op.f("ck_job_events_type")),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_job_events_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_events")),
    )
    with op.batch_alter_table("job_events", schema=None) as batch_op:
        batch_op.create_index("ix_job_events_job_type_id", ["job_id", "type", "id"], unique=False)

    op.create_table(
        "od_dataset_images",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("dataset_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("image_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("split", sa.String(length=8), nullable=True),
        sa.Column("annotation_count", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("assigned_to", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
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
            "split IS NULL OR split IN ('train', 'val', 'test')", name=op.f("ck_od_dataset_images_split")
        ),
        sa.CheckConstraint(
            "status IN ('new', 'in_progress', 'completed', 'skipped')",
            name=op.f("ck_od_dataset_images_status"),
        ),
        sa.ForeignKeyConstraint(
            ["assigned_to"],
            ["users.id"],
            name=op.f("fk_od_dataset_images_assigned_to_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["od_datasets.id"],
            name=op.f("fk_od_dataset_images_dataset_id_od_datasets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["image_id"],
            ["od_images.id"],
            name=op.f("fk_od_dataset_images_image_id_od_images"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_od_dataset_images")),
        sa.UniqueConstraint("dataset_id", "image_id", name=op.f("uq_od_dataset_images_dataset_id_image_id")),
    )
    with op.batch_alter_table("od_dataset_images", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_od_dataset_images_assigned_to"), ["assigned_to"], unique=False)
        batch_op.create_index(
            "ix_od_dataset_images_dataset_status", ["dataset_id", "status", "id"], unique=False
        )
        batch_op.create_index("ix_od_dataset_images_image", ["image_id"], unique=False)

    op.create_table(
        "od_dataset_versions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("dataset_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "class_mapping",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "split_config",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "counts",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
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
            "status IN ('building', 'ready', 'failed')", name=op.f("ck_od_dataset_versions_status")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_od_dataset_versions_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["od_datasets.id"],
            name=op.f("fk_od_dataset_versions_dataset_id_od_datasets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_od_dataset_versions_job_id_jobs"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_od_dataset_versions")),
        sa.UniqueConstraint("dataset_id", "number", name=op.f("uq_od_dataset_versions_dataset_id_number")),
    )
    op.create_table(
        "od_image_tags",
        sa.Column("image_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("tag", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["image_id"],
            ["od_images.id"],
            name=op.f("fk_od_image_tags_image_id_od_images"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("image_id", "tag", name=op.f("pk_od_image_tags")),
    )
    with op.batch_alter_table("od_image_tags", schema=None) as batch_op:
        batch_op.create_index("ix_od_image_tags_tag_image", ["tag", "image_id"], unique=False)

    op.create_table(
        "od_dataset_version_images",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("version_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("image_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("split", sa.String(length=8), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "split IN ('train', 'val', 'test')", name=op.f("ck_od_dataset_version_images_split")
        ),
        sa.ForeignKeyConstraint(
            ["image_id"],
            ["od_images.id"],
            name=op.f("fk_od_dataset_version_images_image_id_od_images"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["od_dataset_versions.id"],
            name=op.f("fk_od_dataset_version_images_version_id_od_dataset_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_od_dataset_version_images")),
        sa.UniqueConstraint(
            "version_id", "image_id", name=op.f("uq_od_dataset_version_images_version_id_image_id")
        ),
    )
    with op.batch_alter_table("od_dataset_version_images", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_od_dataset_version_images_image_id"), ["image_id"], unique=False)
        batch_op.create_index(
            "ix_od_dataset_version_images_version_split", ["version_id", "split", "id"], unique=False
        )

    op.create_table(
        "od_training_runs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("dataset_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("dataset_version_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("base_model", sa.String(length=64), nullable=False),
        sa.Column(
            "config",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("job_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("current_epoch", sa.Integer(), nullable=False),
        sa.Column("total_epochs", sa.Integer(), nullable=False),
        sa.Column(
            "metrics_history",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "best_metrics",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("best_epoch", sa.Integer(), nullable=True),
        sa.Column("best_checkpoint_key", sa.String(length=255), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("started_at", shelfscope.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", shelfscope.db.base.UTCDateTime(timezone=True), nullable=True),
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
            "status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')",
            name=op.f("ck_od_training_runs_status"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_od_training_runs_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["od_datasets.id"],
            name=op.f("fk_od_training_runs_dataset_id_od_datasets"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["dataset_version_id"],
            ["od_dataset_versions.id"],
            name=op.f("fk_od_training_runs_dataset_version_id_od_dataset_versions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_od_training_runs_job_id_jobs"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_od_training_runs")),
    )
    with op.batch_alter_table("od_training_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_od_training_runs_dataset_version_id"), ["dataset_version_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_od_training_runs_job_id"), ["job_id"], unique=False)
        batch_op.create_index("ix_od_training_runs_status_created", ["status", "created_at"], unique=False)

    op.create_table(
        "od_dataset_version_annotations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("version_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("version_image_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("class_index", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("x1", sa.Float(), nullable=False),
        sa.Column("y1", sa.Float(), nullable=False),
        sa.Column("x2", sa.Float(), nullable=False),
        sa.Column("y2", sa.Float(), nullable=False),
        sa.Column(
            "points",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["od_dataset_versions.id"],
            name=op.f("fk_od_dataset_version_annotations_version_id_od_dataset_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_image_id"],
            ["od_dataset_version_images.id"],
            name=op.f("fk_od_dataset_version_annotations_version_image_id_od_dataset_version_images"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_od_dataset_version_annotations")),
    )
    with op.batch_alter_table("od_dataset_version_annotations", schema=None) as batch_op:
        batch_op.create_index("ix_od_dataset_version_annotations_image", ["version_image_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_od_dataset_version_annotations_version_id"), ["version_id"], unique=False
        )

    op.create_table(
        "od_trained_models",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("training_run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("base_model", sa.String(length=64), nullable=False),
        sa.Column("artifact_key", sa.String(length=255), nullable=False),
        sa.Column("artifact_size", sa.BigInteger(), nullable=False),
        sa.Column("artifact_format", sa.String(length=16), nullable=False),
        sa.Column("input_size", sa.Integer(), nullable=False),
        sa.Column(
            "class_mapping",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "metrics",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
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
            name=op.f("fk_od_trained_models_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["training_run_id"],
            ["od_training_runs.id"],
            name=op.f("fk_od_trained_models_training_run_id_od_training_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_od_trained_models")),
    )
    with op.batch_alter_table("od_trained_models", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_od_trained_models_base_model"), ["base_model"], unique=False)
        batch_op.create_index("ix_od_trained_models_created_id", ["created_at", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_od_trained_models_training_run_id"), ["training_run_id"], unique=False
        )

    op.create_table(
        "od_annotations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("dataset_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("dataset_image_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("class_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("x1", sa.Float(), nullable=False),
        sa.Column("y1", sa.Float(), nullable=False),
        sa.Column("x2", sa.Float(), nullable=False),
        sa.Column("y2", sa.Float(), nullable=False),
        sa.Column(
            "points",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("review_state", sa.String(length=10), nullable=False),
        sa.Column("model", sa.String(length=128), nullable=True),
        sa.Column("trained_model_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "attributes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
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
        sa.CheckConstraint("kind IN ('bbox', 'polygon')", name=op.f("ck_od_annotations_kind")),
        sa.CheckConstraint(
            "review_state IN ('none', 'pending', 'accepted', 'rejected')",
            name=op.f("ck_od_annotations_review_state"),
        ),
        sa.CheckConstraint("source IN ('manual', 'ai', 'import')", name=op.f("ck_od_annotations_source")),
        sa.CheckConstraint(
            "confidence IS NULL OR (confidence >= 0 AND confidence <= 1)",
            name=op.f("ck_od_annotations_confidence"),
        ),
        sa.CheckConstraint("x2 >= x1 AND y2 >= y1", name=op.f("ck_od_annotations_box_ordered")),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["od_classes.id"],
            name=op.f("fk_od_annotations_class_id_od_classes"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_od_annotations_created_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["od_datasets.id"],
            name=op.f("fk_od_annotations_dataset_id_od_datasets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["dataset_image_id"],
            ["od_dataset_images.id"],
            name=op.f("fk_od_annotations_dataset_image_id_od_dataset_images"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["trained_model_id"],
            ["od_trained_models.id"],
            name=op.f("fk_od_annotations_trained_model_id_od_trained_models"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_od_annotations")),
    )
    with op.batch_alter_table("od_annotations", schema=None) as batch_op:
        batch_op.create_index("ix_od_annotations_class", ["class_id"], unique=False)
        batch_op.create_index("ix_od_annotations_dataset_class", ["dataset_id", "class_id"], unique=False)
        batch_op.create_index("ix_od_annotations_dataset_image", ["dataset_image_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_od_annotations_trained_model_id"), ["trained_model_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("od_annotations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_od_annotations_trained_model_id"))
        batch_op.drop_index("ix_od_annotations_dataset_image")
        batch_op.drop_index("ix_od_annotations_dataset_class")
        batch_op.drop_index("ix_od_annotations_class")

    op.drop_table("od_annotations")
    with op.batch_alter_table("od_trained_models", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_od_trained_models_training_run_id"))
        batch_op.drop_index("ix_od_trained_models_created_id")
        batch_op.drop_index(batch_op.f("ix_od_trained_models_base_model"))

    op.drop_table("od_trained_models")
    with op.batch_alter_table("od_dataset_version_annotations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_od_dataset_version_annotations_version_id"))
        batch_op.drop_index("ix_od_dataset_version_annotations_image")

    op.drop_table("od_dataset_version_annotations")
    with op.batch_alter_table("od_training_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_od_training_runs_status_created")
        batch_op.drop_index(batch_op.f("ix_od_training_runs_job_id"))
        batch_op.drop_index(batch_op.f("ix_od_training_runs_dataset_version_id"))

    op.drop_table("od_training_runs")
    with op.batch_alter_table("od_dataset_version_images", schema=None) as batch_op:
        batch_op.drop_index("ix_od_dataset_version_images_version_split")
        batch_op.drop_index(batch_op.f("ix_od_dataset_version_images_image_id"))

    op.drop_table("od_dataset_version_images")
    with op.batch_alter_table("od_image_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_od_image_tags_tag_image")

    op.drop_table("od_image_tags")
    op.drop_table("od_dataset_versions")
    with op.batch_alter_table("od_dataset_images", schema=None) as batch_op:
        batch_op.drop_index("ix_od_dataset_images_image")
        batch_op.drop_index("ix_od_dataset_images_dataset_status")
        batch_op.drop_index(batch_op.f("ix_od_dataset_images_assigned_to"))

    op.drop_table("od_dataset_images")
    with op.batch_alter_table("job_events", schema=None) as batch_op:
        batch_op.drop_index("ix_job_events_job_type_id")

    op.drop_table("job_events")
    with op.batch_alter_table("setup_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_setup_links_user_id"))

    op.drop_table("setup_links")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessions_user_id"))
        batch_op.drop_index(batch_op.f("ix_sessions_expires_at"))

    op.drop_table("sessions")
    with op.batch_alter_table("od_images", schema=None) as batch_op:
        batch_op.drop_index("ix_od_images_size_id")
        batch_op.drop_index("ix_od_images_folder_id")
        batch_op.drop_index("ix_od_images_filename_id")
        batch_op.drop_index("ix_od_images_created_id")
        batch_op.drop_index(batch_op.f("ix_od_images_created_by"))

    op.drop_table("od_images")
    with op.batch_alter_table("od_datasets", schema=None) as batch_op:
        batch_op.drop_index("ix_od_datasets_created_id")
        batch_op.drop_index(batch_op.f("ix_od_datasets_created_by"))

    op.drop_table("od_datasets")
    with op.batch_alter_table("od_class_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_od_class_changes_user_id"))
        batch_op.drop_index("ix_od_class_changes_class_at")
        batch_op.drop_index(batch_op.f("ix_od_class_changes_at"))

    op.drop_table("od_class_changes")
    with op.batch_alter_table("od_class_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_od_class_aliases_class_id"))

    op.drop_table("od_class_aliases")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_status_created")
        batch_op.drop_index("ix_jobs_kind_created")
        batch_op.drop_index("ix_jobs_created_id")
        batch_op.drop_index(batch_op.f("ix_jobs_created_by"))

    op.drop_table("jobs")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))

    op.drop_table("api_tokens")
    op.drop_table("users")
    with op.batch_alter_table("od_classes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_od_classes_category"))

    op.drop_table("od_classes")

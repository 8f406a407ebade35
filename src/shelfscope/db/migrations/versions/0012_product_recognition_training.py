"""Product recognition training: runs, frozen image lists, checkpoints, evaluations, trained models

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import shelfscope.db.base

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "pr_training_runs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("backbone", sa.String(length=64), nullable=False),
        sa.Column("pretrained", sa.Boolean(), nullable=False),
        sa.Column("config", _JSON, nullable=False),
        sa.Column("data_config", _JSON, nullable=False),
        sa.Column("dataset_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("data_summary", _JSON, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("job_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("current_epoch", sa.Integer(), nullable=False),
        sa.Column("total_epochs", sa.Integer(), nullable=False),
        sa.Column("current_batch", sa.Integer(), nullable=False),
        sa.Column("total_batches", sa.Integer(), nullable=False),
        sa.Column("metrics_history", _JSON, nullable=False),
        sa.Column("best_epoch", sa.Integer(), nullable=True),
        sa.Column("best_metrics", _JSON, nullable=True),
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
            name=op.f("ck_pr_training_runs_status"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_pr_training_runs_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["pr_datasets.id"],
            name=op.f("fk_pr_training_runs_dataset_id_pr_datasets"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_pr_training_runs_job_id_jobs"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pr_training_runs")),
    )
    with op.batch_alter_table("pr_training_runs", schema=None) as batch_op:
        batch_op.create_index("ix_pr_training_runs_created_id", ["created_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pr_training_runs_job_id"), ["job_id"], unique=False)
        batch_op.create_index("ix_pr_training_runs_status_created", ["status", "created_at"], unique=False)

    op.create_table(
        "pr_checkpoints",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=255), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("metrics", _JSON, nullable=False),
        sa.Column("is_best", sa.Boolean(), nullable=False),
        sa.Column("model_info", _JSON, nullable=False),
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
            ["run_id"],
            ["pr_training_runs.id"],
            name=op.f("fk_pr_checkpoints_run_id_pr_training_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pr_checkpoints")),
        sa.UniqueConstraint("run_id", "epoch", name=op.f("uq_pr_checkpoints_run_id_epoch")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_pr_checkpoints_storage_key")),
    )
    with op.batch_alter_table("pr_checkpoints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pr_checkpoints_run_id"), ["run_id"], unique=False)

    op.create_table(
        "pr_training_images",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("product_image_id", sa.BigInteger(), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("domain", sa.String(length=16), nullable=False),
        sa.Column("split", sa.String(length=8), nullable=False),
        sa.Column("storage_key", sa.String(length=255), nullable=False),
        sa.CheckConstraint("split IN ('train', 'val', 'test')", name=op.f("ck_pr_training_images_split")),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["pr_training_runs.id"],
            name=op.f("fk_pr_training_images_run_id_pr_training_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pr_training_images")),
        sa.UniqueConstraint(
            "run_id", "product_image_id", name=op.f("uq_pr_training_images_run_id_product_image_id")
        ),
    )
    with op.batch_alter_table("pr_training_images", schema=None) as batch_op:
        batch_op.create_index("ix_pr_training_images_run_split", ["run_id", "split", "id"], unique=False)

    op.create_table(
        "pr_evaluations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("checkpoint_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("epoch", sa.Integer(), nullable=True),
        sa.Column("split", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("job_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("metrics", _JSON, nullable=True),
        sa.Column("report", _JSON, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
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
            "status IN ('queued', 'running', 'succeeded', 'failed')", name=op.f("ck_pr_evaluations_status")
        ),
        sa.ForeignKeyConstraint(
            ["checkpoint_id"],
            ["pr_checkpoints.id"],
            name=op.f("fk_pr_evaluations_checkpoint_id_pr_checkpoints"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_pr_evaluations_job_id_jobs"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["pr_training_runs.id"],
            name=op.f("fk_pr_evaluations_run_id_pr_training_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pr_evaluations")),
    )
    with op.batch_alter_table("pr_evaluations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pr_evaluations_checkpoint_id"), ["checkpoint_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pr_evaluations_job_id"), ["job_id"], unique=False)
        batch_op.create_index("ix_pr_evaluations_run_id", ["run_id", "id"], unique=False)

    op.create_table(
        "pr_trained_models",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("checkpoint_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("storage_key", sa.String(length=255), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("backbone", sa.String(length=64), nullable=False),
        sa.Column("embedding_dim", sa.Integer(), nullable=False),
        sa.Column("image_size", sa.Integer(), nullable=False),
        sa.Column("preprocessing", _JSON, nullable=False),
        sa.Column("test_metrics", _JSON, nullable=True),
        sa.Column("evaluation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
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
            ["checkpoint_id"],
            ["pr_checkpoints.id"],
            name=op.f("fk_pr_trained_models_checkpoint_id_pr_checkpoints"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_pr_trained_models_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["pr_evaluations.id"],
            name=op.f("fk_pr_trained_models_evaluation_id_pr_evaluations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["pr_training_runs.id"],
            name=op.f("fk_pr_trained_models_run_id_pr_training_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pr_trained_models")),
        sa.UniqueConstraint("name", name=op.f("uq_pr_trained_models_name")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_pr_trained_models_storage_key")),
    )
    with op.batch_alter_table("pr_trained_models", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pr_trained_models_checkpoint_id"), ["checkpoint_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pr_trained_models_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pr_trained_models", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pr_trained_models_run_id"))
        batch_op.drop_index(batch_op.f("ix_pr_trained_models_checkpoint_id"))

    op.drop_table("pr_trained_models")
    with op.batch_alter_table("pr_evaluations", schema=None) as batch_op:
        batch_op.drop_index("ix_pr_evaluations_run_id")
        batch_op.drop_index(batch_op.f("ix_pr_evaluations_job_id"))
        batch_op.drop_index(batch_op.f("ix_pr_evaluations_checkpoint_id"))

    op.drop_table("pr_evaluations")
    with op.batch_alter_table("pr_training_images", schema=None) as batch_op:
        batch_op.drop_index("ix_pr_training_images_run_split")

    op.drop_table("pr_training_images")
    with op.batch_alter_table("pr_checkpoints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pr_checkpoints_run_id"))

    op.drop_table("pr_checkpoints")
    with op.batch_alter_table("pr_training_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_pr_training_runs_status_created")
        batch_op.drop_index(batch_op.f("ix_pr_training_runs_job_id"))
        batch_op.drop_index("ix_pr_training_runs_created_id")

    op.drop_table("pr_training_runs")

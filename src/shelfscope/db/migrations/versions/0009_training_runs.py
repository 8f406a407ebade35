"""Detector training: runs and models know their family; a run keeps its last checkpoint (resume after a
dead worker), its test-split metrics and its steps per epoch; a model keeps the version it was trained on

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("od_training_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("family", sa.String(length=16), server_default="", nullable=False))
        batch_op.add_column(sa.Column("last_checkpoint_key", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("test_metrics", _JSON, nullable=True))
        batch_op.add_column(sa.Column("steps_per_epoch", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("od_trained_models", schema=None) as batch_op:
        batch_op.add_column(sa.Column("family", sa.String(length=16), server_default="", nullable=False))
        batch_op.add_column(sa.Column("dataset_id", _ID, nullable=True))
        batch_op.add_column(sa.Column("dataset_version_id", _ID, nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_od_trained_models_dataset_id_od_datasets"),
            "od_datasets",
            ["dataset_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            op.f("fk_od_trained_models_dataset_version_id_od_dataset_versions"),
            "od_dataset_versions",
            ["dataset_version_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("od_trained_models", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("fk_od_trained_models_dataset_version_id_od_dataset_versions"), type_="foreignkey"
        )
        batch_op.drop_constraint(op.f("fk_od_trained_models_dataset_id_od_datasets"), type_="foreignkey")
        batch_op.drop_column("dataset_version_id")
        batch_op.drop_column("dataset_id")
        batch_op.drop_column("family")
    with op.batch_alter_table("od_training_runs", schema=None) as batch_op:
        batch_op.drop_column("steps_per_epoch")
        batch_op.drop_column("test_metrics")
        batch_op.drop_column("last_checkpoint_key")
        batch_op.drop_column("family")

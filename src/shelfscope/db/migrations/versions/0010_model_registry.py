"""Model registry: a model's ONNX export and its parity check; at most one default model, kept by the
database too (a partial unique index), so two concurrent set-defaults cannot both win

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("od_trained_models", schema=None) as batch_op:
        batch_op.add_column(sa.Column("onnx", _JSON, nullable=True))
        batch_op.create_index(
            "uq_od_trained_models_one_default",
            ["is_default"],
            unique=True,
            sqlite_where=sa.text("is_default"),
            postgresql_where=sa.text("is_default"),
        )


def downgrade() -> None:
    with op.batch_alter_table("od_trained_models", schema=None) as batch_op:
        batch_op.drop_index("uq_od_trained_models_one_default")
        batch_op.drop_column("onnx")

"""import commit journal: what an import committing in several transactions has written (od_import_commits)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import shelfscope.db.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "od_import_commits",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("job_id", sa.BigInteger(), nullable=True),
        sa.Column("dataset_id", sa.BigInteger(), nullable=False),
        sa.Column("dataset_created", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("at", shelfscope.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("class_ids", JSON, nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_od_import_commits")),
    )
    op.create_index(op.f("ix_od_import_commits_job_id"), "od_import_commits", ["job_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_od_import_commits_job_id"), table_name="od_import_commits")
    op.drop_table("od_import_commits")

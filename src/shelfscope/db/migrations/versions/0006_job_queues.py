"""jobs get a queue (default, ml, interactive) and keep the error body their handler raised

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04

Jobs already in the table were all default-queue work (imports, exports, versions, maintenance).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("queue", sa.String(length=16), server_default="default", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "error_body",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
        batch_op.create_check_constraint(
            op.f("ck_jobs_queue"), sa.text("queue IN ('default', 'ml', 'interactive')")
        )
        batch_op.create_index("ix_jobs_queue_status_created", ["queue", "status", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_queue_status_created")
        batch_op.drop_constraint(op.f("ck_jobs_queue"), type_="check")
        batch_op.drop_column("error_body")
        batch_op.drop_column("queue")

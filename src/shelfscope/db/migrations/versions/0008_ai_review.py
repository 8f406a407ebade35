"""AI review: annotations remember an edit made while pending (review_edited); the review-queue index

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("od_annotations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("review_edited", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_index(
            "ix_od_annotations_dataset_review",
            ["dataset_id", "review_state", "dataset_image_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("od_annotations", schema=None) as batch_op:
        batch_op.drop_index("ix_od_annotations_dataset_review")
        batch_op.drop_column("review_edited")

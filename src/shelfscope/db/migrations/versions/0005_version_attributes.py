"""version annotations keep their attributes (VOC difficult/truncated/occluded/pose, COCO iscrowd)

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-02

Versions built before this revision have no attributes in their snapshot (the column is NULL).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("od_dataset_version_annotations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "attributes",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("od_dataset_version_annotations", schema=None) as batch_op:
        batch_op.drop_column("attributes")

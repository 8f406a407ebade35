"""dataset label set: each dataset's classes in order (od_dataset_classes)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # No rows to fill: a dataset without stored rows offers the classes its annotations use.
    op.create_table(
        "od_dataset_classes",
        sa.Column("dataset_id", ID, nullable=False),
        sa.Column("class_id", ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["od_classes.id"],
            name=op.f("fk_od_dataset_classes_class_id_od_classes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["od_datasets.id"],
            name=op.f("fk_od_dataset_classes_dataset_id_od_datasets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("dataset_id", "class_id", name=op.f("pk_od_dataset_classes")),
        sa.UniqueConstraint("dataset_id", "position", name=op.f("uq_od_dataset_classes_dataset_id_position")),
    )
    op.create_index(op.f("ix_od_dataset_classes_class_id"), "od_dataset_classes", ["class_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_od_dataset_classes_class_id"), table_name="od_dataset_classes")
    op.drop_table("od_dataset_classes")

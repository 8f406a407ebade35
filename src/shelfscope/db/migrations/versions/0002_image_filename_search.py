"""image filename search index (pg_trgm GIN on PostgreSQL)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_od_images_filename_trgm"


def _trigram_extension_available(bind: sa.engine.Connection) -> bool:
    """CREATE EXTENSION needs the contrib package and a privileged role; either may be missing."""
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError:
        return False
    return True


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        if _trigram_extension_available(bind):
            op.create_index(
                INDEX,
                "od_images",
                ["filename"],
                postgresql_using="gin",
                postgresql_ops={"filename": "gin_trgm_ops"},
            )
        else:
            # Same name and column, so the schema still matches the models; searches fall back to
            # scanning with plain ILIKE.
            op.create_index(INDEX, "od_images", ["filename"])
    else:
        # SQLite: kept empty on purpose (see the model); it exists so both schemas have one shape.
        op.create_index(INDEX, "od_images", ["filename"], sqlite_where=sa.text("0"))


def downgrade() -> None:
    op.drop_index(INDEX, table_name="od_images")

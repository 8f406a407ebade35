"""job kinds named <domain>.<feature>.<verb>

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

Jobs already in the table keep working under the new names: their rows are renamed (and back on
downgrade). Kinds other than these (a deployment's own handlers) are left alone.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RENAMED = {
    "storage.verify": "od.images.verify",
    "images.sync": "od.images.sync",
    "od.import": "od.imports.run",
    "od.export": "od.exports.run",
    "od.version.build": "od.versions.build",
}

_jobs = sa.table("jobs", sa.column("kind", sa.String))


def _rename(pairs: dict[str, str]) -> None:
    for old, new in pairs.items():
        op.execute(_jobs.update().where(_jobs.c.kind == old).values(kind=new))


def upgrade() -> None:
    _rename(RENAMED)


def downgrade() -> None:
    _rename({new: old for old, new in RENAMED.items()})

"""Database access: engine and sessions for SQLite and PostgreSQL, the declarative base, migrations."""

from shelfscope.db.base import Base, TimestampMixin, utcnow
from shelfscope.db.engine import Database

__all__ = ["Base", "Database", "TimestampMixin", "utcnow"]

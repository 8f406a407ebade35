"""Tables of the class catalogue and its audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shelfscope.db.base import Base, BigIntId, TimestampMixin, utcnow


class OdClass(TimestampMixin, Base):
    __tablename__ = "od_classes"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    # casefold(name): the unique key, so "Cola" and "cola" cannot both exist.
    name_key: Mapped[str] = mapped_column(String(255), unique=True)
    display_name: Mapped[str] = mapped_column(String(255), default="")
    color: Mapped[str] = mapped_column(String(9), default="#3b82f6")
    category: Mapped[str | None] = mapped_column(String(128), default=None, index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # Former names (after renames and merges); import maps these to this class too.
    aliases: Mapped[list[Any]] = mapped_column(default=list)


class ClassAlias(Base):
    """One row per alias, so alias uniqueness and lookup by alias are index operations."""

    __tablename__ = "od_class_aliases"

    alias_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("od_classes.id", ondelete="CASCADE"), index=True)


class ClassChange(Base):
    __tablename__ = "od_class_changes"
    __table_args__ = (
        CheckConstraint("action IN ('create', 'update', 'rename', 'merge', 'delete')", name="action"),
        Index("ix_od_class_changes_class_at", "class_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    # Kept after the class is deleted or merged away; class_name says which one it was.
    class_id: Mapped[int | None] = mapped_column(ForeignKey("od_classes.id", ondelete="SET NULL"))
    class_name: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(16))
    before: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

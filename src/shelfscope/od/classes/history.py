"""The catalogue's audit trail: every create, update, rename, merge and delete written as a row, and
read back newest first (for one class, or the whole catalogue)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from shelfscope.auth.models import User
from shelfscope.db.base import utcnow
from shelfscope.od.classes.lookup import load_class
from shelfscope.od.classes.models import ClassChange, OdClass
from shelfscope.od.classes.schemas import ClassChangeOut
from shelfscope.pagination import Page, check_limit, encode_cursor, newest_first_after


def snapshot(cls: OdClass) -> dict[str, Any]:
    return {
        "id": cls.id,
        "name": cls.name,
        "display_name": cls.display_name,
        "color": cls.color,
        "category": cls.category,
        "description": cls.description,
        "aliases": list(cls.aliases),
    }


def record_change(
    session: Session,
    *,
    class_id: int | None,
    class_name: str,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    user_id: int | None,
) -> None:
    session.add(
        ClassChange(
            class_id=class_id,
            class_name=class_name,
            action=action,
            before=before,
            after=after,
            user_id=user_id,
            at=utcnow(),
        )
    )


def _changes_page(
    session: Session, where: list[ColumnElement[bool]], limit: int, cursor: str | None
) -> Page[ClassChangeOut]:
    check_limit(limit)
    stmt = (
        select(ClassChange, User.username)
        .outerjoin(User, User.id == ClassChange.user_id)
        .where(*where)
        .order_by(ClassChange.at.desc(), ClassChange.id.desc())
        .limit(limit + 1)
    )
    if cursor:
        stmt = stmt.where(newest_first_after(cursor, ClassChange.at, ClassChange.id))
    rows = session.execute(stmt).all()
    page = rows[:limit]
    items = [
        ClassChangeOut(
            id=change.id,
            class_id=change.class_id,
            class_name=change.class_name,
            action=change.action,
            before=change.before,
            after=change.after,
            user_id=change.user_id,
            username=username,
            at=change.at,
        )
        for change, username in page
    ]
    next_cursor = None
    if len(rows) > limit and page:
        last = page[-1][0]
        next_cursor = encode_cursor([last.at.isoformat(), last.id])
    return Page(items=items, next_cursor=next_cursor)


def class_history(
    session: Session, class_id: int, *, limit: int = 50, cursor: str | None = None
) -> Page[ClassChangeOut]:
    load_class(session, class_id)
    return _changes_page(session, [ClassChange.class_id == class_id], limit, cursor)


def list_changes(
    session: Session, *, action: str | None = None, limit: int = 50, cursor: str | None = None
) -> Page[ClassChangeOut]:
    where = [ClassChange.action == action] if action else []
    return _changes_page(session, where, limit, cursor)

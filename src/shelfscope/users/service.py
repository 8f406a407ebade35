"""User management by admins: list, invite with a one-time link, change role or name, deactivate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shelfscope.auth.models import SetupLink, User
from shelfscope.auth.service import create_setup_link, normalize_username, revoke_other_credentials, setup_url
from shelfscope.config import Settings
from shelfscope.db.base import utcnow
from shelfscope.errors import Conflict, Forbidden, NotFound, ValidationFailed


@dataclass(frozen=True)
class IssuedLink:
    """A one-time set-password link: shown once to the admin, stored only as a hash."""

    url: str
    expires_at: datetime


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id)))


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"User {user_id} does not exist.", user_id=user_id)
    return user


def _issue_link(session: Session, settings: Settings, user: User) -> IssuedLink:
    """A fresh set-password link for the user; earlier unused ones stop working."""
    _retire_links(session, user.id)
    raw = create_setup_link(session, settings, "set_password", user.id)
    expires = utcnow() + timedelta(hours=settings.setup_link_ttl_hours)
    return IssuedLink(url=setup_url(settings, raw), expires_at=expires)


def _retire_links(session: Session, user_id: int) -> None:
    session.execute(
        update(SetupLink)
        .where(SetupLink.user_id == user_id, SetupLink.used_at.is_(None))
        .values(used_at=utcnow())
    )


def create_user(
    session: Session, settings: Settings, username: str, role: str, display_name: str = ""
) -> tuple[User, IssuedLink]:
    """A new user without a password, and the link through which they choose one."""
    name = normalize_username(username)
    if session.scalars(select(User.id).where(User.username == name)).first() is not None:
        raise Conflict(f"A user named {name!r} already exists.", field="username")
    user = User(username=name, display_name=display_name or username, role=role)
    session.add(user)
    session.flush()
    link = _issue_link(session, settings, user)
    session.commit()
    return user, link


def issue_setup_link(session: Session, settings: Settings, user_id: int) -> tuple[User, IssuedLink]:
    """A new one-time link for an invite that was lost or expired, or for a forgotten password.

    The user's password (if any) stays valid until the link is used.
    """
    user = get_user(session, user_id)
    if not user.is_active:
        raise Conflict(
            f"{user.username} is deactivated; reactivate them before sending a link.", user_id=user_id
        )
    link = _issue_link(session, settings, user)
    session.commit()
    return user, link


def _lock_active_admins(session: Session) -> list[int]:
    """Ids of the active admins, locked (PostgreSQL) so two admins cannot demote each other at once."""
    return list(
        session.scalars(
            select(User.id).where(User.role == "admin", User.is_active.is_(True)).with_for_update()
        )
    )


def _sign_out_everywhere(session: Session, user_id: int) -> None:
    """End every session, revoke every API token and retire unused setup links of the user."""
    revoke_other_credentials(session, user_id, keep_session_id=None)
    _retire_links(session, user_id)


def update_user(
    session: Session,
    actor: User,
    user_id: int,
    display_name: str | None,
    role: str | None,
    is_active: bool | None,
) -> User:
    """Change a user's name, role or active flag; the last active admin keeps both."""
    if display_name is None and role is None and is_active is None:
        raise ValidationFailed(
            "Send at least one of display_name, role or is_active.",
            fields=[{"field": "body", "message": "nothing to change"}],
        )
    user = get_user(session, user_id)
    losing_admin = (
        user.role == "admin" and user.is_active and ((role not in (None, "admin")) or is_active is False)
    )
    if user.id == actor.id and is_active is False:
        raise Forbidden("You cannot deactivate yourself; ask another admin.", user_id=user_id)
    if losing_admin and len(_lock_active_admins(session)) <= 1:
        raise Conflict("This is the last active admin; make another user an admin first.", user_id=user_id)
    if display_name is not None:
        user.display_name = display_name
    if role is not None:
        user.role = role
    if is_active is not None and is_active != user.is_active:
        user.is_active = is_active
        if not is_active:
            _sign_out_everywhere(session, user.id)
    session.commit()
    return user

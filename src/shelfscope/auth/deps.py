"""Who is calling: resolves the session cookie (with CSRF check) or bearer token, and checks roles."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from shelfscope.auth import service
from shelfscope.auth.models import ApiToken, User, UserSession
from shelfscope.db.dialect import is_busy_error
from shelfscope.deps import DbSession, get_ctx
from shelfscope.errors import Forbidden, Unauthorized

SESSION_COOKIE = "shelfscope_session"
CSRF_COOKIE = "shelfscope_csrf"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WRITER_ROLES = frozenset({"admin", "annotator"})


def _record_use(request: Request, session: Session, touch: Callable[[Session], None]) -> None:
    """Note when a session or token was last used.

    A write request already holds SQLite's write lock in its own session, so a second writer would
    wait on itself: there the touch joins the request's transaction. A read request touches through
    a short writer of its own (WAL lets it run beside the open read), and only when the database is
    not busy: a read is never refused for its bookkeeping (the next request notes the use).
    """
    if request.method in _SAFE_METHODS:
        try:
            with get_ctx(request).db.writer() as writer:
                touch(writer)
                writer.commit()
        except OperationalError as exc:
            if not is_busy_error(exc):
                raise
    else:
        touch(session)


@dataclass(frozen=True)
class Caller:
    """Who sent a request, and through which credential (an API token, or a browser session)."""

    user: User
    token: ApiToken | None = None
    user_session: UserSession | None = None


def identify(session: Session, method: str, headers: Mapping[str, str], cookies: Mapping[str, str]) -> Caller:
    """The caller of a request from its bearer token or session cookie; a cookie-signed write must
    also carry the session's CSRF token. Raises Unauthorized or Forbidden; changes nothing."""
    auth = headers.get("authorization", "")
    if auth:
        scheme, _, raw = auth.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise Unauthorized("The Authorization header must be 'Bearer <API token>'.")
        found = service.resolve_api_token(session, raw.strip())
        if found is None:
            raise Unauthorized("This API token is unknown, revoked or expired.")
        return Caller(user=found[0], token=found[1])
    raw_cookie = cookies.get(SESSION_COOKIE)
    if not raw_cookie:
        raise Unauthorized("Sign in first.")
    resolved = service.resolve_session(session, raw_cookie)
    if resolved is None:
        raise Unauthorized("Your session has expired; sign in again.")
    user, user_session = resolved
    if method not in _SAFE_METHODS:
        sent = headers.get(CSRF_HEADER.lower(), "")
        if not sent or not secrets.compare_digest(sent, user_session.csrf_token):
            raise Forbidden(f"The {CSRF_HEADER} header is missing or does not match this session.")
    return Caller(user=user, user_session=user_session)


def current_user(request: Request, session: DbSession) -> User:
    caller = identify(session, request.method, request.headers, request.cookies)
    token, user_session = caller.token, caller.user_session
    if token is not None and service.token_needs_touch(token):
        _record_use(request, session, lambda s: service.touch_token(s, token.id))
    if user_session is not None:
        if service.session_needs_touch(user_session):
            _record_use(request, session, lambda s: service.touch_session(s, user_session.id))
        request.state.csrf_token = user_session.csrf_token
        request.state.session_id = user_session.id
    request.state.user = caller.user
    return caller.user


def writer_user(user: Annotated[User, Depends(current_user)]) -> User:
    if user.role not in _WRITER_ROLES:
        raise Forbidden(
            "Viewers cannot change anything; ask an admin for the annotator role.", role=user.role
        )
    return user


def require_admin(user: User, action: str) -> None:
    """For a route whose role depends on the request (a bulk action, whose job): the README's Roles."""
    if user.role != "admin":
        raise Forbidden(f"Only admins can {action}.", role=user.role)


def admin_user(user: Annotated[User, Depends(current_user)]) -> User:
    if user.role != "admin":
        raise Forbidden("Only admins can do this.", role=user.role)
    return user


CurrentUser = Annotated[User, Depends(current_user)]
WriterUser = Annotated[User, Depends(writer_user)]
AdminUser = Annotated[User, Depends(admin_user)]

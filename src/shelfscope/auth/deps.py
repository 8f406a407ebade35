"""Who is calling: resolves the session cookie (with CSRF check) or bearer token, and checks roles."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from shelfscope.auth import service
from shelfscope.auth.models import User
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
    a short writer of its own (WAL lets it run beside the open read).
    """
    if request.method in _SAFE_METHODS:
        with get_ctx(request).db.writer() as writer:
            touch(writer)
            writer.commit()
    else:
        touch(session)


def current_user(request: Request, session: DbSession) -> User:
    auth = request.headers.get("authorization", "")
    if auth:
        scheme, _, raw = auth.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise Unauthorized("The Authorization header must be 'Bearer <API token>'.")
        found = service.resolve_api_token(session, raw.strip())
        if found is None:
            raise Unauthorized("This API token is unknown, revoked or expired.")
        user, token = found
        if service.token_needs_touch(token):
            _record_use(request, session, lambda s: service.touch_token(s, token.id))
        request.state.user = user
        return user

    raw_cookie = request.cookies.get(SESSION_COOKIE)
    if not raw_cookie:
        raise Unauthorized("Sign in first.")
    resolved = service.resolve_session(session, raw_cookie)
    if resolved is None:
        raise Unauthorized("Your session has expired; sign in again.")
    user, user_session = resolved
    if request.method not in _SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or not secrets.compare_digest(sent, user_session.csrf_token):
            raise Forbidden(f"The {CSRF_HEADER} header is missing or does not match this session.")
    if service.session_needs_touch(user_session):
        _record_use(request, session, lambda s: service.touch_session(s, user_session.id))
    request.state.user = user
    request.state.csrf_token = user_session.csrf_token
    return user


def writer_user(user: Annotated[User, Depends(current_user)]) -> User:
    if user.role not in _WRITER_ROLES:
        raise Forbidden(
            "Viewers cannot change anything; ask an admin for the annotator role.", role=user.role
        )
    return user


def admin_user(user: Annotated[User, Depends(current_user)]) -> User:
    if user.role != "admin":
        raise Forbidden("Only admins can do this.", role=user.role)
    return user


CurrentUser = Annotated[User, Depends(current_user)]
WriterUser = Annotated[User, Depends(writer_user)]
AdminUser = Annotated[User, Depends(admin_user)]

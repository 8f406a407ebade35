"""FastAPI dependencies shared by every router: the app context and a database session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from shelfscope.context import AppContext

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


def get_session(request: Request) -> Iterator[Session]:
    """A read session for safe methods, a write session (SQLite: BEGIN IMMEDIATE) otherwise.

    Services commit; anything left uncommitted when the request ends is rolled back.
    """
    ctx = get_ctx(request)
    session = ctx.db.reader() if request.method in _READ_METHODS else ctx.db.writer()
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


Ctx = Annotated[AppContext, Depends(get_ctx)]
DbSession = Annotated[Session, Depends(get_session)]

"""Another transaction holding what a job's heartbeat and reports write: SQLite's write lock, or the
job's row on PostgreSQL. For tests of work that must outlive a busy database."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, make_url, text

from shelfscope.context import AppContext


@contextmanager
def job_lock_held(ctx: AppContext, job_id: int) -> Iterator[None]:
    url = make_url(ctx.settings.resolved_database_url)
    if url.get_backend_name() == "sqlite":
        conn = sqlite3.connect(str(url.database), isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield
            conn.execute("ROLLBACK")
        finally:
            conn.close()
        return
    engine = create_engine(ctx.settings.resolved_database_url)
    try:
        with engine.connect() as pg:
            pg.execute(text("SELECT id FROM jobs WHERE id = :id FOR UPDATE"), {"id": job_id})
            yield
            pg.rollback()
    finally:
        engine.dispose()

"""Engine and sessions. SQLite runs in WAL mode with foreign keys on; writes begin IMMEDIATE.

A statement waits at most `busy_timeout_s` for a lock another transaction holds (SQLite's busy
timeout; PostgreSQL's lock_timeout), then fails with an error `dialect.is_busy_error` recognises:
the API answers it with 503 Busy and Retry-After, never a 500.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from shelfscope.config import Settings

_IMMEDIATE = "shelfscope_immediate"
# SQLite's page cache for one bulk write (bulk_writer): a million-row import updates six b-trees of
# od_annotations, and the default 2 MiB cache evicts their pages between batches.
BULK_CACHE_KIB = 128 * 1024


# SQLite's default cache_size (-2000: 2,000 KiB), restored after a bulk write.
_DEFAULT_CACHE_SIZE = -2000


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event own transaction start (pysqlite's own handling defers badly).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={busy_timeout_ms:d}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Read-then-write transactions take the write lock up front so two writers never deadlock
        # upgrading shared locks; plain reads stay deferred and run beside a writer under WAL.
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_db_engine(
    url: str, *, echo: bool = False, pooled: bool = True, busy_timeout_s: float = 30.0
) -> Engine:
    parsed = make_url(url)
    pool: dict[str, Any] = {} if pooled else {"poolclass": NullPool}
    busy_ms = max(1, round(busy_timeout_s * 1000))
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        if pooled:
            pool = {"pool_size": 8, "max_overflow": 16}
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": busy_timeout_s}, **pool
        )
        _configure_sqlite(engine, busy_ms)
        return engine
    if pooled:
        pool = {"pool_size": 10, "max_overflow": 20}
    # A URL that sets its own server options keeps them (and PostgreSQL's default: wait forever).
    connect_args = {} if "options" in parsed.query else {"options": f"-c lock_timeout={busy_ms:d}"}
    return create_engine(url, echo=echo, pool_pre_ping=True, connect_args=connect_args, **pool)


class Database:
    """Owns the engine; hands out read sessions and write sessions."""

    def __init__(
        self, url: str, *, echo: bool = False, pooled: bool = True, busy_timeout_s: float = 30.0
    ) -> None:
        self.url = url
        self.engine = create_db_engine(url, echo=echo, pooled=pooled, busy_timeout_s=busy_timeout_s)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        writer_bind = self.engine.execution_options(**{_IMMEDIATE: True}) if self.is_sqlite else self.engine
        self._writer_bind = writer_bind
        self._reader = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._writer = sessionmaker(bind=writer_bind, expire_on_commit=False)

    @classmethod
    def from_settings(cls, settings: Settings, *, pooled: bool = True) -> Database:
        return cls(
            settings.resolved_database_url,
            echo=settings.database_echo,
            pooled=pooled,
            busy_timeout_s=settings.database_busy_timeout_s,
        )

    def reader(self) -> Session:
        return self._reader()

    def writer(self) -> Session:
        return self._writer()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reader() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on any error."""
        with self._writer() as session, session.begin():
            yield session

    @contextmanager
    def bulk_writer(self) -> Iterator[Session]:
        """A write session (like `writer()`) for one large transaction. On SQLite its connection has
        foreign key enforcement off and a large page cache until the session ends: per-row foreign
        key lookups cost a sixth of a bulk insert. The caller takes on what enforcement did: it checks
        every referenced row exists once it holds the write lock (nothing can delete it after that
        until the commit). Elsewhere it is `writer()`."""
        if not self.is_sqlite:
            with self._writer() as session:
                yield session
            return
        conn = self._writer_bind.connect()
        raw = conn.connection.driver_connection
        assert raw is not None
        try:
            # On the driver's connection, in autocommit: SQLite ignores foreign_keys inside a transaction,
            # and SQLAlchemy's first statement would begin one.
            raw.execute("PRAGMA foreign_keys=OFF")
            raw.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB:d}")
            with Session(bind=conn, expire_on_commit=False) as session:
                yield session
        finally:
            try:
                if conn.in_transaction():
                    conn.rollback()
                raw.execute("PRAGMA foreign_keys=ON")
                raw.execute(f"PRAGMA cache_size={_DEFAULT_CACHE_SIZE:d}")
            except Exception:
                # Never back to the pool with enforcement off.
                conn.invalidate()
            conn.close()

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()

"""The suite's PostgreSQL databases (tests/support/databases.py): one emptied between tests, with its
sequences restarted, and made anew when a connection from the last test is still open."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from tests.support.databases import PostgresDatabases


def add_user(url: str, username: str) -> int:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            return int(
                conn.execute(
                    text(
                        "INSERT INTO users (username, display_name, role, is_active, created_at, updated_at)"
                        " VALUES (:u, :u, 'admin', true, now(), now()) RETURNING id"
                    ),
                    {"u": username},
                ).scalar_one()
            )
    finally:
        engine.dispose()


def test_a_database_is_emptied_for_the_next_test_or_made_anew_when_still_in_use(
    request: pytest.FixtureRequest,
) -> None:
    server: str = request.getfixturevalue("postgres_server")
    template: str = request.getfixturevalue("_postgres_template")
    databases = PostgresDatabases(server, template)
    try:
        first = databases.fresh()
        assert add_user(first, "ann") == 1
        assert add_user(first, "bob") == 2

        again = databases.fresh()
        assert again == first
        assert add_user(again, "cy") == 1  # no rows left, the sequence restarted

        held = create_engine(again)
        with held.connect():
            other = databases.fresh()
        held.dispose()
        assert other != first
        assert add_user(other, "dee") == 1
        admin = create_engine(f"{server}/postgres")
        with admin.connect() as conn:
            names = set(conn.execute(text("SELECT datname FROM pg_database")).scalars())
        admin.dispose()
        assert first.rsplit("/", 1)[1] not in names
    finally:
        databases.close()

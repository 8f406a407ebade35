"""A write that waits too long for another transaction's lock gets 503 Busy with Retry-After, never a 500,
and writes nothing; sent again once the lock is gone, it succeeds."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text, update
from sqlalchemy.engine import make_url

from shelfscope.auth.models import UserSession
from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.db import utcnow
from tests.support.annotations import Scene, box, member_state, snapshot, stored_annotations

API = "/api/v1/od"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # A short wait keeps the test fast; the default is 30 s.
    return settings.model_copy(update={"database_busy_timeout_s": 0.3})


@contextmanager
def another_writer(ctx: AppContext, member_id: int) -> Iterator[None]:
    """Another transaction holding what a write to this membership needs, with a write of its own
    in flight: SQLite's database write lock; on PostgreSQL the membership's row lock."""
    url = make_url(ctx.settings.resolved_database_url)
    if url.get_backend_name() == "sqlite":
        conn = sqlite3.connect(str(url.database), isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE od_dataset_images SET revision = revision + 100 WHERE id = ?", (member_id,))
            yield
            conn.execute("ROLLBACK")
        finally:
            conn.close()
        return
    engine = create_engine(ctx.settings.resolved_database_url)
    try:
        with engine.connect() as pg:
            bump = "UPDATE od_dataset_images SET revision = revision + 100 WHERE id = :id"
            pg.execute(text(bump), {"id": member_id})
            yield
            pg.rollback()
    finally:
        engine.dispose()


def _member_id(client: TestClient, scene: Scene) -> int:
    created = client.post(scene.url(), json=box(scene.class_ids[0]))
    assert created.status_code == 201, created.text
    return int(created.json()["annotation"]["dataset_image_id"])


def _assert_busy(response: Any) -> None:
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["error"] == "Busy"
    assert "retry" in body["detail"].lower()
    assert body["retry_after_s"] >= 1
    assert int(response.headers["Retry-After"]) == body["retry_after_s"]


def test_edits_beside_a_long_write_get_a_retryable_busy_and_change_nothing(
    client: TestClient, ctx: AppContext, scene: Scene
) -> None:
    member_id = _member_id(client, scene)
    ann_id = stored_annotations(ctx)[0]["id"]
    before = snapshot(ctx, scene)
    patch = {"x1": 1, "y1": 2}
    save = {"base_revision": 1, "created": [{"client_id": "n1", **box(scene.class_ids[1])}]}

    with another_writer(ctx, member_id):
        _assert_busy(client.patch(f"{API}/annotations/{ann_id}", json=patch))
        _assert_busy(client.put(scene.url(), json=save))
        _assert_busy(client.post(scene.url(), json=box(scene.class_ids[1])))

    assert snapshot(ctx, scene) == before
    # The same requests, sent again, go through.
    assert client.patch(f"{API}/annotations/{ann_id}", json=patch).status_code == 200
    assert stored_annotations(ctx)[0]["box"][:2] == (1, 2)
    assert member_state(ctx, scene.dataset_id, scene.image_ids[0])["revision"] == 2


def test_any_write_route_answers_busy_while_sqlite_is_locked(
    client: TestClient, ctx: AppContext, scene: Scene, db_backend: str
) -> None:
    if db_backend != "sqlite":
        pytest.skip("PostgreSQL has no database-wide write lock; row locks are covered above")
    member_id = _member_id(client, scene)
    with another_writer(ctx, member_id):
        _assert_busy(client.patch(f"{API}/classes/{scene.class_ids[0]}", json={"description": "x"}))
        _assert_busy(client.post(f"{API}/datasets", json={"name": "Later"}))
    assert client.get(f"{API}/datasets").json()["total"] == 2


def test_reads_are_answered_while_sqlite_is_locked_even_when_their_session_is_due_a_touch(
    client: TestClient, ctx: AppContext, scene: Scene, db_backend: str
) -> None:
    if db_backend != "sqlite":
        pytest.skip("PostgreSQL readers never wait for writers")
    member_id = _member_id(client, scene)
    with ctx.db.write() as session:  # "last seen" long ago: this request would note the use
        session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(hours=1)))
    with another_writer(ctx, member_id):
        response = client.get(f"{API}/datasets")
    assert response.status_code == 200, response.text
    assert response.json()["total"] == 2

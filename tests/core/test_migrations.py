"""Migrations build the schema the models describe, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

import shelfscope.db.all_models  # noqa: F401
from shelfscope.db.base import Base
from shelfscope.db.engine import create_db_engine
from shelfscope.db.migrate import current_revision, head_revision, upgrade

PLAN_TABLES = {
    "od_images",
    "od_classes",
    "od_datasets",
    "od_dataset_images",
    "od_annotations",
    "od_dataset_versions",
    "od_training_runs",
    "od_trained_models",
    "od_class_changes",
    "jobs",
    "job_events",
    "users",
    "api_tokens",
    "sessions",
}


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    engine = create_db_engine(database_url, pooled=False)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        assert set(inspect(engine).get_table_names()) >= PLAN_TABLES
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_foreign_keys_have_explicit_delete_rules() -> None:
    missing = [
        f"{fk.parent.table.name}.{fk.parent.name}"
        for table in Base.metadata.tables.values()
        for fk in table.foreign_keys
        if fk.ondelete is None
    ]
    assert missing == []


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path: object) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path}/x.db")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_jobs_stored_under_the_old_kind_names_are_renamed(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    upgrade(url, "0002")
    engine = create_db_engine(url, pooled=False)
    insert = text(
        "INSERT INTO jobs (kind, status, runner, payload, progress, attempt, max_attempts, cancel_requested,"
        " created_at, updated_at) VALUES (:kind, 'succeeded', 'local', '{}', 1, 1, 1, 0, :at, :at)"
    )
    try:
        with engine.begin() as conn:
            for kind in ("storage.verify", "od.export", "acme.custom"):
                conn.execute(insert, {"kind": kind, "at": "2026-01-01 00:00:00"})
        upgrade(url)
        with engine.connect() as conn:
            kinds = conn.execute(text("SELECT kind FROM jobs ORDER BY id")).scalars().all()
        assert kinds == ["od.images.verify", "od.exports.run", "acme.custom"]
    finally:
        engine.dispose()

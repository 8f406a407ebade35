"""Shared fixtures: a fresh migrated database per test (SQLite and PostgreSQL), the app, signed-in clients."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from shelfscope.app import bind_context, create_app
from shelfscope.auth.models import User
from shelfscope.auth.service import hash_password
from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.db.migrate import upgrade
from tests.support.app import SHARED_DATA, TEST_PASSWORD, signed_in_client
from tests.support.databases import PostgresDatabases
from tests.support.servers import postgres_cluster, redis_server

BACKENDS = ("sqlite", "postgres")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        default="sqlite,postgres",
        help="comma-separated database backends to run database tests on (sqlite,postgres)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist the controller re-imports the module of every warning a worker reports (rfdetr,
    which imports torchvision), so torchvision's fallback ops must be in place there too."""
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        from shelfscope.ml.runtime import load_torchvision

        load_torchvision()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_backend" in metafunc.fixturenames:
        chosen = [b.strip() for b in str(metafunc.config.getoption("--db")).split(",") if b.strip()]
        metafunc.parametrize("db_backend", [b for b in BACKENDS if b in chosen], scope="session")


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    """Argon2 at its cheapest: the tests check behaviour, not hashing cost, and sign in hundreds of times."""
    from argon2 import PasswordHasher

    from shelfscope.auth import service

    original = service._hasher
    service._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    yield
    service._hasher = original


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not beside the repository")
    return SHARED_DATA


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """URL of a PostgreSQL server without a database part."""
    given = os.environ.get("SHELFSCOPE_TEST_POSTGRES_URL")
    if given:
        yield given.rsplit("/", 1)[0] if given.count("/") > 2 else given
        return
    with postgres_cluster() as url:
        yield url


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    given = os.environ.get("SHELFSCOPE_TEST_REDIS_URL")
    if given:
        yield given
        return
    with redis_server() as url:
        yield url


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _postgres_template(postgres_server: str) -> Iterator[str]:
    name = f"shelfscope_tmpl_{uuid.uuid4().hex[:8]}"
    admin = create_engine(f"{postgres_server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    upgrade(f"{postgres_server}/{name}")
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def _postgres_databases(postgres_server: str, _postgres_template: str) -> Iterator[PostgresDatabases]:
    databases = PostgresDatabases(postgres_server, _postgres_template)
    yield databases
    databases.close()


@pytest.fixture
def database_url(db_backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh database with every migration applied, on the backend under test."""
    if db_backend == "sqlite":
        template: Path = request.getfixturevalue("_sqlite_template")
        path = tmp_path / "shelfscope.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    databases: PostgresDatabases = request.getfixturevalue("_postgres_databases")
    yield databases.fresh()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        # One local worker process: ml and interactive jobs run in the default pool, except where a
        # test asks for their own pools (tests/jobs `local_running`).
        local_workers=1,
        local_ml_workers=0,
        local_interactive_workers=0,
        job_heartbeat_s=0.2,
        job_stale_after_s=2.0,
        job_cancel_grace_s=1.0,
        job_poll_s=0.2,
        web_dir=tmp_path / "no-web",
    )


@pytest.fixture
def ctx(settings: Settings) -> Iterator[AppContext]:
    context = AppContext.from_settings(settings)
    yield context
    context.close()


# One app per test process and web folder, pointed at each test's context: the routes are the same for
# every test, and building an app's route state cost half a second a test.
_APPS: dict[Path | None, FastAPI] = {}


@pytest.fixture
def app(ctx: AppContext) -> FastAPI:
    web_dir = ctx.settings.resolved_web_dir
    cached = _APPS.get(web_dir)
    if cached is None:
        cached = _APPS[web_dir] = create_app(ctx, start_runner=False)
    else:
        bind_context(cached, ctx, start_runner=False)
    return cached


@pytest.fixture
def make_user(ctx: AppContext) -> Callable[..., User]:
    def make(username: str = "alice", role: str = "admin", password: str | None = TEST_PASSWORD) -> User:
        with ctx.db.write() as session:
            user = User(
                username=username,
                display_name=username.title(),
                role=role,
                password_hash=hash_password(password) if password else None,
            )
            session.add(user)
        return user

    return make


@pytest.fixture
def anon_client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def client(app: FastAPI, make_user: Callable[..., User]) -> Iterator[TestClient]:
    """Signed in as an admin, sending the CSRF header on every request."""
    make_user("admin", "admin")
    with signed_in_client(app, "admin") as c:
        yield c


@pytest.fixture
def annotator_client(app: FastAPI, make_user: Callable[..., User]) -> Iterator[TestClient]:
    make_user("annie", "annotator")
    with signed_in_client(app, "annie") as c:
        yield c


@pytest.fixture
def viewer_client(app: FastAPI, make_user: Callable[..., User]) -> Iterator[TestClient]:
    make_user("vic", "viewer")
    with signed_in_client(app, "vic") as c:
        yield c

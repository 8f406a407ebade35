"""bind_context: an app made for one context serves another once rebound (the suite reuses one app per
process this way), reading the database, the login limiter and the runner flag from the new context."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shelfscope.app import bind_context, create_app
from shelfscope.auth.models import User
from shelfscope.auth.service import hash_password
from shelfscope.config import Settings
from shelfscope.context import AppContext
from tests.support.app import TEST_PASSWORD


def context(root: Path, template: Path) -> AppContext:
    root.mkdir()
    shutil.copyfile(template, root / "shelfscope.db")
    settings = Settings(
        data_dir=root / "data", database_url=f"sqlite:///{root / 'shelfscope.db'}", web_dir=root / "no-web"
    )
    return AppContext.from_settings(settings)


def add_user(ctx: AppContext, username: str) -> None:
    with ctx.db.write() as session:
        session.add(
            User(
                username=username,
                display_name=username.title(),
                role="admin",
                password_hash=hash_password(TEST_PASSWORD),
            )
        )


def test_a_rebound_app_serves_the_new_contexts_data(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    template: Path = request.getfixturevalue("_sqlite_template")
    first, second = context(tmp_path / "a", template), context(tmp_path / "b", template)
    try:
        add_user(first, "ann")
        add_user(second, "bob")
        app = create_app(first, start_runner=False)
        limiter = app.state.login_limiter

        bind_context(app, second, start_runner=False)

        with TestClient(app) as client:
            login = client.post("/api/v1/auth/login", json={"username": "bob", "password": TEST_PASSWORD})
            assert login.status_code == 200, login.text
            refused = client.post("/api/v1/auth/login", json={"username": "ann", "password": TEST_PASSWORD})
            assert refused.status_code == 401
        assert app.state.ctx is second
        assert app.state.login_limiter is not limiter  # attempts counted against one context stay there
    finally:
        first.close()
        second.close()

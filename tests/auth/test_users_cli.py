"""`shelfscope users create` and `users link`: the server-side way in when no admin can sign in."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlparse

from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from shelfscope.auth.models import User
from shelfscope.cli import app as cli
from shelfscope.config import Settings
from tests.support.app import signed_in_client


def _env(settings: Settings) -> dict[str, str]:
    return {
        "SHELFSCOPE_DATA_DIR": str(settings.data_dir),
        "SHELFSCOPE_DATABASE_URL": settings.resolved_database_url,
    }


def _link_in(output: str) -> str:
    line = next(part.strip() for part in output.splitlines() if "/setup?token=" in part)
    return parse_qs(urlparse(line).query)["token"][0]


def test_users_link_lets_a_locked_out_admin_set_a_new_password(
    app: FastAPI, settings: Settings, make_user: Callable[..., User]
) -> None:
    make_user("boss", "admin")
    result = CliRunner().invoke(cli, ["users", "link", "BOSS"], env=_env(settings))
    assert result.exit_code == 0, result.output
    token = _link_in(result.output)
    with TestClient(app) as c:
        r = c.post("/api/v1/auth/setup", json={"token": token, "password": "found-my-way-back"})
        assert r.status_code == 200, r.text
    signed_in_client(app, "boss", "found-my-way-back").close()


def test_users_link_names_an_unknown_user(settings: Settings) -> None:
    result = CliRunner().invoke(cli, ["users", "link", "nobody"], env=_env(settings))
    assert result.exit_code == 1
    assert "no user named 'nobody'" in result.output


def test_users_create_prints_the_invite_link(app: FastAPI, settings: Settings) -> None:
    result = CliRunner().invoke(cli, ["users", "create", "Dana", "--role", "viewer"], env=_env(settings))
    assert result.exit_code == 0, result.output
    assert "created dana (viewer)" in result.output
    with TestClient(app) as c:
        info = c.get("/api/v1/auth/setup", params={"token": _link_in(result.output)})
        assert info.json() == {"purpose": "set_password", "username": "dana"}

"""Accounts: first-run link, sign-in, sessions with CSRF, API tokens, roles, user management."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from shelfscope.auth.deps import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE
from shelfscope.auth.models import ApiToken, SetupLink, User, UserSession
from shelfscope.auth.service import first_admin_link
from shelfscope.context import AppContext
from shelfscope.db.base import utcnow
from tests.support.app import TEST_PASSWORD, signed_in_client


def _token_of(link: str) -> str:
    return parse_qs(urlparse(link).query)["token"][0]


def _count(ctx: AppContext, model: type) -> int:
    with ctx.db.read() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_first_admin_link_signs_in_and_sets_password(ctx: AppContext, anon_client: TestClient) -> None:
    with ctx.db.writer() as s:
        link = first_admin_link(s, ctx.settings)
    assert link is not None and link.startswith(ctx.settings.resolved_public_url + "/setup?token=")
    token = _token_of(link)

    info = anon_client.get("/api/v1/auth/setup", params={"token": token})
    assert info.json() == {"purpose": "first_admin", "username": None}

    done = anon_client.post(
        "/api/v1/auth/setup", json={"token": token, "username": "Boss", "password": "s3cret-pass"}
    )
    assert done.status_code == 200, done.text
    assert done.json()["user"]["role"] == "admin"
    assert done.json()["user"]["username"] == "boss"
    assert anon_client.cookies.get(SESSION_COOKIE)
    me = anon_client.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json()["user"]["username"] == "boss"

    # One time only: the same link now fails, and no second admin appears.
    again = anon_client.post(
        "/api/v1/auth/setup", json={"token": token, "username": "eve", "password": "s3cret-pass"}
    )
    assert again.status_code == 404 and again.json()["error"] == "NotFound"
    assert _count(ctx, User) == 1
    with ctx.db.writer() as s:
        assert first_admin_link(s, ctx.settings) is None


def test_a_new_first_admin_link_replaces_the_previous_one(ctx: AppContext, anon_client: TestClient) -> None:
    with ctx.db.writer() as s:
        old = first_admin_link(s, ctx.settings)
    with ctx.db.writer() as s:
        new = first_admin_link(s, ctx.settings)
    assert old and new and old != new
    assert anon_client.get("/api/v1/auth/setup", params={"token": _token_of(old)}).status_code == 404
    assert anon_client.get("/api/v1/auth/setup", params={"token": _token_of(new)}).status_code == 200


def test_expired_setup_link_is_refused(ctx: AppContext, anon_client: TestClient) -> None:
    with ctx.db.writer() as s:
        link = first_admin_link(s, ctx.settings)
    assert link
    with ctx.db.write() as s:
        s.execute(update(SetupLink).values(expires_at=utcnow() - timedelta(minutes=1)))
    r = anon_client.post(
        "/api/v1/auth/setup", json={"token": _token_of(link), "username": "x1", "password": "abcdefgh"}
    )
    assert r.status_code == 404
    assert _count(ctx, User) == 0


def test_setup_rejects_short_password_naming_the_field(ctx: AppContext, anon_client: TestClient) -> None:
    with ctx.db.writer() as s:
        link = first_admin_link(s, ctx.settings)
    assert link
    r = anon_client.post(
        "/api/v1/auth/setup", json={"token": _token_of(link), "username": "boss", "password": "short"}
    )
    assert r.status_code == 422
    assert r.json()["error"] == "ValidationFailed"
    assert r.json()["fields"][0]["field"] == "password"
    assert _count(ctx, User) == 0


def test_login_logout_and_wrong_password(
    app: FastAPI, ctx: AppContext, make_user: Callable[..., User]
) -> None:
    make_user("alice", "annotator")
    with TestClient(app) as c:
        wrong = c.post("/api/v1/auth/login", json={"username": "alice", "password": "nope"})
        assert wrong.status_code == 401
        assert wrong.json() == {"error": "Unauthorized", "detail": "Wrong username or password."}
        unknown = c.post("/api/v1/auth/login", json={"username": "nobody", "password": "nope"})
        assert unknown.json() == wrong.json()
        assert _count(ctx, UserSession) == 0

        ok = c.post("/api/v1/auth/login", json={"username": "ALICE", "password": TEST_PASSWORD})
        assert ok.status_code == 200
        csrf = ok.json()["csrf_token"]
        assert c.cookies[CSRF_COOKIE] == csrf
        assert _count(ctx, UserSession) == 1

        out = c.post("/api/v1/auth/logout", headers={CSRF_HEADER: csrf})
        assert out.status_code == 204
        assert _count(ctx, UserSession) == 0
        c.cookies.clear()
        assert c.get("/api/v1/auth/me").status_code == 401


def test_repeated_failures_are_rate_limited(
    app: FastAPI, make_user: Callable[..., User], ctx: AppContext
) -> None:
    make_user("alice", "admin")
    with TestClient(app) as c:
        for _ in range(ctx.settings.login_attempts_per_minute):
            assert (
                c.post("/api/v1/auth/login", json={"username": "alice", "password": "bad"}).status_code == 401
            )
        limited = c.post("/api/v1/auth/login", json={"username": "alice", "password": TEST_PASSWORD})
        assert limited.status_code == 429
        assert limited.json()["error"] == "RateLimited"
        assert limited.headers["retry-after"] == "60"


def test_missing_expired_and_forged_sessions_are_unauthorized(
    client: TestClient, ctx: AppContext, app: FastAPI
) -> None:
    with TestClient(app) as anon:
        r = anon.get("/api/v1/od/stats")
        assert r.status_code == 401 and r.json()["error"] == "Unauthorized"
        anon.cookies.set(SESSION_COOKIE, "forged-value")
        assert anon.get("/api/v1/od/stats").status_code == 401

    assert client.get("/api/v1/od/stats").status_code == 200
    with ctx.db.write() as s:
        s.execute(update(UserSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    expired = client.get("/api/v1/od/stats")
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"]


def test_unsafe_request_without_csrf_header_is_forbidden_and_changes_nothing(
    client: TestClient, ctx: AppContext
) -> None:
    del client.headers[CSRF_HEADER]
    r = client.post("/api/v1/auth/tokens", json={"name": "ci"})
    assert r.status_code == 403 and r.json()["error"] == "Forbidden"
    assert CSRF_HEADER in r.json()["detail"]
    r = client.post("/api/v1/auth/tokens", json={"name": "ci"}, headers={CSRF_HEADER: "wrong"})
    assert r.status_code == 403
    assert _count(ctx, ApiToken) == 0


def test_api_token_lifecycle(client: TestClient, app: FastAPI, ctx: AppContext) -> None:
    created = client.post("/api/v1/auth/tokens", json={"name": "ci"})
    assert created.status_code == 201
    secret = created.json()["secret"]
    assert secret.startswith("ssk_") and created.json()["token"]["prefix"] == secret[:10]
    with ctx.db.read() as s:
        stored = s.scalars(select(ApiToken)).one()
        assert secret not in (stored.token_hash, stored.prefix)

    with TestClient(app) as script:
        bearer = {"Authorization": f"Bearer {secret}"}
        assert script.get("/api/v1/od/stats", headers=bearer).status_code == 200
        # Bearer requests carry no cookie, so they need no CSRF header.
        assert script.post("/api/v1/auth/tokens", json={"name": "more"}, headers=bearer).status_code == 201
        assert script.get("/api/v1/od/stats", headers={"Authorization": "Bearer ssk_nope"}).status_code == 401
        assert script.get("/api/v1/od/stats", headers={"Authorization": "Basic abc"}).status_code == 401

        token_id = created.json()["token"]["id"]
        assert client.delete(f"/api/v1/auth/tokens/{token_id}").status_code == 204
        assert script.get("/api/v1/od/stats", headers=bearer).status_code == 401
    assert client.delete("/api/v1/auth/tokens/999999").status_code == 404


def test_first_use_of_a_token_in_a_write_request_does_not_lock_up(
    client: TestClient, app: FastAPI, ctx: AppContext
) -> None:
    secret = client.post("/api/v1/auth/tokens", json={"name": "ci"}).json()["secret"]
    with TestClient(app) as script:
        r = script.post(
            "/api/v1/auth/tokens", json={"name": "child"}, headers={"Authorization": f"Bearer {secret}"}
        )
        assert r.status_code == 201
    with ctx.db.read() as s:
        used = s.scalars(select(ApiToken).where(ApiToken.name == "ci")).one()
        assert used.last_used_at is not None


def test_viewer_cannot_write(viewer_client: TestClient, ctx: AppContext) -> None:
    assert viewer_client.get("/api/v1/od/stats").status_code == 200
    r = viewer_client.post("/api/v1/auth/users", json={"username": "mallory", "role": "admin"})
    assert r.status_code == 403 and r.json()["error"] == "Forbidden"
    assert _count(ctx, User) == 1


def test_admin_creates_user_who_sets_password_through_link(
    client: TestClient, app: FastAPI, ctx: AppContext
) -> None:
    r = client.post("/api/v1/auth/users", json={"username": "Bob", "role": "annotator"})
    assert r.status_code == 201
    assert r.json()["user"]["has_password"] is False
    link = r.json()["setup_link"]
    dup = client.post("/api/v1/auth/users", json={"username": "bob", "role": "viewer"})
    assert dup.status_code == 409 and dup.json()["field"] == "username"

    with TestClient(app) as bob:
        info = bob.get("/api/v1/auth/setup", params={"token": _token_of(link)}).json()
        assert info == {"purpose": "set_password", "username": "bob"}
        assert (
            bob.post(
                "/api/v1/auth/setup", json={"token": _token_of(link), "password": "bobs-password"}
            ).status_code
            == 200
        )
    signed_in_client(app, "bob", "bobs-password").close()


def test_last_admin_cannot_be_demoted(client: TestClient, ctx: AppContext) -> None:
    me = client.get("/api/v1/auth/me").json()["user"]
    r = client.patch(f"/api/v1/auth/users/{me['id']}", json={"role": "viewer"})
    assert r.status_code == 409 and r.json()["error"] == "Conflict"
    with ctx.db.read() as s:
        assert s.get(User, me["id"]).role == "admin"  # type: ignore[union-attr]


def test_password_change_requires_current_password(client: TestClient, app: FastAPI) -> None:
    bad = client.put(
        "/api/v1/auth/me/password", json={"current_password": "wrong", "new_password": "new-password-1"}
    )
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "current_password"
    ok = client.put(
        "/api/v1/auth/me/password", json={"current_password": TEST_PASSWORD, "new_password": "new-password-1"}
    )
    assert ok.status_code == 204
    signed_in_client(app, "admin", "new-password-1").close()

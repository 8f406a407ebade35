"""User management by admins: list, invite by link, change role, deactivate; own password; first-run probe."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from shelfscope.auth.models import ApiToken, SetupLink, User, UserSession
from shelfscope.context import AppContext
from tests.support.app import TEST_PASSWORD, signed_in_client

USERS = "/api/v1/auth/users"


def _token_of(link: str) -> str:
    return parse_qs(urlparse(link).query)["token"][0]


def _snapshot(ctx: AppContext) -> list[tuple[Any, ...]]:
    """Everything user management can touch, to prove a refused request changed nothing."""
    with ctx.db.read() as s:
        users = s.execute(
            select(
                User.id, User.username, User.display_name, User.role, User.is_active, User.password_hash
            ).order_by(User.id)
        ).all()
        links = s.execute(select(SetupLink.id, SetupLink.used_at).order_by(SetupLink.id)).all()
        sessions = s.scalar(select(func.count()).select_from(UserSession))
        tokens = s.execute(select(ApiToken.id, ApiToken.revoked_at).order_by(ApiToken.id)).all()
    return [*map(tuple, users), *map(tuple, links), (sessions,), *map(tuple, tokens)]


def _user_id(ctx: AppContext, username: str) -> int:
    with ctx.db.read() as s:
        found = s.scalar(select(User.id).where(User.username == username))
    assert found is not None
    return found


def _invite(client: TestClient, username: str, role: str = "annotator") -> dict[str, Any]:
    r = client.post(USERS, json={"username": username, "role": role})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def _accept(app: FastAPI, link: str, password: str) -> None:
    with TestClient(app) as c:
        r = c.post("/api/v1/auth/setup", json={"token": _token_of(link), "password": password})
        assert r.status_code == 200, r.text


def _assert_error(r: Any, status: int, kind: str, field: str | None = None) -> None:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["error"] == kind and isinstance(body["detail"], str) and body["detail"]
    if field is not None:
        assert field in [f["field"] for f in body["fields"]], body


# --- listing and inviting ------------------------------------------------------------------------


def test_admin_lists_users_with_their_state(
    client: TestClient, app: FastAPI, make_user: Callable[..., User]
) -> None:
    make_user("annie", "annotator")
    invited = _invite(client, "newbie", "viewer")
    assert invited["user"]["has_password"] is False

    items = client.get(USERS).json()["items"]
    assert [u["username"] for u in items] == ["admin", "annie", "newbie"]
    by_name = {u["username"]: u for u in items}
    assert by_name["admin"]["last_login_at"] is not None
    assert by_name["annie"] | {"id": 0, "created_at": ""} == {
        "id": 0,
        "username": "annie",
        "display_name": "Annie",
        "role": "annotator",
        "is_active": True,
        "has_password": True,
        "last_login_at": None,
        "created_at": "",
    }
    assert by_name["newbie"]["has_password"] is False and by_name["newbie"]["role"] == "viewer"
    assert all("password_hash" not in u for u in items)


def test_invite_returns_a_one_time_link_that_expires(
    client: TestClient, app: FastAPI, ctx: AppContext
) -> None:
    r = client.post(USERS, json={"username": "Bob", "display_name": "Bob B.", "role": "viewer"})
    assert r.status_code == 201
    body = r.json()
    assert body["user"]["username"] == "bob" and body["user"]["display_name"] == "Bob B."
    assert body["setup_link"].startswith(ctx.settings.resolved_public_url + "/setup?token=")
    assert body["expires_at"]
    _accept(app, body["setup_link"], "bobs-password")
    signed_in_client(app, "bob", "bobs-password").close()
    with TestClient(app) as again:
        used = again.post(
            "/api/v1/auth/setup", json={"token": _token_of(body["setup_link"]), "password": "other-pass"}
        )
        assert used.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "a b", "role": "viewer"}, "username"),
        ({"username": "x", "role": "viewer"}, "username"),
        ({"username": "a" * 65, "role": "viewer"}, "username"),
        ({"username": "-dash", "role": "viewer"}, "username"),
        ({"role": "viewer"}, "username"),
        ({"username": "carol", "role": "owner"}, "role"),
        ({"username": "carol", "display_name": "x" * 129}, "display_name"),
        ({"username": "carol", "is_admin": True}, "is_admin"),
    ],
)
def test_invite_rejects_bad_input_naming_the_field_and_stores_nothing(
    client: TestClient, ctx: AppContext, body: dict[str, Any], field: str
) -> None:
    before = _snapshot(ctx)
    _assert_error(client.post(USERS, json=body), 422, "ValidationFailed", field)
    assert _snapshot(ctx) == before


def test_invite_rejects_malformed_json_and_duplicates(client: TestClient, ctx: AppContext) -> None:
    _invite(client, "bob")
    before = _snapshot(ctx)
    bad = client.post(USERS, content=b"{not json", headers={"Content-Type": "application/json"})
    _assert_error(bad, 422, "ValidationFailed", "body")
    dup = client.post(USERS, json={"username": "BOB", "role": "admin"})
    _assert_error(dup, 409, "Conflict")
    assert dup.json()["field"] == "username"
    assert _snapshot(ctx) == before


def test_a_new_setup_link_replaces_the_lost_invite(client: TestClient, app: FastAPI, ctx: AppContext) -> None:
    first = _invite(client, "bob")
    user_id = first["user"]["id"]
    r = client.post(f"{USERS}/{user_id}/setup-link")
    assert r.status_code == 201
    second = r.json()
    assert second["user"]["id"] == user_id and second["setup_link"] != first["setup_link"]

    with TestClient(app) as anon:
        old = anon.get("/api/v1/auth/setup", params={"token": _token_of(first["setup_link"])})
        assert old.status_code == 404
        info = anon.get("/api/v1/auth/setup", params={"token": _token_of(second["setup_link"])})
        assert info.json() == {"purpose": "set_password", "username": "bob"}
    _accept(app, second["setup_link"], "bobs-password")
    signed_in_client(app, "bob", "bobs-password").close()


def test_a_reset_link_keeps_the_old_password_until_it_is_used(
    client: TestClient, app: FastAPI, ctx: AppContext, make_user: Callable[..., User]
) -> None:
    make_user("annie", "annotator")
    link = client.post(f"{USERS}/{_user_id(ctx, 'annie')}/setup-link").json()["setup_link"]
    signed_in_client(app, "annie").close()
    _accept(app, link, "a-new-password")
    signed_in_client(app, "annie", "a-new-password").close()
    with TestClient(app) as c:
        old = c.post("/api/v1/auth/login", json={"username": "annie", "password": TEST_PASSWORD})
        assert old.status_code == 401


def test_setup_link_for_a_missing_or_deactivated_user_is_refused(
    client: TestClient, ctx: AppContext, make_user: Callable[..., User]
) -> None:
    make_user("annie", "annotator")
    annie = _user_id(ctx, "annie")
    assert client.patch(f"{USERS}/{annie}", json={"is_active": False}).status_code == 200
    before = _snapshot(ctx)
    _assert_error(client.post(f"{USERS}/999999/setup-link"), 404, "NotFound")
    refused = client.post(f"{USERS}/{annie}/setup-link")
    _assert_error(refused, 409, "Conflict")
    assert "reactivate" in refused.json()["detail"]
    _assert_error(client.post(f"{USERS}/abc/setup-link"), 422, "ValidationFailed", "user_id")
    assert _snapshot(ctx) == before


# --- roles ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["annotator", "viewer"])
def test_non_admins_get_403_on_every_user_route_and_change_nothing(
    app: FastAPI, ctx: AppContext, make_user: Callable[..., User], who: str
) -> None:
    make_user("admin", "admin")
    make_user("target", "viewer")
    make_user("someone", who)
    target = _user_id(ctx, "target")
    with signed_in_client(app, "someone") as c:
        before = _snapshot(ctx)  # signing in added a session
        calls = [
            c.get(USERS),
            c.post(USERS, json={"username": "mallory", "role": "admin"}),
            c.patch(f"{USERS}/{target}", json={"role": "admin"}),
            c.patch(f"{USERS}/{target}", json={"is_active": False}),
            c.post(f"{USERS}/{target}/setup-link"),
        ]
        for r in calls:
            _assert_error(r, 403, "Forbidden")
            assert r.json()["role"] == who
    assert _snapshot(ctx) == before


def test_anonymous_callers_get_401_on_user_routes(
    anon_client: TestClient, ctx: AppContext, make_user: Callable[..., User]
) -> None:
    make_user("admin", "admin")
    before = _snapshot(ctx)
    for r in (
        anon_client.get(USERS),
        anon_client.post(USERS, json={"username": "mallory", "role": "admin"}),
        anon_client.patch(f"{USERS}/1", json={"role": "viewer"}),
        anon_client.post(f"{USERS}/1/setup-link"),
    ):
        _assert_error(r, 401, "Unauthorized")
    assert _snapshot(ctx) == before


def test_a_role_change_applies_to_the_users_next_request(
    client: TestClient, app: FastAPI, ctx: AppContext, make_user: Callable[..., User]
) -> None:
    make_user("annie", "annotator")
    annie = _user_id(ctx, "annie")
    with signed_in_client(app, "annie") as annie_client:
        assert annie_client.get(USERS).status_code == 403
        r = client.patch(f"{USERS}/{annie}", json={"role": "admin"})
        assert r.status_code == 200 and r.json()["role"] == "admin"
        assert annie_client.get(USERS).status_code == 200

        assert client.patch(f"{USERS}/{annie}", json={"role": "viewer"}).json()["role"] == "viewer"
        assert annie_client.get(USERS).status_code == 403
        created = annie_client.post("/api/v1/od/classes", json={"name": "cola"})
        _assert_error(created, 403, "Forbidden")


def test_admin_renames_a_user(client: TestClient, ctx: AppContext, make_user: Callable[..., User]) -> None:
    make_user("annie", "annotator")
    r = client.patch(f"{USERS}/{_user_id(ctx, 'annie')}", json={"display_name": "Annie Hall"})
    assert r.status_code == 200
    assert r.json()["display_name"] == "Annie Hall" and r.json()["role"] == "annotator"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"role": "owner"}, "role"),
        ({"is_active": "maybe"}, "is_active"),
        ({"active": False}, "active"),
        ({"display_name": "x" * 129}, "display_name"),
        ([], "body"),
    ],
)
def test_update_rejects_bad_input_naming_the_field_and_changes_nothing(
    client: TestClient, ctx: AppContext, make_user: Callable[..., User], body: Any, field: str
) -> None:
    make_user("annie", "annotator")
    before = _snapshot(ctx)
    r = client.patch(f"{USERS}/{_user_id(ctx, 'annie')}", json=body)
    _assert_error(r, 422, "ValidationFailed", field)
    assert _snapshot(ctx) == before


def test_update_of_a_missing_user_is_404(client: TestClient, ctx: AppContext) -> None:
    before = _snapshot(ctx)
    _assert_error(client.patch(f"{USERS}/999999", json={"role": "viewer"}), 404, "NotFound")
    _assert_error(client.patch(f"{USERS}/abc", json={"role": "viewer"}), 422, "ValidationFailed", "user_id")
    assert _snapshot(ctx) == before


# --- the last admin ------------------------------------------------------------------------------


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(client: TestClient, ctx: AppContext) -> None:
    me = _user_id(ctx, "admin")
    before = _snapshot(ctx)
    for role in ("annotator", "viewer"):
        r = client.patch(f"{USERS}/{me}", json={"role": role})
        _assert_error(r, 409, "Conflict")
        assert "last active admin" in r.json()["detail"]
    _assert_error(client.patch(f"{USERS}/{me}", json={"is_active": False}), 403, "Forbidden")
    assert _snapshot(ctx) == before
    # Saying what is already true is fine.
    assert client.patch(f"{USERS}/{me}", json={"role": "admin", "is_active": True}).status_code == 200


def test_an_inactive_admin_does_not_count_as_the_other_admin(
    client: TestClient, ctx: AppContext, make_user: Callable[..., User]
) -> None:
    make_user("second", "admin")
    second = _user_id(ctx, "second")
    me = _user_id(ctx, "admin")
    assert client.patch(f"{USERS}/{second}", json={"is_active": False}).status_code == 200
    before = _snapshot(ctx)
    _assert_error(client.patch(f"{USERS}/{me}", json={"role": "viewer"}), 409, "Conflict")
    assert _snapshot(ctx) == before

    # With a second active admin, either may step down.
    assert client.patch(f"{USERS}/{second}", json={"is_active": True}).status_code == 200
    r = client.patch(f"{USERS}/{me}", json={"role": "annotator"})
    assert r.status_code == 200 and r.json()["role"] == "annotator"
    # ...and the one who did is no longer an admin.
    _assert_error(client.get(USERS), 403, "Forbidden")


def test_an_admin_cannot_deactivate_themselves_even_with_other_admins(
    client: TestClient, ctx: AppContext, make_user: Callable[..., User]
) -> None:
    make_user("second", "admin")
    before = _snapshot(ctx)
    r = client.patch(f"{USERS}/{_user_id(ctx, 'admin')}", json={"is_active": False})
    _assert_error(r, 403, "Forbidden")
    assert _snapshot(ctx) == before


# --- deactivation --------------------------------------------------------------------------------


def test_deactivation_ends_sessions_and_tokens_at_once(
    client: TestClient, app: FastAPI, ctx: AppContext, make_user: Callable[..., User]
) -> None:
    make_user("annie", "annotator")
    annie = _user_id(ctx, "annie")
    with signed_in_client(app, "annie") as browser, signed_in_client(app, "annie") as laptop:
        secret = browser.post("/api/v1/auth/tokens", json={"name": "ci"}).json()["secret"]
        bearer = {"Authorization": f"Bearer {secret}"}
        with TestClient(app) as script:
            assert script.get("/api/v1/auth/me", headers=bearer).status_code == 200
            assert laptop.get("/api/v1/auth/me").status_code == 200

            r = client.patch(f"{USERS}/{annie}", json={"is_active": False})
            assert r.status_code == 200 and r.json()["is_active"] is False

            _assert_error(browser.get("/api/v1/auth/me"), 401, "Unauthorized")
            _assert_error(laptop.post("/api/v1/auth/tokens", json={"name": "x"}), 401, "Unauthorized")
            _assert_error(script.get("/api/v1/od/stats", headers=bearer), 401, "Unauthorized")
            login = script.post("/api/v1/auth/login", json={"username": "annie", "password": TEST_PASSWORD})
            _assert_error(login, 401, "Unauthorized")
    with ctx.db.read() as s:
        assert (
            s.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == annie)) == 0
        )
        assert s.scalars(select(ApiToken.revoked_at).where(ApiToken.user_id == annie)).all() != [None]

    # Reactivated: the password works again, the revoked token stays revoked.
    assert client.patch(f"{USERS}/{annie}", json={"is_active": True}).json()["is_active"] is True
    signed_in_client(app, "annie").close()
    with TestClient(app) as script:
        _assert_error(script.get("/api/v1/od/stats", headers=bearer), 401, "Unauthorized")


def test_deactivating_an_invited_user_retires_their_link(
    client: TestClient, app: FastAPI, ctx: AppContext
) -> None:
    invited = _invite(client, "bob")
    assert client.patch(f"{USERS}/{invited['user']['id']}", json={"is_active": False}).status_code == 200
    with TestClient(app) as anon:
        token = _token_of(invited["setup_link"])
        assert anon.get("/api/v1/auth/setup", params={"token": token}).status_code == 404
        r = anon.post("/api/v1/auth/setup", json={"token": token, "password": "bobs-password"})
        _assert_error(r, 404, "NotFound")
    with ctx.db.read() as s:
        assert s.scalar(select(User.password_hash).where(User.username == "bob")) is None


# --- first run -----------------------------------------------------------------------------------


def test_first_run_probe_says_only_whether_setup_is_needed(
    anon_client: TestClient, make_user: Callable[..., User]
) -> None:
    r = anon_client.get("/api/v1/auth/first-run")
    assert r.status_code == 200 and r.json() == {"setup_required": True}
    make_user("admin", "admin")
    assert anon_client.get("/api/v1/auth/first-run").json() == {"setup_required": False}


# --- own password --------------------------------------------------------------------------------

PASSWORD = "/api/v1/auth/me/password"


def test_everyone_can_change_their_own_password(viewer_client: TestClient, app: FastAPI) -> None:
    r = viewer_client.put(PASSWORD, json={"current_password": TEST_PASSWORD, "new_password": "vics-new-pass"})
    assert r.status_code == 204
    signed_in_client(app, "vic", "vics-new-pass").close()
    with TestClient(app) as c:
        old = c.post("/api/v1/auth/login", json={"username": "vic", "password": TEST_PASSWORD})
        _assert_error(old, 401, "Unauthorized")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"current_password": "wrong-password", "new_password": "long-enough-1"}, "current_password"),
        ({"current_password": TEST_PASSWORD, "new_password": "short"}, "new_password"),
        ({"current_password": TEST_PASSWORD}, "new_password"),
        ({"new_password": "long-enough-1"}, "current_password"),
        ({"current_password": TEST_PASSWORD, "new_password": "x" * 1025}, "new_password"),
    ],
)
def test_password_change_rejects_bad_input_and_keeps_the_old_password(
    viewer_client: TestClient, app: FastAPI, ctx: AppContext, body: dict[str, str], field: str
) -> None:
    before = _snapshot(ctx)
    _assert_error(viewer_client.put(PASSWORD, json=body), 422, "ValidationFailed", field)
    assert _snapshot(ctx) == before
    signed_in_client(app, "vic").close()


def test_password_change_needs_a_session_and_its_csrf_header(
    viewer_client: TestClient, anon_client: TestClient, ctx: AppContext
) -> None:
    body = {"current_password": TEST_PASSWORD, "new_password": "long-enough-1"}
    before = _snapshot(ctx)
    _assert_error(anon_client.put(PASSWORD, json=body), 401, "Unauthorized")
    del viewer_client.headers["X-CSRF-Token"]
    _assert_error(viewer_client.put(PASSWORD, json=body), 403, "Forbidden")
    assert _snapshot(ctx) == before

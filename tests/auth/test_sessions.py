"""Sessions and sign-in limits: a password change signs out everywhere else, parallel guesses cannot
pass the limit together, and a stranger cannot lock the owner out from an address they signed in from."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from shelfscope.auth import service
from shelfscope.auth.models import ApiToken, User, UserSession
from shelfscope.auth.service import LoginLimiter
from shelfscope.context import AppContext
from shelfscope.errors import RateLimited
from tests.support.app import TEST_PASSWORD, live_server, signed_in_client

LOGIN = "/api/v1/auth/login"
NEW_PASSWORD = "a brand new passphrase"


def _live(ctx: AppContext, model: type[UserSession] | type[ApiToken]) -> int:
    with ctx.db.read() as session:
        query = select(func.count()).select_from(model)
        if model is ApiToken:
            query = query.where(ApiToken.revoked_at.is_(None))
        return int(session.scalar(query) or 0)


def test_changing_the_password_ends_other_sessions_and_tokens_but_keeps_this_one(
    app: FastAPI, make_user: Callable[..., User], ctx: AppContext
) -> None:
    make_user("alice", "annotator")
    here, laptop = signed_in_client(app, "alice"), signed_in_client(app, "alice")
    secret = here.post("/api/v1/auth/tokens", json={"name": "ci"}).json()["secret"]
    bearer = {"Authorization": f"Bearer {secret}"}
    assert here.get("/api/v1/auth/me", headers=bearer).status_code == 200

    wrong = here.put(
        "/api/v1/auth/me/password", json={"current_password": "nope", "new_password": NEW_PASSWORD}
    )
    assert wrong.status_code == 422 and wrong.json()["fields"][0]["field"] == "current_password"
    assert (_live(ctx, UserSession), _live(ctx, ApiToken)) == (2, 1)

    changed = here.put(
        "/api/v1/auth/me/password", json={"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert changed.status_code == 204
    assert here.get("/api/v1/auth/me").status_code == 200
    assert laptop.get("/api/v1/auth/me").status_code == 401
    with TestClient(app) as anon:
        assert anon.get("/api/v1/auth/me", headers=bearer).status_code == 401
        assert anon.post(LOGIN, json={"username": "alice", "password": TEST_PASSWORD}).status_code == 401
        assert anon.post(LOGIN, json={"username": "alice", "password": NEW_PASSWORD}).status_code == 200
    assert _live(ctx, ApiToken) == 0


def test_a_password_set_through_a_setup_link_signs_out_the_old_sessions(
    client: TestClient, app: FastAPI, make_user: Callable[..., User], ctx: AppContext
) -> None:
    make_user("bob", "annotator")
    old = signed_in_client(app, "bob")
    with ctx.db.write() as session:
        bob = session.scalars(select(User).where(User.username == "bob")).one()
        raw = service.create_setup_link(session, ctx.settings, "set_password", bob.id)
    with TestClient(app) as fresh:
        done = fresh.post("/api/v1/auth/setup", json={"token": raw, "password": NEW_PASSWORD})
        assert done.status_code == 200
        assert fresh.get("/api/v1/auth/me").status_code == 200
    assert old.get("/api/v1/auth/me").status_code == 401


# ---- the sign-in limit ---------------------------------------------------------------------------


@pytest.fixture
def server_url(app: FastAPI) -> Iterator[str]:
    with live_server(app, log_level="warning") as url:
        yield url


def test_eighty_parallel_guesses_get_no_more_than_the_limit_evaluated(
    server_url: str, make_user: Callable[..., User], ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user("admin", "admin")
    evaluated: list[float] = []
    real_verify = service.verify_password

    def slow_verify(password_hash: str | None, password: str) -> bool:
        evaluated.append(time.monotonic())
        time.sleep(0.05)  # as long as a real Argon2 check: the window parallel guesses race through
        return real_verify(password_hash, password)

    monkeypatch.setattr(service, "verify_password", slow_verify)

    def guess(i: int) -> int:
        body = {"username": "admin", "password": f"guess-{i}"}
        return httpx.post(f"{server_url}{LOGIN}", json=body, timeout=60).status_code

    with ThreadPoolExecutor(80) as pool:
        statuses = list(pool.map(guess, range(80)))

    limit = ctx.settings.login_attempts_per_minute
    assert len(evaluated) <= limit
    assert statuses.count(401) <= limit and statuses.count(429) >= 80 - limit
    assert set(statuses) <= {401, 429}


def _from(app: FastAPI, address: str) -> TestClient:
    return TestClient(app, client=(address, 40000))


def _login(c: TestClient, password: str, username: str = "owner") -> int:
    return int(c.post(LOGIN, json={"username": username, "password": password}).status_code)


def test_a_stranger_cannot_lock_the_owner_out_from_a_known_address(
    app: FastAPI, make_user: Callable[..., User], ctx: AppContext
) -> None:
    make_user("owner", "admin")
    make_user("other", "annotator")
    limit = ctx.settings.login_attempts_per_minute
    home, attacker, elsewhere = _from(app, "10.0.0.1"), _from(app, "10.6.6.6"), _from(app, "10.7.7.7")
    assert _login(home, TEST_PASSWORD) == 200

    assert [_login(attacker, f"guess-{i}") for i in range(limit)] == [401] * limit
    assert _login(attacker, TEST_PASSWORD) == 429

    # The owner at home is not locked out; a new address is, while the account is under attack.
    assert _login(home, TEST_PASSWORD) == 200
    assert _login(elsewhere, TEST_PASSWORD) == 429
    # The attacker's address is spent for every account; another address still reaches `other`.
    assert _login(attacker, TEST_PASSWORD, "other") == 429
    assert _login(elsewhere, TEST_PASSWORD, "other") == 200


def test_the_limiter_counts_reservations_and_releases_successes() -> None:
    limiter = LoginLimiter(3)
    attempts = [limiter.reserve("u", "1.1.1.1") for _ in range(3)]
    with pytest.raises(RateLimited):
        limiter.reserve("u", "1.1.1.1")
    limiter.succeeded(attempts[0])  # a success gives its own reservation back, nothing more
    known = limiter.reserve("u", "1.1.1.1")
    assert known.keys == ("ip:1.1.1.1",)  # a known address is not counted against the account
    with pytest.raises(RateLimited):
        limiter.reserve("v", "1.1.1.1")
    assert limiter.reserve("u", "2.2.2.2").keys == ("ip:2.2.2.2", "user:u")

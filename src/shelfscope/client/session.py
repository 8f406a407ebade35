"""Signing in with a username and password to get an API token (what `shelfscope login` saves)."""

from __future__ import annotations

import socket

import httpx

from shelfscope.client._transport import Transport


def create_token(
    url: str,
    username: str,
    password: str,
    *,
    token_name: str | None = None,
    expires_in_days: int | None = None,
    transport: httpx.BaseTransport | None = None,
) -> str:
    """Sign in, create an API token named `token_name` (default "cli on <host>"), sign out, and return the
    token's secret (shown once by the server). Wrong credentials raise `Unauthorized`; too many tries
    `RateLimited`. The password is sent once and never stored."""
    name = (token_name or f"cli on {socket.gethostname()}")[:64]
    t = Transport(url, None, retries=0, transport=transport)
    try:
        signed_in = t.json(
            "POST", "/api/v1/auth/login", json_body={"username": username, "password": password}
        )
        csrf = {"X-CSRF-Token": str(signed_in["csrf_token"])}
        created = t.json(
            "POST",
            "/api/v1/auth/tokens",
            json_body={"name": name, "expires_in_days": expires_in_days},
            headers=csrf,
        )
        t.request("POST", "/api/v1/auth/logout", headers=csrf)
        return str(created["secret"])
    finally:
        t.close()

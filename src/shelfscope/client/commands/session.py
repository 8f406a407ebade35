"""Remote commands: `login` (save a server URL and API token), `logout`, `whoami`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from shelfscope.client.client import Client
from shelfscope.client.commands.common import (
    EXIT_USAGE,
    JsonOpt,
    TokenOpt,
    UrlOpt,
    emit,
    fail,
    handled,
    make_client,
)
from shelfscope.client.config import DEFAULT_URL, credentials_path, forget_credentials, save_credentials
from shelfscope.client.session import create_token


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main `shelfscope` app."""
    app.command("login")(login)
    app.command("logout")(logout)
    app.command("whoami")(whoami)


def login(
    url: Annotated[str, typer.Argument(help="The server, e.g. https://shelfscope.example.com")] = DEFAULT_URL,
    username: Annotated[str | None, typer.Option("--username", "-u", help="Sign in as this user.")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input (scripts).")
    ] = False,
    token: Annotated[
        str | None, typer.Option("--token", help="Save this existing API token instead of signing in.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Sign in to a server and save its URL with a new API token for later commands (and `Client()`).

    With `--token`, the token is checked and saved. Otherwise the password is asked for (or read from
    stdin with `--password-stdin`), an API token named "cli on <host>" is created, and only the token
    is kept, in a file only you can read."""
    url = url.rstrip("/")
    with handled(as_json=as_json):
        if token is None:
            if username is None:
                username = typer.prompt("Username")
            if password_stdin:
                password = sys.stdin.readline().rstrip("\n")
            else:
                password = typer.prompt("Password", hide_input=True)
            if not password:
                fail(EXIT_USAGE, {"error": "BadInput", "detail": "password: empty"}, as_json=as_json)
            token = create_token(url, username, password)
        with Client(url, token, retries=1) as client:
            me = client.me()
        path = save_credentials(url, token)
    user = me.get("user", {})
    name = user.get("username") if isinstance(user, dict) else None
    emit(
        {"url": url, "username": name, "credentials": str(path)},
        as_json=as_json,
        text=f"Signed in to {url} as {name}; token saved in {path}",
    )


def logout(as_json: JsonOpt = False) -> None:
    """Forget the saved login (the API token stays valid on the server until revoked in Settings)."""
    removed = forget_credentials()
    emit(
        {"removed": removed, "credentials": str(credentials_path())},
        as_json=as_json,
        text="Signed out." if removed else "No saved login.",
    )


def whoami(url: UrlOpt = None, token: TokenOpt = None, as_json: JsonOpt = False) -> None:
    """Show the server and user the saved login (or SHELFSCOPE_URL/TOKEN) reaches."""
    client = make_client(url, token, progress=False)
    with handled(as_json=as_json), client:
        me = client.me()
    user = me.get("user", {})
    assert isinstance(user, dict)
    emit(
        {"url": client.url, "user": user},
        as_json=as_json,
        text=f"{user.get('username')} ({user.get('role')}) on {client.url}",
    )

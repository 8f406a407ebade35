"""Where the client finds its server and token: arguments, then `SHELFSCOPE_URL` / `SHELFSCOPE_TOKEN`,
then the file `shelfscope login` writes (`$XDG_CONFIG_HOME/shelfscope/credentials.json`, mode 600)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from shelfscope.client.errors import ShelfscopeClientError

DEFAULT_URL = "http://127.0.0.1:8000"


def credentials_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "shelfscope" / "credentials.json"


def saved_credentials() -> tuple[str | None, str | None]:
    path = credentials_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, None
    except (OSError, json.JSONDecodeError) as exc:
        raise ShelfscopeClientError(
            f"{path}: unreadable saved login ({exc}); run `shelfscope login` again"
        ) from exc
    if not isinstance(raw, dict):
        return None, None
    url, token = raw.get("url"), raw.get("token")
    return (url if isinstance(url, str) else None), (token if isinstance(token, str) else None)


def save_credentials(url: str, token: str) -> Path:
    """Write the login for later commands, readable by this user only."""
    path = credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"url": url, "token": token}, f)
    os.replace(tmp, path)
    return path


def forget_credentials() -> bool:
    try:
        credentials_path().unlink()
    except FileNotFoundError:
        return False
    return True


def resolve_credentials(url: str | None, token: str | None) -> tuple[str, str | None]:
    """The server URL and token to use. A saved token is used only for the URL it was saved for."""
    env_url = os.environ.get("SHELFSCOPE_URL") or None
    env_token = os.environ.get("SHELFSCOPE_TOKEN") or None
    saved_url, saved_token = saved_credentials() if (token is None and env_token is None) else (None, None)
    chosen_url = (url or env_url or saved_url or DEFAULT_URL).rstrip("/")
    chosen_token = token or env_token
    same_server = saved_url is not None and saved_url.rstrip("/") == chosen_url
    if chosen_token is None and saved_token is not None and same_server:
        chosen_token = saved_token
    return chosen_url, chosen_token

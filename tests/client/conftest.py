"""A real `shelfscope serve` (SQLite, local workers) in a subprocess for the client and CLI tests, with
an admin who has a password and an API token. One server per test session: tests make their own
datasets and images with unique names."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from shelfscope.auth.models import User
from shelfscope.auth.service import create_api_token, hash_password
from shelfscope.client import Client
from shelfscope.config import Settings
from shelfscope.db import Database
from shelfscope.db.migrate import upgrade
from tests.support.app import TEST_PASSWORD
from tests.support.servers import free_port


@dataclass(frozen=True)
class LiveServer:
    url: str
    token: str  # the admin's API token
    username: str
    password: str
    data_dir: Path
    env: dict[str, str]  # the server's environment (SHELFSCOPE_*), for CLI subprocesses on the same data

    def client(self, **kwargs: object) -> Client:
        return Client(self.url, self.token, **kwargs)  # type: ignore[arg-type]


def _shelfscope_command() -> list[str]:
    script = Path(sys.executable).parent / "shelfscope"
    return (
        [str(script)]
        if script.exists()
        else [sys.executable, "-c", "from shelfscope.cli import main; main()"]
    )


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("live-server")
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SHELFSCOPE_")},
        "SHELFSCOPE_DATA_DIR": str(root / "data"),
        "SHELFSCOPE_DATABASE_URL": f"sqlite:///{root / 'shelfscope.db'}",
        "SHELFSCOPE_HOST": "127.0.0.1",
        "SHELFSCOPE_PORT": str(port),
        "SHELFSCOPE_LOCAL_WORKERS": "1",
        "SHELFSCOPE_LOCAL_ML_WORKERS": "1",
        "SHELFSCOPE_LOCAL_INTERACTIVE_WORKERS": "1",
        "SHELFSCOPE_LOG_LEVEL": "warning",
    }
    settings = Settings(
        data_dir=root / "data", database_url=env["SHELFSCOPE_DATABASE_URL"], host="127.0.0.1", port=port
    )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.resolved_database_url)
    db = Database.from_settings(settings)
    with db.writer() as session:
        admin = User(
            username="admin", display_name="Admin", role="admin", password_hash=hash_password(TEST_PASSWORD)
        )
        session.add(admin)
        session.flush()
        _, token = create_api_token(session, admin, "tests", None)
    db.dispose()
    log = (root / "server.log").open("wb")
    process = subprocess.Popen(
        [*_shelfscope_command(), "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"shelfscope serve exited: {(root / 'server.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/api/v1/od/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"shelfscope serve did not answer: {(root / 'server.log').read_text()[-2000:]}"
                )
            time.sleep(0.2)
        yield LiveServer(url, token, "admin", TEST_PASSWORD, settings.data_dir, env)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def api(live_server: LiveServer) -> Iterator[Client]:
    """A client signed in as the live server's admin."""
    with live_server.client() as client:
        yield client

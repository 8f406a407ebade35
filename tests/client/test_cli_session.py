"""`shelfscope login | whoami | logout | jobs ...` against a real server: the saved login is used by later
commands and by `Client()`, errors come with the error shape and the documented exit codes."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import uuid
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shelfscope.cli import app
from shelfscope.client import Client
from shelfscope.client.commands.common import EXIT_AUTH, EXIT_JOB, EXIT_REFUSED, EXIT_UNREACHABLE
from tests.client.conftest import LiveServer, _shelfscope_command
from tests.support.servers import free_port


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config folder of its own, and no SHELFSCOPE_URL/TOKEN from the environment."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("SHELFSCOPE_URL", raising=False)
    monkeypatch.delenv("SHELFSCOPE_TOKEN", raising=False)
    return tmp_path / "config"


runner = CliRunner()


def test_login_with_a_password_saves_a_token_that_later_commands_and_the_client_use(
    live_server: LiveServer, home: Path
) -> None:
    done = runner.invoke(
        app,
        ["login", live_server.url, "-u", live_server.username, "--password-stdin", "--json"],
        input=live_server.password + "\n",
    )
    assert done.exit_code == 0, done.output
    saved = home / "shelfscope" / "credentials.json"
    assert json.loads(done.stdout)["username"] == "admin"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert live_server.password not in saved.read_text()
    who = runner.invoke(app, ["whoami", "--json"])
    assert who.exit_code == 0, who.output
    assert json.loads(who.stdout)["user"]["username"] == "admin"
    with Client() as client:  # the saved login, for the same URL
        assert client.me()["user"]["username"] == "admin"  # type: ignore[index]
    out = runner.invoke(app, ["logout"])
    assert out.exit_code == 0 and not saved.exists()


def test_a_wrong_password_exits_3_with_the_error_shape_and_saves_nothing(
    live_server: LiveServer, home: Path
) -> None:
    done = runner.invoke(
        app,
        ["login", live_server.url, "-u", "admin", "--password-stdin", "--json"],
        input="wrong password\n",
    )
    assert done.exit_code == EXIT_AUTH
    error = json.loads(done.stderr.strip().splitlines()[-1])
    assert error["error"] == "Unauthorized" and error["status"] == 401
    assert not (home / "shelfscope" / "credentials.json").exists()


def test_a_bad_token_is_refused_and_not_saved(live_server: LiveServer, home: Path) -> None:
    done = runner.invoke(app, ["login", live_server.url, "--token", "nope"])
    assert done.exit_code == EXIT_AUTH
    assert "shelfscope login" in done.stderr
    assert not (home / "shelfscope" / "credentials.json").exists()


def test_an_unreachable_server_exits_6(home: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    done = runner.invoke(app, ["whoami", "--url", url, "--token", "x", "--json"])
    assert done.exit_code == EXIT_UNREACHABLE
    assert json.loads(done.stderr.strip().splitlines()[-1])["error"] == "Unreachable"


def test_jobs_watch_follows_a_job_to_its_end(live_server: LiveServer, api: Client) -> None:
    started = api._transport.json("POST", "/api/v1/od/images/verify")["job"]
    env = {"SHELFSCOPE_URL": live_server.url, "SHELFSCOPE_TOKEN": live_server.token}
    done = runner.invoke(app, ["jobs", "watch", str(started["id"]), "--json"], env=env)
    assert done.exit_code == 0, done.output
    job = json.loads(done.stdout)
    assert job["id"] == started["id"] and job["status"] == "succeeded" and job["progress"] == 1.0
    shown = runner.invoke(app, ["jobs", "show", str(started["id"]), "--json"], env=env)
    assert json.loads(shown.stdout)["status"] == "succeeded"
    listed = runner.invoke(app, ["jobs", "list", "--json", "--limit", "500"], env=env)
    assert started["id"] in [j["id"] for j in json.loads(listed.stdout)]


def test_jobs_watch_exits_5_for_a_failed_job_in_a_real_process(live_server: LiveServer, api: Client) -> None:
    """A real zip whose COCO file is not JSON: the upload is accepted, the import job fails, and
    `jobs watch` in a real process says so with exit code 5."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("annotations/instances_default.json", "{ this is not json")
    response = api._transport.request(
        "POST",
        "/api/v1/od/images/import/coco",
        files={"file": ("broken.zip", archive.getvalue(), "application/zip")},
        data={"dataset_name": f"broken-{uuid.uuid4().hex[:8]}"},
    )
    job_id = response.json()["job"]["id"]
    env = {**os.environ, "SHELFSCOPE_URL": live_server.url, "SHELFSCOPE_TOKEN": live_server.token}
    done = subprocess.run(
        [*_shelfscope_command(), "jobs", "watch", str(job_id), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == EXIT_JOB, done.stderr
    assert json.loads(done.stdout)["status"] == "failed"


def test_jobs_show_for_a_missing_job_exits_4(live_server: LiveServer) -> None:
    env = {"SHELFSCOPE_URL": live_server.url, "SHELFSCOPE_TOKEN": live_server.token}
    done = runner.invoke(app, ["jobs", "show", "99999999", "--json"], env=env)
    assert done.exit_code == EXIT_REFUSED
    assert json.loads(done.stderr.strip().splitlines()[-1])["error"] == "NotFound"

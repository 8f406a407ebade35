"""`shelfscope upload FOLDER` against a real server, run as a user runs it (a subprocess): counts or
the summary JSON, exit codes scripts rely on, rejected files named, and nothing stored on bad input."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from uuid import uuid4

from shelfscope.client import Client
from tests.client.conftest import LiveServer, _shelfscope_command
from tests.client.test_images import real_photos


def shelfscope(
    live_server: LiveServer, tmp_path: Path, *args: str, token: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **live_server.env,
        "SHELFSCOPE_URL": live_server.url,
        "SHELFSCOPE_TOKEN": token or live_server.token,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    return subprocess.run(
        [*_shelfscope_command(), *args], env=env, capture_output=True, text=True, timeout=120
    )


def library_size(api: Client) -> int:
    return sum(1 for _ in api.images.list())


def test_upload_stores_a_folder_then_a_rerun_skips_every_file(
    live_server: LiveServer, api: Client, tmp_path: Path
) -> None:
    photos = real_photos(tmp_path / "export", 4)
    label = f"stores/cli-{uuid4().hex[:8]}"

    options = ["--folder", label, "--tags", "promo,aisle-3", "--workers", "2", "--json"]
    first = shelfscope(live_server, tmp_path, "upload", str(tmp_path / "export"), *options)

    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    assert (summary["stored"], summary["duplicate"], summary["skipped"], summary["rejected"]) == (4, 0, 0, 0)
    assert summary["results"][0]["path"] == str(photos[0])
    listed = list(api.images.list(folder=label))
    assert sorted(i.id for i in listed) == sorted(summary["image_ids"])
    assert all(i.tags == ["aisle-3", "promo"] for i in listed)

    again = shelfscope(live_server, tmp_path, "upload", str(tmp_path / "export"), "--json")

    assert again.returncode == 0, again.stderr
    rerun = json.loads(again.stdout)
    assert (rerun["stored"], rerun["skipped"], rerun["bytes_sent"]) == (0, 4, 0)
    assert rerun["image_ids"] == summary["image_ids"]

    resent = shelfscope(
        live_server, tmp_path, "upload", str(tmp_path / "export"), "--no-skip-existing", "--json"
    )

    assert resent.returncode == 0, resent.stderr
    assert (json.loads(resent.stdout)["duplicate"], json.loads(resent.stdout)["skipped"]) == (4, 0)
    assert len(list(api.images.list(folder=label))) == 4


def test_upload_prints_counts_without_json(live_server: LiveServer, tmp_path: Path) -> None:
    real_photos(tmp_path / "export", 2)

    done = shelfscope(live_server, tmp_path, "upload", str(tmp_path / "export"), "--quiet")

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("stored 2, duplicates 0, skipped 0 (already in the library), rejected 0")


def test_a_rejected_file_is_named_on_stderr_exit_4_and_the_others_are_stored(
    live_server: LiveServer, api: Client, tmp_path: Path
) -> None:
    photos = real_photos(tmp_path / "export", 3)
    fake = tmp_path / "export" / "broken.png"
    fake.write_bytes(f"not a png {uuid4()}".encode())

    done = shelfscope(live_server, tmp_path, "upload", str(tmp_path / "export"), "--json")

    assert done.returncode == 4, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["stored"], summary["rejected"]) == (3, 1)
    error = json.loads(done.stderr.strip().splitlines()[-1])
    assert error["error"] == "UnsupportedMedia" and error["file"] == "broken.png"
    assert error["path"] == str(fake)
    assert api.images.lookup([hashlib.sha256(fake.read_bytes()).hexdigest()]) == {}
    stored = api.images.lookup([hashlib.sha256(p.read_bytes()).hexdigest() for p in photos])
    assert len(stored) == 3

    text = shelfscope(live_server, tmp_path, "upload", str(tmp_path / "export"))
    assert text.returncode == 4
    assert f"rejected {fake}: UnsupportedMedia:" in text.stderr
    assert "skipped 3" in text.stdout


def test_a_missing_folder_exits_2_and_uploads_nothing(
    live_server: LiveServer, api: Client, tmp_path: Path
) -> None:
    before = library_size(api)

    done = shelfscope(live_server, tmp_path, "upload", str(tmp_path / "no-such-export"), "--json")

    assert done.returncode == 2
    assert done.stdout == ""
    error = json.loads(done.stderr)
    assert error["error"] == "BadInput" and error["path"] == str(tmp_path / "no-such-export")
    assert library_size(api) == before


def test_a_bad_folder_label_exits_4_naming_the_field_and_stores_nothing(
    live_server: LiveServer, api: Client, tmp_path: Path
) -> None:
    photos = real_photos(tmp_path / "export", 2)

    done = shelfscope(live_server, tmp_path, "upload", str(tmp_path / "export"), "--folder", "a/../b")

    assert done.returncode == 4
    assert "ValidationFailed" in done.stderr and "folder:" in done.stderr
    assert api.images.lookup([hashlib.sha256(p.read_bytes()).hexdigest() for p in photos]) == {}


def test_a_refused_token_exits_3_and_stores_nothing(
    live_server: LiveServer, api: Client, tmp_path: Path
) -> None:
    photos = real_photos(tmp_path / "export", 1)

    done = shelfscope(
        live_server, tmp_path, "upload", str(tmp_path / "export"), "--json", token="wrong-token"
    )

    assert done.returncode == 3
    assert json.loads(done.stderr)["error"] == "Unauthorized"
    assert api.images.lookup([hashlib.sha256(photos[0].read_bytes()).hexdigest()]) == {}

"""`shelfscope import`, `version create` and `export` against a real server: the real command in a
subprocess for the round trip, typer's runner in-process for the refusals (exit codes, the error shape
on stderr, and nothing stored)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from shelfscope.cli import app
from shelfscope.client import Client
from shelfscope.client.commands.datasets import split_target
from tests.client.conftest import LiveServer, _shelfscope_command
from tests.client.test_datasets import (
    dataset_names,
    export_jobs,
    server_zip,
    shelf_items,
    tree,
    unique,
    yolo_zip,
    zip_files,
)
from tests.support.dataset_files import zip_folder


def shelfscope(live_server: LiveServer, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **live_server.env,
        "SHELFSCOPE_URL": live_server.url,
        "SHELFSCOPE_TOKEN": live_server.token,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    return subprocess.run(
        [*_shelfscope_command(), *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def run(live_server: LiveServer, *args: str) -> Any:
    """The command in-process (typer's runner), signed in with --url/--token."""
    return CliRunner().invoke(app, [*args, "--url", live_server.url, "--token", live_server.token])


def test_import_version_and_export_round_trip_from_the_shell(
    live_server: LiveServer, api: Client, tmp_path: Path
) -> None:
    name = unique("cli-shelves")
    archive = yolo_zip(tmp_path / "yolo", shelf_items(6))

    imported = shelfscope(live_server, tmp_path, "import", "yolo", str(archive), "--dataset", name, "--json")
    assert imported.returncode == 0, imported.stderr
    job = json.loads(imported.stdout)
    assert job["status"] == "succeeded" and job["result"]["images"]["added_to_dataset"] == 6
    assert job["result"]["dataset_name"] == name

    made = shelfscope(live_server, tmp_path, "version", "create", name, "--name", "from-cli", "--json")
    assert made.returncode == 0, made.stderr
    version = json.loads(made.stdout)
    assert (version["number"], version["name"], version["status"]) == (1, "from-cli", "ready")
    assert version["counts"]["total_annotations"] == 12

    out = tmp_path / "export"
    exported = shelfscope(
        live_server, tmp_path, "export", f"{name}:1", "--format", "yolo", "-o", str(out), "--json"
    )
    assert exported.returncode == 0, exported.stderr
    summary = json.loads(exported.stdout)
    assert (summary["dataset"], summary["version"], summary["format"]) == (name, 1, "yolo")
    (export_job,) = export_jobs(api, job["result"]["dataset_id"])
    expected = zip_files(server_zip(live_server, export_job))
    assert tree(out) == expected and summary["files"] == len(expected)

    text = shelfscope(live_server, tmp_path, "version", "create", name, "--quiet")
    assert text.returncode == 0 and text.stdout.startswith(f"version 2 (v2) of {name!r}: ready"), text.stdout


def test_version_alone_still_prints_the_programs_version(live_server: LiveServer) -> None:
    result = CliRunner().invoke(app, ["version"])
    assert result.exit_code == 0 and result.stdout.startswith("shelfscope ")


def test_no_wait_prints_the_queued_jobs_and_export_keeps_a_zip(
    live_server: LiveServer, api: Client, tmp_path: Path
) -> None:
    name = unique("cli-nowait")
    archive = yolo_zip(tmp_path / "yolo", shelf_items(3))
    queued = run(live_server, "import", "yolo", str(archive), "--dataset", name, "--no-wait", "--json")
    assert queued.exit_code == 0, queued.output
    job = api.jobs.wait(json.loads(queued.stdout)["id"])
    assert job.result is not None and job.result["dataset_name"] == name

    made = run(live_server, "version", "create", name, "--no-wait", "--json")
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["status"] in ("building", "ready")

    zipped = run(
        live_server, "export", name, "--format", "coco", "-o", str(tmp_path / "zips"), "--zip", "--json"
    )
    assert zipped.exit_code == 0, zipped.output
    path = Path(json.loads(zipped.stdout)["path"])
    assert path.parent == tmp_path / "zips" and path.suffix == ".zip"
    (export_job,) = export_jobs(api, job.result["dataset_id"])
    assert export_job.result["version"] is None
    assert path.read_bytes() == server_zip(live_server, export_job).read_bytes()


def test_a_bad_format_exits_2_naming_the_field_and_nothing_is_stored(
    live_server: LiveServer, api: Client, tmp_path: Path
) -> None:
    name = unique("cli-badformat")
    archive = yolo_zip(tmp_path / "yolo", shelf_items(2))
    imports = sum(1 for _ in api.jobs.list(kind="od.imports.run"))

    result = run(live_server, "import", "yolov8", str(archive), "--dataset", name, "--json")
    assert result.exit_code == 2
    body = json.loads(result.stderr)
    assert body["error"] == "ValidationFailed" and body["fields"][0]["field"] == "format"

    exported = run(live_server, "export", name, "--format", "pascal", "-o", str(tmp_path / "out"))
    assert exported.exit_code == 2 and "format" in exported.stderr

    missing = run(live_server, "import", "yolo", str(tmp_path / "absent.zip"), "--dataset", name, "--json")
    assert missing.exit_code == 2 and json.loads(missing.stderr)["fields"][0]["field"] == "archive"

    assert dataset_names(api, name) == []
    assert sum(1 for _ in api.jobs.list(kind="od.imports.run")) == imports
    assert not (tmp_path / "out").exists()


def test_an_unknown_dataset_or_version_exits_4_with_not_found(
    live_server: LiveServer, api: Client, tmp_path: Path
) -> None:
    name = unique("cli-missing")
    for args in (
        ["version", "create", name, "--json"],
        ["export", f"{name}:1", "--format", "yolo", "-o", str(tmp_path / "out"), "--json"],
        [
            "import",
            "yolo",
            str(yolo_zip(tmp_path / "y", shelf_items(1))),
            "--dataset",
            name,
            "--no-create",
            "--json",
        ],
    ):
        result = run(live_server, *args)
        assert result.exit_code == 4, (args, result.output)
        body = json.loads(result.stderr)
        assert (body["error"], body["status"], body["dataset"]) == ("NotFound", 404, name)

    existing = api.datasets.create(unique("cli-noversion"))
    result = run(live_server, "export", f"{existing.name}:7", "--format", "yolo", "-o", str(tmp_path / "out"))
    assert result.exit_code == 4 and "NotFound" in result.stderr
    assert dataset_names(api, name) == []
    assert export_jobs(api, existing.id) == [] and existing.versions() == []
    assert not (tmp_path / "out").exists()


def test_a_failed_import_exits_5_and_the_dataset_gains_nothing(
    live_server: LiveServer, api: Client, tmp_path: Path
) -> None:
    target = api.datasets.create(unique("cli-broken"))
    root = tmp_path / "yolo"
    yolo_zip(root, shelf_items(2))
    (root / "images" / "train" / "img_000.jpg").write_bytes(b"not a jpeg")
    archive = tmp_path / "broken.zip"
    archive.write_bytes(zip_folder(root))
    result = run(live_server, "import", "yolo", str(archive), "--dataset", str(target.id), "--json")
    assert result.exit_code == 5, result.output
    body = json.loads(result.stderr)
    assert body["error"] == "JobFailed" and body["job"]["status"] == "failed"
    info = target.info()
    assert (info.image_count, info.annotation_count) == (0, 0)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("shelves", ("shelves", None)),
        ("shelves:3", ("shelves", 3)),
        ("a:b", ("a:b", None)),
        ("a:b:12", ("a:b", 12)),
    ],
)
def test_dataset_and_version_are_read_from_the_target(target: str, expected: tuple[str, int | None]) -> None:
    assert split_target(target) == expected

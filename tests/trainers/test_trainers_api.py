"""/api/v1/od/trainers: which families can train here, and installing the YOLO-NAS environment as a job
(admins only; one job at a time; refused when there is nothing to install)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.jobs.models import Job
from shelfscope.ml.trainers import yolo_nas

URL = "/api/v1/od/trainers"


@pytest.fixture(autouse=True)
def _env_in_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(yolo_nas.ENV_VARIABLE, raising=False)


def _jobs(ctx: AppContext) -> int:
    with ctx.db.read() as session:
        return session.scalar(select(func.count()).select_from(Job)) or 0


def _fake_installed_env(folder: Path) -> None:
    (folder / "bin").mkdir(parents=True)
    (folder / "bin" / "python").write_text("")
    (folder / yolo_nas.MARKER).write_text(yolo_nas.requirements_hash() + "\n")


def test_the_list_says_what_is_installed_and_what_is_missing(
    viewer_client: TestClient, settings: Settings
) -> None:
    response = viewer_client.get(URL)
    assert response.status_code == 200, response.text
    items = {item["family"]: item for item in response.json()["items"]}
    assert list(items) == ["rfdetr", "rtdetrv2", "yolo-nas"]
    assert items["rfdetr"]["installed"] and not items["rfdetr"]["separate_env"]
    assert items["rfdetr"]["architectures"][0] == "rfdetr-nano"
    nas = items["yolo-nas"]
    assert not nas["installed"] and "shelfscope trainers install yolo-nas" in nas["missing"]
    assert nas["env_folder"] == str(settings.data_dir / "envs" / "yolo-nas") and nas["install_job"] is None

    _fake_installed_env(settings.data_dir / "envs" / "yolo-nas")
    nas = {i["family"]: i for i in viewer_client.get(URL).json()["items"]}["yolo-nas"]
    assert nas["installed"] and nas["missing"] is None


def test_an_admin_starts_one_install_job(client: TestClient, ctx: AppContext, settings: Settings) -> None:
    response = client.post(f"{URL}/yolo-nas/install")
    assert response.status_code == 202, response.text
    job = response.json()["job"]
    assert job["kind"] == "od.trainers.install" and job["payload"] == {"family": "yolo-nas"}
    again = client.post(f"{URL}/yolo-nas/install")
    assert again.status_code == 202 and again.json()["job"]["id"] == job["id"]
    listed = {i["family"]: i for i in client.get(URL).json()["items"]}["yolo-nas"]
    assert listed["install_job"]["id"] == job["id"]
    assert _jobs(ctx) == 1 and not (settings.data_dir / "envs").exists()


def test_refusals_store_nothing(
    client: TestClient, annotator_client: TestClient, ctx: AppContext, settings: Settings
) -> None:
    forbidden = annotator_client.post(f"{URL}/yolo-nas/install")
    assert forbidden.status_code == 403 and forbidden.json()["error"] == "Forbidden"
    unknown = client.post(f"{URL}/nope/install")
    assert unknown.status_code == 404 and unknown.json()["family"] == "nope"
    main_env = client.post(f"{URL}/rfdetr/install")
    assert main_env.status_code == 409 and main_env.json()["error"] == "Conflict"
    _fake_installed_env(settings.data_dir / "envs" / "yolo-nas")
    installed = client.post(f"{URL}/yolo-nas/install")
    assert installed.status_code == 409 and "already installed" in installed.json()["detail"]
    assert _jobs(ctx) == 0

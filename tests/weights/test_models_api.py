"""/api/v1/ml/models: the catalogue with what is installed, fetching a model as a job (the real hub client
against a loopback stand-in of the hub), deleting one, and who may do what."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from shelfscope.config import Settings
from shelfscope.context import AppContext
from shelfscope.jobs.models import Job
from shelfscope.jobs.service import list_events
from shelfscope.ml.catalogue import CATALOGUE, get_spec
from shelfscope.ml.weights import is_present, model_dir
from tests.support.dataset_files import run_job
from tests.support.hub import FakeHub, HubRepo
from tests.support.jobs import wait_for
from tests.weights.conftest import FETCHED, KEY, folder_files, leftovers, model_files, write_model

URL = "/api/v1/ml/models"


def _items(client: TestClient) -> dict[str, dict[str, Any]]:
    response = client.get(URL)
    assert response.status_code == 200, response.text
    return {item["key"]: item for item in response.json()["items"]}


def _job_count(ctx: AppContext) -> int:
    with ctx.db.read() as session:
        return session.scalar(select(func.count()).select_from(Job)) or 0


def _fetch(client: TestClient, ctx: AppContext, key: str = KEY) -> Job:
    response = client.post(f"{URL}/{key}/fetch")
    assert response.status_code == 202, response.text
    job = response.json()["job"]
    assert job["kind"] == "ml.models.fetch" and job["payload"] == {"key": key}
    return run_job(ctx, job["id"])


def test_the_list_shows_every_model_present_or_missing_with_its_size_on_disk(
    viewer_client: TestClient, settings: Settings
) -> None:
    before = _items(viewer_client)
    assert list(before) == [spec.key for spec in CATALOGUE]
    assert not any(item["present"] or item["size_on_disk"] for item in before.values())
    owl = before["owlv2-base"]
    assert owl["hub_id"] == "google/owlv2-base-patch16-ensemble" and owl["licence"] == "Apache-2.0"
    assert owl["capabilities"] == ["text_prompt", "image_query"] and owl["fetch_job"] is None
    assert owl["folder"] == str(settings.resolved_models_dir / "owlv2-base")

    size = write_model(model_dir(settings, "owlv2-base"))
    # A folder being copied in (config, no weights yet) is not a model.
    incomplete = model_dir(settings, "grounding-dino-tiny")
    incomplete.mkdir(parents=True)
    (incomplete / "config.json").write_text("{}")
    after = _items(viewer_client)
    assert (after["owlv2-base"]["present"], after["owlv2-base"]["size_on_disk"]) == (True, size)
    assert (after["grounding-dino-tiny"]["present"], after["grounding-dino-tiny"]["size_on_disk"]) == (
        False,
        2,
    )
    assert not after["florence-2-base"]["present"]


def test_fetch_downloads_the_model_into_place_as_a_job(
    client: TestClient, ctx: AppContext, settings: Settings, hub: FakeHub, repo: HubRepo
) -> None:
    job = _fetch(client, ctx)
    assert job.status == "succeeded", job.error
    folder = model_dir(settings, KEY)
    assert folder_files(folder) == {path: repo.files[path] for path in FETCHED}
    assert job.result == {
        "key": KEY,
        "hub_id": get_spec(KEY).hub_id,
        "folder": str(folder),
        "files": len(FETCHED),
        "size_on_disk": sum(len(repo.files[p]) for p in FETCHED),
        "revision": repo.sha,
    }
    assert job.progress == 1.0 and job.stage is not None and job.stage.startswith("Installed 0.3 MB in ")
    # Weights in other formats were never asked for, and nothing is left beside the model.
    assert sorted(hub.downloads()) == sorted(FETCHED)
    assert leftovers(settings) == []
    item = _items(client)[KEY]
    assert (
        item["present"] and item["size_on_disk"] == job.result["size_on_disk"] and item["fetch_job"] is None
    )


def test_a_queued_fetch_shows_in_the_list_and_a_second_request_returns_it(
    client: TestClient, ctx: AppContext, repo: HubRepo
) -> None:
    first = client.post(f"{URL}/{KEY}/fetch").json()["job"]
    again = client.post(f"{URL}/{KEY}/fetch")
    assert again.status_code == 202 and again.json()["job"]["id"] == first["id"]
    assert _items(client)[KEY]["fetch_job"]["id"] == first["id"]
    assert _job_count(ctx) == 1


@pytest.mark.parametrize("failure", ["cut", "missing"])
def test_a_failed_download_leaves_nothing_present(
    failure: str, client: TestClient, ctx: AppContext, settings: Settings, repo: HubRepo
) -> None:
    """The server drops the connection mid-file and then answers 500, or a listed file is not there."""
    repo.failures["model.safetensors"] = failure  # type: ignore[assignment]
    job = _fetch(client, ctx)
    assert job.status == "failed"
    assert job.error is not None and job.error.startswith("FetchFailed: Fetching model 'sam2.1-hiera-tiny'")
    assert "Nothing was installed" in job.error and get_spec(KEY).hub_id in job.error
    assert not model_dir(settings, KEY).exists() and leftovers(settings) == []
    assert _items(client)[KEY]["present"] is False


def test_a_repository_without_weights_is_refused_before_downloading(
    client: TestClient, ctx: AppContext, settings: Settings, hub: FakeHub, repo: HubRepo
) -> None:
    del repo.files["model.safetensors"], repo.files["pytorch_model.bin"]
    job = _fetch(client, ctx)
    assert job.status == "failed"
    assert job.error is not None and "it lacks a weights file (*.safetensors or *.bin)" in job.error
    assert hub.downloads() == [] and not model_dir(settings, KEY).exists() and leftovers(settings) == []


def test_without_safetensors_the_bin_weights_are_fetched(
    client: TestClient, ctx: AppContext, settings: Settings, repo: HubRepo
) -> None:
    del repo.files["model.safetensors"]
    assert _fetch(client, ctx).status == "succeeded"
    files = folder_files(model_dir(settings, KEY))
    assert files["pytorch_model.bin"] == repo.files["pytorch_model.bin"] and "tf_model.h5" not in files


def test_a_failed_fetch_keeps_an_existing_incomplete_folder_as_it_was(
    client: TestClient, ctx: AppContext, settings: Settings, repo: HubRepo
) -> None:
    folder = model_dir(settings, KEY)
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    repo.failures["config.json"] = "missing"
    assert _fetch(client, ctx).status == "failed"
    assert folder_files(folder) == {"config.json": b"{}"} and leftovers(settings) == []


def test_a_cancelled_fetch_stops_within_a_moment_and_leaves_nothing(
    client: TestClient, ctx: AppContext, settings: Settings, repo: HubRepo
) -> None:
    repo.files["model.safetensors"] = os.urandom(8_000_000)
    repo.trickle_s["model.safetensors"] = 8.0
    # A long grace: the handler itself must stop, not the runner giving up on it.
    ctx.settings.job_cancel_grace_s = 30.0
    job_id = client.post(f"{URL}/{KEY}/fetch").json()["job"]["id"]
    finished: list[Job] = []
    runner = threading.Thread(target=lambda: finished.append(run_job(ctx, job_id)))
    runner.start()
    wait_for(lambda: (_stage(ctx, job_id) or "").startswith("Downloaded "), what="the download to start")
    cancelled_at = time.monotonic()
    assert client.post(f"/api/v1/jobs/{job_id}/cancel").status_code == 202
    runner.join(30)
    assert finished and finished[0].status == "cancelled"
    assert time.monotonic() - cancelled_at < 4.0
    assert not model_dir(settings, KEY).exists() and leftovers(settings) == []
    with ctx.db.read() as session:
        logs = [event.message or "" for event in list_events(session, job_id, "log", limit=100).items]
    assert logs[-1] == "stopped after the cancel request" and not any("did not stop" in m for m in logs)


def _stage(ctx: AppContext, job_id: int) -> str | None:
    with ctx.db.read() as session:
        job = session.get(Job, job_id)
        return job.stage if job else None


def test_offline_refuses_a_fetch_naming_the_model_and_both_ways_to_get_it(
    client: TestClient, ctx: AppContext, settings: Settings, hub: FakeHub, repo: HubRepo
) -> None:
    ctx.settings.ml_offline = True
    response = client.post(f"{URL}/{KEY}/fetch")
    assert response.status_code == 409
    body = response.json()
    folder = str(model_dir(settings, KEY))
    assert body["error"] == "Conflict" and body["model"] == KEY and body["folder"] == folder
    assert body["hub_id"] == get_spec(KEY).hub_id
    assert f"shelfscope models import {KEY} FOLDER" in body["detail"] and folder in body["detail"]
    assert f"shelfscope models fetch {KEY}" in body["detail"] and "SHELFSCOPE_ML_OFFLINE" in body["detail"]
    assert _job_count(ctx) == 0 and hub.requests == []


def test_an_unknown_model_is_404_with_the_error_shape_and_nothing_stored(
    client: TestClient, ctx: AppContext, settings: Settings
) -> None:
    for response in (client.post(f"{URL}/gpt-9/fetch"), client.delete(f"{URL}/gpt-9")):
        assert response.status_code == 404
        body = response.json()
        assert body["error"] == "NotFound" and body["key"] == "gpt-9"
        assert body["detail"].startswith("No model with key 'gpt-9'; known keys: grounding-dino-tiny")
    assert _job_count(ctx) == 0 and not settings.resolved_models_dir.exists()


def test_fetching_an_installed_model_is_a_conflict(
    client: TestClient, ctx: AppContext, settings: Settings
) -> None:
    write_model(model_dir(settings, KEY))
    response = client.post(f"{URL}/{KEY}/fetch")
    assert response.status_code == 409 and "Delete it first" in response.json()["detail"]
    assert _job_count(ctx) == 0


@pytest.mark.parametrize("role_client", ["viewer_client", "annotator_client"])
def test_only_admins_fetch_or_delete_and_nothing_changes(
    role_client: str, request: pytest.FixtureRequest, ctx: AppContext, settings: Settings, repo: HubRepo
) -> None:
    other: TestClient = request.getfixturevalue(role_client)
    size = write_model(model_dir(settings, "owlv2-base"))
    for response in (other.post(f"{URL}/{KEY}/fetch"), other.delete(f"{URL}/owlv2-base")):
        assert response.status_code == 403
        body = response.json()
        assert body["error"] == "Forbidden" and "admin" in body["detail"]
    assert _job_count(ctx) == 0 and not model_dir(settings, KEY).exists()
    listed = _items(other)
    assert listed["owlv2-base"]["present"] and listed["owlv2-base"]["size_on_disk"] == size


def test_delete_removes_the_folder(client: TestClient, settings: Settings) -> None:
    folder = model_dir(settings, "owlv2-base")
    write_model(folder)
    (folder / "nested").mkdir()
    (folder / "nested" / "tokenizer.json").write_text("{}")
    assert client.delete(f"{URL}/owlv2-base").status_code == 204
    assert not folder.exists() and not is_present(folder) and leftovers(settings) == []
    assert _items(client)["owlv2-base"]["present"] is False
    again = client.delete(f"{URL}/owlv2-base")
    assert again.status_code == 404 and again.json()["model"] == "owlv2-base"


def test_deleting_a_linked_model_unlinks_it_and_keeps_the_linked_folder(
    client: TestClient, settings: Settings, tmp_path: Any
) -> None:
    elsewhere = tmp_path / "shared-models" / "owl"
    write_model(elsewhere)
    settings.resolved_models_dir.mkdir(parents=True)
    model_dir(settings, "owlv2-base").symlink_to(elsewhere)
    assert _items(client)["owlv2-base"]["present"]
    assert client.delete(f"{URL}/owlv2-base").status_code == 204
    assert not model_dir(settings, "owlv2-base").exists() and is_present(elsewhere)


GATED = "dinov3-small"


def test_a_gated_model_without_a_token_is_refused_naming_the_setting_and_nothing_is_asked(
    client: TestClient, ctx: AppContext, settings: Settings, hub: FakeHub
) -> None:
    hub.add(get_spec(GATED).hub_id, model_files())
    response = client.post(f"{URL}/{GATED}/fetch")
    assert response.status_code == 409, response.text
    body = response.json()
    assert body["error"] == "Conflict" and body["model"] == GATED and body["gated"] is True
    assert "SHELFSCOPE_ML_HUB_TOKEN" in body["detail"] and get_spec(GATED).hub_id in body["detail"]
    assert f"shelfscope models import {GATED} FOLDER" in body["detail"]
    assert _job_count(ctx) == 0 and hub.requests == []
    assert not is_present(model_dir(settings, GATED))


def test_a_gated_model_is_fetched_with_the_token_and_an_open_one_without_it(
    client: TestClient, ctx: AppContext, settings: Settings, hub: FakeHub, repo: HubRepo
) -> None:
    from pydantic import SecretStr

    ctx.settings.ml_hub_token = SecretStr("hf_secret")
    hub.add(get_spec(GATED).hub_id, model_files())
    job = _fetch(client, ctx, GATED)
    assert job.status == "succeeded", job.error
    assert is_present(model_dir(settings, GATED))
    assert hub.authorizations and set(hub.authorizations) == {"Bearer hf_secret"}

    hub.requests.clear()
    hub.authorizations.clear()
    assert _fetch(client, ctx).status == "succeeded"
    assert hub.authorizations and set(hub.authorizations) == {None}

"""The download itself (what the fetch job and `shelfscope models fetch` both run): byte progress,
downloads turned off, and one model changed by one process at a time."""

from __future__ import annotations

import os

import pytest

from shelfscope.config import Settings
from shelfscope.errors import Conflict
from shelfscope.ml.catalogue import get_spec
from shelfscope.ml.weights import WeightsMissing, is_present, model_dir
from shelfscope.weights.download import FetchFailed, download_model
from shelfscope.weights.folders import model_lock
from tests.support.hub import FakeHub, HubRepo
from tests.weights.conftest import FETCHED, KEY, leftovers


class Recorder:
    def __init__(self) -> None:
        self.progress_calls: list[tuple[float, str | None]] = []
        self.logs: list[str] = []

    def progress(self, fraction: float, stage: str | None = None) -> None:
        self.progress_calls.append((fraction, stage))

    def log(self, message: str, level: str = "info") -> None:
        self.logs.append(message)

    def check_cancelled(self) -> None:
        pass


def test_progress_counts_the_bytes_downloaded_of_the_total(settings: Settings, repo: HubRepo) -> None:
    repo.files["model.safetensors"] = os.urandom(3_000_000)
    repo.trickle_s["model.safetensors"] = 1.5
    total = sum(len(repo.files[path]) for path in FETCHED)
    recorder = Recorder()
    result = download_model(settings, get_spec(KEY), recorder)
    assert result.size_on_disk == total and is_present(model_dir(settings, KEY))
    fractions = [fraction for fraction, _ in recorder.progress_calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert len([f for f in fractions if 0 < f < 1]) >= 3, recorder.progress_calls
    stages = [stage or "" for _, stage in recorder.progress_calls]
    assert stages[0] == f"Listing the files of {get_spec(KEY).hub_id}"
    assert f"Downloaded 1.0 of {total / 1e6:.1f} MB" in stages
    assert stages[-2] == f"Downloaded {total / 1e6:.1f} of {total / 1e6:.1f} MB"
    assert stages[-1] == f"Installed {total / 1e6:.1f} MB in {model_dir(settings, KEY)}"
    assert recorder.logs == [
        f"downloading 5 files ({total / 1e6:.1f} MB) of {get_spec(KEY).hub_id}@{repo.sha}"
    ]


def test_downloads_turned_off_refuse_before_contacting_the_hub(
    settings: Settings, hub: FakeHub, repo: HubRepo
) -> None:
    offline = settings.model_copy(update={"ml_offline": True})
    with pytest.raises(WeightsMissing) as caught:
        download_model(offline, get_spec(KEY), Recorder())
    assert caught.value.extra == {
        "model": KEY,
        "folder": str(model_dir(settings, KEY)),
        "hub_id": get_spec(KEY).hub_id,
    }
    assert f"shelfscope models import {KEY} FOLDER" in caught.value.detail
    assert hub.requests == [] and not model_dir(settings, KEY).exists()


def test_the_hub_clients_own_offline_mode_fails_the_fetch_clearly(
    settings: Settings, hub: FakeHub, repo: HubRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(FetchFailed) as caught:
        download_model(settings, get_spec(KEY), Recorder())
    assert caught.value.detail.startswith(
        f"Fetching model {KEY!r} from {get_spec(KEY).hub_id} ({hub.url}) failed: "
    )
    assert "offline mode is enabled" in caught.value.detail and "Nothing was installed" in caught.value.detail
    assert hub.requests == [] and not model_dir(settings, KEY).exists() and leftovers(settings) == []


def test_a_model_another_process_is_changing_is_refused(
    settings: Settings, hub: FakeHub, repo: HubRepo
) -> None:
    with model_lock(settings.resolved_models_dir, KEY), pytest.raises(Conflict) as caught:
        download_model(settings, get_spec(KEY), Recorder())
    assert "being fetched or imported by another process" in caught.value.detail
    assert hub.requests == [] and leftovers(settings) == []
    # Released: the next fetch goes through.
    assert download_model(settings, get_spec(KEY), Recorder()).files == len(FETCHED)

"""Worker-side ML settings: the models an interactive worker loads as it starts (SHELFSCOPE_ML_PRELOAD),
so a person's first click does not wait for the load, and the torch threads each worker uses
(SHELFSCOPE_ML_TORCH_THREADS; by default the cores shared out among the ML and interactive workers)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import torch

from shelfscope.config import Settings
from shelfscope.jobs.registry import run_worker_start_hooks
from shelfscope.ml import runtime
from shelfscope.ml.cache import process_cache
from tests.support.jobs import wait_for

CACHE_KEY = "segmenter:{}"


@pytest.fixture
def no_loaded_segmenter(settings: Settings) -> Iterator[None]:
    cache = process_cache(settings.ml_model_cache_mb)
    cache.drop("segmenter:")
    threads = torch.get_num_threads()
    yield
    cache.drop("segmenter:")
    torch.set_num_threads(threads)


def loaded(settings: Settings) -> list[str]:
    keys = process_cache(settings.ml_model_cache_mb).keys()
    return [key for key in keys if key.startswith("segmenter:")]


def preload_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "ml-preload"]


def test_an_interactive_worker_loads_the_preload_models_as_it_starts(
    settings: Settings, tiny_sam: str, no_loaded_segmenter: None
) -> None:
    # An unknown key is logged and skipped; the models after it still load.
    configured = settings.model_copy(update={"ml_preload": ["no-such-model", tiny_sam]})

    run_worker_start_hooks(configured, ("interactive",))

    assert wait_for(lambda: loaded(settings), what="the preloaded SAM") == [CACHE_KEY.format(tiny_sam)]


def test_workers_of_other_queues_and_an_empty_setting_load_nothing(
    settings: Settings, tiny_sam: str, no_loaded_segmenter: None
) -> None:
    run_worker_start_hooks(settings.model_copy(update={"ml_preload": [tiny_sam]}), ("default", "ml"))
    run_worker_start_hooks(settings, ("interactive",))

    assert preload_threads() == []
    assert loaded(settings) == []


def test_the_preload_and_threads_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHELFSCOPE_ML_PRELOAD", "sam2.1-hiera-tiny, owlv2-base")
    monkeypatch.setenv("SHELFSCOPE_ML_TORCH_THREADS", "3")

    settings = Settings()

    assert settings.ml_preload == ["sam2.1-hiera-tiny", "owlv2-base"]
    assert settings.ml_torch_threads == 3


@pytest.mark.parametrize(
    ("cores", "changes", "threads"),
    [
        (2, {}, 1),  # the default pools: one ML and one interactive worker share two cores
        (8, {}, 4),
        (8, {"local_ml_workers": 3}, 2),
        (1, {}, 1),
        (8, {"ml_torch_threads": 6}, 6),
        (8, {"runner": "celery"}, None),  # torch's own default: Celery's concurrency is not known here
        (8, {"runner": "celery", "ml_torch_threads": 2}, 2),
    ],
)
def test_torch_threads_share_the_cores_among_the_ml_workers_unless_set(
    monkeypatch: pytest.MonkeyPatch, cores: int, changes: dict[str, Any], threads: int | None
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: cores)

    assert runtime.torch_threads(Settings(**changes)) == threads


@pytest.mark.parametrize(
    ("cores", "changes", "others", "threads"),
    [
        (2, {}, False, 2),  # a click alone on the machine has both cores
        (2, {}, True, 1),  # beside another job: the shared-out one
        (8, {}, False, 8),
        (8, {}, True, 4),
        (8, {"ml_torch_threads": 3}, False, 3),  # a count set is kept
        (8, {"runner": "celery"}, False, None),
    ],
)
def test_an_interactive_call_has_every_core_while_no_other_job_runs(
    monkeypatch: pytest.MonkeyPatch, cores: int, changes: dict[str, Any], others: bool, threads: int | None
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    asked = []

    def others_running() -> bool:
        asked.append(True)
        return others

    assert runtime.interactive_threads(Settings(**changes), others_running) == threads
    # Asked only where the answer changes the count (one query per click under the local runner).
    assert bool(asked) == (not changes)


def test_loading_a_model_sets_the_workers_torch_threads(
    settings: Settings, tiny_sam: str, no_loaded_segmenter: None
) -> None:
    from shelfscope.ml.segmenters.loader import load_segmenter

    wanted = 1 if torch.get_num_threads() != 1 else 2
    load_segmenter(settings.model_copy(update={"ml_torch_threads": wanted}), tiny_sam)

    assert torch.get_num_threads() == wanted


def test_a_bad_thread_count_is_refused() -> None:
    with pytest.raises(ValueError, match="ml_torch_threads"):
        Settings(ml_torch_threads=-1)

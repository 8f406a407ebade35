"""Model weights fixtures: a loopback stand-in for the hub (tests.support.hub), settings pointing at it."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from shelfscope.config import Settings
from shelfscope.ml.catalogue import get_spec
from tests.support.hub import FakeHub, HubRepo

KEY = "sam2.1-hiera-tiny"


@pytest.fixture(scope="session")
def _hub() -> Iterator[FakeHub]:
    hub = FakeHub()
    yield hub
    hub.close()


@pytest.fixture
def hub(_hub: FakeHub) -> Iterator[FakeHub]:
    _hub.reset()
    yield _hub
    _hub.reset()


@pytest.fixture(autouse=True)
def _hub_client_online(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stand-in hub is on this machine: a suite-wide HF_HUB_OFFLINE (set to keep the real hub out
    of the ML tests) must not stop the client from reaching it."""
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)


@pytest.fixture
def settings(settings: Settings, _hub: FakeHub) -> Settings:
    return settings.model_copy(update={"ml_hub_endpoint": _hub.url})


def model_files() -> dict[str, bytes]:
    """A small save_pretrained folder as a hub repository holds it, plus what a fetch skips."""
    return {
        "config.json": json.dumps({"model_type": "sam2", "hidden_size": 16}).encode(),
        "model.safetensors": os.urandom(300_000),
        "preprocessor_config.json": b'{"do_resize": true}',
        "README.md": b"# tiny\n",
        "extra/notes.txt": b"nested files keep their folder\n",
        # Same weights in formats the loader does not read: never downloaded.
        "pytorch_model.bin": os.urandom(1000),
        "tf_model.h5": os.urandom(1000),
        "onnx/model.onnx": os.urandom(1000),
    }


FETCHED = ("README.md", "config.json", "extra/notes.txt", "model.safetensors", "preprocessor_config.json")


@pytest.fixture
def repo(hub: FakeHub) -> HubRepo:
    return hub.add(get_spec(KEY).hub_id, model_files())


def folder_files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(settings: Settings) -> list[str]:
    """What is in the models folder besides model folders and lock files: staging that was not cleaned."""
    root = settings.resolved_models_dir
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".") and not p.name.endswith(".lock"))


def write_model(folder: Path, weights: bytes = b"\0" * 2048) -> int:
    """A minimal save_pretrained folder; returns its size in bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text('{"model_type": "owlv2"}')
    (folder / "model.safetensors").write_bytes(weights)
    return sum(p.stat().st_size for p in folder.iterdir())

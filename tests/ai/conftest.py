"""AI fixtures: a scene (a dataset of real ingested photos-like JPEGs and the classes Cola and Fanta)
with the tiny Grounding DINO installed where an offline user puts weights."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shelfscope.context import AppContext
from tests.support.ai import GD, forget_loaded_detectors
from tests.support.annotations import Scene, make_scene
from tests.support.tiny_models import install_tiny_model


@pytest.fixture(autouse=True)
def _fresh_model_cache() -> Iterator[None]:
    forget_loaded_detectors()
    yield
    forget_loaded_detectors()


@pytest.fixture
def scene(ctx: AppContext) -> Scene:
    install_tiny_model(ctx.settings, GD)
    return make_scene(ctx, images=4)

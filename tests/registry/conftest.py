"""Registry fixtures: a scene (a dataset of real ingested images with the classes Cola and Fanta) and a
tiny RT-DETRv2 registered for it as a run would register it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from shelfscope.context import AppContext
from tests.support.ai import forget_loaded_detectors
from tests.support.annotations import Scene, make_scene
from tests.support.trained_models import register_tiny_model


@pytest.fixture(autouse=True)
def _fresh_model_cache() -> Iterator[None]:
    forget_loaded_detectors()
    yield
    forget_loaded_detectors()


@dataclass
class Registered:
    scene: Scene
    model_id: int


@pytest.fixture
def scene(ctx: AppContext) -> Scene:
    return make_scene(ctx, images=3)


@pytest.fixture
def registered(ctx: AppContext, scene: Scene) -> Registered:
    """The tiny model whose class 0 is the scene's Fanta and class 1 its Cola (not the id order, so a
    mapping by position alone would be caught)."""
    cola, fanta = scene.class_ids
    row = register_tiny_model(ctx, [(fanta, "Fanta"), (cola, "Cola")], dataset_id=scene.dataset_id)
    return Registered(scene, row.id)

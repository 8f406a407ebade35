"""Annotation fixtures: `scene`, a dataset of real ingested images and classes (tests.support.annotations)."""

from __future__ import annotations

import pytest

from shelfscope.context import AppContext
from tests.support.annotations import Scene, make_scene


@pytest.fixture
def scene(ctx: AppContext) -> Scene:
    return make_scene(ctx)

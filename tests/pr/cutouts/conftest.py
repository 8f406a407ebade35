"""Cutout fixtures: a dataset of real annotated shelf photos (tests/support/shelves.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shelfscope.context import AppContext
from tests.support.shelves import Shelves, make_shelves


@pytest.fixture
def shelves(ctx: AppContext, shared_data: Path) -> Shelves:
    return make_shelves(ctx, shared_data, count=6)


@pytest.fixture(autouse=True)
def _fresh_model_cache() -> Iterator[None]:
    from tests.support.ai import forget_loaded_detectors

    forget_loaded_detectors()
    yield
    forget_loaded_detectors()

"""Embedding fixtures: real product photos in the catalogue, real shelf cutouts, a registered tiny
model, and a model cache emptied around each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shelfscope.context import AppContext
from tests.pr.embeddings.helpers import register_tiny_embedding_model
from tests.pr.training.helpers import store_products
from tests.support.shelves import make_cutouts, make_shelves
from tests.support.tiny_embedders import install_tiny_embedder

NAMES = ["gsd_Arla-Standard-Milk", "gsd_Bravo-Apple-Juice", "gsd_Oatly-Oat-Milk"]


@pytest.fixture(autouse=True)
def _fresh_model_cache() -> Iterator[None]:
    from shelfscope.ml.cache import process_cache

    process_cache(1).drop("pr-embedder:")
    yield
    process_cache(1).drop("pr-embedder:")


@pytest.fixture
def catalogue(ctx: AppContext, shared_data: Path) -> dict[str, int]:
    """Three products with 3 photos each (a studio packshot, then store photos); {name: product id}."""
    install_tiny_embedder(ctx.settings, "dinov2-small")
    return store_products(ctx, shared_data, NAMES, 3)


@pytest.fixture
def cutouts(client: TestClient, ctx: AppContext, shared_data: Path) -> list[int]:
    """Cutouts of three real annotated shelf photos, unmatched; their ids."""
    from sqlalchemy import select

    from shelfscope.pr.cutouts.models import Cutout

    shelves = make_shelves(ctx, shared_data, count=3)
    make_cutouts(client, ctx, dataset_id=shelves.dataset_id)
    with ctx.db.read() as session:
        return list(session.scalars(select(Cutout.id).order_by(Cutout.id)))


@pytest.fixture
def model_id(ctx: AppContext) -> int:
    return register_tiny_embedding_model(ctx)

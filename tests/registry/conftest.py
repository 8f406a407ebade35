"""Registry fixtures: a scene (a dataset of real ingested images with the classes Cola and Fanta) and a
tiny RT-DETRv2 registered for it as a run would register it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from shelfscope.context import AppContext
from shelfscope.od.classes.models import OdClass
from shelfscope.od.datasets.models import Dataset, DatasetImage
from shelfscope.od.images.ingest import ingest_stream
from tests.support.ai import forget_loaded_detectors
from tests.support.annotations import Scene
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


def photo_scene(ctx: AppContext, photos: list[Path]) -> Scene:
    """A dataset of real photos (a model's outputs on flat colours tie, which no parity check can
    order) with the classes Cola and Fanta, and another dataset holding the last photo."""
    with ctx.db.write() as session:
        classes = [OdClass(name=n, name_key=n.casefold(), display_name=n) for n in ("Cola", "Fanta")]
        dataset, other = Dataset(name="Shelves"), Dataset(name="Other")
        session.add_all([*classes, dataset, other])
        session.flush()
        ids = []
        for photo in photos:
            with photo.open("rb") as data:
                ids.append(ingest_stream(session, ctx.storage, ctx.settings, data, photo.name).image.id)
        session.flush()
        for image_id in ids[:-1]:
            session.add(DatasetImage(dataset_id=dataset.id, image_id=image_id))
            session.flush()
        session.add(DatasetImage(dataset_id=other.id, image_id=ids[-1]))
        return Scene(dataset.id, ids[:-1], [c.id for c in classes], other.id, ids[-1])


@pytest.fixture
def scene(ctx: AppContext, shared_data: Path) -> Scene:
    photos = sorted((shared_data / "detection" / "raccoon" / "images").glob("raccoon-1*.jpg"))[:4]
    return photo_scene(ctx, photos)


@pytest.fixture
def registered(ctx: AppContext, scene: Scene) -> Registered:
    """The tiny model whose class 0 is the scene's Fanta and class 1 its Cola (not the id order, so a
    mapping by position alone would be caught)."""
    cola, fanta = scene.class_ids
    row = register_tiny_model(ctx, [(fanta, "Fanta"), (cola, "Cola")], dataset_id=scene.dataset_id)
    return Registered(scene, row.id)
